"""``gleaner reclean``: re-run cleaning on saved HTML, WARC archives or crawl run folders.

A thin argparse adapter over :mod:`reclean` (see its docstring for the Dask options).
Exit codes: 0 all inputs read, 1 some input failed (see ``reclean.json``), 2 usage error,
130 interrupted (what was done is written; ``--resume`` continues).
"""
from __future__ import annotations

import argparse
import os
import sys


def positive_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="crawl run folder, WARC / WARC.gz file, or folder of saved "
                             ".html/.htm(.gz) pages (searched recursively)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder: articles.jsonl/csv/parquet, reclean.json")
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1,
                        help="worker processes (default: all cores; 0 = clean in this process)")
    parser.add_argument("--resume", action="store_true",
                        help="skip inputs an earlier run into --out already finished")
    parser.add_argument("--diff", metavar="OLD", dest="diff_old",
                        help="compare the result with an earlier run folder (or its "
                             "articles.jsonl): report on the terminal and diff.json")
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="run on Dask: 'local' (LocalCluster of --workers processes) or a "
                             "scheduler address such as tcp://scheduler:8786")
    parser.add_argument("--formats", default="jsonl,csv,parquet",
                        help="comma-separated output formats (default: jsonl,csv,parquet)")
    parser.add_argument("--progress", choices=("auto", "live", "log"), default="auto",
                        help="live progress line (TTY default) or periodic log lines")


def run(args: argparse.Namespace) -> int:
    from reclean import Options, UsageError, format_diff, format_summary, run_reclean

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    opts = Options(inputs=tuple(args.inputs), out_dir=args.out, workers=args.workers,
                   resume=args.resume, diff_old=args.diff_old, dask=args.dask, formats=formats,
                   progress={"auto": None, "live": True, "log": False}[args.progress])
    try:
        summary = run_reclean(opts)
    except UsageError as exc:
        print(f"gleaner reclean: error: {exc}", file=sys.stderr)
        return 2
    print(format_summary(summary))
    if "diff_report" in summary:
        print(format_diff(summary.pop("diff_report")))
    return int(summary["exit_code"])
