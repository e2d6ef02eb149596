"""A real HTTP server on 127.0.0.1 for crawl tests: the sample site plus bad-input endpoints.

Run ``python -m tests.mockserver``: it binds a free port, prints its base URL on the
first line of stdout and serves until killed. Start crawls at ``<url>/bad/index.html``
to reach the bad endpoints; everything else is the bundled demo site.
"""
from __future__ import annotations

import email.utils
import gzip
import json
import re
import socket
import sys
import threading
import time
import zlib
from pathlib import Path

from crawler.demo_server import SITE_DIR, DemoServer, DemoSiteHandler

PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
             b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
             b"\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82")
PDF_BYTES = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n"
             b"%%EOF\n")
SLOW_SECONDS = 4.0

# The non-UTF-8 page: an article in the site's template, encoded Windows-1252 while the
# header and <meta> both claim UTF-8 (a common CMS misconfiguration).
LATIN1_TITLE = "Café lighting project for Zürich showroom"
LATIN1_PARAS = (
    "Our Guangzhou office has delivered 240 dimmable panels to a design café and showroom "
    "in Zürich, where the client wanted “warm, even light” over the long tables.",
    "The fittings use a 2700K colour temperature and a glare rating below 19, so guests can "
    "work on laptops without reflections — an effect the owners called “très agréable”.",
    "Installation took four days and was carried out by a local partner; the project will be "
    "shown to visitors during the city’s design week in September.",
)


def latin1_article() -> bytes:
    template = (SITE_DIR / "news" / "107.html").read_text(encoding="utf-8")
    head, rest = template.split('<div class="art-body">', 1)
    _, tail = rest.split("</div>", 1)
    old_title = "Xiamen branch moves to a new office by the harbour"
    head = head.replace(old_title, LATIN1_TITLE)
    body = "\n".join(f"      <p>{p}</p>" for p in LATIN1_PARAS)
    page = f'{head}<div class="art-body">\n{body}\n      </div>{tail}'
    return page.encode("cp1252", errors="replace")


BAD_INDEX = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Downloads and archive</title></head>
<body>
<h1>Downloads and archive</h1>
<ul>
  <li><a href="/">Home</a></li>
  <li><a href="/bad/empty.html">Empty page</a></li>
  <li><a href="/bad/annual-report-2021.html">Annual report 2021</a></li>
  <li><a href="/bad/factory-photo">Factory photo</a></li>
  <li><a href="/bad/cafe-zurich.html">Caf\xc3\xa9 project in Z\xc3\xbcrich</a></li>
  <li><a href="/bad/missing.html">Old page</a></li>
  <li><a href="/bad/error.html">Broken page</a></li>
  <li><a href="/bad/slow.html">Slow page</a></li>
  <li><a href="/bad/moved">Moved page</a></li>
  <li><a href="/admin/login.html">Admin</a></li>
</ul>
</body></html>
"""

def sitemap_index(base: str) -> bytes:
    """A sitemap index naming one gzipped sitemap (as big sites publish them)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f'  <sitemap><loc>{base}/sitemaps/news-2021.xml.gz</loc></sitemap>\n'
            f'  <sitemap><loc>http://elsewhere.example/sitemap.xml</loc></sitemap>\n'
            f'</sitemapindex>\n').encode()


def news_sitemap_gz(base: str) -> bytes:
    urls = "".join(f"  <url><loc>{base}/news/{n}.html</loc><lastmod>2021-08-21</lastmod></url>\n"
                   for n in range(101, 108))
    return gzip.compress(f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
                         f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
                         .encode(), mtime=0)


# path -> (status, content type, body); dynamic ones are handled in do_GET
BAD_PAGES: dict[str, tuple[int, str, bytes]] = {
    "/bad/index.html": (200, "text/html; charset=utf-8", BAD_INDEX),
    "/bad/empty.html": (200, "text/html; charset=utf-8", b""),
    "/bad/annual-report-2021.html": (200, "application/pdf", PDF_BYTES),
    "/bad/factory-photo": (200, "image/png", PNG_BYTES),
    "/bad/error.html": (500, "text/html; charset=utf-8",
                        b"<html><body><h1>500 Internal Server Error</h1></body></html>"),
    "/admin/login.html": (200, "text/html; charset=utf-8",
                          b"<html><body><form>login</form></body></html>"),
}


# GET /_control/edit switches the site to its second edition (for incremental-run tests):
# 105 gets a new paragraph (its text changes), 103 only a new HTML comment (same text).
EDITED = threading.Event()
# GET /_control/robots-down makes robots.txt answer 503 from then on.
ROBOTS_DOWN = threading.Event()
# GET /_control/crawl-delay adds "Crawl-delay: 1" to robots.txt from then on.
CRAWL_DELAY = threading.Event()
EDITS: dict[str, tuple[bytes, bytes]] = {
    "105.html": (b"      </div>\n      <div class=\"share\">",
                 b"      <p>Update, 2 August: the lighting will also be switched on for the "
                 b"Mid-Autumn Festival, with an extra hour in the evening.</p>\n"
                 b"      </div>\n      <div class=\"share\">"),
    "103.html": (b"<body>", b"<body>\n<!-- page regenerated by the CMS -->"),
}


# The sitemap's <lastmod> of the edited pages in the second edition (as a CMS bumps it).
EDITED_LASTMOD = "2099-01-01"


def edit_sitemap(body: bytes) -> bytes:
    """The sitemap of the second edition: the edited pages get a new <lastmod>."""
    for name in EDITS:
        body = re.sub(rb"(/news/" + re.escape(name.encode()) + rb"</loc>\s*<lastmod>)[^<]*",
                      rb"\g<1>" + EDITED_LASTMOD.encode(), body)
    return body


# --- the hostile site under /h/ (tests/test_crawl_hostile.py) -------------------------------
# Every request the server receives: (monotonic time, path with query); GET /_control/log.
REQUEST_LOG: list[tuple[float, str]] = []
LOG_LOCK = threading.Lock()
BUSY_HITS: dict[str, int] = {}  # path -> requests so far (429/503 first, then 200)
BIG_PAGE_BYTES = 5 * 1024 * 1024
BOMB_BYTES = 16 * 1024 * 1024  # what the gzip bomb inflates to (the test caps sitemaps lower)


def hostile_index(closed_port: int) -> bytes:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Hostile corner</title>
<link rel="alternate" type="application/rss+xml" title="News feed" href="/h/feed.xml">
</head><body><h1>Hostile corner</h1><ul>
<li><a href="/h/events/2026/11/">Events calendar</a></li>
<li><a href="/h/r1">Moved story</a></li>
<li><a href="/h/loop-a">Loop</a></li>
<li><a href="/h/list/1.html">Archive</a></li>
<li><a href="/h/partner/106.html">Partner copy of a story</a></li>
<li><a href="/news/106.html?print=1">Print this story</a></li>
<li><a href="/print/news/106.html">Print view</a></li>
<li><a href="/news/104.html">Story</a></li>
<li><a href="/news/104.html?utm_source=home&amp;utm_medium=link">Story again</a></li>
<li><a href="/news/../news/104.html#comments">Story, comments</a></li>
<li><a href="/admin/secret.html">Secret</a></li>
<li><a href="/h/big.html">A very long page</a></li>
<li><a href="/h/busy.html">Busy (Retry-After: 1)</a></li>
<li><a href="/h/busy-date.html">Busy (Retry-After: HTTP-date)</a></li>
<li><a href="http://127.0.0.1:{closed_port}/news/1.html">A host that does not answer</a></li>
</ul></body></html>""".encode()


def calendar_page(year: int, month: int) -> bytes:
    """An endless calendar: every month links to the next one, forever."""
    nxt = (year + (month == 12), month % 12 + 1)
    return (f"<html><head><title>Events {year}-{month:02d}</title></head><body>"
            f"<h1>Events in {year}-{month:02d}</h1><p>No events.</p>"
            f'<a href="/h/events/{nxt[0]}/{nxt[1]:02d}/">Next month</a></body></html>').encode()


def list_page(n: int) -> bytes:
    """Pagination only through <link rel="next"/"prev"> in the head (no <a> to follow)."""
    rels = (f'<link rel="prev" href="/h/list/{n - 1}.html">' if n > 1 else "") + (
        f'<link rel="next" href="/h/list/{n + 1}.html">' if n < 3 else "")
    return (f"<html><head><title>Archive page {n}</title>{rels}</head><body>"
            f"<h1>Archive page {n}</h1><p>Older stories.</p></body></html>").encode()


def hostile_sitemap(base: str) -> bytes:
    """Lists a robots.txt-disallowed page next to a real one (the first is never fetched)."""
    locs = [f"{base}/admin/secret.html", f"{base}/news/107.html"]
    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">{urls}</urlset>').encode()


def news_sitemap(base: str) -> bytes:
    """A Google News sitemap: no <lastmod>, a <news:publication_date> instead."""
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"<url><loc>{base}/news/105.html</loc><news:news><news:publication>"
            f"<news:name>Mock</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>2021-07-24T10:00:00+08:00</news:publication_date>"
            f"<news:title>Story</news:title></news:news></url></urlset>").encode()


def tracking_feed(base: str) -> bytes:
    items = "".join(f"<item><title>Story {n}</title><link>{base}/news/{n}.html?utm_source=rss"
                    f"&amp;utm_medium=feed&amp;fbclid=abc</link></item>" for n in (101, 102))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Mock</title>{items}' \
           f"</channel></rss>".encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>
"""


def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    """A small .xml.gz that inflates to ``size`` bytes (an XML comment full of zeros)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"0" * (1 << 20)
    parts = [packer.compress(b'<?xml version="1.0"?><urlset><!--')]
    parts += [packer.compress(chunk) for _ in range(size >> 20)]
    parts.append(packer.compress(b"--></urlset>") + packer.flush())
    return b"".join(parts)


def big_page() -> bytes:
    """A 5 MB article page (one story, its paragraphs repeated)."""
    template = (SITE_DIR / "news" / "106.html").read_text(encoding="utf-8")
    head, rest = template.split('<div class="art-body">', 1)
    _, tail = rest.split("</div>", 1)
    para = "<p>" + "More panels and fittings were installed across the site this week. " * 5 + "</p>\n"
    body = para * (BIG_PAGE_BYTES // len(para))
    return f'{head}<div class="art-body">{body}</div>{tail}'.encode()


_CACHE: dict[str, bytes] = {}


def cached(name: str, make: object) -> bytes:
    if name not in _CACHE:
        _CACHE[name] = make()  # type: ignore[operator]
    return _CACHE[name]


class MockHandler(DemoSiteHandler):
    def site_body(self, path: Path) -> bytes:
        body = super().site_body(path)
        if EDITED.is_set() and path.parent.name == "news" and path.name in EDITS:
            old, new = EDITS[path.name]
            assert old in body, path
            body = body.replace(old, new, 1)
        if EDITED.is_set() and path.name == "sitemap.xml":
            body = edit_sitemap(body)
        return body

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?", 1)[0]
        if not path.startswith("/_control/"):
            with LOG_LOCK:
                REQUEST_LOG.append((time.monotonic(), self.path))
        if path.startswith("/h/"):
            self.hostile(path)
        elif path == "/_control/log":
            with LOG_LOCK:
                self.send_body(200, json.dumps(REQUEST_LOG).encode(), "application/json")
        elif path in BAD_PAGES:
            status, ctype, body = BAD_PAGES[path]
            self.send_body(status, body, ctype)
        elif path == "/sitemaps/index.xml":
            self.send_body(200, sitemap_index(self.base_url()), "application/xml")
        elif path == "/sitemaps/news-2021.xml.gz":
            self.send_body(200, news_sitemap_gz(self.base_url()), "application/x-gzip")
        elif path == "/bad/cafe-zurich.html":
            self.send_body(200, latin1_article(), "text/html; charset=utf-8")
        elif path == "/bad/slow.html":
            time.sleep(SLOW_SECONDS)
            self.send_body(200, b"<html><body><p>finally</p></body></html>", "text/html")
        elif path == "/robots.txt" and ROBOTS_DOWN.is_set():
            self.send_body(503, b"<html><body>Service Unavailable</body></html>", "text/html")
        elif path == "/robots.txt" and CRAWL_DELAY.is_set():
            body = self.site_body(SITE_DIR / "robots.txt").replace(
                b"User-agent: *\n", b"User-agent: *\nCrawl-delay: 1\n", 1)
            self.send_body(200, body, "text/plain; charset=utf-8")
        elif path == "/_control/crawl-delay":
            CRAWL_DELAY.set()
            self.send_body(200, b"crawl-delay 1", "text/plain")
        elif path == "/_control/robots-down":
            ROBOTS_DOWN.set()
            self.send_body(200, b"robots down", "text/plain")
        elif path == "/_control/edit":
            EDITED.set()
            self.send_body(200, b"edited", "text/plain")
        elif path == "/bad/moved":
            self.send_body(301, b"", "text/html", extra=(("Location", "/news/104.html"),))
        else:
            super().do_GET()

    def hostile(self, path: str) -> None:
        base = self.base_url()
        html = "text/html; charset=utf-8"
        if path == "/h/index.html":
            self.send_body(200, hostile_index(self.server.closed_port), html)
        elif m := re.fullmatch(r"/h/events/(\d{4})/(\d{2})/", path):
            self.send_body(200, calendar_page(int(m[1]), int(m[2])), html)
        elif path in ("/h/r1", "/h/r2", "/h/r3"):
            target = {"/h/r1": "/h/r2", "/h/r2": "/h/r3", "/h/r3": "/news/103.html"}[path]
            self.send_body(302 if path != "/h/r2" else 301, b"", html,
                           extra=(("Location", target),))
        elif path in ("/h/loop-a", "/h/loop-b"):
            target = "/h/loop-b" if path == "/h/loop-a" else "/h/loop-a"
            self.send_body(302, b"", html, extra=(("Location", target),))
        elif m := re.fullmatch(r"/h/list/(\d+)\.html", path):
            self.send_body(200, list_page(int(m[1])), html)
        elif path == "/h/partner/106.html":  # the same story syndicated, canonical -> own URL
            story = self.site_body(SITE_DIR / "news" / "106.html").replace(
                b"<head>", f'<head><link rel="canonical" href="{base}/news/106.html">'.encode(), 1)
            self.send_body(200, story, html)
        elif path == "/h/feed.xml":
            self.send_body(200, tracking_feed(base), "application/rss+xml")
        elif path == "/h/sitemap.xml":
            self.send_body(200, hostile_sitemap(base), "application/xml")
        elif path == "/h/news-sitemap.xml":
            self.send_body(200, news_sitemap(base), "application/xml")
        elif path == "/h/broken-sitemap.xml":
            self.send_body(200, b"this is { not xml at all", "application/xml")
        elif path == "/h/broken-feed.xml":
            self.send_body(200, b"<rss><channel><item><title>no link", "application/rss+xml")
        elif path == "/h/lol-sitemap.xml":
            self.send_body(200, BILLION_LAUGHS, "application/xml")
        elif path == "/h/bomb.xml.gz":
            self.send_body(200, cached("bomb", gzip_bomb), "application/x-gzip")
        elif path == "/h/big.html":
            self.send_body(200, cached("big", big_page), html)
        elif path in ("/h/busy.html", "/h/busy-date.html"):
            with LOG_LOCK:
                BUSY_HITS[path] = BUSY_HITS.get(path, 0) + 1
                first = BUSY_HITS[path] == 1
            if first and path == "/h/busy.html":
                self.send_body(429, b"slow down", "text/plain", extra=(("Retry-After", "1"),))
            elif first:
                when = email.utils.formatdate(time.time() + 2, usegmt=True)
                self.send_body(503, b"busy", "text/plain", extra=(("Retry-After", when),))
            else:
                self.send_body(200, b"<html><body><p>Back in business.</p></body></html>", html)
        else:
            self.send_body(404, b"<html><body>404</body></html>", html)


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    server = DemoServer(MockHandler)
    server.httpd.closed_port = closed_port()  # type: ignore[attr-defined]
    server.start()
    print(server.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
