"""What a worker process does: turn work items into outcomes with ``cleaning.clean_page``.

Items are WARC response records (:class:`reclean.warc.WarcPage`), saved pages
(:class:`HtmlFile`) or outcomes already decided while reading (skips and problems), which pass
through unchanged so that everything reaches the results in input order. An outcome is small
and picklable: an exported record travels as its JSON line.
"""
from __future__ import annotations

import dataclasses
import gzip
import html
import json
import os
import re
import resource
import signal
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaning import DEFAULT_CONFIG, CleaningConfig, RawPage, clean_page
from output.schema import ArticleRecord
from reclean.inputs import SIDECAR_SUFFIX, page_stem
from reclean.warc import WarcPage, WarcProblem, WarcSkip

# Outcome kinds, in the order reclean.json lists them.
KINDS: tuple[str, ...] = ("record", "rejected", "skipped", "failed")
# Where a saved page's URL can come from when no sidecar or urls.tsv names it.
CANONICAL_LINK_RELS: tuple[str, ...] = ("canonical",)
CANONICAL_META_PROPERTIES: tuple[str, ...] = ("og:url",)
URL_SCHEMES: tuple[str, ...] = ("http://", "https://")
# How much of a saved page is searched for its canonical URL.
HEAD_BYTES = 256 * 1024
MAX_PAGE_BYTES = 32 * 1024 * 1024

_TAG = re.compile(rb"<(link|meta)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


@dataclass(frozen=True, slots=True)
class HtmlFile:
    """A saved page on disk; ``url`` comes from a ``urls.tsv`` line when there was one."""

    path: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one item: kind (see KINDS), reason, and the record as a JSON line."""

    kind: str
    reason: str = ""
    url: str = ""
    detail: str = ""
    data: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    """Settings every worker needs (picklable)."""

    config: CleaningConfig = DEFAULT_CONFIG
    run_id: str | None = None


def tag_attributes(attrs: bytes) -> dict[str, str]:
    """Attributes of one start tag, names lower-cased, values unescaped.

    >>> tag_attributes(b' rel="canonical" HREF=\\'https://a.org/x?a=1&amp;b=2\\'')
    {'rel': 'canonical', 'href': 'https://a.org/x?a=1&b=2'}
    """
    found: dict[str, str] = {}
    for m in _ATTR.finditer(attrs):
        value = m.group(2) if m.group(2) is not None else (m.group(3) if m.group(3) is not None
                                                           else m.group(4))
        name = m.group(1).decode("ascii", "replace").lower()
        found.setdefault(name, html.unescape(value.decode("utf-8", "replace")).strip())
    return found


def find_page_url(body: bytes) -> str | None:
    """Absolute URL a saved page names for itself: rel=canonical first, then og:url.

    >>> find_page_url(b'<meta property="og:url" content="https://a.org/og">'
    ...               b'<link href="https://a.org/c" rel="canonical">')
    'https://a.org/c'
    >>> find_page_url(b'<link rel="canonical" href="/relative">') is None
    True
    """
    canonical = og_url = None
    for m in _TAG.finditer(body[:HEAD_BYTES]):
        attrs = tag_attributes(m.group(2))
        if m.group(1).lower() == b"link":
            rels = attrs.get("rel", "").lower().split()
            if canonical is None and any(r in rels for r in CANONICAL_LINK_RELS):
                canonical = attrs.get("href")
        elif og_url is None and attrs.get("property", "").lower() in CANONICAL_META_PROPERTIES:
            og_url = attrs.get("content")
    for url in (canonical, og_url):
        if url and url.lower().startswith(URL_SCHEMES):
            return url
    return None


def read_sidecar(path: Path) -> dict[str, Any]:
    """The ``<name>.json`` (or ``<name>.html.json``) next to a saved page, or {}."""
    stem = page_stem(path.name)
    for candidate in (path.with_name(stem + SIDECAR_SUFFIX), path.with_name(path.name + SIDECAR_SUFFIX)):
        try:
            with open(candidate, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            return data
    return {}


def read_page_bytes(path: str) -> bytes:
    """A saved page's bytes, gunzipped when the name ends in ``.gz`` (errors propagate)."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise ValueError(f"file larger than {MAX_PAGE_BYTES} bytes")
    if path.lower().endswith(".gz"):
        data = gzip.decompress(data)
    return data


def raw_page_from_file(item: HtmlFile) -> RawPage | Outcome:
    """A saved page as a RawPage (no Content-Type: cleaning sniffs the charset as a browser
    would), or a ``failed`` outcome saying why the file could not be read."""
    try:
        body = read_page_bytes(item.path)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return Outcome("failed", "broken_gzip", detail=f"{item.path}: {exc}")
    except IsADirectoryError as exc:
        return Outcome("failed", "unreadable", detail=f"{item.path}: {exc.strerror}")
    except OSError as exc:
        return Outcome("failed", "unreadable", detail=f"{item.path}: {exc.strerror or exc}")
    except ValueError as exc:
        return Outcome("failed", "too_large", detail=f"{item.path}: {exc}")
    path = Path(item.path)
    sidecar = read_sidecar(path)
    url = sidecar.get("url") if isinstance(sidecar.get("url"), str) else None
    url = url or item.url or find_page_url(body) or path.resolve().as_uri()
    fetched_at = sidecar.get("fetched_at") if isinstance(sidecar.get("fetched_at"), str) else None
    return RawPage(url=url, body=body, status=200, headers=(), fetched_at=fetched_at,
                   raw_ref=item.path)


def outcome_of_page(page: RawPage, job: Job) -> Outcome:
    """Clean one page; the record (run id set) as a JSON line, or the rejection's reason."""
    result = clean_page(page, job.config)
    if isinstance(result, ArticleRecord):
        if job.run_id is not None:
            result = dataclasses.replace(result, crawl_run_id=job.run_id)
        return Outcome("record", url=result.url, data=json.dumps(result.to_dict(),
                                                                 ensure_ascii=False))
    return Outcome("rejected", result.reason, url=page.url, detail=result.detail[:200])


def process_item(item: Any, job: Job) -> Outcome:
    """One item to its outcome. Never raises."""
    try:
        if isinstance(item, Outcome):
            return item
        if isinstance(item, WarcSkip):
            return Outcome("skipped", item.reason, url=item.url)
        if isinstance(item, WarcProblem):
            return Outcome("failed", item.reason, detail=f"offset {item.offset}: {item.detail}")
        if isinstance(item, WarcPage):
            return outcome_of_page(item.to_raw_page(), job)
        if isinstance(item, HtmlFile):
            page = raw_page_from_file(item)
            return page if isinstance(page, Outcome) else outcome_of_page(page, job)
        return Outcome("failed", "unknown_item", detail=type(item).__name__)
    except Exception as exc:  # noqa: BLE001 - a bug in one page must not stop the run
        return Outcome("failed", "internal_error", detail=f"{type(exc).__name__}: {exc}"[:300])


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB: VmHWM from /proc/self/status
    (ru_maxrss would also count what a parent held before exec), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 3)


def memory_now_mb() -> dict[str, float]:
    """Current Rss, Pss (shared pages divided among the processes sharing them) and private
    (Uss) memory of this process in MiB, from /proc/self/smaps_rollup; {} where unavailable."""
    fields = {"Rss:": "rss", "Pss:": "pss", "Private_Clean:": "uss", "Private_Dirty:": "uss"}
    found: dict[str, float] = {}
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                parts = line.split()
                if parts and parts[0] in fields:
                    key = fields[parts[0]]
                    found[key] = found.get(key, 0.0) + int(parts[1]) / 1024
    except (OSError, ValueError, IndexError):
        return {}
    return {k: round(v, 1) for k, v in found.items()}


_JOB = Job()


def init_worker(job: Job) -> None:
    """Pool initializer: keep the job, and leave Ctrl-C to the parent (it stops cleanly)."""
    global _JOB
    _JOB = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def process_chunk(items: list[Any]) -> tuple[list[Outcome], int, dict[str, float]]:
    """Worker entry point: outcomes of a chunk of items, with this worker's pid, memory
    (peak RSS, and current RSS / PSS / USS) and CPU time so far."""
    outcomes = [process_item(item, _JOB) for item in items]
    return outcomes, os.getpid(), {"peak_rss": peak_rss_mb(), **memory_now_mb(),
                                   "cpu_s": cpu_seconds()}
