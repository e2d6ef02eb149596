"""Metadata: title, authors, dates, description, section, tags, image, site, canonical URL, language.

Each field is a cascade, first found wins: JSON-LD (the article node, see cleaning.jsonld) ->
``<meta>`` (og:, article:, dc., parsely, citation_, itemprop; names listed below as data, best
first) -> markup (h1, ``<time>``, byline elements) -> text patterns near the title -> URL.

Speed (~0.5-0.6 ms/page, see bench/stages_speed.py): the tags that carry metadata are read by the
parse stage's walk (cleaning.parse.scan_signals: <meta>/<link> values straight from libxml2),
json.loads of ld+json scripts; markup and text are read only for fields the declared metadata
(JSON-LD, meta) left empty, by walking a bounded number of elements around the title element
(in C when cleaning._speedups is built: near_marked, near_title_pieces; libxml2 XPath string
tests cost ~0.5-1 ms a page each). The tree is never modified (metadata runs before extraction).

Dates from text are searched only in ~500 characters after the title element (and ~160
before), where templates put "2021-07-17 16:38:28 Click:" or "发布时间：..." lines; never in
footers or sidebars. A modification date is taken from text only when the publication date
is also looked for there.

Author policy (people only): JSON-LD authors typed as organisations, names equal to the
site/publisher name, e-mails, URLs, domains, @handles, names with digits, more than 5 words,
navigation words ("Read more", "View profile"), desks and organisations ("Staff", "admin",
"Editorial team", "Redacción ...", "... GmbH", wire agencies) are dropped, even from a
JSON-LD ``Person`` (CMS plugins often publish the site name as the author Person). Job titles
after a name are cut ("Jane Doe, Staff Writer"). One-word Latin names are kept only from a
JSON-LD ``Person`` (a one-word meta author is usually a user name); a CJK name of 2-5
characters is kept from any source.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from cleaning.compiled import load_speedups
from cleaning.dates import DateValue, date_from_url, find_text_dates, parse_date
from cleaning.jsonld import (
    ORGANIZATION_TYPES,
    JsonLdGraph,
    as_text,
    choose_article_node,
    node_types,
    normalize_title_key,
    unescape_entities,
)
from cleaning.language import normalize_language
from cleaning.parse import SignalScan, scan_signals
from cleaning.urls import site_of_host

_speedups = load_speedups()  # nodes_with_text: the walk of find_title_element without proxies

# <meta> names (lowercased name / property / itemprop / http-equiv), best first per concept.
TITLE_META = ("og:title", "twitter:title", "dc.title", "dcterms.title", "parsely-title",
              "citation_title", "headline", "sailthru.title")
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished",
    "article:published", "parsely-pub-date", "sailthru.date", "dc.date.issued",
    "dcterms.issued", "citation_publication_date", "citation_date", "citation_online_date",
    "publication_date", "publish-date", "publish_date", "publishdate", "pubdate",
    "published_time", "og:published_time", "article.published", "datecreated",
    "dc.date.created", "dcterms.created", "originalpublicationdate", "release_date",
    "displaydate", "dc.date", "dcterms.date", "date", "bt:pubdate", "og:pubdate",
)
MODIFIED_META = ("article:modified_time", "og:article:modified_time", "datemodified",
                 "og:updated_time", "dc.date.modified", "dcterms.modified", "lastmod",
                 "last-modified", "parsely-updated", "article:updated_time", "revised")
AUTHOR_META = ("author", "article:author", "parsely-author", "dc.creator", "dcterms.creator",
               "citation_author", "sailthru.author", "byl", "authors")
DESCRIPTION_META = ("description", "og:description", "twitter:description", "dc.description",
                    "dcterms.description", "abstract")
SECTION_META = ("article:section", "og:article:section", "parsely-section", "section",
                "articlesection", "category", "dc.subject")
TAG_META = ("article:tag", "og:article:tag", "news_keywords", "keywords", "parsely-tags",
            "sailthru.tags")
IMAGE_META = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
              "twitter:image:src", "thumbnailurl", "image", "parsely-image-url")
SITE_NAME_META = ("og:site_name", "application-name", "apple-mobile-web-app-title")
LANGUAGE_META = ("content-language", "dc.language", "dcterms.language", "language",
                 "og:locale", "inlanguage")
CANONICAL_META = ("og:url", "twitter:url")
# Tags read in the one pass over the document.
NON_VISIBLE_TAGS = frozenset(("script", "style", "noscript", "template", "svg", "head", "title"))
_HIDDEN_NAMES = tuple(sorted(tag.encode() for tag in NON_VISIBLE_TAGS))  # for cleaning._speedups
# Author cleanup.
AUTHOR_PREFIX = re.compile(
    r"^(?:(?:written|posted|reported|published|story|words|text|photos?|article|erstellt|"
    r"geschrieben|verfasst|eingestellt|ein beitrag|beitrag|artikel|publié|écrit|escrito|scritto)\s+)?"
    r"(?:by|von|par|por|door|di|da)\b[\s:]*|^(?-i:By(?=[A-Z][a-z]))|^(?:authors?|autor(?:in)?|auteur|作者|记者|文|撰文|撰稿)"
    r"\s*[:：/|]?\s*", re.I)
# Job titles written after a name in bylines.
AUTHOR_ROLE_SUFFIX = re.compile(
    r"(?:[\s,|–—-]+(?i:(?:senior|staff|contributing|chief|managing|deputy|associate|guest|"
    r"freelance|community|forum|new|well-known|active)\s+)?(?i:writer|editor|reporter|"
    r"correspondent|contributor|columnist|analyst|journalist|redakteur(?:in)?|autor(?:in)?|"
    r"member|moderator|posts|ceo|cto|founder)|(?<=[a-z])(?:Writer|Editor|Reporter|Contributor|"
    r"Columnist|Member|CEO|Founder|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*)"
    r")$")
# Words no person's name contains (navigation, calls to action, forum chrome).
AUTHOR_STOPWORDS = frozenset((
    "about", "featured", "items", "order", "now", "get", "read", "more", "share", "view",
    "profile", "posts", "click", "here", "follow", "subscribe", "login", "sign", "menu",
    "search", "home", "contact", "the", "of", "for", "with", "our", "your", "all", "new",
    "latest", "top", "best", "shop", "buy", "free", "online", "privacy", "policy", "terms",
    "published", "updated", "posted", "veröffentlicht", "aktualisiert", "am", "publié",
    "publicado", "pubblicato",
))
# Words that make a byline an organisation or a desk, not a person.
AUTHOR_ORG_WORDS = re.compile(
    r"\b(?:redacci[oó]n|redaktion|redazione|r[ée]daction|redakcja|zesp[oó][lł]|newsroom|staff|"
    r"teams?|desk|agencia|agentur|agency|press|media|news|editorial|verlag|gmbh|inc|ltd|llc)\b",
    re.I)
AUTHOR_JUNK = frozenset((
    "admin", "administrator", "staff", "staff writer", "staff reporter", "editor", "editors",
    "editorial", "editorial staff", "editorial team", "editorial board", "newsroom", "news desk",
    "web desk", "desk", "team", "guest", "guest author", "guest post", "anonymous", "unknown",
    "user", "contributor", "contributors", "reporter", "correspondent", "press release",
    "email the author", "e-mail the author", "contact the author", "view all posts",
    "more by this author", "follow", "share", "read more", "by", "author", "authors",
    "associated press", "the associated press", "ap", "reuters", "afp", "pti", "ians",
    "xinhua", "bloomberg", "wire", "wire services", "agencies", "news service", "null", "none",
    "n/a", "webmaster", "root", "superuser", "编辑", "本站", "佚名", "管理员", "admin admin",
))
# E-mails, handles, URLs, domains, markup, digits, exclamations: not a person's name.
AUTHOR_NOT_A_NAME = re.compile(r"[@/\\<>{}=_#]|https?:|www\.|[a-z]\.[a-z]{2,}\b|\d|[!?]")
AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||&|、|，|\s[-–—]\s|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*",
                          re.I)
AUTHOR_CUT = re.compile(r"\s+(?:updated|published|posted|on|at|in|for|\|)\b.*$|\s*\d.*$", re.I)
NAME_PARTICLES = frozenset(("van", "von", "de", "der", "den", "da", "di", "del", "della", "la",
                            "le", "du", "dos", "das", "bin", "al", "el", "ibn", "ter", "y"))
CJK_NAME = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf·]{2,5}$")
# "By" is matched first and what precedes it checked after ("B(?<!\S B)" is "(?:^|\s)B"): a
# pattern that starts with a literal lets the regex engine skip to candidates in C.
BYLINE_TEXT = re.compile(
    r"B(?<!\SB)[yY]\s+((?:[A-Z][\w.'’-]+|and|&|van|von|de|der|da|di|la|le|bin)"
    r"(?:[ ,]+(?:[A-Z][\w.'’-]+|and|&|van|von|de|der|da|di|la|le|bin)){1,8})")
# Byline elements in the whole page, looked up only when there is no title element (and
# JSON-LD and meta gave no author); otherwise byline_elements_near looks near the title.
# Written over attributes (their parents are the elements): libxml2 tests an attribute axis
# ~2x faster than predicates on every element; same elements, same document order.
BYLINE_XPATH = etree.XPath(
    "//@itemprop[.='author']/.. | //@rel[contains(.,'author')]/.. | "
    "//@class[contains(.,'byline') or contains(.,'author')]/..")
COMMENT_CLASS = re.compile(r"(?<![a-z])(?:comments?|replies|reply)(?![a-z])", re.I)
# Elements with itemprop (microdata); the date ones are read when meta gave no date.
ITEMPROP_XPATH = etree.XPath("//@itemprop/..")
NAME_XPATH = etree.XPath(".//*[@itemprop='name']")  # the name inside a byline element
# Elements never taken as the on-page title (find_title_element).
TITLE_ELEMENT_SKIP = frozenset(("a", "option", "title", "li", "script", "meta"))
STRING_VALUE = etree.XPath("string()")
BYLINE_SCAN = 80  # elements after the title element checked for a byline
ITEMPROP_DATES = ("datePublished", "dateCreated", "dateModified")
# Title separators: " - ", " | ", " – ", " — ", " :: ", " · ", " » ", "_" (Chinese
# 标题_栏目_公司名), full-width bar, and a bare "-" next to CJK characters (标题-公司名,
# 标题-Company Name).
TITLE_SEPARATOR = re.compile(
    r"\s+[-|–—·•»/]\s+|\s+::\s+|\s*[_｜]\s*|\s*\|\s*|\s*——\s*"
    r"|(?<=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])\s*-\s*(?=[\u4e00-\u9fffA-Za-z])"
    r"|(?<=[A-Za-z.])-(?=[\u4e00-\u9fff])")
MAX_SITE_WORDS = 6
TITLE_WORD_OVERLAP = 0.75  # share of words two titles must have in common to agree
# Titles that name no article (compared as lowercase words).
GENERIC_TITLES = frozenset(("home", "homepage", "home page", "index", "welcome", "untitled",
                            "forum", "forums", "news", "blog", "search", "404", "page not found",
                            "contact", "contact us", "about", "about us", "latest news",
                            "首页", "主页", "网站首页", "新闻中心", "news center", "联系我们",
                            "关于我们", "新闻动态", "公司新闻"))
# Characters that separate a title from a site name glued to it ("Title-Company Co., Ltd.").
GLUED_SEPARATORS = "-|_–—:·•»/｜"
# Characters after which urljoin/urlsplit may not give a URL back unchanged (is_plain_http_url).
URL_RESPELLED_CHARS = frozenset("?#;[]\t\r\n")
TRACKING_PARAMS = re.compile(r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|igshid|"
                             r"spm|from|share|ref_src|cmpid)$", re.I)
CJK_CHAR = re.compile(r"[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]")
WORD_OR_CJK = re.compile(r"[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]"
                         r"|[^\W_\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]+")
TEXT_WINDOW_BEFORE = 160
TEXT_WINDOW_AFTER = 500
MAX_TAGS = 30


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the page says about its article (all optional)."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    date_published: DateValue | None = None
    date_modified: DateValue | None = None
    description: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    language_hint: str | None = None


class PageSignals:
    """What one pass over the metadata-bearing tags found (internal, read-only after build)."""

    __slots__ = ("meta", "squashed", "canonical_links", "title", "h1s", "ld_scripts", "times",
                 "html_lang")

    def __init__(self) -> None:
        # Raw content values by name, squashed on first read (``values``): pages carry dozens
        # of meta tags, the cascade reads a few.
        self.meta: dict[str, list[str | None]] = {}
        self.squashed: dict[str, list[str]] = {}
        self.canonical_links: list[str] = []
        self.title: str | None = None
        self.h1s: list[etree._Element] = []
        self.ld_scripts: list[str] = []
        self.times: list[etree._Element] = []
        self.html_lang: str | None = None

    def values(self, name: str) -> list[str]:
        """The squashed values of the meta tags called name, in page order."""
        values = self.squashed.get(name)
        if values is None:
            values = self.squashed[name] = [squash(v) for v in self.meta.get(name, ())]
        return values

    def first(self, names: tuple[str, ...]) -> str | None:
        """First non-empty meta value for the names, in the order of names."""
        for name in names:
            if name in self.meta:
                for value in self.values(name):
                    if value:
                        return value
        return None

    def each(self, names: tuple[str, ...]) -> Iterator[str]:
        """Every non-empty meta value for the names, in the order of names."""
        for name in names:
            if name in self.meta:
                yield from (v for v in self.values(name) if v)


def squash(text: str | None) -> str:
    """Whitespace runs to one space, stripped; leftover HTML entities undone.

    >>> squash("  a \\n b &amp;#038; c")
    'a b & c'
    """
    return " ".join(unescape_entities(text).split()) if text else ""


def element_text(el: etree._Element, limit: int = 400) -> str:
    """Visible text of a small element (script/style skipped), squashed, at most ``limit``."""
    parts: list[str] = []
    size = 0
    for piece in iter_visible_text(el):
        parts.append(piece)
        size += len(piece)
        if size > limit:
            break
    return squash("".join(parts))[:limit]


def iter_visible_text(el: etree._Element) -> Iterator[str]:
    """Text pieces of el in document order, skipping non-visible elements (no tree changes).

    >>> list(iter_visible_text(etree.fromstring("<p>a<b>b</b>c<script>x</script>d</p>")))
    ['a', 'b', 'c', 'd']
    >>> list(iter_visible_text(etree.fromstring("<p>a</p>"))), list(iter_visible_text(etree.fromstring("<title>a</title>")))
    (['a'], [])
    """
    if not len(el):  # a leaf (most calls): its own text, without setting up a tree walk
        if el.text and isinstance(el.tag, str) and el.tag not in NON_VISIBLE_TAGS:
            yield el.text
        return
    skip_depth = 0
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag in NON_VISIBLE_TAGS:
                skip_depth += 1
            elif not skip_depth and tag and node.text:
                yield node.text
        else:
            if tag in NON_VISIBLE_TAGS:
                skip_depth -= 1
            if not skip_depth and node is not el and node.tail:
                yield node.tail


def scan_page(root: etree._Element, scan: SignalScan | None = None) -> PageSignals:
    """PageSignals from what the walk over html/meta/link/title/script/h1/time elements read
    (``scan``: parse_page's, else root is walked here without changing it)."""
    if scan is None:
        scan = scan_signals(root, drop=False)
    signals = PageSignals()
    meta = signals.meta
    for key, value in scan.metas:
        key = key.strip().lower()
        if key:
            meta.setdefault(key, []).append(value)
    signals.canonical_links = [href.strip() for rel, href in scan.links
                               if href and "canonical" in rel.lower().split()]
    signals.ld_scripts = [el.text for el in scan.scripts
                          if "ld+json" in (el.get("type") or "").lower() and el.text]
    for el in scan.titles:
        signals.title = squash("".join(el.itertext())) or None
        if signals.title is not None:
            break
    signals.h1s = scan.h1s[:5]
    signals.times = scan.times[:20]
    for el in scan.htmls:
        signals.html_lang = el.get("lang") or el.get("{http://www.w3.org/XML/1998/namespace}lang")
        if signals.html_lang is not None:
            break
    return signals


# ---------------------------------------------------------------------------- URLs


def absolute_http_url(href: str | None, base: str) -> str | None:
    """href resolved against base; None unless the result is http(s).

    >>> absolute_http_url("/img/a.jpg", "https://e.com/news/1.html")
    'https://e.com/img/a.jpg'
    >>> absolute_http_url("javascript:void(0)", "https://e.com/") is None
    True
    >>> absolute_http_url(" https://cdn.e.com/a.jpg ", "https://e.com/")
    'https://cdn.e.com/a.jpg'
    """
    if not href or not isinstance(href, str):
        return None
    href = href.strip()
    try:
        if is_plain_http_url(href):
            if base:
                urlsplit(base)  # urljoin would parse base (and fail where it fails)
            return href
        url = urljoin(base, href) if base else href
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def is_plain_http_url(href: str) -> bool:
    """True when urljoin(any base, href) is href itself and urlsplit(href) is http(s) with a
    host: an absolute ASCII http(s) URL without the parts urlunsplit would respell (";params",
    an empty "?" or "#", tabs and newlines it drops, "[IPv6]" hosts it checks). Most og:image
    and canonical URLs; urljoin costs ~15 µs.

    >>> is_plain_http_url("https://e.com/a/b.jpg"), is_plain_http_url("https://e.com/a?x=1")
    (True, False)
    >>> is_plain_http_url("http:///a"), is_plain_http_url("//e.com/a"), is_plain_http_url("https://é.com/")
    (False, False, False)
    """
    if not href.startswith(("https://", "http://")) or not href.isascii() \
            or not URL_RESPELLED_CHARS.isdisjoint(href):
        return False
    host_start = href.index("//") + 2
    return href[host_start:host_start + 1] not in ("", "/")


def strip_tracking(url: str) -> str:
    """URL without fragment and tracking parameters (utm_*, fbclid, ...).

    >>> strip_tracking("https://e.com/a?id=3&utm_source=x#top")
    'https://e.com/a?id=3'
    """
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def choose_canonical(signals: PageSignals, url: str) -> str | None:
    """rel=canonical, else og:url: absolute, http(s), same site as url, not the home page
    of an inner page; tracking parameters and fragment removed."""
    candidates = signals.canonical_links + list(signals.each(CANONICAL_META))
    if not candidates:
        return None
    page = urlsplit(url) if url else None
    page_path = page.path if page else ""
    page_site = site_of_host(page.hostname) if page and page.hostname else None
    for href in candidates:
        absolute = absolute_http_url(href, url)
        if absolute is None:
            continue
        parts = urlsplit(absolute)
        if page_site is not None and site_of_host(parts.hostname) != page_site:
            continue  # same_site(absolute, url), with each URL split once
        if parts.path in ("", "/") and page_path not in ("", "/"):
            continue  # CMS bug: every page declares the home page as canonical
        return strip_tracking(absolute)
    return None


# ---------------------------------------------------------------------------- titles


def count_words(text: str) -> int:
    """Words, CJK characters counting one each.

    >>> count_words("Hello world 你好"), count_words("参加2021年展会")
    (4, 6)
    """
    return len(WORD_OR_CJK.findall(text))


def title_size(text: str) -> float:
    """Length of a title part in words, a CJK character counting half a word.

    >>> title_size("Hello world 你好")
    3.0
    """
    cjk = len(CJK_CHAR.findall(text))
    return count_words(text) - cjk / 2


def split_title(title: str) -> list[str]:
    """Parts of a <title> split on site-name separators.

    >>> split_title("标题_栏目_公司名")
    ['标题', '栏目', '公司名']
    >>> split_title("China-Europe deal - Example News")
    ['China-Europe deal', 'Example News']
    """
    return list(_split_title(title))


@lru_cache(maxsize=4096)  # the separator regex is tried at every character; titles recur
def _split_title(title: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in TITLE_SEPARATOR.split(title) if p and p.strip())


@lru_cache(maxsize=4096)  # pure; a page asks for the same few titles many times
def strip_site_suffix(title: str, site_names: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """(title without the site name, the removed site part or None).

    Known site names are removed from either end; otherwise short trailing parts are dropped
    while what remains is at least as long ("Title - Site", "标题_栏目_公司名"), or one short
    leading part is dropped ("Site | Title").

    >>> strip_site_suffix("Chengdu Innovation Center - Example Co.")
    ('Chengdu Innovation Center', 'Example Co.')
    >>> strip_site_suffix("成都建设科技创新中心_新闻中心_某某公司")
    ('成都建设科技创新中心', '某某公司')
    >>> strip_site_suffix("蔡健雅_百度百科")
    ('蔡健雅', '百度百科')
    >>> strip_site_suffix("BBC | Storm hits the north coast of Scotland")
    ('Storm hits the north coast of Scotland', 'BBC')
    >>> strip_site_suffix("News - Example Industries")
    ('News', 'Example Industries')
    >>> strip_site_suffix("News | Example", ("Example",))
    ('News', 'Example')
    """
    parts = split_title(title)
    if len(parts) < 2:
        return title.strip(), None
    keys = {normalize_title_key(s) for s in site_names if s}
    if keys:
        kept = list(parts)
        removed = None
        while len(kept) > 1 and normalize_title_key(kept[-1]) in keys:
            removed = kept.pop()
        while len(kept) > 1 and normalize_title_key(kept[0]) in keys:
            removed = kept.pop(0)
        if removed is not None:
            return rejoin(title, kept), removed
    if all(sep.strip() == "_" for sep in TITLE_SEPARATOR.findall(title)):
        return parts[0], parts[-1]  # Chinese convention: 标题_栏目_站点, the title first
    if len(parts) == 2 and any(normalize_title_key(p) in GENERIC_TITLES for p in parts):
        generic = 0 if normalize_title_key(parts[0]) in GENERIC_TITLES else 1
        return parts[generic], parts[1 - generic]  # "News - Example Industries"
    kept = list(parts)
    site = None
    while len(kept) > 1 and title_size(kept[-1]) <= MAX_SITE_WORDS and \
            title_size(" ".join(kept[:-1])) >= title_size(kept[-1]):
        last = kept.pop()
        site = site or last
    if site is None and len(kept) == 2 and title_size(kept[0]) <= MAX_SITE_WORDS and \
            title_size(kept[1]) > title_size(kept[0]):
        site = kept.pop(0)
    return rejoin(title, kept), site


def site_from_title(page_title: str, title: str | None, site_names: tuple[str, ...]
                    ) -> str | None:
    """The site name in a <title>: what follows the article title after a separator (also
    glued: "Title-Company Co., Ltd."), else the part strip_site_suffix removes.

    >>> site_from_title("Chengdu Center-Chengdu Tianfu Machinery Co., Ltd.", "Chengdu Center", ())
    'Chengdu Tianfu Machinery Co., Ltd.'
    >>> site_from_title("Big News", "Big News", ()) is None
    True
    """
    if title and page_title.startswith(title):
        rest = page_title[len(title):].strip()
        if rest[:1] in GLUED_SEPARATORS and rest[:1]:
            parts = split_title(rest.lstrip(GLUED_SEPARATORS + " "))
            if parts and title_size(parts[-1]) <= MAX_SITE_WORDS:
                return parts[-1]  # "Title_Section_Site": the site is last
    site = strip_site_suffix(page_title, site_names)[1]
    if site and title and titles_agree(site, title):
        return None
    return site


def rejoin(title: str, parts: list[str]) -> str:
    """The span of the original title from the first to the last kept part."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1])
    if start < 0 or end < 0 or end < start:
        return " ".join(parts)
    return title[start:end + len(parts[-1])].strip()


@lru_cache(maxsize=4096)  # pure; pick_h1 compares each h1 with every title candidate
def titles_agree(a: str, b: str) -> bool:
    """Same words (in any order, or all but a few), or one contains the other and is not
    much longer.

    >>> titles_agree("Storm hits coast", "Storm hits coast | BBC")
    True
    >>> titles_agree("Home", "Storm hits coast")
    False
    >>> titles_agree("Storm hits coast", "Storm hits coast of Scotland, killing three")
    True
    >>> titles_agree("Beginner Marathon Plan", "Marathon Beginner Plan")
    True
    """
    ka, kb = normalize_title_key(a), normalize_title_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    if long_.startswith(short + " ") and title_size(short) >= 3:
        return True  # a shortened or extended headline: three words (six CJK characters)
    if short in long_ and len(short) >= 0.6 * len(long_):
        return True
    wa, wb = set(ka.split()), set(kb.split())
    return min(len(wa), len(wb)) >= 3 and len(wa & wb) >= TITLE_WORD_OVERLAP * len(wa | wb)


def pick_h1(signals: PageSignals, hints: list[str], site_keys: set[str]
            ) -> tuple[etree._Element | None, str | None, bool]:
    """(h1 element, its text, whether it agrees with a title candidate).

    An h1 agrees when it has the same words as a candidate (or one contains the other and is
    not much longer), or equals one part of a candidate split on site separators ("Air
    Purifiers" in "Products - Air Purifiers"). Without agreement the first h1 of two or more
    words is returned (it still anchors the search for dates and bylines).
    """
    texts = [(h1, element_text(h1, 300)) for h1 in signals.h1s]
    texts = [(h1, t) for h1, t in texts if t and not is_generic_title(t, site_keys)]
    stripped = []
    part_keys = set()
    for hint in hints:
        if not hint:
            continue
        kept, removed = strip_site_suffix(hint)
        stripped.append(kept)
        removed_key = normalize_title_key(removed)
        part_keys.update(k for k in map(normalize_title_key, split_title(hint))
                         if k != removed_key)
    agreeing = [h for h in hints if h] + stripped
    for h1, text in texts:
        if normalize_title_key(text) in part_keys or any(titles_agree(text, h) for h in agreeing):
            return h1, text, True
    for h1, text in texts:
        if count_words(text) >= 2:
            return h1, text, False
    return None, None, False


def is_generic_title(text: str, site_keys: set[str]) -> bool:
    """A site name or a word like 'Home' is no article title.

    >>> is_generic_title("Home", set()), is_generic_title("首页", set()), is_generic_title("Storm", set())
    (True, True, False)
    """
    key = normalize_title_key(text)
    return not key or key in GENERIC_TITLES or key in site_keys


def choose_title(candidates: list[str], h1_text: str | None, h1_agrees: bool,
                 site_names: tuple[str, ...]) -> str | None:
    """The h1 when it agrees with a candidate (it is the headline readers see, without the
    site name), else the first candidate (JSON-LD headline, og:title, ..., <title>; each
    stripped of its site name), else the h1.

    >>> choose_title(["Products - Air Purifiers"], "Air Purifiers", True, ())
    'Air Purifiers'
    >>> choose_title(["Home", "Storm hits coast - BBC"], None, False, ())
    'Storm hits coast'
    """
    site_keys = {normalize_title_key(s) for s in site_names if s}
    cleaned = []
    for cand in candidates:
        stripped = strip_site_suffix(cand, site_names)[0] if cand else ""
        if stripped and not is_generic_title(stripped, site_keys):
            cleaned.append(stripped)
    if h1_text and h1_agrees:
        return h1_text
    if cleaned:
        return cleaned[0]
    return h1_text or None


# ---------------------------------------------------------------------------- authors


def clean_author(name: str | None, site_keys: set[str], person: bool = False) -> str | None:
    """A person's name, or None for junk.

    >>> clean_author("By Jane Doe", set())
    'Jane Doe'
    >>> [clean_author(n, {"example news"}) for n in ("Email the author", "admin", "@jdoe",
    ...  "jane@e.com", "https://e.com/jane", "Example News", "jdoe", "张三")]
    [None, None, None, None, None, None, None, '张三']
    """
    if not name or not isinstance(name, str):
        return None
    name = squash(AUTHOR_PREFIX.sub("", squash(name)))
    name = name.split("(", 1)[0] if "(" in name[1:] else name  # "Julia Hitz (eg)"
    name = AUTHOR_ROLE_SUFFIX.sub("", name)  # "Zackery Cuevas Writer"
    name = name.strip(" ,.;:|-–—·/()[]")
    if not name or len(name) > 60 or len(name) < 2:
        return None
    low = name.casefold()
    if low in AUTHOR_JUNK or AUTHOR_ORG_WORDS.search(name) or is_site_name(name, site_keys):
        return None
    if AUTHOR_NOT_A_NAME.search(name):
        return None
    if CJK_NAME.match(name):
        return name
    words = name.split()
    if len(words) > 5 or any(w.lower().strip(".,:") in AUTHOR_STOPWORDS for w in words):
        return None
    if len(words) == 1 and not person:
        return None
    if not any(w[:1].isupper() for w in words if w.lower() not in NAME_PARTICLES):
        return None
    return name


def is_site_name(name: str, site_keys: set[str]) -> bool:
    """True when name is the site/publisher name, ignoring spaces and a domain ending.

    >>> is_site_name("Lebensmittel Praxis", {"lebensmittelpraxis de"})
    True
    >>> is_site_name("El Colombiano", {"www elcolombiano com"})
    True
    """
    key = normalize_title_key(name).replace(" ", "")
    for site in site_keys:
        compact = site.removeprefix("www ").replace(" ", "")
        if key and (key == compact or (len(key) >= 6 and compact.startswith(key)
                                       and len(compact) - len(key) <= 4)):
            return True
    return False


def split_authors(text: str) -> list[str]:
    """Names in one author string: 'A and B', 'A, B & C', 'A、B'; 'Doe, Jane' stays one name.

    >>> split_authors("By Jane Doe and John Roe")
    ['By Jane Doe', 'John Roe']
    >>> split_authors("Doe, Jane")
    ['Jane Doe']
    """
    text = squash(text)
    if re.fullmatch(r"[^\s,]+,\s*[^\s,]+", text):
        last, first = (p.strip() for p in text.split(","))
        return [f"{first} {last}"]
    parts = []
    for chunk in AUTHOR_SPLIT.split(text):
        sub = [p.strip() for p in chunk.split(",")]
        parts.extend(p for p in sub if p)
    return parts


def authors_from_values(values: list[Any], graph: JsonLdGraph | None, site_keys: set[str]
                        ) -> list[str]:
    """Names from JSON-LD author values (string, object, list, JSON string, @id reference)."""
    names: list[str] = []
    for value in values:
        if graph is not None:
            value = graph.resolve(value)
        if isinstance(value, list):
            names.extend(authors_from_values(value, graph, site_keys))
            continue
        if isinstance(value, str) and value.strip().startswith(("{", "[")):
            from cleaning.jsonld import load_json_ld
            parsed = load_json_ld(value)
            if parsed is not None:
                names.extend(authors_from_values([parsed], graph, site_keys))
                continue
        if isinstance(value, dict):
            types = node_types(value)
            if any(t in ORGANIZATION_TYPES for t in types):
                continue
            name = as_text(value.get("name"))
            if not name:
                given = as_text(value.get("givenName")) or ""
                family = as_text(value.get("familyName")) or ""
                name = squash(f"{given} {family}") or None
            person = "Person" in types
            for part in split_authors(name or ""):
                cleaned = clean_author(part, site_keys, person=person)
                if cleaned:
                    names.append(cleaned)
        elif isinstance(value, str):
            for part in split_authors(value):
                cleaned = clean_author(part, site_keys)
                if cleaned:
                    names.append(cleaned)
    return names


def authors_from_markup(elements: list[etree._Element], site_keys: set[str]) -> list[str]:
    """Names from the first byline element that holds one (itemprop=author, rel=author,
    class *byline* / *author*), comment sections skipped."""
    names: list[str] = []
    for el in elements[:8]:
        if el.tag in ("meta", "link", "script", "style") or in_comments(el):
            continue
        inner = NAME_XPATH(el)
        text = element_text(inner[0] if inner else el, 160)
        text = AUTHOR_PREFIX.sub("", text)
        text = AUTHOR_CUT.sub("", text)
        for part in split_authors(text):
            cleaned = clean_author(part, site_keys)
            if cleaned and cleaned not in names:
                names.append(cleaned)
        if names:
            break
    return names


def is_byline_element(el: etree._Element) -> bool:
    """itemprop=author, rel=author, or a class naming an author/byline.

    >>> from lxml import etree
    >>> is_byline_element(etree.fromstring('<span class="post-byline">x</span>'))
    True
    """
    for name, value in el.items():  # one call; most elements have no or few attributes
        if name == "class":
            low = value.lower()
            if "author" in low or "byline" in low:
                return True
        elif (name == "itemprop" and value == "author") or (name == "rel" and "author" in value):
            return True
    return False


def elements_near(anchor: etree._Element) -> list[etree._Element]:
    """The BYLINE_SCAN elements after the title element and those inside its preceding
    siblings: where bylines and microdata dates of the article sit."""
    near = list(itertools.islice(iter_following(anchor), BYLINE_SCAN))
    for sibling in anchor.itersiblings(preceding=True):
        near.extend(el for el in sibling.iter() if isinstance(el.tag, str))
    return near


def near_marked(anchor: etree._Element) -> tuple[list[etree._Element], list[etree._Element]]:
    """(byline elements, elements with an itemprop) among elements_near(anchor), in its order:
    what the author and microdata-date steps read there. Compiled: one walk that makes proxies
    for those elements only.

    >>> root = etree.fromstring("<html><h1>T</h1><p class='byline'>By A</p><p>x</p></html>")
    >>> [[el.tag for el in found] for found in near_marked(root[0])]
    [['p'], []]
    """
    if _speedups is not None:
        found = _speedups.near_marked(anchor, BYLINE_SCAN)
        if found is not None:  # (None: an attribute value it does not read)
            return found
    near = elements_near(anchor)
    return ([el for el in near if is_byline_element(el)],
            [el for el in near if el.get("itemprop") is not None])


def in_comments(el: etree._Element) -> bool:
    """True when an ancestor's class says comments (comment authors are not the author)."""
    return any(COMMENT_CLASS.search(a.get("class") or "") for a in el.iterancestors())


def unique(items: list[str]) -> tuple[str, ...]:
    """Items in order without case-insensitive duplicates.

    >>> unique(["A", "a", "B"])
    ('A', 'B')
    """
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


# ---------------------------------------------------------------------------- text near title


def iter_following(anchor: etree._Element) -> Iterator[etree._Element]:
    """Elements after anchor in document order, its descendants excluded (lazy, so a caller
    that stops early pays only for what it read; libxml2's ``following::`` builds the whole
    node set first)."""
    node = anchor
    while node is not None and node.tag != "html":
        for sibling in node.itersiblings():
            for el in sibling.iter():
                if isinstance(el.tag, str):
                    yield el
        node = node.getparent()


def iter_following_text(anchor: etree._Element) -> Iterator[str]:
    """Visible text after anchor in document order."""
    node = anchor
    while node is not None and node.tag != "html":
        if node.tail:
            yield node.tail
        for sibling in node.itersiblings():
            if isinstance(sibling.tag, str):
                yield from iter_visible_text(sibling)
            if sibling.tail:
                yield sibling.tail
        node = node.getparent()


def iter_preceding_text(anchor: etree._Element) -> Iterator[str]:
    """Visible text before anchor, nearest first (each preceding sibling as one piece)."""
    node = anchor
    while node is not None and node.tag != "html":
        for sibling in node.itersiblings(preceding=True):
            if sibling.tail:
                yield sibling.tail
            if isinstance(sibling.tag, str):
                yield STRING_VALUE(sibling)  # in C; only its end is kept
        node = node.getparent()
        if node is not None and node.text:
            yield node.text


def text_near_title(anchor: etree._Element | None) -> str:
    """Visible text around the title element: ~160 characters before it, the title, then
    ~500 characters after it in document order (where "date + Click:" lines and bylines sit).

    >>> from lxml import html as lh
    >>> doc = lh.fromstring("<div><p>Menu</p><table><tr><td><b>Title</b></td></tr>"
    ...     "<tr><td>2012-06-04 09:20</td></tr></table></div>")
    >>> text_near_title(doc.find(".//b"))
    'Menu\\nTitle\\n2012-06-04 09:20'
    """
    if anchor is None:
        return ""
    before, after = near_title_pieces(anchor)
    head = "\n".join(reversed(before))[-TEXT_WINDOW_BEFORE:]
    return "\n".join(([head] if head else []) + [element_text(anchor, 300)] + after)


def near_title_pieces(anchor: etree._Element) -> tuple[list[str], list[str]]:
    """The stripped pieces of text before anchor (nearest first, each cut to its last
    TEXT_WINDOW_BEFORE characters: only the end of the window is kept) and after it, each
    side read until it holds more than its window. In C when built."""
    if _speedups is not None:
        found = _speedups.near_title_pieces(anchor, _HIDDEN_NAMES, TEXT_WINDOW_BEFORE,
                                            TEXT_WINDOW_AFTER)
        if found is not None:  # None: markup it leaves to Python (entity references, XInclude)
            return found
    return (window_pieces(iter_preceding_text(anchor), TEXT_WINDOW_BEFORE, TEXT_WINDOW_BEFORE),
            window_pieces(iter_following_text(anchor), TEXT_WINDOW_AFTER))


def window_pieces(pieces: Iterator[str], limit: int, keep: int = 0) -> list[str]:
    """The non-empty stripped pieces (the last ``keep`` characters of each, all when 0) until
    they hold more than ``limit`` characters.

    >>> window_pieces(iter([" ab ", "", "cde", "f"]), 4, 2)
    ['ab', 'de']
    """
    window: list[str] = []
    size = 0
    for piece in pieces:
        piece = piece.strip()
        if piece:
            window.append(piece[-keep:] if keep else piece)
            size += len(piece)
            if size > limit:
                break
    return window


# ---------------------------------------------------------------------------- dates


def dates_from_markup(near: list[etree._Element], signals: PageSignals,
                      anchor: etree._Element | None) -> tuple[DateValue | None, DateValue | None]:
    """(published, modified) from the itemprop date elements of ``near`` and <time> elements
    near the title (inside its article or its great-grandparent) or marked as publication."""
    published = modified = None
    for el in near:
        prop = el.get("itemprop")
        if prop not in ITEMPROP_DATES or el.tag == "meta":
            continue  # meta itemprops were read as meta
        value = parse_date(el.get("datetime") or el.get("content") or element_text(el, 80),
                           "time")
        if value is None:
            continue
        if prop == "dateModified":
            modified = modified or value
        else:
            published = published or value
    if published is not None:
        return published, modified
    scope = _title_scope(anchor)
    main_article = first_main_article(signals.times)
    for el in signals.times:
        marked = el.get("pubdate") is not None or "publish" in (el.get("class") or "").lower()
        if not marked and not _in_scope(el, scope) and not _in_scope(el, main_article):
            continue
        if in_comments(el):
            continue
        value = parse_date(el.get("datetime") or element_text(el, 80), "time")
        if value is None:
            continue
        label = ((el.get("class") or "") + " " + element_text(el, 40)).lower()
        if "modif" in label or "updat" in label:
            modified = modified or value
        else:
            published = published or value
            break
    return published, modified


def find_title_element(root: etree._Element, title: str | None) -> etree._Element | None:
    """The element showing the title when the page has no agreeing h1 (Chinese templates
    often put it in a div/td): a heading or *title* element first, else the first one not
    inside a link or list. One Python pass over the elements' own text (faster than an
    XPath string comparison, which libxml2 runs per element).

    >>> from lxml import html as lh
    >>> doc = lh.fromstring("<body><a>Big story</a><td><b> Big  story </b></td></body>")
    >>> find_title_element(doc, "Big story").tag
    'b'
    """
    if not title or not title.strip() or len(title) > 200:
        return None
    probe = title.split()[0][:12]  # a cheap substring test before squashing
    first = None
    for el in nodes_with_text(root, probe):
        text = el.text
        if not text or probe not in text or el.tag in TITLE_ELEMENT_SKIP:
            continue
        if squash(text) != title:
            continue
        if el.tag in ("h1", "h2", "h3") or "title" in (el.get("class") or "").lower():
            return el
        if first is None and not any(a.tag in ("a", "li", "nav") for a in el.iterancestors()):
            first = el
    return first


def nodes_with_text(root: etree._Element, probe: str) -> Iterator[etree._Element]:
    """``root.iter()``, or (compiled) only the nodes whose ``.text`` may contain probe: the
    elements find_title_element tests, in the same order, without a proxy for the others.

    >>> [el.tag for el in nodes_with_text(etree.fromstring("<r><a>hi</a></r>"), "hi")][-1]
    'a'
    """
    if _speedups is not None:
        try:
            return iter(_speedups.nodes_with_text(root, probe.encode("utf-8")))
        except UnicodeEncodeError:  # a lone surrogate: no parsed text holds one
            pass
    return root.iter()


def _title_scope(anchor: etree._Element | None) -> etree._Element | None:
    """The element around the title whose <time>s belong to the article: the <article> that
    holds the title, else the title element's great-grandparent (never body)."""
    if anchor is None:
        return None
    node = anchor
    for _ in range(3):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        node = parent
        if node.tag == "article":
            return node
    for ancestor in node.iterancestors("article"):
        return ancestor
    return node


def _in_scope(el: etree._Element, scope: etree._Element | None) -> bool:
    """True when el is inside scope (the <article> of related-story cards is not enough)."""
    return scope is not None and any(anc is scope for anc in el.iterancestors())


def first_main_article(times: list[etree._Element]) -> etree._Element | None:
    """The <article> of the first <time> that sits in an article which is the page's main one:
    the first <article> of the page, not a comment, not in an aside/nav/footer (related-story
    cards and comments come later or sit there)."""
    page_first = None
    for el in times:
        article = next(el.iterancestors("article"), None)
        if article is None:
            continue
        if page_first is None:
            page_first = next(article.getroottree().getroot().iter("article"))
        if article is not page_first or COMMENT_CLASS.search(article.get("class") or ""):
            return None
        if any(anc.tag in ("aside", "nav", "footer") for anc in article.iterancestors()):
            return None
        return article
    return None


def first_date(values: list[Any], source: str) -> DateValue | None:
    """The first value that parses as a plausible date."""
    for value in values:
        parsed = parse_date(as_text(value) if not isinstance(value, str) else value, source)
        if parsed is not None:
            return parsed
    return None


# ---------------------------------------------------------------------------- the cascade


def extract_metadata(root: Any, url: str, signal_scan: SignalScan | None = None) -> Metadata:
    """Metadata of a parsed page (the tree is not modified).

    ``signal_scan``: what the parse stage read of root's html/meta/link/title/script/h1/time
    elements (``ParsedPage.signals``), else the tree is walked here.

    >>> from lxml import html as lh
    >>> doc = lh.fromstring('<html lang="en-US"><head><title>Big News - Example</title>'
    ...   '<meta property="og:site_name" content="Example">'
    ...   '<meta name="author" content="Jane Doe"></head><body><h1>Big News</h1>'
    ...   '<div>2021-07-17 16:38:28 Click:</div></body></html>')
    >>> m = extract_metadata(doc, "https://e.com/a")
    >>> m.title, m.authors, m.date_published.value, m.site_name, m.language_hint
    ('Big News', ('Jane Doe',), '2021-07-17T16:38:28', 'Example', 'en')
    """
    if root is None:
        return Metadata()
    if hasattr(root, "getroot"):
        root = root.getroot()
    url = url or ""
    signals = scan_page(root, signal_scan)
    graph = JsonLdGraph.from_scripts(signals.ld_scripts) if signals.ld_scripts else None
    canonical = choose_canonical(signals, url)
    title_hints = [signals.title or "", signals.first(TITLE_META) or ""]
    title_hints += [strip_site_suffix(signals.title)[0]] if signals.title else []
    node = choose_article_node(graph, [url, canonical], title_hints) if graph else None
    node = node or {}

    # site name first: title cleanup and author filtering need it
    publisher = graph.resolve(node.get("publisher")) if graph and node else None
    website = graph.first_of_type(("WebSite",)) if graph else None
    site_name = (signals.first(("og:site_name",))
                 or (as_text(publisher.get("name")) if isinstance(publisher, dict) else None)
                 or (as_text(website.get("name")) if website else None)
                 or signals.first(SITE_NAME_META[1:3]))
    site_names = tuple(n for n in (site_name, signals.first(("application-name",)),
                                   as_text(website.get("name")) if website else None) if n)

    headline = as_text(node.get("headline")) or (as_text(node.get("name")) if node else None)
    candidates = [c for c in (headline, *signals.each(TITLE_META), signals.title) if c]
    site_keys = {normalize_title_key(n) for n in site_names}
    h1, h1_text, h1_trusted = pick_h1(signals, candidates, site_keys)
    title = choose_title(candidates, h1_text, h1_trusted, site_names)
    if site_name is None and signals.title:
        site_name = site_from_title(signals.title, title, site_names)
    site_keys = {normalize_title_key(n) for n in (*site_names, site_name) if n}

    authors = authors_from_values([node.get("author"), node.get("creator")], graph, site_keys) \
        if node else []
    if not authors:
        for value in signals.each(AUTHOR_META):
            authors.extend(authors_from_values([value], None, site_keys))
            if authors:
                break
    published = first_date([node.get("datePublished"), node.get("dateCreated"),
                            node.get("uploadDate")], "json-ld") if node else None
    modified = first_date([node.get("dateModified")], "json-ld") if node else None
    published = published or first_date(list(signals.each(PUBLISHED_META)), "meta")
    modified = modified or first_date(list(signals.each(MODIFIED_META)), "meta")

    # Markup and text near the title, only for what the declared metadata did not give.
    if authors and published:
        anchor = h1
    else:
        anchor = None if h1_trusted else find_title_element(root, title)
        anchor = h1 if anchor is None else anchor
    near: str | None = None
    if anchor is None:  # no title element: microdata and bylines anywhere on the page
        microdata = ITEMPROP_XPATH(root) if published is None else []
        if not authors:
            authors = authors_from_markup(BYLINE_XPATH(root), site_keys)
    else:
        bylines, microdata = near_marked(anchor) if not (authors and published) else ([], [])
    if not authors and anchor is not None:
        authors = authors_from_markup(bylines, site_keys)
        if not authors:
            near = text_near_title(anchor)
            m = BYLINE_TEXT.search(near)
            if m:
                authors = authors_from_values([AUTHOR_CUT.sub("", m.group(1))], None, site_keys)
    if published is None:
        published, t_mod = dates_from_markup(microdata, signals, anchor)
        modified = modified or t_mod
    if published is None and anchor is not None:
        near = near if near is not None else text_near_title(anchor)
        published, x_mod = find_text_dates(near)
        modified = modified or x_mod
    if published is None and anchor is not None:  # microdata far from the title
        published, i_mod = dates_from_markup(ITEMPROP_XPATH(root), PageSignals(), None)
        modified = modified or i_mod
    if published is None:
        published = date_from_url(canonical or url)
    if modified is not None and published is not None and modified.value[:10] < published.value[:10]:
        modified = None

    description = as_text(node.get("description")) if node else None
    description = squash(description or signals.first(DESCRIPTION_META)) or None
    section = section_from(node, graph, title) or signals.first(SECTION_META)
    tags = tags_from(node, signals)
    image = image_from(node, signals, url, graph)
    language = normalize_language(signals.html_lang) or next(
        (c for c in (normalize_language(v) for v in signals.each(LANGUAGE_META)) if c), None)
    if language is None and node:
        language = normalize_language(as_text(node.get("inLanguage")))
    return Metadata(
        title=title,
        authors=unique(authors),
        date_published=published,
        date_modified=modified,
        description=description,
        section=squash(section) or None,
        tags=tags,
        image_url=image,
        site_name=squash(site_name) or None,
        canonical_url=canonical,
        language_hint=language,
    )


def section_from(node: dict[str, Any], graph: JsonLdGraph | None, title: str | None
                 ) -> str | None:
    """articleSection, else the last breadcrumb that is not the article itself."""
    section = as_text(node.get("articleSection")) if node else None
    if section or graph is None:
        return section
    crumbs = graph.first_of_type(("BreadcrumbList",))
    items = crumbs.get("itemListElement") if crumbs else None
    if not isinstance(items, list):
        return None
    names = []
    for item in sorted((i for i in items if isinstance(i, dict)),
                       key=lambda i: i.get("position", 0) if isinstance(i.get("position"), int)
                       else 0):
        name = as_text(item.get("name")) or as_text(graph.resolve(item.get("item")))
        if name:
            names.append(name)
    while names and title and titles_agree(names[-1], title):
        names.pop()
    return names[-1] if len(names) > 1 else None


def tags_from(node: dict[str, Any], signals: PageSignals) -> tuple[str, ...]:
    """JSON-LD keywords, else article:tag / news_keywords / keywords (comma separated)."""
    values: list[str] = []
    keywords = node.get("keywords") if node else None
    if isinstance(keywords, list):
        values = [as_text(k) or "" for k in keywords]
    elif isinstance(keywords, str):
        values = [keywords]
    if not any(values):
        for name in TAG_META:
            values = list(signals.each((name,)))
            if values:
                break
    tags = []
    for value in values:
        for tag in re.split(r"\s*[,;，、|]\s*", value):
            tag = squash(tag)
            if tag and len(tag) <= 60:
                tags.append(tag)
    return unique(tags)[:MAX_TAGS]


def image_from(node: dict[str, Any], signals: PageSignals, url: str,
               graph: JsonLdGraph | None = None) -> str | None:
    """JSON-LD image (string, ImageObject, list, @id reference), else og:image /
    twitter:image; absolute."""
    value = node.get("image") or node.get("thumbnailUrl") if node else None
    if isinstance(value, list):
        value = value[0] if value else None
    if graph is not None:
        value = graph.resolve(value)
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or value.get("@id")
    for candidate in (value if isinstance(value, str) else None, *signals.each(IMAGE_META)):
        absolute = absolute_http_url(candidate, url)
        if absolute:
            return absolute
    return None
