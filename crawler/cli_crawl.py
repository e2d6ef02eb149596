"""``gleaner crawl START --out DIR [--max-pages N] [--state DIR]``: crawl a site, export its articles.

START is a URL (same-site crawl from there) or a site config file (``sites/x.yaml``).
With ``--state DIR`` the run is incremental: known articles are fetched with conditional
GETs, and only new or changed articles are exported (with version / previous_record_id).

``gleaner crawl --all sites/ [--state DIR] [--out ROOT]`` validates every site config of
the folder first, then crawls the enabled ones one after the other, each in its own
process (a reactor runs once per process; one site's crash cannot take the others
down), into ``ROOT/<site>/<run id>/``. Exit code: the worst of the sites', and a
closing summary with one line per site.

Exit codes: 0 a healthy run; 1 a run that did not complete, fetched nothing or failed
the site's health thresholds (crawler/health.py), with its one-line reason on stderr
(``gleaner crawl: <site>: unhealthy: too few articles: 0 < 5 (40 pages fetched)``);
2 a bad command line or site config (nothing fetched).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the crawl's modules load Scrapy: imported when used (fast --help)
    from crawler.siteconfig import SiteConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("start", metavar="START", nargs="?",
                        help="start URL (same-site crawl from there) or a site config file")
    parser.add_argument("--all", metavar="FOLDER",
                        help="crawl every enabled site config of FOLDER (instead of START)")
    parser.add_argument("--out", metavar="DIR",
                        help="run folder (default: out/<host or site>/<run id>/); "
                             "with --all the root of the sites' run folders (default: out)")
    parser.add_argument("--max-pages", type=int, metavar="N",
                        help="stop after N responses (CLOSESPIDER_PAGECOUNT)")
    parser.add_argument("--state", metavar="DIR",
                        help="crawl state folder (one SQLite file per site): incremental runs")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a Scrapy/gleaner setting (repeatable)")


def fail(message: str, code: int = 2) -> int:
    print(f"gleaner crawl: {message}", file=sys.stderr)
    return code


def read_start(start: str) -> tuple[SiteConfig, str | None]:
    """The site config for START and its file (None for a URL); SiteConfigError when bad."""
    from crawler.siteconfig import SiteConfigError, load_site_config, site_config_from_url
    from crawler.spiders.articles import is_http_url

    if is_http_url(start):
        return site_config_from_url(start), None
    if Path(start).is_file():
        return load_site_config(start), start
    raise SiteConfigError(start, "", "START must be an http(s) URL or an existing site "
                                     "config file")


def check_state_free(state_dir: str, site: str) -> None:
    """Fail fast (StateError) when another run holds the site's state."""
    from crawler.state import CrawlState

    with CrawlState.open(state_dir, site) as state:
        state.lock()


def child_args(args: argparse.Namespace, site_file: str, run_dir: Path) -> list[str]:
    """The ``gleaner crawl`` command line of one site of an ``--all`` run."""
    argv = [sys.executable, "-m", "crawler", "crawl", site_file, "--out", str(run_dir)]
    if args.state:
        argv += ["--state", args.state]
    if args.max_pages:
        argv += ["--max-pages", str(args.max_pages)]
    for pair in args.set:
        argv += ["--set", pair]
    return argv


def run_all(args: argparse.Namespace) -> int:
    from crawler.run import parse_overrides
    from crawler.siteconfig import SiteConfigError, load_site_configs
    from pipelines.journal import new_run_id

    try:
        configs = load_site_configs(args.all)
        parse_overrides(args.set)
    except (SiteConfigError, ValueError) as exc:
        return fail(str(exc).replace("\n", " "))
    if not configs:
        return fail(f"{args.all}: every site config is disabled", code=1)
    root, worst, verdicts = Path(args.out or "out"), 0, []
    for config in configs:
        run_dir = root / config.name / new_run_id()
        print(f"== {config.name} ({config.source}) -> {run_dir}", flush=True)
        code = subprocess.run(child_args(args, config.source, run_dir), check=False).returncode
        worst = max(worst, code)
        verdicts.append(f"{config.name}: exit {code}: {site_verdict(run_dir, code)}")
    print(f"== summary (worst exit code {worst})")
    for line in verdicts:
        print(line, flush=True)
    return worst


def site_verdict(run_dir: Path, code: int) -> str:
    """One line on how a site's run ended, from its run.json."""
    import json

    from crawler.run import RUN_FILE, exit_reason

    try:
        report = json.loads((run_dir / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no run report (the run failed before it started; see above)" if code else "ok"
    return exit_reason(report)


def run(args: argparse.Namespace) -> int:
    if args.all:
        if args.start:
            return fail("give START or --all FOLDER, not both")
        return run_all(args)
    if not args.start:
        return fail("START (a URL or a site config file) or --all FOLDER is required")
    from crawler.run import (
        exit_code,
        exit_reason,
        parse_overrides,
        plan_run,
        print_summary,
        run_crawl,
    )
    from crawler.siteconfig import SiteConfigError
    from crawler.state import StateError

    try:
        site_config, site_file = read_start(args.start)
    except SiteConfigError as exc:
        return fail(str(exc).replace("\n", " "))
    if args.max_pages is not None and args.max_pages < 1:
        return fail("--max-pages must be at least 1")
    try:
        overrides = parse_overrides(args.set)
    except ValueError as exc:
        return fail(str(exc))
    if args.state:
        try:
            check_state_free(args.state, site_config.name)
        except StateError as exc:
            return fail(str(exc).replace("\n", " "), code=1)
    start_url = (site_config.start_urls + site_config.sitemaps + site_config.feeds)[0]
    plan = plan_run(start_url, args.out, args.max_pages, overrides, site_config=site_config,
                    site_file=site_file, state_dir=args.state)
    report = run_crawl(plan)
    print_summary(report, plan.run_dir)
    code = exit_code(report)
    if code:
        print(f"gleaner crawl: {site_config.name}: {exit_reason(report)}", file=sys.stderr)
    return code
