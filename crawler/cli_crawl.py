"""``gleaner crawl START --out DIR [--max-pages N]``: crawl a site and export its articles."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.run import exit_code, parse_overrides, plan_run, print_summary, run_crawl
from crawler.spiders.articles import is_http_url


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("start", metavar="START",
                        help="start URL (same-site crawl from there) or a site config file")
    parser.add_argument("--out", metavar="DIR",
                        help="run folder (default: out/<host>/<run id>/)")
    parser.add_argument("--max-pages", type=int, metavar="N",
                        help="stop after N responses (CLOSESPIDER_PAGECOUNT)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy/gleaner setting (repeatable)")


def run(args: argparse.Namespace) -> int:
    start = args.start
    if not is_http_url(start):
        if Path(start).is_file():
            print(f"gleaner crawl: site config files are not supported yet: {start}",
                  file=sys.stderr)
        else:
            print(f"gleaner crawl: START must be an http(s) URL or an existing site config "
                  f"file, got {start!r}", file=sys.stderr)
        return 2
    if args.max_pages is not None and args.max_pages < 1:
        print("gleaner crawl: --max-pages must be at least 1", file=sys.stderr)
        return 2
    try:
        overrides = parse_overrides(args.set)
    except ValueError as exc:
        print(f"gleaner crawl: {exc}", file=sys.stderr)
        return 2
    plan = plan_run(start, args.out, args.max_pages, overrides)
    report = run_crawl(plan)
    print_summary(report, plan.run_dir)
    return exit_code(report)
