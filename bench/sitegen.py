"""A generated CMS-like news site for crawl benchmarks, and a small static server for it.

Articles look like the pages of small company / news CMSs that gleaner is built for: a
contact top bar (city list, Tel / WhatsApp / WeChat lines), a mega menu, breadcrumbs, a
"date Click:" counter, a share bar, several paragraphs of real text, "Pre: / Next:" links,
a related list, a sidebar, a footer, a cookie banner and inline script/CSS weight. The
body paragraphs are taken (read-only) from the truth texts of the shared extraction
benchmark (``../shared/bench/wcxb_test/truth.jsonl``), so cleaning does real work on real
prose in several languages. Paginated listing pages link every article; ``sitemap.xml``
lists them and ``robots.txt`` names the sitemap.

    python bench/sitegen.py build DIR --pages 2000          # write the site
    python bench/sitegen.py serve DIR                        # serve it on 127.0.0.1

``serve`` prints ``port N`` on its first stdout line. ``__BASE__`` in ``.xml`` / ``.txt``
files is replaced by the server's own address (``http://127.0.0.1:N``).
"""
from __future__ import annotations

import argparse
import html
import json
import os
import random
import sys
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the shared benchmark folder next to the repository (GLEANER_SHARED_DIR for a copy elsewhere)
SHARED = Path(os.environ.get("GLEANER_SHARED_DIR") or ROOT.parent / "shared")
TRUTH_FILE = SHARED / "bench" / "wcxb_test" / "truth.jsonl"
SEED_FILE = SHARED / "seeds" / "000_3f05d25038775d93.txt"

PER_LISTING = 50  # article links per listing page
SOURCE_PAGE_TYPES = ("article",)  # truth rows whose text is article prose (not listings)
MIN_PARAGRAPH = 60  # characters; shorter truth lines are headings or captions
BASE_PLACEHOLDER = b"__BASE__"
CONTENT_TYPES: tuple[tuple[str, str], ...] = (
    (".html", "text/html; charset=utf-8"),
    (".xml", "application/xml"),
    (".txt", "text/plain; charset=utf-8"),
)
STATIC_PAGES: tuple[tuple[str, str], ...] = (
    ("about.html", "About us"), ("contact.html", "Contact us"), ("products.html", "Products"),
    ("solutions.html", "Solutions"), ("service.html", "Service"), ("careers.html", "Careers"),
    ("privacy.html", "Privacy policy"), ("terms.html", "Terms of use"),
)
CITIES = ("Shanghai", "Beijing", "Guangzhou", "Xiamen", "Chengdu", "Shenzhen", "Hangzhou")
SHARE_SITES = ("Facebook", "Twitter", "LinkedIn", "WhatsApp", "Weibo", "Email")
WORDS = ("steel", "pipe", "valve", "pump", "cable", "module", "sensor", "bracket", "flange",
         "gasket", "motor", "panel", "filter", "bearing", "coupling", "nozzle", "relay")


@dataclass(frozen=True)
class Article:
    index: int
    path: str  # URL path, e.g. /news/2021/07/some-title-12.html
    title: str
    date: str  # YYYY-MM-DD HH:MM:SS
    paragraphs: tuple[str, ...]


def split_paragraphs(text: str) -> list[str]:
    """Prose paragraphs of a text (lines of at least MIN_PARAGRAPH characters).

    >>> split_paragraphs("Title\\n\\n" + "x" * 70 + "\\nshort")
    ['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    """
    return [p.strip() for p in text.splitlines() if len(p.strip()) >= MIN_PARAGRAPH]


def load_sources(truth_file: Path = TRUTH_FILE, seed_file: Path = SEED_FILE
                 ) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of every article source text with 3+ paragraphs."""
    sources = []
    if truth_file.is_file():
        for line in truth_file.read_text("utf-8").splitlines():
            row = json.loads(line)
            paragraphs = split_paragraphs(row.get("text") or "")
            if row.get("page_type") in SOURCE_PAGE_TYPES and len(paragraphs) >= 3:
                sources.append((row.get("title") or paragraphs[0][:70], paragraphs))
    if seed_file.is_file():
        paragraphs = split_paragraphs(seed_file.read_text("utf-8"))
        sources.append(("Chengdu Construction of Science and Technology Innovation Center",
                        paragraphs))
    if not sources:
        raise SystemExit(f"no source texts found ({truth_file}, {seed_file})")
    return sources


def slugify(text: str, limit: int = 48) -> str:
    """ASCII slug of a title (``article`` when nothing is left).

    >>> slugify("The Best Cheap Laptops Under $500!")
    'the-best-cheap-laptops-under-500'
    >>> slugify("中文标题")
    'article'
    """
    out = "".join(c.lower() if c.isascii() and c.isalnum() else "-" for c in text)
    slug = "-".join(part for part in out.split("-") if part)[:limit].strip("-")
    return slug or "article"


def make_articles(count: int, rng: random.Random, paragraphs_range: tuple[int, int]
                  ) -> list[Article]:
    sources = load_sources()
    articles = []
    for i in range(count):
        title, paragraphs = sources[rng.randrange(len(sources))]
        k = min(len(paragraphs), rng.randint(*paragraphs_range))
        start = rng.randrange(len(paragraphs) - k + 1)
        chosen = paragraphs[start:start + k]
        words = chosen[0].split()[:7]
        headline = f"{title.strip()[:70]}: {' '.join(words)} ({i + 1})"
        month = 1 + i % 12
        date = f"20{18 + i % 7}-{month:02d}-{1 + i % 28:02d} {8 + i % 12:02d}:{i % 60:02d}:28"
        path = f"/news/{date[:4]}/{month:02d}/{slugify(headline)}-{i + 1}.html"
        articles.append(Article(i, path, headline, date, tuple(chosen)))
    return articles


def filler_script(rng: random.Random, size: int) -> str:
    """An inline ``window.__STATE__`` JSON blob of about ``size`` characters (CMS page weight)."""
    items, total = [], 0
    while total < size:
        name = " ".join(rng.choice(WORDS) for _ in range(3))
        item = {"id": rng.randrange(10**6), "name": name, "sku": f"SKU-{rng.randrange(10**8)}",
                "price": round(rng.uniform(1, 999), 2), "tags": rng.sample(WORDS, 4)}
        text = json.dumps(item)
        items.append(text)
        total += len(text) + 1
    return "window.__STATE__ = {\"products\": [" + ",".join(items) + "]};"


def link_list(articles: list[Article], css: str) -> str:
    items = "".join(f'<li><a href="{a.path}">{html.escape(a.title)}</a></li>' for a in articles)
    return f'<ul class="{css}">{items}</ul>'


def mega_menu(rng: random.Random, entries: int) -> str:
    pages = [p for p, _ in STATIC_PAGES[:5]]
    items = "".join(f'<li><a href="/{rng.choice(pages)}">{rng.choice(WORDS).title()} '
                    f'{rng.choice(WORDS)} series {j}</a></li>' for j in range(entries))
    top = "".join(f'<li><a href="/{p}">{html.escape(t)}</a></li>' for p, t in STATIC_PAGES[:6])
    return (f'<nav class="main-nav"><ul class="top"><li><a href="/">Home</a></li>'
            f'<li><a href="/list/1.html">News</a></li>{top}</ul>'
            f'<div class="mega"><ul>{items}</ul></div></nav>')


def render_article(a: Article, articles: list[Article], rng: random.Random,
                   target_bytes: int) -> str:
    esc = html.escape
    prev_a = articles[a.index - 1] if a.index else None
    next_a = articles[a.index + 1] if a.index + 1 < len(articles) else None
    related = [articles[rng.randrange(len(articles))] for _ in range(8)]
    latest = articles[max(0, a.index - 10):a.index] or articles[:10]
    body = "".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
    share = " ".join(f'<a href="https://share.example/{s.lower()}?u={a.path}">{s}</a>'
                     for s in SHARE_SITES)
    pre = f'<p>Pre: <a href="{prev_a.path}">{esc(prev_a.title)}</a></p>' if prev_a else ""
    nxt = f'<p>Next: <a href="{next_a.path}">{esc(next_a.title)}</a></p>' if next_a else ""
    head = (f'<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{esc(a.title)} - Bench Industrial News</title>"
            f'<meta name="description" content="{esc(a.paragraphs[0][:150])}">'
            f'<meta property="og:title" content="{esc(a.title)}">'
            f'<meta property="og:type" content="article">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>body{{font:14px/1.6 Arial}}.topbar{{background:#333;color:#fff}}"
            f".main-nav li{{display:inline-block}}.sidebar{{float:right;width:30%}}</style>")
    top = (f'<div class="topbar"><span>{" - ".join(rng.sample(CITIES, 4))}</span>'
           f'<a href="/contact.html">Contact us</a><span>Tel: +86-170{rng.randrange(10**8):08d}'
           f'</span><span>whatsapp: 170{rng.randrange(10**8):08d}</span>'
           f'<span>Wechat: 170{rng.randrange(10**8):08d}</span></div>')
    main = (f'<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/list/1.html">News'
            f"</a> &gt; {esc(a.title)}</div>"
            f'<div class="container"><div class="main"><div class="news-detail">'
            f"<h1>{esc(a.title)}</h1>"
            f'<div class="info">{a.date} Click:<span id="hits">{rng.randrange(9999)}</span></div>'
            f'<div class="share">Share: {share}</div>'
            f'<div class="content">{body}</div>'
            f'<div class="pre-next">{pre}{nxt}</div></div>'
            f'<div class="related"><h3>Related News</h3>{link_list(related, "rel")}</div></div>'
            f'<div class="sidebar"><h3>Latest News</h3>{link_list(latest, "latest")}'
            f'<div class="contact-box"><h3>Contact us</h3><p>Tel: +86-21-5588{rng.randrange(9999):04d}'
            f"</p><p>Email: sales@bench-industrial.example</p><p>Add: No. {rng.randrange(999)} "
            f"Science Road, High-tech Zone</p></div></div></div>")
    footer = ('<footer><ul>' + "".join(f'<li><a href="/{p}">{esc(t)}</a></li>'
                                       for p, t in STATIC_PAGES)
              + "</ul><p>Copyright © 2021 Bench Industrial Co., Ltd. All rights reserved.</p>"
              '</footer><div id="cookie-banner">We use cookies to improve your experience on '
              "our website. By browsing this website, you agree to our use of cookies. "
              "<button>Accept</button></div>")
    menu = mega_menu(rng, rng.randint(40, 160))
    page = [head, "</head><body>", top, '<header><a class="logo" href="/">Bench Industrial</a>',
            menu, "</header>", main, footer]
    weight = target_bytes - sum(len(part.encode("utf-8")) for part in page)
    script = f"<script>{filler_script(rng, weight)}</script>" if weight > 200 else ""
    return "".join(page[:1] + [script] + page[1:]) + "</body></html>"


def render_listing(number: int, pages: int, chunk: list[Article]) -> str:
    items = "".join(f'<li><a href="{a.path}">{html.escape(a.title)}</a>'
                    f"<span>{a.date[:10]}</span><p>{html.escape(a.paragraphs[0][:160])}...</p></li>"
                    for a in chunk)
    nav = [f'<a href="/list/{n}.html">{n}</a>' for n in (1, number - 1, number + 1, pages)
           if 1 <= n <= pages and n != number]
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>News - page '
            f'{number} - Bench Industrial</title></head><body><header><a href="/">Home</a>'
            f'</header><h1>News</h1><ul class="news-list">{items}</ul>'
            f'<div class="pages">{" ".join(nav)}</div></body></html>')


def render_simple(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}'
            f'</title></head><body><header><a href="/">Home</a> <a href="/list/1.html">News</a>'
            f"</header><h1>{title}</h1>{body}</body></html>")


def write_text(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)


def build_site(site_dir: Path, pages: int, page_kb: tuple[int, int] = (30, 100),
               paragraphs: tuple[int, int] = (4, 12), seed: int = 7) -> dict[str, float]:
    """Write the site; returns counts and sizes (articles, listing pages, mean article KB)."""
    rng = random.Random(seed)
    articles = make_articles(pages, rng, paragraphs)
    article_bytes = 0
    for a in articles:
        target = rng.randint(page_kb[0] * 1024, page_kb[1] * 1024)
        article_bytes += write_text(site_dir / a.path.lstrip("/"),
                                    render_article(a, articles, rng, target))
    chunks = [articles[i:i + PER_LISTING] for i in range(0, len(articles), PER_LISTING)]
    for n, chunk in enumerate(chunks, start=1):
        write_text(site_dir / "list" / f"{n}.html", render_listing(n, len(chunks), chunk))
    write_text(site_dir / "index.html", render_simple(
        "Bench Industrial", '<p><a href="/list/1.html">All news</a></p>'
        + link_list(articles[:20], "latest")))
    for path, title in STATIC_PAGES:
        write_text(site_dir / path, render_simple(title, "<p>Bench Industrial Co., Ltd. makes "
                                                        "industrial parts since 1998.</p>"))
    urls = "".join(f"<url><loc>__BASE__{a.path}</loc><lastmod>{a.date[:10]}</lastmod></url>"
                   for a in articles)
    write_text(site_dir / "sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
               f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
    write_text(site_dir / "robots.txt", "User-agent: *\nDisallow: /search\n"
                                        "Sitemap: __BASE__/sitemap.xml\n")
    return {"articles": len(articles), "listing_pages": len(chunks),
            "static_pages": len(STATIC_PAGES) + 1,
            "mean_article_kb": article_bytes / max(1, len(articles)) / 1024}


def resolve(site_dir: Path, url_path: str) -> Path | None:
    """The file a URL path names inside site_dir (``/`` and folders -> index.html), else None.

    >>> resolve(Path("/srv"), "/../etc/passwd") is None
    True
    """
    rel = url_path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
    candidate = (site_dir / rel).resolve()
    if candidate.is_dir():
        candidate = candidate / "index.html"
    root = site_dir.resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server
    site_dir = Path(".")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = resolve(self.site_dir, self.path)
        ctype = dict(CONTENT_TYPES).get(path.suffix) if path is not None else None
        if path is None or ctype is None:
            self.send_body(404, b"<html><body><h1>404 Not Found</h1></body></html>",
                           "text/html; charset=utf-8")
            return
        body = path.read_bytes()
        if path.suffix in (".xml", ".txt"):
            host, port = self.server.server_address[:2]
            body = body.replace(BASE_PLACEHOLDER, f"http://{host}:{port}".encode())
        self.send_body(200, body, ctype)

    def send_body(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def serve(site_dir: Path, port: int = 0) -> None:
    handler = type("Handler", (SiteHandler,), {"site_dir": site_dir.resolve()})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write the site into DIR")
    build.add_argument("dir", type=Path)
    build.add_argument("--pages", type=int, default=2000)
    build.add_argument("--page-kb", type=int, nargs=2, default=(30, 100), metavar=("MIN", "MAX"))
    run = sub.add_parser("serve", help="serve DIR on 127.0.0.1 (prints 'port N')")
    run.add_argument("dir", type=Path)
    run.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "build":
        print(json.dumps(build_site(args.dir, args.pages, tuple(args.page_kb))))
    else:
        serve(args.dir, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
