"""The out folder's memory: which inputs are done (for ``--resume``) and every outcome so far.

One SQLite file, ``reclean-state.sqlite`` in the out folder. Outcomes are stored as they
arrive (a record as its JSON line), so memory stays flat however big the input, and the final
files are written from here in input order (input path, then position in the input). An input
is marked done only when all its outcomes are stored; a WARC that was cut off keeps a
checkpoint (byte offset of the next record, next sequence number) so a resumed run continues
inside the file.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STATE_FILE = "reclean-state.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS inputs (
    path TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    next_offset INTEGER NOT NULL DEFAULT 0,
    next_seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    input TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    url TEXT NOT NULL,
    detail TEXT NOT NULL,
    data TEXT,
    PRIMARY KEY (input, seq)
);
"""


def fingerprint(path: str) -> str:
    """Size and modification time of a file ('' when it cannot be stat'ed)."""
    try:
        st = os.stat(path)
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}"


class State:
    """Done-list and outcome store of one out folder."""

    def __init__(self, out_dir: str | os.PathLike[str], resume: bool) -> None:
        self.path = Path(out_dir) / STATE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not resume and self.path.exists():
            self.path.unlink()
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.commit()

    def check_settings(self, settings: str) -> bool:
        """Record the cleaning settings of this out folder; False when an earlier run used
        other ones (its stored outcomes must not be mixed with new ones)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        if row is not None and row[0] != settings:
            return False
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('settings', ?)", (settings,))
        self.db.commit()
        return True

    def start_point(self, path: str) -> tuple[bool, int, int]:
        """(done, next_offset, next_seq) for an input; stale or partial rows are cleared."""
        fp = fingerprint(path)
        row = self.db.execute("SELECT fingerprint, done, next_offset, next_seq FROM inputs "
                              "WHERE path = ?", (path,)).fetchone()
        if row is not None and row[0] == fp and row[1]:
            return True, 0, 0
        if row is None or row[0] != fp:
            self.db.execute("DELETE FROM results WHERE input = ?", (path,))
            self.db.execute("INSERT OR REPLACE INTO inputs (path, fingerprint) VALUES (?, ?)",
                            (path, fp))
            return False, 0, 0
        self.db.execute("DELETE FROM results WHERE input = ? AND seq >= ?", (path, row[3]))
        return False, row[2], row[3]

    def add(self, path: str, seq: int, kind: str, reason: str, url: str, detail: str,
            data: str | None) -> None:
        """Store one outcome (replacing one stored at the same place by an earlier attempt)."""
        self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (path, seq, kind, reason, url, detail, data))

    def checkpoint(self, path: str, next_offset: int, next_seq: int) -> None:
        """Everything of an input before ``next_seq`` (``next_offset`` in the file) is stored."""
        self.db.execute("UPDATE inputs SET next_offset = ?, next_seq = ? WHERE path = ?",
                        (next_offset, next_seq, path))

    def mark_done(self, path: str) -> None:
        self.db.execute("UPDATE inputs SET done = 1 WHERE path = ?", (path,))

    def commit(self) -> None:
        self.db.commit()

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Stored records in input order, as dicts (a fresh cursor on each call)."""
        reader = sqlite3.connect(self.path)
        try:
            for (data,) in reader.execute(
                    "SELECT data FROM results WHERE kind = 'record' ORDER BY input, seq"):
                yield json.loads(data)
        finally:
            reader.close()

    def counts(self) -> dict[str, dict[str, int]]:
        """Outcomes by kind and reason: {"record": {"": n}, "rejected": {"too_short": n}, ...}."""
        counts: dict[str, dict[str, int]] = {}
        for kind, reason, n in self.db.execute(
                "SELECT kind, reason, count(*) FROM results GROUP BY kind, reason "
                "ORDER BY kind, reason"):
            counts.setdefault(kind, {})[reason] = n
        return counts

    def failed_inputs(self, limit: int = 50) -> list[dict[str, str]]:
        """Examples of failures: input, reason and detail (the first ``limit``)."""
        rows = self.db.execute("SELECT input, seq, reason, detail FROM results "
                               "WHERE kind = 'failed' ORDER BY input, seq LIMIT ?", (limit,))
        return [{"input": i, "seq": s, "reason": r, "detail": d} for i, s, r, d in rows]

    def count_failed_inputs(self) -> int:
        return self.db.execute("SELECT count(DISTINCT input) FROM results "
                               "WHERE kind = 'failed'").fetchone()[0]

    def count_inputs(self) -> tuple[int, int]:
        """(inputs known, inputs done)."""
        return self.db.execute("SELECT count(*), coalesce(sum(done), 0) FROM inputs").fetchone()

    def close(self) -> None:
        self.db.commit()
        self.db.close()
