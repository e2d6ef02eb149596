"""Property tests: clean_html never raises on random or mutated HTML, and its output is sane."""
from __future__ import annotations

import pathlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaning import Rejected, clean_html
from output.schema import ArticleRecord

CASES_DIR = pathlib.Path(__file__).parent / "cases"
SEED_PAGES = sorted(p.read_text(encoding="utf-8") for p in CASES_DIR.glob("*.html"))

TAGS = ["div", "p", "span", "a", "ul", "li", "table", "tr", "td", "h1", "h2", "br", "article",
        "nav", "script", "style", "pre", "section", "footer", "main", "b", "img", "form"]
ATTRS = ["", " class='content'", " class='nav menu'", " id='main'", " hidden",
         " style='display:none'", " href='/x'", " itemprop='articleBody'", " aria-hidden='true'",
         " class='entry-content'", " role='navigation'"]

tag_soup = st.lists(
    st.one_of(
        st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(TAGS), st.sampled_from(ATTRS)),
        st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
        st.text(max_size=80),
        st.sampled_from(["Tel: +86-1709192059", "Pre:", "Next:", "上一篇：", "2021-07-17 Click:",
                         "&amp;", "&#0;", "&#xD800;", "<!--", "-->", "<![CDATA[", "\x00", "\ufeff"]),
    ),
    max_size=60,
).map("".join)


def check(result) -> None:
    assert isinstance(result, (ArticleRecord, Rejected))
    assert isinstance(result.text, str)
    if isinstance(result, Rejected):
        assert result.reason != "cleaning_error", result.detail
    else:
        assert result.text.strip()
        assert "\n\n\n" not in result.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tag_soup)
def test_random_tag_soup(html):
    check(clean_html(html, "https://example.com/p"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEED_PAGES), st.data())
def test_mutated_saved_pages(page, data):
    start = data.draw(st.integers(0, len(page)))
    end = data.draw(st.integers(start, min(len(page), start + 400)))
    insert = data.draw(st.one_of(st.just(""), tag_soup, st.binary(max_size=40).map(
        lambda b: b.decode("latin-1"))))
    mutated = page[:start] + insert + page[end:]
    check(clean_html(mutated, "https://example.com/m"))
    check(clean_html(mutated.encode("utf-8", "surrogatepass"), "https://example.com/m"))


WORDY = list("aZé9_ '-.,()\n\t\u00a0ßΩж中文한") + ["don't", "1,006.57", "e-mail", "x²"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDY), max_size=40).map("".join))
def test_count_words_is_word_runs_plus_cjk_characters(text):
    # count_words' token fast path must equal its definition: runs of \w without CJK, plus
    # one per CJK character.
    from cleaning.pipeline import _CJK, _WORD, count_words
    assert count_words(text) == len(_WORD.findall(text)) + len(_CJK.findall(text))
