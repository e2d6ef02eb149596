"""load_articles: three formats, run and site folders, dtypes, versions, bad files; gleaner export."""
import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from crawler import cli_export
from output import load_articles
from output.load import LoadError, format_wall_clock, iter_latest_records, pandas_dtypes
from output.schema import FIELD_NAMES, SCHEMA_VERSION, ArticleRecord
from output.writers import export_records


def make_record(n=0, version=1, fetched="2026-11-27T04:10:00Z", **overrides):
    values = dict(record_id=f"{n:08x}{version:012x}", article_id=f"{n:020x}", version=version,
                  url=f"https://www.example.com/news/{n}.html",
                  canonical_url=f"https://www.example.com/news/{n}.html",
                  source_domain="example.com", title=f"Title {n} v{version}",
                  text="第一段，“引号”, commas\n\nsecond paragraph 😀", word_count=9,
                  authors=["Jane Doe", "李雷"], tags=[], language="zh",
                  date_published="2021-07-17T16:38:28+08:00",
                  date_published_precision="second",
                  date_published_raw="2021-07-17 16:38:28", date_published_source="text",
                  date_published_utc="2021-07-17T08:38:28Z", date_modified="2021-07-18",
                  fetched_at=fetched, http_status=200, extraction_confidence=0.75,
                  content_hash="9f8e7d6c5b4a39281706", crawl_run_id="r1")
    values.update(overrides)
    return ArticleRecord(**values)


RECORDS = [make_record(1), make_record(2, date_published="2021", date_published_utc=None,
                                       date_published_precision="year", authors=[],
                                       http_status=None, extraction_confidence=None,
                                       title=None, date_modified=None,
                                       date_published_raw=None)]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    export_records(lambda: RECORDS, out)
    return out


@pytest.mark.parametrize("name", ["articles.parquet", "articles.jsonl", "articles.csv", ""])
def test_every_format_loads_with_the_same_types_and_values(run_dir, name):
    df = load_articles(run_dir / name if name else run_dir)
    assert list(df.columns) == list(FIELD_NAMES)
    assert {c: str(t) for c, t in df.dtypes.items()} == pandas_dtypes()
    one, two = df.iloc[0], df.iloc[1]
    assert one["text"] == RECORDS[0].text and one["authors"] == ["Jane Doe", "李雷"]
    assert one["date_published"] == pd.Timestamp("2021-07-17 16:38:28")  # wall clock, naive
    assert one["date_published_utc"] == pd.Timestamp("2021-07-17 08:38:28", tz="UTC")
    assert one["date_modified"] == pd.Timestamp("2021-07-18")
    assert one["fetched_at"] == pd.Timestamp("2026-11-27 04:10:00", tz="UTC")
    assert one["date_published_raw"] == "2021-07-17 16:38:28"
    assert one["word_count"] == 9 and one["extraction_confidence"] == 0.75
    assert two["date_published"] == pd.Timestamp("2021-01-01") and pd.isna(two["date_published_utc"])
    assert two["authors"] == [] and two["tags"] == []
    assert pd.isna(two["http_status"]) and pd.isna(two["title"]) and pd.isna(two["date_modified"])
    assert pd.isna(two["extraction_confidence"])


def test_columns_selection_and_unknown_column(run_dir):
    df = load_articles(run_dir, columns=["title", "word_count"])
    assert list(df.columns) == ["title", "word_count"] and len(df) == 2
    with pytest.raises(ValueError, match="unknown columns"):
        load_articles(run_dir, columns=["headline"])


def test_excel_profile_csv_loads_back_to_the_original(tmp_path):
    rec = make_record(1, title="=1+1", authors=["-dash"], description="'plain quote")
    export_records(lambda: [rec], tmp_path, formats=("csv",), csv_profile="excel")
    df = load_articles(tmp_path / "articles.csv")
    assert df.loc[0, "title"] == "=1+1" and df.loc[0, "authors"] == ["-dash"]
    assert df.loc[0, "description"] == "'plain quote"
    assert "warnings" not in df.columns


@pytest.fixture()
def site_dir(tmp_path):
    """Three runs: article 1 changes twice, article 2 once, article 3 appears in run c only."""
    runs = {
        "20261101T000000Z": [make_record(1, 1, "2026-11-01T00:00:00Z"),
                             make_record(2, 1, "2026-11-01T00:00:00Z")],
        "20261102T000000Z": [make_record(1, 2, "2026-11-02T00:00:00Z"),
                             make_record(2, 1, "2026-11-02T00:00:00Z", title="refetched")],
        "20261103T000000Z": [make_record(1, 3, "2026-11-03T00:00:00Z"),
                             make_record(3, 1, "2026-11-03T00:00:00Z")],
    }
    for name, recs in runs.items():
        export_records(lambda recs=recs: recs, tmp_path / name)
    return tmp_path


def test_site_folder_keeps_latest_version_of_each_article(site_dir):
    df = load_articles(site_dir)
    got = sorted(zip(df["article_id"].str[-1], df["version"], df["title"], strict=True))
    assert got == [("1", 3, "Title 1 v3"), ("2", 1, "refetched"), ("3", 1, "Title 3 v1")]


def test_site_folder_all_versions(site_dir):
    df = load_articles(site_dir, all_versions=True)
    # article 1 v1..v3, article 2 v1 once (same record_id fetched twice: latest kept), article 3
    assert sorted(zip(df["article_id"].str[-1], df["version"], strict=True)) == [
        ("1", 1), ("1", 2), ("1", 3), ("2", 1), ("3", 1)]
    assert df.loc[df["article_id"].str.endswith("2"), "title"].tolist() == ["refetched"]


def test_site_folder_prefers_parquet_then_jsonl_then_csv(site_dir):
    (site_dir / "20261103T000000Z/articles.parquet").unlink()
    (site_dir / "20261103T000000Z/articles.jsonl").unlink()
    (site_dir / "20261102T000000Z/articles.parquet").write_bytes(b"garbage")
    with pytest.raises(LoadError, match=r"20261102T000000Z/articles.parquet: not a complete"):
        load_articles(site_dir)
    (site_dir / "20261102T000000Z/articles.parquet").unlink()
    assert len(load_articles(site_dir)) == 3  # run c from its CSV, run b from its JSONL


# ---------------------------------------------------------------- bad files

def test_truncated_jsonl_names_file_and_line(run_dir, tmp_path):
    data = (run_dir / "articles.jsonl").read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[: len(data) - 40])
    with pytest.raises(LoadError, match=r"cut.jsonl:2: .*truncated"):
        load_articles(cut)
    cut.write_bytes(data[: len(data) - 40] + b"\n")
    with pytest.raises(LoadError, match=r"cut.jsonl:2: not valid JSON"):
        load_articles(cut)


def test_truncated_csv_names_file_and_line(run_dir, tmp_path):
    data = (run_dir / "articles.csv").read_bytes().decode("utf-8")
    cut = tmp_path / "cut.csv"
    inside_quotes = data.index("second paragraph", data.index("second paragraph") + 1) + 3
    cut.write_bytes(data[:inside_quotes].encode())  # second row, in its quoted text
    with pytest.raises(LoadError, match=r"cut.csv: .*truncated"):
        load_articles(cut)
    cut.write_bytes((data[:inside_quotes] + "\r\n").encode())
    with pytest.raises(LoadError, match=r"cut.csv:5: CSV error: unexpected end of data"):
        load_articles(cut)
    first_row_end = data.index("r1,\r\n") + 5
    second = data[first_row_end:].split(",")
    cut.write_bytes((data[:first_row_end] + ",".join(second[:8]) + "\r\n").encode())
    with pytest.raises(LoadError, match=r"cut.csv:5: row has 8 cells, header has 40"):
        load_articles(cut)


def test_bad_value_in_csv_names_the_field(run_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text((run_dir / "articles.csv").read_text(encoding="utf-8")
                   .replace(",9,zh,", ",nine,zh,", 1), encoding="utf-8")
    with pytest.raises(LoadError, match=r"bad.csv:2: word_count: expected an integer, got 'nine'"):
        load_articles(bad)


def test_truncated_parquet(run_dir, tmp_path):
    data = (run_dir / "articles.parquet").read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError, match=r"cut.parquet: not a complete Parquet file"):
        load_articles(cut)


def test_older_schema_version_is_upgraded_newer_is_refused(tmp_path):
    old = {k: v for k, v in make_record(1).to_dict().items()
           if k not in ("date_published_utc", "tags", "http_status")}
    old["schema_version"] = 0
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(old) + "\n", encoding="utf-8")
    df = load_articles(path)
    assert pd.isna(df.loc[0, "date_published_utc"]) and df.loc[0, "tags"] == []
    assert pd.isna(df.loc[0, "http_status"]) and df.loc[0, "title"] == "Title 1 v1"
    newer = {**make_record(1).to_dict(), "schema_version": SCHEMA_VERSION + 1}
    path.write_text(json.dumps(old) + "\n" + json.dumps(newer) + "\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"old.jsonl:2: written with schema_version 2, newer"):
        load_articles(path)


def test_not_an_articles_file(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n')
    with pytest.raises(LoadError, match=r"x.jsonl:1: no valid schema_version"):
        load_articles(path)
    with pytest.raises(LoadError, match="unknown file type '.txt'"):
        (tmp_path / "x.txt").write_text("")
        load_articles(tmp_path / "x.txt")
    with pytest.raises(LoadError, match="no such file or folder"):
        load_articles(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(LoadError, match="no articles.parquet"):
        load_articles(tmp_path / "empty")


def test_out_of_range_date_loads_as_nat(tmp_path):
    export_records(lambda: [make_record(1, date_published="0201-07-17")], tmp_path,
                   formats=("jsonl",))
    df = load_articles(tmp_path)
    assert pd.isna(df.loc[0, "date_published"])
    assert df.loc[0, "date_published_raw"] == "2021-07-17 16:38:28"


# ---------------------------------------------------------------- export

def test_format_wall_clock_round_trips_parquet_dates(tmp_path):
    recs = [make_record(1), make_record(2, date_published="2021-07", date_published_utc=None,
                                        date_published_precision="month"),
            make_record(3, date_published="2021-07-17T16:38-05:30",
                        date_published_utc="2021-07-17T22:08Z", date_published_precision="minute",
                        fetched_at="2026-11-27T04:10:00.5Z")]
    export_records(lambda: recs, tmp_path / "run", formats=("parquet",))
    back = [row for row in iter_latest_records(tmp_path)]
    assert [r["date_published"] for r in back] == ["2021-07-17T16:38:28+08:00", "2021-07",
                                                   "2021-07-17T16:38-05:30"]
    assert back[2]["date_published_utc"] == "2021-07-17T22:08Z"
    assert back[2]["fetched_at"] == "2026-11-27T04:10:00.500000Z"
    assert format_wall_clock(None, "day", None) is None


def export(*argv):
    parser = argparse.ArgumentParser()
    cli_export.add_arguments(parser)
    return cli_export.run(parser.parse_args([str(a) for a in argv]))


def test_gleaner_export_merges_runs_into_dataset(site_dir):
    assert export(site_dir) == 0
    dataset = site_dir / "dataset"
    assert sorted(p.name for p in dataset.iterdir()) == ["articles.csv", "articles.jsonl",
                                                         "articles.parquet"]
    rows = [json.loads(line) for line in (dataset / "articles.jsonl").open(encoding="utf-8")]
    assert [(r["article_id"][-1], r["version"], r["title"]) for r in rows] == [
        ("2", 1, "refetched"), ("1", 3, "Title 1 v3"), ("3", 1, "Title 3 v1")]
    assert rows[0] == make_record(2, 1, "2026-11-02T00:00:00Z", title="refetched").to_dict()
    for name in ("articles.csv", "articles.parquet"):
        assert load_articles(dataset / name)["title"].tolist() == [r["title"] for r in rows]
    # the dataset folder is not read as a run: exporting again gives the same result
    assert export(site_dir) == 0
    assert len(load_articles(site_dir, all_versions=True)) == 5


def test_gleaner_export_one_file(site_dir, tmp_path, capsys):
    out = tmp_path / "all.csv"
    assert export(site_dir, "--profile", "excel", "-o", out) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfschema_version,")
    assert len(load_articles(out)) == 3
    assert f"{out}: 3 records" in capsys.readouterr().out
    assert export(site_dir, "--format", "parquet", "-o", tmp_path / "all.data") == 0
    assert (tmp_path / "all.data").read_bytes()[:4] == b"PAR1"
    assert not (site_dir / "dataset").exists()


@pytest.mark.parametrize("argv,message", [
    (["{tmp}/missing"], "is not a folder"),
    (["{tmp}"], "no articles.parquet, articles.jsonl or articles.csv"),
    (["{site}", "-o", "{tmp}/x.txt"], "cannot tell the format"),
    (["{site}", "-o", "{tmp}/nope/x.csv"], "does not exist"),
])
def test_gleaner_export_bad_paths_exit_2_with_one_line(site_dir, tmp_path, capsys, argv, message):
    empty = tmp_path / "empty_site"
    empty.mkdir()
    args = [a.format(tmp=empty, site=site_dir) for a in argv]
    assert export(*args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_gleaner_export_through_the_command_line(site_dir, tmp_path):
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "merged.jsonl"
    done = subprocess.run([sys.executable, "-m", "crawler", "export", str(site_dir), "-o", str(out)],
                          capture_output=True, text=True, cwd=root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{out}: 3 records" in done.stdout
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    bad = subprocess.run([sys.executable, "-m", "crawler", "export", str(tmp_path / "nope")],
                         capture_output=True, text=True, cwd=root, timeout=120)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [f"gleaner export: error: {tmp_path / 'nope'} "
                                               "is not a folder"]


def test_export_and_loader_agree_on_the_latest_fetch(tmp_path):
    # Same version fetched twice; the run folder that sorts first holds the later fetch.
    later = make_record(1, 1, "2026-11-27T04:10:00.5Z", title="later")
    earlier = make_record(1, 1, "2026-11-27T04:10:00Z", title="earlier", record_id="e" * 20)
    export_records(lambda: [later], tmp_path / "a")
    export_records(lambda: [earlier], tmp_path / "b")
    assert [r["title"] for r in iter_latest_records(tmp_path)] == ["later"]
    assert load_articles(tmp_path)["title"].tolist() == ["later"]


def test_bad_value_in_jsonl_names_line_and_field(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = make_record(1).to_dict()
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "authors": "Jane"}) + "\n",
                    encoding="utf-8")
    with pytest.raises(LoadError, match=r"bad.jsonl:2: authors='Jane': expected a list"):
        load_articles(path)
