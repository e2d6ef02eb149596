"""Load exported articles into pandas, and merge runs into one dataset.

``load_articles(path)`` accepts any of the three export formats
(``articles.parquet`` / ``.jsonl`` / ``.csv``, either CSV profile), a run folder
(parquet preferred, else jsonl, else csv) or a folder of runs (every folder
below it that holds an ``articles.*`` file, except ``dataset/`` folders written
by ``gleaner export``). For a folder of runs only the latest version of each
article is kept -- highest ``version``, then latest ``fetched_at`` -- unless
``all_versions=True`` (then every version is kept, each ``record_id`` once).

Column types (the same whatever the input format; see docs/schema.md):

* integers (``word_count``, ``version``, ``http_status``, ...) as nullable ``Int64``;
* ``extraction_confidence`` as ``float64`` (NaN when absent);
* text as pandas ``string`` dtype (``<NA>`` when absent);
* ``authors`` / ``tags`` / ``text_fixes`` as Python lists (``[]`` when empty);
* dates: one column cannot mix tz-aware and naive values, so
  ``date_published`` and ``date_modified`` are naive ``datetime64[ns]`` holding
  the page's wall-clock time (an offset the page gave is dropped *in this
  column*; year-only / year-month dates fall on the first day -- see
  ``date_published_precision``), ``date_published_utc`` is
  ``datetime64[ns, UTC]`` filled only where the page gave an offset, and
  ``fetched_at`` is ``datetime64[ns, UTC]``. ``date_published_raw`` stays the
  string as found. A date outside pandas' nanosecond range (years 1678-2261)
  becomes ``NaT`` with a logged warning; its raw string is kept.

Bad input: a truncated file (JSONL whose last line is cut, CSV cut mid-row, a
Parquet file without its footer) or a row that does not parse raises
``LoadError`` naming the file and line. Schema versions: rows written by an
older ``schema_version`` are upgraded by adding the fields they lack with
their defaults (null, empty list); a row from a *newer* schema_version than
this gleaner knows raises ``LoadError`` (upgrade gleaner to read it).
CSV cannot tell an empty string from a missing value: an empty cell of a
nullable text field loads as ``<NA>``. Loading an excel-profile CSV removes the
``'`` the writer put before formula-like cells and drops its ``warnings`` column.
"""
from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from output.schema import (
    FIELD_NAMES,
    FIELD_SPECS,
    SCHEMA_VERSION,
    FieldSpec,
    iter_record_problems,
)
from output.writers import (
    FORMULA_GUARD,
    FORMULA_TRIGGERS,
    LIST_SEPARATOR,
    PARQUET_METADATA_KEY,
    WARNINGS_COLUMN,
    parse_utc,
    parse_wall_clock,
)

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

# Run-folder file names in the order the loader prefers them.
LOAD_PREFERENCE: tuple[str, ...] = ("articles.parquet", "articles.jsonl", "articles.csv")
# Order for re-reading records exactly (strings as written): JSONL first.
RECORD_PREFERENCE: tuple[str, ...] = ("articles.jsonl", "articles.csv", "articles.parquet")
SUFFIX_FORMATS: dict[str, str] = {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
                                  ".csv": "csv"}
# Folders below a site folder that hold merged datasets, not runs.
SKIPPED_FOLDERS: tuple[str, ...] = ("dataset",)
PANDAS_DTYPES: dict[str, str] = {"int": "Int64", "float": "float64", "str": "string",
                                 "list": "object", "wallclock": "datetime64[ns]",
                                 "utc": "datetime64[ns, UTC]"}
_SPECS = {s.name: s for s in FIELD_SPECS}
_TS_MIN, _TS_MAX = datetime(1677, 9, 22), datetime(2262, 4, 11)


class LoadError(ValueError):
    """A file that cannot be loaded as gleaner articles; the message names file and line."""

    def __init__(self, path: str | os.PathLike[str], reason: str, line: int | None = None):
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {reason}")


def pandas_dtypes() -> dict[str, str]:
    """Column name -> pandas dtype of a loaded DataFrame, in schema order.

    >>> pandas_dtypes()["word_count"], pandas_dtypes()["fetched_at"]
    ('Int64', 'datetime64[ns, UTC]')
    """
    return {s.name: PANDAS_DTYPES[s.kind] for s in FIELD_SPECS}


# ---------------------------------------------------------------- finding files


def find_article_file(run_dir: Path, preference: Sequence[str] = LOAD_PREFERENCE) -> Path | None:
    """The articles file of a run folder, by preference; None when it has none."""
    for name in preference:
        if (run_dir / name).is_file():
            return run_dir / name
    return None


def find_run_dirs(site_dir: Path) -> list[Path]:
    """Every folder at or below ``site_dir`` holding an articles file (sorted, datasets skipped)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(site_dir):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_FOLDERS
                             and not d.startswith("."))
        if any(name in filenames for name in LOAD_PREFERENCE):
            found.append(Path(dirpath))
            dirnames[:] = []  # a run folder's subfolders (raw/) hold no runs
    return sorted(found)


def resolve_sources(path: str | os.PathLike[str],
                    preference: Sequence[str] = LOAD_PREFERENCE) -> tuple[list[Path], bool]:
    """(article files to read, whether they come from several runs) for a file or folder."""
    p = Path(path)
    if p.is_file():
        format_of(p)
        return [p], False
    if not p.is_dir():
        raise LoadError(p, "no such file or folder")
    own = find_article_file(p, preference)
    if own is not None:
        return [own], False
    runs = find_run_dirs(p)
    files = [f for f in (find_article_file(r, preference) for r in runs) if f is not None]
    if not files:
        raise LoadError(p, "no articles.parquet, articles.jsonl or articles.csv in this folder "
                           "or below it")
    return files, True


def format_of(path: Path) -> str:
    """Export format of a file from its suffix.

    >>> format_of(Path("run/articles.jsonl"))
    'jsonl'
    """
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LoadError(path, f"unknown file type {path.suffix!r}; expected one of "
                              f"{sorted(SUFFIX_FORMATS)}")
    return fmt


# ---------------------------------------------------------------- rows from files


def upgrade_row(row: dict[str, Any], path: Path, line: int | None) -> dict[str, Any]:
    """A row in the current schema: check its schema_version, add missing fields.

    Keys this schema does not know are dropped.
    """
    version = row.get("schema_version")
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    if not isinstance(version, int) or isinstance(version, bool):
        raise LoadError(path, f"no valid schema_version (got {version!r}); not a gleaner "
                              "articles file?", line)
    if version > SCHEMA_VERSION:
        raise LoadError(path, f"written with schema_version {version}, newer than the "
                              f"{SCHEMA_VERSION} this gleaner reads; upgrade gleaner", line)
    out = {}
    for spec in FIELD_SPECS:
        value = row.get(spec.name, spec.default)
        out[spec.name] = list(value) if isinstance(value, list) else value
    return out


def iter_jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a JSONL articles file; LoadError on a bad or cut line."""
    with open(path, encoding="utf-8", newline="") as f:
        lineno = 0
        for lineno, line in enumerate(f, 1):  # noqa: B007 - used after the loop
            if not line.endswith("\n"):
                raise LoadError(path, "last line has no line end: the file was cut short "
                                      "(truncated)", lineno)
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LoadError(path, f"not valid JSON ({exc.msg} at column {exc.colno})",
                                lineno) from None
            if not isinstance(row, dict):
                raise LoadError(path, f"expected a JSON object, got {type(row).__name__}", lineno)
            row = upgrade_row(row, path, lineno)
            problem = next(iter_record_problems(row), None)
            if problem is not None:
                raise LoadError(path, f"{problem.field}={problem.value}: {problem.reason}", lineno)
            yield lineno, row


def _csv_value(spec: FieldSpec, cell: str, path: Path, line: int) -> Any:
    if spec.kind == "list":
        return cell.split(LIST_SEPARATOR) if cell else []
    if cell == "":
        return None if spec.nullable else spec.default
    if spec.kind == "int":
        try:
            return int(cell)
        except ValueError:
            raise LoadError(path, f"{spec.name}: expected an integer, got {cell!r}", line) from None
    if spec.kind == "float":
        try:
            return float(cell)
        except ValueError:
            raise LoadError(path, f"{spec.name}: expected a number, got {cell!r}", line) from None
    return cell


def unguard_formula(cell: str) -> str:
    """Undo the excel profile's formula guard.

    >>> unguard_formula("'=1+1"), unguard_formula("'quoted'")
    ('=1+1', "'quoted'")
    """
    if cell.startswith(FORMULA_GUARD) and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell


def iter_csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a CSV articles file in either profile; LoadError when cut or bad."""
    csv.field_size_limit(2**31 - 1)  # article bodies exceed the csv module's 128 KiB default
    with open(path, "rb") as fb:
        fb.seek(0, os.SEEK_END)
        if fb.tell() > 0:
            fb.seek(-1, os.SEEK_END)
            if fb.read(1) != b"\n":
                raise LoadError(path, "file does not end with a line end: it was cut short "
                                      "(truncated)")
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise LoadError(path, "empty file: no CSV header") from None
        excel = bool(header) and header[-1] == WARNINGS_COLUMN
        names = header[:-1] if excel else header
        unknown = [n for n in names if n not in _SPECS]
        if "schema_version" not in names:
            raise LoadError(path, "no schema_version column: not a gleaner articles CSV", 1)
        if unknown:
            log.warning("%s: ignoring columns this schema does not know: %s", path, unknown)
        specs = [_SPECS.get(n) for n in names]
        line = reader.line_num
        try:
            for cells in reader:
                start, line = line + 1, reader.line_num
                if len(cells) != len(header):
                    raise LoadError(path, f"row has {len(cells)} cells, header has "
                                          f"{len(header)} (cut or malformed row)", start)
                row = {}
                for spec, cell in zip(specs, cells, strict=False):
                    if spec is None:
                        continue
                    if excel:
                        cell = unguard_formula(cell)
                    row[spec.name] = _csv_value(spec, cell, path, start)
                yield start, upgrade_row(row, path, start)
        except csv.Error as exc:
            raise LoadError(path, f"CSV error: {exc} (cut mid-row?)", line + 1) from None


def read_parquet_table(path: Path, columns: Sequence[str] | None = None) -> Any:
    """A Parquet articles file as an Arrow table in the current schema (missing fields as nulls)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        table = pf.read(columns=[c for c in (columns or FIELD_NAMES)
                                 if c in pf.schema_arrow.names])
    except (pa.ArrowException, OSError) as exc:
        raise LoadError(path, f"not a complete Parquet file ({exc})") from None
    meta = pf.schema_arrow.metadata or {}
    raw_version = meta.get(PARQUET_METADATA_KEY)
    if raw_version is not None and int(raw_version) > SCHEMA_VERSION:
        raise LoadError(path, f"written with schema_version {int(raw_version)}, newer than the "
                              f"{SCHEMA_VERSION} this gleaner reads; upgrade gleaner")
    if "schema_version" in table.column_names and len(table):
        newest = pa.compute.max(table["schema_version"]).as_py()
        if newest is not None and newest > SCHEMA_VERSION:
            raise LoadError(path, f"written with schema_version {newest}, newer than the "
                                  f"{SCHEMA_VERSION} this gleaner reads; upgrade gleaner")
    return table


# ---------------------------------------------------------------- DataFrames


def _to_datetimes(values: Iterable[Any], parse: Any, column: str) -> list[Any]:
    import pandas as pd

    out = []
    for value in values:
        if value is None or value is pd.NA or value is pd.NaT or (
                isinstance(value, float) and value != value):
            out.append(None)
            continue
        if isinstance(value, str):
            try:
                value = parse(value)
            except ValueError:
                log.warning("%s: unparseable date %r loaded as NaT", column, value)
                out.append(None)
                continue
        naive = value.replace(tzinfo=None) if getattr(value, "tzinfo", None) else value
        if not _TS_MIN <= naive <= _TS_MAX:
            log.warning("%s: date %s outside pandas' range loaded as NaT", column, value)
            out.append(None)
            continue
        out.append(value)
    return out


def apply_schema_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """Give a DataFrame of schema columns the schema's dtypes (see the module docstring)."""
    import pandas as pd

    out = {}
    for name in df.columns:
        spec = _SPECS[name]
        col = df[name]
        if spec.kind == "list":
            out[name] = pd.Series([_as_list(v) for v in col], index=df.index, dtype="object")
        elif spec.kind in ("wallclock", "utc"):
            parse = parse_wall_clock if spec.kind == "wallclock" else parse_utc
            if not pd.api.types.is_datetime64_any_dtype(col.dtype):
                col = pd.Series(_to_datetimes(col.tolist(), parse, name), index=df.index,
                                dtype="object")
            if spec.kind == "utc":
                out[name] = pd.to_datetime(col, utc=True).astype("datetime64[ns, UTC]")
            else:
                if getattr(col.dtype, "tz", None) is not None:
                    col = col.dt.tz_localize(None)
                out[name] = pd.to_datetime(col).astype("datetime64[ns]")
        elif spec.kind == "int":
            out[name] = col.astype("Int64")
        elif spec.kind == "float":
            out[name] = pd.to_numeric(col).astype("float64")
        else:
            out[name] = col.astype("string")
    return pd.DataFrame(out, index=df.index)


def _as_list(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [str(v) for v in value]


def rows_frame(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A typed DataFrame from schema rows, keeping only ``columns``."""
    import pandas as pd

    data: dict[str, list[Any]] = {c: [] for c in columns}
    for row in rows:
        for c in columns:
            data[c].append(row[c])
    frame = pd.DataFrame({c: pd.Series(v, dtype="object") for c, v in data.items()})
    return apply_schema_dtypes(frame)


def load_file(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """One articles file (any format) as a typed DataFrame with ``columns``."""
    fmt = format_of(path)
    if fmt == "parquet":
        import pyarrow as pa

        table = read_parquet_table(path, columns)
        for name in columns:
            if name not in table.column_names:  # older schema: add the field as nulls
                table = table.append_column(name, pa.nulls(len(table)))
        frame = table.select(list(columns)).to_pandas()
        return apply_schema_dtypes(frame)
    rows = iter_jsonl_rows(path) if fmt == "jsonl" else iter_csv_rows(path)
    return rows_frame((row for _, row in rows), columns)


def _check_columns(columns: Sequence[str] | None) -> list[str]:
    if columns is None:
        return list(FIELD_NAMES)
    if isinstance(columns, str):
        columns = [columns]
    unknown = [c for c in columns if c not in _SPECS]
    if unknown:
        raise ValueError(f"unknown columns {unknown}; the schema has {list(FIELD_NAMES)}")
    return list(columns)


def load_articles(path: str | os.PathLike[str], columns: Sequence[str] | None = None,
                  all_versions: bool = False) -> pd.DataFrame:
    """Exported articles as a DataFrame with the schema's dtypes (see the module docstring).

    ``path``: an articles file, a run folder or a folder of runs. ``columns``:
    the columns to return (default all, in schema order). ``all_versions``: for a
    folder of runs, keep every version instead of the latest of each article.
    """
    import pandas as pd

    wanted = _check_columns(columns)
    files, several = resolve_sources(path)
    keys = ["article_id", "record_id", "version", "fetched_at"]
    needed = wanted + [k for k in keys if k not in wanted] if several else wanted
    frames = [load_file(f, needed) for f in files]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if several:
        frame = latest_versions(frame, all_versions)
    return frame[wanted].reset_index(drop=True)


def latest_versions(frame: pd.DataFrame, all_versions: bool = False) -> pd.DataFrame:
    """Keep the latest version of each article (or, with all_versions, each record_id once).

    Latest = highest ``version``, then latest ``fetched_at``; rows keep their order.
    """
    frame = frame.assign(_order=range(len(frame)))
    ordered = frame.sort_values(["version", "fetched_at", "_order"], na_position="first",
                                kind="stable")
    subset = "record_id" if all_versions else "article_id"
    kept = ordered.drop_duplicates(subset=subset, keep="last")
    return kept.sort_values("_order").drop(columns="_order")


# ---------------------------------------------------------------- records for re-export


def iter_file_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, record dict in the current schema) of an articles file.

    JSONL and CSV give the values as written; Parquet dates are written back as
    ISO 8601 strings from the timestamps (see ``format_wall_clock``).
    """
    fmt = format_of(path)
    if fmt == "jsonl":
        yield from iter_jsonl_rows(path)
    elif fmt == "csv":
        yield from iter_csv_rows(path)
    else:
        yield from _iter_parquet_records(path)


def _iter_parquet_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    table = read_parquet_table(path)
    number = 0
    for batch in table.to_batches(max_chunksize=1000):
        for row in batch.to_pylist():
            number += 1
            row = upgrade_row(row, path, number)
            utc = row.get("date_published_utc")
            row["date_published"] = format_wall_clock(row["date_published"],
                                                      row["date_published_precision"], utc)
            row["date_modified"] = format_wall_clock(row["date_modified"], None, None)
            if utc is not None:
                row["date_published_utc"] = format_utc(utc, row["date_published_precision"])
            if row["fetched_at"] is not None:
                row["fetched_at"] = format_utc(row["fetched_at"])
            row["schema_version"] = SCHEMA_VERSION
            yield number, row


def format_utc(value: datetime, precision: str | None = None) -> str:
    """An aware datetime as ISO 8601 UTC ending in Z (minutes only at minute precision).

    >>> from datetime import timezone
    >>> format_utc(datetime(2021, 7, 17, 8, 38, 28, tzinfo=timezone.utc))
    '2021-07-17T08:38:28Z'
    >>> format_utc(datetime(2021, 7, 17, 8, 38, tzinfo=timezone.utc), "minute")
    '2021-07-17T08:38Z'
    """
    timespec = "minutes" if precision == "minute" else "auto"
    return value.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def format_wall_clock(value: datetime | None, precision: str | None,
                      utc: datetime | None) -> str | None:
    """Rebuild the ISO 8601 string of a wall-clock timestamp from its precision.

    The offset is recovered from the UTC value when there is one.

    >>> from datetime import timezone
    >>> format_wall_clock(datetime(2021, 7, 1), "month", None)
    '2021-07'
    >>> format_wall_clock(datetime(2021, 7, 17, 16, 38), "minute",
    ...                   datetime(2021, 7, 17, 8, 38, tzinfo=timezone.utc))
    '2021-07-17T16:38+08:00'
    """
    if value is None:
        return None
    if precision is None:
        precision = "day" if value.time() == datetime.min.time() else "second"
    layout = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d", "minute": "%Y-%m-%dT%H:%M"}
    text = value.strftime(layout.get(precision, "%Y-%m-%dT%H:%M:%S"))
    if precision == "second" and value.microsecond:
        text = value.isoformat()
    if utc is not None and "T" in text:
        minutes = round((value - utc.replace(tzinfo=None)).total_seconds() / 60)
        sign = "+" if minutes >= 0 else "-"
        text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text


_NEVER = datetime(1, 1, 1)


def _fetched_key(value: str | None) -> datetime:
    """fetched_at as a naive UTC datetime for ordering; missing or odd values sort first."""
    if not value:
        return _NEVER
    try:
        return parse_utc(value).replace(tzinfo=None)
    except ValueError:
        return _NEVER


def iter_latest_records(site_dir: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """The latest version of each article over every run below ``site_dir``, as record dicts.

    Two passes over the run files (JSONL preferred, read exactly as written): the
    first keeps only the winning position of each article, the second yields
    those records in run order, so memory holds one small key per article.
    """
    files, _ = resolve_sources(site_dir, RECORD_PREFERENCE)
    winners: dict[str, tuple[tuple[int, datetime], tuple[int, int]]] = {}
    for file_index, path in enumerate(files):
        for number, row in iter_file_records(path):
            key = (row["version"] if isinstance(row["version"], int) else 0,
                   _fetched_key(row["fetched_at"]))
            best = winners.get(row["article_id"])
            if best is None or key >= best[0]:
                winners[row["article_id"]] = (key, (file_index, number))
    chosen = {position for _, position in winners.values()}
    for file_index, path in enumerate(files):
        for number, row in iter_file_records(path):
            if (file_index, number) in chosen:
                row["schema_version"] = SCHEMA_VERSION
                yield row
