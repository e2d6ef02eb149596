"""Parity: re-cleaning a real crawl's archive with unchanged rules gives the crawl's records.

The crawl is the real thing: ``python -m crawler crawl`` in a subprocess against the mock
server on 127.0.0.1 (tests/mockserver.py: the sample site plus bad endpoints).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_reclean_support import load_jsonl

from reclean import Options, UsageError, run_reclean

REPO_ROOT = Path(__file__).resolve().parent.parent
FAST = ("--set", "AUTOTHROTTLE_ENABLED=0", "--set", "DOWNLOAD_TIMEOUT=1", "--set", "RETRY_TIMES=1")


def gleaner(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def crawl_run(mockserver, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("crawl") / "site"
    proc = gleaner("crawl", f"{mockserver}/bad/index.html", "--out", str(out), *FAST)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def test_reclean_of_a_crawl_run_folder_gives_the_crawls_records_field_for_field(crawl_run, tmp_path):
    crawled = {r["url"]: r for r in load_jsonl(crawl_run / "articles.jsonl")}
    assert len(crawled) >= 5
    # a subprocess like the crawl: both import the cleaning code as it is on disk now
    proc = gleaner("reclean", str(crawl_run), "--out", str(tmp_path / "re"), "--workers", "1",
                   "--diff", str(crawl_run))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "changed 0" in proc.stdout and "added 0, removed 0" in proc.stdout
    summary = json.loads((tmp_path / "re" / "reclean.json").read_text())
    assert summary["exit_code"] == 0 and summary["failures"] == {}
    rows = load_jsonl(tmp_path / "re" / "articles.jsonl")
    recleaned = {r["url"]: r for r in rows}
    assert len(rows) == len(recleaned) and summary["records"] == len(rows)
    assert recleaned == crawled  # every field but crawl_run_id / version / previous_record_id
    assert all(r["raw_ref"].startswith("raw/") for r in recleaned.values())
    # what the crawl archived but never cleaned is counted, not cleaned
    assert summary["skipped"]["record_request"] >= len(crawled)
    assert summary["diff"]["changed_records"] == 0 and summary["diff"]["added"] == 0
    with pytest.raises(UsageError, match="crawl run folder"):  # never overwrite the crawl
        run_reclean(Options(inputs=(str(crawl_run),), out_dir=str(crawl_run), workers=0))
    run_ids = {json.loads(line)["crawl_run_id"]
               for line in (tmp_path / "re" / "articles.jsonl").read_text().splitlines()}
    assert run_ids == {summary["run_id"]}
