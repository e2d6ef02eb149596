"""Incremental crawl state (crawler/state.py): SQLite, versions, outbox, lock, SIGKILL safety."""
import doctest
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler import state as state_module
from crawler.health import HealthThresholds, evaluate_health
from crawler.state import CrawlState, StateError, StateLocked, Verdict
from crawler.urls import url_key
from output.schema import ArticleRecord, short_hash

ROOT = Path(__file__).resolve().parent.parent


def make_record(n: int, text: str = "", url: str | None = None) -> ArticleRecord:
    url = url or f"https://www.example.com/news/{n}.html"
    text = text or f"Article {n} body. " * 20
    article_id = short_hash(url)
    content_hash = short_hash(f"Title {n}", text)
    return ArticleRecord(url=url, canonical_url=url, article_id=article_id,
                         content_hash=content_hash, record_id=short_hash(article_id, content_hash),
                         title=f"Title {n}", text=text, http_status=200,
                         fetched_at="2026-11-27T04:10:00Z")


@pytest.fixture
def st(tmp_path):
    state = CrawlState.open(tmp_path / "state", "example.com")
    state.lock()
    yield state
    state.close()


def test_doctests():
    result = doctest.testmod(state_module)
    assert result.attempted >= 4 and result.failed == 0


def test_open_creates_wal_database(tmp_path, st):
    assert st.db_path == tmp_path / "state" / "example.com.sqlite3"
    assert st._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert st._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    tables = {r[0] for r in st._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"urls", "articles", "runs", "outbox", "exports", "meta", "visits"} <= tables


def test_new_changed_unchanged_across_runs(st):
    run1 = st.begin_run("run-1")
    first = st.commit_record(make_record(1))
    assert first.decision.verdict is Verdict.NEW and first.decision.version == 1
    assert first.record["version"] == 1 and first.record["crawl_run_id"] == "run-1"
    assert first.record["previous_record_id"] is None
    st.end_run()

    st.begin_run("run-2")
    assert st.decide(make_record(1)).verdict is Verdict.UNCHANGED
    same = st.commit_record(make_record(1))
    assert same.decision.verdict is Verdict.UNCHANGED and same.record is None
    edited = make_record(1, text="A corrected text. " * 20)
    decision = st.decide(edited)
    assert decision.verdict is Verdict.CHANGED and decision.version == 2
    assert decision.previous_record_id == first.record["record_id"]
    changed = st.commit_record(edited)
    assert changed.record["version"] == 2 and changed.record["crawl_run_id"] == "run-2"
    assert changed.record["previous_record_id"] == first.record["record_id"]
    # the same changed text again in this run is not exported twice
    assert st.commit_record(edited).decision.verdict is Verdict.UNCHANGED
    summary = st.end_run()
    assert (summary.articles, summary.unchanged, summary.changed, summary.new) == (1, 1, 0, 0)
    assert summary.pages == 3 and run1 == "run-1"
    rows = st._conn.execute("SELECT article_id, version FROM outbox ORDER BY seq").fetchall()
    assert [tuple(r) for r in rows] == [(first.record["article_id"], 1),
                                        (first.record["article_id"], 2)]


def test_text_reverting_to_an_old_version_is_a_new_version(st):
    st.begin_run()
    a, b = make_record(1, text="Text A. " * 30), make_record(1, text="Text B. " * 30)
    assert [st.commit_record(r).decision.version for r in (a, b, a)] == [1, 2, 3]


def test_same_article_under_two_urls_is_one_article(st):
    st.begin_run()
    rec = make_record(1)
    other_url = rec.url.replace("www.", "") + "?utm_source=x"
    import dataclasses
    twin = dataclasses.replace(rec, url=other_url)
    assert st.commit_record(rec).decision.verdict is Verdict.NEW
    assert st.commit_record(twin).decision.verdict is Verdict.UNCHANGED
    assert st.end_run().articles == 1


def test_first_visit_is_per_run(st):
    st.begin_run("r1")
    keys = [url_key(f"https://www.example.com/news/{n}.html") for n in range(50)]
    assert all(st.first_visit(k) for k in keys)
    assert not any(st.first_visit(k) for k in keys)
    st.end_run()
    st.begin_run("r2")
    assert st.first_visit(keys[0]) is True
    assert st._conn.execute("SELECT count(*) FROM visits").fetchone()[0] == 1


def test_validators_kept_exactly_as_received(st):
    st.begin_run()
    rec = make_record(1)
    key = url_key(rec.url)
    assert st.validators(key) is None
    st.commit_record(rec, etag='W/"5f-1a2B"', last_modified="Tue, 17 Jul 2021 08:38:28 GMT")
    assert st.validators(key) == ('W/"5f-1a2B"', "Tue, 17 Jul 2021 08:38:28 GMT")
    # next fetch without validators: the stale ones must not be sent again
    st.commit_record(rec)
    assert st.validators(key) is None
    # listing pages never get validators
    st.record_page("https://www.example.com/news/", http_status=200)
    assert st.validators(url_key("https://www.example.com/news/")) is None


def test_rejected_page_stops_being_an_article(st):
    st.begin_run()
    rec = make_record(1)
    st.commit_record(rec, etag='"e1"')
    st.record_page(rec.url, outcome="rejected", http_status=200)
    assert st.validators(url_key(rec.url)) is None
    assert [k.url for k in st.known_article_urls()] == []


def test_not_modified_counts_as_seen_article(st):
    st.begin_run("r1")
    rec = make_record(1, text="x" * 1000)
    st.commit_record(rec, etag='"e1"')
    st.end_run()
    st.begin_run("r2")
    assert st.mark_not_modified(url_key(rec.url)) is True
    assert st.mark_not_modified(url_key("https://www.example.com/unknown")) is False
    summary = st.end_run()
    assert (summary.pages, summary.articles, summary.not_modified) == (2, 1, 1)
    assert summary.mean_text_length == 1000
    assert st.validators(url_key(rec.url)) == ('"e1"', None)
    assert st.pending_exports() == 1  # nothing new queued by a 304


def test_record_page_outcomes_and_bad_outcome(st):
    st.begin_run()
    st.record_page("https://www.example.com/news/", http_status=200)
    st.record_page("https://www.example.com/x", outcome="error", http_status=503)
    st.record_page("https://www.example.com/about", outcome="rejected", http_status=200)
    st.add_counts(errors=1, pages=1)
    with pytest.raises(ValueError, match="outcome"):
        st.record_page("https://www.example.com/y", outcome="weird")
    with pytest.raises(ValueError, match="unknown run counters"):
        st.add_counts(bogus=1)
    s = st.end_run()
    assert (s.pages, s.errors, s.rejected, s.articles) == (4, 2, 1, 0)
    assert s.mean_text_length is None


def test_known_article_urls_pages_through_sqlite(st, monkeypatch):
    monkeypatch.setattr(state_module, "PAGE_SIZE", 7)
    st.begin_run()
    for n in range(30):
        st.commit_record(make_record(n), etag=f'"e{n}"')
    st.record_page("https://www.example.com/news/", http_status=200)
    known = list(st.known_article_urls())
    assert len(known) == 30 and len({k.url_key for k in known}) == 30
    assert [k.url_key for k in known] == sorted(k.url_key for k in known)
    assert {k.etag for k in known} == {f'"e{n}"' for n in range(30)}


def test_runs_previous_run_and_health(st):
    limits = HealthThresholds(min_articles=1, max_error_share=0.5, max_text_drop=0.5)
    st.begin_run("2026-a")
    for n in range(4):
        st.commit_record(make_record(n, text="long text " * 100))
    s1 = st.end_run()
    assert s1.mean_text_length == 1000 and st.previous_run() is None
    h1 = evaluate_health(s1, limits, st.previous_run())
    assert h1.exit_code == 0
    st.record_health(h1)

    st.begin_run("2026-b")  # a redesign: the cleaner finds only a fraction of the text
    for n in range(4):
        st.commit_record(make_record(n, text="short " * 30))
    s2 = st.end_run()
    previous = st.previous_run()
    assert previous.run_id == "2026-a" and previous.health_exit == 0
    h2 = evaluate_health(s2, limits, previous)
    assert h2.exit_code == 1 and "dropped 82%" in h2.reason
    st.record_health(h2)

    st.begin_run("2026-c")  # still short: compared with the last *healthy* run, still unhealthy
    st.commit_record(make_record(9, text="short " * 30))
    s3 = st.end_run()
    assert st.previous_run().run_id == "2026-a"
    assert evaluate_health(s3, limits, st.previous_run()).exit_code == 1


def test_killed_run_is_marked_interrupted(tmp_path):
    a = CrawlState.open(tmp_path, "site")
    a.lock()
    a.begin_run("dead")
    a.close()  # never ended
    b = CrawlState.open(tmp_path, "site")
    b.lock()
    b.begin_run("next")
    status = dict(b._conn.execute("SELECT run_id, status FROM runs").fetchall())
    assert status == {"dead": "interrupted", "next": "running"}
    b.end_run()
    assert b.previous_run() is None or b.previous_run().run_id != "dead"
    b.close()


def test_writes_need_the_lock_and_a_run(tmp_path):
    state = CrawlState.open(tmp_path, "site")
    with pytest.raises(StateError, match="not locked"):
        state.begin_run()
    state.lock()
    with pytest.raises(StateError, match="begin_run"):
        state.commit_record(make_record(1))
    state.close()


def test_bad_record_writes_nothing(st):
    st.begin_run()
    with pytest.raises(ValueError, match="lacks article_id"):
        st.commit_record({"url": "https://www.example.com/a", "content_hash": "h",
                          "record_id": "r"})
    assert st._conn.execute("SELECT count(*) FROM urls").fetchone()[0] == 0
    assert st.end_run().pages == 0


def test_dict_records_are_accepted(st):
    st.begin_run()
    data = make_record(1).to_dict()
    data["unknown_extra"] = 1
    commit = st.commit_record(data)
    assert commit.decision.verdict is Verdict.NEW and "unknown_extra" not in commit.record


def test_corrupt_and_newer_databases_are_refused(tmp_path):
    (tmp_path / "bad.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="not a usable state database"):
        CrawlState.open(tmp_path, "bad")
    CrawlState.open(tmp_path, "new").close()
    conn = sqlite3.connect(tmp_path / "new.sqlite3")
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="newer than this gleaner"):
        CrawlState.open(tmp_path, "new")


@pytest.mark.parametrize("site", ["", "..", "a/b", "c:d"])
def test_bad_site_names(tmp_path, site):
    with pytest.raises(StateError, match="bad site name"):
        CrawlState.open(tmp_path, site)


# --- export outbox ---------------------------------------------------------------------------

def test_export_claims_each_record_once(tmp_path, st):
    from output.writers import export_records
    st.begin_run()
    for n in range(5):
        st.commit_record(make_record(n))
    out = tmp_path / "run1"
    batch = st.begin_export(out / "articles.jsonl")
    assert batch.records == 5 and st.pending_exports() == 0
    counts = export_records(lambda: st.iter_export(batch.export_id), out, formats=("jsonl",))
    st.finish_export(batch.export_id)
    assert counts["articles.jsonl"] == 5
    lines = (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len({json.loads(line)["article_id"] for line in lines}) == 5
    # the next export gets only what was committed after
    st.commit_record(make_record(5))
    st.commit_record(make_record(0, text="changed text " * 30))
    batch2 = st.begin_export(tmp_path / "run2" / "articles.jsonl")
    records = list(st.iter_export(batch2.export_id))
    assert [(r["title"], r["version"]) for r in records] == [("Title 5", 1), ("Title 0", 2)]
    assert list(st.iter_export(batch2.export_id)) == records  # re-iterable (once per format)


def test_unfinished_export_without_file_is_claimed_again(tmp_path, st):
    st.begin_run()
    for n in range(3):
        st.commit_record(make_record(n))
    lost = st.begin_export(tmp_path / "never-written.jsonl")  # process died before writing
    assert lost.records == 3
    st.commit_record(make_record(3))
    again = st.begin_export(tmp_path / "run2.jsonl")
    assert again.records == 4
    assert len(list(st.iter_export(lost.export_id))) == 0


def test_unfinished_export_whose_file_exists_is_not_exported_twice(tmp_path, st):
    st.begin_run()
    st.commit_record(make_record(1))
    target = tmp_path / "articles.jsonl"
    done = st.begin_export(target)
    target.write_text("written, then the process died before finish_export\n")
    st.commit_record(make_record(2))
    later = st.begin_export(tmp_path / "next.jsonl")
    assert later.records == 1 and done.records == 1
    finished = st._conn.execute("SELECT finished_at FROM exports WHERE export_id = ?",
                                (done.export_id,)).fetchone()[0]
    assert finished is not None


# --- processes: lock contention and SIGKILL ---------------------------------------------------

HOLDER = """
import sys, time
from crawler.state import CrawlState
state = CrawlState.open(sys.argv[1], "example.com")
state.lock()
state.begin_run("holder-run")
print("locked", flush=True)
time.sleep(60)
"""

WRITER = """
import json, sys, time
from pathlib import Path
from crawler.state import CrawlState
from output.schema import ArticleRecord, short_hash
state_dir, total, delay, export_to = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
state = CrawlState.open(state_dir, "example.com")
state.lock()
state.begin_run()
for n in range(total):
    url = f"https://www.example.com/news/{n}.html"
    text = f"Article {n} body. " * 20
    aid, chash = short_hash(url), short_hash(f"Title {n}", text)
    rec = ArticleRecord(url=url, canonical_url=url, article_id=aid, content_hash=chash,
                        record_id=short_hash(aid, chash), title=f"Title {n}", text=text)
    commit = state.commit_record(rec, etag=f'"{n}"')
    print(n, commit.decision.verdict.value, flush=True)
    time.sleep(delay)
state.end_run()
if export_to != "-":
    from output.writers import atomic_write
    batch = state.begin_export(export_to)
    print("exporting", batch.records, flush=True)
    with atomic_write(export_to) as fh:
        for record in state.iter_export(batch.export_id):
            fh.write(json.dumps(record) + "\\n")
            fh.flush()
            time.sleep(delay)
    state.finish_export(batch.export_id)
print("done", flush=True)
"""


def spawn(script: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_until(proc: subprocess.Popen, predicate, timeout: float = 30.0) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if predicate(lines):
            return lines
    raise AssertionError(f"child did not get there: {lines[-3:]} {proc.stderr.read()[-2000:]}")


def kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stderr.close()


def test_two_processes_contend_for_the_lock(tmp_path):
    holder = spawn(HOLDER, str(tmp_path))
    try:
        read_until(holder, lambda lines: lines[-1] == "locked")
        contender = CrawlState.open(tmp_path, "example.com")
        with pytest.raises(StateLocked) as info:
            contender.lock()
        message = str(info.value)
        assert f"pid {holder.pid}" in message and "holder-run" in message
        assert "started 20" in message and "example.com.lock" in message
        assert not contender.locked
    finally:
        kill9(holder)
    contender.lock()  # the dead holder's flock is gone with its process
    assert contender.locked
    contender.begin_run()
    status = dict(contender._conn.execute("SELECT run_id, status FROM runs").fetchall())
    assert status["holder-run"] == "interrupted"
    contender.close()


def test_sigkilled_writer_loses_nothing_and_doubles_nothing(tmp_path):
    total = 120
    state_dir = str(tmp_path / "state")
    committed_before_kill = []
    for stop_after in (15, 50, 95):  # kill -9 at three different points, restarting each time
        proc = spawn(WRITER, state_dir, str(total), "0.004", "-")
        lines = read_until(proc, lambda ls, k=stop_after: len(ls) >= k)
        kill9(proc)
        committed_before_kill.append(sum(" new" in x for x in lines))
        state = CrawlState.open(state_dir, "example.com")
        assert state.check() == []
        rows = state._conn.execute("SELECT article_id, version FROM outbox").fetchall()
        assert len(rows) == len({r[0] for r in rows})  # nothing doubled
        assert all(r[1] == 1 for r in rows)
        # every commit the child reported is there (it may have committed one more)
        reported = {int(x.split()[0]) for x in lines if " " in x and x.split()[0].isdigit()}
        urls = {r[0] for r in state._conn.execute("SELECT url FROM urls")}
        assert {f"https://www.example.com/news/{n}.html" for n in reported} <= urls
        state.close()
    # a last run completes and exports, but is killed during its export ...
    export = tmp_path / "articles.jsonl"
    proc = spawn(WRITER, state_dir, str(total), "0.002", str(export))
    read_until(proc, lambda ls: ls[-1].startswith("exporting"))
    time.sleep(0.05)
    kill9(proc)
    assert not export.exists()  # atomic: no half file
    # ... and the next run exports every article exactly once
    proc = spawn(WRITER, state_dir, str(total), "0", str(export))
    lines = read_until(proc, lambda ls: ls[-1] == "done")
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stderr.close()
    assert all(x.split()[1] == "unchanged" for x in lines if x.split()[0].isdigit())
    exported = [json.loads(line)["article_id"] for line in export.read_text().splitlines()]
    assert len(exported) == total and len(set(exported)) == total
    state = CrawlState.open(state_dir, "example.com")
    assert state.pending_exports() == 0 and state.check() == []
    runs = dict(state._conn.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall())
    assert runs == {"interrupted": 3, "finished": 2}
    state.close()
    assert committed_before_kill[0] >= 15 and sum(committed_before_kill) < total
