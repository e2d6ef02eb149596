"""The ``articles`` spider: same-site discovery; every page response becomes a RawPage.

It never parses article content: it follows links (and the sitemaps of the site config,
the ones named in robots.txt, read once by the robots.txt middleware, or
``/sitemap.xml``), and hands each page response to the
pipelines as a :class:`cleaning.RawPage`; cleaning decides what is an article. Download
failures are counted by kind (``gleaner/errors/<kind>``) and the run goes on.

The crawl is described by a :class:`crawler.siteconfig.SiteConfig`: a site file
(``-a site=sites/x.yaml``) or a bare start URL (``-a start=URL``). With
``GLEANER_STATE_DIR`` set, the site's :class:`crawler.state.CrawlState` is opened and
locked here: known article URLs are fetched with conditional GETs and a 304 is recorded
as not modified.

    scrapy crawl articles -a start=https://www.example.com/ -O articles.jsonl
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from cleaning.types import RawPage
from crawler.dupefilter import CHECKED_KEY, URL_PREFIX
from crawler.middlewares import FETCHED_AT_KEY, RAW_REF_KEY, header_pairs, robots_sitemaps
from crawler.siteconfig import SiteConfig, load_site_config, site_config_from_url
from crawler.sitemaps import read_sitemap, unchanged_since
from crawler.state import CrawlState
from crawler.urls import canonical_url, is_same_site, key_of_canonical, trap_reason, url_key
from output.archive import raw_page_from_http, utc_now_iso
from pipelines.journal import journal_for
from pipelines.seen import seen_for

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
    ("robots.txt unreachable", "robots_unreachable"),
    ("robots.txt", "robots_disallowed"),
    ("maxsize", "too_large"),
    ("larger than download max size", "too_large"),
    ("offsite", "offsite"),
)
PAGE_MARKS = ("html", "xhtml")  # Content-Type substrings whose links are followed
# Links a page makes to its feeds (RSS/Atom autodiscovery) and to its neighbours in a
# series (rel=next/prev); LinkExtractor only reads <a>/<area>.
FEED_DISCOVERY_XPATH = ("//link[contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')]"
                        "[contains(@type, 'rss+xml') or contains(@type, 'atom+xml')]/@href")
# (<a rel=next> is an ordinary link too; only <link rel=next> needs its own look-up.)
PREV_NEXT_XPATH = "//link[@rel][@href]"
PREV_NEXT_RELS: tuple[str, ...] = ("next", "prev", "previous")
# Where a feed names its entries' pages: RSS 2.0 / 1.0 <item><link>, Atom <entry><link href>.
FEED_LINK_XPATHS: tuple[str, ...] = (
    "//*[local-name()='item']/*[local-name()='link']/text()",
    "//*[local-name()='entry']/*[local-name()='link'][not(@rel) or @rel='alternate']/@href",
)


# Links a page offers: <a>/<area> hrefs. Read with one XPath rather than LinkExtractor,
# whose filtering (extensions, schemes, same-site) page_request repeats anyway: 2.6 ms
# instead of 9.5 ms per page on wcxb pages, which is reactor time.
LINK_XPATH = "//a/@href | //area/@href"
NOT_PAGE_SCHEMES = ("#", "javascript:", "mailto:", "tel:", "data:", "sms:", "callto:")


def page_links(response: TextResponse) -> list[str]:
    """Absolute URLs of a page's links, each once, in document order."""
    hrefs = dict.fromkeys(h.strip() for h in response.xpath(LINK_XPATH).getall())
    return [response.urljoin(h) for h in hrefs
            if h and not h.lower().startswith(NOT_PAGE_SCHEMES)]


@lru_cache(maxsize=8192)  # menus repeat the same links on every page; ~2 MB at most
def canonical_and_key(url: str) -> tuple[str, str]:
    """canonical_url and its dedup key, cached.

    >>> canonical_and_key("http://www.h.com/a/index.html?utm_source=x#top")[0]
    'http://www.h.com/a/index.html'
    """
    canon = canonical_url(url)
    return canon, key_of_canonical(canon)


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


def feed_links(body: bytes, base_url: str) -> list[str]:
    """Absolute entry links of an RSS or Atom feed ([] when it is not XML).

    >>> feed_links(b"<rss><channel><item><link>/a.html</link></item></channel></rss>", "http://h/f")
    ['http://h/a.html']
    >>> feed_links(b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="b"/></entry></feed>',
    ...            "http://h/x/")
    ['http://h/x/b']
    >>> feed_links(b"not xml", "http://h/")
    []
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    return [urljoin(base_url, str(link).strip()) for xpath in FEED_LINK_XPATHS
            for link in root.xpath(xpath) if str(link).strip()]


def is_page_response(response: Response) -> bool:
    """True for HTML responses (the ones whose links are worth following)."""
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    return isinstance(response, TextResponse) and any(m in ctype for m in PAGE_MARKS)


class ArticlesSpider(scrapy.Spider):
    name = "articles"

    def __init__(self, start: str = "", site: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if site:
            self.site_config: SiteConfig = load_site_config(site)  # SiteConfigError when bad
        elif is_http_url(start):
            self.site_config = site_config_from_url(start)
        else:
            raise ValueError(f"articles spider needs -a start=<http(s) URL> or -a site=<file>, "
                             f"got {start!r}")
        config = self.site_config
        self.start_url = start or (config.start_urls + config.sitemaps + config.feeds)[0]
        self.allowed_domains = sorted({h.split(":")[0] for h in self.site_config.allowed_hosts})
        # Same-site filtering is ours (SiteConfig.allows): LinkExtractor's allow_domains
        # compares the netloc, port included, so it rejects every link of a site on a port.
        self.state: CrawlState | None = None
        self.lastmod_since: str | None = None  # start of the last healthy run (--state)
        self.robots_hosts_done: set[str] = set()  # hosts whose robots.txt sitemaps are queued

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ArticlesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Limits and politeness of the site config also under a plain `scrapy crawl
        # articles -a site=...` (and scrapyd); `gleaner crawl` sets them higher (cmdline).
        user_agent = crawler.settings.get("USER_AGENT")
        for name, value in spider.site_config.scrapy_settings(user_agent).items():
            crawler.settings.set(name, value, priority="spider")
        crawler.signals.connect(spider.on_robots_sitemaps, signal=robots_sitemaps)
        state_dir = crawler.settings.get("GLEANER_STATE_DIR")
        if state_dir:
            spider.state = open_state(state_dir, spider.site_config.name,
                                      journal_for(crawler).run_id)
            previous = spider.state.previous_run()
            spider.lastmod_since = previous.started_at if previous is not None else None
        return spider

    def first_sight(self, url: str) -> bool:
        """True the first time this run meets a URL (by URL key; the seen set is on disk)."""
        return seen_for(self.crawler).add(URL_PREFIX + url_key(url))

    async def start(self) -> AsyncIterator[Request]:
        for url in self.site_config.start_urls:
            request = self.page_request(url, start=True, source="start")
            if request is not None:
                yield request
        for url in self.site_config.sitemaps:
            yield self.sitemap_request(url)
        for url in self.site_config.feeds:
            if (request := self.feed_request(url)) is not None:
                yield request
        if self.follows_robots_sitemaps() and not self.settings.getbool("ROBOTSTXT_OBEY"):
            # robots.txt is not read for obeying it: fetch it for its sitemaps
            yield Request(urljoin(self.start_url, "/robots.txt"), callback=self.parse_robots,
                          errback=self.on_discovery_error, priority=10,
                          meta={"dont_obey_robotstxt": True})

    def follows_robots_sitemaps(self) -> bool:
        return self.settings.getbool("GLEANER_FOLLOW_SITEMAPS") and bool(self.site_config.start_urls)

    def on_robots_sitemaps(self, netloc: str, base_url: str, urls: list[str]) -> None:
        """robots.txt of a start URL's host was read (StrictRobotsTxtMiddleware): request
        the sitemaps it names (same site), or ``/sitemap.xml``."""
        if not self.follows_robots_sitemaps() or netloc in self.robots_hosts_done:
            return
        if netloc not in {urlsplit(u).netloc for u in self.site_config.start_urls}:
            return
        self.robots_hosts_done.add(netloc)
        for request in self.robots_sitemap_requests(base_url, urls):
            self.crawler.engine.crawl(request)

    def page_request(self, url: str, start: bool = False, listed: bool = False,
                     source: str = "link") -> Request | None:
        """A request for a page, or None when it is seen, off-site, denied or a trap
        (a start URL is only checked for being seen). ``listed``: named by a sitemap or
        feed, so it starts at depth 0 (DEPTH_LIMIT counts link hops, not discovery files).

        Known article URLs carry their stored validators (conditional GET). ``source``
        (start, sitemap, feed, link, prev_next) is counted for run.json."""
        canon, key = canonical_and_key(url)
        seen = seen_for(self.crawler)
        if URL_PREFIX + key in seen:  # the common case for links: checked first, cheaply
            return None
        if not start and not self.site_config.allows(url):
            return None
        trap = None if start else trap_reason(url)
        if trap is not None:
            self.crawler.stats.inc_value(f"gleaner/skipped/{trap}")
            return None
        seen.add(URL_PREFIX + key)
        self.crawler.stats.inc_value(f"gleaner/discovered/{source}")
        headers = {}
        validators = self.state.validators(key) if self.state is not None else None
        if validators is not None:
            etag, last_modified = validators
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        if not start:
            url = canon  # tracking parameters and fragments off the wire
        meta: dict[str, Any] = {CHECKED_KEY: True}
        if listed:
            meta["depth_reset"] = True
        return Request(url, callback=self.parse, errback=self.on_error, headers=headers,
                       meta=meta)

    # discovery files: archived by the WARC tap, never handed to cleaning
    def parse_robots(self, response: Response) -> Iterator[Request]:
        urls = []
        if response.status == 200:
            urls = sitemap_urls_from_robots(response.body, base_url=response.url)
        yield from self.robots_sitemap_requests(response.url, list(urls))

    def robots_sitemap_requests(self, base_url: str, urls: list[str]) -> Iterator[Request]:
        """Requests for the same-site sitemaps robots.txt names (else ``/sitemap.xml``)
        that the site config does not list already."""
        same_site = [u for u in urls if is_same_site(u, self.site_config.allowed_hosts)]
        for url in same_site or [urljoin(base_url, "/sitemap.xml")]:
            if url not in self.site_config.sitemaps:
                yield self.sitemap_request(url)

    def feed_request(self, url: str) -> Request | None:
        """A request for an RSS/Atom feed (None when this run already has it)."""
        if not self.first_sight(url):
            return None
        return Request(url, callback=self.parse_feed, errback=self.on_discovery_error,
                       priority=5, meta={CHECKED_KEY: True, "depth_reset": True})

    def sitemap_request(self, url: str) -> Request:
        return Request(url, callback=self.parse_sitemap, errback=self.on_discovery_error,
                       priority=5,
                       meta={"download_maxsize": self.settings.getint("GLEANER_SITEMAP_MAXSIZE"),
                             "depth_reset": True})

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            self.crawler.stats.inc_value(f"gleaner/sitemap/http_{response.status}")
            return
        body = response.body
        try:
            if gzip_magic_number(response):
                body = gunzip(body, max_size=self.settings.getint("GLEANER_SITEMAP_MAXSIZE"))
            kind, entries = read_sitemap(body)
        except Exception as exc:  # noqa: BLE001 - a broken sitemap is recorded, not fatal
            self.note_error(response.url, "invalid_sitemap", f"{type(exc).__name__}: {exc}"[:300])
            return
        if kind not in ("urlset", "sitemapindex"):
            self.note_error(response.url, "invalid_sitemap", f"root element <{kind}>")
            return
        count = 0
        for entry in entries:
            count += 1
            self.crawler.stats.inc_value("gleaner/sitemap/urls")
            if kind == "sitemapindex":
                if is_same_site(entry.loc, self.site_config.allowed_hosts):
                    yield self.sitemap_request(entry.loc)
            elif not self.skip_by_lastmod(entry.loc, entry.lastmod):
                if (request := self.page_request(entry.loc, listed=True,
                                                 source="sitemap")) is not None:
                    yield request
        if not count:
            self.note_error(response.url, "empty_sitemap", f"<{kind}> without a usable <loc>")

    def skip_by_lastmod(self, url: str, lastmod: str | None) -> bool:
        """True for a sitemap entry not to fetch: a URL the state already has whose
        lastmod is not newer than the start of the last healthy run, nor than the URL's
        own last fetch (a change that run did not fetch is still fetched). It is then marked
        seen for this run (links to it are not followed either); a known article counts
        as not modified (``gleaner/not_modified_by_lastmod``). A URL never fetched, or
        already met in this run, is never skipped here."""
        if self.state is None or not unchanged_since(lastmod, self.lastmod_since):
            return False
        key = URL_PREFIX + url_key(url)
        seen = seen_for(self.crawler)
        if key in seen or not self.site_config.allows(url):
            return False  # handled already, or refused by page_request anyway
        what = self.state.skip_unchanged(url_key(url), lastmod)
        if what is None:
            return False
        seen.add(key)
        self.crawler.stats.inc_value("gleaner/skipped_by_lastmod")
        if what == "article":
            self.crawler.stats.inc_value("gleaner/not_modified_by_lastmod")
        return True

    def parse_feed(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            self.crawler.stats.inc_value(f"gleaner/feed/http_{response.status}")
            return
        links = feed_links(response.body, response.url)
        if not links:
            self.note_error(response.url, "invalid_feed", "no entry links")
        self.crawler.stats.inc_value("gleaner/feed/urls", len(links))
        for url in links:
            if (request := self.page_request(url, listed=True, source="feed")) is not None:
                yield request

    def parse(self, response: Response) -> Iterator[RawPage | Request]:
        self.crawler.stats.inc_value("gleaner/pages")
        fetched_at = response.meta.get(FETCHED_AT_KEY) or utc_now_iso()
        if response.status == 304:
            self.crawler.stats.inc_value("gleaner/not_modified")
            if self.state is not None:
                self.state.mark_not_modified(url_key(response.url), fetched_at)
            return
        if self.site_config.is_article_url(response.url) is False:
            self.crawler.stats.inc_value("gleaner/rejected/not_article_url")
            journal_for(self.crawler).note_rejected(response.url, "not_article_url")
            if self.state is not None:
                self.state.record_page(response.url, outcome="page",
                                       http_status=response.status, fetched_at=fetched_at)
        else:
            yield raw_page_from_http(response.url, response.status,
                                     header_pairs(response.headers), response.body, fetched_at,
                                     response.meta.get(RAW_REF_KEY))
        if response.status >= 400:
            self.note_error(response.url, f"http_{response.status}", "", count_in_state=False)
            return
        if is_page_response(response):
            yield from self.follow_links(response)
            # The response lives on until its RawPage is cleaned; its parsed tree (many times
            # the body's size, and not counted by SCRAPER_SLOT_MAX_ACTIVE_SIZE) need not.
            response._cached_selector = None

    def follow_links(self, response: TextResponse) -> Iterator[Request]:
        """Same-site links, rel=next/prev neighbours and the feeds a page announces."""
        for link in response.xpath(PREV_NEXT_XPATH):
            rels = (link.attrib.get("rel") or "").lower().split()
            if any(rel in PREV_NEXT_RELS for rel in rels):
                url = response.urljoin(link.attrib["href"].strip())
                if (request := self.page_request(url, source="prev_next")) is not None:
                    yield request
        for url in page_links(response):
            if (request := self.page_request(url)) is not None:
                yield request
        for href in response.xpath(FEED_DISCOVERY_XPATH).getall():
            url = response.urljoin(href.strip())
            if self.site_config.allows(url) and (request := self.feed_request(url)) is not None:
                self.crawler.stats.inc_value("gleaner/discovered/feed_link")
                yield request

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else ""
        self.note_error(url, error_kind(failure.value), str(failure.value)[:300])

    def on_discovery_error(self, failure: Failure) -> None:
        """A sitemap, feed or robots.txt that could not be downloaded: counted apart from
        page errors (run.json ``discovery_errors``), noted with its URL; the run goes on."""
        kind = error_kind(failure.value)
        self.crawler.stats.inc_value(f"gleaner/discovery_errors/{kind}")
        request = getattr(failure, "request", None)
        journal_for(self.crawler).note_error(request.url if request is not None else "",
                                             f"discovery_{kind}", str(failure.value)[:300])

    def note_error(self, url: str, kind: str, detail: str, count_in_state: bool = True) -> None:
        self.crawler.stats.inc_value(f"gleaner/errors/{kind}")
        journal_for(self.crawler).note_error(url, kind, detail)
        if count_in_state and self.state is not None:
            self.state.record_page(url, outcome="error")
        self.logger.info("error %s: %s %s", kind, url, detail)


def open_state(state_dir: str, site: str, run_id: str) -> CrawlState:
    """Open and lock a site's crawl state and begin a run (StateLocked when busy)."""
    state = CrawlState.open(state_dir, site)
    try:
        state.lock()
        state.begin_run(run_id)
    except Exception:
        state.close()
        raise
    return state
