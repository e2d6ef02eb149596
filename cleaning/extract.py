"""Main-content extraction: find the article region of a parsed page and read it out as text.

Design (EXTRACTION-NOTES.md sections 4-5), all on one lxml tree, no copies:

1. ``find_prev_next``: "Pre:/Next:/上一篇/下一篇" links become ``prev_link``/``next_link``.
2. ``annotate``: ONE iterwalk computing, per element, text length, link-text length, ``<p>``
   count and commas, plus the junk/content verdict of its tag and class/id (cached per string).
3. ``prune_junk``: chrome (nav, aside, hidden, share/related/comment/ad tokens...) is removed
   unless it holds most of the page's text or a content anchor; ancestors' counts are adjusted.
4. Candidates from two signals: semantic anchors (itemprop=articleBody, content class tokens,
   ``<article>``, ``<main>``) and readability scoring on the precomputed counts; sibling merge.
5. ``render_blocks`` reads the region once into text blocks; ``filter_blocks`` shrinks it:
   link-dense blocks, boilerplate lines (cleaning.rules), end-of-article markers, trailing
   headings, duplicates, the leading title.
6. Fallback (whole body, stricter block filter) only when the result is suspiciously small.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree

from cleaning import rules
from cleaning.compiled import load_speedups
from cleaning.lines import compile_extra_patterns, drop_rule_lines, is_boilerplate_line
from cleaning.parse import remove_keeping_tails
from cleaning.types import CleaningConfig
from cleaning.urls import site_key

# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """A link to a neighbouring article (absolute URL and the linked title)."""

    url: str
    title: str


@dataclass(frozen=True, slots=True)
class Content:
    """What the extractor found on a page (text plus the features the verdict needs)."""

    text: str
    prev_link: Link | None = None
    next_link: Link | None = None
    confidence: float = 0.0
    paragraph_count: int = 0  # prose blocks (>= 80 chars, CJK x3) with little link text
    page_chars: int = 0  # readable characters in the page body (before pruning)
    page_link_density: float = 0.0  # link text / text, whole body
    region_link_density: float = 0.0  # link text / text, chosen region
    teaser_count: int = 0  # linked headings (h2-h4) and <article> teasers on the page
    excerpt_count: int = 0  # text blocks that end in "..." / "…" (teaser excerpts)
    method: str = "empty"  # anchor / score / merged / fallback / empty
    heading_text: str = ""  # first h1 of the page (soft-error detection)


EMPTY_CONTENT = Content(text="")

# Per-element counters (a list per element, indices below).
TEXT, LINK, PCOUNT, COMMAS, INDEX, LAST, FLAGS = range(7)  # COMMAS: unused slot (see scoring)
# FLAGS bits
HAS_BLOCK_CHILD, HAS_ANCHOR, IS_JUNK, IS_HIDDEN, IS_TOGGLED = 1, 2, 4, 8, 16
IS_JUNK_ANCHORED = IS_JUNK | HAS_ANCHOR  # a junk-named element wrapping a content anchor
# Attribute verdicts
# HIDDEN (attribute or style): junk, and inside junk even around a content anchor. TOGGLED (a
# utility class such as "hide" that scripts remove for "show all", tabs, accordions): content,
# except inside junk where it is HIDDEN (prune_junk decides both).
NEUTRAL, JUNK, CONTENT, HIDDEN, TOGGLED = 0, 1, 2, 3, 4

MIN_PARAGRAPH = 25  # readability: shorter scored elements are ignored
LABEL_MAX_CHARS = 300  # a text node this long or longer is not a prev/next label
MIN_GOOD_TEXT = 250
KEEP_JUNK_SHARE = 0.5  # a junk-named element with more of the page's good text stays
ANCHORED_JUNK_SHARE = 0.2  # ...and one wrapping a content anchor, with more than this share
MAX_TITLE_POSITION = 6  # the title block is looked for among the first kept blocks of the region
MAX_PRE_TITLE_CHARS = 120  # ...and what precedes it (dropped with it) must be this short
NOSCRIPT_MIN_CHARS = 200  # <noscript> kept when the rest of the page has less text than this
LEAD_MIN_CHARS, LEAD_MAX_CHARS = 30, 1000
LEAD_SEARCH_MAX_CHARS = 2500  # previous siblings this small are searched for a lead inside  # size of a standfirst picked up above the region
ANCHOR_GROW_START = 0.35  # an anchor holding less of the paragraph mass than this is grown
PROSE_MIN_CHARS = 100  # trim_edges: a block this long with little link text is article prose
TRAIL_SHORT_CHARS = 60  # ...trailing non-prose blocks shorter than this are dropped
TEASER_EXCERPT_CHARS = 300  # a block this short after a dropped linked heading may be an excerpt
LEAD_SHORT_CHARS = 60  # ...and leading ones shorter than this
LISTING_MIN_TEASERS = 3  # linked headings that make a page's teaser list worth reading out
ANCHOR_TIGHT_SHARE = 0.75  # an anchor inside the scored region replaces it when this full
LINK_BLOCK_SHORT, LINK_BLOCK_LONG = 0.7, 0.85  # link density dropping a block (< / >= 100 chars)
END_MARKER_MIN_SHARE = 0.4  # end markers count once this share of the region text is read
HARD_END_MIN_PROSE = 1000  # ...hard ones (author box, comments) also after this much prose
ORPHAN_LABEL_CHARS = 60  # a label this short over a dropped link list is dropped with it
MAX_ORPHAN_LABELS = 2  # ...unless the page repeats that pattern more often
RESUME_PROSE_CHARS = 150  # after a "related" inset, an unlinked block this long resumes the text
MASS_SHARE = 0.7  # grow the region until it holds this share of the scored paragraphs
MAX_GROW_LINK_DENSITY = 0.3  # below this a result is suspicious (trafilatura's MIN_EXTRACTED_SIZE)
COMMA_CHARS = (",", "，", "、", "،")
# Containers scored like paragraphs when they hold only inline content (text divs).
TEXT_DIV_TAGS = frozenset({"div", "section", "article", "li", "dd"})
# Inline tags whose attributes never decide junk (their containers do): no verdict computed.
NO_VERDICT_TAGS = frozenset({"a", "img", "br", "b", "i", "em", "strong", "sup", "sub", "small",
                             "u", "s", "abbr", "code", "wbr", "source", "td", "tr", "th", "tbody",
                             "font", "cite", "q", "mark", "time", "kbd", "var", "ins", "del"})
LIST_KINDS = frozenset({"li", "tr", "dt", "dd", "line"})
PARAGRAPH_MIN_CHARS = 80  # a prose paragraph for the verdict (CJK characters count 3)
EXCERPT_ENDS = ("...", "…", "[…]", "[...]", "……")
SENTENCE_END = (".", "!", "?", "。", "！", "？", "\"", "”", ":", ")")


def text_of(el: etree._Element) -> str:
    """All text inside an element (its XPath ``string()``, tail excluded), serialised in C:
    ~3x faster than evaluating a compiled ``XPath("string()")`` per element.

    >>> text_of(etree.fromstring("<p>a<b>b</b>c</p>"))
    'abc'
    """
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def count_commas(text: str) -> int:
    """Commas of Latin, CJK and Arabic scripts.

    >>> count_commas("a, b，c、d")
    3
    """
    return sum(text.count(c) for c in COMMA_CHARS)


def comma_count(el: etree._Element) -> int:
    """Commas in all text of an element (``count_commas(text_of(el))``; in C when
    cleaning._speedups is built, without making the string).

    >>> comma_count(etree.fromstring("<p>a, b<b>，c、</b>d</p>"))
    3
    """
    if _SPEEDUPS is None:
        return count_commas(text_of(el))
    return _SPEEDUPS.comma_count(el)


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space.

    >>> normalize_space("  a\\n b\\t c ")
    'a b c'
    """
    return " ".join(text.split())


def comparable(text: str) -> str:
    """Lower-cased letters and digits only, for loose equality of titles.

    >>> comparable("Hello, World!") == comparable("hello world")
    True
    """
    return "".join(filter(str.isalnum, text.casefold()))


def remove_keep_tail(el: etree._Element) -> None:
    """Remove an element from its parent, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def class_tokens(attrs: str) -> list[str]:
    """Lower-cased tokens of a class/id string: the runs between whitespace, '_' and '-'
    (str.split and the regex ``\\s`` share one definition of whitespace; split is faster).

    >>> class_tokens("Post__Body  main-Content\u00a0x")
    ['post', 'body', 'main', 'content', 'x']
    """
    return attrs.lower().replace("-", " ").replace("_", " ").split()


def token_runs(attrs: str) -> frozenset[str] | list[str]:
    """Tokens of a class/id string, and their runs of up to 3 joined without separators when
    the run starts with the first part of some compound rule token (uncached: ids are unique).

    >>> sorted(token_runs("c-article body"))
    ['article', 'articlebody', 'body', 'c', 'carticle', 'carticlebody']
    >>> sorted(token_runs("elementor-element e-flex"))
    ['e', 'element', 'elementor', 'flex']
    """
    tokens = class_tokens(attrs)
    starts = rules.COMPOUND_STARTS
    if len(tokens) < 2 or starts.isdisjoint(tokens):
        return tokens  # the common case: no run to join, the token list is enough for lookups
    words = set(tokens)
    count = len(tokens)
    for i, token in enumerate(tokens):
        if token in starts:
            for n in range(2, min(rules.MAX_TOKEN_RUN, count - i) + 1):
                words.add("".join(tokens[i:i + n]))
    return frozenset(words)


@lru_cache(maxsize=16384)
def attr_words(attrs: str) -> frozenset[str]:
    """:func:`token_runs` as a set (cached: class strings repeat).

    >>> sorted(attr_words("c-article body"))
    ['article', 'articlebody', 'body', 'c', 'carticle', 'carticlebody']
    """
    return frozenset(token_runs(attrs))


def classify_words(attrs: str) -> int:
    """Verdict of a class/id string: CONTENT, JUNK or NEUTRAL (uncached form of
    :func:`classify_attrs`, for id strings that rarely repeat).

    >>> classify_words("entry-content clearfix") == CONTENT, classify_words("") == NEUTRAL
    (True, True)
    """
    if not attrs:
        return NEUTRAL
    words = token_runs(attrs)
    if not rules.CONTENT_WORDS.isdisjoint(words):
        return CONTENT
    if not rules.JUNK_WORDS.isdisjoint(words):
        return JUNK
    return NEUTRAL


@lru_cache(maxsize=16384)
def classify_attrs(attrs: str) -> int:
    """Verdict of a class/id string: CONTENT, JUNK or NEUTRAL (cached: class strings repeat).

    >>> classify_attrs("entry-content clearfix") == CONTENT
    True
    >>> classify_attrs("share-buttons") == JUNK
    True
    >>> classify_attrs("canvas-wrapper navigator") == NEUTRAL
    True
    """
    return classify_words(attrs)


@lru_cache(maxsize=16384)
def class_weight(attrs: str) -> int:
    """Readability's class/id weight: +25 per positive hit, -25 per negative.

    >>> class_weight("post-body")
    25
    >>> class_weight("sidebar")
    -25
    """
    if not attrs:
        return 0
    words = attr_words(attrs)
    weight = 0
    if not words.isdisjoint(rules.NEGATIVE_WORDS):
        weight -= 25
    if not words.isdisjoint(rules.POSITIVE_WORDS) or not words.isdisjoint(rules.CONTENT_WORDS):
        weight += 25
    return weight


_TAG_WEIGHT = {tag: w for tags, w in rules.TAG_WEIGHTS for tag in tags}


def tag_weight(tag: str) -> int:
    """Readability's base score of a tag.

    >>> tag_weight("div"), tag_weight("h2"), tag_weight("span")
    (5, -5, 0)
    """
    return _TAG_WEIGHT.get(tag, 0)


def attr_string(el: etree._Element) -> str:
    """class and id of an element as one string ('' when neither)."""
    cls = el.get("class")
    ident = el.get("id")
    if cls and ident:
        return f"{cls} {ident}"
    return cls or ident or ""


# ---------------------------------------------------------------------------
# Stage 1: prev/next links
# ---------------------------------------------------------------------------


def element_text(el: etree._Element) -> str:
    """All text of an element, whitespace collapsed."""
    return normalize_space("".join(el.itertext()))


def make_link(a: etree._Element, base_url: str, title: str) -> Link | None:
    """A Link from an <a>, or None for empty / placeholder / javascript links."""
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    title = normalize_space(title or a.get("title") or "")
    if title.casefold().strip(" !！.") in rules.NO_NEIGHBOUR_TITLES:
        return None
    try:
        url = urljoin(base_url, href) if base_url else href
    except ValueError:
        return None
    return Link(url=url, title=title)


def link_after_label(owner: etree._Element, is_tail: bool) -> etree._Element | None:
    """The <a> that follows a label text node (its element's first child or next sibling)."""
    node = owner.getnext() if is_tail else (owner[0] if len(owner) else owner.getnext())
    if node is None:
        return None
    if node.tag == "a":
        return node
    return node.find(".//a")


def enclosing_link(el: etree._Element, levels: int = 3) -> etree._Element | None:
    """``el`` itself or one of its first ancestors when it is an <a> (in C when built: no
    proxy for the ancestors passed).

    >>> root = etree.fromstring("<div><a href='/'><span><i><b>x</b></i></span></a></div>")
    >>> enclosing_link(root[0][0]).tag, enclosing_link(root[0][0][0][0]), enclosing_link(root)
    ('a', None, None)
    """
    if _SPEEDUPS is not None:
        return _SPEEDUPS.enclosing_link(el, levels)
    return enclosing_link_py(el, levels)


def enclosing_link_py(el: etree._Element | None, levels: int) -> etree._Element | None:
    """The Python form of ``_speedups.enclosing_link``."""
    for _ in range(levels):
        if el is None:
            return None
        if el.tag == "a":
            return el
        el = el.getparent()
    return None


def label_candidates(body: etree._Element) -> list[tuple[etree._Element, bool, str]]:
    """(owner, is_tail, text) of every text node that may hold a prev/next label
    (:func:`annotate` collects the same list during its walk)."""
    found = []
    for el in body.iter():
        if el.text and has_label_keyword(el.text):
            found.append((el, False, el.text))
        if el is not body and el.tail and has_label_keyword(el.tail):
            found.append((el, True, el.tail))
    return found


def has_label_word(label: str) -> bool:
    """Cheap test before the label regexes: every text they match holds one of
    rules.PREV_NEXT_WORDS once lower-cased.

    >>> has_label_word("NEXT:"), has_label_word("上一篇"), has_label_word("Posted: 2020")
    (True, True, False)
    """
    return rules.PREV_NEXT_WORD_RE.search(label.lower()) is not None


def has_label_keyword(text: str) -> bool:
    """Cheap test: could this text node hold a prev/next label?

    >>> has_label_keyword("Pre:"), has_label_keyword("上一篇"), has_label_keyword("Plain text")
    (True, True, False)
    """
    return rules.LABEL_HINT_RE.search(text) is not None


def find_prev_next(body: etree._Element, base_url: str,
                   candidates: list[tuple[etree._Element, bool, str]] | None = None,
                   ) -> tuple[Link | None, Link | None]:
    """Previous/next article links announced by a label ("Pre:", "Next:", 上一篇, 下一篇).

    Only text nodes holding a label keyword are looked at (``candidates``, collected by the
    annotate walk; computed here when not given).
    """
    if candidates is None:
        candidates = label_candidates(body)
    prev_link: Link | None = None
    next_link: Link | None = None
    for owner, is_tail, text in candidates:
        if prev_link is not None and next_link is not None:
            break
        if owner.getparent() is None and owner is not body:
            continue
        a = None if is_tail else enclosing_link(owner)
        if a is not None:  # the label is inside the link: "Next: The bridge opens"
            if not a.get("href"):
                continue
            text = "".join(a.itertext())
            if not has_label_word(text):  # (collapsing spaces changes no word)
                continue
            label = normalize_space(text)  # element_text(a)
            m = rules.PREV_IN_LINK_RE.match(label)
            if m and prev_link is None:
                prev_link = make_link(a, base_url, m.group("title"))
                continue
            m = rules.NEXT_IN_LINK_RE.match(label)
            if m and next_link is None:
                next_link = make_link(a, base_url, m.group("title"))
            continue
        label = text.strip()[-40:]
        if not has_label_word(label):
            continue
        is_prev = prev_link is None and rules.PREV_LABEL_RE.search(label)
        is_next = not is_prev and next_link is None and rules.NEXT_LABEL_RE.search(label)
        if not (is_prev or is_next):
            continue
        a = link_after_label(owner, is_tail)
        if a is None or not a.get("href"):
            continue
        link = make_link(a, base_url, element_text(a))
        if is_prev:
            prev_link = link
        else:
            next_link = link
    return prev_link, next_link


def resolve_noscript(body: etree._Element, blocks: list[etree._Element] | None = None) -> None:
    """Drop ``<noscript>`` blocks, unless they hold the page's only real text (then unwrap them).
    ``blocks``: the noscript elements of body in document order, when the caller has them
    (then the tree is not walked to find them).

    >>> from cleaning.parse import parse_html
    >>> root = parse_html("<body><p>Real text</p><noscript>Enable JS</noscript></body>")
    >>> resolve_noscript(root.find("body")); "".join(root.itertext())
    'Real text'
    """
    if blocks is None:
        blocks = list(body.iter("noscript"))
    if not blocks:
        return
    hidden = sum(len(text_of(n).strip()) for n in blocks)
    if hidden >= NOSCRIPT_MIN_CHARS and len(text_of(body).strip()) - hidden < NOSCRIPT_MIN_CHARS:
        etree.strip_tags(body, "noscript")
    else:  # as strip_elements(body, "noscript", with_tail=False), without its walk
        remove_keeping_tails(blocks)


def is_descendant(el: etree._Element, ancestor: etree._Element) -> bool:
    """True when ``ancestor`` holds ``el``.

    >>> root = etree.fromstring("<a><b><c/></b><d/></a>")
    >>> is_descendant(root[0][0], root[0]), is_descendant(root[1], root[0])
    (True, False)
    """
    return any(a is ancestor for a in el.iterancestors())


# ---------------------------------------------------------------------------
# Stage 2: per-site selectors
# ---------------------------------------------------------------------------


@lru_cache(maxsize=256)
def compile_selector(selector: str) -> etree.XPath | None:
    """CSS selector -> compiled XPath; None when the selector is invalid.

    >>> compile_selector("div.ad") is not None, compile_selector("div[") is None
    (True, True)
    """
    try:
        from lxml.cssselect import CSSSelector

        return CSSSelector(selector, translator="html")
    except Exception:  # noqa: BLE001 - cssselect raises several error types for bad input
        return None


def drop_selected(root: etree._Element, selectors: Sequence[str]) -> int:
    """Remove elements matching per-site CSS selectors; returns how many were removed."""
    removed = 0
    for selector in selectors:
        compiled = compile_selector(selector)
        if compiled is None:
            continue
        for el in compiled(root):
            if el.getparent() is not None:
                remove_keep_tail(el)
                removed += 1
    return removed


# ---------------------------------------------------------------------------
# Stage 3: annotate + prune
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class Annotation:
    """Result of the one annotate pass over the body."""

    stats: dict  # element -> [TEXT, LINK, PCOUNT, COMMAS, INDEX, LAST, FLAGS] (a dict, or
    #              cleaning._speedups.ElementStats read the same way: [] and .get)
    paragraphs: list  # elements credited by readability scoring (p, pre, td, text divs)
    junk: list  # junk candidates in document order
    anchors: list  # (kind rank, element): itemprop=articleBody, content class, article, main
    teasers: int  # linked headings + <article> elements
    teaser_heads: list  # the linked headings (h2-h4), in document order
    labels: list  # (owner, is_tail, text) of text nodes that may be prev/next labels
    skipped: list  # never-content elements whose subtree was not walked


def element_verdict(tag: str, attrs: dict[str, str]) -> tuple[int, int]:
    """(verdict, anchor rank) of one element from its tag and attributes.

    Anchor rank: 1 itemprop=articleBody, 2 content class token, 3 <article>, 4 <main>, 0 none.

    >>> element_verdict("div", {"class": "entry-content"})
    (2, 2)
    >>> element_verdict("div", {"style": "display: none"})
    (3, 0)
    >>> element_verdict("article", {})
    (0, 3)
    """
    if tag in rules.SKIP_TAGS:
        return JUNK, 0
    if not attrs:
        if tag == "article":
            return NEUTRAL, 3
        if tag == "main":
            return NEUTRAL, 4
        return (JUNK if tag in rules.GUARDED_SKIP_TAGS else NEUTRAL), 0
    itemprop = attrs.get("itemprop")
    if itemprop and itemprop.lower() in rules.CONTENT_ITEMPROPS:
        return CONTENT, 1
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return HIDDEN, 0
    style = attrs.get("style")
    if style and rules.HIDDEN_STYLE_RE.search(style):
        return HIDDEN, 0
    if is_hidden_class(attrs.get("class") or ""):
        return TOGGLED, 0
    role = attrs.get("role")
    if role and role.lower() in rules.JUNK_ROLES:
        return JUNK, 0
    if itemprop and itemprop.lower() in rules.JUNK_ITEMPROPS:
        return JUNK, 0
    cls = attrs.get("class") or ""
    return named_verdict(tag, cls, classify_attrs(cls), classify_words(attrs.get("id") or ""),
                         role)


def named_verdict(tag: str, cls: str, cls_verdict: int, id_verdict: int,
                  role: str | None = None) -> tuple[int, int]:
    """The class/id part of :func:`element_verdict` (its other attributes are neutral).

    >>> named_verdict("header", "entry-header", NEUTRAL, NEUTRAL), named_verdict("header", "", 0, 0)
    ((0, 0), (1, 0))
    """
    if CONTENT in (cls_verdict, id_verdict):
        return CONTENT, 2
    verdict = JUNK if JUNK in (cls_verdict, id_verdict) else NEUTRAL
    if tag == "article":
        return verdict, 3
    if tag == "main" or role == "main":
        return verdict, 4
    if verdict == NEUTRAL and tag in rules.GUARDED_SKIP_TAGS:
        if tag == "header" and cls and not attr_words(cls).isdisjoint(rules.POSITIVE_WORDS):
            return NEUTRAL, 0  # entry-header / article-header: title, lead, byline
        return JUNK, 0
    return verdict, 0


@lru_cache(maxsize=4096)
def is_hidden_class(cls: str) -> bool:
    """True when a class string hides its element for every screen size (utility classes).

    >>> is_hidden_class("w-richtext hide"), is_hidden_class("hide medium-show")
    (True, False)
    >>> is_hidden_class("d-none d-md-block"), is_hidden_class("hide-on-mobile")
    (False, False)
    """
    tokens = cls.lower().split()
    if rules.HIDDEN_CLASS_TOKENS.isdisjoint(tokens):
        return False
    return not any(rules.SHOWN_CLASS_RE.search(t) for t in tokens
                   if t not in rules.HIDDEN_CLASS_TOKENS)


@lru_cache(maxsize=1024)
def bare_verdict(tag: str) -> tuple[int, int]:
    """:func:`element_verdict` of a tag without attributes (cached per tag).

    >>> bare_verdict("main"), bare_verdict("p")
    ((0, 4), (0, 0))
    """
    return element_verdict(tag, {})


@lru_cache(maxsize=16384)
def class_verdict(tag: str, cls: str) -> tuple[int, int]:
    """:func:`element_verdict` of a tag whose only attribute is ``class`` (cached).

    >>> class_verdict("div", "entry-content"), class_verdict("nav", "menu")
    ((2, 2), (1, 0))
    """
    return element_verdict(tag, {"class": cls})


# The attributes element_verdict reads; the others cannot change an element's verdict.
VERDICT_ATTRIBUTES = frozenset({"itemprop", "hidden", "aria-hidden", "style", "role", "class",
                                "id"})


@lru_cache(maxsize=16384)
def cached_verdict(tag: str, items: tuple[tuple[str, str], ...]) -> tuple[int, int]:
    """:func:`element_verdict` from the VERDICT_ATTRIBUTES items of an element (cached).

    >>> cached_verdict("td", ()) == element_verdict("td", {"width": "50%", "data-x": "1"})
    True
    >>> cached_verdict("div", (("id", "main-content"), ("style", "color: red")))
    (2, 2)
    """
    return element_verdict(tag, dict(items))


def items_verdict(tag: str, items: list[tuple[str, str]]) -> tuple[int, int]:
    """:func:`element_verdict` from an element's ``items()``, cached where caching pays: ids
    are nearly unique, so an element with an id is judged directly (its class through the
    class cache) instead of missing a cache keyed by every attribute.

    >>> items_verdict("div", [("id", "post-123"), ("class", "entry-content"), ("data-x", "1")])
    (2, 2)
    >>> items_verdict("div", [("style", "display:none"), ("id", "x")]) == (HIDDEN, 0)
    True
    """
    cls = ident = None
    for name, value in items:
        if name == "class":
            cls = value
        elif name == "id":
            ident = value
        elif name in VERDICT_ATTRIBUTES:  # style, role, itemprop, hidden: rare, cache by all
            return cached_verdict(tag, tuple([kv for kv in items if kv[0] in VERDICT_ATTRIBUTES]))
    if ident is None:
        return bare_verdict(tag) if cls is None else class_verdict(tag, cls)
    return element_verdict(tag, {"class": cls or "", "id": ident})  # uncached: ids are unique


def annotate(body: etree._Element, skip_chrome: bool = True) -> Annotation:
    """One iterwalk over the body computing the counters of every element.

    Subtrees of never-content tags (nav, aside, button, select, ...) are not walked
    (``skip_chrome``): they are junk with zero counters. If one of them turns out to hold most
    of the page's text (broken markup: an unclosed <button> around everything), the walk is
    redone without skipping, so the guard in :func:`prune_junk` can keep it.
    """
    ann = walk_annotate(body, skip_chrome)
    if ann.skipped and skipped_hold_most_text(body, ann):
        return walk_annotate(body, False)
    return ann


def text_length(el: etree._Element) -> int:
    """``len(text_of(el))``, counted in C without making the string when cleaning._speedups is
    built.

    >>> text_length(etree.fromstring("<p>a<b>bé</b>c</p>"))
    4
    """
    if _SPEEDUPS is None:
        return len(text_of(el))
    return _SPEEDUPS.text_length(el)


def skipped_hold_most_text(body: etree._Element, ann: Annotation) -> bool:
    """True when one skipped element holds more than half of the body's characters.

    The walked text plus the skipped elements' text is a lower bound of the body's length
    (stripped text nodes, disjoint subtrees): the body is measured only when the bound does
    not settle the question.
    """
    sizes = [text_length(el) for el in ann.skipped]
    largest = max(sizes)
    if largest <= 0.5 * (ann.stats[body][TEXT] + sum(sizes)):
        return False
    return largest > 0.5 * text_length(body)


# Tag properties the annotate walk tests, as bits of one dict lookup per element (instead of
# several set tests on every start and end event).
TAG_SKIP, TAG_BLOCK, TAG_NO_VERDICT, TAG_ARTICLE, TAG_LINK, TAG_PARA, TAG_SCORED, TAG_TEASER = (
    1 << i for i in range(8))


@lru_cache(maxsize=2)
def walk_tag_bits(skip_chrome: bool) -> dict[str, int]:
    """Per-tag bits of :func:`walk_annotate` (TAG_SKIP only when chrome is skipped).

    >>> bits = walk_tag_bits(True)
    >>> bits["nav"] & TAG_SKIP > 0, bits["p"] & TAG_SCORED > 0, bits["br"] & TAG_BLOCK
    (True, True, 0)
    """
    groups = (
        (rules.SKIP_TAGS if skip_chrome else (), TAG_SKIP),
        (rules.BLOCK_TAGS - {"br"}, TAG_BLOCK),  # a block child stops a text div being scored
        (NO_VERDICT_TAGS, TAG_NO_VERDICT),
        (("article", "main"), TAG_ARTICLE),
        (("a",), TAG_LINK),
        (("p",), TAG_PARA),
        (rules.SCORED_TAGS | TEXT_DIV_TAGS, TAG_SCORED),
        (("h2", "h3", "h4"), TAG_TEASER),
    )
    bits: dict[str, int] = {}
    for tags, bit in groups:
        for tag in tags:
            bits[tag] = bits.get(tag, 0) | bit
    return bits


def has_label_hint(text: str) -> bool:
    """:func:`has_label_keyword` with the common answers found by ``in`` (no regex call).

    >>> has_label_hint("Next: a"), has_label_hint("上一篇"), has_label_hint("上海"), has_label_hint("x")
    (True, True, False, False)
    """
    if ":" in text or "：" in text:
        return True
    return ("上" in text or "下" in text) and rules.LABEL_HINT_RE.search(text) is not None


WALK_LAYOUT = (TEXT, LINK, PCOUNT, INDEX, LAST, FLAGS,
               HAS_BLOCK_CHILD, HAS_ANCHOR, IS_JUNK, IS_HIDDEN, IS_TOGGLED,
               NEUTRAL, JUNK, CONTENT, HIDDEN, TOGGLED,
               TAG_SKIP, TAG_BLOCK, TAG_NO_VERDICT, TAG_ARTICLE, TAG_LINK, TAG_PARA, TAG_SCORED,
               TAG_TEASER, MIN_PARAGRAPH, LABEL_MAX_CHARS)


def compiled_walks():
    """cleaning._speedups (cleaning.compiled.load_speedups: built from these sources) when it
    was built for these constants, else None."""
    _speedups = load_speedups()
    if _speedups is None:
        return None
    if (_speedups.LAYOUT != WALK_LAYOUT or _speedups.RENDER_LAYOUT != RENDER_LAYOUT
            or _speedups.COMMA_CODES != tuple(map(ord, COMMA_CHARS))):
        return None
    return _speedups




def walk_annotate(body: etree._Element, skip_chrome: bool) -> Annotation:
    """The walk of :func:`annotate`: compiled when cleaning._speedups is built (same results,
    ~5x faster), else :func:`walk_annotate_py`."""
    if _SPEEDUPS is None:
        return walk_annotate_py(body, skip_chrome)
    return Annotation(*_SPEEDUPS.walk_annotate(body, skip_chrome, walk_tag_bits(skip_chrome),
                                             _VERDICT_RULES, bare_verdict, items_verdict,
                                             has_label_hint))


def walk_annotate_py(body: etree._Element, skip_chrome: bool) -> Annotation:
    """The iterwalk of :func:`annotate` (the hot loop of extraction: one dict lookup of tag
    bits per element, the bits kept on the stack for the end event)."""
    stats: dict = {}
    skipped: list = []
    paragraphs: list = []
    junk: list = []
    anchors: list = []
    teasers = 0
    teaser_heads: list = []
    labels: list = []
    article_depth = 0  # open <article>/<main> elements around the current one
    stack: list = []  # counters of the open elements
    bits_stack: list = []  # their tag bits
    index = 0
    tag_bits = walk_tag_bits(skip_chrome).get
    walker = etree.iterwalk(body, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            tag = el.tag
            if not isinstance(tag, str):
                tag = ""
            bits = tag_bits(tag, 0)
            s = [0, 0, 0, 0, index, index, 0]
            index += 1
            stats[el] = s
            if stack:
                if bits & TAG_BLOCK:
                    stack[-1][FLAGS] |= HAS_BLOCK_CHILD
                if bits & TAG_SKIP:  # never content: counters stay zero, subtree not walked
                    junk.append(el)
                    skipped.append(el)
                    stack.append(s)
                    bits_stack.append(0)
                    walker.skip_subtree()
                    continue
            text = el.text
            if text:
                n = len(text.strip())
                if n:
                    s[TEXT] = n
                    if n < LABEL_MAX_CHARS and has_label_hint(text):
                        labels.append((el, False, text))
            if bits & TAG_NO_VERDICT:
                verdict = rank = 0
            else:
                names = el.keys()  # cheaper than items(): no attribute values decoded
                if not names:
                    verdict, rank = bare_verdict(tag)
                elif len(names) == 1 and names[0] == "class":  # the common case: cached
                    verdict, rank = class_verdict(tag, el.get("class"))
                else:
                    verdict, rank = items_verdict(tag, el.items())
                if verdict == JUNK:
                    if article_depth and tag == "header":
                        verdict = NEUTRAL  # an article's own header (title, lead), not the site's
                elif verdict > CONTENT:  # HIDDEN or TOGGLED: decided by prune_junk
                    s[FLAGS] |= IS_HIDDEN if verdict == HIDDEN else IS_TOGGLED
                    junk.append(el)
                    verdict = NEUTRAL
                if verdict == JUNK:
                    junk.append(el)
                    s[FLAGS] |= IS_JUNK
                if rank:
                    anchors.append((rank, el))
                    for open_s in stack:
                        open_s[FLAGS] |= HAS_ANCHOR
                    s[FLAGS] |= HAS_ANCHOR
            if bits & TAG_ARTICLE:
                article_depth += 1
            stack.append(s)
            bits_stack.append(bits)
        else:
            s = stack.pop()
            bits = bits_stack.pop()
            s[LAST] = index - 1
            if bits:
                if bits & TAG_ARTICLE:
                    article_depth -= 1
                if bits & TAG_LINK:
                    s[LINK] = s[TEXT]
                elif bits & TAG_PARA:
                    s[PCOUNT] += 1
                if bits & TAG_SCORED:
                    if not s[FLAGS] & HAS_BLOCK_CHILD and s[TEXT] >= MIN_PARAGRAPH:
                        paragraphs.append(el)
                elif bits & TAG_TEASER and s[TEXT] > 10 and s[LINK] >= 0.6 * s[TEXT]:
                    teasers += 1
                    teaser_heads.append(el)
            if stack:
                parent = stack[-1]
                if s[TEXT]:  # LINK <= TEXT: nothing to add from an element without text
                    parent[TEXT] += s[TEXT]
                    parent[LINK] += s[LINK]
                if s[PCOUNT]:
                    parent[PCOUNT] += s[PCOUNT]
                tail = el.tail
                if tail:
                    n = len(tail.strip())
                    if n:
                        parent[TEXT] += n
                        if n < LABEL_MAX_CHARS and has_label_hint(tail):
                            labels.append((el, True, tail))
    return Annotation(stats, paragraphs, junk, anchors, teasers, teaser_heads, labels, skipped)


def prune_junk(body: etree._Element, ann: Annotation) -> list[tuple[int, int]]:
    """Remove junk candidates that do not hold most of the page's text or a content anchor.

    Ancestors' counters are reduced by what was removed. Returns the removed index ranges. The
    loop is compiled when ``ann.stats`` is the compiled walk's ElementStats (same ranges).
    """
    stats = ann.stats
    page = stats[body]
    page_good = max(page[TEXT] - page[LINK], 1)
    anchored_junk_is_content = anchored_junk_text(ann, page_good) > KEEP_JUNK_SHARE * page_good
    if isinstance(stats, dict):
        return prune_junk_py(ann, page_good, anchored_junk_is_content)
    return _SPEEDUPS.prune_junk(stats, ann.junk, page_good, KEEP_JUNK_SHARE, ANCHORED_JUNK_SHARE,
                                anchored_junk_is_content, is_hidden_or_dialog, inside_junk,
                                remove_keep_tail)


def prune_junk_py(ann: Annotation, page_good: int,
                  anchored_junk_is_content: bool) -> list[tuple[int, int]]:
    """The loop of :func:`prune_junk` over the junk candidates, in document order."""
    stats = ann.stats
    removed: list[tuple[int, int]] = []
    skip_until = -1
    for el in ann.junk:
        s = stats[el]
        if s[INDEX] <= skip_until:
            continue  # inside an element already removed
        flags = s[FLAGS]
        if flags & (IS_HIDDEN | IS_TOGGLED):
            if flags & IS_TOGGLED and not inside_junk(el, stats):
                continue  # "show all" items, tabs, accordions of the page: content
            # hidden, or toggled inside junk (full texts of related cards, for a script):
            # never protected by a content anchor inside
        elif flags & HAS_ANCHOR and not is_hidden_or_dialog(el) and (
                anchored_junk_is_content or s[TEXT] - s[LINK] > ANCHORED_JUNK_SHARE * page_good):
            continue  # wraps an articleBody / content / <article> / <main> anchor
        if s[TEXT] - s[LINK] > KEEP_JUNK_SHARE * page_good:
            continue  # holds much of the page: a layout wrapper with an unlucky name
        parent = el.getparent()
        if parent is None:
            continue
        for anc in el.iterancestors():  # their counters no longer hold what is removed
            a = stats.get(anc)
            if a is None:
                break
            a[TEXT] -= s[TEXT]
            a[LINK] -= s[LINK]
            a[PCOUNT] -= s[PCOUNT]
        remove_keep_tail(el)
        removed.append((s[INDEX], s[LAST]))
        skip_until = s[LAST]
    return removed


def is_hidden_or_dialog(el: etree._Element) -> bool:
    """Hidden (hidden, aria-hidden, display:none) or a dialog/modal by role: junk whatever
    anchor it wraps (a hidden copy of the article, a sign-in modal).

    >>> from lxml.html import fragment_fromstring as f
    >>> is_hidden_or_dialog(f("<div style='display:none'>x</div>")), is_hidden_or_dialog(f("<div>x</div>"))
    (True, False)
    """
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    if style and rules.HIDDEN_STYLE_RE.search(style):
        return True
    return (el.get("role") or "").lower() in ("dialog", "alertdialog")


def anchored_junk_text(ann: Annotation, page_good: int) -> int:
    """Good text of the outermost junk-named elements that wrap a content anchor (layout
    wrappers holding most of the page aside). When they hold most of the page (forum posts in
    "comment" wrappers) they are the content; when not (an author box or comment list around a
    "content" class) they are junk after all. Compiled with the walk's ElementStats."""
    if isinstance(ann.stats, dict):
        return anchored_junk_text_py(ann, page_good)
    return _SPEEDUPS.anchored_junk_text(ann.stats, ann.junk, page_good, KEEP_JUNK_SHARE,
                                        is_hidden_or_dialog)


def anchored_junk_text_py(ann: Annotation, page_good: int) -> int:
    """:func:`anchored_junk_text` over a dict of counters."""
    stats = ann.stats
    total = 0
    skip_until = -1
    for el in ann.junk:
        s = stats[el]
        if s[INDEX] <= skip_until or s[FLAGS] & IS_JUNK_ANCHORED != IS_JUNK_ANCHORED \
                or is_hidden_or_dialog(el):
            continue
        good = s[TEXT] - s[LINK]
        if good > KEEP_JUNK_SHARE * page_good:
            continue  # a wrapper with an unlucky name: look inside
        total += good
        skip_until = s[LAST]
    return total


def inside_junk(el: etree._Element, stats: dict) -> bool:
    """True when a junk-named element that was kept (prune_junk goes in document order) holds
    ``el``."""
    for anc in el.iterancestors():
        a = stats.get(anc)
        if a is None:
            return False
        if a[FLAGS] & IS_JUNK:
            return True
    return False


def is_removed(index: int, starts: list[int], removed: list[tuple[int, int]]) -> bool:
    """True when an element index falls inside one of the removed (sorted) ranges.

    >>> is_removed(5, [2, 10], [(2, 6), (10, 12)]), is_removed(8, [2, 10], [(2, 6), (10, 12)])
    (True, False)
    """
    pos = bisect_right(starts, index) - 1
    return pos >= 0 and removed[pos][0] <= index <= removed[pos][1]


# ---------------------------------------------------------------------------
# Stage 4: candidates
# ---------------------------------------------------------------------------


def link_density(s: list) -> float:
    """Share of an element's text inside links."""
    return s[LINK] / s[TEXT] if s[TEXT] > 0 else 0.0


def score_candidates(body: etree._Element, ann: Annotation,
                     removed: list[tuple[int, int]]) -> tuple[dict, dict]:
    """:func:`score_candidates_py`, compiled when cleaning._speedups is built (the same floats,
    read the same way: ``[]``, ``.get``; :func:`best_candidate` picks the best of either)."""
    if _SPEEDUPS is not None and not isinstance(ann.stats, dict):
        found = _SPEEDUPS.score_candidates(body, ann.paragraphs, ann.stats, removed,
                                           initial_score)
        if found is not None:
            return found
    return score_candidates_py(body, ann, removed)


def score_candidates_py(body: etree._Element, ann: Annotation,
                        removed: list[tuple[int, int]]) -> tuple[dict, dict]:
    """Readability scores of the ancestors of every scored paragraph (x (1 - link density)),
    and the undecayed paragraph mass of every ancestor up to the body."""
    stats = ann.stats
    starts = [r[0] for r in removed]
    scores: dict = {}
    mass: dict = {}
    chains: dict = {}
    for el in ann.paragraphs:
        s = stats[el]
        if removed and is_removed(s[INDEX], starts, removed):
            continue
        n = s[TEXT] - s[LINK]
        if n < MIN_PARAGRAPH:
            continue
        inner = 1 + comma_count(el) + min(n / 100, 3)  # commas only where scored
        parent = el.getparent()
        chain = chains.get(parent)
        if chain is None:  # sibling paragraphs share their ancestors: climb once per parent
            chain = chains[parent] = ancestor_chain(parent, body)
        for level, node in enumerate(chain[:5]):
            if node not in scores:
                scores[node] = initial_score(node.tag if isinstance(node.tag, str) else "",
                                             attr_string(node))
            scores[node] += inner / (1 if level == 0 else 2 if level == 1 else level * 3)
        for node in chain:
            mass[node] = mass.get(node, 0.0) + inner
    for el in scores:
        scores[el] *= 1 - link_density(stats[el])
    return scores, mass


@lru_cache(maxsize=16384)
def initial_score(tag: str, attrs: str) -> int:
    """Readability's starting score of a candidate: its tag's and its class/id's weights
    (cached: one lookup per scored element instead of two calls).

    >>> initial_score("div", "post-body"), initial_score("h2", "")
    (30, -5)
    """
    return tag_weight(tag) + class_weight(attrs)


def best_candidate(scores) -> etree._Element | None:
    """The highest-scored element of :func:`score_candidates`, the first scored on ties (as
    ``max`` keeps the first); None when nothing was scored."""
    if not isinstance(scores, dict):  # the compiled form's NodeValues
        return scores.best()
    return max(scores, key=scores.__getitem__) if scores else None


def ancestor_chain(node: etree._Element | None, body: etree._Element) -> list[etree._Element]:
    """``node`` and its ancestors, nearest first, up to and including ``body``.

    >>> root = etree.fromstring("<body><div><p>x</p></div></body>")
    >>> [el.tag for el in ancestor_chain(root[0][0], root)]
    ['p', 'div', 'body']
    """
    chain = []
    while node is not None:
        chain.append(node)
        if node is body:
            break
        node = node.getparent()
    return chain


def grow_to_mass(best: etree._Element, body: etree._Element, mass: dict, stats: dict,
                 start: float, share: float = MASS_SHARE) -> etree._Element:
    """When ``best`` holds less than ``start`` of the page's paragraph mass, climb to the first
    ancestor holding ``share`` of it at low link density (articles split over containers)."""
    total = mass.get(body, 0.0)
    if total <= 0 or mass.get(best, 0.0) >= start * total:
        return best
    node = best.getparent()
    while node is not None and node is not body:
        if mass.get(node, 0.0) >= share * total:
            return node if link_density(stats[node]) <= MAX_GROW_LINK_DENSITY else best
        node = node.getparent()
    return best


def good_text(s: list) -> int:
    """Text outside links."""
    return s[TEXT] - s[LINK]


def is_inside(el: etree._Element, container: etree._Element, stats: dict) -> bool:
    """True when ``el`` is ``container`` or one of its descendants (index ranges)."""
    s, c = stats[el], stats[container]
    return c[INDEX] <= s[INDEX] <= c[LAST]


def pick_anchor(ann: Annotation, removed: list[tuple[int, int]]) -> etree._Element | None:
    """Best semantic anchor: the highest-ranked kind present, the one with most good text."""
    stats = ann.stats
    starts = [r[0] for r in removed]
    best: etree._Element | None = None
    best_key = (9, 0)
    for rank, el in ann.anchors:
        s = stats[el]
        if removed and is_removed(s[INDEX], starts, removed):
            continue
        good = good_text(s)
        if good < 100 or link_density(s) > 0.5:
            continue
        key = (rank, -good)
        if key < best_key:
            best, best_key = el, key
    return best


def merge_siblings(best: etree._Element, scores: dict, stats: dict) -> list[etree._Element]:
    """The best node plus siblings that look like more of the same article (readability)."""
    parent = best.getparent()
    if parent is None:
        return [best]
    best_score = scores.get(best, 0.0)
    threshold = max(10.0, best_score * 0.2)
    best_class = best.get("class") or ""
    region = []
    for sib in parent:
        if sib is best:
            region.append(sib)
            continue
        s = stats.get(sib)
        if s is None or not isinstance(sib.tag, str):
            continue
        score = scores.get(sib, 0.0)
        if best_class and sib.get("class") == best_class and sib.tag == best.tag:
            score += best_score * 0.2
        ld = link_density(s)
        if score >= threshold and ld < 0.33:
            region.append(sib)
        elif sib.tag == "p" and good_text(s) > 80 and ld < 0.25:
            region.append(sib)
        elif sib.tag == "p" and s[TEXT] > 0 and s[LINK] == 0:
            text = element_text(sib)
            if text.endswith(SENTENCE_END):
                region.append(sib)
    return region


def is_lead(el: etree._Element, s: list) -> bool:
    """A standfirst: lead/intro/summary class, a sentence or three, few links."""
    attrs = attr_string(el)
    return bool(attrs) and LEAD_MIN_CHARS <= good_text(s) <= LEAD_MAX_CHARS \
        and link_density(s) < 0.3 and classify_attrs(attrs) != JUNK \
        and not attr_words(attrs).isdisjoint(rules.LEAD_WORDS)


def find_lead(first: etree._Element, body: etree._Element, stats: dict,
              max_levels: int = 3, max_siblings: int = 6) -> etree._Element | None:
    """A standfirst/lead/intro element just above the region (a previous sibling of the region
    or of one of its first ancestors), recognised by its class/id."""
    node = first
    for _ in range(max_levels):
        sib = node.getprevious()
        steps = 0
        while sib is not None and steps < max_siblings:
            s = stats.get(sib)
            if s is not None and isinstance(sib.tag, str):
                if is_lead(sib, s):
                    return sib
                if s[TEXT] <= LEAD_SEARCH_MAX_CHARS:  # a small header block: look inside
                    for inner in sib.iterdescendants():
                        inner_s = stats.get(inner)
                        if inner_s is not None and is_lead(inner, inner_s):
                            return inner
            sib = sib.getprevious()
            steps += 1
        node = node.getparent()
        if node is None or node is body:
            break
    return None


def choose_region(body: etree._Element, ann: Annotation,
                  removed: list[tuple[int, int]]) -> tuple[list[etree._Element], str]:
    """Pick the main region (anchor or readability candidate), with a lead found just above."""
    region, method = choose_main_region(body, ann, removed)
    if region and region[0] is not body:
        lead = find_lead(region[0], body, ann.stats)
        if lead is not None:
            region = [lead, *region]
    return region, method


def choose_main_region(body: etree._Element, ann: Annotation,
                       removed: list[tuple[int, int]]) -> tuple[list[etree._Element], str]:
    """Pick the main region from the anchor and the readability candidate."""
    stats = ann.stats
    scores, mass = score_candidates(body, ann, removed)
    anchor = pick_anchor(ann, removed)
    best = best_candidate(scores)
    if best is None:
        return ([anchor], "anchor") if anchor is not None else ([body], "body")
    grown = grow_to_mass(best, body, mass, stats, start=MASS_SHARE)
    region = [grown] if grown is not best else merge_siblings(best, scores, stats)
    chosen, method = pick_region(region, anchor, best, stats)
    if len(chosen) == 1 and chosen[0] is anchor:
        grown = grow_to_mass(anchor, body, mass, stats, start=ANCHOR_GROW_START)
        if grown is not anchor:
            return [grown], "grown"
    return chosen, method


def pick_region(region: list[etree._Element], anchor: etree._Element | None,
                best: etree._Element, stats: dict) -> tuple[list[etree._Element], str]:
    """Choose between the readability region and the semantic anchor."""
    region_good = sum(good_text(stats[el]) for el in region)
    if anchor is None:
        return region, "score"
    a = stats[anchor]
    anchor_good = good_text(a)
    if len(region) == 1:
        best = region[0]  # the scored node, possibly grown to its paragraph mass
    if is_inside(best, anchor, stats):
        # Readability found a node inside the anchor: the anchor adds split segments/leads.
        if link_density(a) <= 0.35 or region_good < 0.5 * anchor_good:
            return [anchor], "merged"
        return region, "score"
    if is_inside(anchor, best, stats):
        # The anchor is tighter: keep it when it holds most of the scored text.
        if anchor_good >= ANCHOR_TIGHT_SHARE * region_good:
            return [anchor], "merged"
        return region, "score"
    # Disjoint: more good text at lower link density wins.
    if anchor_good * (1 - link_density(a)) >= region_good:
        return [anchor], "anchor"
    return region, "score"


# ---------------------------------------------------------------------------
# Stage 5: read out + shrink
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class Block:
    """One text block of the region."""

    text: str
    kind: str  # tag of the innermost block element (p, h2, li, tr, pre, ...)
    link_chars: int

    @property
    def is_heading(self) -> bool:
        return self.kind in rules.HEADING_TAGS


def flush_block(parts: list[str], kind: str, link_chars: int, blocks: list[Block]) -> None:
    """Turn collected fragments into a Block (whitespace normalised per line, pre verbatim)."""
    if not parts:
        return
    raw = "".join(parts)
    parts.clear()
    if raw.isspace():  # whitespace between block tags: no block (most calls)
        return
    if kind == "pre":
        text = raw.strip("\n")
        if text.strip():
            blocks.append(Block(text, kind, link_chars))
        return
    if "\n" not in raw:  # the common case: one line
        text = " ".join(raw.split())
        if kind == "tr":
            text = text.strip(" |")
        if text:
            blocks.append(Block(text, kind, link_chars))
        return
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    if kind == "tr":  # cells joined with " | ": drop empty cells at the edges, empty rows
        lines = [line.strip(" |") for line in lines]
    text = "\n".join([line for line in lines if line])
    if text:
        blocks.append(Block(text, kind, link_chars))


# What render_blocks does at an element's start and end (one dict lookup per event).
RENDER_BLOCK, RENDER_PRE, RENDER_BR, RENDER_CELL, RENDER_LINK = 1, 2, 3, 4, 5
RENDER_KINDS = {**{tag: RENDER_BLOCK for tag in rules.BLOCK_TAGS}, "pre": RENDER_PRE,
                "br": RENDER_BR, "td": RENDER_CELL, "th": RENDER_CELL, "a": RENDER_LINK}
RENDER_LAYOUT = (RENDER_BLOCK, RENDER_PRE, RENDER_BR, RENDER_CELL, RENDER_LINK)


def render_blocks(elements: Iterable[etree._Element]) -> list[Block]:
    """Read elements out as text blocks in document order (one walk per element): compiled
    when cleaning._speedups is built (same blocks), else :func:`render_blocks_py`."""
    if _SPEEDUPS is None:
        return render_blocks_py(elements)
    return _SPEEDUPS.render_blocks(list(elements), RENDER_KINDS, flush_block, Block, [])


def render_blocks_py(elements: Iterable[etree._Element]) -> list[Block]:
    """Read elements out as text blocks in document order (one walk per element)."""
    blocks: list[Block] = []
    kind_of = RENDER_KINDS.get
    for top in elements:
        parts: list[str] = []
        kinds: list[str] = [top.tag if isinstance(top.tag, str) else "div"]
        open_kinds: list[int] = []  # RENDER_KINDS value of every open element
        link_depth = 0
        link_chars = 0
        for event, el in etree.iterwalk(top, events=("start", "end")):
            if event == "start":
                tag = el.tag
                kind = kind_of(tag, 0)  # comments/PIs (non-str tags) get 0 like unknown tags
                open_kinds.append(kind)
                if kind:
                    if kind <= RENDER_PRE:
                        if parts:
                            if len(parts) == 1 and parts[0].isspace():
                                parts.clear()  # indentation between block tags (most flushes)
                            else:
                                flush_block(parts, kinds[-1], link_chars, blocks)
                        link_chars = 0
                        kinds.append(tag)
                    elif kind == RENDER_BR:
                        parts.append("\n")
                    elif kind == RENDER_LINK:
                        link_depth += 1
                    elif parts and "".join(parts).strip():  # a cell after text
                        parts.append(" | ")
                text = el.text
                if text:
                    parts.append(text)
                    if link_depth:
                        link_chars += len(text.strip())
            else:
                kind = open_kinds.pop()
                if kind:
                    if kind <= RENDER_PRE:
                        if parts:
                            if len(parts) == 1 and parts[0].isspace():
                                parts.clear()  # as above: flush_block would make no block
                            else:
                                flush_block(parts, kinds[-1], link_chars, blocks)
                        link_chars = 0
                        if len(kinds) > 1:
                            kinds.pop()
                    elif kind == RENDER_LINK:
                        link_depth -= 1
                    elif kind == RENDER_CELL:
                        parts.append(" ")
                if el is not top:
                    tail = el.tail
                    if tail:
                        parts.append(tail)
                        if link_depth:
                            link_chars += len(tail.strip())
        flush_block(parts, kinds[-1], link_chars, blocks)
    return blocks


def points_off_site(href: str, page_url: str, page_site: str) -> bool:
    """True when a link leaves the page's site, or is an in-page anchor (a permalink).

    >>> points_off_site("https://shop.example.net/item", "https://blog.example.com/p", "example.com")
    True
    >>> points_off_site("/guides/other-post", "https://blog.example.com/p", "example.com")
    False
    """
    href = href.strip()
    if href.startswith("#"):
        return True
    if not href or href.startswith(("javascript:", "mailto:")):
        return False
    return site_key(urljoin(page_url, href)) != page_site


def unlink_offsite_headings(region: Iterable[etree._Element], page_url: str) -> None:
    """Headings whose links all leave the site (a listicle's product or blog entries, anchored
    section titles) are read as plain text; teaser headings of the site's own pages stay links.
    """
    page_site = site_key(page_url) if page_url else ""
    if not page_site:
        return
    for heading in headings_with_links(region):
        links = list(heading.iter("a"))  # (none left when an enclosing heading lost them)
        if links and all(points_off_site(a.get("href") or "", page_url, page_site)
                         for a in links):
            etree.strip_tags(heading, "a")


_HEADING_NAMES = tuple(sorted(name.encode("ascii") for name in rules.HEADING_TAGS))


def headings_with_links(region: Iterable[etree._Element]) -> list[etree._Element]:
    """The headings of the region (tops included) that hold a link, in document order;
    compiled: no proxy for the other headings and elements.

    >>> root = etree.fromstring("<div><h2>x</h2><h3><a href='/a'>y</a></h3></div>")
    >>> [h.tag for h in headings_with_links([root])]
    ['h3']
    """
    if _SPEEDUPS is not None:
        return _SPEEDUPS.elements_holding(list(region), _HEADING_NAMES, b"a")
    return [heading for top in region for heading in top.iter(*rules.HEADING_TAGS)
            if next(heading.iter("a"), None) is not None]


def is_link_block(block: Block, keep_linked_headings: bool = False) -> bool:
    """A block that is mostly link text (menus, related lists, tag clouds)."""
    n = len(block.text)
    if n == 0 or block.kind == "pre":
        return False
    ld = block.link_chars / n
    if block.is_heading:
        return not keep_linked_headings and ld > 0.8 and n < 120
    if n < 100:
        return ld > LINK_BLOCK_SHORT
    return ld > LINK_BLOCK_LONG


def is_read_more_button(block: Block) -> bool:
    """A linked "Read more" after a teaser or a listicle item (not a "Read more:" heading).

    >>> is_read_more_button(Block("Read more", "div", 9)), is_read_more_button(Block("Read more", "h2", 0))
    (True, False)
    """
    return block.link_chars >= 0.8 * len(block.text) \
        and rules.READ_MORE_BUTTON_RE.match(block.text) is not None


def strip_line_rules(block: Block, extra: tuple[re.Pattern[str], ...]) -> Block | None:
    """Drop boilerplate lines inside a block; None when nothing is left. Code is verbatim."""
    text = block.text
    if block.kind == "pre" or (len(text) > 2 * rules.MAX_BOILERPLATE_LINE
                               and "\n" not in text and not extra):
        return block
    if not extra:  # built-in rules only (almost every page): every line tested in one call
        cleaned = drop_rule_lines(text)
        if cleaned is text:
            return block
        return None if cleaned is None else Block(cleaned, block.kind, block.link_chars)
    lines = text.split("\n")
    kept = [line for line in lines if not is_boilerplate_line(line, extra)]
    if len(kept) == len(lines):
        return block
    if not kept:
        return None
    return Block("\n".join(kept), block.kind, block.link_chars)


def is_title_block(block: Block, title_key: str) -> bool:
    """True when a block repeats the page title."""
    if not title_key:
        return False
    key = comparable(block.text)
    if not key:
        return False
    return key == title_key or (len(key) >= 0.6 * len(title_key) and title_key.startswith(key)) \
        or (block.kind == "h1" and len(title_key) >= 0.6 * len(key) and key.startswith(title_key)) \
        or (block.kind == "h1" and len(key) >= 4 and title_key.startswith(key))  # "H1 - Site"


def filter_blocks(blocks: list[Block], title: str | None,
                  extra: tuple[re.Pattern[str], ...], listing: bool = False) -> list[Block]:
    """Shrink the region: link-dense blocks, line rules, end markers, title, duplicates."""
    total = sum(len(b.text) for b in blocks) or 1
    title_key = comparable(title) if title else ""
    kept: list[Block] = []
    kept_at: list[int] = []  # index in ``blocks`` of each kept block
    orphans: list[Block] = []  # labels whose link list / chrome was dropped
    seen: set[str] = set()
    so_far = 0
    prose_so_far = 0
    after_teaser_head = False  # the previous block was a dropped linked heading
    excerpts: set[int] = set()  # ...and these blocks followed one: a teaser's excerpt?
    skipping = False  # inside a "related / read more" section that may end before the article
    end_marker = rules.END_MARKER_RE.match
    markers_from = max(END_MARKER_MIN_SHARE * total, 200)  # text read before end markers count
    for i, block in enumerate(blocks):
        text = block.text
        if len(text) < 60 and end_marker(text):
            if so_far >= markers_from and not is_read_more_button(block):
                if rules.HARD_END_MARKER_RE.match(text):
                    break  # comments, references, author box...: the article is over
                skipping = True
                continue
            if prose_so_far >= HARD_END_MIN_PROSE and rules.HARD_END_MARKER_RE.match(text):
                break  # the region holds much chrome after the article, but this ends it
        if skipping:
            if not (block.link_chars == 0 and len(text) >= RESUME_PROSE_CHARS):
                continue
            skipping = False  # real prose again: the section was an inset
        if is_link_block(block, keep_linked_headings=listing):
            label = orphan_label(kept, kept_at, i)
            if label is not None:
                orphans.append(label)
            after_teaser_head = block.is_heading
            continue
        cleaned = strip_line_rules(block, extra)
        if cleaned is None:
            after_teaser_head = False  # a dropped line (a photo credit) between: not a teaser
            label = orphan_label(kept, kept_at, i)
            if label is not None:
                orphans.append(label)
            continue
        if len(kept) < MAX_TITLE_POSITION and so_far <= MAX_PRE_TITLE_CHARS \
                and is_title_block(cleaned, title_key):
            kept.clear()  # the title; what came before it is a label/breadcrumb/kicker
            kept_at.clear()
            orphans.clear()
            seen.clear()
            so_far = 0
            continue
        if len(cleaned.text) > 50:
            if cleaned.text in seen:
                continue
            seen.add(cleaned.text)
        if after_teaser_head and len(cleaned.text) <= TEASER_EXCERPT_CHARS:
            excerpts.add(id(cleaned))
        after_teaser_head = False
        kept.append(cleaned)
        kept_at.append(i)
        so_far += len(cleaned.text)
        if prose_so_far < HARD_END_MIN_PROSE and is_prose(cleaned):
            prose_so_far += len(cleaned.text)
    kept = drop_orphan_labels(kept, orphans)
    if excerpts:
        kept = drop_trailing_teasers(kept, excerpts)
    return trim_edges(kept)


def is_label(block: Block) -> bool:
    """A short heading, or a line ending in a colon, that introduces what follows ("Related
    Coverage", "Weitere Informationen:"); numbered headings are items of a list, not labels.

    >>> is_label(Block("Weitere Informationen:", "p", 0)), is_label(Block("It rained:", "li", 0))
    (True, False)
    >>> is_label(Block("Related Coverage", "h3", 0)), is_label(Block("2. Coachella", "h3", 0))
    (True, False)
    >>> is_label(Block("Related Coverage", "p", 0)), is_label(Block("Background", "p", 0))
    (True, False)
    """
    text = block.text
    return len(text) < ORPHAN_LABEL_CHARS and block.link_chars == 0 and "\n" not in text \
        and (block.is_heading or text.endswith((":", "：")) or rules.END_MARKER_RE.match(text) is not None) \
        and block.kind not in LIST_KINDS and not text[0].isdigit()


def orphan_label(kept: list[Block], kept_at: list[int], dropped: int) -> Block | None:
    """The label kept just before block ``dropped``, which was removed as chrome (a
    related-links heading over a dropped link list), else None."""
    if kept and kept_at[-1] == dropped - 1 and is_label(kept[-1]):
        return kept[-1]
    return None


def drop_orphan_labels(kept: list[Block], orphans: list[Block]) -> list[Block]:
    """Remove the orphaned labels, unless there are many: then label + links is the page's
    repeated structure (product tiles, listings), not an inset."""
    if not orphans or len(orphans) > MAX_ORPHAN_LABELS:
        return kept
    ids = {id(b) for b in orphans}
    return [b for b in kept if id(b) not in ids]


def drop_trailing_teasers(blocks: list[Block], excerpts: set[int]) -> list[Block]:
    """Short blocks that followed a dropped linked heading, at the end of the text (with the
    headings and short lines between them), are teasers of other pages: calls to action,
    related posts."""
    end = len(blocks)
    while end > 0:
        b = blocks[end - 1]
        if id(b) in excerpts or b.is_heading or (len(b.text) < TRAIL_SHORT_CHARS and b.link_chars):
            end -= 1
        else:
            break
    if end < len(blocks) and any(id(b) in excerpts for b in blocks[end:]) \
            and any(is_prose(b) and id(b) not in excerpts for b in blocks[:end]):
        return blocks[:end]  # (a page of teasers only is a listing: left alone)
    return blocks


def is_prose(block: Block) -> bool:
    """A block that reads like article text: long enough, few links, not a heading."""
    return not block.is_heading and len(block.text) >= PROSE_MIN_CHARS \
        and block.link_chars < 0.3 * len(block.text)


def trim_edges(blocks: list[Block]) -> list[Block]:
    """Drop trailing chrome after the last prose block (short or linked lines, headings) and
    short unlinked-heading debris before the first one (kickers, dates, labels)."""
    if not any(is_prose(b) for b in blocks):
        return blocks
    end = len(blocks)
    while end > 0 and not is_prose(blocks[end - 1]):
        b = blocks[end - 1]
        if b.kind in LIST_KINDS or b.kind == "pre":
            break  # a closing list/table is content
        if not (b.is_heading or (len(b.text) < TRAIL_SHORT_CHARS and b.link_chars)):
            break
        end -= 1
    start = 0
    while start < end and not is_prose(blocks[start]) and not blocks[start].is_heading \
            and blocks[start].kind not in LIST_KINDS and len(blocks[start].text) < LEAD_SHORT_CHARS:
        start += 1
    return blocks[start:end]


def join_blocks(blocks: list[Block]) -> str:
    """Paragraphs separated by a blank line; consecutive list items / rows by one newline.

    >>> join_blocks([Block("a", "p", 0), Block("b", "li", 0), Block("c", "li", 0)])
    'a\\n\\nb\\nc'
    """
    out: list[str] = []
    prev_kind = ""
    for block in blocks:
        if out:
            out.append("\n" if block.kind in LIST_KINDS and prev_kind in LIST_KINDS else "\n\n")
        out.append(block.text)
        prev_kind = block.kind
    return "".join(out)


def count_excerpts(blocks: list[Block]) -> int:
    """Blocks cut short with an ellipsis, as listing pages show article excerpts.

    >>> count_excerpts([Block("Our branch has moved to a larger office. The ...", "p", 0)])
    1
    """
    return sum(1 for b in blocks if len(b.text) >= 40 and b.text.rstrip().endswith(EXCERPT_ENDS))


_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def prose_length(text: str) -> int:
    """Length with each CJK character counted three times (it carries a word's worth).

    >>> prose_length("abc"), prose_length("创新")
    (3, 6)
    """
    n = len(text)
    if n >= PARAGRAPH_MIN_CHARS:
        return n
    return n + 2 * len(_CJK_CHAR.findall(text))


def count_paragraphs(blocks: list[Block]) -> int:
    """Blocks that read like prose (>= 80 chars, CJK weighted, little link text)."""
    return sum(1 for b in blocks if b.link_chars < 0.3 * len(b.text)
               and prose_length(b.text) >= PARAGRAPH_MIN_CHARS)


def confidence_of(method: str, region_ld: float, chars: int, paragraphs: int) -> float:
    """A rough 0..1 confidence that the text is the page's article.

    >>> 0.0 <= confidence_of("merged", 0.1, 2000, 8) <= 1.0
    True
    """
    base = {"merged": 0.9, "anchor": 0.8, "grown": 0.7, "listing": 0.5, "score": 0.75, "fallback": 0.45, "body": 0.35}.get(
        method, 0.0)
    size = min(1.0, chars / 1500) * 0.7 + min(1.0, paragraphs / 4) * 0.3
    return max(0.0, min(1.0, base * (1 - region_ld) * (0.4 + 0.6 * size)))


def lowest_common_ancestor(a: etree._Element, b: etree._Element) -> etree._Element | None:
    """Deepest element containing both ``a`` and ``b``."""
    ancestors = {id(el): el for el in a.iterancestors()}
    ancestors[id(a)] = a
    node: etree._Element | None = b
    while node is not None:
        if id(node) in ancestors:
            return node
        node = node.getparent()
    return None


def listing_container(ann: Annotation, body: etree._Element) -> etree._Element | None:
    """The element holding a page's run of linked teaser headings, when there are enough."""
    heads = [h for h in ann.teaser_heads if h.getparent() is not None]
    if len(heads) < LISTING_MIN_TEASERS:
        return None
    container = lowest_common_ancestor(heads[0], heads[-1])
    if container is None or container is body:
        return None
    return container


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def release_in_reverse(stats: dict) -> None:
    """Drop the element proxies of ``stats`` last-inserted first (reverse document order).

    When an lxml proxy of a node in a removed (pruned) subtree dies, lxml scans that subtree
    in document order for another live proxy before it may free it. Dying in document order
    (how a dict is freed) makes each scan pass all the proxies already dead: quadratic in the
    size of the pruned subtrees, ~0.5 ms per page. In reverse order each scan stops at once.

    >>> stats = {1: "a", 2: "b"}; release_in_reverse(stats); stats
    {}
    """
    if not isinstance(stats, dict):  # the compiled walk's ElementStats keys no proxies
        stats.clear()
        return
    while stats:
        stats.popitem()  # LIFO


def extract_content(root: etree._Element | None, url: str, config: CleaningConfig,
                    title: str | None = None, scripts_left: bool = True,
                    noscripts: list[etree._Element] | None = None,
                    h1s: list[etree._Element] | None = None) -> Content:
    """Find the main content of a parsed page (mutates the tree). ``scripts_left=False``: the
    caller removed every ``<script>`` already (no walk of the tree to look for them).
    ``noscripts`` / ``h1s``: every ``<noscript>`` / ``<h1>`` of root in document order, when
    the caller found them (``ParsedPage``), else they are looked for here."""
    if root is None:
        return EMPTY_CONTENT
    body = root.find("body")
    if body is None:
        body = root
    if scripts_left:
        etree.strip_elements(root, "script", with_tail=False)
    resolve_noscript(body, noscripts if body is root or not noscripts
                     else [n for n in noscripts if is_descendant(n, body)])
    h1 = next(body.iter("h1"), None) if h1s is None \
        else next((h for h in h1s if is_descendant(h, body)), None)  # (not in a dropped noscript)
    heading_text = element_text(h1)[:200] if h1 is not None else ""
    if config.extra_drop_selectors:
        drop_selected(body, config.extra_drop_selectors)
    extra = compile_extra_patterns(tuple(config.extra_drop_line_patterns))

    ann = annotate(body)
    prev_link, next_link = find_prev_next(body, url, ann.labels)
    page = list(ann.stats[body])
    teasers = ann.teasers + sum(1 for rank, _ in ann.anchors if rank == 3)
    removed = prune_junk(body, ann)
    region, method = choose_region(body, ann, removed)
    unlink_offsite_headings(region, url)
    blocks = filter_blocks(render_blocks(region), title, extra)
    text = join_blocks(blocks)
    region_stats = [ann.stats.get(el, [0] * 7) for el in region]
    region_text = sum(s[TEXT] for s in region_stats)
    region_ld = sum(s[LINK] for s in region_stats) / region_text if region_text else 0.0

    body_good = good_text(ann.stats[body])
    region_blocks = blocks
    paragraphs = count_paragraphs(blocks)
    container = listing_container(ann, body) if paragraphs < 3 else None
    if container is not None and not any(is_inside(container, el, ann.stats) for el in region):
        listing_blocks = filter_blocks(render_blocks([container]), title, extra, listing=True)
        listing_text = join_blocks(listing_blocks)
        if len(listing_text) > len(text):
            blocks, text, method = listing_blocks, listing_text, "listing"
    if len(text) < MIN_GOOD_TEXT and body_good > 4 * max(len(text), 1) and region != [body]:
        fallback = filter_blocks([b for b in render_blocks([body])
                                  if not is_link_block(b) and len(b.text) >= 40],
                                 title, extra)
        fallback_text = join_blocks(fallback)
        if len(fallback_text) > 2 * len(text):
            blocks, text, method = fallback, fallback_text, "fallback"
            region_ld = 0.0

    if blocks is not region_blocks:  # a listing or the fallback replaced them
        paragraphs = count_paragraphs(blocks)
    release_in_reverse(ann.stats)  # before the proxies die in document order
    return Content(
        excerpt_count=count_excerpts(blocks),
        text=text,
        prev_link=prev_link,
        next_link=next_link,
        confidence=confidence_of(method if text else "empty", region_ld, len(text), paragraphs),
        paragraph_count=paragraphs,
        page_chars=page[TEXT],
        page_link_density=page[LINK] / page[TEXT] if page[TEXT] else 0.0,
        region_link_density=region_ld,
        teaser_count=teasers,
        method=method if text else "empty",
        heading_text=heading_text,
    )


def class_id_verdict(tag: str, cls: str, ident: str) -> tuple[int, int]:
    """:func:`element_verdict` of an element whose only attributes are class and id (the
    compiled walk decides these in C, and here when a string is not ASCII).

    >>> class_id_verdict("div", "entry-content", "post-1"), class_id_verdict("div", "", "nav")
    ((2, 2), (1, 0))
    """
    return element_verdict(tag, {"class": cls, "id": ident})


def verdict_rules(walk):  # -> cleaning._speedups.VerdictRules
    """The rule sets and Python helpers the compiled walk judges class/id elements with."""
    return walk.VerdictRules(rules.SKIP_TAGS, rules.GUARDED_SKIP_TAGS, rules.CONTENT_WORDS,
                             rules.JUNK_WORDS, rules.COMPOUND_STARTS, rules.MAX_TOKEN_RUN,
                             rules.POSITIVE_WORDS, rules.HIDDEN_CLASS_TOKENS, is_hidden_class,
                             class_id_verdict, VERDICT_ATTRIBUTES, rules.HIDDEN_STYLE_RE.search)


_SPEEDUPS = compiled_walks()  # the compiled walks (module end: every constant is defined)
_VERDICT_RULES = verdict_rules(_SPEEDUPS) if _SPEEDUPS is not None else None
