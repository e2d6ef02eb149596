"""``gleaner demo``: serve the bundled sample site on 127.0.0.1, crawl it, show the records.

The crawl is the same code as ``gleaner crawl`` (AutoThrottle off: the server is ours
and local). Output goes to ``out/demo/<run id>/``.
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Any, TextIO

from crawler.demo_server import DemoServer

TEXT_PREVIEW_LINES = 3
PREVIEW_WIDTH = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", help="run folder (default: out/demo/<run id>/)")
    parser.add_argument("--show", type=int, default=10, metavar="N",
                        help="print at most N records (default 10)")


def preview_text(text: str, lines: int = TEXT_PREVIEW_LINES, width: int = PREVIEW_WIDTH) -> list[str]:
    """The first non-empty lines of a text, each shortened to width.

    >>> preview_text("a\\n\\nb\\nc\\nd", lines=2)
    ['a', 'b']
    """
    chosen = [line for line in text.splitlines() if line.strip()][:lines]
    return [textwrap.shorten(line, width=width, placeholder=" ...") for line in chosen]


def print_record(record: dict[str, Any], out: TextIO = sys.stdout) -> None:
    print(f"- {record.get('title')}", file=out)
    print(f"  date: {record.get('date_published')}   url: {record.get('url')}", file=out)
    for line in preview_text(record.get("text") or ""):
        print(f"  | {line}", file=out)
    print(f"  prev: {record.get('prev_title')}   next: {record.get('next_title')}", file=out)


def read_records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run(args: argparse.Namespace) -> int:
    from crawler.run import exit_code, plan_run, print_summary, run_crawl
    from pipelines.journal import new_run_id

    run_id = new_run_id()
    out_dir = args.out or str(Path("out") / "demo" / run_id)
    with DemoServer() as server:
        print(f"serving the sample site at {server.url}/ ; crawling it ...")
        plan = plan_run(server.url + "/", out_dir, None, {"AUTOTHROTTLE_ENABLED": "False"},
                        run_id=run_id)
        report = run_crawl(plan)
    records = sorted(read_records(plan.run_dir / "articles.jsonl"),
                     key=lambda r: r.get("date_published") or "", reverse=True)
    print(f"\n{len(records)} articles (newest first):")
    for record in records[: max(args.show, 0)]:
        print_record(record)
    if len(records) > args.show:
        print(f"... and {len(records) - args.show} more in {plan.run_dir}/articles.jsonl")
    print()
    print_summary(report, plan.run_dir)
    return exit_code(report)
