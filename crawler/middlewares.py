"""Downloader middlewares: archive every response as WARC before anything judges it, and
read robots.txt the RFC 9309 way."""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.http.headers import Headers
from twisted.internet.defer import Deferred

from output.archive import WarcArchive, utc_now_iso

logger = logging.getLogger(__name__)

RAW_REF_KEY = "gleaner_raw_ref"
FETCHED_AT_KEY = "gleaner_fetched_at"


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Scrapy headers as (name, value) pairs, one per value, in arrival order."""
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


class WarcArchiveMiddleware:
    """Writes each response (status, headers, body as received) to ``<run dir>/raw``.

    The raw_ref and fetch time travel on ``request.meta`` to the spider, so the record
    of a page points at its WARC record (after redirects, the last response wins).
    """

    def __init__(self, crawler: Crawler, archive: WarcArchive) -> None:
        self.crawler = crawler
        self.archive = archive

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        run_dir = crawler.settings.get("GLEANER_RUN_DIR")
        if not run_dir:
            raise NotConfigured("GLEANER_RUN_DIR not set")
        archive = WarcArchive(f"{run_dir}/raw",
                              max_bytes=crawler.settings.getint("GLEANER_ARCHIVE_MAX_BYTES"))
        mw = cls(crawler, archive)
        from scrapy import signals
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:
            return response
        fetched_at = utc_now_iso()
        raw_ref = self.archive.write_response(
            response.url, response.status, header_pairs(response.headers), response.body,
            fetched_at=fetched_at, protocol=response.protocol or "HTTP/1.1",
            request_headers=header_pairs(request.headers),
            ip_address=str(response.ip_address) if response.ip_address else None)
        request.meta[RAW_REF_KEY] = raw_ref
        request.meta[FETCHED_AT_KEY] = fetched_at
        self.crawler.stats.inc_value("gleaner/archived_responses")
        return response

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.archive.close()


# robots.txt bodies standing in for what RFC 9309 says a status means (section 2.3.1).
ROBOTS_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
ROBOTS_ALLOW_ALL = b""


def robots_body_for(status: int, body: bytes) -> bytes:
    """The robots.txt to obey for a response: 5xx means 'unreachable' (disallow all for
    this run), 4xx means 'unavailable' (allow all), anything else is read as sent.

    >>> robots_body_for(503, b"<html>busy</html>") == ROBOTS_DISALLOW_ALL
    True
    >>> robots_body_for(404, b"<html>not found</html>")
    b''
    """
    if status >= 500:
        return ROBOTS_DISALLOW_ALL
    if status >= 400:
        return ROBOTS_ALLOW_ALL
    return body


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, except that a robots.txt answering 5xx, or failing
    to download, makes the host unreachable for the run (Scrapy would parse the error page
    or allow everything): its requests are ignored with "robots.txt unreachable (why)",
    counted as ``gleaner/robots/unreachable``, and logged in one line, not a traceback."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._unreachable: dict[str, str] = {}  # netloc -> why
        logging.getLogger(RobotsTxtMiddleware.__module__).setLevel(logging.CRITICAL)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._mark_unreachable(netloc, f"HTTP {response.status}")
        body = robots_body_for(response.status, response.body)
        await super()._parse_robots(response.replace(body=body), netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):
            super()._robots_error(exc, netloc)
            return
        self.crawler.stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._mark_unreachable(netloc, f"{type(exc).__name__}: {exc}")
        parser = self._parserimpl.from_crawler(self.crawler, ROBOTS_DISALLOW_ALL)
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)

    def _mark_unreachable(self, netloc: str, why: str) -> None:
        self._unreachable[netloc] = why
        self.crawler.stats.inc_value("gleaner/robots/unreachable")
        logger.warning("robots.txt of %s unreachable (%s): not crawling that host", netloc, why)

    def process_request_2(self, rp: Any, request: Request) -> None:
        why = self._unreachable.get(urlsplit(request.url).netloc)
        if why is not None:
            raise IgnoreRequest(f"robots.txt unreachable ({why})")
        super().process_request_2(rp, request)
