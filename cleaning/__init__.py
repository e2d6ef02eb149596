"""gleaner's cleaning library: HTML in, a clean article record (or a reasoned rejection) out.

Plain library: no Scrapy, no pandas. Use it like ``trafilatura.extract``::

    >>> from cleaning import clean_html
    >>> rec = clean_html("<html><body><p>Too short.</p></body></html>")
    >>> rec.reason
    'too_short'
"""
from __future__ import annotations

from cleaning.pipeline import DEFAULT_CONFIG, clean_html, clean_page
from cleaning.types import CleaningConfig, RawPage, Rejected

__version__ = "0.1.0"

__all__ = ["clean_html", "clean_page", "CleaningConfig", "RawPage", "Rejected", "DEFAULT_CONFIG",
           "__version__"]
