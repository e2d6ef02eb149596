"""Dates: parse the date strings pages give into ISO 8601 with raw value, source and precision.

Rules (DESIGN.md): keep the raw string; never invent a time, a timezone or a missing day;
reject dates before 1995 or more than a day in the future. Patterns are data, grouped by
concept; the first pattern that matches wins.

    >>> parse_date("2021-07-17 16:38:28", "text").value
    '2021-07-17T16:38:28'
    >>> parse_date("2023年09月19日", "text").value
    '2023-09-19'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_tz

MIN_DATE = date(1995, 1, 1)
MAX_FUTURE = timedelta(days=1)

MONTHS: dict[str, int] = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
# Time of day after a date: 16:38, 16:38:28, 4:38 pm, 16:38:28.123, then an optional zone.
_TIME = (r"(?:(?:\s*[T,]\s*|\s+(?:at\s+)?)(?P<h>\d{1,2})[:时](?P<mi>\d{2})(?:[:分](?P<s>\d{2})(?:\.\d{1,9})?)?"
         r"(?:\s*(?P<ampm>[ap]\.?m\.?))?"
         r"(?:\s*\(?(?P<tz>Z|[+-]\d{2}(?::?\d{2})?|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?"
         r"|(?-i:EST|EDT|CDT|MST|MDT|PST|PDT|AKST|AKDT|HST|CET|CEST|EET|EEST|WET|WEST|BST|JST|KST|"
         r"HKT|SGT|AEST|AEDT|ACST|AWST|NZST|NZDT))\)?(?![A-Za-z]))?)?")
# Zone abbreviations with one meaning (CST, IST and the like are ambiguous: never used).
ZONE_ABBREVIATIONS: dict[str, float] = {
    "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9,
    "AKDT": -8, "HST": -10, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "WET": 0, "WEST": 1,
    "BST": 1, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11, "ACST": 9.5,
    "AWST": 8, "NZST": 12, "NZDT": 13,
}

# Whole-string and in-text date shapes: (name, compiled regex). Groups: y, m / mon, d, time.
# What may not precede a number is checked after its first digits ("19(?<![\d.,]..)" is
# "(?<![\d.,])19"): a pattern that starts with a digit lets the regex engine skip to digits
# in C, where a leading look-behind is tried at every character (~5x slower in text).
DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"(?P<y>(?:19|20)(?<![\d.,]..)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)" + _TIME, re.I)),
    ("ymd_slash", re.compile(r"(?P<y>(?:19|20)(?<![\d.,/]..)\d\d)[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})(?![\d.,/]\d)" + _TIME, re.I)),
    ("cjk", re.compile(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]" + _TIME, re.I)),
    ("mdy", re.compile(r"(?<![A-Za-z])" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)(?!\d)" + _TIME, re.I)),
    ("dmy", re.compile(r"(?P<d>\d(?<![\d.]\d)\d?)(?:st|nd|rd|th)?\.?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<y>(?:19|20)\d\d)(?!\d)" + _TIME, re.I)),
    ("dmy_dot", re.compile(r"(?P<d>\d(?<![\d.,]\d)\d?)\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d)(?![\d.]\d)" + _TIME, re.I)),
    ("numeric_slash", re.compile(r"(?P<a>\d(?<![\d/.,]\d)\d?)/(?P<b>\d{1,2})/(?P<y>(?:19|20)\d\d)(?!\d)" + _TIME, re.I)),
    ("ym_cjk", re.compile(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月(?!\s*\d)")),
    ("compact", re.compile(r"^(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?:T?(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})?)?$")),
)
YEAR = re.compile(r"(?:19|20)\d\d")  # in every DATE_PATTERNS shape but "compact"
# A character some DATE_PATTERNS shapes spell literally: text without it cannot match them, so
# iter_text_dates skips their scan (each scan tries the pattern at every character).
PATTERN_NEEDS: dict[str, str] = {"iso": "-", "cjk": "年", "ym_cjk": "年", "dmy_dot": ".",
                                 "numeric_slash": "/"}
# Shapes accepted only when they are the whole value (meta / JSON-LD), never inside text.
WHOLE_ONLY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year_month", re.compile(r"^(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})$")),
    ("month_year", re.compile(r"^" + _MONTH + r",?\s+(?P<y>(?:19|20)\d\d)$", re.I)),
    ("year", re.compile(r"^(?P<y>(?:19|20)\d\d)$")),
)
# Labels that say which date a text date is (first group of each concept).
PUBLISHED_LABELS = re.compile(
    r"(?:published|posted|released|first published|date|发布时间|发布日期|发表时间|发布于|时间|日期|"
    r"出版日期|公開日|投稿日)\s*(?:on|at)?\s*[:：]?\s*$", re.I)
MODIFIED_LABELS = re.compile(
    r"(?:updated|last updated|modified|last modified|revised|更新时间|更新日期|更新于|修改时间|更新日)"
    r"\s*(?:on|at)?\s*[:：]?\s*$", re.I)
# URL date shapes: /2021/07/17/, /2021-07-17/, /20210717/ (day) and /2021/07/ (month).
URL_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?:/|[-_.]|$)"),
    re.compile(r"/(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?:/|[-_.]|$)"),
    re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>[01]?\d)/"),
)


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date as found on the page and normalised.

    ``value``: ISO 8601 (date only, or date + time, with an offset only when the page gave one);
    ``raw``: the string exactly as found; ``source``: json-ld | meta | time | text | url;
    ``precision``: year | month | day | minute | second; ``utc``: value in UTC ("...Z") when an
    offset was given, else None.
    """

    value: str
    raw: str
    source: str
    precision: str
    utc: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def parse_offset(tz: str | None) -> timezone | None:
    """A timezone from 'Z', '+08:00', '+0800', 'GMT', 'UTC+8', 'EST'; None when not given.

    >>> parse_offset("+0800")
    datetime.timezone(datetime.timedelta(seconds=28800))
    >>> parse_offset("Z")
    datetime.timezone.utc
    >>> parse_offset(None) is None
    True
    """
    if not tz:
        return None
    tz = tz.strip().upper()
    if tz in ("Z", "UTC", "GMT"):
        return UTC
    if tz in ZONE_ABBREVIATIONS:
        return timezone(timedelta(hours=ZONE_ABBREVIATIONS[tz]))
    m = re.fullmatch(r"(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?", tz)
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes >= 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if m.group(1) == "-" else delta)


def format_offset(tz: timezone) -> str:
    """'+08:00' style offset.

    >>> format_offset(timezone(timedelta(hours=-5)))
    '-05:00'
    """
    seconds = int(tz.utcoffset(None).total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def build_date(raw: str, source: str, year: int, month: int | None = None, day: int | None = None,
               hour: int | None = None, minute: int | None = None, second: int | None = None,
               tz: timezone | None = None, now: datetime | None = None) -> DateValue | None:
    """A DateValue from parts, or None when the parts are not a real, plausible date.

    >>> build_date("x", "meta", 2021, 2, 30) is None
    True
    >>> build_date("x", "meta", 2021, 7, 17, 16, 38, None, timezone(timedelta(hours=8))).utc
    '2021-07-17T08:38Z'
    """
    now = now or _now()
    try:
        day_value = date(year, month or 1, day or 1)
        if hour is not None:
            moment = datetime(year, month or 1, day or 1, hour, minute or 0, second or 0,
                              tzinfo=tz)
    except ValueError:
        return None
    if day_value < MIN_DATE or day_value > (now + MAX_FUTURE).date():
        return None
    if month is None:
        return DateValue(f"{year:04d}", raw, source, "year")
    if day is None:
        return DateValue(f"{year:04d}-{month:02d}", raw, source, "month")
    if hour is None:
        return DateValue(day_value.isoformat(), raw, source, "day")
    if tz is not None and moment.astimezone(UTC) > now + MAX_FUTURE:
        return None
    precision = "minute" if second is None else "second"
    value = moment.replace(tzinfo=None).isoformat(timespec="seconds" if second is not None
                                                  else "minutes")
    utc = None
    if tz is not None:
        value += format_offset(tz)
        utc = moment.astimezone(UTC).replace(tzinfo=None).isoformat(
            timespec="seconds" if second is not None else "minutes") + "Z"
    return DateValue(value, raw, source, precision, utc)


def _hour_24(hour: int, ampm: str | None) -> int | None:
    if not ampm:
        return hour if hour < 24 else None
    if not 1 <= hour <= 12:
        return None
    pm = ampm.lower().startswith("p")
    return (hour % 12) + (12 if pm else 0)


def date_from_match(m: re.Match[str], name: str, raw: str, source: str,
                    now: datetime | None = None) -> DateValue | None:
    """Turn one DATE_PATTERNS match into a DateValue (None if implausible or ambiguous)."""
    groups = m.groupdict()
    year = int(groups["y"])
    if groups.get("mon"):
        month = MONTHS.get(groups["mon"].lower().rstrip("."))
    elif name == "numeric_slash":
        a, b = int(groups["a"]), int(groups["b"])
        if a > 12 >= b:
            groups["d"], month = str(a), b  # day first: 17/07/2021
        elif b > 12 >= a:
            groups["d"], month = str(b), a  # month first: 07/17/2021
        elif a == b:
            groups["d"], month = str(a), a
        else:
            return None  # 03/04/2021 is ambiguous: never guess
    else:
        month = int(groups["m"]) if groups.get("m") else None
    day = int(groups["d"]) if groups.get("d") else None
    if month is None:
        return None
    hour = minute = second = None
    tz = None
    if groups.get("h") is not None:
        hour = _hour_24(int(groups["h"]), groups.get("ampm"))
        if hour is None:
            return None
        minute = int(groups["mi"])
        second = int(groups["s"]) if groups.get("s") else None
        if minute > 59 or (second is not None and second > 60):
            return None
        tz_text = groups.get("tz") or ""
        if tz_text[:1] in "+-" and second is None and "T" not in m.group(0).upper():
            tz_text = ""  # "10:30-12:00" is a time range, not an offset
        tz = parse_offset(tz_text)
    return build_date(raw, source, year, month, day, hour, minute, second, tz, now)


def parse_rfc2822(raw: str, source: str, now: datetime | None = None) -> DateValue | None:
    """RFC 2822 dates as some meta tags and feeds give them.

    >>> parse_rfc2822("Wed, 20 Nov 2019 10:30:00 +0800", "meta").value
    '2019-11-20T10:30:00+08:00'
    >>> parse_rfc2822("not a date", "meta") is None
    True
    """
    if not re.match(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", raw):
        return None
    parts = parsedate_tz(raw)
    if parts is None:
        return None
    y, mo, d, h, mi, s = parts[:6]
    offset = parts[9]
    tz = timezone(timedelta(seconds=offset)) if offset is not None else None
    has_seconds = re.search(r"\d{1,2}:\d{2}:\d{2}", raw) is not None
    return build_date(raw, source, y, mo, d, h, mi, s if has_seconds else None, tz, now)


def parse_date(raw: str | None, source: str, now: datetime | None = None) -> DateValue | None:
    """Parse a string that is meant to be a date (meta content, JSON-LD, <time datetime>).

    The first date shape found in the string wins; None when there is no plausible date.

    >>> parse_date("2021-07-17T16:38:28+08:00", "json-ld").utc
    '2021-07-17T08:38:28Z'
    >>> parse_date("2021-07-17T16:38:28", "meta").precision
    'second'
    >>> parse_date("March 2024", "meta").value
    '2024-03'
    >>> parse_date("1,006.57", "meta") is None
    True
    """
    if not raw or not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 200:
        return None
    rfc = parse_rfc2822(text, source, now)
    if rfc is not None:
        return rfc
    for name, pattern in WHOLE_ONLY_PATTERNS:
        m = pattern.match(text)
        if m:
            return date_from_match(m, name, raw, source, now) if name != "year" else \
                build_date(raw, source, int(m.group("y")), now=now)
    for name, pattern in DATE_PATTERNS:
        m = pattern.search(text)
        if m:
            return date_from_match(m, name, raw, source, now)
    return None


def iter_text_dates(text: str, now: datetime | None = None):
    """Yield (start, end, DateValue) for every plausible date written in free text, in order.

    >>> [d.value for _, _, d in iter_text_dates("Tel: 17091920596. 2021-07-17 16:38:28 Click:")]
    ['2021-07-17T16:38:28']
    """
    found: list[tuple[int, int, DateValue]] = []
    taken: list[tuple[int, int]] = []
    if not YEAR.search(text):
        return  # every pattern searched in text spells the year; most texts have none
    for name, pattern in DATE_PATTERNS:
        if name == "compact" or PATTERN_NEEDS.get(name, "") not in text:
            continue
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            raw = m.group(0).strip()
            value = date_from_match(m, name, raw, "text", now)
            if value is not None:
                found.append((m.start(), m.end(), value))
                taken.append((m.start(), m.end()))
    found.sort(key=lambda item: item[0])
    yield from found


def find_text_dates(text: str, now: datetime | None = None) -> tuple[DateValue | None,
                                                                      DateValue | None]:
    """(published, modified) dates written in a short piece of text near the title.

    A date after an "Updated"-like label is the modification date; a date after a
    "Published"-like label, else the first unlabelled date, is the publication date.

    >>> pub, mod = find_text_dates("Published 12 May 2023. Updated on March 3, 2024")
    >>> pub.value, mod.value
    ('2023-05-12', '2024-03-03')
    >>> find_text_dates("发布时间：2019-11-20 10:30 来源：本站")[0].value
    '2019-11-20T10:30'
    """
    published = modified = unlabelled = None
    for start, _end, value in iter_text_dates(text, now):
        before = text[max(0, start - 30):start]
        if MODIFIED_LABELS.search(before):
            modified = modified or value
        elif PUBLISHED_LABELS.search(before):
            published = published or value
        else:
            unlabelled = unlabelled or value
    return published or unlabelled, modified


def date_from_url(url: str, now: datetime | None = None) -> DateValue | None:
    """A date spelled in the URL path (/2021/07/17/, /20210717/, /2021/07/).

    >>> date_from_url("https://e.com/news/2021/07/17/story.html").value
    '2021-07-17'
    >>> date_from_url("https://e.com/2021/07/story").precision
    'month'
    >>> date_from_url("https://e.com/item/17091920596.html") is None
    True
    """
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I).split("?")[0]
    for pattern in URL_DATE_PATTERNS:
        m = pattern.search(path)
        if m:
            groups = m.groupdict()
            day = int(groups["d"]) if groups.get("d") else None
            return build_date(m.group(0), "url", int(groups["y"]), int(groups["m"]), day,
                              now=now)
    return None
