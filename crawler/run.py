"""One crawl run, in this process: settings, run folder, Scrapy, summary, exit code.

A Twisted reactor cannot be restarted, so a process runs one crawl (``gleaner crawl``
and ``gleaner demo`` both end after it).
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from scrapy.settings import Settings

from crawler.siteconfig import SiteConfig
from pipelines.journal import new_run_id

RUN_FILE = "run.json"


@dataclass(frozen=True)
class RunPlan:
    start_url: str
    run_id: str
    run_dir: Path
    settings: Settings
    site_file: str | None = None  # a site config file (else start_url is the whole config)


def default_run_dir(start_url: str, run_id: str, root: str = "out") -> Path:
    """``out/<host>/<run id>`` (port kept as ``host_port`` so local servers do not mix).

    >>> default_run_dir("https://www.example.com/news/", "R").as_posix()
    'out/www.example.com/R'
    >>> default_run_dir("http://127.0.0.1:8000/", "R").as_posix()
    'out/127.0.0.1_8000/R'
    """
    parts = urlsplit(start_url)
    host = (parts.hostname or "site") + (f"_{parts.port}" if parts.port else "")
    return Path(root) / host / run_id


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` strings (``--set``) as a dict; a malformed one raises ValueError.

    >>> parse_overrides(["DOWNLOAD_TIMEOUT=2", "LOG_LEVEL=INFO"])
    {'DOWNLOAD_TIMEOUT': '2', 'LOG_LEVEL': 'INFO'}
    """
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set expects NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def plan_run(start_url: str, out_dir: str | None, max_pages: int | None,
             overrides: dict[str, str], run_id: str | None = None,
             site_config: SiteConfig | None = None, site_file: str | None = None,
             state_dir: str | None = None) -> RunPlan:
    """Settings and run folder of one run: project settings < site config < CLI options.

    Default run folder: ``out/<site name>/<run id>`` for a site file, else
    ``out/<host>/<run id>``.
    """
    run_id = run_id or new_run_id()
    if out_dir:
        run_dir = Path(out_dir)
    elif site_file and site_config is not None:
        run_dir = Path("out") / site_config.name / run_id
    else:
        run_dir = default_run_dir(start_url, run_id)
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if site_config is not None:
        for name, value in site_config.scrapy_settings(settings.get("USER_AGENT")).items():
            settings.set(name, value, priority="cmdline")
    if state_dir:
        settings.set("GLEANER_STATE_DIR", str(state_dir), priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    settings.set("GLEANER_RUN_ID", run_id, priority="cmdline")
    settings.set("GLEANER_RUN_DIR", str(run_dir), priority="cmdline")
    if max_pages:
        settings.set("CLOSESPIDER_PAGECOUNT", max_pages, priority="cmdline")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return RunPlan(start_url, run_id, run_dir, settings, site_file)


def run_crawl(plan: RunPlan) -> dict[str, Any]:
    """Crawl in this process and return the run report (run.json)."""
    from scrapy.crawler import AsyncCrawlerProcess

    from crawler.spiders.articles import ArticlesSpider

    plan.run_dir.mkdir(parents=True, exist_ok=True)
    process = AsyncCrawlerProcess(plan.settings)
    if plan.site_file:
        process.crawl(ArticlesSpider, site=plan.site_file)
    else:
        process.crawl(ArticlesSpider, start=plan.start_url)
    process.start()
    report_path = plan.run_dir / RUN_FILE
    if not report_path.exists():
        return {"run_id": plan.run_id, "completed": False, "finish_reason": "no run report",
                "counts": {}}
    return json.loads(report_path.read_text(encoding="utf-8"))


def exit_code(report: dict[str, Any]) -> int:
    """0 for a run that completed, fetched pages and was judged healthy (the site's
    health thresholds; with a crawl state also against the previous run), else 1.

    >>> exit_code({"completed": True, "counts": {"pages_fetched": 3}})
    0
    >>> exit_code({"completed": True, "counts": {"pages_fetched": 0}})
    1
    >>> exit_code({"completed": True, "counts": {"pages_fetched": 3}, "health": {"exit_code": 1}})
    1
    """
    if not (report.get("completed") and report.get("counts", {}).get("pages_fetched")):
        return 1
    return int(report.get("health", {}).get("exit_code", 0))


def exit_reason(report: dict[str, Any]) -> str:
    """Why a run exits as it does, in one line (for the scheduler's mail or journal).

    >>> exit_reason({"completed": False, "finish_reason": "shutdown", "counts": {}})
    'run did not complete (shutdown)'
    >>> exit_reason({"completed": True, "counts": {"pages_fetched": 0}})
    'no page fetched'
    >>> exit_reason({"completed": True, "counts": {"pages_fetched": 3},
    ...              "health": {"exit_code": 1, "reason": "unhealthy: too few articles"}})
    'unhealthy: too few articles'
    """
    if not report.get("completed"):
        return f"run did not complete ({report.get('finish_reason')})"
    if not report.get("counts", {}).get("pages_fetched"):
        return "no page fetched"
    return str(report.get("health", {}).get("reason") or "healthy")


def format_counts(counts: dict[str, int]) -> str:
    """``a 2, b 1`` (or ``none``).

    >>> format_counts({"listing": 3, "too_short": 1}), format_counts({})
    ('listing 3, too_short 1', 'none')
    """
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def print_summary(report: dict[str, Any], run_dir: Path, out: TextIO = sys.stdout) -> None:
    counts = report.get("counts", {})
    print(f"run {report.get('run_id')} {report.get('finish_reason')}: "
          f"{counts.get('pages_fetched', 0)} pages fetched, "
          f"{counts.get('articles_exported', 0)} articles exported", file=out)
    if "state" in report:
        print(f"  state:    {counts.get('articles_new', 0)} new, "
              f"{counts.get('articles_changed', 0)} changed, "
              f"{counts.get('articles_unchanged', 0)} unchanged, "
              f"{counts.get('not_modified', 0)} not modified (304 or sitemap lastmod; "
              f"{counts.get('skipped_by_lastmod', 0)} sitemap entries skipped)", file=out)
    if "health" in report:
        print(f"  health:   {report['health'].get('reason')}", file=out)
    print(f"  rejected: {format_counts(counts.get('rejected', {}))}", file=out)
    print(f"  errors:   {format_counts(counts.get('errors', {}))}", file=out)
    print(f"  files:    {run_dir}/ (articles.jsonl, articles.csv, articles.parquet, run.json, "
          f"raw/*.warc.gz)", file=out)
