"""The raw archive: every HTTP response as a WARC record (warcio), and back again.

Writing: :class:`WarcArchive` appends a ``request`` + ``response`` pair per fetch to a
gzip-per-record WARC file (new file per process start, rotated by size) and returns
``raw_ref`` = ``"raw/<file name>#<byte offset of the response record>"``. Bodies are
stored *as received* (still Content-Encoded), so the archive is the truth.

Reading: :func:`iter_warc_pages` yields a :class:`cleaning.RawPage` per ``response``
record (or an :class:`ArchiveProblem` for a broken one). Both the crawl and offline
re-cleaning build their RawPage with :func:`raw_page_from_http`, which undoes
Content-Encoding the same way for both, so cleaning sees identical bytes.

Standard library + warcio (+ brotli / zstandard when those encodings occur); no Scrapy.
"""
from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import GzippingWrapper, WARCWriter

from cleaning.types import RawPage

HeaderPairs = tuple[tuple[str, str], ...]

# A 304 is archived as a WARC revisit record with this profile (WARC 1.0, section 6.7.2).
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"

# Decoded bodies larger than this are left encoded (decompression-bomb guard).
MAX_DECODED_BYTES = 64 << 20
# Content-Encoding tokens that mean "nothing to undo".
IDENTITY_ENCODINGS = ("", "identity")
WARCINFO_FIELDS = {
    "software": "gleaner/0.1 (Scrapy downloader middleware tap)",
    "format": "WARC File Format 1.0",
    "description": "bodies as received (Content-Encoding kept); Twisted de-chunked them and "
                   "removed Transfer-Encoding; header names are title-cased by Scrapy; reason "
                   "phrases are the standard ones for the status code.",
}


@dataclass(frozen=True, slots=True)
class ArchiveProblem:
    """A WARC record (or file tail) that could not be read."""

    path: str
    offset: int
    reason: str


def utc_now_iso() -> str:
    """Current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_headers(headers: Iterable[tuple[str, str]] | Mapping[str, str] | None) -> HeaderPairs:
    """Header pairs as a tuple of ``(str, str)``; bytes are read as latin-1.

    >>> normalise_headers({"A": "1"})
    (('A', '1'),)
    >>> normalise_headers([(b"Content-Type", b"text/html")])
    (('Content-Type', 'text/html'),)
    """
    if headers is None:
        return ()
    items = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((_text(k), _text(v)) for k, v in items)


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def status_line(status: int) -> str:
    """Status code and the standard reason phrase (warcio adds the protocol).

    >>> status_line(404)
    '404 Not Found'
    >>> status_line(799)
    '799 Unknown'
    """
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    return f"{status} {reason}"


def content_encodings(headers: HeaderPairs) -> list[str]:
    """Content-Encoding tokens in the order they were applied.

    >>> content_encodings((("Content-Encoding", "gzip, br"),))
    ['gzip', 'br']
    """
    tokens: list[str] = []
    for name, value in headers:
        if name.lower() == "content-encoding":
            tokens += [t.strip().lower() for t in value.split(",") if t.strip()]
    return [t for t in tokens if t not in IDENTITY_ENCODINGS]


def decode_gzip(body: bytes) -> bytes:
    """Undo gzip (several members allowed), bounded by MAX_DECODED_BYTES.

    >>> import gzip; decode_gzip(gzip.compress(b"hi"))
    b'hi'
    """
    out = bytearray()
    data = body
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out += d.decompress(data, MAX_DECODED_BYTES - len(out))
        if d.unconsumed_tail:
            raise ValueError("decoded body too large")
        data = d.unused_data.lstrip(b"\x00")
    return bytes(out)


def decode_deflate(body: bytes) -> bytes:
    """Undo deflate: zlib-wrapped, or raw as some servers send it.

    >>> decode_deflate(zlib.compress(b"hi"))
    b'hi'
    """
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        d = zlib.decompressobj(wbits)
        try:
            out = d.decompress(body, MAX_DECODED_BYTES)
        except zlib.error:
            continue
        if d.unconsumed_tail:
            raise ValueError("decoded body too large")
        return out
    raise ValueError("invalid deflate data")


def decode_brotli(body: bytes) -> bytes:
    import brotli

    out = brotli.decompress(body)
    if len(out) > MAX_DECODED_BYTES:
        raise ValueError("decoded body too large")
    return out


def decode_zstd(body: bytes) -> bytes:
    import zstandard

    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(body))
    out = reader.read(MAX_DECODED_BYTES + 1)
    if len(out) > MAX_DECODED_BYTES:
        raise ValueError("decoded body too large")
    return out


DECODERS = (
    ("gzip", decode_gzip),
    ("x-gzip", decode_gzip),
    ("deflate", decode_deflate),
    ("br", decode_brotli),
    ("zstd", decode_zstd),
)


def decode_content(body: bytes, encodings: list[str]) -> bytes | None:
    """Undo the encodings (last applied first); None when one is unknown or broken.

    >>> decode_content(zlib.compress(b"x"), ["deflate"])
    b'x'
    >>> decode_content(b"x", ["compress"]) is None
    True
    """
    decoders = dict(DECODERS)
    for token in reversed(encodings):
        decoder = decoders.get(token)
        if decoder is None:
            return None
        try:
            body = decoder(body)
        except Exception:  # noqa: BLE001 - any codec failure means "leave it encoded"
            return None
    return body


def raw_page_from_http(url: str, status: int, headers: Iterable[tuple[str, str]] | Mapping[str, str],
                       body: bytes, fetched_at: str | None, raw_ref: str | None) -> RawPage:
    """The one way to make a RawPage from an HTTP response, crawled or archived.

    Content-Encoding is undone (gzip, deflate, br, zstd) and its header dropped, as
    Scrapy's HttpCompressionMiddleware does; an unknown or broken encoding leaves body
    and header as they were (cleaning then rejects the bytes as not HTML).

    >>> import gzip
    >>> p = raw_page_from_http("http://a/", 200, [("Content-Encoding", "gzip")],
    ...                        gzip.compress(b"<p>x</p>"), None, None)
    >>> p.body, p.headers
    (b'<p>x</p>', ())
    """
    pairs = normalise_headers(headers)
    encodings = content_encodings(pairs)
    if encodings:
        decoded = decode_content(body, encodings)
        if decoded is not None:
            body = decoded
            pairs = tuple((k, v) for k, v in pairs if k.lower() != "content-encoding")
    return RawPage(url=url, body=bytes(body), status=int(status), headers=pairs,
                   fetched_at=fetched_at, raw_ref=raw_ref)


# zlib level for WARC members: 6 (zlib's and gzip's default) compresses HTML twice as fast
# as warcio's fixed 9 for ~1.5% more bytes. It runs on the crawl's reactor thread, where
# level 9 was ~30% of the crawl process's CPU.
WARC_GZIP_LEVEL = 6


class LevelGzippingWrapper(GzippingWrapper):
    """warcio's per-record gzip member writer, at WARC_GZIP_LEVEL."""

    def __init__(self, out: BinaryIO, level: int = WARC_GZIP_LEVEL) -> None:
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out


class LevelWARCWriter(WARCWriter):
    """WARCWriter whose gzip members use LevelGzippingWrapper (same format, faster)."""

    def _write_warc_record(self, out: BinaryIO, record: Any) -> None:
        if not self.gzip:
            return super()._write_warc_record(out, record)
        self.gzip = False  # the member wrapper is ours; warcio flushes it at record end
        try:
            super()._write_warc_record(LevelGzippingWrapper(out), record)
        finally:
            self.gzip = True


class WarcArchive:
    """Append-only WARC writer: one new file per process start, rotated at ``max_bytes``."""

    def __init__(self, directory: str | os.PathLike[str], prefix: str = "gleaner",
                 max_bytes: int = 1 << 30) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self._serial = -1
        self._file: io.BufferedWriter | None = None
        self._writer: WARCWriter | None = None
        self._name = ""

    @property
    def current_file(self) -> str:
        """Name of the file being written ('' before the first record)."""
        return self._name

    def _open_next(self) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        self._name = f"{self.prefix}-{self._stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
        # "xb": never append to (or clobber) another process's file.
        self._file = open(self.directory / self._name, "xb")  # noqa: SIM115 - closed in close()
        self._writer = LevelWARCWriter(self._file, gzip=True)
        info = self._writer.create_warcinfo_record(self._name, dict(WARCINFO_FIELDS))
        self._writer.write_record(info)

    def _ensure_file(self) -> tuple[io.BufferedWriter, WARCWriter]:
        if self._file is None or self._file.tell() >= self.max_bytes:
            self._open_next()
        assert self._file is not None and self._writer is not None
        return self._file, self._writer

    def write_response(self, url: str, status: int,
                       headers: Iterable[tuple[str, str]] | Mapping[str, str], body: bytes,
                       fetched_at: str | None = None, protocol: str = "HTTP/1.1",
                       request_headers: Iterable[tuple[str, str]] | Mapping[str, str] | None = None,
                       ip_address: str | None = None) -> str:
        """Archive one response (and its request); return its raw_ref. Flushed on return.

        A 304 becomes a ``revisit`` record (profile server-not-modified) with its headers.
        """
        fh, writer = self._ensure_file()
        date = fetched_at or utc_now_iso()
        resp_http = StatusAndHeaders(status_line(status), list(normalise_headers(headers)),
                                     protocol=protocol or "HTTP/1.1")
        warc_headers = {"WARC-Date": date}
        if ip_address:
            warc_headers["WARC-IP-Address"] = ip_address
        record_type = "response"
        if status == 304:  # not modified: a revisit record, no payload
            record_type, body = "revisit", b""
            warc_headers.update({"WARC-Profile": NOT_MODIFIED_PROFILE,
                                 "WARC-Refers-To-Target-URI": url})
        response = writer.create_warc_record(url, record_type, payload=io.BytesIO(bytes(body)),
                                             length=len(body), http_headers=resp_http,
                                             warc_headers_dict=warc_headers)
        offset = fh.tell()
        writer.write_record(response)
        req_pairs = list(normalise_headers(request_headers))
        if not any(k.lower() == "host" for k, _ in req_pairs):
            req_pairs.insert(0, ("Host", urlsplit(url).netloc))
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_http = StatusAndHeaders(f"GET {target} {protocol or 'HTTP/1.1'}", req_pairs,
                                    is_http_request=True)
        request = writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                            http_headers=req_http,
                                            warc_headers_dict={
                                                "WARC-Date": date,
                                                "WARC-Concurrent-To":
                                                    response.rec_headers.get_header("WARC-Record-ID"),
                                            })
        writer.write_record(request)
        fh.flush()
        return f"raw/{self._name}#{offset}"

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        self._file = None
        self._writer = None


def raw_ref_for(path: Path, offset: int, run_dir: str | os.PathLike[str] | None) -> str:
    """``raw/<name>#<offset>`` when the file sits in run_dir/raw, else ``<path>#<offset>``.

    >>> raw_ref_for(Path("/r/raw/a.warc.gz"), 5, "/r")
    'raw/a.warc.gz#5'
    >>> raw_ref_for(Path("x/a.warc.gz"), 5, None)
    'x/a.warc.gz#5'
    """
    if run_dir is not None:
        raw_dir = Path(run_dir) / "raw"
        if path.resolve().parent == raw_dir.resolve():
            return f"raw/{path.name}#{offset}"
    return f"{path}#{offset}"


def iter_warc_pages(path: str | os.PathLike[str],
                    run_dir: str | os.PathLike[str] | None = None) -> Iterator[RawPage | ArchiveProblem]:
    """Every ``response`` record of a WARC(.gz) file as a RawPage, in file order.

    A record that cannot be turned into a page gives an :class:`ArchiveProblem`; a
    truncated or corrupt file ends the iteration after one problem.
    """
    path = Path(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        yield ArchiveProblem(str(path), 0, f"cannot open: {exc}")
        return
    with fh:
        size = os.fstat(fh.fileno()).st_size
        it = ArchiveIterator(fh, check_digests=False)
        offset = 0
        while True:
            try:
                record = next(it)
                body = record.raw_stream.read()
                offset = it.get_record_offset()
                if record.format != "warc":  # warcio reads junk as ARC records
                    yield ArchiveProblem(str(path), offset, f"not a WARC record ({record.format})")
                    return
                if record.rec_type == "response" and record.http_headers is not None:
                    yield _page_from_record(record, body, raw_ref_for(path, offset, run_dir))
            except StopIteration:
                # warcio stops quietly at a truncated member or at junk: check we reached EOF
                end = it.offset or 0
                if end < size:
                    yield ArchiveProblem(str(path), end, f"truncated or unreadable data from "
                                                         f"offset {end} (file size {size})")
                return
            except Exception as exc:  # noqa: BLE001 - a broken archive is data, not a crash
                yield ArchiveProblem(str(path), offset, f"{type(exc).__name__}: {exc}")
                return


def _page_from_record(record, body: bytes, raw_ref: str) -> RawPage | ArchiveProblem:
    http = record.http_headers
    try:
        status = int(http.get_statuscode())
    except (TypeError, ValueError):
        return ArchiveProblem(raw_ref.rsplit("#", 1)[0], int(raw_ref.rsplit("#", 1)[1]),
                              f"bad status line {http.statusline!r}")
    return raw_page_from_http(record.rec_headers.get_header("WARC-Target-URI") or "", status,
                              http.headers, body, record.rec_headers.get_header("WARC-Date"),
                              raw_ref)
