"""Date parsing: what pages write -> ISO 8601 value, precision, UTC; and what is not a date."""
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.dates import date_from_url, find_text_dates, iter_text_dates, parse_date

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)

# (raw, expected value, precision, expected utc or None)
PARSED = [
    ("2021-07-17 16:38:28", "2021-07-17T16:38:28", "second", None),
    ("2021-07-17T16:38:28", "2021-07-17T16:38:28", "second", None),
    ("2021-07-17T16:38:28+08:00", "2021-07-17T16:38:28+08:00", "second", "2021-07-17T08:38:28Z"),
    ("2021-07-17T16:38:28.123456Z", "2021-07-17T16:38:28+00:00", "second",
     "2021-07-17T16:38:28Z"),
    ("2021-07-17T16:38-0500", "2021-07-17T16:38-05:00", "minute", "2021-07-17T21:38Z"),
    ("2021-07-17", "2021-07-17", "day", None),
    ("2021-7-5", "2021-07-05", "day", None),
    ("2023年09月19日", "2023-09-19", "day", None),
    ("2023年9月9日 08:05", "2023-09-09T08:05", "minute", None),
    ("2021/07/17", "2021-07-17", "day", None),
    ("2021.07.17 09:30", "2021-07-17T09:30", "minute", None),
    ("17.07.2021", "2021-07-17", "day", None),
    ("17/07/2021", "2021-07-17", "day", None),
    ("07/17/2021", "2021-07-17", "day", None),
    ("March 3, 2024", "2024-03-03", "day", None),
    ("Mar. 3, 2024 4:05 PM", "2024-03-03T16:05", "minute", None),
    ("12 May 2023", "2023-05-12", "day", None),
    ("1st of June 2022", "2022-06-01", "day", None),
    ("Wed, 20 Nov 2019 10:30:00 +0800", "2019-11-20T10:30:00+08:00", "second",
     "2019-11-20T02:30:00Z"),
    ("Wed, 20 Nov 2019 10:30:00 GMT", "2019-11-20T10:30:00+00:00", "second",
     "2019-11-20T10:30:00Z"),
    ("March 3, 2024 10:05 AM EST", "2024-03-03T10:05-05:00", "minute", "2024-03-03T15:05Z"),
    ("3 March 2024, 10:05 (CET)", "2024-03-03T10:05+01:00", "minute", "2024-03-03T09:05Z"),
    ("March 3, 2024 10:05 CST", "2024-03-03T10:05", "minute", None),  # ambiguous zone: dropped
    ("2021-07-17T16:38:28+08", "2021-07-17T16:38:28+08:00", "second", "2021-07-17T08:38:28Z"),
    ("2021-07-17 10:30-12:00", "2021-07-17T10:30", "minute", None),  # a time range
    ("20210717", "2021-07-17", "day", None),
    ("2024-03", "2024-03", "month", None),
    ("March 2024", "2024-03", "month", None),
    ("2019", "2019", "year", None),
    ("  2021-07-17  ", "2021-07-17", "day", None),
]


@pytest.mark.parametrize("raw,value,precision,utc", PARSED)
def test_parse_date(raw, value, precision, utc):
    parsed = parse_date(raw, "meta", now=NOW)
    assert parsed is not None, raw
    assert (parsed.value, parsed.precision, parsed.utc) == (value, precision, utc)
    assert parsed.raw == raw and parsed.source == "meta"


# Strings that must not become dates.
NOT_DATES = [
    "17091920596",  # phone number
    "+86-17091920596",
    "1,006.57 billion",
    "1,006.57",
    "2021-02-30",  # no such day
    "2021-13-01",
    "03/04/2021",  # ambiguous day/month: never guessed
    "1994-12-31",  # before 1995
    "2027-01-01",  # future (NOW is 2026-11-27)
    "2026-11-29T10:00:00",  # more than a day ahead
    "25:61",
    "Click: 1234",
    "",
    "null",
    "version 2.0.1",
]


@pytest.mark.parametrize("raw", NOT_DATES)
def test_not_a_date(raw):
    assert parse_date(raw, "meta", now=NOW) is None


def test_tomorrow_is_tolerated_but_not_later():
    assert parse_date("2026-11-28", "meta", now=NOW) is not None
    assert parse_date("2026-11-29", "meta", now=NOW) is None


def test_never_invents_time_or_zone():
    parsed = parse_date("2023-09-19", "meta", now=NOW)
    assert parsed.value == "2023-09-19" and parsed.utc is None
    parsed = parse_date("2021-07-17 16:38", "text", now=NOW)
    assert parsed.value == "2021-07-17T16:38" and parsed.utc is None


# (text near a title, published value, modified value)
TEXT_CASES = [
    ("Tel: +86-17091920596\nChengdu Center\n2021-07-17 16:38:28 Click:",
     "2021-07-17T16:38:28", None),
    ("发布时间：2019-11-20 10:30 来源：本站 浏览次数：1,006", "2019-11-20T10:30", None),
    ("Published 12 May 2023 · Updated on March 3, 2024", "2023-05-12", "2024-03-03"),
    ("By Jane Doe | Updated on March 3, 2024", None, "2024-03-03"),
    ("The fund reached 1,006.57 billion yuan in 2021.", None, None),
    ("Posted on 2022/01/05 by admin", "2022-01-05", None),
    ("更新时间：2023年09月19日 发布日期：2023年09月18日", "2023-09-18", "2023-09-19"),
]


@pytest.mark.parametrize("text,published,modified", TEXT_CASES)
def test_find_text_dates(text, published, modified):
    pub, mod = find_text_dates(text, now=NOW)
    assert (pub.value if pub else None) == published
    assert (mod.value if mod else None) == modified
    if pub:
        assert pub.source == "text" and pub.raw in text


def test_text_dates_are_in_order_and_do_not_overlap():
    found = [d.value for _, _, d in iter_text_dates("2021-07-17 and 2020/01/02 then 3 May 2019",
                                                    now=NOW)]
    assert found == ["2021-07-17", "2020-01-02", "2019-05-03"]


@pytest.mark.parametrize("url,value,precision", [
    ("https://e.com/news/2021/07/17/story.html", "2021-07-17", "day"),
    ("https://e.com/a/2021-07-17-story", "2021-07-17", "day"),
    ("https://e.com/art/20210717/1234.html", "2021-07-17", "day"),
    ("https://e.com/2021/07/story", "2021-07", "month"),
    ("https://e.com/item/17091920596.html", None, None),
    ("https://e.com/2021/13/40/x", None, None),
    ("", None, None),
])
def test_date_from_url(url, value, precision):
    parsed = date_from_url(url, now=NOW)
    assert (parsed.value if parsed else None) == value
    assert (parsed.precision if parsed else None) == precision


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_date_or_none(text):
    parsed = parse_date(text, "meta", now=NOW)
    assert parsed is None or parsed.value[:4].isdigit()
    pub, mod = find_text_dates(text, now=NOW)
    assert pub is None or pub.raw in text


# Heads of the shapes whose look-behind DATE_PATTERNS checks after the first digits (for speed),
# with their look-behind-first spelling: both must find the same dates.
_MOVED_LOOKBEHINDS = {
    "iso": (r"(?P<y>(?:19|20)(?<![\d.,]..)\d\d)", r"(?<![\d.,])(?P<y>(?:19|20)\d\d)"),
    "ymd_slash": (r"(?P<y>(?:19|20)(?<![\d.,/]..)\d\d)", r"(?<![\d.,/])(?P<y>(?:19|20)\d\d)"),
    "dmy": (r"(?P<d>\d(?<![\d.]\d)\d?)", r"(?<![\d.])(?P<d>\d{1,2})"),
    "dmy_dot": (r"(?P<d>\d(?<![\d.,]\d)\d?)", r"(?<![\d.,])(?P<d>\d{1,2})"),
    "numeric_slash": (r"(?P<a>\d(?<![\d/.,]\d)\d?)", r"(?<![\d/.,])(?P<a>\d{1,2})"),
}


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(list("1.,/- a") + [
    "2021-07-17", "2021/7/17", "1999.12.3", "17.07.2021", "7/17/2021", "17 July 2021", "3rd of May 2020",
]), max_size=8).map("".join))
def test_moved_lookbehinds_find_the_same_dates(text):
    import re

    from cleaning.dates import DATE_PATTERNS
    for name, pattern in DATE_PATTERNS:
        if name in _MOVED_LOOKBEHINDS:
            head, reference_head = _MOVED_LOOKBEHINDS[name]
            assert pattern.pattern.startswith(head), name
            reference = re.compile(reference_head + pattern.pattern[len(head):], pattern.flags)
            assert [(m.span(), m.groupdict()) for m in reference.finditer(text)] == \
                [(m.span(), m.groupdict()) for m in pattern.finditer(text)], name
