"""Politeness and limits of a site config under a plain `scrapy crawl articles -a site=...`
(the way scrapyd runs it), with a robots.txt that asks for a Crawl-delay."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_plain_scrapy_crawl_obeys_site_limits_and_crawl_delay(private_mockserver, tmp_path):
    base = private_mockserver
    urllib.request.urlopen(f"{base}/_control/crawl-delay").read()
    site = tmp_path / "polite.yaml"
    site.write_text(f"start_urls:\n  - {base}/news/index.html\nlimits:\n  max_pages: 5\n"
                    "politeness:\n  download_delay: 0.2\n  concurrency_per_domain: 1\n"
                    "  user_agent_suffix: '(+mailto:ops@example.org)'\n", "utf-8")
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "articles",
                           "-a", f"site={site}", "-s", f"GLEANER_RUN_DIR={out}",
                           "-s", "LOG_LEVEL=INFO"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = [(t, p) for t, p in json.loads(urllib.request.urlopen(f"{base}/_control/log").read())]
    report = json.loads((out / "run.json").read_text("utf-8"))
    settings = report["settings"]
    assert settings["CLOSESPIDER_PAGECOUNT"] == 5 and report["finish_reason"] == "closespider_pagecount"
    assert settings["DOWNLOAD_DELAY"] == 0.2 and settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert settings["USER_AGENT"].endswith("(+mailto:ops@example.org)")
    assert 5 <= len(log) <= 6, log  # max_pages 5 (robots.txt included; + one in flight)
    assert [p for _, p in log].count("/robots.txt") == 1  # read once, sitemaps taken from it
    assert "/sitemap.xml" in [p for _, p in log]
    pages = [(t, p) for t, p in log if p != "/robots.txt"]
    gaps = [b[0] - a[0] for a, b in zip(pages, pages[1:], strict=False)]
    assert min(gaps) >= 0.9, gaps  # robots.txt Crawl-delay: 1 beats download_delay 0.2
    assert "Crawl-delay 1.0" in proc.stderr
