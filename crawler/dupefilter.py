"""Scrapy's DUPEFILTER_CLASS for gleaner: the run's seen set on disk, by URL key.

Scrapy's RFPDupeFilter keeps every request fingerprint in a RAM ``set`` (it grows
without bound on a big site, scrapy/scrapy#5307). Ours asks the crawler's SQLite
``SeenSet`` (pipelines.seen) instead, and by ``crawler.urls.url_key`` so that the
filter agrees with the spider's own link dedup:

* a page request made by the spider was already checked against the set
  (``meta[CHECKED_KEY]``): it passes;
* a redirect (``meta["redirect_urls"]``) is checked by its new URL, so a redirect to a
  page already fetched or queued is dropped, and a redirect back to a URL of its own
  chain is counted as the error ``redirect_loop``;
* anything else (sitemaps, feeds, non-GET requests) is checked by its key too.
"""
from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter

from crawler.urls import url_key
from pipelines.journal import journal_for
from pipelines.seen import seen_for

CHECKED_KEY = "gleaner_checked"  # request.meta flag: the spider already deduplicated it
URL_PREFIX = "u:"  # key prefix of URL keys in the seen set


def request_key(request: Request) -> str:
    """Seen-set key of a request: its URL key (GET/HEAD), else method + key + body size.

    >>> request_key(Request("http://www.example.com/news/index.html?utm_source=x"))
    'u:example.com/news'
    >>> request_key(Request("http://example.com/f", method="POST", body=b"a=1"))
    'u:POST example.com/f 3'
    """
    key = url_key(request.url)
    if request.method in ("GET", "HEAD"):
        return URL_PREFIX + key
    return f"{URL_PREFIX}{request.method} {key} {len(request.body)}"


def is_redirect_loop(request: Request) -> bool:
    """True when a redirected request goes back to a URL of its own redirect chain.

    >>> r = Request("http://h/a", meta={"redirect_urls": ["http://h/a", "http://h/b"]})
    >>> is_redirect_loop(r), is_redirect_loop(Request("http://h/a"))
    (True, False)
    """
    key = url_key(request.url)
    return any(url_key(u) == key for u in request.meta.get("redirect_urls", ()))


class SeenSetDupeFilter(BaseDupeFilter):
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeenSetDupeFilter:
        return cls(crawler)

    def request_seen(self, request: Request) -> bool:
        redirected = bool(request.meta.get("redirect_urls"))
        if request.meta.get(CHECKED_KEY) and not redirected:
            return False
        if redirected and is_redirect_loop(request):
            self.note_loop(request)
            return True
        return not seen_for(self.crawler).add(request_key(request))

    def note_loop(self, request: Request) -> None:
        first = request.meta["redirect_urls"][0]
        self.crawler.stats.inc_value("gleaner/errors/redirect_loop")
        journal_for(self.crawler).note_error(first, "redirect_loop",
                                             f"redirects back to {request.url}")
        state = getattr(self.crawler.spider, "state", None)
        if state is not None:
            state.record_page(first, outcome="error")

    def log(self, request: Request, spider: Any) -> None:
        self.crawler.stats.inc_value("dupefilter/filtered")
