"""Serve the bundled sample site (crawler/demo_site/) on 127.0.0.1 in a background thread.

Used by ``gleaner demo`` and, extended with bad-input endpoints, by ``tests/mockserver.py``.
Behaves like a small real web server: ``/`` and directories map to ``index.html``,
``robots.txt`` and ``sitemap.xml`` name the server's own address, HTML is gzip-encoded
for clients that accept it, and ETag / Last-Modified validators answer 304.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parent / "demo_site"
# File suffix -> Content-Type; other files (e.g. the package's __init__.py) are not served.
CONTENT_TYPES: tuple[tuple[str, str], ...] = (
    (".html", "text/html; charset=utf-8"),
    (".xml", "application/xml"),
    (".txt", "text/plain; charset=utf-8"),
    (".css", "text/css"),
)
# Files whose text names the server's own address through this placeholder.
BASE_PLACEHOLDER = b"__BASE__"
LAST_MODIFIED = "Sat, 21 Aug 2021 08:00:00 GMT"
COMPRESSIBLE = ("text/html",)


def content_type_for(path: Path) -> str | None:
    """Content-Type for a site file, None when it is not to be served.

    >>> content_type_for(Path("a/b.html"))
    'text/html; charset=utf-8'
    >>> content_type_for(Path("__init__.py")) is None
    True
    """
    return dict(CONTENT_TYPES).get(path.suffix.lower())


def resolve_site_path(url_path: str, site_dir: Path = SITE_DIR) -> Path | None:
    """The file a URL path names inside site_dir, or None (missing, or outside the site).

    >>> resolve_site_path("/").name
    'index.html'
    >>> resolve_site_path("/news/").relative_to(SITE_DIR).as_posix()
    'news/index.html'
    >>> resolve_site_path("/../../etc/passwd") is None
    True
    """
    rel = url_path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
    candidate = (site_dir / rel).resolve()
    if candidate.is_dir():
        candidate = candidate / "index.html"
    root = site_dir.resolve()
    if root != candidate and root not in candidate.parents:
        return None
    if not candidate.is_file() or content_type_for(candidate) is None:
        return None
    return candidate


class DemoSiteHandler(BaseHTTPRequestHandler):
    """Static files of the sample site, with validators and gzip."""

    server_version = "DemoCMS/2.1"
    protocol_version = "HTTP/1.1"
    site_dir = SITE_DIR

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass  # quiet: the crawl's own log and WARC record every request

    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{self.headers.get('Host') or f'{host}:{port}'}"

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = resolve_site_path(self.path, self.site_dir)
        if path is None:
            self.send_body(404, b"<html><body><h1>404 Not Found</h1></body></html>",
                           "text/html; charset=utf-8")
            return
        self.send_body(200, self.site_body(path), content_type_for(path) or "application/octet-stream",
                       validators=True)

    def site_body(self, path: Path) -> bytes:
        """The bytes served for a site file (its address placeholder filled in)."""
        return path.read_bytes().replace(BASE_PLACEHOLDER, self.base_url().encode("ascii"))

    def send_body(self, status: int, body: bytes, content_type: str,
                  validators: bool = False, extra: tuple[tuple[str, str], ...] = ()) -> None:
        """Send a complete response; 304 when the client's validators match."""
        etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
        if validators and (self.headers.get("If-None-Match") == etag
                           or (self.headers.get("If-None-Match") is None
                               and self.headers.get("If-Modified-Since") == LAST_MODIFIED)):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        encode = (content_type.startswith(COMPRESSIBLE)
                  and "gzip" in (self.headers.get("Accept-Encoding") or ""))
        payload = gzip.compress(body, mtime=0) if encode else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if encode:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        if validators:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. its download timeout); nothing to do

    do_HEAD = do_GET


class DemoServer:
    """A ThreadingHTTPServer on 127.0.0.1 (port 0 = any free port) in a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler] = DemoSiteHandler,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="demo-server",
                                       daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> DemoServer:
        self.thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
