"""``gleaner reclean``: re-run cleaning on saved HTML, WARC archives or crawl run folders.

A thin argparse adapter over :mod:`reclean` (see its docstring for the Dask options).
Exit codes: 0 all inputs read, 1 some input failed (see ``reclean.json``), 2 usage error,
130 interrupted (what was done is written; ``--resume`` continues).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


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
    parser.add_argument("--site", metavar="CONFIG",
                        help="site config (sites/<name>.yaml) whose cleaning rules the crawl "
                             "used; needed to get the crawl's records back from its archive")
    parser.add_argument("--formats", default="jsonl,csv,parquet",
                        help="comma-separated output formats (default: jsonl,csv,parquet)")
    parser.add_argument("--progress", choices=("auto", "live", "log"), default="auto",
                        help="live progress line (TTY default) or periodic log lines")


def cleaning_config_for(site_file: str | None):
    """DEFAULT_CONFIG, plus a site config's drop rules (as the crawl applies them)."""
    from cleaning import DEFAULT_CONFIG
    if site_file is None:
        return DEFAULT_CONFIG
    from crawler.siteconfig import load_site_config
    return load_site_config(site_file).cleaning_config(DEFAULT_CONFIG)


def site_configs_of_runs(inputs: list[str]) -> list[str]:
    """Site config files named in the run.json of the crawl run folders given as inputs."""
    found = []
    for name in inputs:
        try:
            with open(Path(name) / "run.json", encoding="utf-8") as fh:
                source = json.load(fh).get("site_config")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(source, str) and source.endswith((".yaml", ".yml")):
            found.append(source)
    return found


def run(args: argparse.Namespace) -> int:
    from crawler.siteconfig import SiteConfigError
    from reclean import Options, UsageError, format_diff, format_summary, run_reclean

    if args.site is None:
        for source in site_configs_of_runs(args.inputs):
            print(f"gleaner reclean: note: a run was crawled with the site config {source}; "
                  f"pass --site {source} to re-clean with its cleaning rules", file=sys.stderr)
    try:
        config = cleaning_config_for(args.site)
    except (SiteConfigError, OSError) as exc:
        print(f"gleaner reclean: error: {exc}", file=sys.stderr)
        return 2
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    opts = Options(inputs=tuple(args.inputs), out_dir=args.out, workers=args.workers,
                   resume=args.resume, diff_old=args.diff_old, dask=args.dask, formats=formats,
                   config=config,
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
