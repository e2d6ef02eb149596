"""JSON-LD as a graph: tolerant loading, flattening, @id references, choosing the article node.

Pitfalls handled (EXTRACTION-NOTES section 3): top-level lists, ``@graph``, ``mainEntity``,
``@type`` lists, ``{"@id": ...}`` references, invalid JSON (trailing commas, raw newlines, HTML
entities, comment/CDATA wrappers), several blocks per page, and ItemLists of *other* articles
(never candidates: we do not descend into ``itemListElement``).
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

# Types of the node that describes the page's article, best first.
ARTICLE_TYPES: tuple[str, ...] = (
    "NewsArticle", "ReportageNews", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle", "Article",
    "BlogPosting", "LiveBlogPosting", "Report", "TechArticle", "ScholarlyArticle",
    "SocialMediaPosting", "DiscussionForumPosting", "Review", "Recipe", "HowTo",
    "CreativeWork",
)
# Page-level types: a fallback node when no article node exists.
PAGE_TYPES: tuple[str, ...] = ("WebPage", "ItemPage", "AboutPage", "QAPage", "FAQPage")
ORGANIZATION_TYPES: tuple[str, ...] = (
    "Organization", "NewsMediaOrganization", "Corporation", "LocalBusiness",
    "EducationalOrganization", "GovernmentOrganization", "NGO", "WebSite", "Brand",
)
# Properties whose dict values are themselves top-level candidates.
NESTED_ENTITY_KEYS: tuple[str, ...] = ("mainEntity", "mainEntityOfPage")

TYPE_PREFIX = re.compile(r"[/:#]")
URL_SCHEME_WWW = re.compile(r"^[a-z]+://(?:www\.)?", re.I)
URL_QUERY_OR_FRAGMENT = re.compile(r"[?#]")
TRAILING_COMMA = re.compile(r",\s*([}\]])")
WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|/\*\s*<!\[CDATA\[\s*\*/|<!\[CDATA\[)|"
                      r"(?:-->|//\s*\]\]>|/\*\s*\]\]>\s*\*/|\]\]>)\s*$")


def load_json_ld(text: str) -> Any | None:
    """json.loads that forgives what real pages do; None when still not JSON.

    >>> load_json_ld('{"a": [1, 2,],}')
    {'a': [1, 2]}
    >>> load_json_ld('{&quot;headline&quot;: &quot;Hi&quot;}')
    {'headline': 'Hi'}
    >>> load_json_ld('{"x": "line one\\nline two"}')
    {'x': 'line one\\nline two'}
    >>> load_json_ld('not json') is None
    True
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    if "<!" in text or "-->" in text or "]]>" in text:  # every wrapper holds one of these
        text = WRAPPERS.sub("", text)  # (the regex tries its end branch at every character)
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    without_commas = TRAILING_COMMA.sub(r"\1", text)
    try:
        return json.loads(without_commas, strict=False)
    except ValueError:
        pass
    if "&" in text:
        try:
            return json.loads(TRAILING_COMMA.sub(r"\1", html.unescape(text)), strict=False)
        except ValueError:
            pass
    try:  # several objects back to back, or junk after the first one
        return json.JSONDecoder(strict=False).raw_decode(without_commas)[0]
    except ValueError:
        return None


def node_types(node: Any) -> tuple[str, ...]:
    """@type of a node as a tuple of bare names ('schema:NewsArticle' -> 'NewsArticle').

    >>> node_types({"@type": ["NewsArticle", "http://schema.org/Article"]})
    ('NewsArticle', 'Article')
    """
    if not isinstance(node, dict):
        return ()
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return tuple(bare_type(v) for v in values if isinstance(v, str) and v)


@lru_cache(maxsize=1024)  # a few dozen type names recur on every page
def bare_type(name: str) -> str:
    """The type name after the last '/', ':' or '#'.

    >>> bare_type("http://schema.org/NewsArticle"), bare_type("schema:Person")
    ('NewsArticle', 'Person')
    """
    return TYPE_PREFIX.split(name)[-1]


def iter_top_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Candidate entity nodes: top-level objects, list items, @graph items, mainEntity."""
    if isinstance(data, list):
        for item in data:
            yield from iter_top_nodes(item)
        return
    if not isinstance(data, dict):
        return
    if "@graph" in data:
        yield from iter_top_nodes(data["@graph"])
    if node_types(data):
        yield data
    for key in NESTED_ENTITY_KEYS:
        value = data.get(key)
        if isinstance(value, (dict, list)):
            yield from (n for n in iter_top_nodes(value) if node_types(n))


def index_ids(data: Any, index: dict[str, dict[str, Any]], depth: int = 0) -> None:
    """Every object with an @id and more than the @id itself, by @id (first definition wins)."""
    if depth > 12:
        return
    if isinstance(data, list):
        for item in data:
            index_ids(item, index, depth + 1)
    elif isinstance(data, dict):
        node_id = data.get("@id")
        if isinstance(node_id, str) and len(data) > 1 and node_id not in index:
            index[node_id] = data
        for value in data.values():
            if isinstance(value, (dict, list)):
                index_ids(value, index, depth + 1)


class JsonLdGraph:
    """All JSON-LD blocks of a page: candidate nodes and an @id index."""

    __slots__ = ("nodes", "blocks", "_ids")

    def __init__(self, blocks: Iterable[Any]) -> None:
        self.blocks = list(blocks)
        self.nodes: list[dict[str, Any]] = [n for data in self.blocks for n in iter_top_nodes(data)]
        self._ids: dict[str, dict[str, Any]] | None = None

    @property
    def ids(self) -> dict[str, dict[str, Any]]:
        """Objects by @id, indexed on first use (most pages never follow a reference)."""
        if self._ids is None:
            self._ids = {}
            for data in self.blocks:
                index_ids(data, self._ids)
        return self._ids

    @classmethod
    def from_scripts(cls, scripts: Iterable[str]) -> JsonLdGraph:
        """Graph from the texts of ``<script type="application/ld+json">`` elements."""
        return cls(d for d in (load_json_ld(s) for s in scripts) if d is not None)

    def resolve(self, value: Any) -> Any:
        """Follow an ``{"@id": ...}`` reference (or a bare id string of a known node)."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.ids.get(value["@id"], value)
        if isinstance(value, str) and value in self.ids:
            return self.ids[value]
        return value

    def first_of_type(self, types: tuple[str, ...]) -> dict[str, Any] | None:
        """First node (in page order) with one of the types."""
        for node in self.nodes:
            if any(t in types for t in node_types(node)):
                return node
        return None


def as_text(value: Any) -> str | None:
    """A plain string from a JSON-LD value (string, number, {"@value"}, {"name"}, first of list).

    >>> as_text([{"@value": " Hi "}]), as_text(None)
    ('Hi', None)
    """
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value", value.get("name"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = unescape_entities(value).strip()
        return value or None
    return None


ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")


def unescape_entities(text: str) -> str:
    """Undo HTML entities left in a value (double-escaped meta, JSON-LD written as HTML).

    >>> unescape_entities("Tom &amp;#038; Jerry&#8217;s")
    'Tom & Jerry’s'
    """
    for _ in range(2):
        if "&" not in text or not ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def normalize_url_key(url: str | None) -> str:
    """Comparable form of a URL: no scheme, no www., no query/fragment, no trailing slash.

    >>> normalize_url_key("https://www.E.com/a/?x=1#f")
    'e.com/a'
    """
    if not url or not isinstance(url, str):
        return ""
    url = URL_SCHEME_WWW.sub("", url.strip())
    return URL_QUERY_OR_FRAGMENT.split(url, maxsplit=1)[0].rstrip("/").lower()


@lru_cache(maxsize=4096)  # pure; metadata compares the same few titles many times a page
def normalize_title_key(text: str | None) -> str:
    """Comparable form of a title: casefolded words only.

    >>> normalize_title_key("Hello,  World!")
    'hello world'
    """
    return " ".join(re.findall(r"[^\W_]+", (text or "").casefold()))


def score_node(node: dict[str, Any], url_keys: set[str], title_keys: set[str]) -> int:
    """How likely this node describes the page: type, matching url, matching headline."""
    types = node_types(node)
    score = 0
    if any(t in ARTICLE_TYPES for t in types):
        score += 4
    elif any(t in PAGE_TYPES for t in types):
        score += 1
    else:
        return 0
    for key in ("url", "@id", "mainEntityOfPage"):
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if normalize_url_key(value if isinstance(value, str) else None) in url_keys:
            score += 2
            break
    headline = normalize_title_key(as_text(node.get("headline")) or as_text(node.get("name")))
    if headline and headline in title_keys:
        score += 2
    return score


def choose_article_node(graph: JsonLdGraph, urls: Iterable[str | None],
                        titles: Iterable[str | None]) -> dict[str, Any] | None:
    """The node that describes this page's article: best score, earliest on ties.

    >>> g = JsonLdGraph([{"@type": "ItemList", "itemListElement": [
    ...     {"@type": "NewsArticle", "headline": "Other", "datePublished": "2020-01-01"}]},
    ...     {"@graph": [{"@type": ["Article", "NewsArticle"], "headline": "Mine"}]}])
    >>> choose_article_node(g, ["https://e.com/a"], ["Mine"])["headline"]
    'Mine'
    """
    url_keys = {k for k in (normalize_url_key(u) for u in urls) if k}
    title_keys = {k for k in (normalize_title_key(t) for t in titles) if k}
    best, best_score = None, 0
    for node in graph.nodes:
        score = score_node(node, url_keys, title_keys)
        if score > best_score:
            best, best_score = node, score
    return best
