"""Builders shared by the reclean tests: article pages, WARCs written by the crawl's archive."""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from output.archive import WarcArchive

RUN_SPECIFIC = ("crawl_run_id", "version", "previous_record_id")
PARAGRAPH = ("The city council met on Tuesday to discuss the new budget for public libraries, "
             "and members agreed that opening hours should be extended in the coming year.")


def letters(n: int) -> str:
    """A number spelled with letters (digits in titles can look like "404" to cleaning)."""
    return str(n).translate(str.maketrans("0123456789", "abcdefghij"))


def article_html(n: int, title: str | None = None, head: str = "", words: str = "") -> str:
    """A page cleaning exports as an article (five paragraphs under <article>)."""
    tag = letters(n)
    title = title or f"Library budget story {tag}"
    paras = "".join(f"<p>{PARAGRAPH} {words} Story {tag}, paragraph {i}.</p>" for i in range(5))
    return (f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news/'>News</a></nav>"
            f"<article><h1>{title}</h1>{paras}</article>"
            f"<footer>Copyright 2026 Example</footer></body></html>")


def write_run_warc(run_dir: Path, pages: dict[str, bytes], gzip_bodies: bool = False) -> Path:
    """A crawl-style run folder: raw/*.warc.gz written by output.archive.WarcArchive."""
    archive = WarcArchive(run_dir / "raw")
    for n, (url, body) in enumerate(pages.items()):
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if gzip_bodies:
            headers.append(("Content-Encoding", "gzip"))
            body = gzip.compress(body)
        archive.write_response(url, 200, headers, body, f"2026-11-27T04:{n // 60:02d}:{n % 60:02d}Z")
    archive.write_response("http://site.test/logo.png", 200, [("Content-Type", "image/png")],
                           b"\x89PNG\r\n\x1a\n0000", "2026-11-27T05:00:00Z")
    archive.close()
    return next((run_dir / "raw").glob("*.warc.gz"))


def write_raw_http_warc(path: Path, raw_http: bytes, url: str = "http://site.test/bad") -> None:
    """A WARC holding one response record whose HTTP part is given verbatim."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(raw_http),
                                           length=len(raw_http))
        writer.write_record(record)
        body = article_html(99).encode()
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("http://site.test/after", "response",
                                                      payload=io.BytesIO(body),
                                                      http_headers=http))


def member_offsets(path: Path) -> list[int]:
    """Offsets of the records of a gzip-per-record WARC."""
    from warcio.archiveiterator import ArchiveIterator
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        offsets = []
        for _record in it:
            offsets.append(it.get_record_offset())
    return offsets


def load_jsonl(path: Path, drop: tuple[str, ...] = RUN_SPECIFIC) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    for row in rows:
        for name in drop:
            row.pop(name, None)
    return rows
