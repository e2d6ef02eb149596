"""Which URLs belong to one site: the registrable-looking part of a host name.

A heuristic (last two labels; three under a two-letter country code with a short second
level, as in co.uk / com.cn), not the Public Suffix List: tldextract would add ~25 MB and
0.2 s of start-up to every cleaning worker for two callers that only compare a page's links and
canonical URL with the page itself.
"""
from __future__ import annotations

from urllib.parse import urlsplit


def site_of_host(host: str | None) -> str:
    """The registrable-looking part of a host name ('' for none).

    >>> site_of_host("news.e.co.uk"), site_of_host("blog.example.com"), site_of_host(None)
    ('e.co.uk', 'example.com', '')
    """
    labels = (host or "").lower().split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def site_key(url: str) -> str:
    """:func:`site_of_host` of a URL's host ('' when the URL cannot be split).

    >>> site_key("https://www.example.co.uk/a"), site_key("http://[::1")
    ('example.co.uk', '')
    """
    try:
        return site_of_host(urlsplit(url).hostname)
    except ValueError:
        return ""


def same_site(a: str, b: str) -> bool:
    """True when two URLs share a registrable-looking domain.

    >>> same_site("https://www.e.com/a", "http://news.e.com/b"), same_site("https://a.com.cn", "https://b.com.cn")
    (True, False)
    """
    return site_of_host(urlsplit(a).hostname) == site_of_host(urlsplit(b).hostname) != ""
