"""output/archive.py: WARC writing, reading back, offsets, Content-Encoding, broken files."""
from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
import zstandard
from warcio.archiveiterator import ArchiveIterator

from output.archive import ArchiveProblem, WarcArchive, iter_warc_pages, raw_page_from_http

HTML = "<html><body><p>Grüße aus Chengdu</p></body></html>".encode()
ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda b: zstandard.ZstdCompressor().compress(b),
}


def write_pages(run_dir, pages, **kwargs):
    archive = WarcArchive(run_dir / "raw", **kwargs)
    refs = [archive.write_response(*page) for page in pages]
    archive.close()
    return refs


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_body_is_stored_as_received_and_decoded_on_read(tmp_path, encoding):
    encoded = ENCODERS[encoding](HTML)
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", encoding),
               ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    (ref,) = write_pages(tmp_path, [("http://h/a", 200, headers, encoded, "2026-11-27T04:00:00Z")])
    file_part, offset = ref.split("#")
    with open(tmp_path / file_part, "rb") as fh:
        fh.seek(int(offset))
        record = next(iter(ArchiveIterator(fh)))
        assert record.raw_stream.read() == encoded  # as received
        assert record.http_headers.get_statuscode() == "200"
    (page,) = list(iter_warc_pages(tmp_path / file_part, tmp_path))
    assert page.body == HTML
    assert page.raw_ref == ref and page.fetched_at == "2026-11-27T04:00:00Z"
    assert page.headers == (("Content-Type", "text/html; charset=utf-8"),
                            ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"))
    crawl_side = raw_page_from_http("http://h/a", 200, headers, encoded,
                                    "2026-11-27T04:00:00Z", ref)
    assert crawl_side == page  # both paths hand cleaning identical pages


def test_request_record_follows_its_response(tmp_path):
    (ref,) = write_pages(tmp_path, [("http://h/a?q=1", 404, [("Content-Type", "text/html")], b"",
                                     None, "HTTP/1.1", [("User-Agent", "gleaner/0.1")],
                                     "127.0.0.1")])
    with open(tmp_path / ref.split("#")[0], "rb") as fh:
        records = [(r.rec_type, r.rec_headers, r.http_headers) for r in ArchiveIterator(fh)]
    assert [t for t, _, _ in records] == ["warcinfo", "response", "request"]
    (_, resp, resp_http), (_, req, req_http) = records[1], records[2]
    assert resp_http.statusline == "404 Not Found"
    assert resp.get_header("WARC-IP-Address") == "127.0.0.1"
    assert req.get_header("WARC-Concurrent-To") == resp.get_header("WARC-Record-ID")
    assert req_http.protocol == "GET" and req_http.statusline.startswith("/a?q=1")
    assert req_http.get_header("Host") == "h" and req_http.get_header("User-Agent") == "gleaner/0.1"


def test_rotation_starts_a_new_file(tmp_path):
    pages = [(f"http://h/{i}", 200, [], b"x" * 3000, None) for i in range(4)]
    refs = write_pages(tmp_path, pages, max_bytes=1)
    files = {ref.split("#")[0] for ref in refs}
    assert len(files) == 4
    read = [p for f in sorted(files) for p in iter_warc_pages(tmp_path / f, tmp_path)]
    assert sorted(p.url for p in read) == [p[0] for p in pages]


def test_truncated_file_ends_with_one_problem(tmp_path):
    refs = write_pages(tmp_path, [(f"http://h/{i}", 200, [], HTML * 50, None) for i in range(3)])
    path = tmp_path / refs[0].split("#")[0]
    data = path.read_bytes()
    path.write_bytes(data[: int(refs[2].split("#")[1]) + 40])  # cut inside the third record
    items = list(iter_warc_pages(path, tmp_path))
    assert [getattr(i, "url", None) for i in items[:2]] == ["http://h/0", "http://h/1"]
    assert len(items) == 3 and isinstance(items[2], ArchiveProblem)


def test_not_a_warc_and_missing_file_are_problems(tmp_path):
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a warc file at all\n" * 10)
    assert [type(i) for i in iter_warc_pages(junk)] == [ArchiveProblem]
    (missing,) = list(iter_warc_pages(tmp_path / "nope.warc.gz"))
    assert isinstance(missing, ArchiveProblem) and "cannot open" in missing.reason


def test_raw_ref_outside_a_run_folder_names_the_path(tmp_path):
    refs = write_pages(tmp_path, [("http://h/a", 200, [], HTML, None)])
    path = tmp_path / refs[0].split("#")[0]
    (page,) = list(iter_warc_pages(path))
    assert page.raw_ref == f"{path}#{refs[0].split('#')[1]}"


@pytest.mark.parametrize("encoding,body", [
    ("compress", b"\x1f\x9d\x90"),  # unknown encoding: left as is
    ("gzip", b"not gzip at all"),  # broken encoding: left as is
])
def test_undecodable_body_is_kept_with_its_header(encoding, body):
    page = raw_page_from_http("http://h/", 200, [("Content-Encoding", encoding)], body, None, None)
    assert page.body == body and page.header("Content-Encoding") == encoding


def test_identity_and_missing_encoding_change_nothing():
    page = raw_page_from_http("http://h/", 200, {"Content-Encoding": "identity"}, HTML, None, None)
    assert page.body == HTML
