"""End to end: `python -m crawler crawl` against the mock server, in a subprocess.

The mock server (tests/mockserver.py) serves the bundled sample site plus bad inputs;
the crawl starts at /bad/index.html, which links to each bad endpoint and to the site.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from warcio.archiveiterator import ArchiveIterator

from cleaning import clean_page
from output.archive import iter_warc_pages, raw_page_from_http
from output.schema import FIELD_NAMES

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_TITLE = "Chengdu Construction of Science and Technology Innovation Center"
PREV_TITLE = "Experts are optimistic about the future of Chengdu"
NEXT_TITLE = "Chengdu's Jiuyan Bridge becomes a landmark"
ARTICLE_PATHS = {f"/news/{n}.html" for n in range(101, 108)} | {"/bad/cafe-zurich.html"}
NON_ARTICLE_PATHS = {"/", "/index.html", "/about.html", "/contact.html", "/products/index.html",
                     "/products/led-panel-600.html", "/news/index.html", "/news/list_2.html",
                     "/news/list_3.html", "/bad/index.html"}
# Bad endpoint -> (where run.json records it, key)
BAD_ENDPOINTS = {
    "/bad/empty.html": ("rejected", "empty_body"),
    "/bad/annual-report-2021.html": ("rejected", "not_html"),
    "/bad/factory-photo": ("rejected", "not_html"),
    "/bad/missing.html": ("errors", "http_404"),
    "/bad/error.html": ("errors", "http_500"),
    "/bad/slow.html": ("errors", "timeout"),
    "/admin/login.html": ("errors", "robots_disallowed"),
}
# Seed-page boilerplate that must not survive in the article text (case-insensitive).
SEED_BOILERPLATE = ("Tel:", "+86-17091920596", "whatsapp", "wechat", "Contact us",
                    "Shanghai - Beijing - Guangzhou - Xiamen", "Click:", "Pre:", "Next:",
                    PREV_TITLE, NEXT_TITLE, "Copyright", "Latest News")
# A timeout well under the slow page's 4 s, but not so short that a busy machine makes
# ordinary pages fail (every run is judged healthy or not: errors count).
FAST = ("--set", "AUTOTHROTTLE_ENABLED=0", "--set", "DOWNLOAD_TIMEOUT=2.5", "--set", "RETRY_TIMES=0")


def run_gleaner(*args: str, cwd: Path = REPO_ROOT, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def path_of(url: str, base: str) -> str:
    return url[len(base):] or "/"


@pytest.fixture(scope="module")
def crawl(mockserver, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "site"
    proc = run_gleaner("crawl", f"{mockserver}/bad/index.html", "--out", str(out), *FAST)
    records = [json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()]
    report = json.loads((out / "run.json").read_text("utf-8"))
    warc_pages = [p for f in sorted((out / "raw").glob("*.warc.gz")) for p in iter_warc_pages(f, out)]
    return dict(proc=proc, out=out, records=records, report=report, base=mockserver,
                by_path={path_of(r["url"], mockserver): r for r in records}, warc=warc_pages)


def test_run_completes_with_exit_0_and_summary(crawl):
    proc = crawl["proc"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "articles exported" in proc.stdout and str(crawl["out"]) in proc.stdout
    assert crawl["report"]["completed"] is True
    assert {p.name for p in crawl["out"].iterdir()} >= {"articles.jsonl", "articles.csv",
                                                        "articles.parquet", "run.json", "raw"}
    assert not (crawl["out"] / "spool.jsonl").exists()


def test_exactly_the_articles_are_exported(crawl):
    assert set(crawl["by_path"]) == ARTICLE_PATHS
    assert len(crawl["records"]) == len(ARTICLE_PATHS)
    assert not set(crawl["by_path"]) & NON_ARTICLE_PATHS


def test_seed_article_is_clean(crawl):
    rec = crawl["by_path"]["/news/104.html"]
    text = rec["text"]
    assert text.startswith('"Only innovators advance, only innovators are strong')
    assert "Chengdu Future Science and Technology City will strive to build" in text
    assert text.rstrip().endswith("build a strong smart manufacturing industry ecology.")
    for junk in SEED_BOILERPLATE:
        assert junk.lower() not in text.lower(), junk
    assert rec["title"] == SEED_TITLE
    assert rec["date_published"] == "2021-07-17T16:38:28"
    assert rec["prev_title"] == PREV_TITLE
    assert rec["prev_url"] == f"{crawl['base']}/news/103.html"
    assert rec["next_title"] == NEXT_TITLE
    assert rec["next_url"] == f"{crawl['base']}/news/105.html"
    assert rec["crawl_run_id"] == crawl["report"]["run_id"]


def test_every_article_has_title_date_and_neighbours(crawl):
    for path, rec in crawl["by_path"].items():
        assert rec["title"] and "Huaxin Lighting" not in rec["title"], path
        assert rec["date_published"], path
        assert rec["fetched_at"].endswith("Z") and rec["http_status"] == 200
    first, last = crawl["by_path"]["/news/101.html"], crawl["by_path"]["/news/107.html"]
    assert first["prev_url"] is None and first["next_title"] == "Shanghai office hosts partners from Southeast Asia"
    assert last["next_url"] is None and last["language"] == "en"
    assert first["language"] == "zh" and "广州国际照明展览会" in first["text"]


def test_page_that_is_not_utf8_is_decoded(crawl):
    rec = crawl["by_path"]["/bad/cafe-zurich.html"]
    assert "design café and showroom in Zürich" in rec["text"]
    assert "“très agréable”" in rec["text"]
    assert "\ufffd" not in rec["text"]


def test_csv_reads_with_pandas_defaults(crawl):
    frame = pd.read_csv(crawl["out"] / "articles.csv")
    assert list(frame.columns) == list(FIELD_NAMES)
    assert len(frame) == len(crawl["records"])
    assert set(frame["record_id"]) == {r["record_id"] for r in crawl["records"]}
    seed = frame[frame["url"].str.endswith("/news/104.html")].iloc[0]
    assert seed["text"] == crawl["by_path"]["/news/104.html"]["text"]
    assert len(pd.read_parquet(crawl["out"] / "articles.parquet")) == len(crawl["records"])


def test_run_json_counts_every_bad_endpoint(crawl):
    report, base = crawl["report"], crawl["base"]
    counts = report["counts"]
    assert counts["articles_exported"] == len(ARTICLE_PATHS)
    rejected_by_url = {path_of(n["url"], base): n["reason"] for n in report["rejected_pages"]}
    errors_by_url = {path_of(n["url"], base): n["kind"] for n in report["errors"]}
    for path, (where, key) in BAD_ENDPOINTS.items():
        assert counts[where].get(key, 0) >= 1, (path, where, key, counts[where])
        noted = rejected_by_url if where == "rejected" else errors_by_url
        assert noted.get(path) == key, (path, noted.get(path))
    assert rejected_by_url["/bad/missing.html"] == "http_error"
    assert rejected_by_url["/bad/error.html"] == "http_error"
    # every page is accounted for: exported, rejected with a reason, or a duplicate
    assert (counts["articles_exported"] + sum(counts["rejected"].values())
            + counts["duplicates"]) == counts["pages_fetched"]
    assert report["settings"]["USER_AGENT"].startswith("gleaner/")
    assert report["files"]["raw"] and all(f.startswith("raw/") for f in report["files"]["raw"])


def test_warc_has_every_response(crawl):
    base, report = crawl["base"], crawl["report"]
    assert not [p for p in crawl["warc"] if not hasattr(p, "status")], "archive problems"
    seen = {(path_of(p.url, base), p.status) for p in crawl["warc"]}
    expected = {("/robots.txt", 200), ("/sitemap.xml", 200), ("/bad/moved", 301),
                ("/bad/missing.html", 404), ("/bad/error.html", 500),
                ("/bad/annual-report-2021.html", 200), ("/bad/factory-photo", 200),
                ("/bad/empty.html", 200)}
    home = {"/", "/index.html"}  # one URL key (crawler.urls.url_key): fetched once
    expected |= {(p, 200) for p in (ARTICLE_PATHS | NON_ARTICLE_PATHS) - home}
    assert expected <= seen, expected - seen
    assert len(crawl["warc"]) == report["counts"]["responses_archived"]
    paths = {p for p, _ in seen}
    assert len(paths & home) == 1
    assert "/admin/login.html" not in paths  # robots.txt obeyed
    assert "/bad/slow.html" not in paths  # timed out: no response to archive
    pages = {p for p, status in seen if not 300 <= status < 400} - {"/robots.txt", "/sitemap.xml"}
    assert len(pages) == report["counts"]["pages_fetched"]


def test_raw_ref_points_at_the_record_and_recleans_identically(crawl):
    out = crawl["out"]
    for rec in crawl["records"]:
        file_part, offset = rec["raw_ref"].rsplit("#", 1)
        with open(out / file_part, "rb") as fh:
            fh.seek(int(offset))
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == rec["url"]
            body = record.raw_stream.read()
            raw = raw_page_from_http(rec["url"], int(record.http_headers.get_statuscode()),
                                     record.http_headers.headers, body,
                                     record.rec_headers.get_header("WARC-Date"), rec["raw_ref"])
        assert record.http_headers.get_header("Content-Encoding") == "gzip"  # stored as received
        again = clean_page(raw)
        assert again.content_hash == rec["content_hash"] and again.text == rec["text"]
        assert again.fetched_at == rec["fetched_at"]


def test_start_that_is_not_a_url_exits_2(tmp_path):
    proc = run_gleaner("crawl", "not a url", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "START" in proc.stderr
    assert not (tmp_path / "x").exists()


def test_max_pages_and_default_out_dir(mockserver, tmp_path):
    # max pages stops taking new requests; the ones in flight (CONCURRENT_REQUESTS) finish
    proc = run_gleaner("crawl", f"{mockserver}/news/104.html", "--max-pages", "3", *FAST,
                       "--set", "CONCURRENT_REQUESTS=2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    port = mockserver.rsplit(":", 1)[1]
    (run_dir,) = (tmp_path / "out" / f"127.0.0.1_{port}").iterdir()
    report = json.loads((run_dir / "run.json").read_text("utf-8"))
    assert report["run_id"] == run_dir.name
    assert report["finish_reason"] == "closespider_pagecount"
    assert report["settings"]["CLOSESPIDER_PAGECOUNT"] == 3
    assert report["counts"]["pages_fetched"] < 10


def test_robots_txt_answering_503_disallows_the_site(private_mockserver, tmp_path):
    """RFC 9309: an unreachable robots.txt (5xx) means 'crawl nothing' (Scrapy would read
    the error page as allow-all). The run fetches no page, says why and exits 1."""
    import urllib.request

    urllib.request.urlopen(f"{private_mockserver}/_control/robots-down").read()
    out = tmp_path / "run"
    proc = run_gleaner("crawl", f"{private_mockserver}/", "--out", str(out), *FAST)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == f"gleaner crawl: 127.0.0.1_{private_mockserver.rsplit(':', 1)[1]}: no page fetched"
    report = json.loads((out / "run.json").read_text("utf-8"))
    assert report["counts"]["pages_fetched"] == 0
    assert report["counts"]["errors"] == {"robots_unreachable": 1}
    assert "HTTP 503" in report["errors"][0]["detail"]
    assert "Traceback" not in proc.stderr
    archived = {(path_of(p.url, private_mockserver), p.status)
                for f in (out / "raw").glob("*.warc.gz") for p in iter_warc_pages(f, out)}
    assert ("/robots.txt", 503) in archived


def test_host_that_does_not_resolve_is_reported_not_fatal(tmp_path):
    out = tmp_path / "run"
    proc = run_gleaner("crawl", "http://nonexistent-host.invalid/", "--out", str(out),
                       "--set", "RETRY_TIMES=0", "--set", "DNS_TIMEOUT=5")
    assert proc.returncode == 1  # completed, but nothing fetched
    report = json.loads((out / "run.json").read_text("utf-8"))
    assert report["completed"] and report["counts"]["pages_fetched"] == 0
    assert report["counts"]["errors"] == {"robots_unreachable": 1}
    assert "CannotResolveHostError" in report["errors"][0]["detail"]
    assert "0 pages fetched" in proc.stdout and "Traceback" not in proc.stderr


def test_plain_scrapy_crawl_feeds_the_records(mockserver, tmp_path):
    """`scrapy crawl articles -a start=URL -O x.jsonl` from the repo root: cleaned records
    go to the feed; no run folder machinery (archive, spool, run.json) is switched on."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    feed = tmp_path / "x.jsonl"
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "articles",
                           "-a", f"start={mockserver}/", "-O", str(feed),
                           "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    assert {f"/news/{n}.html" for n in range(101, 108)} <= {path_of(r["url"], mockserver)
                                                            for r in records}
    assert all(list(r) == list(FIELD_NAMES) and r["raw_ref"] is None for r in records)
