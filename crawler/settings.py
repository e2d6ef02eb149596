"""Scrapy settings for gleaner (``scrapy crawl articles`` and ``gleaner crawl`` both use them).

gleaner's own settings start with ``GLEANER_``. The run folder components (WARC
archive, spool/export, run.json) are off unless ``GLEANER_RUN_DIR`` is set, which
``gleaner crawl`` does; a plain ``scrapy crawl articles -a start=URL -O x.jsonl`` still
cleans every page and yields the article records to the feed.
"""
import os

BOT_NAME = "gleaner"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "gleaner/0.1 (+https://github.com/gleaner-project/gleaner)"
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts the delay to the server's latency.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # news HTML is far smaller; sitemaps get their own cap
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_TIMES = 2
# 429 and 503 are retried after the wait the server's Retry-After asks for (capped), or an
# exponential backoff without one (crawler.middlewares.RetryAfterMiddleware).
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Every status reaches the spider so 4xx/5xx pages are recorded (cleaning rejects them).
HTTPERROR_ALLOW_ALL = True
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"  # a rejected page is normal, not a warning

DOWNLOADER_MIDDLEWARES = {
    # robots.txt per RFC 9309: a 5xx or unreachable robots.txt disallows the host
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.StrictRobotsTxtMiddleware": 100,
    # Between HttpCache (900) and DownloaderStats (850): sees redirects, errors and the
    # still-compressed body before Redirect (600) and HttpCompression (590) touch them.
    "crawler.middlewares.WarcArchiveMiddleware": 880,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
}
# The run's seen set lives in a SQLite file, not in RAM (Scrapy's RFPDupeFilter keeps a
# set of every fingerprint); the spider deduplicates links by URL key in the same set.
DUPEFILTER_CLASS = "crawler.dupefilter.SeenSetDupeFilter"
# Pending requests wait in disk queues of a throwaway folder, not in RAM.
SCHEDULER = "crawler.scheduler.DiskQueueScheduler"
ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 300,
    "pipelines.store.SpoolExportPipeline": 800,
}
EXTENSIONS = {
    "crawler.extensions.RunReport": 500,
    # with a JOBDIR it would replace spider.state (our CrawlState) by a pickled dict
    "scrapy.extensions.spiderstate.SpiderState": None,
}

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# gleaner
GLEANER_RUN_DIR = None  # run folder; None = no archive / spool / run.json (plain scrapy crawl)
GLEANER_RUN_ID = None  # generated when absent
GLEANER_CLEAN_WORKERS = int(os.environ.get("GLEANER_CLEAN_WORKERS", "1"))
GLEANER_ARCHIVE_MAX_BYTES = 1 << 30  # rotate WARC files at this size
GLEANER_SITEMAP_MAXSIZE = 64 * 1024 * 1024  # sitemap protocol cap is 50 MB uncompressed
GLEANER_FOLLOW_SITEMAPS = True
GLEANER_SEEN_DIR = None  # folder of the run's seen set and queues (None: the system temp folder)
GLEANER_DISK_QUEUE = True  # pending requests in disk queues (crawler.scheduler)
GLEANER_RETRY_AFTER_MAX = 120.0  # seconds: longest Retry-After wait honoured
GLEANER_RETRY_BACKOFF = 1.0  # seconds: first backoff on a 429/503 without Retry-After
GLEANER_MAX_CRAWL_DELAY = 60.0  # seconds: longest robots.txt Crawl-delay honoured
