"""SIGKILL in the middle of a crawl loses no committed record and leaves no orphan process.

The crawl starts at /bad/index.html, whose slow page (4 s) keeps the run open while the
other pages are cleaned; the crawler is killed with SIGKILL as soon as records are
committed. The next run with the same state exports them (outbox), none twice.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from output.archive import ArchiveProblem, iter_warc_pages

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTICLE_PATHS = {f"/news/{n}.html" for n in range(101, 108)} | {"/bad/cafe-zurich.html"}


def gleaner(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler", *args]


def descendants(pid: int) -> set[int]:
    """Pids of every process below pid (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def outbox_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_sigkill_then_rerun_exports_every_committed_record_once(mockserver, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    site = tmp_path / "crashy.yaml"
    site.write_text(f"name: crashy\nstart_urls:\n  - {mockserver}/bad/index.html\n", "utf-8")
    state, db = tmp_path / "state", tmp_path / "state" / "crashy.sqlite3"
    proc = subprocess.Popen(gleaner("crawl", str(site), "--state", str(state), "--out",
                                    str(tmp_path / "r1"), "--set", "AUTOTHROTTLE_ENABLED=0",
                                    "--set", "DOWNLOAD_TIMEOUT=20"),
                            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: outbox_count(db) >= 4, 60), "no record committed in time"
        workers = descendants(proc.pid)
        assert workers, "the cleaning pool should run in child processes"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    committed = outbox_count(db)
    assert not (tmp_path / "r1" / "articles.jsonl").exists()  # killed before the export
    assert wait_for(lambda: not any(alive(p) for p in workers), 15), "orphan processes left"
    for warc in (tmp_path / "r1" / "raw").glob("*.warc.gz"):  # readable up to the cut
        items = list(iter_warc_pages(warc, tmp_path / "r1"))
        assert not any(isinstance(i, ArchiveProblem) for i in items[:-1])
        assert any(not isinstance(i, ArchiveProblem) for i in items)

    rerun = subprocess.run(gleaner("crawl", str(site), "--state", str(state), "--out",
                                   str(tmp_path / "r2"), "--set", "AUTOTHROTTLE_ENABLED=0",
                                   "--set", "DOWNLOAD_TIMEOUT=2.5", "--set", "RETRY_TIMES=0"),
                           cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode in (0, 1), rerun.stderr[-2000:]  # health may flag the errors
    records = [json.loads(line) for line in
               (tmp_path / "r2" / "articles.jsonl").read_text("utf-8").splitlines()]
    paths = [r["url"][len(mockserver):] for r in records]
    assert len(paths) == len(set(paths)) and len(records) >= committed
    assert ARTICLE_PATHS <= set(paths)
    assert all(r["version"] == 1 for r in records)


def test_sigkill_without_state_then_rerun_into_the_same_folder(mockserver, tmp_path):
    """No state: the spool in the run folder keeps the records; a second run into the same
    folder picks it up (a torn last line is cut) and exports every article once."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = tmp_path / "run"
    scratch = tmp_path / "scratch"  # the runs' seen sets and request queues (on disk)
    args = gleaner("crawl", f"{mockserver}/bad/index.html", "--out", str(out),
                   "--set", "AUTOTHROTTLE_ENABLED=0", "--set", "DOWNLOAD_TIMEOUT=20",
                   "--set", f"GLEANER_SEEN_DIR={scratch}")
    proc = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    spool = out / "spool.jsonl"

    def spooled() -> int:
        return spool.read_bytes().count(b"\n") if spool.exists() else 0

    try:
        assert wait_for(lambda: spooled() >= 3, 60), "nothing spooled in time"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = sorted(p.name for p in scratch.iterdir())
    assert [n.split("-")[1:3] for n in left] == [["queue", str(proc.pid)], ["seen", str(proc.pid)]]
    lines = spool.read_text("utf-8").splitlines()
    assert all(json.loads(line)["record_id"] for line in lines)  # whole lines only
    with open(spool, "ab") as fh:
        fh.write(b'{"record_id": "torn')  # as if killed mid-write
    rerun = subprocess.run(gleaner("crawl", f"{mockserver}/bad/index.html", "--out", str(out),
                                   "--set", "AUTOTHROTTLE_ENABLED=0", "--set", "DOWNLOAD_TIMEOUT=2",
                                   "--set", "RETRY_TIMES=0", "--set", f"GLEANER_SEEN_DIR={scratch}"),
                           cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode in (0, 1), rerun.stderr[-2000:]  # health may flag the errors
    assert "Traceback" not in rerun.stderr
    records = [json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()]
    paths = [r["url"][len(mockserver):] for r in records]
    assert len(paths) == len(set(paths)) and ARTICLE_PATHS <= set(paths)
    assert not spool.exists()
    assert list(scratch.iterdir()) == []  # the killed run's scratch swept, the rerun's removed
