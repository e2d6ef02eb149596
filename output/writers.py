"""Writers for article records: JSON Lines, CSV (two profiles) and Parquet.

Every writer takes records (``ArticleRecord`` or dicts in schema shape), streams
them (constant memory however many there are) and writes to a file object it is
given; ``atomic_write`` gives such a file object on a temp file that replaces the
target only when writing completed. ``export_records`` writes a run's
``articles.jsonl`` / ``articles.csv`` / ``articles.parquet`` that way, and sends
records that do not fit the schema to ``rejects.jsonl`` with the field, value and
reason instead of failing the run.

Formats (column order is always ``output.schema.FIELD_NAMES``):

* JSONL: UTF-8, not ASCII-escaped, one record per line, keys in schema order,
  every line ends with ``\\n`` (a file whose last line lacks it was cut short).
* CSV ``pandas`` profile: UTF-8 without BOM, RFC 4180 (csv module, ``\\r\\n``,
  fields quoted when needed, newlines kept inside quoted cells), lists joined
  with `` | ``, None as an empty cell. ``pandas.read_csv(path)`` reads it as is.
* CSV ``excel`` profile: as ``pandas`` plus a UTF-8 BOM; text cells starting with
  ``=``, ``+``, ``-``, ``@``, tab or CR get a leading ``'`` so spreadsheets do not
  run them as formulas; a last column ``warnings`` names the cells longer than
  Excel's 32,767-character limit (counted in UTF-16 units, as Excel does); they
  are written whole, not cut (Excel and LibreOffice cut them when opening).
* Parquet: an explicit Arrow schema derived from the dataclass (see
  ``arrow_schema``); ``date_published`` / ``date_modified`` as naive
  ``timestamp[us]`` holding the page's wall-clock time, ``date_published_utc`` and
  ``fetched_at`` as ``timestamp[us, UTC]``, lists as ``list<string>``; written in
  row groups of ``batch_size`` records.
"""
from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from output.schema import (
    FIELD_NAMES,
    FIELD_SPECS,
    SCHEMA_VERSION,
    ArticleRecord,
    FieldProblem,
    iter_record_problems,
    record_as_dict,
    short_repr,
)

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Files are created with the permissions a plain open() would give (mkstemp makes them 0600).
FILE_MODE = 0o666 & ~_read_umask()

Record = ArticleRecord | Mapping[str, Any]

LIST_SEPARATOR = " | "
CSV_PROFILES: tuple[str, ...] = ("pandas", "excel")
# Spreadsheet formula triggers (OWASP "CSV injection"): a cell starting with one is prefixed.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"
EXCEL_CELL_LIMIT = 32_767
WARNINGS_COLUMN = "warnings"
PARQUET_BATCH_SIZE = 1000
EXPORT_FORMATS: dict[str, str] = {"jsonl": "articles.jsonl", "csv": "articles.csv",
                                  "parquet": "articles.parquet"}
REJECTS_FILE = "rejects.jsonl"
PARQUET_METADATA_KEY = b"gleaner_schema_version"


class SchemaError(ValueError):
    """A record handed to a writer does not fit the schema (``problems`` says how)."""

    def __init__(self, problems: list[FieldProblem], position: int | None = None):
        self.problems = problems
        where = f"record {position}: " if position is not None else ""
        super().__init__(where + "; ".join(f"{p.field}={p.value}: {p.reason}" for p in problems))


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO[Any]]:
    """Yield a file object on a temp file beside ``path``; replace ``path`` with it on success.

    On an exception the temp file is removed and ``path`` is left untouched.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_write(target) as f:
    ...     _ = f.write("done")
    >>> target.read_text()
    'done'
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, FILE_MODE)
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding,
                       newline=None if binary else newline) as fileobj:
            yield fileobj
            fileobj.flush()
            os.fsync(fileobj.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class CheckedRow(dict):
    """A record dict in schema order that already passed ``iter_record_problems``."""


def iter_checked_rows(records: Iterable[Record]) -> Iterator[dict[str, Any]]:
    """Records as dicts in schema order; raises ``SchemaError`` at the first misfit."""
    for position, record in enumerate(records):
        if isinstance(record, CheckedRow):
            yield record
            continue
        problems = list(iter_record_problems(record))
        if problems:
            raise SchemaError(problems, position)
        yield record_as_dict(record)


def write_jsonl(records: Iterable[Record], fileobj: IO[str]) -> int:
    """Write records as JSON Lines to a text file object; return how many.

    >>> import io
    >>> buf = io.StringIO()
    >>> write_jsonl([{"title": "你好", "word_count": 2}], buf)
    1
    >>> '"title": "你好"' in buf.getvalue(), buf.getvalue().endswith("\\n")
    (True, True)
    """
    count = 0
    for row in iter_checked_rows(records):
        fileobj.write(json.dumps(row, ensure_ascii=False, allow_nan=False))
        fileobj.write("\n")
        count += 1
    return count


def format_csv_cell(value: Any) -> str:
    """One value as CSV cell text: lists joined with `` | ``, None empty.

    >>> format_csv_cell(["a", "b"]), format_csv_cell(None), format_csv_cell(0.5)
    ('a | b', '', '0.5')
    """
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def neutralise_formula(cell: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with ``'``.

    >>> neutralise_formula("=1+1"), neutralise_formula("-5 degrees"), neutralise_formula("ok")
    ("'=1+1", "'-5 degrees", 'ok')
    """
    return FORMULA_GUARD + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def excel_length(cell: str) -> int:
    """Length as Excel counts it (UTF-16 code units: an emoji counts two).

    >>> excel_length("ab"), excel_length("😀")
    (2, 2)
    """
    if cell.isascii():
        return len(cell)
    return len(cell.encode("utf-16-le")) // 2


def excel_cells(row: Mapping[str, Any]) -> list[str]:
    """A row's cells for the excel profile, with the ``warnings`` cell last."""
    cells, warnings = [], []
    for spec in FIELD_SPECS:
        value = row[spec.name]
        cell = format_csv_cell(value)
        if isinstance(value, str | list):
            cell = neutralise_formula(cell)
        size = excel_length(cell)
        if size > EXCEL_CELL_LIMIT:
            warnings.append(f"{spec.name}: {size} characters, over Excel's "
                            f"{EXCEL_CELL_LIMIT}-character cell limit")
        cells.append(cell)
    cells.append(LIST_SEPARATOR.join(warnings))
    return cells


def write_csv(records: Iterable[Record], fileobj: IO[str], profile: str = "pandas") -> int:
    """Write records as CSV (profile ``pandas`` or ``excel``) to a text file object.

    Open the file with ``newline=""`` (as the csv module requires). Returns the
    number of records written.

    >>> import io
    >>> buf = io.StringIO()
    >>> write_csv([{"title": "=SUM(A1)", "tags": ["a", "b"]}], buf, profile="excel")
    1
    >>> buf.getvalue().startswith("\\ufeffschema_version,"), "'=SUM(A1)" in buf.getvalue()
    (True, True)
    """
    if profile not in CSV_PROFILES:
        raise ValueError(f"unknown CSV profile {profile!r}; expected one of {CSV_PROFILES}")
    writer = csv.writer(fileobj, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    if profile == "excel":
        fileobj.write("\ufeff")
        writer.writerow((*FIELD_NAMES, WARNINGS_COLUMN))
    else:
        writer.writerow(FIELD_NAMES)
    count = 0
    for row in iter_checked_rows(records):
        if profile == "excel":
            writer.writerow(excel_cells(row))
        else:
            writer.writerow([format_csv_cell(row[name]) for name in FIELD_NAMES])
        count += 1
    return count


def parse_wall_clock(value: str) -> datetime:
    """The wall-clock time of an ISO 8601 date as a naive datetime (offset dropped).

    Year-only and year-month dates start at the first day.

    >>> parse_wall_clock("2021-07-17T16:38:28+08:00"), parse_wall_clock("2021-07")
    (datetime.datetime(2021, 7, 17, 16, 38, 28), datetime.datetime(2021, 7, 1, 0, 0))
    """
    if len(value) == 4:
        value += "-01-01"
    elif len(value) == 7:
        value += "-01"
    return datetime.fromisoformat(value).replace(tzinfo=None)


def parse_utc(value: str) -> datetime:
    """An ISO 8601 UTC time ("...Z") as an aware datetime.

    >>> parse_utc("2021-07-17T08:38:28Z")
    datetime.datetime(2021, 7, 17, 8, 38, 28, tzinfo=datetime.timezone.utc)
    """
    return datetime.fromisoformat(value).astimezone(UTC)


ARROW_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "wallclock": parse_wall_clock,
    "utc": parse_utc,
}


def arrow_schema() -> pa.Schema:
    """The Arrow schema of the Parquet output, derived from ``ArticleRecord``."""
    import pyarrow as pa

    types = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(),
             "list": pa.list_(pa.string()), "wallclock": pa.timestamp("us"),
             "utc": pa.timestamp("us", tz="UTC")}
    fields = [pa.field(s.name, types[s.kind], nullable=s.nullable or s.kind == "list",
                       metadata={b"doc": s.doc.encode("utf-8")}) for s in FIELD_SPECS]
    return pa.schema(fields, metadata={PARQUET_METADATA_KEY: str(SCHEMA_VERSION).encode()})


def _arrow_batch(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    import pyarrow as pa

    columns = []
    for spec in FIELD_SPECS:
        convert = ARROW_CONVERTERS.get(spec.kind)
        values = [row[spec.name] for row in rows]
        if convert is not None:
            values = [None if v is None else convert(v) for v in values]
        columns.append(values)
    return pa.RecordBatch.from_arrays(
        [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
        schema=schema)


def write_parquet(records: Iterable[Record], path: str | os.PathLike[str] | IO[bytes],
                  batch_size: int = PARQUET_BATCH_SIZE) -> int:
    """Write records as Parquet in row groups of ``batch_size``; return how many.

    ``path`` is a file name (written atomically) or a binary file object.
    """
    import pyarrow.parquet as pq

    if isinstance(path, str | os.PathLike):
        with atomic_write(path, "wb") as fileobj:
            return write_parquet(records, fileobj, batch_size)
    schema = arrow_schema()
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in iter_checked_rows(records):
            batch.append(row)
            if len(batch) >= batch_size:
                writer.write_batch(_arrow_batch(batch, schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_batch(_arrow_batch(batch, schema))
            count += len(batch)
    return count


class _RejectLog:
    """Streams misfit records to ``rejects.jsonl`` (only created when there is one)."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self._stack = contextlib.ExitStack()
        self._file: IO[str] | None = None

    def add(self, record: Any, problems: list[FieldProblem]) -> None:
        for p in problems:
            log.warning("record rejected by schema: %s=%s: %s (url %s)", p.field, p.value,
                        p.reason, _record_url(record))
        if self._file is None:
            self._file = self._stack.enter_context(atomic_write(self.path))
        entry = {"reason": "schema_mismatch", "problems": [p.as_dict() for p in problems],
                 "record": _jsonable_record(record)}
        self._file.write(json.dumps(entry, ensure_ascii=False, default=short_repr) + "\n")
        self.count += 1

    def __enter__(self) -> _RejectLog:
        self._stack.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._stack.__exit__(*exc)


def _record_url(record: Any) -> str:
    if isinstance(record, ArticleRecord):
        return record.url
    if isinstance(record, Mapping):
        return str(record.get("url", ""))
    return ""


def _jsonable_record(record: Any) -> Any:
    if isinstance(record, ArticleRecord):
        return record.to_dict()
    if isinstance(record, Mapping):
        return {str(k): v for k, v in record.items()}
    return short_repr(record)


def export_records(records_factory: Callable[[], Iterable[Record]], out_dir: str | os.PathLike[str],
                   formats: Iterable[str] = ("jsonl", "csv", "parquet"),
                   csv_profile: str = "pandas",
                   file_names: Mapping[str, str] | None = None) -> dict[str, int]:
    """Write ``articles.<format>`` for each format into ``out_dir``, atomically.

    ``records_factory()`` must return a fresh iterable on each call: it is
    iterated once per format. Records that do not fit the schema go to
    ``rejects.jsonl`` (written during the first pass, with field, value and
    reason) and are logged; they never stop the export. Returns counts per file
    name, ``rejects.jsonl`` included (0 when there were none; the file is then
    not written, and a stale one from an earlier export into ``out_dir`` is removed).
    ``file_names`` overrides file names per format (and ``"rejects"``).
    """
    formats = tuple(formats)
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown or not formats:
        raise ValueError(f"unknown export formats {unknown}; expected some of "
                         f"{tuple(EXPORT_FORMATS)}")
    if csv_profile not in CSV_PROFILES:
        raise ValueError(f"unknown CSV profile {csv_profile!r}; expected one of {CSV_PROFILES}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = {**EXPORT_FORMATS, "rejects": REJECTS_FILE, **(file_names or {})}
    counts: dict[str, int] = {}
    with _RejectLog(out / names["rejects"]) as rejects:
        for index, fmt in enumerate(formats):
            on_reject = rejects.add if index == 0 else None
            good = _iter_valid(records_factory(), on_reject)
            name = names[fmt]
            if fmt == "parquet":
                counts[name] = write_parquet(good, out / name)
            elif fmt == "jsonl":
                with atomic_write(out / name) as fileobj:
                    counts[name] = write_jsonl(good, fileobj)
            else:
                with atomic_write(out / name, newline="") as fileobj:
                    counts[name] = write_csv(good, fileobj, profile=csv_profile)
    counts[names["rejects"]] = rejects.count
    if rejects.count == 0:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(out / names["rejects"])
    return counts


def _iter_valid(records: Iterable[Any],
                on_reject: Callable[[Any, list[FieldProblem]], None] | None) -> Iterator[CheckedRow]:
    for record in records:
        problems = list(iter_record_problems(record))
        if problems:
            if on_reject is not None:
                on_reject(record, problems)
            continue
        yield CheckedRow(record_as_dict(record))
