"""The identity check of speed work: every field of every benchmark record, before and after.

    python bench/same_records.py dump before.jsonl          # on the old code
    python bench/same_records.py dump after.jsonl           # on the new code
    python bench/same_records.py compare before.jsonl after.jsonl

``dump`` writes ``dataclasses.asdict`` of ``clean_html`` for all pages of both shared
benchmarks (1,501), one JSON line each (``fetched_at`` left out: it is the clock);
``compare`` lists the pages whose records differ, with the fields, and exits 1 if any does.
Run ``dump`` with ``GLEANER_PURE_PYTHON=1`` too: the pure-Python forms must give the same.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ab_speed import DEFAULT_BENCH, load_pages  # noqa: E402

SETS = ("trafilatura_eval", "wcxb_test")


def dump(out: Path, bench: Path = DEFAULT_BENCH) -> int:
    """Write one line per page: set/id, result type and every field."""
    from cleaning import clean_html
    count = 0
    with out.open("w", encoding="utf-8") as f:
        for name in SETS:
            for page_id, html, url in load_pages(bench / name):
                result = clean_html(html, url)
                fields = dataclasses.asdict(result)
                fields.pop("fetched_at", None)
                f.write(json.dumps({"id": f"{name}/{page_id}", "type": type(result).__name__,
                                    "rec": fields}, default=str, sort_keys=True,
                                   ensure_ascii=False) + "\n")
                count += 1
    print(f"{count} records -> {out}")
    return 0


def differing_fields(a: dict, b: dict) -> list[str]:
    """Names of the record fields that differ (``type`` when the result type does).

    >>> differing_fields({"type": "R", "rec": {"x": 1, "y": 2}}, {"type": "R", "rec": {"x": 1, "y": 3}})
    ['y']
    """
    names = sorted(k for k in set(a["rec"]) | set(b["rec"]) if a["rec"].get(k) != b["rec"].get(k))
    return (["type"] if a["type"] != b["type"] else []) + names


def compare(before: Path, after: Path) -> int:
    """Print the pages whose records differ; 1 if any does (or the page lists differ)."""
    old = [json.loads(line) for line in before.open(encoding="utf-8")]
    new = [json.loads(line) for line in after.open(encoding="utf-8")]
    if [r["id"] for r in old] != [r["id"] for r in new]:
        print("the two dumps hold different pages")
        return 1
    differ = [(a["id"], differing_fields(a, b)) for a, b in zip(old, new, strict=True) if a != b]
    for page, fields in differ[:20]:
        print(page, fields)
    print(f"{len(differ)} of {len(old)} pages differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.out, args.bench)
    return compare(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
