"""Run report: ``run.json`` in the run folder, written atomically when the spider closes."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.health import HealthThresholds, RunSummary, evaluate_health
from output.archive import utc_now_iso
from output.writers import atomic_write
from pipelines.journal import journal_for

# Settings recorded in run.json (the ones that change what a run fetches or keeps).
# (name, Settings getter) so values overridden as strings are reported typed.
REPORTED_SETTINGS: tuple[tuple[str, str], ...] = (
    ("USER_AGENT", "get"), ("ROBOTSTXT_OBEY", "getbool"), ("AUTOTHROTTLE_ENABLED", "getbool"),
    ("AUTOTHROTTLE_TARGET_CONCURRENCY", "getfloat"), ("DOWNLOAD_DELAY", "getfloat"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "getint"), ("DOWNLOAD_TIMEOUT", "getfloat"),
    ("DOWNLOAD_MAXSIZE", "getint"), ("RETRY_TIMES", "getint"),
    ("CLOSESPIDER_PAGECOUNT", "getint"), ("GLEANER_CLEAN_WORKERS", "getint"),
)
RUN_FILE = "run.json"
# finish reasons of a run that completed (what it was asked to do)
COMPLETED_REASONS = ("finished", "closespider_pagecount", "closespider_itemcount",
                     "closespider_timeout")


def stats_by_prefix(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """Sub-counts under a stats prefix, sorted by key.

    >>> stats_by_prefix({"g/r/a": 2, "g/r/b": 1, "x": 3}, "g/r/")
    {'a': 2, 'b': 1}
    """
    return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def build_report(crawler: Crawler, spider: Spider, reason: str, started_at: str) -> dict[str, Any]:
    stats = crawler.stats.get_stats()
    journal = journal_for(crawler)
    run_dir = Path(crawler.settings["GLEANER_RUN_DIR"])
    exported = stats_by_prefix(stats, "gleaner/exported/")
    return {
        "run_id": journal.run_id,
        "start_url": getattr(spider, "start_url", None),
        "site": getattr(getattr(spider, "site_config", None), "name", None),
        "site_config": getattr(getattr(spider, "site_config", None), "source", None),
        "started_at": started_at,
        "finished_at": utc_now_iso(),
        "finish_reason": reason,
        "completed": reason in COMPLETED_REASONS,
        "settings": {name: getattr(crawler.settings, getter)(name)
                     for name, getter in REPORTED_SETTINGS},
        "counts": {
            "pages_fetched": stats.get("gleaner/pages", 0),
            "responses_archived": stats.get("gleaner/archived_responses", 0),
            "articles_exported": exported.get("articles.jsonl", 0),
            "duplicates": stats.get("gleaner/duplicates", 0),
            "articles_new": stats.get("gleaner/articles/new", 0),
            "articles_changed": stats.get("gleaner/articles/changed", 0),
            "articles_unchanged": stats.get("gleaner/articles/unchanged", 0),
            # articles known unchanged without a download: a 304, or a sitemap lastmod
            "not_modified": (stats.get("gleaner/not_modified", 0)
                             + stats.get("gleaner/not_modified_by_lastmod", 0)),
            "skipped_by_lastmod": stats.get("gleaner/skipped_by_lastmod", 0),
            "retry_after": stats.get("gleaner/retry_after/waits", 0),
            "retry_backoffs": stats.get("gleaner/retry_after/backoffs", 0),
            "retry_wait_seconds": round(stats.get("gleaner/retry_after/seconds", 0), 3),
            "discovered": stats_by_prefix(stats, "gleaner/discovered/"),
            "queued_on_disk": stats.get("scheduler/enqueued/disk", 0),
            "queued_in_memory": stats.get("scheduler/enqueued/memory", 0),
            "skipped": stats_by_prefix(stats, "gleaner/skipped/"),
            "rejected": stats_by_prefix(stats, "gleaner/rejected/"),
            "errors": stats_by_prefix(stats, "gleaner/errors/"),
            # sitemaps, feeds and robots.txt that could not be downloaded (not pages)
            "discovery_errors": stats_by_prefix(stats, "gleaner/discovery_errors/"),
            "http_status": stats_by_prefix(stats, "downloader/response_status_count/"),
        },
        "files": {
            **exported,
            "raw": sorted(f"raw/{p.name}" for p in (run_dir / "raw").glob("*.warc.gz")),
        },
        "errors": journal.errors,
        "rejected_pages": journal.rejected,
    }


def summary_from_stats(stats: dict[str, Any], run_id: str = "") -> RunSummary:
    """A run's summary from its Scrapy stats (a run without a crawl state), counted the
    way the state counts: a failed fetch or a bad discovery file is a page and an error,
    a 5xx response is an error, a 4xx is only a page; articles are the records exported.

    >>> s = summary_from_stats({"gleaner/pages": 8, "gleaner/errors/timeout": 1,
    ...     "gleaner/errors/http_500": 1, "gleaner/errors/http_404": 1,
    ...     "gleaner/exported/articles.jsonl": 4, "gleaner/text_chars": 2000})
    >>> s.pages, s.errors, s.articles, s.mean_text_length
    (9, 2, 4, 500.0)
    """
    errors = stats_by_prefix(stats, "gleaner/errors/")
    failed = sum(n for kind, n in errors.items() if not kind.startswith("http_"))
    server = sum(n for kind, n in errors.items() if kind.startswith("http_5"))
    articles = stats.get("gleaner/exported/articles.jsonl", 0)
    chars = stats.get("gleaner/text_chars", 0)
    return RunSummary(run_id=run_id, pages=stats.get("gleaner/pages", 0) + failed,
                      errors=failed + server, articles=articles, new=articles,
                      mean_text_length=round(chars / articles, 1) if articles else None)


def health_thresholds(crawler: Crawler, site_config: Any) -> HealthThresholds:
    """The site's thresholds; with cleaning off (``GLEANER_CLEAN_WORKERS=0``, no article
    can be found) only the error share is judged."""
    limits = getattr(site_config, "health", None) or HealthThresholds()
    if crawler.settings.getint("GLEANER_CLEAN_WORKERS", 1) < 1:
        limits = dataclasses.replace(limits, min_articles=None, max_text_drop=None)
    return limits


def stateless_health(crawler: Crawler, site_config: Any) -> dict[str, Any]:
    """Health of a run without a crawl state: the site's thresholds, no previous run."""
    summary = summary_from_stats(crawler.stats.get_stats(), journal_for(crawler).run_id)
    health = evaluate_health(summary, health_thresholds(crawler, site_config), None)
    return {"exit_code": health.exit_code, "reason": health.reason}


def finish_state(state: Any, site_config: Any, limits: HealthThresholds) -> dict[str, Any]:
    """End the state's run, judge its health against the previous healthy run, unlock."""
    try:
        summary = state.end_run()
        health = evaluate_health(summary, limits, state.previous_run())
        state.record_health(health)
        return {"exit_code": health.exit_code, "reason": health.reason}
    finally:
        state.close()


class RunReport:
    def __init__(self, crawler: Crawler, run_dir: Path) -> None:
        self.crawler = crawler
        self.run_dir = run_dir
        self.started_at = utc_now_iso()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReport:
        run_dir = crawler.settings.get("GLEANER_RUN_DIR")
        if not run_dir:
            raise NotConfigured("GLEANER_RUN_DIR not set")
        ext = cls(crawler, Path(run_dir))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started_at = utc_now_iso()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        report = build_report(self.crawler, spider, reason, self.started_at)
        state = getattr(spider, "state", None)
        if state is not None:
            report["health"] = finish_state(state, spider.site_config,
                                            health_thresholds(self.crawler, spider.site_config))
            report["state"] = str(state.db_path)
        else:
            report["health"] = stateless_health(self.crawler, getattr(spider, "site_config", None))
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with atomic_write(self.run_dir / RUN_FILE) as fh:
            json.dump(report, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
