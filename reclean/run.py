"""Run a re-cleaning: inputs -> worker processes -> state -> export + ``reclean.json``.

The parent process reads inputs in order (a WARC record at a time) and feeds a
``ProcessPoolExecutor`` through a bounded window of chunks, so at most
``workers * WINDOW_PER_WORKER`` chunks are in flight whatever the input size. Results are
taken back in submission order and stored in the out folder's SQLite state; the final files
are written from there by ``output.writers.export_records`` (atomically), in input order.

Ctrl-C: workers ignore SIGINT; the parent stops reading, stores what is already in flight,
writes the files for everything done so far and exits 130. ``--resume`` then continues.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cleaning import DEFAULT_CONFIG, CleaningConfig
from output.writers import atomic_write, export_records
from reclean.inputs import Input, UsageError, discover_inputs
from reclean.progress import Progress
from reclean.state import State
from reclean.unique import UniqueRecords
from reclean.warc import WarcPage, iter_warc_items
from reclean.work import (
    HtmlFile,
    Job,
    Outcome,
    cpu_seconds,
    init_worker,
    peak_rss_mb,
    process_chunk,
)

SUMMARY_FILE = "reclean.json"
CRAWL_RUN_MARKER = "run.json"  # a crawl run folder has one; reclean never writes into it
EXPORT_FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
CHUNK_PAGES = 8  # pages per task sent to a worker
CHUNK_BYTES = 4 * 1024 * 1024  # ... or fewer when they are big
CHUNK_ITEMS = 256  # ... or when skipped records pile up (a WARC of request records only)
WINDOW_PER_WORKER = 3  # chunks in flight per worker
MAX_CHUNK_ATTEMPTS = 2  # a chunk whose worker dies this often is stored as failed
# A worker is replaced after this many chunks: parsing big pages leaves its heap grown (tens
# of MB); a fresh fork of the warm fork server costs milliseconds and starts small again.
WORKER_MAX_CHUNKS = 40
COMMIT_INTERVAL_S = 0.5
WORKER_PRELOAD: tuple[str, ...] = ("reclean.work", "reclean.preload")
EXIT_OK, EXIT_INPUT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Options:
    """Everything one re-cleaning run needs (what the CLI flags map to)."""

    inputs: tuple[str, ...]
    out_dir: str
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    resume: bool = False
    diff_old: str | None = None
    dask: str | None = None
    formats: tuple[str, ...] = EXPORT_FORMATS
    config: CleaningConfig = DEFAULT_CONFIG
    progress: bool | None = None  # None: live line on a TTY, periodic log lines otherwise
    progress_interval: float | None = None
    chunk_pages: int = CHUNK_PAGES


@dataclass
class Chunk:
    """Items going to one worker call, where their outcomes go, and what to mark afterwards."""

    items: list[Any] = field(default_factory=list)
    places: list[tuple[str, int]] = field(default_factory=list)
    after: list[tuple[Any, ...]] = field(default_factory=list)
    pages: int = 0
    size: int = 0
    bytes_mark: int = 0
    attempts: int = 0


def new_run_id(now: datetime | None = None) -> str:
    """Id of a re-cleaning run, e.g. ``reclean-20261127T041000Z-1a2b``."""
    now = now or datetime.now(UTC)
    return f"reclean-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iter_input_items(item: Input, start: int, seq: int) -> Iterator[tuple[int, Any, int]]:
    """(seq, work item, byte offset reached) for one input, from a checkpoint."""
    if item.kind == "html":
        yield seq, HtmlFile(item.path, item.url), 0
        return
    try:
        for warc_item in iter_warc_items(item.path, item.run_dir, start):
            yield seq, warc_item, warc_item.next_offset
            seq += 1
    except OSError as exc:
        yield seq, Outcome("failed", "unreadable", detail=f"{item.path}: {exc.strerror or exc}"), 0


def iter_chunks(inputs: list[Input], state: State, chunk_pages: int,
                skipped: Counter[str]) -> Iterator[Chunk]:
    """Work in chunks, in input order, with checkpoints and done marks attached; inputs an
    earlier run finished are counted in ``skipped["done"]``."""
    chunk = Chunk()
    bytes_before = 0
    for item in inputs:
        size = file_size(item.path)
        done, start, first_seq = state.start_point(item.path)
        if done:
            skipped["done"] += 1
            bytes_before += size
            continue
        for seq, work, offset in iter_input_items(item, start, first_seq):
            chunk.items.append(work)
            chunk.places.append((item.path, seq))
            if isinstance(work, WarcPage | HtmlFile):
                chunk.pages += 1
                chunk.size += len(work.body) if isinstance(work, WarcPage) else 0
            if item.kind == "warc" and offset:
                mark = ("checkpoint", item.path, offset, seq + 1)
                if chunk.after and chunk.after[-1][:2] == mark[:2]:
                    chunk.after[-1] = mark
                else:
                    chunk.after.append(mark)
            chunk.bytes_mark = bytes_before + (offset if item.kind == "warc" else 0)
            if (chunk.pages >= chunk_pages or chunk.size >= CHUNK_BYTES
                    or len(chunk.items) >= CHUNK_ITEMS):
                yield chunk
                chunk = Chunk()
        bytes_before += size
        chunk.after.append(("done", item.path))
        chunk.bytes_mark = bytes_before
    if chunk.items or chunk.after:
        yield chunk


def file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class LocalRunner:
    """Feeds chunks to a process pool (or runs them inline with ``workers=0``)."""

    def __init__(self, workers: int, job: Job) -> None:
        self.job = job
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.restarts = 0
        self.start_pool()
        self.window = max(workers, 1) * WINDOW_PER_WORKER

    def start_pool(self) -> None:
        if self.workers > 0:
            ctx = worker_context()
            recycle = WORKER_MAX_CHUNKS if ctx.get_start_method() != "fork" else None
            self.pool = ProcessPoolExecutor(max_workers=self.workers, initializer=init_worker,
                                            initargs=(self.job,), mp_context=ctx,
                                            max_tasks_per_child=recycle)

    def restart(self) -> None:
        """A worker died (killed, crashed in C code): start a fresh pool."""
        self.close(cancel=True)
        self.restarts += 1
        self.start_pool()

    def submit(self, chunk: Chunk) -> Future:
        chunk.attempts += 1
        if self.pool is not None:
            return self.pool.submit(process_chunk, chunk.items)
        init_worker_inline(self.job)
        future: Future = Future()
        future.set_result(process_chunk(chunk.items))
        return future

    def close(self, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)


def worker_context() -> multiprocessing.context.BaseContext:
    """Workers start from a lean fork server that has imported and warmed up only cleaning
    (not this process's buffers, SQLite or pandas): each worker holds just what cleaning
    needs, and the read-only parts (language model, rules) are shared between workers.

    A fork server re-imports the ``__main__`` file in each worker; when there is no such file
    (``python -c``, stdin, a REPL), workers are forked from this process instead."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if not main_file or not os.path.isfile(main_file):
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(WORKER_PRELOAD))
    return ctx


def init_worker_inline(job: Job) -> None:
    """Inline mode: set the job without touching signal handlers."""
    import reclean.work as work
    work._JOB = job


class Collector:
    """Stores chunk results in order, applies checkpoints, tracks progress and worker memory."""

    def __init__(self, state: State, progress: Progress) -> None:
        self.state = state
        self.progress = progress
        self.worker_memory: dict[int, dict[str, float]] = {}  # pid -> max seen per measure
        self.pages = 0
        self.last_commit = time.monotonic()

    def give_up(self, chunk: Chunk, reason: str) -> None:
        """Store every item of a chunk as failed (its worker died twice on it)."""
        outcomes = [Outcome("failed", reason, detail="worker process died on this chunk")
                    for _ in chunk.items]
        self.store(chunk, outcomes, 0, {})

    def store(self, chunk: Chunk, outcomes: list[Outcome], pid: int,
              memory: dict[str, float]) -> None:
        seen = self.worker_memory.setdefault(pid, {}) if pid else {}
        for key, value in memory.items():
            seen[key] = max(value, seen.get(key, 0.0))
        for (path, seq), out in zip(chunk.places, outcomes, strict=True):
            self.state.add(path, seq, out.kind, out.reason, out.url, out.detail, out.data)
        for action in chunk.after:
            if action[0] == "checkpoint":
                self.state.checkpoint(*action[1:])
            else:
                self.state.mark_done(action[1])
        self.pages += chunk.pages
        self.progress.update(chunk.pages, chunk.bytes_mark)
        if time.monotonic() - self.last_commit >= COMMIT_INTERVAL_S:
            self.state.commit()
            self.last_commit = time.monotonic()


def run_local(opts: Options, inputs: list[Input], state: State, job: Job,
              progress: Progress) -> dict[str, Any]:
    """Clean all inputs with a local process pool; returns run facts for the summary.

    A first Ctrl-C stops reading new input; chunks already in flight are still stored, so
    checkpoints never skip over work. A second Ctrl-C stops at once (stored work stays
    consistent: a half-stored chunk is beyond the last checkpoint and is redone on resume).
    """
    started = time.monotonic()
    runner = LocalRunner(opts.workers, job)
    collector = Collector(state, progress)
    window: deque[tuple[Chunk, Future]] = deque()
    skipped: Counter[str] = Counter()
    with InterruptFlag() as interrupt:
        try:
            for chunk in iter_chunks(inputs, state, opts.chunk_pages, skipped):
                submit_next(window, runner, collector, chunk)
                while len(window) >= runner.window or (window and interrupt.requested):
                    collect_next(window, runner, collector)
                if interrupt.requested:
                    break
            while window:
                collect_next(window, runner, collector)
        except KeyboardInterrupt:
            pass
        finally:
            state.commit()
            runner.close(cancel=True)
    clean_s = time.monotonic() - started
    return {"backend": "local", "workers": opts.workers, "pages_this_run": collector.pages,
            "clean_seconds": round(clean_s, 3), "pool_restarts": runner.restarts,
            "inputs_skipped_as_done": skipped["done"], "interrupted": interrupt.requested,
            "worker_memory_mb": summarize_memory(collector.worker_memory.values()),
            "worker_cpu_s": round(sum(m.get("cpu_s", 0.0)
                                      for m in collector.worker_memory.values()), 2)}


def summarize_memory(per_process: Iterable[dict[str, float]]) -> dict[str, float | int | None]:
    """Worker processes seen and the largest peak RSS, PSS and USS (MiB) among them.

    >>> summarize_memory([{"peak_rss": 120.0, "pss": 80.0}, {"peak_rss": 130.5, "pss": 70.0}])
    {'processes': 2, 'peak_rss_max': 130.5, 'pss_max': 80.0, 'uss_max': None}
    """
    rows = list(per_process)
    def top(key: str) -> float | None:
        values = [row[key] for row in rows if key in row]
        return max(values) if values else None
    return {"processes": len(rows), "peak_rss_max": top("peak_rss"), "pss_max": top("pss"),
            "uss_max": top("uss")}


def collect_next(window: deque[tuple[Chunk, Future]], runner: LocalRunner,
                 collector: Collector) -> None:
    """Store the oldest chunk's outcomes (restarting the pool first if a worker died)."""
    chunk, future = window[0]
    try:
        result = future.result()
    except BrokenProcessPool:
        recover(window, runner, collector, culprit=chunk)
        return
    window.popleft()
    collector.store(chunk, *result)


def submit_next(window: deque[tuple[Chunk, Future]], runner: LocalRunner,
                collector: Collector, chunk: Chunk) -> None:
    """Send a chunk to the pool (restarting the pool first if a worker died)."""
    try:
        window.append((chunk, runner.submit(chunk)))
    except BrokenProcessPool:
        recover(window, runner, collector, culprit=None)
        window.append((chunk, runner.submit(chunk)))


def recover(window: deque[tuple[Chunk, Future]], runner: LocalRunner, collector: Collector,
            culprit: Chunk | None) -> None:
    """A worker died: start a fresh pool and resubmit everything in flight, in order. The
    chunk being collected when it happened is stored as failed once it has killed a worker
    MAX_CHUNK_ATTEMPTS times (a page that crashes the parser must not stop the run)."""
    runner.restart()
    pending = list(window)
    window.clear()
    for chunk, future in pending:
        if future.done() and not future.cancelled() and future.exception() is None:
            window.append((chunk, future))  # finished before the crash: keep its result
        elif chunk is culprit and chunk.attempts >= MAX_CHUNK_ATTEMPTS:
            collector.give_up(chunk, "worker_crashed")
        else:
            window.append((chunk, runner.submit(chunk)))


class InterruptFlag:
    """SIGINT as a request: the first Ctrl-C sets ``requested`` (the run winds down and writes
    its files), a second one raises KeyboardInterrupt."""

    def __init__(self) -> None:
        self.requested = False
        self.previous: Any = None

    def _note(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        sys.stderr.write("\nreclean: interrupted; storing work in flight and writing the "
                         "files (Ctrl-C again to stop at once)\n")

    def __enter__(self) -> InterruptFlag:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def write_summary(out_dir: Path, summary: dict[str, Any]) -> None:
    with atomic_write(out_dir / SUMMARY_FILE) as fh:
        json.dump(summary, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


def run_reclean(opts: Options) -> dict[str, Any]:
    """Re-clean ``opts.inputs`` into ``opts.out_dir``; returns the summary (also written as
    ``reclean.json``) with ``exit_code``. Raises ``reclean.inputs.UsageError`` for bad paths."""
    out_dir = Path(opts.out_dir)
    check_options(opts)
    inputs = discover_inputs(opts.inputs, exclude=opts.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id()
    job = Job(config=opts.config, run_id=run_id)
    started, t0 = utc_now(), time.monotonic()
    progress = Progress(sum(file_size(i.path) for i in inputs), live=opts.progress,
                        interval=opts.progress_interval)
    if opts.dask:
        from reclean.dask_run import run_dask
        facts, counts, failures, outputs = run_dask(opts, inputs, job, progress)
        failed_inputs = len(facts.pop("failed_inputs"))
    else:
        state = State(out_dir, resume=opts.resume)
        if not state.check_settings(repr(opts.config)):
            state.close()
            raise UsageError(f"--resume: {out_dir} was made with other cleaning settings; "
                             "run without --resume (or into another folder)")
        try:
            facts = run_local(opts, inputs, state, job, progress)
            progress.finish()
            unique = UniqueRecords(state.iter_records)
            with InterruptFlag() as late:
                outputs = export_records(unique, out_dir, formats=opts.formats)
            facts["duplicates"] = unique.duplicates
            facts["interrupted"] = facts["interrupted"] or late.requested
            counts, failures = state.counts(), state.failed_inputs()
            failed_inputs = state.count_failed_inputs()
        finally:
            state.close()
    elapsed = time.monotonic() - t0
    summary = build_summary(opts, inputs, run_id, started, elapsed, facts, counts, failures,
                            failed_inputs, outputs)
    report = None
    if opts.diff_old is not None and not facts.get("interrupted"):
        from reclean.diff import diff_runs, write_diff
        report = diff_runs(opts.diff_old, out_dir)
        write_diff(out_dir, report)
        summary["diff"] = {k: report[k] for k in ("old", "matched", "added", "removed",
                                                   "changed_records")}
    write_summary(out_dir, summary)
    if report is not None:
        summary["diff_report"] = report
    return summary


def check_options(opts: Options) -> None:
    """Usage errors found before any work starts."""
    if (Path(opts.out_dir) / CRAWL_RUN_MARKER).exists():
        raise UsageError(f"--out {opts.out_dir} is a crawl run folder: its articles files "
                         "would be replaced; choose another folder")
    bad = [f for f in opts.formats if f not in EXPORT_FORMATS]
    if bad or not opts.formats:
        raise UsageError(f"unknown output formats {bad}; choose from {EXPORT_FORMATS}")
    if opts.workers < 0:
        raise UsageError("--workers must be 0 or more")
    if opts.diff_old is not None and not Path(opts.diff_old).exists():
        raise UsageError(f"--diff path does not exist: {opts.diff_old}")
    if opts.diff_old is not None:
        from reclean.diff import old_articles_path
        if not old_articles_path(opts.diff_old).is_file():
            raise UsageError(f"--diff: no articles.jsonl in {opts.diff_old}")
    if "jsonl" not in opts.formats and opts.diff_old is not None:
        raise UsageError("--diff needs the jsonl output format")


def build_summary(opts: Options, inputs: list[Input], run_id: str, started: str, elapsed: float,
                  facts: dict[str, Any], counts: dict[str, dict[str, int]],
                  failures: list[dict[str, Any]], failed_inputs: int,
                  outputs: dict[str, int]) -> dict[str, Any]:
    """The ``reclean.json`` content: counts by outcome and reason, rates, exit code."""
    records = sum(counts.get("record", {}).values()) - facts.get("duplicates", 0)
    rejected = counts.get("rejected", {})
    exit_code = (EXIT_INTERRUPTED if facts.get("interrupted")
                 else EXIT_INPUT_FAILED if failed_inputs else EXIT_OK)
    pages = facts.get("pages_this_run", 0)
    return {
        "run_id": run_id,
        "out_dir": opts.out_dir.rstrip("/") or "/",
        "pipeline_version": opts.config.pipeline_version,
        "started_at": started,
        "finished_at": utc_now(),
        "elapsed_s": round(elapsed, 3),
        "inputs": {"total": len(inputs),
                   "warc": sum(1 for i in inputs if i.kind == "warc"),
                   "html": sum(1 for i in inputs if i.kind == "html"),
                   "skipped_as_done": facts.get("inputs_skipped_as_done", 0),
                   "failed": failed_inputs},
        "pages_cleaned_this_run": pages,
        "pages_per_s": round(pages / elapsed, 2) if elapsed > 0 else None,
        "clean_pages_per_s": (round(pages / facts["clean_seconds"], 2)
                              if facts.get("clean_seconds") else None),
        "records": records,
        "duplicates": facts.get("duplicates", 0),
        "rejected": dict(sorted(rejected.items())),
        "rejected_total": sum(rejected.values()),
        "skipped": dict(sorted(counts.get("skipped", {}).items())),
        "failures": dict(sorted(counts.get("failed", {}).items())),
        "failure_examples": failures,
        "outputs": outputs,
        "main_peak_rss_mb": peak_rss_mb(),
        "main_cpu_s": cpu_seconds(),
        **{k: v for k, v in facts.items() if k not in ("pages_this_run", "duplicates")},
        "exit_code": exit_code,
    }
