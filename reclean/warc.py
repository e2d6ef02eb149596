"""Read WARC files record by record, robustly, for re-cleaning.

``output.archive.iter_warc_pages`` yields only pages; re-cleaning also has to count what it
skips (request/warcinfo/metadata records, non-HTML payloads, redirects) and has to go on past
a broken record in the *middle* of a file (a gzip member that ends early, an HTTP header that
does not parse). So this module walks the file with warcio itself and, after a broken record,
re-synchronises on the next gzip member (``.warc.gz``) or the next ``WARC/1.x`` line (plain
``.warc``). Response records become :class:`cleaning.RawPage` through
``output.archive.raw_page_from_http``, the one function the crawl also uses, so both paths
hand cleaning identical bytes.

Memory: one record at a time; the file is never listed.
"""
from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from warcio.archiveiterator import ArchiveIterator

from output.archive import raw_page_from_http, raw_ref_for

if TYPE_CHECKING:
    from cleaning import RawPage

# Record types that carry a fetched page; everything else is counted and skipped.
PAGE_RECORD_TYPES: tuple[str, ...] = ("response",)
# Payload types that are cleaned (an absent Content-Type is sniffed by cleaning). Not XML or
# plain text: a crawl archives robots.txt and sitemaps too but never cleans them.
HTML_MEDIA_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml")
# Bytes that start a record when re-synchronising after damage.
GZIP_MEMBER_MAGIC = b"\x1f\x8b\x08"
WARC_RECORD_MAGIC = b"WARC/1."
# Payloads larger than this are skipped rather than cleaned (bytes, after the HTTP header).
MAX_PAYLOAD_BYTES = 32 * 1024 * 1024
RESYNC_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class WarcPage:
    """A response record ready for cleaning; ``next_offset`` is where the next record starts.

    The body is still Content-Encoded: a worker turns it into a RawPage with
    ``output.archive.raw_page_from_http`` (see :func:`to_raw_page`), so decompression runs in
    parallel too.
    """

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: str | None
    raw_ref: str
    offset: int
    next_offset: int

    def to_raw_page(self) -> RawPage:
        """The RawPage cleaning sees (Content-Encoding undone the way the crawl does it)."""
        return raw_page_from_http(self.url, self.status, self.headers, self.body,
                                  self.fetched_at, self.raw_ref)


@dataclass(frozen=True, slots=True)
class WarcSkip:
    """A record that is not a page to clean (``reason`` e.g. ``record_request``, ``not_html``)."""

    reason: str
    offset: int
    next_offset: int
    url: str = ""


@dataclass(frozen=True, slots=True)
class WarcProblem:
    """A record or stretch of the file that could not be read (``reason`` + ``detail``)."""

    reason: str
    detail: str
    offset: int
    next_offset: int


WarcItem = WarcPage | WarcSkip | WarcProblem


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type value, lower-cased, without parameters.

    >>> media_type("Text/HTML; charset=UTF-8")
    'text/html'
    >>> media_type(None)
    ''
    """
    return (content_type or "").split(";")[0].strip().lower()


def is_html_media_type(content_type: str | None) -> bool:
    """True when a payload of this Content-Type goes to cleaning (absent counts as yes).

    >>> is_html_media_type("text/html"), is_html_media_type(""), is_html_media_type("image/png")
    (True, True, False)
    """
    kind = media_type(content_type)
    return not kind or kind.startswith(HTML_MEDIA_TYPES)


def find_next_record_start(fh: IO[bytes], start: int, gzipped: bool) -> int | None:
    """Offset of the next plausible record start at or after ``start``; None at end of file."""
    magic = GZIP_MEMBER_MAGIC if gzipped else WARC_RECORD_MAGIC
    fh.seek(start)
    pos = start
    tail = b""
    while True:
        chunk = fh.read(RESYNC_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        base = pos - len(tail)
        at = data.find(magic)
        while at != -1 and not gzipped and at > 0 and data[at - 1:at] != b"\n":
            at = data.find(magic, at + 1)
        if at != -1:
            return base + at
        tail = data[-(len(magic)):]
        pos += len(chunk)


def is_gzipped(fh: IO[bytes]) -> bool:
    """True when the file starts with a gzip member."""
    fh.seek(0)
    head = fh.read(3)
    fh.seek(0)
    return head == GZIP_MEMBER_MAGIC


def iter_warc_items(path: str, run_dir: str | None = None, start: int = 0
                    ) -> Iterator[WarcItem]:
    """Every record of a WARC file from byte ``start``: pages, skips and problems, in order.

    Raises OSError only when the file cannot be opened.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        gzipped = is_gzipped(fh)
        if start == 0 and not starts_like_warc(fh, gzipped):
            yield WarcProblem("not_a_warc", "file does not start with a WARC record", 0, size)
            return
        # output.archive.raw_ref_for decides the name once per file (it resolves paths)
        ref_prefix = raw_ref_for(Path(path), 0, run_dir).rsplit("#", 1)[0]
        pos = start
        while pos < size:
            fh.seek(pos)
            it = QuietArchiveIterator(fh)
            try:
                for record in it:
                    item = read_record(record, it, ref_prefix, pos)
                    pos = item.next_offset
                    yield item
            except Exception as exc:  # noqa: BLE001 - any damage is reported and skipped
                resume = find_next_record_start(fh, pos + 1, gzipped)
                next_offset = size if resume is None else resume
                detail = f"{type(exc).__name__}: {exc}".encode("ascii", "backslashreplace")
                yield WarcProblem(classify_damage(exc), detail.decode("ascii")[:200], pos,
                                  next_offset)
                pos = next_offset
                continue
            if pos < size:  # warcio stops quietly at a gzip member cut short at the end
                yield WarcProblem("truncated_record", "file ends inside a record", pos, size)
            return


class QuietArchiveIterator(ArchiveIterator):
    """warcio's iterator without its stderr warning; a bad length is counted in err_count."""

    INC_RECORD = ""


def starts_like_warc(fh: IO[bytes], gzipped: bool) -> bool:
    """True when the file's first record starts with a ``WARC/`` version line."""
    fh.seek(0)
    head = fh.read(8192)
    fh.seek(0)
    if gzipped:
        try:
            head = zlib.decompressobj(31).decompress(head, 64)
        except zlib.error:
            return False
    return head.lstrip(b"\r\n").startswith(b"WARC/")


def classify_damage(exc: BaseException) -> str:
    """A short reason for an exception raised while reading a record.

    >>> classify_damage(EOFError()), classify_damage(zlib.error("x"))
    ('truncated_record', 'broken_gzip')
    """
    name = type(exc).__name__
    if isinstance(exc, EOFError | TruncatedRecord):
        return "truncated_record"
    if isinstance(exc, zlib.error):
        return "broken_gzip"
    if name == "StatusAndHeadersParserException":
        return "broken_http_header"
    if name == "ArchiveLoadFailed":
        return "broken_record"
    return "unreadable_record"


class TruncatedRecord(Exception):
    """A record whose block is shorter than its WARC Content-Length says."""


def finish_record(it: ArchiveIterator) -> None:
    """Read to the end of the current record; raise TruncatedRecord if its gzip member is cut."""
    it.read_to_end()
    decompressor = it.reader.decompressor if it.reader is not None else None
    if decompressor is not None and not getattr(decompressor, "eof", True):
        raise TruncatedRecord("gzip member ends early")


def read_record(record, it: ArchiveIterator, ref_prefix: str, offset: int) -> WarcItem:
    """Turn one warcio record into a page, a skip or (by raising) a problem."""
    rtype = record.rec_type
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if not rtype:
        raise TruncatedRecord("record without a WARC-Type (cut short?)")
    if rtype not in PAGE_RECORD_TYPES:
        finish_record(it)
        return WarcSkip(f"record_{rtype}", offset, it.offset, url)
    http = record.http_headers
    if http is None:
        finish_record(it)
        return WarcSkip("not_http_response", offset, it.offset, url)
    body = record.raw_stream.read(MAX_PAYLOAD_BYTES + 1)
    if len(body) > MAX_PAYLOAD_BYTES:
        finish_record(it)
        return WarcSkip("payload_too_large", offset, it.offset, url)
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise TruncatedRecord(f"block ends {record.raw_stream.limit} bytes early")
    errors_before = it.err_count
    finish_record(it)
    if it.err_count > errors_before:
        return WarcProblem("record_length_mismatch", "record not followed by a blank line",
                           offset, it.offset)
    next_offset = it.offset
    status_text = http.get_statuscode() or ""
    if not (status_text.isdigit() and len(status_text) == 3):
        return WarcProblem("broken_http_header", f"status line {http.statusline!r}"[:200],
                           offset, next_offset)
    status = int(status_text)
    headers = tuple((k, v) for k, v in http.headers)
    if not 200 <= status < 300:
        return WarcSkip(f"status_{status // 100}xx", offset, next_offset, url)
    if not is_html_media_type(http.get_header("Content-Type")):
        return WarcSkip("not_html", offset, next_offset, url)
    fetched_at = record.rec_headers.get_header("WARC-Date")
    return WarcPage(url, status, headers, body, fetched_at, f"{ref_prefix}#{offset}", offset,
                    next_offset)
