"""Parse stage: decoded HTML text -> one lxml tree (never raises).

One parse with ``lxml.etree.HTMLParser`` (comments and processing instructions
dropped in C), then code-only elements stripped in C with ``etree.strip_elements``.
``<script type="application/ld+json">`` is kept for the metadata stage; the
extractor removes it before reading text.
"""
from __future__ import annotations

import re

from lxml import etree

# Elements that never hold readable text: removed with their subtree (tails kept).
CODE_ONLY_TAGS = ("style", "noscript", "template", "svg", "math", "object", "embed", "canvas",
                  "iframe", "applet")
# Script types the metadata stage reads; every other <script> is dropped at parse time.
KEPT_SCRIPT_TYPES = ("application/ld+json",)

# C0 controls other than tab/newline/carriage return break libxml2 input handling.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def make_parser() -> etree.HTMLParser:
    """The one HTML parser configuration gleaner uses (input is always UTF-8 bytes)."""
    return etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                            recover=True, huge_tree=True, encoding="utf-8")


_PARSER = make_parser()


def remove_control_chars(text: str) -> str:
    """Drop C0 control characters that HTML never needs.

    >>> remove_control_chars("a\\x00b\\x07c\\n")
    'abc\\n'
    """
    return _CONTROL_CHARS.sub("", text)


def drop_scripts(root: etree._Element, keep_types: tuple[str, ...] = KEPT_SCRIPT_TYPES) -> None:
    """Remove every ``<script>`` except those whose type is in ``keep_types`` (tails kept)."""
    for script in list(root.iter("script")):
        if (script.get("type") or "").strip().lower() in keep_types:
            continue
        parent = script.getparent()
        if parent is None:
            continue
        tail = script.tail
        if tail:
            prev = script.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(script)


def parse_html(text: str) -> etree._Element | None:
    """Parse HTML text into an lxml tree; None when there is nothing to parse.

    >>> parse_html("<p>Hello <b>world</b></p><script>x()</script>").findtext(".//p")
    'Hello '
    >>> parse_html("") is None
    True
    """
    if not text or not text.strip():
        return None
    data = remove_control_chars(text).encode("utf-8", "replace")
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    etree.strip_elements(root, *CODE_ONLY_TAGS, with_tail=False)
    drop_scripts(root)
    return root
