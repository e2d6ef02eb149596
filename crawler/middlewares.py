"""Downloader middleware: archive every response as WARC before anything judges it."""
from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.headers import Headers

from output.archive import WarcArchive, utc_now_iso

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
