"""The record schema: one source (the dataclass) for validation, JSON Schema and data dictionary."""
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from output import schema_gen
from output.schema import (
    FIELD_NAMES,
    FIELD_SPECS,
    SCHEMA_VERSION,
    ArticleRecord,
    iter_record_problems,
    record_as_dict,
)

ROOT = Path(__file__).resolve().parent.parent


def make_record(**overrides):
    values = dict(record_id="4f1c2d0a9b8e7f6a5b4c", article_id="a1b2c3d4e5f60718293a",
                  url="https://www.example.com/news/12.html",
                  canonical_url="https://www.example.com/news/12.html",
                  source_domain="example.com", title="Title", text="Body text.", word_count=2,
                  authors=["Jane Doe"], date_published="2021-07-17T16:38:28+08:00",
                  date_published_utc="2021-07-17T08:38:28Z", fetched_at="2026-11-27T04:10:00Z",
                  http_status=200, content_hash="9f8e7d6c5b4a39281706", extraction_confidence=0.9)
    values.update(overrides)
    return ArticleRecord(**values)


@pytest.mark.parametrize("rel", sorted(str(p) for p in schema_gen.generated_files()))
def test_generated_files_match_the_dataclass(rel):
    expected = schema_gen.generated_files()[Path(rel)]
    current = (ROOT / rel).read_text(encoding="utf-8")
    assert current == expected, f"{rel} is out of date: run python -m output.schema_gen"


def test_schema_gen_check_reports_drift(tmp_path, monkeypatch):
    monkeypatch.setattr(schema_gen, "ROOT", tmp_path)
    assert schema_gen.main(["--check"]) == 1  # nothing generated yet in tmp_path
    assert schema_gen.main([]) == 0
    assert schema_gen.main(["--check"]) == 0
    assert json.loads((tmp_path / "schema/article.schema.json").read_text())["required"] == \
        list(FIELD_NAMES)


def test_json_schema_is_valid_draft_2020_12_and_in_field_order():
    schema = schema_gen.build_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(schema["properties"]) == list(FIELD_NAMES)


def test_every_field_is_documented_in_the_dictionary():
    text = (ROOT / "docs/schema.md").read_text(encoding="utf-8")
    for spec in FIELD_SPECS:
        assert spec.doc and spec.fmt and spec.source, spec.name
        assert f"| `{spec.name}` |" in text


def test_every_example_fits_its_field_in_python_and_json_schema():
    example = {s.name: s.example if s.example is not None else s.default for s in FIELD_SPECS}
    assert list(iter_record_problems(example)) == []
    jsonschema.validate(example, schema_gen.build_json_schema())


BAD_VALUES = [
    ("authors", "Jane Doe", "expected a list of strings, got str"),
    ("word_count", "12", "expected an integer, got str"),
    ("word_count", True, "expected an integer, got bool"),
    ("word_count", None, "null not allowed"),
    ("extraction_confidence", float("nan"), "not a finite number"),
    ("tags", ["ok", 3], "expected a list of strings, got an item of type int"),
    ("title", b"bytes", "expected a string, got bytes"),
    ("title", "lone \udc80 surrogate", "contains a lone surrogate (not valid UTF-8)"),
    ("date_published", "2021-07-17 16:38:28", "does not match"),
    ("date_published", "yesterday", "does not match"),
    ("date_published_utc", "2021-07-17T08:38:28+08:00", "does not match"),
    ("fetched_at", "2026-11-27", "does not match"),
]


@pytest.mark.parametrize("name,value,reason", BAD_VALUES)
def test_bad_values_are_caught_in_python_and_by_json_schema(name, value, reason):
    data = make_record().to_dict()
    data[name] = value
    problems = list(iter_record_problems(data))
    assert [p.field for p in problems] == [name]
    assert problems[0].reason.startswith(reason)
    if not isinstance(value, bytes) and not (isinstance(value, float) and value != value) \
            and "surrogate" not in reason:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, schema_gen.build_json_schema())


GOOD_DATES = ["2021", "2021-07", "2021-07-17", "2021-07-17T16:38", "2021-07-17T16:38:28",
              "2021-07-17T16:38:28.5", "2021-07-17T16:38:28-05:00", "2021-07-17T08:38:28Z"]


@pytest.mark.parametrize("value", GOOD_DATES)
def test_iso_dates_of_every_precision_fit(value):
    data = make_record(date_published=value, date_modified=value).to_dict()
    assert list(iter_record_problems(data)) == []
    jsonschema.validate(data, schema_gen.build_json_schema())


def test_unknown_field_and_non_record_are_problems():
    problems = list(iter_record_problems({**make_record().to_dict(), "colour": "red"}))
    assert [(p.field, p.reason) for p in problems] == [("colour", "unknown field")]
    assert [p.field for p in iter_record_problems(["not", "a", "record"])] == ["*"]


def test_record_as_dict_fills_defaults_in_schema_order():
    row = record_as_dict({"title": "T", "tags": ("a", "b")})
    assert list(row) == list(FIELD_NAMES)
    assert row["tags"] == ["a", "b"] and row["authors"] == [] and row["version"] == 1
    assert row["schema_version"] == SCHEMA_VERSION
    assert record_as_dict(make_record()) == make_record().to_dict()


def test_record_is_frozen_keyword_only():
    rec = make_record()
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.title = "other"
    with pytest.raises(TypeError):
        ArticleRecord(1)  # noqa - positional arguments are refused


def test_import_output_loads_neither_pandas_nor_pyarrow_until_load_articles_is_used():
    code = ("import sys, output, output.schema, output.writers\n"
            "assert not [m for m in sys.modules if m.split('.')[0] in ('pandas', 'pyarrow')]\n"
            "from output import load_articles\n"
            "assert 'pandas' not in sys.modules  # the loader imports pandas when called\n"
            "print(load_articles.__module__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "output.load"
