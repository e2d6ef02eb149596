"""The crawl's seen sets on disk: URL keys offered, requests enqueued, records spooled.

A crawl of a big site sees millions of links. Keeping their keys in a Python ``set``
(as Scrapy's RFPDupeFilter does, scrapy/scrapy#5307) grows RAM without bound, so
gleaner keeps them in a throwaway SQLite file per run: ``SeenSet.add(key)`` is an
``INSERT OR IGNORE`` that answers "first time?", with commits in batches (every
``BATCH`` inserts or ``BATCH_SECONDS``). The file lives in ``GLEANER_SEEN_DIR`` (default:
the system temp folder) and is deleted when the crawl closes; the file of a killed run
(its name holds the pid) is swept by the next run, because this memory is per run (the
durable memory is crawler.state).

One SeenSet per crawler (``seen_for(crawler)``), shared by the spider (link dedup by
the URL key), the dupefilter (redirect targets, discovery files) and the
spool pipeline (record ids), each under its own key prefix.

    >>> seen = SeenSet.temporary()
    >>> seen.add("example.com/a"), seen.add("example.com/a"), "example.com/a" in seen
    (True, False, True)
    >>> len(seen)
    1
    >>> seen.close()
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
import weakref
from typing import Any

from pipelines.worker import process_alive

BATCH = 2000  # inserts per commit
BATCH_SECONDS = 1.0
CACHE_KIB = 8 * 1024  # SQLite page cache: bounded, whatever the number of keys
PRAGMAS: tuple[str, ...] = (
    "PRAGMA journal_mode=OFF",  # a throwaway file: nothing to roll back to after a crash
    "PRAGMA synchronous=OFF",
    f"PRAGMA cache_size=-{CACHE_KIB}",
    "PRAGMA temp_store=FILE",
)


SEEN_PREFIX = "gleaner-seen-"


def scratch_prefix(prefix: str) -> str:
    """Name prefix of this process's scratch files: ``<prefix><pid>-``.

    >>> scratch_prefix("gleaner-seen-") == f"gleaner-seen-{os.getpid()}-"
    True
    """
    return f"{prefix}{os.getpid()}-"


def sweep_stale(folder: str, prefix: str) -> int:
    """Delete scratch files or folders ``<prefix><pid>-*`` of processes that are gone
    (left by a killed crawl); returns how many."""
    removed = 0
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix)]
    except OSError:
        return 0
    for name in names:
        pid = name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or process_alive(int(pid)):
            continue
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
            removed += 1
        except OSError:
            pass
    return removed


class SeenSet:
    """A set of text keys in a SQLite file (see the module docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False)
        for pragma in PRAGMAS:
            self._conn.execute(pragma)
        self._conn.execute("CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY) WITHOUT ROWID")
        self._pending = 0
        self._since = time.monotonic()
        self._count = self._conn.execute("SELECT count(*) FROM seen").fetchone()[0]
        self._conn.execute("BEGIN")

    @classmethod
    def temporary(cls, folder: str | None = None) -> SeenSet:
        """A new, empty set in a fresh file of ``folder`` (default: the temp folder)."""
        if folder:
            os.makedirs(folder, exist_ok=True)
        sweep_stale(folder or tempfile.gettempdir(), SEEN_PREFIX)
        fd, path = tempfile.mkstemp(prefix=scratch_prefix(SEEN_PREFIX), suffix=".sqlite3",
                                    dir=folder)
        os.close(fd)
        return cls(path)

    def add(self, key: str) -> bool:
        """Add a key; True when it was not there yet."""
        conn = self._connection()
        added = conn.execute("INSERT OR IGNORE INTO seen VALUES (?)", (key,)).rowcount == 1
        if added:
            self._count += 1
            self._pending += 1
            if self._pending >= BATCH or time.monotonic() - self._since > BATCH_SECONDS:
                conn.execute("COMMIT")
                conn.execute("BEGIN")
                self._pending, self._since = 0, time.monotonic()
        return added

    def __contains__(self, key: object) -> bool:
        row = self._connection().execute("SELECT 1 FROM seen WHERE key = ?", (key,)).fetchone()
        return row is not None

    def __len__(self) -> int:
        return self._count

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError(f"seen set {self.path} is closed")
        return self._conn

    def close(self, remove: bool = True) -> None:
        """Close the file and (by default) delete it."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if remove:
            try:
                os.remove(self.path)
            except FileNotFoundError:
                pass


_SEEN: weakref.WeakKeyDictionary[Any, SeenSet] = weakref.WeakKeyDictionary()


def seen_for(crawler: Any) -> SeenSet:
    """The seen set of one crawler, created on first use in ``GLEANER_SEEN_DIR`` and
    deleted when the engine stops (``engine_stopped``)."""
    seen = _SEEN.get(crawler)
    if seen is None:
        seen = _SEEN[crawler] = SeenSet.temporary(crawler.settings.get("GLEANER_SEEN_DIR"))
        from scrapy import signals

        def close(*_args: Any, **_kwargs: Any) -> None:
            seen.close()
        crawler.signals.connect(close, signal=signals.engine_stopped, weak=False)
        weakref.finalize(crawler, seen.close)  # a crawler that never ran (unit tests)
    return seen
