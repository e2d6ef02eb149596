"""Quality verdict: is the extracted text an article worth exporting? (None = yes, else a reason)

Reasons (snake_case, stable: they become crawl stats ``gleaner/rejected/<reason>``):
  no_content   nothing readable was found
  error_page   a soft error page ("404", "page not found") served with HTTP 200
  listing      a link-dense page or one made of many teasers (section fronts, archives)
  too_short    fewer than ``config.min_article_chars`` characters of text, or no prose
               paragraph at all in less than three times that (profile/contact stubs)
"""
from __future__ import annotations

from cleaning.extract import Content
from cleaning.rules import ERROR_PAGE_RE
from cleaning.types import CleaningConfig

# Listing: share of the page's text inside links, and teaser counts (data, not magic numbers).
LISTING_PAGE_LINK_DENSITY = 0.5
LISTING_MIN_TEASERS = 6
LISTING_MIN_EXCERPTS = 2  # blocks ending in "..." that, when most of the prose, make a listing
ERROR_PAGE_MAX_CHARS = 1500
NO_PROSE_MAX_FACTOR = 3  # text with no prose paragraph must be this many times min_article_chars


def is_error_page(content: Content, text: str) -> bool:
    """A short page whose heading or opening says "not found".

    >>> is_error_page(Content(text="x", heading_text="404 - Page not found"), "Sorry.")
    True
    >>> is_error_page(Content(text="x", heading_text="Results"), "Sorry.")
    False
    """
    if len(text) > ERROR_PAGE_MAX_CHARS:
        return False
    return bool(ERROR_PAGE_RE.search(content.heading_text) or ERROR_PAGE_RE.search(text[:200]))


def is_listing(content: Content, text: str) -> bool:
    """Many teasers or mostly links, and little prose of its own.

    >>> is_listing(Content(text="", teaser_count=12, paragraph_count=1), "short")
    True
    >>> is_listing(Content(text="", teaser_count=12, paragraph_count=9), "x" * 3000)
    False
    >>> is_listing(Content(text="", excerpt_count=3, paragraph_count=3), "x" * 500)
    True
    """
    prose = content.paragraph_count
    if content.excerpt_count >= LISTING_MIN_EXCERPTS and content.excerpt_count * 2 >= prose:
        return True  # mostly "... " excerpts: an index of articles
    if content.teaser_count >= LISTING_MIN_TEASERS and prose < max(3, content.teaser_count // 2) \
            and len(text) < 3000:
        return True
    if content.page_link_density >= LISTING_PAGE_LINK_DENSITY and prose < 3 and len(text) < 1500:
        return True
    return False


def judge_page(content: Content, text: str, config: CleaningConfig) -> str | None:
    """None when the page is an article to export; otherwise the reason it is not.

    >>> from cleaning.types import CleaningConfig
    >>> judge_page(Content(text=""), "", CleaningConfig())
    'no_content'
    >>> judge_page(Content(text="x", paragraph_count=3), "word " * 100, CleaningConfig())
    """
    stripped = text.strip()
    if not stripped:
        return "no_content"
    if is_error_page(content, stripped):
        return "error_page"
    if is_listing(content, stripped):
        return "listing"
    if len(stripped) < config.min_article_chars:
        return "too_short"
    if content.paragraph_count == 0 and len(stripped) < NO_PROSE_MAX_FACTOR * config.min_article_chars:
        return "too_short"  # only short lines and list items: a profile/contact/product stub
    return None
