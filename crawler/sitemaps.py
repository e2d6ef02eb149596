"""Sitemaps (urlset, sitemap index, Google News) read safely, and the lastmod test of re-runs.

Parsing follows ``scrapy.utils.sitemap.Sitemap`` (streaming lxml ``iterparse``,
``resolve_entities=False`` so an entity bomb expands nothing, ``recover=True``, no
``huge_tree``) but also reads the ``<news:publication_date>`` of a news sitemap, which
stands in for a missing ``<lastmod>``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO

import lxml.etree

# Child elements of <url>/<sitemap> whose text gives the entry's last change, in order.
LASTMOD_TAGS: tuple[str, ...] = ("lastmod", "publication_date")
# A date-only lastmod (2021-08-21) may mean any time that day in any zone: it is read as
# the latest UTC instant that day can end (UTC-12), so a same-day change is never skipped.
DATE_ONLY_SLACK = timedelta(days=1, hours=12)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: str | None = None  # as written (<lastmod>, else <news:publication_date>)


def local_name(tag: object) -> str:
    """Tag name without its namespace.

    >>> local_name("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"), local_name("loc")
    ('loc', 'loc')
    """
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def entry_of(element: lxml.etree._Element) -> SitemapEntry | None:
    """The entry of one <url> or <sitemap> element (None without a <loc>)."""
    loc, dates = None, {}
    for child in element.iter():
        name = local_name(child.tag)
        if name == "loc" and loc is None and child.text and child.text.strip():
            loc = child.text.strip()
        elif name in LASTMOD_TAGS and child.text and child.text.strip():
            dates.setdefault(name, child.text.strip())
    if loc is None:
        return None
    return SitemapEntry(loc, next((dates[t] for t in LASTMOD_TAGS if t in dates), None))


def read_sitemap(body: bytes) -> tuple[str, Iterator[SitemapEntry]]:
    """(root tag, entries) of a sitemap: 'urlset' or 'sitemapindex' (anything else has
    no entries). Raises ValueError when there is no XML root element at all.

    >>> kind, entries = read_sitemap(b'<urlset xmlns:news="http://www.google.com/schemas/'
    ...     b'sitemap-news/0.9"><url><loc>http://h/a</loc><news:news><news:publication_date>'
    ...     b'2026-11-20</news:publication_date></news:news></url></urlset>')
    >>> kind, list(entries)
    ('urlset', [SitemapEntry(loc='http://h/a', lastmod='2026-11-20')])
    """
    events = lxml.etree.iterparse(BytesIO(body), events=("start", "end"), recover=True,
                                  resolve_entities=False, remove_comments=True,
                                  remove_pis=True, no_network=True, collect_ids=False)
    try:
        _, root = next(events)
    except (StopIteration, lxml.etree.XMLSyntaxError) as exc:
        raise ValueError(f"not XML: no root element ({exc})" if str(exc) else
                         "not XML: no root element") from None
    kind = local_name(root.tag)

    def entries() -> Iterator[SitemapEntry]:
        try:
            for event, element in events:
                if event == "end" and local_name(element.tag) in ("url", "sitemap"):
                    entry = entry_of(element)
                    element.clear()
                    if entry is not None:
                        yield entry
        except lxml.etree.XMLSyntaxError:
            return  # a truncated or broken tail: keep what was read
    return kind, entries()


def parse_lastmod(value: str | None) -> datetime | None:
    """The latest UTC instant a W3C datetime can mean (None when unreadable).

    >>> parse_lastmod("2021-08-21T10:00:00+08:00")
    datetime.datetime(2021, 8, 21, 2, 0, tzinfo=datetime.timezone.utc)
    >>> parse_lastmod("2021-08-21")
    datetime.datetime(2021, 8, 22, 12, 0, tzinfo=datetime.timezone.utc)
    >>> parse_lastmod("last week") is None
    True
    """
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) <= 10:  # a date alone
        return moment.replace(tzinfo=UTC) + DATE_ONLY_SLACK
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC) + timedelta(hours=12)  # unknown zone: be generous
    return moment.astimezone(UTC)


def unchanged_since(lastmod: str | None, since: str | None) -> bool:
    """True when a sitemap entry says it did not change after ``since`` (ISO 8601 UTC,
    the start of the last healthy run); False when either is missing or unreadable.

    >>> unchanged_since("2021-08-20", "2026-11-27T04:00:00Z")
    True
    >>> unchanged_since("2026-11-27", "2026-11-27T04:00:00Z")
    False
    >>> unchanged_since(None, "2026-11-27T04:00:00Z"), unchanged_since("2021-01-01", None)
    (False, False)
    """
    changed = parse_lastmod(lastmod)
    started = parse_lastmod(since) if since and len(since) > 10 else None
    return changed is not None and started is not None and changed <= started
