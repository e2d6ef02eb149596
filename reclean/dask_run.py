"""Re-cleaning on a Dask cluster: one task per WARC file (or per batch of saved pages).

Each task reads its inputs itself, cleans them with the same :func:`reclean.work.process_item`
as the local pool, and writes its partition ``parts/part-NNNNN.jsonl`` (records, in input
order) plus ``part-NNNNN.summary.json`` (counts by outcome and reason, failure examples,
the task's peak memory). Only that small summary travels back. The client then merges the
parts in partition order, which is input order, into ``articles.*`` with
``output.writers.export_records``, so the records equal a local run's.

See the :mod:`reclean` docstring for pointing this at a real cluster.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from output.writers import atomic_write, export_records
from reclean.diff import iter_jsonl
from reclean.inputs import Input
from reclean.progress import Progress
from reclean.run import summarize_memory
from reclean.unique import UniqueRecords
from reclean.work import Job, cpu_seconds, peak_rss_mb, process_item

PARTS_DIR = "parts"
PAGES_PER_HTML_PARTITION = 200
FAILURE_EXAMPLES = 50
LOCAL = "local"
CONNECT_TIMEOUT_S = 15


def plan_partitions(inputs: list[Input], pages_per_partition: int = PAGES_PER_HTML_PARTITION
                    ) -> list[list[Input]]:
    """Input order kept: each WARC alone, runs of saved pages in batches.

    >>> ins = [Input("html", "a.html"), Input("html", "b.html"), Input("warc", "c.warc"),
    ...        Input("html", "d.html")]
    >>> [[i.path for i in p] for p in plan_partitions(ins, 2)]
    [['a.html', 'b.html'], ['c.warc'], ['d.html']]
    """
    parts: list[list[Input]] = []
    batch: list[Input] = []
    for item in inputs:
        if item.kind == "warc":
            if batch:
                parts.append(batch)
                batch = []
            parts.append([item])
            continue
        batch.append(item)
        if len(batch) >= pages_per_partition:
            parts.append(batch)
            batch = []
    if batch:
        parts.append(batch)
    return parts


def html_partition_size(inputs: list[Input], workers: int) -> int:
    """Saved pages per partition: enough partitions to keep every worker busy, at most
    PAGES_PER_HTML_PARTITION pages each.

    >>> html_partition_size([Input("html", f"{n}.html") for n in range(100)], 2)
    13
    """
    pages = sum(1 for i in inputs if i.kind == "html")
    return max(1, min(PAGES_PER_HTML_PARTITION, -(-pages // (max(workers, 1) * 4))))


def part_base(parts_dir: Path, index: int) -> Path:
    return parts_dir / f"part-{index:05d}"


def clean_partition(inputs: list[Input], base: str, job: Job) -> dict[str, Any]:
    """Dask task: clean a partition's inputs, write its part files, return its summary."""
    from reclean.run import iter_input_items  # imported here: keeps the task pickle small

    counts: dict[str, dict[str, int]] = {}
    failures: list[dict[str, Any]] = []
    failed_inputs: list[str] = []
    pages = 0
    started, cpu_before = time.monotonic(), cpu_seconds()
    with atomic_write(base + ".jsonl") as fh:
        for item in inputs:
            for seq, work, _offset in iter_input_items(item, 0, 0):
                out = process_item(work, job)
                by_reason = counts.setdefault(out.kind, {})
                by_reason[out.reason] = by_reason.get(out.reason, 0) + 1
                pages += out.kind in ("record", "rejected")
                if out.kind == "record":
                    fh.write(out.data + "\n")
                elif out.kind == "failed":
                    if not failed_inputs or failed_inputs[-1] != item.path:
                        failed_inputs.append(item.path)
                    if len(failures) < FAILURE_EXAMPLES:
                        failures.append({"input": item.path, "seq": seq, "reason": out.reason,
                                         "detail": out.detail})
    summary = {"inputs": [i.path for i in inputs], "settings": repr(job.config),
               "counts": counts, "failures": failures,
               "failed_inputs": failed_inputs,
               "pages": pages, "bytes": sum(safe_size(i.path) for i in inputs),
               "seconds": round(time.monotonic() - started, 3),
               "cpu_s": round(cpu_seconds() - cpu_before, 3), "pid": os.getpid(),
               "host": os.uname().nodename, "peak_rss_mb": peak_rss_mb()}
    with atomic_write(base + ".summary.json") as fh:
        json.dump(summary, fh)
    return summary


def safe_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def reusable_summary(base: Path, inputs: list[Input], settings: str) -> dict[str, Any] | None:
    """The summary of a partition an earlier run finished, if it covered the same inputs
    with the same cleaning settings."""
    try:
        with open(str(base) + ".summary.json", encoding="utf-8") as fh:
            summary = json.load(fh)
    except (OSError, ValueError):
        return None
    if summary.get("inputs") != [i.path for i in inputs] or summary.get("settings") != settings:
        return None
    return summary if Path(str(base) + ".jsonl").is_file() else None


def gleaner_versions() -> dict[str, str]:
    """Versions that must match between the client and every worker (run on each worker)."""
    import cleaning
    from cleaning.pipeline import PIPELINE_VERSION
    from output.schema import SCHEMA_VERSION

    return {"cleaning": cleaning.__version__, "pipeline": PIPELINE_VERSION,
            "schema": str(SCHEMA_VERSION)}


def check_workers(client) -> None:
    """Raise UsageError when a worker cannot import gleaner or runs another version of it."""
    from reclean.inputs import UsageError

    mine = gleaner_versions()
    try:
        theirs = client.run(gleaner_versions)
    except Exception as exc:  # noqa: BLE001 - any failure here means the workers are unfit
        raise UsageError(f"Dask workers cannot run gleaner ({type(exc).__name__}: {exc}); "
                         "install the same gleaner version on every worker") from exc
    if not theirs:
        raise UsageError("the Dask cluster has no workers")
    wrong = {addr: v for addr, v in theirs.items() if v != mine}
    if wrong:
        raise UsageError(f"Dask workers run another gleaner version: {wrong} (here: {mine})")


def open_client(address: str, workers: int):
    """A distributed Client: a LocalCluster of single-threaded processes, or a scheduler
    (whose workers are checked for the same gleaner version)."""
    from distributed import Client, LocalCluster

    if address == LOCAL:
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=0)
        return Client(cluster), cluster
    from reclean.inputs import UsageError

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler {address!r}: {exc}") from exc
    try:
        check_workers(client)
    except BaseException:
        client.close()
        raise
    return client, None


def merge_counts(total: dict[str, dict[str, int]], part: dict[str, dict[str, int]]) -> None:
    """Add a partition's counts into the total (in place)."""
    for kind, reasons in part.items():
        for reason, n in reasons.items():
            total.setdefault(kind, {})[reason] = total.setdefault(kind, {}).get(reason, 0) + n


def iter_part_records(bases: list[Path]) -> Iterator[dict[str, Any]]:
    """Records of the written parts, partition by partition (input order)."""
    for base in bases:
        path = Path(str(base) + ".jsonl")
        if path.is_file():
            yield from iter_jsonl(path)


def run_partitions(opts, partitions: list[list[Input]], bases: list[Path], todo: list[int],
                   job: Job, progress: Progress, summaries: dict[int, dict[str, Any]],
                   interrupt) -> list[dict[str, Any]]:
    """Submit the partitions to the cluster and collect their summaries as they finish.

    A task that fails (an exception, a worker that died) fails each of its inputs with
    ``task_error``; the returned list says which.
    """
    from distributed import as_completed

    client, cluster = open_client(opts.dask, opts.workers)
    futures = []
    errors: list[dict[str, Any]] = []
    try:
        futures = [client.submit(clean_partition, partitions[n], str(bases[n]), job,
                                 key=f"reclean-{job.run_id}-{n:05d}", pure=False)
                   for n in todo]
        index = {f.key: n for f, n in zip(futures, todo, strict=True)}
        bytes_done = 0
        for future in as_completed(futures):
            if interrupt.requested:
                break
            n = index[future.key]
            if future.status != "finished":
                exc = future.exception()
                errors.extend({"input": i.path, "seq": 0, "reason": "task_error",
                               "detail": f"{type(exc).__name__}: {exc}"[:300]}
                              for i in partitions[n])
                continue
            summaries[n] = future.result()
            bytes_done += summaries[n]["bytes"]
            progress.update(summaries[n]["pages"], bytes_done)
    except KeyboardInterrupt:
        pass
    finally:
        for future in futures:
            future.cancel()
        client.close()
        if cluster is not None:
            cluster.close()
    return errors


def run_dask(opts, inputs: list[Input], job: Job, progress: Progress
             ) -> tuple[dict[str, Any], dict[str, dict[str, int]], list[dict[str, Any]],
                        dict[str, int]]:
    """Clean on Dask; returns (facts, counts, failure examples, export counts)."""
    out_dir = Path(opts.out_dir).resolve()
    parts_dir = out_dir / PARTS_DIR
    if not opts.resume and parts_dir.exists():
        shutil.rmtree(parts_dir)
    parts_dir.mkdir(parents=True, exist_ok=True)
    if opts.dask != LOCAL:  # remote workers: every path must mean the same on their side
        inputs = [Input(i.kind, os.path.abspath(i.path),
                        os.path.abspath(i.run_dir) if i.run_dir else None, i.url)
                  for i in inputs]
    partitions = plan_partitions(inputs, html_partition_size(inputs, opts.workers))
    bases = [part_base(parts_dir, n) for n in range(len(partitions))]
    summaries: dict[int, dict[str, Any]] = {}
    reused = 0
    if opts.resume:
        for n, part in enumerate(partitions):
            found = reusable_summary(bases[n], part, repr(job.config))
            if found is not None:
                summaries[n] = {**found, "_reused": True}
                reused += 1
    from reclean.run import InterruptFlag

    todo = [n for n in range(len(partitions)) if n not in summaries]
    task_errors: list[dict[str, Any]] = []
    started = time.monotonic()
    with InterruptFlag() as interrupt:
        if todo:
            task_errors = run_partitions(opts, partitions, bases, todo, job, progress,
                                         summaries, interrupt)
    interrupted = interrupt.requested
    if interrupted:  # partitions that finished on a worker but were not collected yet
        for n in todo:
            if n not in summaries and (found := reusable_summary(bases[n], partitions[n],
                                                                  repr(job.config))):
                summaries[n] = found
    clean_s = time.monotonic() - started
    progress.finish()
    counts: dict[str, dict[str, int]] = {}
    failures: list[dict[str, Any]] = list(task_errors)
    if task_errors:
        counts["failed"] = {"task_error": len(task_errors)}
    rss: dict[str, float] = {}
    for n in sorted(summaries):
        summary = summaries[n]
        merge_counts(counts, summary["counts"])
        failures.extend(summary["failures"])
        key = f"{summary['host']}:{summary['pid']}"
        rss[key] = max(rss.get(key, 0.0), summary["peak_rss_mb"])
    done_bases = [bases[n] for n in sorted(summaries)]
    unique = UniqueRecords(lambda: iter_part_records(done_bases))
    outputs = export_records(unique, out_dir, formats=opts.formats)
    facts = {"backend": f"dask {opts.dask}", "workers": opts.workers,
             "partitions": len(partitions), "partitions_reused": reused,
             "pages_this_run": sum(s["pages"] for s in summaries.values()
                                   if not s.get("_reused")),
             "inputs_skipped_as_done": sum(len(partitions[n]) for n, s in summaries.items()
                                           if s.get("_reused")),
             "clean_seconds": round(clean_s, 3), "duplicates": unique.duplicates,
             "worker_cpu_s": round(sum(s.get("cpu_s", 0.0) for s in summaries.values()
                                       if not s.get("_reused")), 2),
             "interrupted": interrupted,
             "worker_memory_mb": summarize_memory({"peak_rss": v} for v in rss.values()),
             "failed_inputs": sorted({p for s in summaries.values() for p in s.get("failed_inputs", [])}
                                     | {e["input"] for e in task_errors})}
    return facts, counts, failures[:FAILURE_EXAMPLES], outputs
