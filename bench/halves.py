"""Tuning aid: gleaner's scores on the two halves of each shared benchmark, page by page.

Tune on the ``tune`` half (md5 of the page id is even), check on the ``check`` half, so that a
rule that only fits the pages it was written for shows up as a gap between the two:

    python bench/halves.py                          # both datasets, both halves
    python bench/halves.py --save /tmp/a.jsonl      # keep every page's output and score
    python bench/halves.py --against /tmp/a.jsonl   # ...and list the pages that changed since
    python bench/halves.py --worst 20 --half tune   # the 20 lowest-scoring tune pages

Scores use the official scorer's own functions (``../shared/bench/evaluate.py``): full-text F1
(macro over pages) for wcxb_test (all pages and articles), pooled snippet F1 for
trafilatura_eval. It runs in one process and prints CPU ms per page of ``clean_html`` too.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
# ../shared/bench beside the checkout (a git worktree may sit one level deeper)
DEFAULT_BENCH = next((p / "shared" / "bench" for p in ROOT.parents
                      if (p / "shared" / "bench" / "evaluate.py").exists()),
                     ROOT.parent / "shared" / "bench")
DATASETS = ("wcxb_test", "trafilatura_eval")


def half_of(page_id: str) -> str:
    """'tune' when the md5 of the id is even, else 'check'.

    >>> half_of("a"), half_of("b")
    ('check', 'tune')
    """
    return "tune" if int(hashlib.md5(page_id.encode()).hexdigest(), 16) % 2 == 0 else "check"


def load_scorer(bench: pathlib.Path):
    spec = importlib.util.spec_from_file_location("evaluate", bench / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_dataset(ev, folder: pathlib.Path) -> tuple[list[dict], float]:
    """Clean every page; one row per page with its output and its own score."""
    sys.path.insert(0, str(ROOT))
    from cleaning import clean_html

    rows = ev.load_rows(folder, [], None)
    out, cpu = [], 0.0
    for row in rows:
        html = ev.read_html(folder, row["id"])
        start = time.process_time()
        result = clean_html(html, row.get("url"))
        cpu += time.process_time() - start
        text = getattr(result, "text", "") or ""
        rec = {"id": row["id"], "half": half_of(row["id"]), "page_type": row.get("page_type"),
               "text": text, "verdict": getattr(result, "reason", "article")}
        if row.get("text") is not None:
            rec["counts"] = ev.tp_fp_fn(row["text"], text)
            tp, fp, fn = rec["counts"]
            rec["score"] = round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 1.0
        if row.get("with") or row.get("without"):
            rec["snippets"] = ev.snippet_counts(row, text)
            if "score" not in rec:
                tp, fp, fn, _tn = rec["snippets"]
                rec["score"] = round(1 - (fp + fn) / max(1, len(row.get("with") or [])
                                                         + len(row.get("without") or [])), 4)
        out.append(rec)
    return out, cpu * 1000 / max(1, len(rows))


def summarise(ev, name: str, recs: list[dict], half: str | None) -> list[tuple[str, float, int]]:
    """(row label, score, pages) lines for one dataset and half (None: all pages)."""
    chosen = [r for r in recs if half is None or r["half"] == half]
    lines = []
    if name == "wcxb_test":
        for label, sub in (("all F1", chosen),
                           ("articles F1", [r for r in chosen if r["page_type"] == "article"])):
            lines.append((label, ev.prf([tuple(r["counts"]) for r in sub])["f1"], len(sub)))
    else:
        lines.append(("snippet F1", ev.snippet_metrics([tuple(r["snippets"]) for r in chosen])["f1"],
                      len(chosen)))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=pathlib.Path, default=DEFAULT_BENCH)
    parser.add_argument("--dataset", choices=DATASETS, action="append")
    parser.add_argument("--save", type=pathlib.Path, help="write every page's output (JSONL)")
    parser.add_argument("--against", type=pathlib.Path, help="a --save file to compare with")
    parser.add_argument("--worst", type=int, default=0, help="list the N lowest-scoring pages")
    parser.add_argument("--half", choices=("tune", "check"), help="--worst/--against: one half")
    args = parser.parse_args()
    ev = load_scorer(args.bench)
    before = {}
    if args.against:
        for line in args.against.open(encoding="utf-8"):
            rec = json.loads(line)
            before[(rec["dataset"], rec["id"])] = rec
    saved = []
    for name in args.dataset or DATASETS:
        recs, ms = run_dataset(ev, args.bench / name)
        print(f"{name}: {len(recs)} pages, clean_html {ms:.2f} CPU ms/page")
        for half in (None, "tune", "check"):
            for label, score, n in summarise(ev, name, recs, half):
                print(f"  {half or 'all':6s} {label:12s} {score:.4f}  ({n} pages)")
        picked = [r for r in recs if args.half is None or r["half"] == args.half]
        if args.worst:
            for r in sorted(picked, key=lambda r: r["score"])[:args.worst]:
                print(f"    worst {r['score']:.3f} {r['half']:5s} {r['page_type'] or '':13s} {r['id']}"
                      f" [{r['verdict']}]")
        if before:
            changed = [(r, before[(name, r["id"])]) for r in picked if (name, r["id"]) in before
                       and before[(name, r["id"])]["text"] != r["text"]]
            for r, old in sorted(changed, key=lambda p: p[0]["score"] - p[1]["score"]):
                print(f"    changed {old['score']:.3f} -> {r['score']:.3f} {r['half']:5s} {r['id']}")
            print(f"  {len(changed)} pages changed output")
        for r in recs:
            saved.append({"dataset": name, **r})
    if args.save:
        with args.save.open("w", encoding="utf-8") as fh:
            for rec in saved:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
