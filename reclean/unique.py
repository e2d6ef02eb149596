"""Drop repeated records at export, as the crawl does: the same record_id (same article, same
words) reached under another URL, or archived twice, is exported once, first in input order.

The ids seen are kept in a temporary SQLite table, not in memory, so a run of any size
exports in constant memory.
"""
from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any


class UniqueRecords:
    """A records factory (for ``export_records``) that skips repeated record_ids.

    >>> rows = [{"record_id": "a"}, {"record_id": "b"}, {"record_id": "a"}]
    >>> unique = UniqueRecords(lambda: iter(rows))
    >>> [r["record_id"] for r in unique()], unique.duplicates
    (['a', 'b'], 1)
    >>> [r["record_id"] for r in unique()]  # each call starts afresh
    ['a', 'b']
    """

    def __init__(self, factory: Callable[[], Iterable[dict[str, Any]]]) -> None:
        self.factory = factory
        self.duplicates = 0

    def __call__(self) -> Iterator[dict[str, Any]]:
        with tempfile.TemporaryDirectory(prefix="gleaner-unique-") as tmp:
            db = sqlite3.connect(Path(tmp) / "seen.sqlite")
            db.execute("CREATE TABLE seen (record_id TEXT PRIMARY KEY)")
            duplicates = 0
            try:
                for record in self.factory():
                    record_id = record.get("record_id")
                    if record_id:
                        inserted = db.execute("INSERT OR IGNORE INTO seen VALUES (?)",
                                              (record_id,)).rowcount
                        if not inserted:
                            duplicates += 1
                            continue
                    yield record
            finally:
                db.close()
            self.duplicates = duplicates
