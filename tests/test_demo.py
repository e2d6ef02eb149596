"""`gleaner demo` serves the bundled site, crawls it and prints the records."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_demo_crawls_the_sample_site_and_prints_records(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-m", "crawler", "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "serving the sample site at http://127.0.0.1:" in out
    assert "- Chengdu Construction of Science and Technology Innovation Center\n" in out
    assert "date: 2021-07-17T16:38:28" in out
    assert "prev: Experts are optimistic about the future of Chengdu" in out
    assert "next: Chengdu's Jiuyan Bridge becomes a landmark" in out
    assert "| \"Only innovators advance" in out
    (run_dir,) = (tmp_path / "out" / "demo").iterdir()
    records = [json.loads(line) for line in (run_dir / "articles.jsonl").read_text("utf-8").splitlines()]
    assert len(records) == 7  # the seven news articles, nothing else
    assert all("/news/" in r["url"] for r in records)
    assert "7 articles exported" in out and str(run_dir.relative_to(tmp_path)) in out
