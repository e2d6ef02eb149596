"""URL rules for the crawl: canonical form, dedup key, same-site test, crawler traps.

Pure functions over strings; every rule is data (ordered tuples grouped by
concept) next to the small function that reads it. The heavy lifting of
canonicalisation (percent-encoding, query sorting, IDNA hosts, dot segments)
is ``w3lib.url.canonicalize_url``; this module only adds what w3lib leaves to
the caller: tracking and session parameters, default ports, and the folding of
``www.``, ``index.html`` and trailing slashes into the dedup key.

Two forms:

* ``canonical_url(url)`` is what we export: still a working URL (``www.`` and
  ``index.html`` are kept because a server may not answer without them).
* ``url_key(url)`` is the dedup key: scheme-less and folded further, never
  fetched.

``trap_reason(url)`` names the first crawler-trap rule a URL matches (calendars,
session ids, print views, share/login/cart/search pages, non-HTML files ...),
or ``None``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# --- query parameters that never change the content -------------------------------------------

#: Exact parameter names (compared lower-cased) dropped from every URL.
TRACKING_PARAMS: tuple[str, ...] = (
    # ad click ids
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
    "wbraid", "gbraid", "igshid", "epik", "s_kwcid",
    # newsletters and analytics
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "vero_conv", "vero_id", "wickedid", "rb_clickid", "__s",
    # referral markers
    "ref_src", "ref_url", "spm", "scm", "xtor", "cmpid", "icid", "ncid", "sr_share", "at_xt",
)
#: Parameter name prefixes (lower-cased) dropped from every URL.
TRACKING_PARAM_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "matomo_", "hsa_", "ga_")
#: Session-id parameters: they name a visitor, not a page.
SESSION_PARAMS: tuple[str, ...] = (
    "jsessionid", "phpsessid", "aspsessionid", "sid", "sessionid", "session_id", "cfid", "cftoken",
)
#: Session ids carried in the path (``;jsessionid=...``, ASP.NET ``/(S(...))/``).
SESSION_PATH_RE = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#]*|/\(S\([^)]*\)\)",
                             re.IGNORECASE)

# --- folding rules for the dedup key ----------------------------------------------------------

DEFAULT_PORTS: tuple[tuple[str, str], ...] = (("http", "80"), ("https", "443"))
#: Directory index file names folded into their directory.
INDEX_FILES: tuple[str, ...] = ("index.html", "index.htm", "index.php", "index.shtml",
                                "index.asp", "index.aspx", "default.asp", "default.aspx")
#: Host prefixes folded away (``www.example.com`` and ``example.com`` are one site).
HOST_PREFIXES: tuple[str, ...] = ("www.", "www1.", "www2.", "m.")


def is_tracking_param(name: str) -> bool:
    """True when a query parameter only tracks the visitor or the campaign.

    >>> is_tracking_param("utm_source"), is_tracking_param("FBCLID"), is_tracking_param("id")
    (True, True, False)
    >>> is_tracking_param("PHPSESSID")
    True
    """
    lname = name.lower()
    return (lname in TRACKING_PARAMS or lname in SESSION_PARAMS
            or lname.startswith(TRACKING_PARAM_PREFIXES))


def strip_default_port(parts: SplitResult) -> SplitResult:
    """Drop ``:80`` from http and ``:443`` from https.

    >>> strip_default_port(urlsplit("https://example.com:443/a")).netloc
    'example.com'
    >>> strip_default_port(urlsplit("https://example.com:8443/a")).netloc
    'example.com:8443'
    """
    try:
        port = parts.port
    except ValueError:
        return parts
    if port is not None and (parts.scheme, str(port)) in DEFAULT_PORTS:
        netloc = parts.netloc.rsplit(":", 1)[0]
        return parts._replace(netloc=netloc)
    return parts


def remove_tracking_params(query: str) -> str:
    """The query without tracking and session parameters (order and blanks kept).

    >>> remove_tracking_params("id=3&utm_source=x&fbclid=y&b=")
    'id=3&b='
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not is_tracking_param(k)]
    return urlencode(kept) if len(kept) != len(pairs) else query


def canonical_url(url: str) -> str:
    """The URL we export: tracking/session parameters, fragment and default port removed,
    host lower-cased (IDNA), query sorted, percent-encoding normalised.

    A URL that cannot be parsed, or that is not http(s), comes back stripped but unchanged.

    >>> canonical_url("HTTP://WWW.Example.com:80/a/../news/12.html?utm_source=tw&b=2&a=1#top")
    'http://www.example.com/news/12.html?a=1&b=2'
    >>> canonical_url("https://example.com/%7euser/caf%c3%a9;jsessionid=AB12?fbclid=x")
    'https://example.com/~user/caf%C3%A9'
    >>> canonical_url("https://example.com")
    'https://example.com/'
    >>> canonical_url("mailto:someone@example.com")
    'mailto:someone@example.com'
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url
    parts = strip_default_port(parts)
    parts = parts._replace(path=SESSION_PATH_RE.sub("", parts.path),
                           query=remove_tracking_params(parts.query), fragment="")
    try:
        return canonicalize_url(urlunsplit(parts))
    except ValueError:  # e.g. an invalid IDNA host
        return urlunsplit(parts)


def fold_host(host: str) -> str:
    """Host without ``www.``-style prefixes (never down to a bare public suffix).

    >>> fold_host("www.example.com"), fold_host("m.example.co.uk"), fold_host("www.com")
    ('example.com', 'example.co.uk', 'www.com')
    """
    host = host.lower().rstrip(".")
    for prefix in HOST_PREFIXES:
        if host.startswith(prefix) and "." in host[len(prefix):]:
            return host[len(prefix):]
    return host


def fold_path(path: str) -> str:
    """Path with a trailing index file and trailing slash removed (``/`` stays ``/``).

    >>> fold_path("/news/index.html"), fold_path("/news/"), fold_path("/"), fold_path("/INDEX.PHP")
    ('/news', '/news', '/', '/')
    """
    head, _, last = path.rpartition("/")
    if last.lower() in INDEX_FILES:
        path = head + "/"
    return path.rstrip("/") or "/"


def url_key(url: str) -> str:
    """Dedup key: the canonical URL without scheme, with ``www.``, index files and a
    trailing slash folded. Two URLs with one key are fetched once.

    >>> url_key("https://www.example.com/news/index.html?utm_medium=x")
    'example.com/news'
    >>> url_key("http://example.com:80/news/#comments") == url_key("https://EXAMPLE.com/news")
    True
    >>> url_key("https://example.com/a?b=1&a=2")
    'example.com/a?a=2&b=1'
    >>> url_key("https://example.com:8080/")
    'example.com:8080/'
    """
    return key_of_canonical(canonical_url(url))


def key_of_canonical(canon: str) -> str:
    """``url_key`` of a URL already in ``canonical_url`` form (saves canonicalising twice).

    >>> key_of_canonical(canonical_url("https://www.example.com/news/")) == url_key("https://www.example.com/news/")
    True
    """
    try:
        parts = urlsplit(canon)
        host, port = fold_host(parts.hostname or ""), parts.port
    except ValueError:  # unparsable host or port: the stripped URL is its own key
        return canon
    if not host:
        return canon
    netloc = f"{host}:{port}" if port else host
    key = netloc + fold_path(parts.path)
    return f"{key}?{parts.query}" if parts.query else key


def host_of(url: str) -> str:
    """Folded host of a URL, '' when it has none.

    >>> host_of("https://WWW.Example.com:8080/x")
    'example.com'
    """
    try:
        return fold_host(urlsplit(url.strip()).hostname or "")
    except ValueError:
        return ""


def is_same_site(url: str, site_hosts: Iterable[str]) -> bool:
    """True when the URL's host is one of ``site_hosts`` or a subdomain of one
    (``www.`` folded on both sides; only http and https count).

    >>> is_same_site("https://news.example.com/a", ["www.example.com"])
    True
    >>> is_same_site("https://example.com.evil.net/a", ["example.com"])
    False
    >>> is_same_site("ftp://example.com/a", ["example.com"])
    False
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https"):
        return False
    host = fold_host(parts.hostname or "")
    if not host:
        return False
    for site in site_hosts:
        site = fold_host(site.split("://")[-1].split("/")[0].split(":")[0])
        if site and (host == site or host.endswith("." + site)):
            return True
    return False


# --- crawler traps ------------------------------------------------------------------------------
# Each concept: patterns over one part of the URL (path or query, lower-cased). First match wins.

#: File extensions that are not HTML pages (superset of scrapy.linkextractors.IGNORED_EXTENSIONS).
NON_HTML_EXTENSIONS: tuple[str, ...] = (
    # documents
    "pdf", "doc", "docb", "docm", "docx", "dot", "dotm", "dotx", "xls", "xlsm", "xlsx", "xltm",
    "xltx", "ppt", "pptm", "pptx", "pps", "potm", "potx", "odt", "ods", "odg", "odp", "rtf",
    "epub", "csv", "ps", "eps", "ai", "pst",
    # images
    "jpg", "jpeg", "png", "gif", "webp", "avif", "heic", "bmp", "tif", "tiff", "svg", "ico",
    "mng", "pct", "psp", "psd", "drw", "dxf", "cdr",
    # archives
    "zip", "gz", "tgz", "tar", "bz2", "xz", "rar", "7z", "7zip",
    # audio and video
    "mp3", "wma", "ogg", "wav", "ra", "aac", "mid", "au", "aiff", "flac", "m4a", "3gp", "asf",
    "asx", "avi", "mov", "mp4", "m4v", "mpg", "mpeg", "qt", "rm", "swf", "wmv", "flv", "webm",
    "mkv",
    # programs and page assets
    "exe", "bin", "dmg", "iso", "apk", "jar", "msi", "msp", "sh", "bat", "cpl", "hta", "rb", "py",
    "css", "js", "woff", "woff2", "ttf", "otf", "eot", "rss",
)
NON_HTML_RE = re.compile(r"\.(?:" + "|".join(map(re.escape, NON_HTML_EXTENSIONS)) + r")$")

PATH_TRAPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("calendar", (r"/(?:calendars?|kalender|agenda|events?-calendar)(?:/|$)",)),
    ("print_view", (r"/print(?:/|$)", r"/print[-_.]?(?:view|version|friendly)?\.\w+$",
                    r"/printable(?:/|$)")),
    ("share", (r"/share(?:/|$)", r"/sharer(?:\.php)?(?:/|$)", r"/share[-_]?(?:this|button)s?(?:/|$)",
               r"/(?:email|mail)[-_]?(?:this|a[-_]friend|article)(?:/|$)")),
    ("login", (r"/(?:log[-_]?in|log[-_]?out|sign[-_]?in|sign[-_]?up|sign[-_]?out|register|"
               r"my[-_]?account|account/login|wp-login\.php|wp-admin)(?:/|$)",)),
    ("cart", (r"/(?:cart|basket|checkout|add[-_]to[-_]cart|wishlist)(?:/|$)",)),
    ("search", (r"/search(?:/|$)", r"/(?:site)?search\.\w+$")),
    ("comment_feed", (r"/comment-page-\d+(?:/|$)",)),
)
QUERY_TRAPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("calendar", (r"(?:^|&)(?:date|day|month|year|week|calendar|cal|ical|start_date|end_date|"
                  r"tribe-bar-date|eventdisplay)=",)),
    ("reply_to_comment", (r"(?:^|&)replytocom=",)),
    ("session_id", (r"(?:^|&)(?:jsessionid|phpsessid|aspsessionid|sid|sessionid|session_id|"
                    r"cfid|cftoken)=",)),
    ("print_view", (r"(?:^|&)print=(?:1|yes|true|y)(?:&|$)", r"(?:^|&)(?:output|view|format|"
                    r"mode|layout|type)=print(?:able)?(?:&|$)", r"(?:^|&)printable=")),
    ("share", (r"(?:^|&)share=", r"(?:^|&)(?:action|do)=(?:share|email|mail)(?:&|$)")),
    ("login", (r"(?:^|&)(?:action|do)=(?:login|logout|register|edit|lostpassword)(?:&|$)",
               r"(?:^|&)(?:redirect_to|return_to|returnurl)=")),
    ("cart", (r"(?:^|&)(?:add-to-cart|add_to_cart|add-to-wishlist)=",)),
    ("search", (r"(?:^|&)(?:s|q|query|search|keyword|keywords|searchword|searchterm)=",)),
    ("faceted_navigation", (r"(?:^|&)(?:sort|sortby|sort_by|order|orderby|filter|"
                            r"filters)=",)),
)
_PATH_RULES = tuple((reason, re.compile("|".join(p))) for reason, p in PATH_TRAPS)
_QUERY_RULES = tuple((reason, re.compile("|".join(p))) for reason, p in QUERY_TRAPS)

#: Structural limits for paths.
MAX_PATH_SEGMENTS = 12
MAX_DATE_SEGMENTS = 3  # /2021/07/17/ is an archive day; a 4th date-like part is a calendar walk
MIN_PLAUSIBLE_YEAR = 1900
YEAR_RE = re.compile(r"^[12]\d{3}$")
MONTH_OR_DAY_RE = re.compile(r"^(?:0?[1-9]|[12]\d|3[01])$")


def path_segments(path: str) -> list[str]:
    """Non-empty path segments, lower-cased.

    >>> path_segments("/A//b/c/")
    ['a', 'b', 'c']
    """
    return [s for s in path.lower().split("/") if s]


def has_repeating_segments(segments: list[str]) -> bool:
    """True when a run of segments repeats back to back (``/a/b/a/b``) or one segment
    appears three times in a row (``/x/x/x``), the shape of relative-link loops.

    >>> has_repeating_segments(["a", "b", "a", "b"]), has_repeating_segments(["news", "news"])
    (True, False)
    >>> has_repeating_segments(["x", "x", "x"]), has_repeating_segments(["2021", "07", "07"])
    (True, False)
    """
    n = len(segments)
    for i in range(n - 2):
        if segments[i] == segments[i + 1] == segments[i + 2]:
            return True
    for size in range(2, n // 2 + 1):
        for start in range(n - 2 * size + 1):
            if segments[start:start + size] == segments[start + size:start + 2 * size]:
                return True
    return False


def date_trap_reason(segments: list[str], max_year: int | None = None) -> str | None:
    """'calendar' when the path walks dates too deep, or to a year no archive has
    (a year/month pair outside 1900 .. next year: the endless "next month" link).

    >>> date_trap_reason(["news", "2021", "07", "17", "story"]) is None
    True
    >>> date_trap_reason(["events", "2021", "07", "17", "09"])
    'calendar'
    >>> date_trap_reason(["archive", "2999", "01"], max_year=2027)
    'calendar'
    >>> date_trap_reason(["news", "2999"], max_year=2027) is None  # an id, not a date
    True
    """
    limit = max_year if max_year is not None else date.today().year + 1
    run = best = 0
    for i, seg in enumerate(segments):
        if YEAR_RE.match(seg):
            follower = segments[i + 1] if i + 1 < len(segments) else ""
            if MONTH_OR_DAY_RE.match(follower) and not MIN_PLAUSIBLE_YEAR <= int(seg) <= limit:
                return "calendar"
            run = 1
        elif run and MONTH_OR_DAY_RE.match(seg):
            run += 1
        else:
            run = 0
        best = max(best, run)
    return "calendar" if best > MAX_DATE_SEGMENTS else None


def structure_trap_reason(parts: SplitResult, max_year: int | None = None) -> str | None:
    """Traps seen in the shape of the path rather than its words."""
    segments = path_segments(parts.path)
    if len(segments) > MAX_PATH_SEGMENTS:
        return "too_deep"
    if has_repeating_segments(segments):
        return "repeating_path"
    return date_trap_reason(segments, max_year)


def trap_reason(url: str, max_year: int | None = None) -> str | None:
    """Why a URL should not be followed, or None. Checks, in order: not http(s),
    non-HTML file, session id in the path, path word rules, query rules, path shape.

    >>> trap_reason("https://example.com/news/2021/07/17/a-story.html") is None
    True
    >>> trap_reason("https://example.com/files/report.PDF")
    'non_html'
    >>> trap_reason("https://example.com/blog/post?replytocom=12")
    'reply_to_comment'
    >>> trap_reason("https://example.com/a/b/a/b/")
    'repeating_path'
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "unparsable"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not_http"
    path = parts.path.lower()
    if NON_HTML_RE.search(path):
        return "non_html"
    if SESSION_PATH_RE.search(parts.path):
        return "session_id"
    for reason, rule in _PATH_RULES:
        if rule.search(path):
            return reason
    query = parts.query.lower()
    if query:
        for reason, rule in _QUERY_RULES:
            if rule.search(query):
                return reason
    return structure_trap_reason(parts, max_year)


def is_trap(url: str) -> bool:
    """True when ``trap_reason`` names a reason.

    >>> is_trap("https://example.com/calendar/2021-07"), is_trap("https://example.com/news/1")
    (True, False)
    """
    return trap_reason(url) is not None


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Compile regexes once (raises ``re.error`` on a bad one).

    >>> [p.pattern for p in compile_patterns([r"/news/\\d+"])]
    ['/news/\\\\d+']
    """
    return tuple(re.compile(p) for p in patterns)


def matches_any(url: str, patterns: Iterable[re.Pattern[str]]) -> bool:
    """True when any pattern is found (``re.search``) in the URL.

    >>> matches_any("https://e.com/news/12", compile_patterns([r"/news/\\d+$"]))
    True
    """
    return any(p.search(url) for p in patterns)

