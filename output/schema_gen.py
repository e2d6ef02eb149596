"""Generate ``schema/article.schema.json`` and ``docs/schema.md`` from ``ArticleRecord``.

The dataclass in ``output/schema.py`` is the single source; these files are its
published views. Regenerate after changing it::

    python -m output.schema_gen            # rewrite both files
    python -m output.schema_gen --check    # exit 1 when a file is out of date

``tests/test_schema.py`` fails when the committed files drift from the code.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from output.schema import FIELD_SPECS, SCHEMA_VERSION, FieldSpec
from output.writers import atomic_write

ROOT = Path(__file__).resolve().parent.parent
JSON_SCHEMA_PATH = Path("schema/article.schema.json")
DICTIONARY_PATH = Path("docs/schema.md")
SCHEMA_ID = "urn:gleaner:schema:article-record"
JSON_TYPES: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "str": {"type": "string"},
    "wallclock": {"type": "string"},
    "utc": {"type": "string"},
    "list": {"type": "array", "items": {"type": "string"}},
}


def json_property(spec: FieldSpec) -> dict[str, Any]:
    """The JSON Schema of one field.

    >>> from output.schema import FIELD_SPECS
    >>> json_property(FIELD_SPECS[4])["type"]
    ['string', 'null']
    """
    prop: dict[str, Any] = {"description": spec.doc}
    base = dict(JSON_TYPES[spec.kind])
    if spec.nullable:
        base["type"] = [base["type"], "null"]
    prop.update(base)
    if spec.name == "schema_version":
        prop["const"] = SCHEMA_VERSION
    if spec.pattern:
        prop["pattern"] = spec.pattern
    prop["x-format"] = spec.fmt
    prop["x-source"] = spec.source
    if spec.example is not None:
        prop["examples"] = [spec.example]
    return prop


def build_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one exported record (one JSONL line)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "gleaner article record",
        "description": f"One cleaned article (one version of it), schema_version "
                       f"{SCHEMA_VERSION}. Generated from output/schema.py by "
                       "`python -m output.schema_gen`; do not edit by hand.",
        "type": "object",
        "properties": {s.name: json_property(s) for s in FIELD_SPECS},
        "required": [s.name for s in FIELD_SPECS],
        "additionalProperties": False,
    }


def render_json_schema() -> str:
    return json.dumps(build_json_schema(), ensure_ascii=False, indent=2) + "\n"


def _cell(value: Any) -> str:
    """Text for a Markdown table cell (pipes escaped, lists as JSON).

    >>> _cell("a | b"), _cell(["x"]), _cell(None), _cell("<title>")
    ('a \\\\| b', '`["x"]`', '', '&lt;title>')
    """
    if value is None:
        return ""
    if isinstance(value, list | int | float) and not isinstance(value, bool):
        value = "`" + json.dumps(value, ensure_ascii=False) + "`"
    text = str(value).replace("<", "&lt;")  # so <title> shows instead of being read as HTML
    return text.replace("|", "\\|").replace("\n", " ")


DICTIONARY_INTRO = """\
# gleaner article record: data dictionary

Generated from `output/schema.py` (`ArticleRecord`) by `python -m output.schema_gen`; do not edit
by hand (a test fails when this file and the code disagree). Current `schema_version`: {version}.
The JSON Schema of one record is `schema/article.schema.json` (draft 2020-12).

One record is one version of one article. Field order below is the CSV column order, the JSON key
order and the DataFrame column order.

## Files of a crawl run

| file | what |
|---|---|
| `articles.jsonl` | JSON Lines: UTF-8 (not ASCII-escaped), one record per line, keys in schema order |
| `articles.csv` | CSV, `pandas` profile: UTF-8 without BOM, RFC 4180 (`\\r\\n`, quoted cells keep their newlines), lists joined with ` \\| `, null as an empty cell |
| `articles.parquet` | Parquet with the Arrow types below, zstd, row groups of 1000 records |
| `rejects.jsonl` | only when some record did not fit the schema: `{{"reason", "problems": [{{"field", "value", "reason"}}], "record"}}` per line |
| `raw/*.warc.gz` | the responses as received (WARC); `raw_ref` points into them |

`gleaner export SITE_DIR` merges every run below `SITE_DIR` into `SITE_DIR/dataset/articles.*`,
keeping the latest version of each article; `gleaner export SITE_DIR --format csv --profile excel
-o FILE` writes one file. The history stays in the run folders. Merged records are written in the
current `schema_version` (older ones upgraded as described under Loading).

The `excel` CSV profile (for spreadsheets) adds a UTF-8 BOM, prefixes text cells that start with
`=`, `+`, `-`, `@`, tab or CR with `'` (against formula injection) and appends a `warnings` column
naming any cell longer than Excel's 32,767-character limit (such cells are written whole; Excel
itself will cut them). Spreadsheets also guess types: an all-digit id or a title such as `2021`
may become a number there; use the `pandas` profile, JSONL or Parquet when exact text matters.

## Loading

```python
from output import load_articles
df = load_articles("out/example.com")             # every run below, latest version of each article
df = load_articles("out/example.com/RUN/articles.csv", columns=["title", "date_published"])
history = load_articles("out/example.com", all_versions=True)
```

Dates: one DataFrame column cannot mix tz-aware and naive values, so

- `date_published` and `date_modified` are naive `datetime64[ns]` holding the page's wall-clock
  time; an offset the page gave is dropped in this column (it survives in the string fields and in
  `date_published_utc`). Year-only and year-month dates fall on the first day of the period;
  `date_published_precision` says which.
- `date_published_utc` is `datetime64[ns, UTC]`, filled only where the page gave an offset; a page
  that gave none gets `NaT` here (gleaner never invents a time zone).
- `fetched_at` is `datetime64[ns, UTC]`.
- `date_published_raw` stays the string exactly as found.
- A date outside pandas' nanosecond range (years 1678-2261) loads as `NaT`, with a warning.

In JSON and CSV all dates are ISO 8601 strings (see each field's pattern). Lists load as Python
lists; an empty CSV cell of a nullable text field loads as `<NA>` (CSV cannot tell `""` from
null). A truncated file (JSONL cut mid-line, CSV cut mid-row, Parquet without its footer) raises
`output.load.LoadError` naming the file and line. Records of an older `schema_version` load with
the fields they lack added as null / empty list; a file from a newer `schema_version` is refused
with a clear error.

## Type of each field per output

| field | JSON | CSV cell | Parquet (Arrow) | pandas dtype |
|---|---|---|---|---|
"""


def _csv_form(spec: FieldSpec) -> str:
    return {"list": "items joined with ` \\| `", "int": "decimal integer",
            "float": "decimal number", "wallclock": "ISO 8601", "utc": "ISO 8601, Z"
            }.get(spec.kind, "text")


def render_dictionary() -> str:
    """The Markdown data dictionary."""
    from output.load import pandas_dtypes
    from output.writers import arrow_schema

    arrow = arrow_schema()
    dtypes = pandas_dtypes()
    lines = [DICTIONARY_INTRO.format(version=SCHEMA_VERSION)]
    for spec in FIELD_SPECS:
        json_type = JSON_TYPES[spec.kind]["type"]
        if spec.kind == "list":
            json_type = "array of string"
        json_type += " or null" if spec.nullable else ""
        lines.append(f"| `{spec.name}` | {json_type} | {_csv_form(spec)} | "
                     f"`{arrow.field(spec.name).type}` | `{dtypes[spec.name]}` |\n")
    lines.append("\n## Fields\n\n| # | field | format | example | where it comes from | "
                 "description |\n|---|---|---|---|---|---|\n")
    for number, spec in enumerate(FIELD_SPECS, 1):
        fmt = _cell(spec.fmt) + (" (nullable)" if spec.nullable else "")
        lines.append(f"| {number} | `{spec.name}` | {fmt} | {_cell(spec.example)} | "
                     f"{_cell(spec.source)} | {_cell(spec.doc)} |\n")
    patterns = [s for s in FIELD_SPECS if s.pattern]
    lines.append("\n## Value patterns\n\nRecords whose values do not match go to "
                 "`rejects.jsonl` instead of the article files.\n\n")
    for spec in patterns:
        lines.append(f"- `{spec.name}`: `{spec.pattern}`\n")
    return "".join(lines)


def generated_files() -> dict[Path, str]:
    """Path relative to the repository root -> the text it should hold."""
    return {JSON_SCHEMA_PATH: render_json_schema(), DICTIONARY_PATH: render_dictionary()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m output.schema_gen",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report files that are out of date (exit 1 if any)")
    args = parser.parse_args(argv)
    stale = []
    for rel, text in generated_files().items():
        path = ROOT / rel
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(str(rel))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_write(path, newline="\n") as fileobj:
                fileobj.write(text)
    if args.check and stale:
        print("out of date: " + ", ".join(stale) + " (run python -m output.schema_gen)",
              file=sys.stderr)
        return 1
    for rel in stale:
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
