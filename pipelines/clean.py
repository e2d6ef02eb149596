"""Clean every RawPage in a process pool (never on the reactor thread).

``await loop.run_in_executor(pool, clean_page, raw, config)`` from ``async def
process_item``; a Rejected page becomes DropItem plus the stat
``gleaner/rejected/<reason>``; an article comes back as its record dict with
``crawl_run_id`` set. ``GLEANER_CLEAN_WORKERS`` (default 1) sets the pool size.
The site config's cleaning additions (``spider.site_config``) extend the default rules;
with a crawl state (``spider.state``), rejected pages are recorded there.
"""
from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from cleaning import DEFAULT_CONFIG, CleaningConfig, RawPage, Rejected, clean_page
from output.schema import ArticleRecord
from pipelines.journal import journal_for
from pipelines.worker import init_clean_worker

MAX_TASKS_PER_CHILD = 500  # recycle workers now and then (lxml/ftfy memory growth)


def new_clean_pool(workers: int) -> ProcessPoolExecutor:
    """A forkserver pool whose workers import cleaning once, up front, and exit when this
    process dies (see pipelines.worker)."""
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("forkserver"),
                               initializer=init_clean_worker, initargs=(os.getpid(),),
                               max_tasks_per_child=MAX_TASKS_PER_CHILD)


class CleanPipeline:
    def __init__(self, crawler: Crawler, workers: int, run_id: str,
                 config: CleaningConfig = DEFAULT_CONFIG) -> None:
        self.crawler = crawler
        self.workers = workers
        self.run_id = run_id
        self.config = config
        self.pool: ProcessPoolExecutor | None = None
        self.slots = asyncio.Semaphore(2 * workers)  # keep the executor queue short

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        workers = crawler.settings.getint("GLEANER_CLEAN_WORKERS", 1)
        if workers < 1:
            raise NotConfigured("GLEANER_CLEAN_WORKERS < 1: cleaning off")
        return cls(crawler, workers, journal_for(crawler).run_id)

    def open_spider(self) -> None:
        site_config = getattr(self.crawler.spider, "site_config", None)
        if site_config is not None:
            self.config = site_config.cleaning_config(self.config)
        self.pool = new_clean_pool(self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPage):
            return item
        async with self.slots:
            result = await self.clean(item)
        journal = journal_for(self.crawler)
        state = getattr(self.crawler.spider, "state", None)
        if isinstance(result, Rejected):
            self.crawler.stats.inc_value(f"gleaner/rejected/{result.reason}")
            journal.note_rejected(item.url, result.reason, result.detail)
            if state is not None:
                state.record_page(item.url, http_status=item.status, fetched_at=item.fetched_at,
                                  outcome="error" if item.status >= 500 else "rejected")
            raise DropItem(f"not an article ({result.reason}): {item.url}", log_level="INFO")
        if state is not None:
            journal.validators[item.url] = (item.header("ETag"), item.header("Last-Modified"))
        record: ArticleRecord = dataclasses.replace(result, crawl_run_id=self.run_id)
        return record.to_dict()

    async def clean(self, raw: RawPage) -> ArticleRecord | Rejected:
        loop = asyncio.get_running_loop()
        for _attempt in range(2):
            try:
                return await loop.run_in_executor(self.pool, clean_page, raw, self.config)
            except BrokenProcessPool:  # a worker died (OOM-kill, segfault): new pool, retry once
                self.crawler.stats.inc_value("gleaner/clean_pool_restarts")
                if self.pool is not None:
                    self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = new_clean_pool(self.workers)
        return Rejected("cleaning_crashed", "cleaning worker died twice on this page", url=raw.url)


def shutdown_clean_pools(crawler: Crawler) -> None:
    """Stop the cleaning workers now. Scrapy closes pipelines in reverse order, so the
    export pipeline would otherwise run while idle workers still hold their memory."""
    for component in crawler.engine.scraper.itemproc.middlewares:
        if isinstance(component, CleanPipeline):
            component.close_spider()
