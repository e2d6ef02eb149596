"""gleaner reclean: folders of saved pages, WARCs (good and damaged), workers, resume, diff, CLI."""
from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_reclean_support import (
    article_html,
    load_jsonl,
    member_offsets,
    write_raw_http_warc,
    write_run_warc,
)

from reclean import Options, UsageError, run_reclean
from reclean.state import STATE_FILE

REPO_ROOT = Path(__file__).resolve().parent.parent


def reclean(inputs, out, **kw) -> dict:
    kw.setdefault("workers", 0)
    kw.setdefault("progress", False)
    return run_reclean(Options(inputs=tuple(str(i) for i in inputs), out_dir=str(out), **kw))


def cli(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "crawler", "reclean", *args], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


# ---------------------------------------------------------------- folders of saved pages
def test_folder_urls_from_sidecar_urls_tsv_canonical_og_and_file(tmp_path):
    pages = tmp_path / "saved"
    (pages / "sub").mkdir(parents=True)
    (pages / "a.html").write_text(article_html(1), "utf-8")
    (pages / "a.json").write_text(json.dumps({"url": "https://side.example/a",
                                              "fetched_at": "2026-01-02T03:04:05Z"}))
    (pages / "b.html.gz").write_bytes(gzip.compress(article_html(2).encode()))
    (pages / "urls.tsv").write_text("b.html.gz\thttps://tsv.example/b\n", "utf-8")
    canonical = '<link rel="canonical" href="https://canon.example/c?x=1&amp;y=2">'
    (pages / "c.htm").write_text(article_html(3, head=canonical), "utf-8")
    og = '<meta property="og:url" content="https://og.example/d">'
    (pages / "sub" / "d.html").write_text(article_html(4, head=og), "utf-8")
    (pages / "sub" / "e.html").write_text(article_html(5), "utf-8")
    latin = article_html(6, title="Caf\u00e9 Z\u00fcrich news", words="\u00e9t\u00e9 na\u00efve",
                         head='<meta charset="iso-8859-1">')
    (pages / "f.html").write_bytes(latin.encode("latin-1"))
    (pages / "notes.txt").write_text("not an input")

    summary = reclean([pages], tmp_path / "out")

    assert summary["exit_code"] == 0 and summary["records"] == 6, summary
    records = load_jsonl(tmp_path / "out" / "articles.jsonl")
    urls = [r["url"] for r in records]
    assert urls[:3] == ["https://side.example/a", "https://tsv.example/b",
                        "https://canon.example/c?x=1&y=2"]  # sorted input order
    assert urls[4:] == ["https://og.example/d", (pages / "sub" / "e.html").resolve().as_uri()]
    assert records[0]["fetched_at"] == "2026-01-02T03:04:05Z"
    cafe = records[3]
    assert cafe["title"] == "Caf\u00e9 Z\u00fcrich news" and "\u00e9t\u00e9 na\u00efve" in cafe["text"]
    assert cafe["charset_used"] in ("cp1252", "windows-1252", "iso-8859-1", "latin-1")
    assert cafe["raw_ref"] == str(pages / "f.html")
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {
        "articles.jsonl", "articles.csv", "articles.parquet", "reclean.json", STATE_FILE}


# ---------------------------------------------------------------- WARC input, good and bad
def test_warc_run_folder_and_damaged_inputs_are_counted_and_the_rest_goes_on(tmp_path):
    good_run = tmp_path / "in" / "run1"
    pages = {f"http://site.test/news/{n}.html": article_html(n).encode() for n in range(4)}
    write_run_warc(good_run, pages, gzip_bodies=True)
    other = {f"http://other.test/news/{n}.html": article_html(n).encode() for n in range(4)}
    warc = write_run_warc(tmp_path / "src", other, gzip_bodies=True)  # damaged copies below
    data = warc.read_bytes()
    offsets = member_offsets(warc)  # warcinfo, then response+request per page
    bad = tmp_path / "in" / "bad"
    bad.mkdir()
    (bad / "truncated.warc.gz").write_bytes(data[: offsets[5] + 40])  # inside page 2
    # page 1's response member ends early; page 2 and later are whole again
    (bad / "member-cut.warc.gz").write_bytes(data[: offsets[3] + 60] + data[offsets[5]:])
    write_raw_http_warc(bad / "broken-header.warc.gz", b"HTTP/1.1 two hundred\r\nbroken\r\n\r\nx")
    (bad / "not-a-warc.warc.gz").write_bytes(gzip.compress(b"<html>just a page</html>"))
    saved = tmp_path / "in" / "saved"
    saved.mkdir()
    (saved / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (saved / "half.html.gz").write_bytes(gzip.compress(article_html(7).encode())[:200])
    (saved / "gone.html").symlink_to(saved / "deleted.html")  # dangling link: unreadable
    locked = saved / "locked.html"
    locked.write_text(article_html(8))
    locked.chmod(0)

    (tmp_path / "named-oddly.bin").write_bytes(data)  # a WARC whatever its name
    summary = reclean([tmp_path / "in", tmp_path / "named-oddly.bin"], tmp_path / "out")

    failures = summary["failures"]
    assert summary["exit_code"] == 1
    assert failures.get("truncated_record", 0) >= 1  # truncated.warc.gz
    assert failures.get("broken_http_header") == 1
    assert failures.get("not_a_warc") == 1
    assert failures.get("broken_gzip") == 1  # half.html.gz
    # the dangling link, and locked.html unless we run as root (root reads mode-000 files)
    assert failures["unreadable"] == (1 if os.geteuid() == 0 else 2)
    failed = {Path(f["input"]).name for f in summary["failure_examples"]}
    assert failed >= {"truncated.warc.gz", "member-cut.warc.gz", "broken-header.warc.gz",
                      "not-a-warc.warc.gz", "half.html.gz", "gone.html"}
    assert summary["inputs"]["failed"] == len(failed)
    assert summary["skipped"]["not_html"] == 3  # the PNG response of run1, member-cut, .bin
    assert summary["rejected"].get("not_html") == 1  # image.html, judged by cleaning
    urls = [r["url"] for r in load_jsonl(tmp_path / "out" / "articles.jsonl")]
    # every whole page survives: pages 0 and 2-3 of member-cut, 0-1 of truncated (page 0
    # twice: exported once, the second is a duplicate as in a crawl), and all of run1
    assert sorted(u for u in urls if "other.test" in u) == sorted(other)
    locked_readable = os.geteuid() == 0
    assert summary["duplicates"] == 1 + 4  # named-oddly.bin repeats the other.test pages
    assert summary["records"] == len(urls) == 4 + 4 + 1 + locked_readable
    assert summary["inputs"]["warc"] == 6
    assert "http://site.test/after" in urls  # the record after the broken header
    run1 = [r for r in load_jsonl(tmp_path / "out" / "articles.jsonl")
            if r["raw_ref"].startswith("raw/")]
    assert len(run1) == 4 and all(r["raw_ref"].startswith("raw/gleaner-") for r in run1)
    assert run1[0]["fetched_at"] == "2026-11-27T04:00:00Z"


# ---------------------------------------------------------------- CLI
def test_cli_exit_codes_and_terminal_report(tmp_path, capsys):
    from crawler.cli import main
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        (pages / f"{n}.html").write_text(article_html(n))
    ok = cli(str(pages), "--out", str(tmp_path / "ok"), "--workers", "1")  # real subprocess
    assert ok.returncode == 0, ok.stderr
    assert "records 3" in ok.stdout and "pages/s" in ok.stdout
    assert "reclean: 3 pages" in ok.stderr  # plain progress line (not a TTY)
    (pages / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert main(["reclean", str(pages), "--out", str(tmp_path / "bad"), "--workers", "0",
                 "--progress", "log"]) == 1
    assert "broken_gzip" in capsys.readouterr().out
    assert json.loads((tmp_path / "bad" / "reclean.json").read_text())["records"] == 3
    assert main(["reclean", str(tmp_path / "nope"), "--out", str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err and not (tmp_path / "x").exists()
    assert main(["reclean", str(pages), "--out", str(tmp_path / "y"), "--formats", "xml"]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["reclean", str(pages)])  # --out is required
    assert usage.value.code == 2
    with pytest.raises(UsageError):
        reclean([pages], tmp_path / "z", diff_old=str(tmp_path / "no-such-run"))


# ---------------------------------------------------------------- workers, resume, Ctrl-C
@pytest.fixture(scope="module")
def mixed_inputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mixed")
    pages = root / "pages"
    pages.mkdir()
    for n in range(24):
        (pages / f"p{n:02d}.html").write_text(article_html(n, words="saved page"))
    pages_warc = {f"http://site.test/w/{n}.html": article_html(100 + n).encode()
                  for n in range(24)}
    write_run_warc(root / "run", pages_warc)
    return root


def test_two_workers_give_the_same_output_as_one_and_as_inline(mixed_inputs, tmp_path):
    outs = {}
    for workers in (0, 1, 2):
        summary = reclean([mixed_inputs], tmp_path / f"w{workers}", workers=workers)
        assert summary["exit_code"] == 0 and summary["records"] == 48
        outs[workers] = load_jsonl(tmp_path / f"w{workers}" / "articles.jsonl")
    assert outs[1] == outs[0] and outs[2] == outs[0]
    memory = reclean([mixed_inputs], tmp_path / "w2b", workers=2)["worker_memory_mb"]
    # 48 small pages: one worker may finish them all before the other gets a chunk
    assert memory["processes"] in (1, 2)
    assert 0 < memory["pss_max"] <= memory["peak_rss_max"] < 1024


def test_resume_skips_finished_inputs_and_redoes_changed_ones(mixed_inputs, tmp_path):
    out = tmp_path / "out"
    first = reclean([mixed_inputs], out)
    first_rows = load_jsonl(out / "articles.jsonl")
    again = reclean([mixed_inputs], out, resume=True)
    assert again["inputs"]["skipped_as_done"] == again["inputs"]["total"] == 25
    assert again["pages_cleaned_this_run"] == 0 and again["records"] == first["records"]
    assert load_jsonl(out / "articles.jsonl") == first_rows
    page = mixed_inputs / "pages" / "p03.html"
    st = page.stat()
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched: redo it
    third = reclean([mixed_inputs], out, resume=True)
    assert third["pages_cleaned_this_run"] == 1 and third["records"] == 48
    assert load_jsonl(out / "articles.jsonl") == first_rows
    fresh = reclean([mixed_inputs], out)  # without --resume everything runs again
    assert fresh["pages_cleaned_this_run"] == 48 and fresh["inputs"]["skipped_as_done"] == 0


def results_stored(state: Path) -> int:
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_ctrl_c_writes_what_is_done_and_resume_continues_inside_the_warc(tmp_path):
    total = 900  # enough that the first stored result comes well before the end
    pages = {f"http://site.test/n/{n:04d}.html": article_html(n).encode() for n in range(total)}
    write_run_warc(tmp_path / "run", pages)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "crawler", "reclean", str(tmp_path / "run"),
                             "--out", str(out), "--workers", "1"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while results_stored(out / STATE_FILE) == 0 and proc.poll() is None:
        assert time.monotonic() < deadline, "no progress stored"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr[-2000:]
    summary = json.loads((out / "reclean.json").read_text())
    assert summary["interrupted"] is True and "--resume" in stdout
    done = len(load_jsonl(out / "articles.jsonl"))
    assert 0 < done < total and summary["records"] == done
    resumed = reclean([tmp_path / "run"], out, resume=True)
    assert resumed["exit_code"] == 0 and resumed["records"] == total
    assert resumed["pages_cleaned_this_run"] <= total - done  # continued inside the WARC
    urls = [r["url"] for r in load_jsonl(out / "articles.jsonl")]
    assert urls == sorted(pages)


# ---------------------------------------------------------------- --diff
def test_diff_reports_changed_fields_added_and_removed(tmp_path):
    old_pages, new_pages = tmp_path / "old", tmp_path / "new"
    old_pages.mkdir(), new_pages.mkdir()
    for n in range(5):
        (old_pages / f"{n}.html").write_text(article_html(n))
        if n != 4:
            title = "A better headline" if n == 1 else None
            (new_pages / f"{n}.html").write_text(article_html(n, title=title))
    (new_pages / "9.html").write_text(article_html(9))
    for d in (old_pages, new_pages):
        (d / "urls.tsv").write_text("".join(f"{n}.html\thttps://x.test/{n}\n"
                                            for n in range(10)))
    reclean([old_pages], tmp_path / "old-out")
    summary = reclean([new_pages], tmp_path / "new-out", diff_old=str(tmp_path / "old-out"))
    report = summary["diff_report"]
    assert (report["matched"], report["added"], report["removed"]) == (4, 1, 1)
    assert report["changed_records"] == 1 and report["fields"]["title"]["changed"] == 1
    sample = report["fields"]["title"]["samples"][0]
    assert sample == {"key": "https://x.test/1", "before": "Library budget story b",
                      "after": "A better headline"}
    assert "crawl_run_id" not in report["fields"]
    assert report["added_sample"] == ["https://x.test/9"]
    assert report["removed_sample"] == ["https://x.test/4"]
    on_disk = json.loads((tmp_path / "new-out" / "diff.json").read_text())
    assert on_disk["fields"]["title"]["changed"] == 1
    assert summary["diff"]["changed_records"] == 1
    from reclean import format_diff
    text = format_diff(report)
    assert "title" in text and "'A better headline'" in text and "removed 1" in text


# ---------------------------------------------------------------- small parts
def test_reclean_doctests_pass():
    import doctest
    import importlib
    names = ("inputs", "warc", "work", "progress", "diff", "dask_run", "unique", "run")
    for name in names:
        module = importlib.import_module(f"reclean.{name}")
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, name


def test_progress_is_a_live_line_on_a_tty_and_log_lines_otherwise():
    import io

    from reclean.progress import Progress
    live, log = io.StringIO(), io.StringIO()
    for stream, is_live in ((live, True), (log, False)):
        progress = Progress(1000, stream=stream, live=is_live, interval=1e-9)
        progress.update(5, 250)
        progress.update(5, 500)
        progress.finish()
    assert live.getvalue().count("\r") == 3 and "\n" not in live.getvalue().rstrip("\n")
    assert "10 pages" in live.getvalue() and "50% of 1000 B" in live.getvalue()
    assert "ETA 0:00:00" in log.getvalue().splitlines()[1]  # half done almost at once
    assert len(log.getvalue().splitlines()) == 3 and "\r" not in log.getvalue()


def test_a_killed_worker_is_replaced_and_its_chunks_redone(mixed_inputs, tmp_path, monkeypatch):
    import reclean.run as run_module
    reclean([mixed_inputs], tmp_path / "ref")
    store = run_module.Collector.store
    killed: list[int] = []

    def store_then_kill_once(self, chunk, outcomes, pid, memory):
        store(self, chunk, outcomes, pid, memory)
        if pid and not killed:
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)  # a worker dies while others hold chunks
            time.sleep(0.5)

    monkeypatch.setattr(run_module.Collector, "store", store_then_kill_once)
    summary = reclean([mixed_inputs], tmp_path / "out", workers=2)
    assert killed and summary["pool_restarts"] >= 1
    assert summary["exit_code"] == 0 and summary["failures"] == {}
    assert load_jsonl(tmp_path / "out" / "articles.jsonl") == \
        load_jsonl(tmp_path / "ref" / "articles.jsonl")


def test_site_config_rules_apply_with_site_and_a_bad_config_is_a_usage_error(tmp_path, capsys):
    from crawler.cli import main
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(article_html(1))
    site = tmp_path / "acme.yaml"
    site.write_text("name: acme\nstart_urls: ['https://acme.test/']\n"
                    "cleaning:\n  drop_line_patterns: ['paragraph 3[.]']\n")
    assert main(["reclean", str(pages), "--out", str(tmp_path / "plain"), "--workers", "0"]) == 0
    assert main(["reclean", str(pages), "--out", str(tmp_path / "site"), "--workers", "0",
                 "--site", str(site)]) == 0
    plain = load_jsonl(tmp_path / "plain" / "articles.jsonl")[0]["text"]
    with_site = load_jsonl(tmp_path / "site" / "articles.jsonl")[0]["text"]
    assert "paragraph 3." in plain and "paragraph 3." not in with_site
    assert "paragraph 2." in with_site
    site.write_text("name: acme\nstart_url: 'https://acme.test/'\n")  # misspelt key
    capsys.readouterr()
    assert main(["reclean", str(pages), "--out", str(tmp_path / "bad"), "--site",
                 str(site)]) == 2
    assert "start_url" in capsys.readouterr().err


def test_resume_refuses_an_out_folder_made_with_other_cleaning_settings(tmp_path):
    import dataclasses

    from cleaning import DEFAULT_CONFIG
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(article_html(1))
    reclean([pages], tmp_path / "out")
    other = dataclasses.replace(DEFAULT_CONFIG, extra_drop_line_patterns=("paragraph 3",))
    with pytest.raises(UsageError, match="other cleaning settings"):
        reclean([pages], tmp_path / "out", resume=True, config=other)
    assert reclean([pages], tmp_path / "out", config=other)["records"] == 1  # fresh run: fine
