"""Extraction quality and speed of gleaner vs trafilatura on the shared benchmarks, as one table.

Runs the official scorer (``../shared/bench/evaluate.py``) in subprocesses:

    python bench/quality.py                # full run (a few minutes; trafilatura is the slow part)
    python bench/quality.py --limit 50     # quick look
    python bench/quality.py --skip-trafilatura
    python bench/quality.py --rounds 1     # one run per tool (default: best of 3, alternating)

Rows: wcxb_test (all pages), wcxb_test articles (``--where page_type=article``; with --limit,
the first N articles), trafilatura_eval. Columns: full-text F1,
precision, recall, snippet F1, pages/s (extractor call only, one process, wall time) and gleaner's
speed ratio over trafilatura, then CPU ms per page and the CPU-time ratio (steadier on a shared
machine: the tools run one after the other, so load changes between them skew wall time).
gleaner runs through ``cleaning:clean_html`` (metadata included).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_BENCH = ROOT.parent / "shared" / "bench"
TOOLS = (("gleaner", ["--callable", "cleaning:clean_html"]), ("trafilatura", ["--tool", "trafilatura"]))
DATASETS = ("wcxb_test", "trafilatura_eval")


def run_scorer(bench: pathlib.Path, args: list[str], timeout: float) -> dict:
    """Run evaluate.py and return its JSON summary (last line of stdout)."""
    cmd = [sys.executable, str(bench / "evaluate.py"), *args, "--n-bootstrap", "0"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def measure(bench: pathlib.Path, tool: str, tool_args: list[str], limit: int | None,
            workdir: pathlib.Path, timeout: float) -> dict[str, dict]:
    """Scores of one tool on every row of the table."""
    extra = ["--limit", str(limit)] if limit else []
    saved = workdir / f"{tool}_wcxb.jsonl"  # per-page outputs, kept with --json for inspection
    rows = {"wcxb_test": run_scorer(bench, [str(bench / "wcxb_test"), *tool_args, *extra,
                                            "--save", str(saved)], timeout)}
    rows["wcxb_test articles"] = run_scorer(
        bench, [str(bench / "wcxb_test"), *tool_args, "--where", "page_type=article", *extra],
        timeout)
    rows["trafilatura_eval"] = run_scorer(bench, [str(bench / "trafilatura_eval"), *tool_args,
                                                  *extra], timeout)
    return rows


def cpu_ms_per_page(summary: dict) -> float:
    """CPU ms per page of the extractor calls (less disturbed by other load than pages/s).

    >>> cpu_ms_per_page({"cpu_s": 1.5, "pages": 100}), cpu_ms_per_page({})
    (15.0, nan)
    """
    pages = summary.get("pages") or 0
    return 1000 * summary["cpu_s"] / pages if pages and "cpu_s" in summary else float("nan")


def faster(kept: dict | None, new: dict) -> dict:
    """The summary of the faster run (pages/s); the scores are the same in every run.

    >>> faster(None, {"pages_per_s": 2})["pages_per_s"], faster({"pages_per_s": 3}, {"pages_per_s": 2})
    (2, {'pages_per_s': 3})
    """
    if kept is None or new.get("pages_per_s", 0) > kept.get("pages_per_s", 0):
        return new
    return kept


def format_table(results: dict[str, dict[str, dict]]) -> str:
    """One line per (dataset row, tool)."""
    header = f"{'set':<20} {'tool':<12} {'F1':>6} {'P':>6} {'R':>6} {'snipF1':>7} {'with':>6} " \
             f"{'w/o':>6} {'pages/s':>8} {'x traf':>7} {'cpu ms':>7} {'x cpu':>6} {'pages':>6}"
    out = [header, "-" * len(header)]
    for row in ("wcxb_test", "wcxb_test articles", "trafilatura_eval"):
        base = results.get("trafilatura", {}).get(row)
        for tool, rows in results.items():
            r = rows[row]
            text = r.get("text") or {}
            snip = r.get("snippets") or {}
            ratio = r["pages_per_s"] / base["pages_per_s"] if base and base.get("pages_per_s") \
                else float("nan")
            cpu_ms = cpu_ms_per_page(r)
            base_cpu = cpu_ms_per_page(base) if base else float("nan")
            cpu_ratio = base_cpu / cpu_ms if cpu_ms else float("nan")

            def fmt(d: dict, key: str) -> str:
                return f"{d[key]:.3f}" if key in d else "  -  "

            out.append(f"{row:<20} {tool:<12} {fmt(text, 'f1'):>6} {fmt(text, 'precision'):>6} "
                       f"{fmt(text, 'recall'):>6} {fmt(snip, 'f1'):>7} {fmt(snip, 'with_found'):>6} "
                       f"{fmt(snip, 'without_absent'):>6} {r['pages_per_s']:>8.1f} {ratio:>7.2f} "
                       f"{cpu_ms:>7.1f} {cpu_ratio:>6.2f} {r.get('pages', 0):>6}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="pages per dataset (quick run)")
    parser.add_argument("--bench-dir", type=pathlib.Path, default=DEFAULT_BENCH,
                        help="folder holding evaluate.py and the datasets (default ../shared/bench)")
    parser.add_argument("--skip-trafilatura", action="store_true")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per scorer run")
    parser.add_argument("--json", type=pathlib.Path, help="also write the raw summaries here")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs per tool, alternating; the fastest is reported, as timeit "
                             "does (default 3; shared machines vary by 20%% within minutes)")
    args = parser.parse_args(argv)
    if not (args.bench_dir / "evaluate.py").is_file():
        parser.error(f"no evaluate.py in {args.bench_dir}")
    tools = [t for t in TOOLS if not (args.skip_trafilatura and t[0] == "trafilatura")]
    results: dict[str, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):  # tools alternate, so a slow spell hits both alike
            for tool, tool_args in tools:
                rows = measure(args.bench_dir, tool, tool_args, args.limit, pathlib.Path(tmp),
                               args.timeout)
                results[tool] = {row: faster(results.get(tool, {}).get(row), summary)
                                 for row, summary in rows.items()}
    print(format_table(results))
    print(f"(speed: the fastest of {args.rounds} alternating run(s) per tool and row)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
