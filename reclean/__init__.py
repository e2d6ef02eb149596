"""Re-clean saved pages offline with the crawl's own ``cleaning.clean_page`` (plain Python).

Inputs (mixed freely; folders are searched recursively, inputs run in sorted path order):

* crawl run folders: their ``raw/*.warc.gz`` (raw_ref stays ``raw/<file>#<offset>``);
* any WARC / WARC.gz (e.g. Common Crawl): ``response`` records with an HTML payload and a
  2xx status are cleaned; other records are counted under ``skipped`` by reason;
* folders of saved pages (``.html`` / ``.htm`` / ``.xhtml``, optionally ``.gz``): the URL comes
  from a sidecar ``<name>.json`` (``{"url": ..., "fetched_at": ...}``), else a ``urls.tsv``
  (``filename<TAB>url``) in the same folder, else the page's ``<link rel=canonical>`` /
  ``og:url``, else a ``file:`` URL; the charset is found as a browser would (no
  Content-Type header is invented).

Output in ``--out``: ``articles.jsonl`` / ``.csv`` / ``.parquet`` (``output.writers.
export_records``, atomic), ``reclean.json`` (counts: records, rejected by reason, skipped by
reason, failures by reason with examples, duplicates, rate, worker memory and CPU, exit
code), ``reclean-state.sqlite`` (done-list and stored outcomes for ``--resume``),
``diff.json`` with ``--diff OLD``, and with Dask ``parts/part-NNNNN.jsonl`` (one per
partition). A record whose record_id was already exported (same article, same words, under
another URL or archived twice) is dropped as a duplicate, as the crawl does. ``--out`` may not
be a crawl run folder (its files would be replaced).

Damaged input (a truncated WARC, a gzip member that ends early, an HTTP header that does
not parse, an unreadable file) is a *failure*, counted with its reason; the run goes on and
exits 1. A payload that is not HTML is *skipped* (WARC) or *rejected* by cleaning (saved
page), and does not change the exit code. A worker process that dies is replaced and its
work redone; a chunk that kills workers twice is failed as ``worker_crashed``. Ctrl-C stops
reading, stores the work in flight, writes the files and exits 130; ``--resume`` continues
(inside a WARC, from the last stored record).

Running on Dask
---------------
``--dask local`` starts a ``distributed.LocalCluster`` of ``--workers`` single-threaded worker
processes on this machine. ``--dask tcp://scheduler:8786`` uses an existing cluster:

1. start a scheduler (``dask scheduler``) and workers (``dask worker tcp://scheduler:8786
   --nthreads 1 --nworkers N``); one thread per worker process, since cleaning is CPU-bound
   Python;
2. every worker needs gleaner and its pinned dependencies installed (``pip install -r
   requirements.txt -e .`` from a checkout of the same version; ``reclean.dask_run`` checks
   the versions before submitting work);
3. inputs and ``--out`` must be on storage every worker and the client see under the same
   path (NFS, a shared volume): each task reads one WARC file (or a batch of saved pages)
   itself and writes its partition ``parts/part-NNNNN.jsonl`` into ``--out``; only small
   counts travel back to the client, which then merges the parts in input order into
   ``articles.*``. With a scheduler address, input paths are made absolute before they
   are sent (so raw_ref holds absolute paths); ``--dask local`` keeps them as given.

``--resume`` with Dask skips partitions whose part file and ``.summary.json`` already exist.
"""
from __future__ import annotations

from typing import Any

from reclean.inputs import Input, UsageError, discover_inputs
from reclean.run import Options, run_reclean

__all__ = ["Input", "Options", "UsageError", "discover_inputs", "format_diff", "format_summary",
           "run_reclean"]


def format_summary(summary: dict[str, Any]) -> str:
    """A few lines for the terminal from a ``reclean.json`` summary."""
    inputs = summary["inputs"]
    lines = [f"reclean {summary['run_id']}: {inputs['total']} inputs "
             f"({inputs['warc']} WARC, {inputs['html']} pages; "
             f"{inputs['skipped_as_done']} already done, {inputs['failed']} failed) in "
             f"{summary['elapsed_s']:.1f} s, {summary['pages_cleaned_this_run']} pages at "
             f"{summary['pages_per_s'] or 0:.1f} pages/s on {summary['workers']} workers "
             f"({summary['backend']})",
             f"  records {summary['records']}, rejected {summary['rejected_total']}, "
             f"duplicates {summary.get('duplicates', 0)}"]
    for label in ("rejected", "skipped", "failures"):
        if summary[label]:
            lines.append(f"  {label}: " + ", ".join(f"{k} {v}" for k, v in summary[label].items()))
    for example in summary["failure_examples"][:5]:
        lines.append(f"    {example['reason']}: {example['input']} ({example['detail'][:120]})")
    files = ", ".join(name for name, n in summary["outputs"].items()
                      if n or not name.startswith("rejects"))
    lines.append(f"  files: {summary['out_dir']}/ ({files}, reclean.json)")
    if summary.get("interrupted"):
        lines.append("  interrupted: files hold what was done; run again with --resume")
    return "\n".join(lines)


def format_diff(report: dict[str, Any]) -> str:
    """Terminal text of a ``--diff`` report (see :mod:`reclean.diff`)."""
    from reclean.diff import format_diff as _format
    return _format(report)
