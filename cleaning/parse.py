"""Parse stage: decoded HTML text -> one lxml tree (never raises).

One parse with ``lxml.etree.HTMLParser`` (comments and processing instructions
dropped in C), then code-only elements stripped in C with ``etree.strip_elements``.
``<noscript>`` is left for the extractor: it is usually junk, but some sites (Discourse
forums) serve their whole content there for clients without JavaScript.
``<script type="application/ld+json">`` is kept for the metadata stage; the
extractor removes it before reading text. The walk that drops the other scripts also reads
what the metadata stage needs (:class:`SignalScan`), in C when cleaning._speedups is built.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from cleaning.compiled import load_speedups

_speedups = load_speedups()  # compiled helpers; the Python forms here give the same bytes

# Elements that never hold readable text: removed with their subtree (tails kept).
CODE_ONLY_TAGS = ("style", "template", "svg", "math", "object", "embed", "canvas",
                  "iframe", "applet")
# Script types the metadata stage reads; every other <script> is dropped at parse time.
KEPT_SCRIPT_TYPES = ("application/ld+json",)

# Tags the metadata stage reads (cleaning.metadata.scan_page). parse_page reads them in the
# walk that drops scripts (scan_signals), so the metadata stage does not walk the tree again.
SIGNAL_TAGS = ("html", "meta", "link", "title", "script", "h1", "time")

# Trees beyond this many elements are cut after their first MAX_ELEMENTS elements (document
# order). The largest page of both benchmarks has ~4,100 elements after code stripping and the
# median ~750; the cap only bounds the time of pathological pages (10 MB of markup < 1 s).
MAX_ELEMENTS = 20_000

# Runs of this many consecutive opening (or closing) tags are collapsed when libxml2 gives up on
# nesting depth (it silently drops everything below depth 2048).
_TAG_RUN_OPEN = re.compile(r"(?:<[a-zA-Z][^<>]{0,200}>\s*){64,}")
_TAG_RUN_CLOSE = re.compile(r"(?:</[a-zA-Z][^<>]{0,20}>\s*){64,}")

# C0 controls other than tab/newline/carriage return break libxml2 input handling.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same characters as UTF-8 bytes (ASCII bytes never occur inside a multi-byte sequence, so
# deleting them from the encoded text equals deleting the characters; bytes.translate is C).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Element count in C (no Python proxy per element); the Python cut runs only past the cap.
_COUNT_ELEMENTS = etree.XPath("count(//*)")


def make_parser() -> etree.HTMLParser:
    """The one HTML parser configuration gleaner uses (input is always UTF-8 bytes).

    ``collect_ids=False``: no hash table of id attributes (nothing here uses XPath ``id()``;
    building it cost ~0.1 ms/page).
    """
    return etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                            recover=True, huge_tree=True, encoding="utf-8", collect_ids=False)


_PARSER = make_parser()


def remove_control_chars(text: str) -> str:
    """Drop C0 control characters that HTML never needs.

    >>> remove_control_chars("a\\x00b\\x07c\\n")
    'abc\\n'
    """
    return _CONTROL_CHARS.sub("", text)


def encode_without_controls(text: str) -> bytes:
    """UTF-8 bytes of text without the C0 controls of :func:`remove_control_chars`.

    >>> encode_without_controls("a\\x00b\\x07c\\né")
    b'abc\\n\\xc3\\xa9'
    """
    if _speedups is not None:  # one pass in C
        return _speedups.utf8_without_controls(text)
    return text.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)


def without_control_bytes(data: bytes) -> bytes:
    """UTF-8 bytes without the C0 control bytes (ASCII bytes never occur inside a multi-byte
    sequence). In C when cleaning._speedups is built: ``data`` itself when it holds none.

    >>> without_control_bytes(b"a\\x00b\\x07c\\n")
    b'abc\\n'
    """
    if _speedups is not None:
        return _speedups.bytes_without_controls(data)
    return data.translate(None, _CONTROL_BYTES)


@dataclass(frozen=True, slots=True)
class SignalScan:
    """What one walk over the SIGNAL_TAGS and ``<noscript>`` elements read, each kind in
    document order (what cleaning.metadata.scan_page needs; <meta>/<link> as plain values)."""

    # <meta> with a key: (first non-empty of property/name/itemprop/http-equiv, content else value)
    metas: list[tuple[str, str | None]]
    # <link> whose rel holds "canonical" in any ASCII case: (rel, href)
    links: list[tuple[str, str | None]]
    scripts: list[etree._Element]  # the <script>s left in the tree
    titles: list[etree._Element]
    h1s: list[etree._Element]
    times: list[etree._Element]
    htmls: list[etree._Element]
    noscripts: list[etree._Element]


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """A parsed tree and what the script-dropping walk read of it (None: walk again), with
    its ``<noscript>`` elements in document order."""

    root: etree._Element
    signals: SignalScan | None = None
    noscripts: list[etree._Element] | None = None


def scan_signals(root: etree._Element, drop: bool = True,
                 keep_types: tuple[str, ...] = KEPT_SCRIPT_TYPES) -> SignalScan:
    """The SIGNAL_TAGS and ``<noscript>`` data of root; with ``drop``, every ``<script>``
    whose type is not in ``keep_types`` is removed first (tails kept). In C when built.

    >>> root = etree.fromstring('<html><head><title>T</title><script>x()</script>'
    ...                         '<meta name="A" content="1"></head></html>', make_parser())
    >>> scan = scan_signals(root)
    >>> scan.metas, [el.tag for el in scan.titles], root.find(".//script")
    ([('A', '1')], ['title'], None)
    """
    if _speedups is not None:
        found = _speedups.scan_signals(root, keep_types, drop)
    else:
        found = scan_signals_py(root, keep_types, drop)
    remove_keeping_tails(found[-1])
    return SignalScan(*found[:-1])


def scan_signals_py(root: etree._Element, keep_types: tuple[str, ...], drop: bool) -> tuple:
    """The Python form of ``_speedups.scan_signals``: SignalScan's fields, then the scripts
    to drop (none unless ``drop``)."""
    metas: list[tuple[str, str | None]] = []
    links: list[tuple[str, str | None]] = []
    kept: list[etree._Element] = []
    dropped: list[etree._Element] = []
    elements: dict[str, list[etree._Element]] = {
        tag: [] for tag in ("title", "h1", "time", "html", "noscript")}
    for el in root.iter(*SIGNAL_TAGS, "noscript"):
        tag = el.tag
        if tag == "meta":
            key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
            if key:
                value = el.get("content")
                metas.append((key, el.get("value") if value is None else value))
        elif tag == "link":
            rel = el.get("rel")
            if rel and "canonical" in rel.lower():  # (only K and İ lower-case to ASCII)
                links.append((rel, el.get("href")))
        elif tag == "script":
            if drop and (el.get("type") or "").strip().lower() not in keep_types:
                dropped.append(el)
            else:
                kept.append(el)
        else:
            elements[tag].append(el)
    return (metas, links, kept, *elements.values(), dropped)


def remove_keeping_tails(elements: list[etree._Element]) -> None:
    """Remove the given elements, keeping their tail text, whitespace too (what
    ``etree.strip_elements(..., with_tail=False)`` leaves, without its walk of the tree).

    >>> root = etree.fromstring("<p>a<b>x</b> c<i>y</i></p>")
    >>> remove_keeping_tails([root[0], root[1]]); etree.tostring(root)
    b'<p>a c</p>'
    """
    for el in elements:
        parent = el.getparent()
        if parent is None:
            continue
        tail = el.tail
        if tail:
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)


def count_elements(root: etree._Element, stop: int) -> int:
    """Elements in root's document (all of them, or ``stop`` once there are that many), in C.

    >>> count_elements(etree.fromstring("<div><p>a</p><!-- c --><p>b</p></div>"), 100)
    3
    """
    if _speedups is not None:  # a walk over node pointers; XPath builds the node set first
        return _speedups.count_elements(root, stop)
    return min(int(_COUNT_ELEMENTS(root)), stop)


def limit_tree_size(root: etree._Element, max_elements: int = MAX_ELEMENTS) -> bool:
    """Cut everything after the first ``max_elements`` elements; True when something was cut.

    >>> root = etree.fromstring("<div><p>a</p><p>b</p><p>c</p></div>")
    >>> limit_tree_size(root, 2), [p.text for p in root]
    (True, ['a'])
    """
    if count_elements(root, max_elements) < max_elements:
        return False
    last = None
    for count, el in enumerate(root.iter()):
        if count == max_elements - 1:
            last = el
            break
    if last is None:
        return False
    for child in list(last):
        last.remove(child)
    node = last
    while node is not root:
        parent = node.getparent()
        if parent is None:
            break
        follower = node.getnext()
        while follower is not None:
            nxt = follower.getnext()
            parent.remove(follower)
            follower = nxt
        node = parent
    return True


def flatten_tag_runs(data: bytes) -> bytes:
    """Collapse long runs of opening/closing tags to one tag each (too-deep documents).

    >>> flatten_tag_runs(b"<div>" * 70 + b"x" + b"</div>" * 70)
    b'<div>x</div>'
    """
    text = data.decode("utf-8", "replace")
    text = _TAG_RUN_OPEN.sub(lambda m: m.group(0).split(">", 1)[0] + ">", text)
    text = _TAG_RUN_CLOSE.sub(lambda m: m.group(0).split(">", 1)[0] + ">", text)
    return text.encode("utf-8")


def parse_html(text: str) -> etree._Element | None:
    """Parse HTML text into an lxml tree; None when there is nothing to parse.

    >>> parse_html("<p>Hello <b>world</b></p><script>x()</script>").findtext(".//p")
    'Hello '
    >>> parse_html("") is None
    True
    """
    page = parse_page(text)
    return page.root if page is not None else None


def parse_page(text: str, utf8: bytes | None = None) -> ParsedPage | None:
    """:func:`parse_html` plus the SIGNAL_TAGS and ``<noscript>`` elements, found while
    dropping scripts.

    ``utf8``: text's exact UTF-8 bytes when the caller has them (``Decoded.utf8``), so the
    text is not encoded again.

    >>> page = parse_page("<title>T</title><p>x<script>y()</script></p>")
    >>> [el.tag for el in page.signals.titles], page.root.findtext(".//p")
    (['title'], 'x')
    """
    root = parse_tree(text, utf8)
    if root is None:
        return None
    etree.strip_elements(root, *CODE_ONLY_TAGS, with_tail=False)
    signals = scan_signals(root)
    if limit_tree_size(root):
        return ParsedPage(root)  # the cut may have removed collected elements
    return ParsedPage(root, signals, signals.noscripts)


# Measured and not done: cutting <script>/<style> contents out of the bytes before the parse.
# libxml2 would save ~5 ns per byte left out (0.25-0.4 ms/page on trafilatura_eval), but locating
# them from Python costs more: bytes.find and re scan at ~1 ns/byte, one pass per tag name, plus
# the per-element loop (+0.15-0.19 ms/page net, measured in the pipeline). Safe cuts would also
# need context checks (comments, attribute values, <title>/<textarea>, "<!--<script" in scripts).


def parse_tree(text: str, utf8: bytes | None = None) -> etree._Element | None:
    """The raw lxml parse of text (controls removed, too-deep nesting flattened)."""
    if not text or text.isspace():  # as "not text.strip()", without copying the page
        return None
    if utf8 is not None:  # same bytes as encode_without_controls(text), without the encode
        data = without_control_bytes(utf8)
    else:
        data = encode_without_controls(text)
    try:
        root = etree.fromstring(data, _PARSER)
        if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in _PARSER.error_log):
            root = etree.fromstring(flatten_tag_runs(data), _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root
