"""Crawl throughput with cleaning on vs off, and peak memory of a long crawl (issue 4).

Builds a local CMS-like site (bench/sitegen.py: N articles of ~30-100 KB with real prose,
paginated listings, sitemap.xml, robots.txt) in a temp dir, serves it from a separate
process on 127.0.0.1, and runs the real ``python -m crawler crawl URL --out DIR`` on it
with politeness relaxed for loopback (``--set AUTOTHROTTLE_ENABLED=False`` ...):

* throughput (default): cleaning off (``GLEANER_CLEAN_WORKERS=0``) and on (1 and 2
  workers), back to back; pages/s of the crawl phase (Scrapy's "Spider opened" to
  "Closing spider": every page fetched and cleaned) and of the whole process (start-up
  and the final export included); the ratio on/off against the 0.8x bar; checks the "on"
  runs exported the articles.
* ``--memory``: one crawl of 20,000 smaller pages (10-30 KB) with cleaning on, sampling
  the RSS of the crawl process and its cleaning workers (psutil) every 0.5 s: peak total,
  peak main process, and RSS at 25/50/75/100% of the pages (flatness) against 300 MB.

    python bench/crawl_throughput.py                     # 2,000 pages: off, on(1), on(2)
    python bench/crawl_throughput.py --pages 300         # quick look
    python bench/crawl_throughput.py --memory            # 20,000 pages, RSS
    python bench/crawl_throughput.py --memory --pages 3000

The machine may be shared: the load average and the server's CPU share are printed next
to the figures; ``--repeat`` runs the off/on pairs again.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sitegen import build_site  # noqa: E402

RSS_BAR_MB = 300
RATIO_BAR = 0.8
SAMPLE_EVERY = 0.5  # seconds
# Scrapy settings for a loopback crawl: no politeness delay, 16 connections.
LOOPBACK_SETTINGS: tuple[tuple[str, str], ...] = (
    ("AUTOTHROTTLE_ENABLED", "False"),
    ("DOWNLOAD_DELAY", "0"),
    ("CONCURRENT_REQUESTS", "16"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "16"),
    ("LOG_LEVEL", "INFO"),
    ("LOGSTATS_INTERVAL", "1"),
    ("LOG_FORMAT", "%(asctime)s.%(msecs)03d [%(name)s] %(levelname)s: %(message)s"),
)
# Scrapy log lines that mark the crawl phase and its progress.
OPENED_MARK = "Spider opened"
CLOSING_MARK = "Closing spider"
CRAWLED_PATTERN = re.compile(r"Crawled (\d+) pages")
LOG_TIME_PATTERN = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ")


@dataclass
class Sample:
    t: float  # seconds since the crawl started
    pages: int  # responses so far (Scrapy's LogStats)
    main_mb: float
    workers_mb: float  # every child (forkserver and cleaning workers)
    pss_mb: float = 0.0  # proportional set size of the whole tree

    @property
    def total_mb(self) -> float:
        return self.main_mb + self.workers_mb


@dataclass
class CrawlResult:
    label: str
    workers: int
    report: dict[str, Any]
    wall_s: float
    crawl_s: float
    closing_t: float  # when the close phase (pool shutdown, export) began, seconds
    samples: list[Sample] = field(default_factory=list)
    main_cpu_s: float = 0.0
    workers_cpu_s: float = 0.0
    main_wait_s: float = 0.0  # main process runnable but waiting for a CPU (other load)
    workers_wait_s: float = 0.0
    server_cpu_s: float = 0.0

    @property
    def pages(self) -> int:
        return int(self.report.get("counts", {}).get("pages_fetched", 0))

    @property
    def exported(self) -> int:
        return int(self.report.get("counts", {}).get("articles_exported", 0))

    @property
    def rate(self) -> float:
        return self.pages / self.crawl_s if self.crawl_s else 0.0

    @property
    def wall_rate(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def peak_total_mb(self) -> float:
        return max((s.total_mb for s in self.samples), default=0.0)

    @property
    def peak_pss_mb(self) -> float:
        return max((s.pss_mb for s in self.samples), default=0.0)

    @property
    def peak_main_mb(self) -> float:
        return max((s.main_mb for s in self.samples), default=0.0)


def log_time(line: str) -> float | None:
    """Epoch seconds of a log line written with LOOPBACK_SETTINGS' LOG_FORMAT.

    >>> log_time("2026-11-27 04:40:01.250 [scrapy.core.engine] INFO: Spider opened") % 1
    0.25
    >>> log_time("Traceback (most recent call last):") is None
    True
    """
    match = LOG_TIME_PATTERN.match(line)
    if match is None:
        return None
    return datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()


def crawl_phase_bounds(log_text: str) -> tuple[float, float] | None:
    """Epoch seconds of "Spider opened" and "Closing spider" in a crawl log (None if absent).

    >>> a, b = crawl_phase_bounds("2026-01-01 00:00:01.000 [e] INFO: Spider opened\\n"
    ...                           "2026-01-01 00:00:11.500 [e] INFO: Closing spider (finished)\\n")
    >>> b - a
    10.5
    """
    opened = closing = None
    for line in log_text.splitlines():
        if OPENED_MARK in line and opened is None:
            opened = log_time(line)
        elif CLOSING_MARK in line:
            closing = log_time(line)
    if opened is None or closing is None:
        return None
    return opened, closing


def last_page_count(log_path: Path, offset: int, count: int) -> tuple[int, int]:
    """(new offset, latest "Crawled N pages" count) after reading the log from offset."""
    try:
        with open(log_path, "rb") as fh:
            fh.seek(offset)
            chunk = fh.read()
    except FileNotFoundError:
        return offset, count
    end = chunk.rfind(b"\n") + 1  # only whole lines
    for match in CRAWLED_PATTERN.finditer(chunk[:end].decode("utf-8", "replace")):
        count = int(match.group(1))
    return offset + end, count


def tree_memory_mb(proc: psutil.Process) -> tuple[float, float, float]:
    """(RSS of proc, summed RSS of its descendants, PSS of proc and descendants) in MB.

    RSS counts pages shared by the forkserver and its workers once per process; PSS splits
    shared pages between them (their sum is what the tree really holds). Vanished
    processes count 0."""
    try:
        main = proc.memory_info().rss
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0, 0.0, 0.0
    rest = pss = 0
    for p in procs:
        try:
            full = p.memory_full_info()
        except psutil.Error:
            continue
        pss += full.pss
        if p.pid != proc.pid:
            rest += full.rss
    return main / 2**20, rest / 2**20, pss / 2**20


def run_queue_wait_seconds(pid: int) -> float:
    """Seconds the main thread of pid (the reactor, in the crawl process) spent runnable
    but waiting for a CPU (Linux schedstat; 0.0 where /proc has none)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu_seconds(proc: psutil.Process, seen: dict[int, float]) -> None:
    """Update seen[pid] with the CPU seconds (user+sys) of proc and its descendants."""
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return
    for p in procs:
        try:
            t = p.cpu_times()
            seen[p.pid] = t.user + t.system
        except psutil.Error:
            pass


def start_server(site_dir: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "sitegen.py"), "serve",
                             str(site_dir)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("port "):
        proc.kill()
        raise SystemExit(f"site server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{line.split()[1]}/"


def crawl_command(url: str, run_dir: Path, workers: int,
                  extra: tuple[tuple[str, str], ...] = ()) -> list[str]:
    settings = [*LOOPBACK_SETTINGS, *extra, ("GLEANER_CLEAN_WORKERS", str(workers)),
                ("LOG_FILE", str(run_dir / "crawl.log"))]
    cmd = [sys.executable, "-m", "crawler", "crawl", url, "--out", str(run_dir)]
    for name, value in settings:
        cmd += ["--set", f"{name}={value}"]
    return cmd


def run_crawl(label: str, url: str, run_dir: Path, workers: int, server: psutil.Process,
              timeout: float, extra: tuple[tuple[str, str], ...] = (),
              repo: Path = ROOT) -> CrawlResult:
    """One crawl subprocess, sampled every SAMPLE_EVERY seconds until it exits."""
    run_dir.mkdir(parents=True)
    log_path = run_dir / "crawl.log"
    env = {**os.environ, "GLEANER_CLEAN_WORKERS": str(workers)}
    server_cpu0 = sum(server.cpu_times()[:2])
    started, started_epoch = time.monotonic(), time.time()
    proc = subprocess.Popen(crawl_command(url, run_dir, workers, extra), cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ps = psutil.Process(proc.pid)
    samples: list[Sample] = []
    cpu: dict[int, float] = {}
    waits: dict[int, float] = {}
    offset = pages = 0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(proc.stdout or []), daemon=True)
    reader.start()
    while proc.poll() is None:
        if time.monotonic() - started > timeout:
            proc.kill()
            raise SystemExit(f"{label}: crawl still running after {timeout:.0f} s; killed")
        offset, pages = last_page_count(log_path, offset, pages)
        main_mb, rest_mb, pss_mb = tree_memory_mb(ps)
        tree_cpu_seconds(ps, cpu)
        for pid in cpu:
            waits[pid] = max(waits.get(pid, 0.0), run_queue_wait_seconds(pid))
        if main_mb:
            samples.append(Sample(time.monotonic() - started, pages, main_mb, rest_mb, pss_mb))
        time.sleep(SAMPLE_EVERY)
    wall = time.monotonic() - started
    reader.join(timeout=5)
    report_path = run_dir / "run.json"
    if proc.returncode != 0 or not report_path.exists():
        tail = "".join(output)[-2000:]
        raise SystemExit(f"{label}: crawl failed (exit {proc.returncode}):\n{tail}")
    report = json.loads(report_path.read_text("utf-8"))
    bounds = crawl_phase_bounds(log_path.read_text("utf-8", "replace"))
    crawl_s = bounds[1] - bounds[0] if bounds else wall
    closing_t = bounds[1] - started_epoch if bounds else wall
    main_cpu, main_wait = cpu.pop(proc.pid, 0.0), waits.pop(proc.pid, 0.0)
    return CrawlResult(label, workers, report, wall, crawl_s, closing_t, samples, main_cpu,
                       sum(cpu.values()), main_wait, sum(waits.values()),
                       sum(server.cpu_times()[:2]) - server_cpu0)


def describe_repo(repo: Path) -> str:
    """The checkout that runs: its commit and whether it has uncommitted changes."""
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--",
                            "crawler", "pipelines", "cleaning", "output"],
                           capture_output=True, text=True, check=False).stdout.strip()
    where = "this checkout" if repo.resolve() == ROOT else str(repo)
    return (f"{where} at {head or 'no git'}"
            + (" + uncommitted changes in crawler/pipelines/cleaning/output" if dirty else ""))


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} cores"


def cpu_ms_per_page(r: CrawlResult) -> str:
    """``main+workers`` CPU milliseconds per page (whole process, export included).

    >>> cpu_ms_per_page(CrawlResult("x", 1, {"counts": {"pages_fetched": 100}}, 10, 9, 9,
    ...                             main_cpu_s=2.0, workers_cpu_s=0.5))
    '20+5'
    """
    if not r.pages:
        return "-"
    return f"{r.main_cpu_s / r.pages * 1000:.0f}+{r.workers_cpu_s / r.pages * 1000:.0f}"


def print_throughput(results: list[CrawlResult], articles: int) -> bool:
    """Table of the runs; True when every "on" run is >= RATIO_BAR of its "off" run."""
    print(f"{'run':<16}{'pages':>7}{'crawl s':>9}{'pages/s':>9}{'ratio':>7}{'wall s':>8}"
          f"{'pages/s':>9}{'main CPU':>10}{'main wait':>11}{'workers CPU':>13}"
          f"{'server CPU':>12}{'ms/page':>9}{'peak RSS MB':>13}{'main MB':>9}{'PSS MB':>8}"
          f"{'exported':>10}")
    ok = True
    off: CrawlResult | None = None
    for r in results:
        if r.workers == 0:
            off = r
        ratio = r.rate / off.rate if off and off.rate else float("nan")
        print(f"{r.label:<16}{r.pages:>7}{r.crawl_s:>9.1f}{r.rate:>9.1f}{ratio:>7.2f}"
              f"{r.wall_s:>8.1f}{r.wall_rate:>9.1f}{r.main_cpu_s / r.crawl_s:>9.0%} "
              f"{r.main_wait_s / r.crawl_s:>10.0%} "
              f"{r.workers_cpu_s / r.crawl_s:>12.0%}{r.server_cpu_s / r.wall_s:>12.0%}"
              f"{cpu_ms_per_page(r):>9}"
              f"{r.peak_total_mb:>13.0f}{r.peak_main_mb:>9.0f}{r.peak_pss_mb:>8.0f}{r.exported:>10}")
    print("(crawl s: Spider opened -> Closing spider; wall s: the whole process with start-up "
          "and export; CPU and wait: share of one core over the crawl phase, wait = runnable "
          "but waiting for a CPU (reactor thread); ms/page: CPU ms per page, crawl process + cleaning workers)")
    for r in results:
        if r.workers == 0:
            off = r
            continue
        ratio = r.rate / off.rate if off and off.rate else 0.0
        verdict = "PASS" if ratio >= RATIO_BAR else "FAIL"
        rejected = r.report.get("counts", {}).get("rejected", {})
        exported_ok = r.exported >= 0.95 * articles
        ok = ok and ratio >= RATIO_BAR and exported_ok
        print(f"{r.label}: {ratio:.2f}x the pages/s of cleaning off ({verdict}, bar "
              f"{RATIO_BAR}x); exported {r.exported} of {articles} articles "
              f"({'ok' if exported_ok else 'TOO FEW'}; rejected {rejected})")
    return ok


def rss_at_fractions(samples: list[Sample], total_pages: int,
                     fractions: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0)
                     ) -> list[tuple[float, Sample | None]]:
    """The first sample at or past each fraction of the pages (the last one for 100%).

    >>> s = [Sample(t, p, 100.0 + p, 50.0) for t, p in enumerate((0, 10, 20, 30, 40, 40))]
    >>> [(f, x.pages if x else None) for f, x in rss_at_fractions(s, 40, (0.5, 1.0))]
    [(0.5, 20), (1.0, 40)]
    """
    out = []
    for fraction in fractions:
        if fraction >= 1.0:
            at = [s for s in samples if s.pages >= total_pages] or samples[-1:]
            out.append((fraction, at[-1] if at else None))
        else:
            out.append((fraction, next((s for s in samples
                                        if s.pages >= fraction * total_pages), None)))
    return out


def print_memory(r: CrawlResult) -> bool:
    crawling = [s for s in r.samples if s.t < r.closing_t]
    closing = [s for s in r.samples if s.t >= r.closing_t]
    pages = max((s.pages for s in crawling), default=r.pages)
    print(f"{r.label}: {r.pages} pages fetched ({pages} responses), {r.exported} articles "
          f"exported, crawl {r.crawl_s:.0f} s ({r.rate:.1f} pages/s), wall {r.wall_s:.0f} s, "
          f"{len(r.samples)} samples every {SAMPLE_EVERY} s")
    print(f"peak total RSS {r.peak_total_mb:.0f} MB (crawl process + forkserver + cleaning "
          f"workers); peak main-process RSS {r.peak_main_mb:.0f} MB; peak workers "
          f"{max((s.workers_mb for s in r.samples), default=0):.0f} MB; peak total PSS "
          f"{r.peak_pss_mb:.0f} MB (shared pages counted once)")
    print(f"{'at pages':>10}{'responses':>11}{'t s':>7}{'main MB':>9}{'workers MB':>12}"
          f"{'total MB':>10}{'PSS MB':>8}")
    marks = rss_at_fractions(crawling, pages)
    for fraction, s in marks:
        if s is not None:
            print(f"{fraction:>10.0%}{s.pages:>11}{s.t:>7.0f}{s.main_mb:>9.0f}"
                  f"{s.workers_mb:>12.0f}{s.total_mb:>10.0f}{s.pss_mb:>8.0f}")
    if closing:
        peak = max(closing, key=lambda s: s.total_mb)
        print(f"{'close+export':>21}{peak.t:>7.0f}{peak.main_mb:>9.0f}{peak.workers_mb:>12.0f}"
              f"{peak.total_mb:>10.0f}{peak.pss_mb:>8.0f}  (peak after 'Closing spider')")
    first, last = marks[0][1], marks[-1][1]
    if first is not None and last is not None and last.pages > first.pages:
        per_1k = (last.total_mb - first.total_mb) / (last.pages - first.pages) * 1000
        print(f"crawl-phase growth 25%->100% of pages: {per_1k:+.2f} MB per 1,000 pages "
              f"(total RSS)")
    ok = r.peak_total_mb < RSS_BAR_MB
    print(f"peak total RSS {r.peak_total_mb:.0f} MB vs bar {RSS_BAR_MB} MB: "
          f"{'PASS' if ok else 'FAIL'}")
    return ok


def write_samples(path: Path, results: list[CrawlResult]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in results:
            for s in r.samples:
                fh.write(json.dumps({"run": r.label, "t": round(s.t, 2), "pages": s.pages,
                                     "main_mb": round(s.main_mb, 1),
                                     "workers_mb": round(s.workers_mb, 1),
                                     "pss_mb": round(s.pss_mb, 1)}) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, help="articles in the site (default 2,000; "
                                                  "20,000 with --memory)")
    parser.add_argument("--memory", action="store_true",
                        help="one long crawl with cleaning on, sampling RSS")
    parser.add_argument("--workers", default="1,2",
                        help="cleaning pool sizes of the 'on' runs (default 1,2; --memory "
                             "uses the first)")
    parser.add_argument("--repeat", type=int, default=1, help="off/on rounds (default 1)")
    parser.add_argument("--page-kb", type=int, nargs=2, metavar=("MIN", "MAX"),
                        help="article size range (default 30 100; 10 30 with --memory)")
    parser.add_argument("--timeout", type=float, default=3600, help="per crawl, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra crawl setting for every run (repeatable), e.g. "
                             "GLEANER_FOLLOW_SITEMAPS=False")
    parser.add_argument("--repo", type=Path, default=ROOT,
                        help="checkout whose crawler runs (default: this one), e.g. a "
                             "patched copy to compare")
    parser.add_argument("--samples", type=Path, metavar="FILE",
                        help="write every RSS sample (JSON lines) to FILE")
    args = parser.parse_args(argv)
    pages = args.pages or (20_000 if args.memory else 2_000)
    page_kb = tuple(args.page_kb or ((10, 30) if args.memory else (30, 100)))
    extra = tuple(tuple(pair.split("=", 1)) for pair in args.set if "=" in pair)
    tmp = Path(tempfile.mkdtemp(prefix="gleaner-crawl-bench-"))
    t0 = time.monotonic()
    site = build_site(tmp / "site", pages, page_kb)  # type: ignore[arg-type]
    print(f"site: {site['articles']} articles (mean {site['mean_article_kb']:.0f} KB), "
          f"{site['listing_pages']} listing pages, {site['static_pages']} other pages; "
          f"built in {time.monotonic() - t0:.0f} s")
    server_proc, url = start_server(tmp / "site")
    server = psutil.Process(server_proc.pid)
    print(f"server: ThreadingHTTPServer subprocess at {url}; {load_note()}")
    print(f"crawler: {describe_repo(args.repo)}")
    try:
        workers = [int(w) for w in args.workers.split(",") if w.strip()]
        if args.memory:
            w = workers[0] if workers else 1
            r = run_crawl(f"clean on ({w}w)", url, tmp / "run-memory", w, server, args.timeout,
                          extra, args.repo)
            ok = print_memory(r)
            results = [r]
        else:
            results = []
            for round_no in range(args.repeat):
                for w in [0, *workers]:
                    label = "clean off" if w == 0 else f"clean on ({w}w)"
                    results.append(run_crawl(label, url, tmp / f"run-{round_no}-{w}", w,
                                             server, args.timeout, extra, args.repo))
            ok = print_throughput(results, int(site["articles"]))
        print(load_note())
        if args.samples:
            write_samples(args.samples, results)
    finally:
        server_proc.kill()
        server_proc.wait()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
