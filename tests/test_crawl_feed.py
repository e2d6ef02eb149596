"""A site config that names only a feed and which URLs are articles."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NEWS = {f"/news/{n}.html" for n in range(101, 108)}


def test_feed_only_site_with_article_patterns(mockserver, tmp_path):
    site = tmp_path / "feedonly.yaml"
    site.write_text(f"feeds:\n  - {mockserver}/news/rss.xml\n"
                    "article_patterns:\n  - '/news/\\d+\\.html$'\n"
                    "deny:\n  - /products/\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", str(site), "--out",
                           str(tmp_path / "run"), "--set", "AUTOTHROTTLE_ENABLED=0"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads((tmp_path / "run" / "run.json").read_text("utf-8"))
    records = [json.loads(line) for line in
               (tmp_path / "run" / "articles.jsonl").read_text("utf-8").splitlines()]
    assert {r["url"][len(mockserver):] for r in records} == NEWS
    assert report["site"] == "feedonly"
    rejected = {n["url"][len(mockserver):]: n["reason"] for n in report["rejected_pages"]}
    assert rejected["/news/index.html"] == "not_article_url"  # followed, not cleaned
    assert rejected["/about.html"] == "not_article_url"
    assert not any("/products/" in u for u in rejected)  # denied: never fetched


def test_sitemap_index_with_gzipped_sitemap(mockserver, tmp_path):
    """A site config naming a sitemap index: its gzipped sitemap lists the articles; an
    off-site sitemap in the index is not fetched."""
    site = tmp_path / "bysitemap.yaml"
    site.write_text(f"sitemaps:\n  - {mockserver}/sitemaps/index.xml\n"
                    "article_patterns:\n  - '/news/\\d+\\.html$'\nlimits:\n  max_depth: 1\n",
                    encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", str(site), "--out",
                           str(tmp_path / "run"), "--set", "AUTOTHROTTLE_ENABLED=0"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    records = [json.loads(line) for line in
               (tmp_path / "run" / "articles.jsonl").read_text("utf-8").splitlines()]
    assert {r["url"][len(mockserver):] for r in records} == NEWS
    report = json.loads((tmp_path / "run" / "run.json").read_text("utf-8"))
    assert report["counts"]["errors"] == {}
