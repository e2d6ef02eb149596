"""The article record: one typed class that drives every output format.

Standard library only (a layering test enforces it). Field order here is the
CSV column order, the JSON key order, the JSON Schema property order and the
DataFrame column order. Each field carries its documentation in ``metadata``:
``doc`` (what it is), ``format`` (how the value is written), ``source`` (where
it comes from) and ``example``; ``docs/schema.md`` and
``schema/article.schema.json`` are generated from them.

Design of dates: ``date_published`` is the page's wall-clock value as an ISO
8601 string *without* an offset unless the page gave one; ``date_published_utc``
is filled only when the page gave an offset (so analysts get one tz-naive and one
UTC column, never a column that mixes both).
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


# Value patterns checked by ``check_record`` and published in the JSON Schema.
ISO_DATE_PATTERN = (r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?"
                    r"(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?$")
UTC_DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?Z$"

# How a column is typed in Parquet and pandas (see output.load): fields not named here get their
# kind from their Python type (int, float, str, list[str]).
WALL_CLOCK_FIELDS: tuple[str, ...] = ("date_published", "date_modified")
UTC_FIELDS: tuple[str, ...] = ("date_published_utc", "fetched_at")


def _f(doc: str, *, fmt: str = "", source: str = "", example: Any = None, default: Any = None,
       list_default: bool = False, pattern: str | None = None) -> Any:
    """A dataclass field with its documentation attached as metadata."""
    meta = {"doc": doc, "format": fmt, "source": source, "example": example, "pattern": pattern}
    if list_default:
        return field(default_factory=list, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True, kw_only=True, slots=True)
class ArticleRecord:
    """One cleaned article (one version of it)."""

    schema_version: int = _f("Version of this record layout.", fmt="integer",
                             source="constant output.schema.SCHEMA_VERSION", example=1,
                             default=SCHEMA_VERSION)
    record_id: str = _f("Id of this version of the article: sha1 of article_id and content_hash, "
                        "first 20 hex digits.", fmt="hex string", source="computed",
                        example="4f1c2d0a9b8e7f6a5b4c", default="")
    article_id: str = _f("Stable id of the article across versions: sha1 of canonical_url, "
                         "first 20 hex digits.", fmt="hex string", source="computed",
                         example="a1b2c3d4e5f60718293a", default="")
    version: int = _f("1 for the first export of an article, +1 each time its cleaned text "
                      "changes in a later run.", fmt="integer", source="crawl state", example=1,
                      default=1)
    previous_record_id: str | None = _f("record_id of the version this one replaces, if any.",
                                        fmt="hex string or null", source="crawl state")
    url: str = _f("URL the page was fetched from (after redirects).", fmt="absolute URL",
                  source="HTTP response", example="https://www.example.com/news/12.html",
                  default="")
    canonical_url: str = _f("Canonical URL: rel=canonical / og:url when same-site, else url; "
                            "tracking parameters and fragments removed.", fmt="absolute URL",
                            source="page markup + URL rules",
                            example="https://www.example.com/news/12.html", default="")
    source_domain: str = _f("Host of canonical_url without a leading 'www.'.", fmt="host name",
                            source="canonical_url", example="example.com", default="")
    title: str | None = _f("Article title.", fmt="text",
                           source="JSON-LD headline > og:title > h1 > <title> minus site name",
                           example="Chengdu Construction of Science and Technology Innovation Center")
    text: str = _f("Main text: paragraphs separated by one blank line; headings, list items and "
                   "table rows as their own lines. Boilerplate removed, text repaired.",
                   fmt="text", source="main-content extraction", example="Innovation is ...",
                   default="")
    word_count: int = _f("Words in text (CJK characters count one each).", fmt="integer",
                         source="text", example=1874, default=0)
    language: str | None = _f("Language of the text.", fmt="ISO 639-1 code",
                              source="html lang / offline detector (CLD2)", example="en")
    authors: list[str] = _f("People credited as authors (no organisations, no junk).",
                            fmt="list of names (CSV: joined with ' | ')",
                            source="JSON-LD author > meta author > byline",
                            example=["Jane Doe"], list_default=True)
    date_published: str | None = _f("Publication date as the page gave it, normalised: "
                                    "YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS], with an offset only when "
                                    "the page gave one. Never an invented time or zone.",
                                    fmt="ISO 8601", source="JSON-LD > meta > <time> > text",
                                    example="2021-07-17T16:38:28",
                                    pattern=ISO_DATE_PATTERN)
    date_published_raw: str | None = _f("The date string exactly as found.", fmt="text",
                                        source="page", example="2021-07-17 16:38:28")
    date_published_source: str | None = _f("Where the date was found.",
                                           fmt="json-ld | meta | time | text | url",
                                           source="computed", example="text")
    date_published_precision: str | None = _f("Precision of date_published.",
                                              fmt="year | month | day | minute | second",
                                              source="computed", example="second")
    date_published_utc: str | None = _f("date_published converted to UTC, only when the page "
                                        "gave an offset.", fmt="ISO 8601 ending in Z",
                                        source="date_published",
                                        example="2021-07-17T08:38:28Z",
                                        pattern=UTC_DATETIME_PATTERN)
    date_modified: str | None = _f("Last modification date, same format as date_published.",
                                   fmt="ISO 8601", source="JSON-LD > meta > text",
                                   example="2021-07-18",
                                   pattern=ISO_DATE_PATTERN)
    date_modified_raw: str | None = _f("The modification date string exactly as found.",
                                       fmt="text", source="page", example="2021-07-18")
    date_modified_source: str | None = _f("Where the modification date was found.",
                                          fmt="json-ld | meta | time | text",
                                          source="computed", example="meta")
    description: str | None = _f("Summary from the page's metadata.", fmt="text",
                                 source="meta description / og:description / JSON-LD",
                                 example="Chengdu is speeding up ...")
    section: str | None = _f("Section or category of the site.", fmt="text",
                             source="JSON-LD articleSection / article:section / breadcrumb",
                             example="News")
    tags: list[str] = _f("Keywords and tags.", fmt="list of strings (CSV: joined with ' | ')",
                         source="JSON-LD keywords / article:tag / meta keywords",
                         example=["innovation", "Chengdu"], list_default=True)
    image_url: str | None = _f("Lead image.", fmt="absolute URL",
                               source="JSON-LD image / og:image",
                               example="https://www.example.com/img/lead.jpg")
    site_name: str | None = _f("Name of the site or publisher.", fmt="text",
                               source="og:site_name / JSON-LD publisher / <title> suffix",
                               example="Example Co.")
    prev_url: str | None = _f("Link to the previous article (the page's 'Pre:' / 上一篇 link).",
                              fmt="absolute URL", source="prev/next footer",
                              example="https://www.example.com/news/11.html")
    prev_title: str | None = _f("Title of the previous article as linked.", fmt="text",
                                source="prev/next footer",
                                example="Experts are optimistic about the future of Chengdu")
    next_url: str | None = _f("Link to the next article (the page's 'Next:' / 下一篇 link).",
                              fmt="absolute URL", source="prev/next footer",
                              example="https://www.example.com/news/13.html")
    next_title: str | None = _f("Title of the next article as linked.", fmt="text",
                                source="prev/next footer",
                                example="Chengdu's Jiuyan Bridge becomes a landmark")
    extraction_confidence: float | None = _f("0..1: how sure the extractor is that text is a "
                                             "complete article.", fmt="number",
                                             source="cleaning verdict", example=0.92)
    charset_declared: str | None = _f("Charset the server or page declared.", fmt="codec name",
                                      source="Content-Type header / <meta charset> / BOM",
                                      example="utf-8")
    charset_used: str | None = _f("Charset actually used to decode the page.",
                                  fmt="codec name", source="decoder", example="utf-8")
    text_fixes: list[str] = _f("Repairs applied to the text (ftfy fixers and ours).",
                               fmt="list of fixer names (CSV: joined with ' | ')",
                               source="text repair", example=["fix_encoding"],
                               list_default=True)
    fetched_at: str | None = _f("When the page was fetched.", fmt="ISO 8601 UTC ending in Z",
                                source="crawler / WARC-Date", example="2026-11-27T04:10:00Z",
                                pattern=UTC_DATETIME_PATTERN)
    http_status: int | None = _f("HTTP status of the response.", fmt="integer",
                                 source="HTTP response", example=200)
    content_hash: str = _f("sha1 of the cleaned text (title + text), first 20 hex digits: "
                           "changes only when the article's words change.", fmt="hex string",
                           source="computed", example="9f8e7d6c5b4a39281706", default="")
    raw_ref: str | None = _f("Where the raw response is archived: WARC file (relative to the "
                             "run folder) and byte offset of its record.",
                             fmt="<path>#<offset>", source="WARC writer",
                             example="raw/gleaner-20261127T041000-00000.warc.gz#1234")
    crawl_run_id: str | None = _f("Id of the run that produced this record.", fmt="text",
                                  source="crawler", example="20261127T041000Z-1a2b")
    pipeline_version: str = _f("gleaner version that cleaned the page.", fmt="text",
                               source="gleaner.__version__", example="0.1.0", default="")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in schema order (lists copied)."""
        return {name: (list(v) if isinstance(v := getattr(self, name), list) else v)
                for name in FIELD_NAMES}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleRecord:
        """Build a record from a dict, ignoring keys this schema does not know."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ArticleRecord))
LIST_FIELDS: tuple[str, ...] = ("authors", "tags", "text_fixes")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What one field accepts, derived from the dataclass annotations and metadata."""

    name: str
    kind: str  # int | float | str | list | wallclock | utc
    nullable: bool
    pattern: str | None
    default: Any
    doc: str
    fmt: str
    source: str
    example: Any


def _python_kind(annotation: Any) -> tuple[str, bool]:
    """(kind, nullable) of an annotation such as ``str | None`` or ``list[str]``."""
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    nullable = type(None) in args
    base = next(a for a in args if a is not type(None))
    if typing.get_origin(base) is list:
        return "list", nullable
    return {int: "int", float: "float", str: "str"}[base], nullable


def _build_specs() -> tuple[FieldSpec, ...]:
    hints = typing.get_type_hints(ArticleRecord)
    specs = []
    for f in dataclasses.fields(ArticleRecord):
        kind, nullable = _python_kind(hints[f.name])
        if f.name in WALL_CLOCK_FIELDS:
            kind = "wallclock"
        elif f.name in UTC_FIELDS:
            kind = "utc"
        default = [] if f.default_factory is not dataclasses.MISSING else f.default
        m = f.metadata
        specs.append(FieldSpec(f.name, kind, nullable, m.get("pattern"), default, m["doc"],
                               m["format"], m["source"], m["example"]))
    return tuple(specs)


FIELD_SPECS: tuple[FieldSpec, ...] = _build_specs()
_PATTERNS = {s.name: re.compile(s.pattern) for s in FIELD_SPECS if s.pattern}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """Why one field of a record does not fit the schema."""

    field: str
    value: str  # repr of the offending value, shortened
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "value": self.value, "reason": self.reason}


def short_repr(value: Any, limit: int = 80) -> str:
    """repr of a value, cut to ``limit`` characters.

    >>> short_repr("x" * 100, limit=10)
    "'xxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_value(spec: FieldSpec, value: Any) -> str | None:
    """Why ``value`` does not fit the field, or None when it fits.

    >>> spec = FIELD_SPECS[FIELD_NAMES.index("word_count")]
    >>> check_value(spec, 12) is None, check_value(spec, "12"), check_value(spec, True)
    (True, 'expected an integer, got str', 'expected an integer, got bool')
    """
    if value is None:
        return None if spec.nullable else "null not allowed"
    kind = spec.kind
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected an integer, got {type(value).__name__}"
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a number, got {type(value).__name__}"
        if not math.isfinite(value):
            return "not a finite number"
    elif kind == "list":
        if not isinstance(value, list | tuple):
            return f"expected a list of strings, got {type(value).__name__}"
        for item in value:
            if not isinstance(item, str):
                return f"expected a list of strings, got an item of type {type(item).__name__}"
            if not is_encodable(item):
                return "item contains a lone surrogate (not valid UTF-8)"
    else:
        if not isinstance(value, str):
            return f"expected a string, got {type(value).__name__}"
        if not is_encodable(value):
            return "contains a lone surrogate (not valid UTF-8)"
        pattern = _PATTERNS.get(spec.name)
        if pattern is not None and not pattern.match(value):
            return f"does not match {spec.fmt} pattern {spec.pattern}"
    return None


def is_encodable(text: str) -> bool:
    """True when the text can be written as UTF-8 (no lone surrogates).

    >>> is_encodable("abc 你好"), is_encodable("bad \\udc80")
    (True, False)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def iter_record_problems(record: ArticleRecord | Mapping[str, Any]) -> Iterator[FieldProblem]:
    """Every way a record (or a dict in schema shape) does not fit the schema.

    Missing keys of a dict take the field's default; unknown keys are a problem.

    >>> [p.field for p in iter_record_problems({"word_count": "12", "authors": "Jane"})]
    ['word_count', 'authors']
    >>> list(iter_record_problems({"colour": "red"}))
    [FieldProblem(field='colour', value="'red'", reason='unknown field')]
    """
    if isinstance(record, ArticleRecord):
        get = record.__getattribute__
        unknown: list[str] = []
    elif isinstance(record, Mapping):
        unknown = [k for k in record if k not in _SPEC_BY_NAME]

        def get(name: str) -> Any:
            return record.get(name, _SPEC_BY_NAME[name].default)
    else:
        yield FieldProblem("*", short_repr(record), f"not a record: {type(record).__name__}")
        return
    for spec in FIELD_SPECS:
        value = get(spec.name)
        reason = check_value(spec, value)
        if reason is not None:
            yield FieldProblem(spec.name, short_repr(value), reason)
    for key in unknown:
        yield FieldProblem(str(key), short_repr(record[key]), "unknown field")


def record_as_dict(record: ArticleRecord | Mapping[str, Any]) -> dict[str, Any]:
    """A record as a plain dict in schema order, missing keys filled with defaults.

    Tuples in list fields become lists. Does not validate (see ``iter_record_problems``).

    >>> list(record_as_dict({"title": "T"}))[:3]
    ['schema_version', 'record_id', 'article_id']
    """
    if isinstance(record, ArticleRecord):
        data = record.to_dict()
        return data
    out = {}
    for spec in FIELD_SPECS:
        value = record.get(spec.name, spec.default)
        if isinstance(value, list | tuple):
            value = list(value)
        out[spec.name] = value
    return out


_SPEC_BY_NAME: dict[str, FieldSpec] = {s.name: s for s in FIELD_SPECS}


def short_hash(*parts: str) -> str:
    """First 20 hex digits of the sha1 of the parts joined by NUL.

    >>> short_hash("a")
    '86f7e437faa5a7fce15d'
    """
    return hashlib.sha1("\x00".join(parts).encode("utf-8")).hexdigest()[:20]
