"""Incremental crawl state: one SQLite database per site, crash-safe by construction.

``state/<site>.sqlite3`` (WAL, ``synchronous=NORMAL``: a SIGKILL loses nothing that
was committed) holds

* ``urls``: every URL fetched, keyed by ``crawler.urls.url_key``, with its validators
  exactly as the server sent them (``ETag``, ``Last-Modified``) for conditional GETs;
* ``articles``: one row per article (``article_id``, from the canonical URL) with the
  content hash, record id and version of its latest exported text;
* ``runs``: one row per run with its counts and the mean text length (the health
  check's redesign signal), kept current inside the same transactions (``not_modified``
  counts articles known unchanged without a download: 304s and sitemap lastmod skips);
* ``visits``: the URL keys offered in the current run (``first_visit``, a dupefilter's
  seen set on disk);
* ``outbox`` and ``exports``: every record to export, written in the *same transaction*
  as the state change that decided it. Export files are materialised from the outbox
  (``begin_export`` / ``iter_export`` / ``finish_export``), so a run killed at any point
  and started again loses no article and exports none twice.

Only one run per site at a time: ``lock()`` takes ``fcntl.flock`` on
``state/<site>.lock`` and, when another process holds it, raises ``StateLocked`` naming
that run's pid and start time. The lock dies with its process (no stale lock after
``kill -9``).

Memory stays constant however big the site: nothing per-URL is kept in RAM; iterators
page through SQLite by key.

Typical use (the crawler wires it)::

    state = CrawlState.open("state", "acme")
    state.lock()
    run_id = state.begin_run()
    ...   # per response: commit_record / mark_not_modified / record_page
    summary = state.end_run()
    health = evaluate_health(summary, config.health, state.previous_run())
    state.record_health(health)
    batch = state.begin_export(run_dir / "articles.parquet")
    export_records(lambda: state.iter_export(batch.export_id), run_dir)
    state.finish_export(batch.export_id)
    state.close()
"""
from __future__ import annotations

import dataclasses
import enum
import fcntl
import json
import os
import secrets
import socket
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from crawler.health import Health, RunSummary
from crawler.sitemaps import unchanged_since
from crawler.urls import canonical_url, url_key
from output.schema import ArticleRecord, record_as_dict

SCHEMA_VERSION = 1
PAGE_SIZE = 500  # rows per query when iterating

SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS urls (
        url_key TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        canonical_url TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_fetch TEXT,
        http_status INTEGER,
        etag TEXT,
        last_modified TEXT,
        is_article INTEGER NOT NULL DEFAULT 0,
        article_id TEXT,
        record_id TEXT,
        version INTEGER,
        content_hash TEXT,
        text_length INTEGER)""",
    "CREATE INDEX IF NOT EXISTS urls_by_article ON urls (article_id)",
    "CREATE INDEX IF NOT EXISTS urls_articles ON urls (url_key) WHERE is_article = 1",
    """CREATE TABLE IF NOT EXISTS articles (
        article_id TEXT PRIMARY KEY,
        canonical_url TEXT NOT NULL,
        record_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        text_length INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        last_changed TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_run TEXT)""",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        pid INTEGER,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted')),
        pages INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        articles INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        changed INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        not_modified INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        text_chars INTEGER NOT NULL DEFAULT 0,
        health_exit INTEGER,
        health_reason TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS exports (
        export_id INTEGER PRIMARY KEY AUTOINCREMENT,
        target TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        records INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        record_id TEXT NOT NULL,
        run_id TEXT,
        created_at TEXT NOT NULL,
        record TEXT NOT NULL,
        export_id INTEGER REFERENCES exports (export_id),
        UNIQUE (article_id, version))""",
    "CREATE INDEX IF NOT EXISTS outbox_by_export ON outbox (export_id, seq)",
    """CREATE TABLE IF NOT EXISTS visits (
        run_id TEXT NOT NULL,
        url_key TEXT NOT NULL,
        PRIMARY KEY (run_id, url_key)) WITHOUT ROWID""",
)
PRAGMAS: tuple[str, ...] = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)
#: Counters of the runs table that callers may add to (``add_counts``).
RUN_COUNTERS: tuple[str, ...] = ("pages", "errors", "articles", "new", "changed", "unchanged",
                                 "not_modified", "rejected", "text_chars")
PAGE_OUTCOMES: tuple[str, ...] = ("page", "rejected", "error")


class StateError(RuntimeError):
    """The state database cannot be used (corrupt, newer schema, not locked ...)."""


class StateLocked(StateError):
    """Another run of the same site holds the lock."""


class Verdict(enum.StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclasses.dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a cleaned record: export it as ``version`` (NEW, CHANGED) or not."""

    verdict: Verdict
    version: int
    previous_record_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Commit:
    """Result of ``commit_record``: the decision and, unless UNCHANGED, the record as
    queued for export (version, previous_record_id and crawl_run_id filled in)."""

    decision: Decision
    record: dict[str, Any] | None


@dataclasses.dataclass(frozen=True, slots=True)
class ExportBatch:
    export_id: int
    target: str
    records: int


class KnownUrl(NamedTuple):
    url_key: str
    url: str
    etag: str | None
    last_modified: str | None
    last_fetch: str | None


def utc_now() -> str:
    """Now as ISO 8601 UTC with a Z (seconds).

    >>> utc_now().endswith("Z") and len(utc_now()) == 20
    True
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id() -> str:
    """Sortable unique run id: UTC time plus 4 random hex digits.

    >>> rid = new_run_id(); rid[8], rid[15:17], len(rid)
    ('T', 'Z-', 21)
    """
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def site_file_stem(site: str) -> str:
    """The site name as a safe file name stem (refuses separators and dot names).

    >>> site_file_stem("example.com")
    'example.com'
    """
    if not site or site in (".", "..") or any(c in site for c in "/\\\x00:"):
        raise StateError(f"bad site name for a state file: {site!r}")
    return site


def decide_from_row(row: sqlite3.Row | None, content_hash: str) -> Decision:
    """NEW without a stored article, UNCHANGED when the hash matches, else CHANGED.

    >>> decide_from_row(None, "h")
    Decision(verdict=<Verdict.NEW: 'new'>, version=1, previous_record_id=None)
    """
    if row is None:
        return Decision(Verdict.NEW, 1)
    if row["content_hash"] == content_hash:
        return Decision(Verdict.UNCHANGED, row["version"], None)
    return Decision(Verdict.CHANGED, row["version"] + 1, row["record_id"])


def record_dict(record: ArticleRecord | Mapping[str, Any]) -> dict[str, Any]:
    """A record as a schema-shaped dict, with the fields state needs checked."""
    data = record_as_dict(record)
    missing = [k for k in ("article_id", "content_hash", "record_id", "url") if not data.get(k)]
    if missing:
        raise ValueError(f"record for {data.get('url')!r} lacks {', '.join(missing)}")
    return data


class CrawlState:
    """The state of one site (see the module docstring). Thread-safe (one lock per object)."""

    def __init__(self, db_path: Path, lock_path: Path, site: str,
                 conn: sqlite3.Connection) -> None:
        self.db_path, self.lock_path, self.site = db_path, lock_path, site
        self._conn = conn
        self._mutex = threading.RLock()
        self._lock_fd: int | None = None
        self._locked_at = ""
        self.run_id: str | None = None

    # --- opening, locking, closing ----------------------------------------------------------

    @classmethod
    def open(cls, state_dir: str | os.PathLike[str], site: str) -> CrawlState:
        """Open (creating if needed) ``<state_dir>/<site>.sqlite3``."""
        folder = Path(state_dir)
        stem = site_file_stem(site)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create state folder {folder}: {exc}") from None
        db_path = folder / f"{stem}.sqlite3"
        try:
            conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
            conn.row_factory = sqlite3.Row
            for pragma in PRAGMAS:
                conn.execute(pragma)
            with _transaction(conn):
                for statement in SCHEMA:
                    conn.execute(statement)
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if row is None:
                    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)",
                                 (str(SCHEMA_VERSION),))
                    conn.execute("INSERT INTO meta VALUES ('site', ?)", (site,))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise StateError(f"{db_path}: state schema {row[0]} is newer than this "
                                     f"gleaner understands ({SCHEMA_VERSION}); upgrade gleaner")
        except sqlite3.OperationalError as exc:  # busy, read-only, no permission ...
            raise StateError(f"{db_path}: cannot open the state database ({exc})") from None
        except sqlite3.DatabaseError as exc:  # not a database, malformed
            raise StateError(f"{db_path}: not a usable state database ({exc}); move it away "
                             "to start the site afresh") from None
        return cls(db_path, folder / f"{stem}.lock", site, conn)

    def lock(self) -> None:
        """Take the site's lock for this process, or raise StateLocked naming the holder."""
        if self._lock_fd is not None:
            return
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise StateLocked(
                f"state of site {self.site!r} is in use by another run "
                f"(pid {holder.get('pid', '?')} on {holder.get('host', '?')}, started "
                f"{holder.get('started_at', '?')}, run {holder.get('run_id') or '?'}); "
                f"lock file {self.lock_path}") from None
        self._lock_fd, self._locked_at = fd, utc_now()
        self._write_holder()

    def _write_holder(self) -> None:
        if self._lock_fd is None:
            return
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": self._locked_at,
                "run_id": self.run_id}
        data = (json.dumps(info) + "\n").encode()
        os.ftruncate(self._lock_fd, 0)
        os.pwrite(self._lock_fd, data, 0)

    def unlock(self) -> None:
        """Release the lock (the lock file stays: deleting it would race another opener)."""
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    @property
    def locked(self) -> bool:
        return self._lock_fd is not None

    def close(self) -> None:
        """Close the database and release the lock."""
        with self._mutex:
            self._conn.close()
        self.unlock()

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE .. COMMIT), only while holding the lock."""
        if self._lock_fd is None:
            raise StateError(f"state of site {self.site!r} is not locked: call lock() first")
        with self._mutex, _transaction(self._conn):
            yield self._conn

    def _require_run(self) -> str:
        if self.run_id is None:
            raise StateError("no run in progress: call begin_run() first")
        return self.run_id

    # --- runs --------------------------------------------------------------------------------

    def begin_run(self, run_id: str | None = None) -> str:
        """Start a run (runs left 'running' by a killed process become 'interrupted')."""
        run_id = run_id or new_run_id()
        with self._write() as db:
            db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            db.execute("DELETE FROM visits")
            db.execute("INSERT INTO runs (run_id, started_at, pid, status) "
                       "VALUES (?, ?, ?, 'running')", (run_id, utc_now(), os.getpid()))
        self.run_id = run_id
        self._write_holder()
        return run_id

    def add_counts(self, **increments: int) -> None:
        """Add to this run's counters (e.g. ``errors=1`` for a fetch that failed outside
        ``record_page``). Names: see ``RUN_COUNTERS``."""
        unknown = set(increments) - set(RUN_COUNTERS)
        if unknown:
            raise ValueError(f"unknown run counters: {', '.join(sorted(unknown))}")
        run_id = self._require_run()
        with self._write() as db:
            _bump(db, run_id, **increments)

    def end_run(self) -> RunSummary:
        """Close the run and return its summary."""
        run_id = self._require_run()
        with self._write() as db:
            db.execute("UPDATE runs SET ended_at = ?, status = 'finished' WHERE run_id = ?",
                       (utc_now(), run_id))
        summary = self.run_summary(run_id)
        assert summary is not None
        return summary

    def record_health(self, health: Health, run_id: str | None = None) -> None:
        """Store a run's health verdict (previous_run() skips unhealthy runs)."""
        run_id = run_id or self._require_run()
        with self._write() as db:
            db.execute("UPDATE runs SET health_exit = ?, health_reason = ? WHERE run_id = ?",
                       (health.exit_code, health.reason, run_id))

    def run_summary(self, run_id: str) -> RunSummary | None:
        """One run's summary, or None."""
        with self._mutex:
            row = self._conn.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return _summary(row) if row else None

    def previous_run(self) -> RunSummary | None:
        """The latest finished run before the current one whose health was not bad
        (the baseline of the redesign check), or None."""
        with self._mutex:
            row = self._conn.execute(
                "SELECT * FROM runs WHERE status = 'finished' AND run_id IS NOT ? "
                "AND (health_exit IS NULL OR health_exit = 0) "
                "ORDER BY started_at DESC, run_id DESC LIMIT 1", (self.run_id,)).fetchone()
        return _summary(row) if row else None

    # --- per-URL state -----------------------------------------------------------------------

    def first_visit(self, key: str) -> bool:
        """True the first time a URL key is offered in this run, False after: the seen set
        of a dupefilter, kept in SQLite rather than RAM."""
        run_id = self._require_run()
        with self._write() as db:
            return db.execute("INSERT OR IGNORE INTO visits VALUES (?, ?)",
                              (run_id, key)).rowcount == 1

    def skip_unchanged(self, key: str, lastmod: str | None = None) -> str | None:
        """A sitemap says this URL did not change since the last healthy run. Returns None
        when no earlier run fetched it, or (given ``lastmod``) when that fetch is not
        later than ``lastmod`` (fetch it), else what it is: ``"article"`` (then
        counted as seen and not modified: ``articles``, ``not_modified`` and its text
        length, once per run, so skipping keeps the health check's article count and mean
        text length) or ``"page"``. Nothing else about the URL changes."""
        run_id = self._require_run()
        with self._write() as db:
            row = db.execute("SELECT article_id, is_article, last_fetch FROM urls "
                             "WHERE url_key = ? AND last_fetch IS NOT NULL", (key,)).fetchone()
            if row is None or (lastmod is not None
                               and not unchanged_since(lastmod, row["last_fetch"])):
                return None
            if not (row["is_article"] and row["article_id"]):
                return "page"
            article = db.execute("SELECT last_run, text_length FROM articles "
                                 "WHERE article_id = ?", (row["article_id"],)).fetchone()
            if article is not None and article["last_run"] != run_id:
                db.execute("UPDATE articles SET last_run = ? WHERE article_id = ?",
                           (run_id, row["article_id"]))
                _bump(db, run_id, articles=1, not_modified=1,
                      text_chars=article["text_length"] or 0)
        return "article"

    def validators(self, key: str) -> tuple[str | None, str | None] | None:
        """(etag, last_modified) exactly as received for a known *article* URL, or None
        (no validators for listing pages: a 304 has no links to follow)."""
        with self._mutex:
            row = self._conn.execute(
                "SELECT etag, last_modified FROM urls WHERE url_key = ? AND is_article = 1",
                (key,)).fetchone()
        if row is None or (row["etag"] is None and row["last_modified"] is None):
            return None
        return row["etag"], row["last_modified"]

    def decide(self, record: ArticleRecord | Mapping[str, Any]) -> Decision:
        """NEW, CHANGED(previous_record_id, version) or UNCHANGED by the article's content
        hash (read only; ``commit_record`` decides again inside its transaction)."""
        data = record_dict(record)
        with self._mutex:
            row = self._conn.execute("SELECT * FROM articles WHERE article_id = ?",
                                     (data["article_id"],)).fetchone()
        return decide_from_row(row, data["content_hash"])

    def commit_record(self, record: ArticleRecord | Mapping[str, Any], *,
                      etag: str | None = None, last_modified: str | None = None,
                      fetched_at: str | None = None) -> Commit:
        """Decide and store a cleaned article in ONE transaction: the URL's row (validators
        exactly as given), the article's row, the run's counters and, for NEW or CHANGED,
        the record in the export outbox with version / previous_record_id / crawl_run_id set.

        Safe to repeat: the same text again is UNCHANGED and queues nothing.
        """
        run_id = self._require_run()
        data = record_dict(record)
        now = utc_now()
        fetched = fetched_at or data.get("fetched_at") or now
        text_length = len(data.get("text") or "")
        with self._write() as db:
            row = db.execute("SELECT * FROM articles WHERE article_id = ?",
                             (data["article_id"],)).fetchone()
            decision = decide_from_row(row, data["content_hash"])
            queued = None
            if decision.verdict is Verdict.UNCHANGED:
                record_id, version = row["record_id"], row["version"]
                text_length = row["text_length"]
                db.execute("UPDATE articles SET last_seen = ?, last_run = ? WHERE article_id = ?",
                           (now, run_id, data["article_id"]))
            else:
                record_id, version = data["record_id"], decision.version
                queued = dict(data, version=version, crawl_run_id=run_id,
                              previous_record_id=decision.previous_record_id)
                db.execute(
                    "INSERT INTO outbox (article_id, version, record_id, run_id, created_at, "
                    "record) VALUES (?, ?, ?, ?, ?, ?)",
                    (data["article_id"], version, record_id, run_id, now,
                     json.dumps(queued, ensure_ascii=False)))
                db.execute(
                    "INSERT INTO articles (article_id, canonical_url, record_id, version, "
                    "content_hash, text_length, first_seen, last_changed, last_seen, last_run) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
                    "canonical_url = excluded.canonical_url, record_id = excluded.record_id, "
                    "version = excluded.version, content_hash = excluded.content_hash, "
                    "text_length = excluded.text_length, last_changed = excluded.last_changed, "
                    "last_seen = excluded.last_seen, last_run = excluded.last_run",
                    (data["article_id"], data.get("canonical_url") or data["url"], record_id,
                     version, data["content_hash"], text_length, now, now, now, run_id))
            first_in_run = row is None or row["last_run"] != run_id
            _upsert_url(db, data["url"], now, fetched=fetched,
                        status=data.get("http_status"), etag=etag, last_modified=last_modified,
                        is_article=1, article_id=data["article_id"], record_id=record_id,
                        version=version, content_hash=data["content_hash"],
                        text_length=text_length,
                        canonical=data.get("canonical_url") or canonical_url(data["url"]))
            counts = {"pages": 1}
            if first_in_run:
                counts.update({"articles": 1, decision.verdict.value: 1,
                               "text_chars": text_length})
            _bump(db, run_id, **counts)
        return Commit(decision, queued)

    def mark_not_modified(self, key: str, fetched_at: str | None = None) -> bool:
        """Record a 304 for a known URL: it was checked, its record stays as it is.
        Returns False (and only counts the page) when the URL is unknown."""
        run_id = self._require_run()
        now = utc_now()
        with self._write() as db:
            row = db.execute("SELECT article_id, text_length, is_article FROM urls "
                             "WHERE url_key = ?", (key,)).fetchone()
            if row is None:
                _bump(db, run_id, pages=1)
                return False
            db.execute("UPDATE urls SET last_seen = ?, last_fetch = ? WHERE url_key = ?",
                       (now, fetched_at or now, key))
            counts = {"pages": 1}
            if row["is_article"] and row["article_id"]:
                article = db.execute("SELECT last_run FROM articles WHERE article_id = ?",
                                     (row["article_id"],)).fetchone()
                if article is not None and article["last_run"] != run_id:
                    db.execute("UPDATE articles SET last_seen = ?, last_run = ? "
                               "WHERE article_id = ?", (now, run_id, row["article_id"]))
                    counts.update(articles=1, not_modified=1,
                                  text_chars=row["text_length"] or 0)
            _bump(db, run_id, **counts)
        return True

    def record_page(self, url: str, *, outcome: str = "page", http_status: int | None = None,
                    fetched_at: str | None = None) -> None:
        """Count a response that is not an article: ``page`` (listing, sitemap ...),
        ``rejected`` (cleaning said no: the URL stops being an article, so no validators)
        or ``error`` (failed fetch, 5xx ...)."""
        if outcome not in PAGE_OUTCOMES:
            raise ValueError(f"outcome must be one of {PAGE_OUTCOMES}, got {outcome!r}")
        run_id = self._require_run()
        now = utc_now()
        with self._write() as db:
            if outcome != "error":
                _upsert_url(db, url, now, fetched=fetched_at or now, status=http_status,
                            is_article=0 if outcome == "rejected" else None)
            _bump(db, run_id, pages=1, **({"errors": 1} if outcome == "error" else
                                          {"rejected": 1} if outcome == "rejected" else {}))

    def known_article_urls(self) -> Iterator[KnownUrl]:
        """Every known article URL with its validators, in key order, a page at a time."""
        after = ""
        while True:
            with self._mutex:
                rows = self._conn.execute(
                    "SELECT url_key, url, etag, last_modified, last_fetch FROM urls "
                    "WHERE is_article = 1 AND url_key > ? ORDER BY url_key LIMIT ?",
                    (after, PAGE_SIZE)).fetchall()
            if not rows:
                return
            for row in rows:
                yield KnownUrl(*row)
            after = rows[-1]["url_key"]

    # --- export outbox -----------------------------------------------------------------------

    def pending_exports(self) -> int:
        """Records in the outbox not yet claimed by an export."""
        with self._mutex:
            return self._conn.execute(
                "SELECT count(*) FROM outbox WHERE export_id IS NULL").fetchone()[0]

    def begin_export(self, target: str | os.PathLike[str]) -> ExportBatch:
        """Claim every unexported record for one export whose *last* written file is
        ``target``. An earlier export that never finished is settled first: if its target
        exists it did complete (its records stay exported), else its records are claimed
        again here."""
        target = str(target)
        with self._write() as db:
            for row in db.execute("SELECT export_id, target FROM exports "
                                  "WHERE finished_at IS NULL").fetchall():
                if os.path.exists(row["target"]):
                    db.execute("UPDATE exports SET finished_at = ? WHERE export_id = ?",
                               (utc_now(), row["export_id"]))
                else:
                    db.execute("UPDATE outbox SET export_id = NULL WHERE export_id = ?",
                               (row["export_id"],))
                    db.execute("UPDATE exports SET finished_at = ?, records = 0, "
                               "target = target || ' (abandoned)' WHERE export_id = ?",
                               (utc_now(), row["export_id"]))
            export_id = db.execute("INSERT INTO exports (target, started_at) VALUES (?, ?)",
                                   (target, utc_now())).lastrowid
            count = db.execute("UPDATE outbox SET export_id = ? WHERE export_id IS NULL",
                               (export_id,)).rowcount
            db.execute("UPDATE exports SET records = ? WHERE export_id = ?", (count, export_id))
        assert export_id is not None
        return ExportBatch(export_id, target, count)

    def iter_export(self, export_id: int) -> Iterator[dict[str, Any]]:
        """The records of one export in commit order (schema-shaped dicts), a page at a time.
        Can be iterated again (once per output format)."""
        after = 0
        while True:
            with self._mutex:
                rows = self._conn.execute(
                    "SELECT seq, record FROM outbox WHERE export_id = ? AND seq > ? "
                    "ORDER BY seq LIMIT ?", (export_id, after, PAGE_SIZE)).fetchall()
            if not rows:
                return
            for row in rows:
                yield json.loads(row["record"])
            after = rows[-1]["seq"]

    def finish_export(self, export_id: int) -> None:
        """Mark an export complete (after its files were atomically in place)."""
        with self._write() as db:
            db.execute("UPDATE exports SET finished_at = ? WHERE export_id = ?",
                       (utc_now(), export_id))

    # --- checks --------------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Consistency problems (empty list when healthy): SQLite's integrity check, and
        every article's latest version present once in the outbox."""
        with self._mutex:
            problems = [r[0] for r in self._conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
            problems += [
                f"article {r[0]} version {r[1]} has no outbox row" for r in self._conn.execute(
                    "SELECT a.article_id, a.version FROM articles a LEFT JOIN outbox o "
                    "ON o.article_id = a.article_id AND o.version = a.version "
                    "WHERE o.seq IS NULL LIMIT 20")]
        return problems


# --- helpers (module level so they stay small and testable) --------------------------------

@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _bump(db: sqlite3.Connection, run_id: str, **increments: int) -> None:
    if not increments:
        return
    sets = ", ".join(f"{name} = {name} + ?" for name in increments)
    db.execute(f"UPDATE runs SET {sets} WHERE run_id = ?",  # noqa: S608 -- names are ours
               (*increments.values(), run_id))


def _upsert_url(db: sqlite3.Connection, url: str, now: str, *, fetched: str,
                status: int | None, etag: str | None = None, last_modified: str | None = None,
                is_article: int | None = None, article_id: str | None = None,
                record_id: str | None = None, version: int | None = None,
                content_hash: str | None = None, text_length: int | None = None,
                canonical: str | None = None) -> None:
    """Insert or update one URL row; ``None`` keeps what was stored, except the validators,
    which are replaced whenever the URL is stored as an article (a server that stopped
    sending them must not get stale ones back)."""
    key = url_key(url)
    db.execute(
        "INSERT INTO urls (url_key, url, canonical_url, first_seen, last_seen, last_fetch, "
        "http_status, etag, last_modified, is_article, article_id, record_id, version, "
        "content_hash, text_length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, 0), ?, ?, "
        "?, ?, ?) ON CONFLICT (url_key) DO UPDATE SET url = excluded.url, "
        "canonical_url = COALESCE(excluded.canonical_url, canonical_url), "
        "last_seen = excluded.last_seen, last_fetch = excluded.last_fetch, "
        "http_status = COALESCE(excluded.http_status, http_status), "
        "etag = CASE WHEN ? THEN excluded.etag ELSE etag END, "
        "last_modified = CASE WHEN ? THEN excluded.last_modified ELSE last_modified END, "
        "is_article = COALESCE(?, is_article), "
        "article_id = COALESCE(excluded.article_id, article_id), "
        "record_id = COALESCE(excluded.record_id, record_id), "
        "version = COALESCE(excluded.version, version), "
        "content_hash = COALESCE(excluded.content_hash, content_hash), "
        "text_length = COALESCE(excluded.text_length, text_length)",
        (key, url, canonical or canonical_url(url), now, now, fetched, status, etag,
         last_modified, is_article, article_id, record_id, version, content_hash, text_length,
         is_article == 1, is_article == 1, is_article))


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        data = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
        return json.loads(data) if data else {}
    except (OSError, ValueError):
        return {}


def _summary(row: sqlite3.Row) -> RunSummary:
    articles = row["articles"]
    return RunSummary(
        run_id=row["run_id"], started_at=row["started_at"], ended_at=row["ended_at"],
        pages=row["pages"], errors=row["errors"], articles=articles, new=row["new"],
        changed=row["changed"], unchanged=row["unchanged"], not_modified=row["not_modified"],
        rejected=row["rejected"],
        mean_text_length=round(row["text_chars"] / articles, 1) if articles else None,
        health_exit=row["health_exit"], health_reason=row["health_reason"])
