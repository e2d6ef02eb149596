"""The exported files read back with the clients analysts use: pandas, DuckDB, LibreOffice, jsonschema.

Hard text on purpose: Chinese, commas, quotes, newlines, cells starting with = + - @,
emoji, and a 40,000-character body (over Excel's 32,767-character cell limit).
"""
import json
import shutil
import subprocess

import duckdb
import jsonschema
import pandas as pd
import pytest

from output import load_articles
from output.schema import FIELD_NAMES, ArticleRecord
from output.schema_gen import build_json_schema
from output.writers import EXCEL_CELL_LIMIT, export_records

LONG_BODY = ("成都加快建设科技创新中心，“创新”是关键, said \"Dr. Li\" 😀\n\n" * 1200)[:40_000]
TRICKY = dict(
    title="=HYPERLINK(\"http://evil.example\",\"click\")",
    description="+1, \"quoted\", 逗号，引号“”\nsecond line",
    section="-5 degrees",
    site_name="@handle",
    authors=["=cmd|' /C calc'!A0", "李雷"],
    tags=["a, b", "c \"d\"", "😀"],
)


def make_record(n, **overrides):
    values = dict(record_id=f"{n:020x}", article_id=f"{n + 100:020x}",
                  url=f"https://www.example.com/news/{n}.html",
                  canonical_url=f"https://www.example.com/news/{n}.html",
                  source_domain="example.com", title=f"Plain title {n}",
                  text="第一段。\n\nSecond paragraph, with a comma.", word_count=7, language="zh",
                  date_published="2021-07-17T16:38:28+08:00", date_published_precision="second",
                  date_published_utc="2021-07-17T08:38:28Z", fetched_at="2026-11-27T04:10:00Z",
                  http_status=200, extraction_confidence=0.5, content_hash="9f8e7d6c5b4a39281706")
    values.update(overrides)
    return ArticleRecord(**values)


assert len(LONG_BODY) == 40_000
RECORDS = [make_record(1, **TRICKY, text=LONG_BODY, word_count=40_000), make_record(2)]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    counts = export_records(lambda: RECORDS, out)
    assert counts["rejects.jsonl"] == 0
    return out


def assert_tricky_values(get):
    """``get(name)`` returns the first record's value as the client gave it back."""
    for name, value in TRICKY.items():
        assert get(name) == value, name
    assert get("text") == LONG_BODY


def test_pandas_read_csv_without_options(run_dir):
    df = pd.read_csv(run_dir / "articles.csv")
    assert list(df.columns) == list(FIELD_NAMES)
    assert len(df) == 2
    row = df.iloc[0]
    lists = {"authors", "tags"}
    assert_tricky_values(lambda n: row[n].split(" | ") if n in lists else row[n])
    assert row["word_count"] == 40_000 and pd.isna(row["image_url"])
    assert df.iloc[1]["text"] == RECORDS[1].text


@pytest.mark.parametrize("name", ["articles.csv", "articles.jsonl", "articles.parquet"])
def test_load_articles(run_dir, name):
    df = load_articles(run_dir / name)
    assert_tricky_values(lambda n: df.loc[0, n])


def test_duckdb_reads_all_three_formats(run_dir):
    con = duckdb.connect()
    csv_rows = con.execute(f"SELECT * FROM read_csv_auto('{run_dir / 'articles.csv'}')").fetchdf()
    assert list(csv_rows.columns) == list(FIELD_NAMES) and len(csv_rows) == 2
    row = csv_rows.iloc[0]
    assert_tricky_values(lambda n: row[n].split(" | ") if n in ("authors", "tags") else row[n])

    json_rows = con.execute(
        f"SELECT * FROM read_json_auto('{run_dir / 'articles.jsonl'}')").fetchdf()
    row = json_rows.iloc[0]
    assert_tricky_values(lambda n: list(row[n]) if n in ("authors", "tags") else row[n])

    got = con.execute(
        "SELECT title, authors, text, date_published, date_published_utc, fetched_at, "
        f"typeof(date_published), typeof(fetched_at) FROM read_parquet('{run_dir / 'articles.parquet'}')"
    ).fetchall()
    title, authors, text, published, published_utc, fetched, ptype, ftype = got[0]
    assert (title, authors, text) == (TRICKY["title"], TRICKY["authors"], LONG_BODY)
    assert (ptype, ftype) == ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
    assert str(published) == "2021-07-17 16:38:28"


def test_json_schema_validates_every_exported_record(run_dir):
    validator = jsonschema.Draft202012Validator(build_json_schema())
    lines = (run_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    for line in lines:
        validator.validate(json.loads(line))


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                    "scripts/test.sh installs libreoffice-calc in CI")
def test_libreoffice_opens_the_excel_profile(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    export_records(lambda: RECORDS, tmp_path, formats=("csv",), csv_profile="excel")
    # Filter options: comma separator (44), double quote (34), UTF-8 (76), start at line 1,
    # as a user picks them in the import dialog (Excel goes by the BOM instead).
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
         "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path / "xlsx"),
         str(tmp_path / "articles.csv")], capture_output=True, text=True, timeout=120)
    xlsx = tmp_path / "xlsx/articles.xlsx"
    assert xlsx.exists(), result.stdout + result.stderr
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    assert header == [*FIELD_NAMES, "warnings"]
    first = {h: c for h, c in zip(header, sheet[2], strict=True)}
    second = {h: c.value for h, c in zip(header, sheet[3], strict=True)}
    # Formula-like cells arrive as text with the guard, never as formulas.
    for name in ("title", "section", "site_name"):
        assert first[name].data_type == "s" and first[name].value == "'" + TRICKY[name], name
    assert first["description"].value == "'" + TRICKY["description"]
    assert first["authors"].value == "'" + " | ".join(TRICKY["authors"])
    assert first["tags"].value == " | ".join(TRICKY["tags"])
    # The long body is cut by the spreadsheet at its limit; the warnings column says so.
    text = first["text"].value
    assert len(text.encode("utf-16-le")) // 2 == EXCEL_CELL_LIMIT
    assert LONG_BODY.startswith(text)
    assert first["warnings"].value.startswith("text: ")
    assert second["text"] == RECORDS[1].text and second["warnings"] is None
    assert second["word_count"] == 7 and second["extraction_confidence"] == 0.5
