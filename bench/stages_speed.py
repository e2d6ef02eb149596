"""Per-stage speed of the cleaning pipeline (decode, parse, metadata, repair, language, whole
clean_html) on a shared benchmark folder, plus metadata coverage and title agreement.

    python bench/stages_speed.py --limit 100            # quick
    python bench/stages_speed.py                        # all 511 WCXB pages

Times are CPU time of this process (``time.process_time``), best of ``--repeat`` runs, so other
processes on a shared machine disturb them less than wall time.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "wcxb_test"

from cleaning import clean_html  # noqa: E402
from cleaning.decode import decode_html  # noqa: E402
from cleaning.jsonld import normalize_title_key  # noqa: E402
from cleaning.language import detect_language, load_identifier  # noqa: E402
from cleaning.metadata import extract_metadata  # noqa: E402
from cleaning.parse import parse_html  # noqa: E402
from cleaning.repair import repair_text  # noqa: E402


def best_time(fn: Callable[[Any], Any], items: Sequence[Any], repeat: int) -> tuple[float, list]:
    """(best CPU ms per item over ``repeat`` runs, results of the last run)."""
    best = float("inf")
    out: list = []
    for _ in range(repeat):
        start = time.process_time()
        out = [fn(x) for x in items]
        best = min(best, time.process_time() - start)
    return 1000 * best / max(1, len(items)), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="benchmark folder with html/*.html.gz and truth.jsonl")
    parser.add_argument("--limit", type=int, default=0, help="first N pages only (0 = all)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    files = sorted((args.data / "html").glob("*.html.gz"))
    if args.limit:
        files = files[:args.limit]
    if not files:
        print(f"no pages under {args.data}/html", file=sys.stderr)
        return 2
    truth = {}
    truth_file = args.data / "truth.jsonl"
    if truth_file.exists():
        with truth_file.open(encoding="utf-8") as fh:
            truth = {d["id"]: d for d in map(json.loads, fh)}
    ids = [f.name.removesuffix(".html.gz") for f in files]
    urls = [truth.get(i, {}).get("url") or "" for i in ids]
    bodies = [gzip.decompress(f.read_bytes()) for f in files]
    load_identifier()  # the model loads once per process; not a per-page cost

    rows = []
    ms, texts = best_time(lambda b: decode_html(b, "text/html").text, bodies, args.repeat)
    rows.append(("decode", ms))
    ms, roots = best_time(parse_html, texts, args.repeat)
    rows.append(("parse", ms))
    pairs = list(zip(roots, urls, strict=True))
    ms, metas = best_time(lambda p: extract_metadata(*p), pairs, args.repeat)
    rows.append(("metadata", ms))
    ms, records = best_time(lambda p: clean_html(p[0], p[1]), list(zip(bodies, urls, strict=True)),
                            args.repeat)
    rows.append(("clean_html (all stages)", ms))
    article_texts = [r.text for r in records]
    ms, _ = best_time(repair_text, article_texts, args.repeat)
    rows.append(("repair", ms))
    ms, _ = best_time(lambda t: detect_language(t, None), article_texts, args.repeat)
    rows.append(("language", ms))

    print(f"{len(files)} pages from {args.data.name}, CPU ms/page, best of {args.repeat}")
    for name, value in rows:
        print(f"  {name:26s} {value:7.2f}")
    titled = [(m, truth[i]["title"]) for m, i in zip(metas, ids, strict=True)
              if truth.get(i, {}).get("title")]
    same = sum(normalize_title_key(m.title) == normalize_title_key(t) for m, t in titled)
    print(f"  title equal to truth title  {same}/{len(titled)}")
    for field in ("date_published", "date_modified", "authors", "description", "site_name",
                  "canonical_url", "language_hint", "image_url", "section", "tags"):
        found = sum(bool(getattr(m, field)) for m in metas)
        print(f"  with {field:22s} {found}/{len(metas)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
