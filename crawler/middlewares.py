"""Downloader middlewares: archive every response as WARC before anything judges it,
read robots.txt the RFC 9309 way (Crawl-delay included), and back off on 429/503 the
way the server asks (Retry-After)."""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.utils.sitemap import sitemap_urls_from_robots
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
        # One writer thread: records stay in arrival order, and gzip + digests (zlib and
        # hashlib release the GIL) run beside the reactor instead of on it.
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc")

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

    async def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:
            return response
        fetched_at = utc_now_iso()
        write = partial(
            self.archive.write_response, response.url, response.status,
            header_pairs(response.headers), response.body, fetched_at=fetched_at,
            protocol=response.protocol or "HTTP/1.1",
            request_headers=header_pairs(request.headers),
            ip_address=str(response.ip_address) if response.ip_address else None)
        raw_ref = await asyncio.get_running_loop().run_in_executor(self.writer, write)
        request.meta[RAW_REF_KEY] = raw_ref
        request.meta[FETCHED_AT_KEY] = fetched_at
        self.crawler.stats.inc_value("gleaner/archived_responses")
        return response

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.writer.shutdown(wait=True)  # every queued record is written before the close
        self.archive.close()


#: Signal sent once per host when its robots.txt is read: ``netloc``, ``base_url`` (the
#: robots.txt URL) and ``urls``, the sitemaps it names (none for a 4xx/5xx robots.txt).
robots_sitemaps = object()

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
        self._crawl_delays: dict[str, float] = {}  # netloc -> Crawl-delay (0: none)
        logging.getLogger(RobotsTxtMiddleware.__module__).setLevel(logging.CRITICAL)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._mark_unreachable(netloc, f"HTTP {response.status}")
        body = robots_body_for(response.status, response.body)
        # the spider takes its sitemaps from here: robots.txt is fetched once per host
        self.crawler.signals.send_catch_log(
            signal=robots_sitemaps, netloc=netloc, base_url=response.url,
            urls=sitemap_urls_from_robots(body, base_url=response.url))
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

    def _apply_crawl_delay(self, parser: Any, request: Request) -> None:
        """A Crawl-delay for our user agent becomes the lower bound of the host's download
        delay (capped by ``GLEANER_MAX_CRAWL_DELAY``); AutoThrottle leaves that host alone."""
        netloc = urlsplit(request.url).netloc
        delay = self._crawl_delays.get(netloc)
        if delay is None:
            delay = crawl_delay_of(parser, self._robotstxt_useragent or self._default_useragent,
                                   self.crawler.settings.getfloat("GLEANER_MAX_CRAWL_DELAY", 60))
            self._crawl_delays[netloc] = delay
            if delay:
                self.crawler.stats.max_value("gleaner/robots/crawl_delay", delay)
                logger.info("robots.txt of %s asks for Crawl-delay %.1f s", netloc, delay)
        if delay:
            request.meta["autothrottle_dont_adjust_delay"] = True
            raise_slot_delay(self.crawler, request, delay, exact=True)

    def _mark_unreachable(self, netloc: str, why: str) -> None:
        self._unreachable[netloc] = why
        self.crawler.stats.inc_value("gleaner/robots/unreachable")
        logger.warning("robots.txt of %s unreachable (%s): not crawling that host", netloc, why)

    def process_request_2(self, rp: Any, request: Request) -> None:
        why = self._unreachable.get(urlsplit(request.url).netloc)
        if why is not None:
            raise IgnoreRequest(f"robots.txt unreachable ({why})")
        super().process_request_2(rp, request)
        if rp is not None:
            self._apply_crawl_delay(rp, request)


def crawl_delay_of(parser: Any, user_agent: str, cap: float) -> float:
    """The Crawl-delay robots.txt sets for ``user_agent`` (0 when none), at most ``cap``.

    >>> from scrapy.robotstxt import ProtegoRobotParser
    >>> rp = ProtegoRobotParser(b"User-agent: *\\nCrawl-delay: 2\\n", None)
    >>> crawl_delay_of(rp, "gleaner", 60.0), crawl_delay_of(rp, "gleaner", 1.5)
    (2.0, 1.5)
    """
    try:
        delay = parser.crawl_delay(user_agent)  # RobotParser API since Scrapy 2.18
    except Exception:  # noqa: BLE001 - a parser that cannot tell: no delay
        delay = None
    return min(float(delay), cap) if delay else 0.0


def download_slot(crawler: Crawler, request: Request) -> tuple[str, Any]:
    """(key, Slot or None) of the downloader slot a request goes through."""
    try:
        downloader = getattr(crawler.engine, "downloader", None)
    except (AttributeError, RuntimeError):  # no engine yet (Scrapy 2.19 raises RuntimeError)
        downloader = None
    if downloader is None:
        return "", None
    key = downloader.get_slot_key(request)
    return key, downloader.slots.get(key)


def raise_slot_delay(crawler: Crawler, request: Request, delay: float,
                     exact: bool = False) -> float | None:
    """Make the download slot of ``request`` wait at least ``delay`` between requests;
    returns the delay it had when it was raised (None when unchanged). ``exact`` turns off
    the slot's ``DOWNLOAD_DELAY_JITTER`` (a +-50% spread would let a robots.txt Crawl-delay,
    which is a floor, shrink to half)."""
    _key, slot = download_slot(crawler, request)
    if slot is not None and exact:
        slot.jitter = 0.0
    if slot is not None and slot.delay < delay:
        before, slot.delay = slot.delay, delay
        return before
    return None


# --- 429 / 503: back off as the server asks ---------------------------------------------------

BACKOFF_STATUSES: tuple[int, ...] = (429, 503)
NOT_BEFORE_KEY = "gleaner_not_before"  # request.meta: monotonic time before which not to send


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait: delta-seconds or an HTTP-date
    (RFC 9110 10.2.3); None when absent or unreadable; never negative.

    >>> retry_after_seconds(b"1"), retry_after_seconds("  30 "), retry_after_seconds(b"soon")
    (1.0, 30.0, None)
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0)
    10.0
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0)
    0.0
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def backoff_seconds(retries: int, base: float, cap: float) -> float:
    """Exponential backoff without a Retry-After: base * 2**retries, at most cap.

    >>> [backoff_seconds(n, 1.0, 5.0) for n in range(4)]
    [1.0, 2.0, 4.0, 5.0]
    """
    return min(cap, base * (2 ** retries))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, except that a 429 or 503 is retried after the wait its
    ``Retry-After`` asks for (capped by ``GLEANER_RETRY_AFTER_MAX``), or after an
    exponential backoff (``GLEANER_RETRY_BACKOFF`` * 2^n) without one. The wait holds
    back the retried request (not the reactor) and raises the host's download delay
    until the host answers normally again, so the other requests to that host slow down
    too. Waits are counted as ``gleaner/retry_after/waits`` (and seconds) for run.json."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("GLEANER_RETRY_AFTER_MAX", 120.0)
        self.backoff = crawler.settings.getfloat("GLEANER_RETRY_BACKOFF", 1.0)
        self._raised: dict[str, float] = {}  # slot key -> its delay before a backoff

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        not_before = request.meta.get(NOT_BEFORE_KEY)
        if not_before is not None:
            remaining = not_before - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in BACKOFF_STATUSES or request.meta.get("dont_retry"):
            self.restore_delay(request)
            return super().process_response(request, response)
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None:
            wait = min(asked, self.max_wait)
            self.crawler.stats.inc_value("gleaner/retry_after/waits")
            if asked > self.max_wait:
                self.crawler.stats.inc_value("gleaner/retry_after/capped")
        else:
            wait = backoff_seconds(request.meta.get("retry_times", 0), self.backoff,
                                   self.max_wait)
            self.crawler.stats.inc_value("gleaner/retry_after/backoffs")
        retry = self._retry(request, f"HTTP {response.status}, wait {wait:.1f} s")
        if retry is None:
            return response
        self.crawler.stats.inc_value("gleaner/retry_after/seconds", round(wait, 3))
        retry.meta[NOT_BEFORE_KEY] = time.monotonic() + wait
        before = raise_slot_delay(self.crawler, request, wait)
        if before is not None:
            self._raised.setdefault(download_slot(self.crawler, request)[0], before)
        return retry

    def restore_delay(self, request: Request) -> None:
        """The host answered normally: give its slot back the delay it had."""
        if not self._raised:
            return
        key, slot = download_slot(self.crawler, request)
        if key in self._raised:
            before = self._raised.pop(key)
            if slot is not None:
                slot.delay = before
