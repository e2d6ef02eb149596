"""Values that flow through the cleaning stages (plain, picklable, immutable)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RawPage:
    """One HTTP response as fetched (or as read back from the archive).

    ``body`` is the payload after Content-Encoding was undone (what Scrapy's
    HttpCompressionMiddleware hands on); ``headers`` keep their arrival order
    and repeated names as separate pairs.
    """

    url: str
    body: bytes | str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    fetched_at: str | None = None  # ISO 8601 UTC, "...Z"
    raw_ref: str | None = None  # "<warc path>#<offset>"

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitively; None when absent.

        >>> RawPage("u", b"", headers=(("Content-Type", "text/html"),)).header("content-type")
        'text/html'
        """
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None


@dataclass(frozen=True, slots=True)
class CleaningConfig:
    """Switches and per-site additions for one cleaning run (immutable, picklable)."""

    extra_drop_selectors: tuple[str, ...] = ()  # CSS selectors removed before extraction
    extra_drop_line_patterns: tuple[str, ...] = ()  # regexes: matching text lines are dropped
    min_article_chars: int = 200  # below this an article is rejected as too_short
    repair_text: bool = True  # run ftfy and our spacing fixes
    detect_language: bool = True
    pipeline_version: str = ""  # filled by cleaning.__init__ with gleaner's version


@dataclass(frozen=True, slots=True)
class Rejected:
    """A page that is not exported as an article, with why, and what was found anyway.

    ``text`` is always the page's main content as far as it was extracted, so
    ``clean_html(html).text`` works whatever the verdict.
    """

    reason: str  # short snake_case key: empty_body, not_html, http_error, listing, too_short, ...
    detail: str = ""
    url: str = ""
    title: str | None = None
    text: str = ""
    extraction_confidence: float | None = None
    found: dict[str, Any] = field(default_factory=dict)  # other fields, as in ArticleRecord

    def __getattr__(self, name: str) -> Any:
        # Fields of the would-be record (date_published, authors, ...) read through.
        try:
            return self.found[name]
        except KeyError:
            raise AttributeError(name) from None
