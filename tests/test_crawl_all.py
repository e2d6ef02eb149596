"""`gleaner crawl --all sites/`: every enabled site config, each in its own run folder."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def gleaner(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def test_all_enabled_sites_are_crawled(mockserver, tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "alpha.yaml").write_text(f"start_urls:\n  - {mockserver}/news/index.html\n"
                                      "limits:\n  max_pages: 3\n", "utf-8")
    (sites / "beta.yaml").write_text(f"feeds:\n  - {mockserver}/news/rss.xml\n"
                                     "article_patterns:\n  - '/news/1\\d\\d\\.html$'\n"
                                     "limits:\n  max_depth: 1\n", "utf-8")
    (sites / "gamma.yaml").write_text(f"enabled: false\nstart_urls:\n  - {mockserver}/\n", "utf-8")
    (sites / "delta.yaml").write_text(f"start_urls:\n  - {mockserver}/news/104.html\n"  # unhealthy
                                      "limits:\n  max_pages: 3\nhealth:\n  min_articles: 50\n",
                                      "utf-8")
    (sites / "_draft.yaml").write_text("not: [valid", "utf-8")  # '_' files are not read
    proc = gleaner("crawl", "--all", str(sites), "--state", str(tmp_path / "state"),
                   "--out", str(tmp_path / "out"), "--set", "AUTOTHROTTLE_ENABLED=0")
    assert proc.returncode == 1, proc.stderr[-2000:]  # the worst of 0, 0, 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["alpha", "beta", "delta"]
    # the unhealthy site says why in one line; the closing summary has one line per site
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "gleaner crawl: delta: unhealthy: too few articles:")
    summary = proc.stdout.split("== summary (worst exit code 1)\n", 1)[1].splitlines()
    assert [line.split(":")[0] for line in summary] == ["alpha", "beta", "delta"]
    assert summary[0].startswith("alpha: exit 0: healthy:")
    assert summary[2].startswith("delta: exit 1: unhealthy: too few articles:")
    assert "< 50 (" in summary[2]
    (alpha,) = (tmp_path / "out" / "alpha").iterdir()
    (beta,) = (tmp_path / "out" / "beta").iterdir()
    alpha_report = json.loads((alpha / "run.json").read_text("utf-8"))
    beta_report = json.loads((beta / "run.json").read_text("utf-8"))
    assert alpha_report["site"] == "alpha" and alpha_report["finish_reason"] == "closespider_pagecount"
    assert beta_report["site"] == "beta" and beta_report["counts"]["articles_exported"] == 7
    assert sorted(p.name for p in (tmp_path / "state").glob("*.sqlite3")) == [
        "alpha.sqlite3", "beta.sqlite3", "delta.sqlite3"]
    assert "== alpha" in proc.stdout and "== beta" in proc.stdout


def test_one_bad_config_stops_everything_before_any_fetch(tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "good.yaml").write_text("start_urls:\n  - http://127.0.0.1:9/\n", "utf-8")
    (sites / "bad.yaml").write_text("start_urls:\n  - http://127.0.0.1:9/\nlimits:\n"
                                    "  max_pages: lots\n", "utf-8")
    proc = gleaner("crawl", "--all", str(sites), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "bad.yaml: limits.max_pages:" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
