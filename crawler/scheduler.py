"""Scrapy's scheduler with its pending requests on disk, not in RAM.

Without ``JOBDIR``, Scrapy keeps every pending request in memory queues: on a big
site the frontier grows with the site. ``DiskQueueScheduler`` gives the stock
scheduler a throwaway job folder (``GLEANER_SEEN_DIR`` or the temp folder) so its
disk queues (``SCHEDULER_DISK_QUEUE``, pickled requests in files) are used, and
deletes it when the crawl closes. Only the queues use it: the seen set is ours
(crawler.dupefilter) and Scrapy's SpiderState extension is off (settings.py), so
nothing else of Scrapy's job machinery runs. Crash safety does not rest on it: a
killed run is redone from the crawl state, not resumed from these queues. With
``JOBDIR`` set, or ``GLEANER_DISK_QUEUE = False``, it is the stock scheduler.
"""
from __future__ import annotations

import os
import shutil
import tempfile

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter
from scrapy.utils.job import job_dir
from scrapy.utils.misc import build_from_crawler, load_object

from pipelines.seen import scratch_prefix, sweep_stale

QUEUE_PREFIX = "gleaner-queue-"


class DiskQueueScheduler(Scheduler):
    def __init__(self, *args, scratch: str | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.scratch = scratch  # the temp job folder this scheduler owns (deleted at close)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskQueueScheduler:
        settings = crawler.settings
        jobdir, scratch = job_dir(settings), None
        if not jobdir and settings.getbool("GLEANER_DISK_QUEUE", True):
            folder = settings.get("GLEANER_SEEN_DIR") or tempfile.gettempdir()
            os.makedirs(folder, exist_ok=True)
            sweep_stale(folder, QUEUE_PREFIX)  # left by killed runs
            scratch = jobdir = tempfile.mkdtemp(prefix=scratch_prefix(QUEUE_PREFIX), dir=folder)
        dupefilter: BaseDupeFilter = build_from_crawler(
            load_object(settings["DUPEFILTER_CLASS"]), crawler)
        return cls(dupefilter=dupefilter, jobdir=jobdir,
                   dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
                   mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
                   logunser=settings.getbool("SCHEDULER_DEBUG"), stats=crawler.stats,
                   pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
                   crawler=crawler, scratch=scratch)

    def close(self, reason: str):  # noqa: ANN201 - Scrapy's signature (Deferred | None)
        try:
            return super().close(reason)
        finally:
            if self.scratch:
                shutil.rmtree(self.scratch, ignore_errors=True)
