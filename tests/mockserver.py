"""A real HTTP server on 127.0.0.1 for crawl tests: the sample site plus bad-input endpoints.

Run ``python -m tests.mockserver``: it binds a free port, prints its base URL on the
first line of stdout and serves until killed. Start crawls at ``<url>/bad/index.html``
to reach the bad endpoints; everything else is the bundled demo site.
"""
from __future__ import annotations

import gzip
import re
import sys
import threading
import time
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
        if path in BAD_PAGES:
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


def main() -> None:
    server = DemoServer(MockHandler).start()
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
