"""The ``articles`` spider: same-site discovery; every page response becomes a RawPage.

It never parses article content: it follows links (and the sitemap named in robots.txt,
or ``/sitemap.xml``), and hands each page response to the pipelines as a
:class:`cleaning.RawPage`; cleaning decides what is an article. Download failures are
counted by kind (``gleaner/errors/<kind>``) and the run goes on.

    scrapy crawl articles -a start=https://www.example.com/ -O articles.jsonl
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from cleaning.types import RawPage
from crawler.middlewares import FETCHED_AT_KEY, RAW_REF_KEY, header_pairs
from output.archive import raw_page_from_http, utc_now_iso
from pipelines.journal import journal_for

# Exception class name (anywhere in its MRO) -> error kind in run.json; first match wins.
ERROR_KINDS: tuple[tuple[str, str], ...] = (
    ("DownloadTimeoutError", "timeout"),
    ("TimeoutError", "timeout"),
    ("TCPTimedOutError", "timeout"),
    ("CannotResolveHostError", "dns"),
    ("DNSLookupError", "dns"),
    ("DownloadConnectionRefusedError", "connection_refused"),
    ("ConnectionRefusedError", "connection_refused"),
    ("ResponseDataLossError", "data_loss"),
    ("ResponseNeverReceived", "connection_lost"),
    ("ConnectionLost", "connection_lost"),
    ("ConnectError", "connection"),
    ("DownloadFailedError", "download_failed"),
    ("UnsupportedURLSchemeError", "unsupported_scheme"),
)
# IgnoreRequest messages -> kind (robots.txt, size caps, offsite).
IGNORE_KINDS: tuple[tuple[str, str], ...] = (
    ("robots.txt", "robots_disallowed"),
    ("maxsize", "too_large"),
    ("larger than download max size", "too_large"),
    ("offsite", "offsite"),
)
PAGE_MARKS = ("html", "xhtml")  # Content-Type substrings whose links are followed


def error_kind(exc: BaseException) -> str:
    """Short kind of a download failure, for run.json's ``errors``.

    >>> error_kind(TimeoutError())
    'timeout'
    >>> from scrapy.exceptions import IgnoreRequest
    >>> error_kind(IgnoreRequest("Forbidden by robots.txt"))
    'robots_disallowed'
    >>> error_kind(KeyError("x"))
    'key_error'
    """
    names = [cls.__name__ for cls in type(exc).__mro__]
    for name, kind in ERROR_KINDS:
        if name in names:
            return kind
    if "IgnoreRequest" in names:
        message = str(exc).lower()
        return next((kind for mark, kind in IGNORE_KINDS if mark in message), "ignored")
    return snake_case(type(exc).__name__)


def snake_case(name: str) -> str:
    """CamelCase -> snake_case.

    >>> snake_case("ResponseFailed")
    'response_failed'
    """
    return "".join(("_" + c.lower()) if c.isupper() and i else c.lower()
                   for i, c in enumerate(name))


def is_http_url(value: str) -> bool:
    """True for an absolute http(s) URL with a host.

    >>> is_http_url("https://example.com/a"), is_http_url("example.com"), is_http_url("ftp://x/")
    (True, False, False)
    """
    parts = urlsplit(value or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def same_site(url: str, host: str) -> bool:
    """True when url is on host or one of its subdomains.

    >>> same_site("http://www.a.com/x", "a.com"), same_site("http://b.com/", "a.com")
    (True, False)
    """
    other = (urlsplit(url).hostname or "").lower()
    return other == host or other.endswith("." + host)


def is_page_response(response: Response) -> bool:
    """True for HTML responses (the ones whose links are worth following)."""
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    return isinstance(response, TextResponse) and any(m in ctype for m in PAGE_MARKS)


class ArticlesSpider(scrapy.Spider):
    name = "articles"

    def __init__(self, start: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_http_url(start):
            raise ValueError(f"articles spider needs -a start=<http(s) URL>, got {start!r}")
        self.start_url = start
        self.site_host = (urlsplit(start).hostname or "").lower()
        self.allowed_domains = [self.site_host]
        # Same-site filtering is ours (same_site): LinkExtractor's allow_domains compares the
        # netloc, port included, so it rejects every link of a site served on a port.
        self.link_extractor = LinkExtractor()

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.start_url, callback=self.parse, errback=self.on_error)
        if self.settings.getbool("GLEANER_FOLLOW_SITEMAPS"):
            yield Request(urljoin(self.start_url, "/robots.txt"), callback=self.parse_robots,
                          errback=self.on_discovery_error, priority=10,
                          meta={"dont_obey_robotstxt": True})

    # discovery files: archived by the WARC tap, never handed to cleaning
    def parse_robots(self, response: Response) -> Iterator[Request]:
        urls = []
        if response.status == 200:
            urls = [u for u in sitemap_urls_from_robots(response.body, base_url=response.url)
                    if same_site(u, self.site_host)]
        for url in urls or [urljoin(response.url, "/sitemap.xml")]:
            yield self.sitemap_request(url)

    def sitemap_request(self, url: str) -> Request:
        return Request(url, callback=self.parse_sitemap, errback=self.on_discovery_error,
                       priority=5,
                       meta={"download_maxsize": self.settings.getint("GLEANER_SITEMAP_MAXSIZE")})

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            self.crawler.stats.inc_value(f"gleaner/sitemap/http_{response.status}")
            return
        body = response.body
        try:
            if gzip_magic_number(response):
                body = gunzip(body, max_size=self.settings.getint("GLEANER_SITEMAP_MAXSIZE"))
            sitemap = Sitemap(body)
            entries = list(sitemap)
        except Exception as exc:  # noqa: BLE001 - a broken sitemap is recorded, not fatal
            self.note_error(response.url, "invalid_sitemap", f"{type(exc).__name__}: {exc}")
            return
        self.crawler.stats.inc_value("gleaner/sitemap/urls", len(entries))
        for entry in entries:
            loc = entry.get("loc", "")
            if not same_site(loc, self.site_host):
                continue
            if sitemap.type == "sitemapindex":
                yield self.sitemap_request(loc)
            else:
                yield Request(loc, callback=self.parse, errback=self.on_error)

    def parse(self, response: Response) -> Iterator[RawPage | Request]:
        self.crawler.stats.inc_value("gleaner/pages")
        yield raw_page_from_http(response.url, response.status, header_pairs(response.headers),
                                 response.body,
                                 response.meta.get(FETCHED_AT_KEY) or utc_now_iso(),
                                 response.meta.get(RAW_REF_KEY))
        if response.status >= 400:
            self.note_error(response.url, f"http_{response.status}", "")
            return
        if is_page_response(response):
            for link in self.link_extractor.extract_links(response):
                if same_site(link.url, self.site_host):
                    yield Request(link.url, callback=self.parse, errback=self.on_error)

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else ""
        self.note_error(url, error_kind(failure.value), str(failure.value)[:300])

    def on_discovery_error(self, failure: Failure) -> None:
        self.crawler.stats.inc_value(f"gleaner/discovery_errors/{error_kind(failure.value)}")

    def note_error(self, url: str, kind: str, detail: str) -> None:
        self.crawler.stats.inc_value(f"gleaner/errors/{kind}")
        journal_for(self.crawler).note_error(url, kind, detail)
        self.logger.info("error %s: %s %s", kind, url, detail)
