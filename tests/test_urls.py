"""URL canonicalisation, dedup keys, same-site test and crawler-trap rules (crawler/urls.py)."""
import doctest

import pytest

from crawler import urls
from crawler.urls import canonical_url, is_same_site, is_trap, trap_reason, url_key


def test_doctests():
    result = doctest.testmod(urls)
    assert result.attempted > 20 and result.failed == 0


@pytest.mark.parametrize("url,expected", [
    # tracking parameters go, real ones stay (sorted)
    ("https://example.com/a?utm_source=x&utm_medium=y&id=3", "https://example.com/a?id=3"),
    ("https://example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4&yclid=5",
     "https://example.com/a"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&_ga=3&spm=4&ref_src=5&p=7",
     "https://example.com/a?p=7"),
    ("https://example.com/a?UTM_Campaign=z&b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?utmost=1", "https://example.com/a?utmost=1"),  # not a utm_ prefix
    # session ids in query and path
    ("https://example.com/a?PHPSESSID=abc&id=1", "https://example.com/a?id=1"),
    ("https://example.com/a;jsessionid=0A1B?id=1", "https://example.com/a?id=1"),
    # fragments, default ports, case of scheme/host, dot segments
    ("HTTPS://Example.COM:443/News/../a.html#x", "https://example.com/a.html"),
    ("http://example.com:80/", "http://example.com/"),
    ("http://example.com:8080/", "http://example.com:8080/"),
    # percent-encoding normalised (unreserved decoded, others upper-case, unicode encoded)
    ("https://example.com/%7euser/%c3%a9t%C3%A9", "https://example.com/~user/%C3%A9t%C3%A9"),
    ("https://example.com/caf\u00e9?q=\u00e4", "https://example.com/caf%C3%A9?q=%C3%A4"),
    ("https://b\u00fccher.de/", "https://xn--bcher-kva.de/"),
    # kept in the exported form: www., index.html, trailing slash, path case
    ("https://www.example.com/News/index.html", "https://www.example.com/News/index.html"),
    # blank values are kept (a=&b=1 is not b=1)
    ("https://example.com/?a=&b=1", "https://example.com/?a=&b=1"),
    # not http(s) / junk: returned as given
    ("javascript:void(0)", "javascript:void(0)"),
    ("  https://example.com/x  ", "https://example.com/x"),
])
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize("a,b", [
    ("https://www.example.com/news/12.html", "http://example.com/news/12.html"),
    ("https://example.com/news/", "https://example.com/news/index.html"),
    ("https://example.com/news", "https://example.com/news/index.php"),
    ("https://example.com/news/index.htm", "https://example.com/news/"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2&utm_source=nl"),
    ("https://example.com/a#one", "https://example.com/a#two"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com/%7Ea", "https://example.com/~a"),
    ("https://EXAMPLE.com/a", "https://example.com/a"),
    ("https://example.com", "https://www.example.com/"),
    ("https://m.example.com/a", "https://example.com/a"),
])
def test_url_key_folds_variants(a, b):
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize("a,b", [
    ("https://example.com/news/12", "https://example.com/news/13"),
    ("https://example.com/a?id=1", "https://example.com/a?id=2"),
    ("https://example.com/A", "https://example.com/a"),  # paths are case-sensitive
    ("https://example.com:8080/a", "https://example.com/a"),
    ("https://news.example.com/a", "https://example.com/a"),
    ("https://example.com/a?x=", "https://example.com/a"),
    ("https://example.com/news/index.html.bak", "https://example.com/news/"),
])
def test_url_key_keeps_distinct_pages_apart(a, b):
    assert url_key(a) != url_key(b)


@pytest.mark.parametrize("url,hosts,expected", [
    ("https://example.com/a", ["example.com"], True),
    ("https://www.example.com/a", ["example.com"], True),
    ("https://example.com/a", ["www.example.com"], True),
    ("https://news.example.com/a", ["example.com"], True),
    ("https://EXAMPLE.com:8443/a", ["example.com"], True),
    ("https://example.com/a", ["https://www.example.com/"], True),  # a URL given as host
    ("https://notexample.com/a", ["example.com"], False),
    ("https://example.com.evil.net/a", ["example.com"], False),
    ("https://other.org/a", ["example.com", "example.org"], False),
    ("mailto:a@example.com", ["example.com"], False),
    ("/relative/path", ["example.com"], False),
    ("https://example.com/a", [], False),
    ("http://[::1", ["example.com"], False),  # unparsable
])
def test_is_same_site(url, hosts, expected):
    assert is_same_site(url, hosts) is expected


TRAPS = [
    # calendars and endless date spaces
    ("https://example.com/calendar/2021/07/", "calendar"),
    ("https://example.com/events?date=2021-07-17", "calendar"),
    ("https://example.com/events/?month=7&year=2021", "calendar"),
    ("https://example.com/events/2021/07/17/09/", "calendar"),
    ("https://example.com/archive/2999/01/", "calendar"),
    ("https://example.com/archive/1492/10/", "calendar"),
    # repeating segments, absurd depth
    ("https://example.com/a/b/a/b/", "repeating_path"),
    ("https://example.com/news/x/y/z/x/y/z/page", "repeating_path"),
    ("https://example.com/img/img/img/", "repeating_path"),
    ("https://example.com/" + "/".join(f"s{i}" for i in range(13)), "too_deep"),
    # comments
    ("https://example.com/post/?replytocom=123", "reply_to_comment"),
    ("https://example.com/post/comment-page-2/", "comment_feed"),
    # session ids
    ("https://example.com/a;jsessionid=0AB12", "session_id"),
    ("https://example.com/a?PHPSESSID=abc", "session_id"),
    ("https://example.com/a?id=2&sid=9f8e", "session_id"),
    # print views
    ("https://example.com/print/12345", "print_view"),
    ("https://example.com/news/12?print=1", "print_view"),
    ("https://example.com/news/12?output=print", "print_view"),
    ("https://example.com/news/12?view=printable", "print_view"),
    ("https://example.com/news/print.html", "print_view"),
    # share, login, cart, search
    ("https://example.com/share?url=x", "share"),
    ("https://www.facebook.com/sharer/sharer.php?u=x", "share"),
    ("https://example.com/news/12?share=twitter", "share"),
    ("https://example.com/login?next=/a", "login"),
    ("https://example.com/wp-login.php?action=register", "login"),
    ("https://example.com/user/sign-in", "login"),
    ("https://example.com/cart/", "cart"),
    ("https://example.com/shop/?add-to-cart=12", "cart"),
    ("https://example.com/search?q=news", "search"),
    ("https://example.com/?s=chengdu", "search"),
    ("https://example.com/search/chengdu", "search"),
    ("https://example.com/list?sort=date&page=3", "faceted_navigation"),
    # non-HTML files
    ("https://example.com/files/report.pdf", "non_html"),
    ("https://example.com/img/lead.JPG?w=300", "non_html"),
    ("https://example.com/dl/data.zip", "non_html"),
    ("https://example.com/dl/spec.docx", "non_html"),
    ("https://example.com/static/site.css", "non_html"),
    ("https://example.com/media/clip.mp4", "non_html"),
    # not crawlable at all
    ("mailto:press@example.com", "not_http"),
    ("javascript:void(0)", "not_http"),
    ("ftp://example.com/a.html", "not_http"),
]

NOT_TRAPS = [
    "https://example.com/",
    "https://example.com/news/2021/07/17/chengdu-innovation.html",
    "https://example.com/2021/07/17/",  # a day archive: a listing page, fine
    "https://example.com/news/12.html",
    "https://example.com/news/?page=2",
    "https://example.com/show.php?id=123",
    "https://example.com/news/news/",  # one repeat is a real site layout
    "https://example.com/news/print-media-is-changing",
    "https://example.com/research/ai",
    "https://example.com/blog/share-price-rises",
    "https://example.com/the-cart-before-the-horse",
    "https://example.com/news/1234",  # a four-digit id is not a year
    "https://example.com/news/2999",
    "https://example.com/about/index.php",
    "https://example.com/feed/",
    "https://example.com/p/12.pdf-guide",
    "https://example.com/news?id=7&lang=en",
    "https://example.com/a?utm_source=x",  # tracking: stripped by canonical_url, not a trap
    "https://example.com/user/profile",
]


@pytest.mark.parametrize("url,reason", TRAPS)
def test_trap_reason(url, reason):
    assert trap_reason(url, max_year=2027) == reason
    assert is_trap(url)


@pytest.mark.parametrize("url", NOT_TRAPS)
def test_not_a_trap(url):
    assert trap_reason(url, max_year=2027) is None


def test_extensions_cover_scrapy_list():
    from scrapy.linkextractors import IGNORED_EXTENSIONS
    missing = set(IGNORED_EXTENSIONS) - set(urls.NON_HTML_EXTENSIONS) - {"tar.gz"}  # .gz covers it
    assert missing == set()


@pytest.mark.parametrize("url", [
    "", "http://", "https://[::1", "https://exa mple.com/a", "https://xn--/a", "//example.com/a",
    "https://example.com:99999/a", "https://example.com:abc/a",
])
def test_bad_input_never_raises(url):
    assert isinstance(canonical_url(url), str)
    assert isinstance(url_key(url), str)
    assert trap_reason(url) is None or isinstance(trap_reason(url), str)
    assert is_same_site(url, ["example.com"]) in (True, False)
