"""One crawl of a hostile site (tests/mockserver.py, /h/): traps, redirects, bombs, a busy
server, a host that does not answer. Bounded work, every problem in run.json, the run
goes on. What was fetched is read from the mock server's own request log.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import running_mockserver

REPO_ROOT = Path(__file__).resolve().parent.parent
SITEMAPS = ("sitemap.xml", "news-sitemap.xml", "broken-sitemap.xml", "lol-sitemap.xml",
            "bomb.xml.gz")


def site_config(base: str) -> str:
    sitemaps = "".join(f"  - {base}/h/{name}\n" for name in SITEMAPS)
    return (f"name: hostile\nstart_urls:\n  - {base}/h/index.html\nsitemaps:\n{sitemaps}"
            f"feeds:\n  - {base}/h/broken-feed.xml\ndeny:\n  - /bad/\n"
            "health:\n  min_articles: 3\n  max_error_share: 50%\n")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    with running_mockserver() as base:
        site = tmp / "hostile.yaml"
        site.write_text(site_config(base), "utf-8")
        out = tmp / "run"
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", str(site), "--out", str(out),
             "--set", "AUTOTHROTTLE_ENABLED=0", "--set", "DOWNLOAD_TIMEOUT=3",
             "--set", "RETRY_TIMES=1", "--set", "GLEANER_SITEMAP_MAXSIZE=1048576",
             "--set", "GLEANER_FOLLOW_SITEMAPS=0"],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=180)
        elapsed = time.monotonic() - started
        log = json.loads(urllib.request.urlopen(f"{base}/_control/log").read())
    report = json.loads((out / "run.json").read_text("utf-8"))
    records = [json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()]
    return dict(proc=proc, base=base, report=report, records=records, elapsed=elapsed,
                log=[(t, p) for t, p in log], paths=[p for _, p in log])


def requests_to(hostile, prefix: str) -> list[str]:
    return [p for p in hostile["paths"] if p.startswith(prefix)]


def test_the_run_completes_and_is_healthy(hostile):
    proc, report = hostile["proc"], hostile["report"]
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert report["completed"] and "Traceback" not in proc.stderr
    assert hostile["elapsed"] < 60
    # the frontier waited on disk (crawler.scheduler), not in RAM
    assert report["counts"]["queued_on_disk"] > 20 and report["counts"]["queued_in_memory"] == 0


def test_robots_disallowed_folder_linked_and_in_sitemap_is_never_fetched(hostile):
    assert requests_to(hostile, "/admin/") == []
    assert hostile["report"]["counts"]["errors"].get("robots_disallowed", 0) >= 1


def test_endless_calendar_is_bounded(hostile):
    months = requests_to(hostile, "/h/events/")
    assert 2 <= len(months) <= 15, months
    assert hostile["report"]["counts"]["skipped"].get("calendar", 0) >= 1


def test_duplicate_and_tracking_urls_are_fetched_once_without_tracking(hostile):
    assert Counter(p.split("?")[0] for p in hostile["paths"])["/news/104.html"] == 1
    assert not [p for p in hostile["paths"] if "utm_" in p or "fbclid" in p]
    assert "/news/101.html" in hostile["paths"]  # from the feed (its links carry utm_*)
    urls = [r["url"] for r in hostile["records"]]
    assert len(urls) == len(set(urls))
    assert len({r["record_id"] for r in hostile["records"]}) == len(hostile["records"])


def test_partner_and_print_urls_of_a_story_export_it_once_under_its_canonical_url(hostile):
    base = hostile["base"]
    story = [r for r in hostile["records"] if r["canonical_url"] == f"{base}/news/106.html"]
    assert len(story) == 1
    assert not [r for r in hostile["records"] if "/partner/" in (r["canonical_url"] or "")]
    assert "/h/partner/106.html" in hostile["paths"]
    assert "/news/106.html?print=1" not in hostile["paths"]
    assert not requests_to(hostile, "/print/")
    assert hostile["report"]["counts"]["skipped"].get("print_view", 0) >= 2


def test_redirect_chain_is_followed_and_a_loop_is_reported(hostile):
    assert {"/h/r1", "/h/r2", "/h/r3", "/news/103.html"} <= set(hostile["paths"])
    assert Counter(hostile["paths"])["/news/103.html"] == 1
    assert Counter(hostile["paths"])["/h/loop-a"] == 1
    assert Counter(hostile["paths"])["/h/loop-b"] == 1
    errors = {(e["url"].removeprefix(hostile["base"]), e["kind"]) for e in hostile["report"]["errors"]}
    assert ("/h/loop-a", "redirect_loop") in errors


def test_discovery_pagination_feeds_and_news_sitemap(hostile):
    paths, counts = set(hostile["paths"]), hostile["report"]["counts"]
    assert {"/h/list/2.html", "/h/list/3.html"} <= paths  # <link rel="next"> only
    assert "/h/feed.xml" in paths  # <link rel="alternate" type="application/rss+xml">
    assert "/news/105.html" in paths and "/news/107.html" in paths  # news sitemap, sitemap
    discovered = counts["discovered"]
    assert discovered["prev_next"] >= 2 and discovered["feed_link"] == 1
    assert discovered["sitemap"] >= 2 and discovered["feed"] >= 2


def test_bad_discovery_files_are_reported_and_bounded(hostile):
    report, base = hostile["report"], hostile["base"]
    kinds = {(e["url"].removeprefix(base), e["kind"]) for e in report["errors"]}
    assert ("/h/broken-sitemap.xml", "invalid_sitemap") in kinds
    assert ("/h/bomb.xml.gz", "invalid_sitemap") in kinds  # inflates past the 1 MiB cap
    assert ("/h/lol-sitemap.xml", "empty_sitemap") in kinds  # entities never expanded
    assert ("/h/broken-feed.xml", "invalid_feed") in kinds
    bomb = next(e for e in report["errors"] if e["url"].endswith("/h/bomb.xml.gz"))
    assert "size" in bomb["detail"].lower() or "max" in bomb["detail"].lower()


def test_five_megabyte_page_is_fetched_and_judged(hostile):
    assert "/h/big.html" in hostile["paths"]
    report, base = hostile["report"], hostile["base"]
    judged = {r["url"] for r in hostile["records"]} | {n["url"] for n in report["rejected_pages"]}
    assert f"{base}/h/big.html" in judged


def test_busy_server_is_retried_after_the_wait_it_asks_for(hostile):
    for path, at_least in (("/h/busy.html", 0.9), ("/h/busy-date.html", 0.9)):
        times = [t for t, p in hostile["log"] if p == path]
        assert len(times) == 2, (path, times)
        assert times[1] - times[0] >= at_least, (path, times)
    counts = hostile["report"]["counts"]
    assert counts["retry_after"] == 2 and counts["retry_wait_seconds"] >= 1.5


def test_a_host_that_does_not_answer_is_reported_and_the_run_goes_on(hostile):
    errors = [e for e in hostile["report"]["errors"] if e["kind"] == "robots_unreachable"]
    assert len(errors) == 1 and "refused" in errors[0]["detail"].lower()
    assert len(hostile["records"]) >= 5
