"""Incremental runs: `gleaner crawl sites/x.yaml --state DIR` twice against a site that changes.

Run 1 exports every article as version 1. Between the runs the mock server switches to
its second edition: /news/105.html gets a new paragraph, /news/103.html only a new HTML
comment. Run 2 sends conditional GETs: unchanged pages answer 304 (not modified), 103
comes back 200 with the same text (unchanged, not exported) and 105 is exported alone
as version 2 with previous_record_id pointing at its version 1. The sitemap's lastmod
of both edited pages moves on; sitemap entries not newer than run 1 are skipped.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.state import CrawlState
from output.archive import NOT_MODIFIED_PROFILE, iter_warc_pages

REPO_ROOT = Path(__file__).resolve().parent.parent
FAST = ("--set", "AUTOTHROTTLE_ENABLED=0")


def run_gleaner(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def write_site(tmp_path: Path, base: str) -> Path:
    site = tmp_path / "mock-news.yaml"
    site.write_text(f"name: mock-news\nstart_urls:\n  - {base}/news/index.html\n"
                    f"deny:\n  - /bad/\n", encoding="utf-8")
    return site


def read_run(run_dir: Path) -> tuple[dict, dict]:
    report = json.loads((run_dir / "run.json").read_text("utf-8"))
    records = [json.loads(line) for line in (run_dir / "articles.jsonl").read_text("utf-8").splitlines()]
    return report, {r["url"].split("/", 3)[3]: r for r in records}


def test_second_run_exports_only_what_changed(private_mockserver, tmp_path):
    base = private_mockserver
    site, state = write_site(tmp_path, base), tmp_path / "state"
    first = run_gleaner("crawl", str(site), "--state", str(state), "--out", str(tmp_path / "r1"), *FAST)
    assert first.returncode == 0, first.stderr[-2000:]
    report1, records1 = read_run(tmp_path / "r1")
    assert report1["site"] == "mock-news" and report1["health"]["exit_code"] == 0
    assert {f"news/{n}.html" for n in range(101, 108)} <= set(records1)
    assert all(r["version"] == 1 and r["previous_record_id"] is None for r in records1.values())
    assert report1["counts"]["articles_new"] == len(records1) == report1["counts"]["articles_exported"]
    assert (state / "mock-news.sqlite3").exists()

    urllib.request.urlopen(f"{base}/_control/edit").read()
    second = run_gleaner("crawl", str(site), "--state", str(state), "--out", str(tmp_path / "r2"), *FAST)
    assert second.returncode == 0, second.stderr[-2000:]
    report2, records2 = read_run(tmp_path / "r2")
    counts = report2["counts"]
    assert set(records2) == {"news/105.html"}
    changed = records2["news/105.html"]
    assert changed["version"] == 2
    assert changed["previous_record_id"] == records1["news/105.html"]["record_id"]
    assert changed["record_id"] != records1["news/105.html"]["record_id"]
    assert "Mid-Autumn Festival" in changed["text"]
    assert changed["crawl_run_id"] == report2["run_id"] != report1["run_id"]
    assert counts["articles_changed"] == 1 and counts["articles_new"] == 0
    assert counts["articles_unchanged"] >= 1  # 103: new bytes, same text
    # the other articles answered 304, or were not fetched at all: the sitemap's lastmod
    # says they did not change since run 1 (the edited pages got a new lastmod)
    # (which path an article takes depends on whether a link or the sitemap names it first)
    assert counts["skipped_by_lastmod"] + counts["http_status"].get("304", 0) >= 5
    assert counts["not_modified"] >= 5
    assert counts["not_modified"] + counts["articles_unchanged"] + counts["articles_changed"] \
        == report1["counts"]["articles_new"]  # every article accounted for once
    assert counts["articles_exported"] == 1
    assert "1 changed" in second.stdout and "not modified" in second.stdout
    revisits = []
    for warc in (tmp_path / "r2" / "raw").glob("*.warc.gz"):
        with open(warc, "rb") as fh:
            revisits += [(r.rec_headers.get_header("WARC-Profile"), r.http_headers.get_statuscode())
                         for r in ArchiveIterator(fh) if r.rec_type == "revisit"]
    assert revisits == [(NOT_MODIFIED_PROFILE, "304")] * counts["http_status"].get("304", 0)
    fetched = {p.url.split("/", 3)[3] for f in (tmp_path / "r2" / "raw").glob("*.warc.gz")
               for p in iter_warc_pages(f, tmp_path / "r2")}
    assert {"news/103.html", "news/105.html"} <= fetched  # new lastmod: fetched
    statuses = [p.status for f in (tmp_path / "r2" / "raw").glob("*.warc.gz")
                for p in iter_warc_pages(f, tmp_path / "r2")]
    assert 304 not in statuses and 200 in statuses


def test_locked_state_refuses_a_second_run(mockserver, tmp_path):
    site, state = write_site(tmp_path, mockserver), tmp_path / "state"
    with CrawlState.open(state, "mock-news") as held:
        held.lock()
        proc = run_gleaner("crawl", str(site), "--state", str(state), "--out", str(tmp_path / "r"))
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "mock-news" in proc.stderr
    assert not (tmp_path / "r").exists()


def test_bad_site_config_is_a_one_line_error(tmp_path):
    site = tmp_path / "broken.yaml"
    site.write_text("start_url: https://example.com/\n", encoding="utf-8")
    proc = run_gleaner("crawl", str(site), "--out", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "broken.yaml" in proc.stderr and "start_url" in proc.stderr
