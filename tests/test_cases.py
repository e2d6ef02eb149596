"""Saved-page corpus (tests/cases/NAME.html + NAME.json) run through ``cleaning.clean_html``.

Each JSON file holds what must come out of its page:
  expect     "article" (an ArticleRecord), "reject" (any Rejected) or a rejection reason
  with       strings the text must contain      without   strings it must not contain
  prev_url / prev_title / next_url / next_title      the neighbour links found on the page
  min_paragraphs / min_lines                     structure of the text ("\\n\\n" / "\\n")
  xfail      a known failure, kept as data: why it fails (the test is then strict-xfail)
"""
from __future__ import annotations

import json
import pathlib

import pytest

from cleaning import Rejected, clean_html

CASES_DIR = pathlib.Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.stem for p in CASES_DIR.glob("*.json"))


def load_case(name: str) -> tuple[str, dict]:
    html = (CASES_DIR / f"{name}.html").read_text(encoding="utf-8")
    expected = json.loads((CASES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return html, expected


def case_params():
    for name in CASE_NAMES:
        _, expected = load_case(name)
        marks = [pytest.mark.xfail(reason=expected["xfail"], strict=True)] \
            if expected.get("xfail") else []
        yield pytest.param(name, id=name, marks=marks)


def test_corpus_is_complete():
    htmls = sorted(p.stem for p in CASES_DIR.glob("*.html"))
    assert htmls == CASE_NAMES, "every case needs both NAME.html and NAME.json"
    assert len(CASE_NAMES) >= 10


@pytest.mark.parametrize("name", list(case_params()))
def test_case(name: str) -> None:
    html, expected = load_case(name)
    result = clean_html(html, expected.get("url"))
    expect = expected.get("expect", "article")
    reason = result.reason if isinstance(result, Rejected) else None
    if expect == "article":
        assert reason is None, f"rejected as {reason}: {getattr(result, 'detail', '')}"
    elif expect == "reject":
        assert reason is not None, "exported a page that should be rejected"
    else:
        assert reason == expect
    text = result.text
    for snippet in expected.get("with", []):
        assert snippet in text, f"missing {snippet!r}"
    for snippet in expected.get("without", []):
        assert snippet not in text, f"leaked {snippet!r}"
    for field in ("prev_url", "prev_title", "next_url", "next_title"):
        if field in expected:
            assert getattr(result, field) == expected[field], field
    if "min_paragraphs" in expected:
        assert len([p for p in text.split("\n\n") if p.strip()]) >= expected["min_paragraphs"]
    if "min_lines" in expected:
        assert len([line for line in text.split("\n") if line.strip()]) >= expected["min_lines"]
