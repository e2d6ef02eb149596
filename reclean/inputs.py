"""Find what to re-clean: crawl run folders, WARC files and folders of saved pages.

An *input* is one file: a WARC (``.warc`` / ``.warc.gz``, e.g. a crawl run's ``raw/*.warc.gz``
or a Common Crawl file) or one saved HTML page (``.html`` / ``.htm`` / ``.xhtml``, optionally
``.gz``). Inputs are sorted by path so every run sees them, and writes its output, in the
same order. Listing inputs lists files, never WARC records.
"""
from __future__ import annotations

import csv
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Name endings, longest first, that make a file an input of each kind.
WARC_SUFFIXES: tuple[str, ...] = (".warc.gz", ".warc")
HTML_SUFFIXES: tuple[str, ...] = (".html.gz", ".htm.gz", ".xhtml.gz", ".html", ".htm", ".xhtml")
# Files in a pages folder that say which URL a saved page came from.
URL_LIST_NAMES: tuple[str, ...] = ("urls.tsv",)
SIDECAR_SUFFIX = ".json"
# Directory names never searched for inputs.
SKIP_DIR_NAMES: tuple[str, ...] = ("parts", "__pycache__")


class UsageError(Exception):
    """A problem with the command line itself (exit code 2), e.g. a path that does not exist."""


@dataclass(frozen=True, slots=True)
class Input:
    """One file to re-clean.

    ``kind`` is ``"warc"`` or ``"html"``; ``run_dir`` is the crawl run folder a WARC sits in
    (its ``raw/`` parent), so raw_ref stays ``raw/<file>#<offset>``; ``url`` is the page URL
    given by a ``urls.tsv`` line (sidecar JSON files are read by the worker).
    """

    kind: str
    path: str
    run_dir: str | None = None
    url: str | None = None


def input_kind(path: str | os.PathLike[str]) -> str | None:
    """``"warc"``, ``"html"`` or None from a file name.

    >>> input_kind("raw/gleaner-1.warc.gz"), input_kind("a/Page.HTM"), input_kind("urls.tsv")
    ('warc', 'html', None)
    """
    name = os.fspath(path).lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    return None


def page_stem(name: str) -> str:
    """A saved page's name without its HTML / gzip suffix (what its sidecar is named after).

    >>> page_stem("story.html.gz"), page_stem("story.htm")
    ('story', 'story')
    """
    lower = name.lower()
    for suffix in HTML_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def read_url_list(path: Path) -> dict[str, str]:
    """``filename<TAB>url`` lines of a ``urls.tsv`` as a dict; blank and ``#`` lines skipped."""
    urls: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 2 and row[0].strip() and not row[0].startswith("#"):
                urls[row[0].strip()] = row[1].strip()
    return urls


def run_dir_of(warc_path: Path) -> str | None:
    """The crawl run folder of a WARC stored as ``<run>/raw/<file>``, else None."""
    return str(warc_path.parent.parent) if warc_path.parent.name == "raw" else None


def url_from_list(urls: dict[str, str], name: str) -> str | None:
    """URL of a file in a ``urls.tsv`` mapping, trying the name with and without ``.gz``.

    >>> url_from_list({"a.html": "https://x.org/a"}, "a.html.gz")
    'https://x.org/a'
    """
    for key in (name, name[:-3] if name.endswith(".gz") else name + ".gz"):
        if key in urls:
            return urls[key]
    return None


def walk_folder(root: Path, exclude: Path | None) -> Iterator[Input]:
    """Inputs under a folder, recursively, in sorted path order (hidden entries skipped)."""
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and d not in SKIP_DIR_NAMES
                             and (exclude is None or not same_path(here / d, exclude)))
        urls: dict[str, str] = {}
        for list_name in URL_LIST_NAMES:
            if list_name in filenames:
                urls.update(read_url_list(here / list_name))
        for name in sorted(filenames):
            kind = input_kind(name)
            if kind is None or name.startswith("."):
                continue
            path = here / name
            if kind == "warc":
                yield Input("warc", str(path), run_dir=run_dir_of(path))
            else:
                yield Input("html", str(path), url=url_from_list(urls, name))


def sniff_kind(path: Path) -> str:
    """``"warc"`` when a file whose name says nothing starts with a WARC record (plain or
    gzipped), else ``"html"`` (cleaning then judges it)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return "html"
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(31).decompress(head, 16)
        except zlib.error:
            return "html"
    return "warc" if head.startswith(b"WARC/") else "html"


def same_path(a: Path, b: Path) -> bool:
    """True when two paths name the same location (resolved)."""
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def discover_inputs(paths: Iterable[str], exclude: str | None = None) -> list[Input]:
    """All inputs named by the command line, sorted by path, duplicates removed.

    A file is taken as given (a file that is neither WARC nor HTML by name is treated as a
    saved page, so cleaning judges it); a folder is searched recursively; ``exclude`` (the
    output folder) is never searched. Raises :class:`UsageError` for a missing path.
    """
    found: dict[str, Input] = {}
    excluded = Path(exclude) if exclude else None
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for item in walk_folder(path, excluded):
                found.setdefault(item.path, item)
        elif path.exists() or path.is_symlink():
            kind = input_kind(path) or sniff_kind(path)
            if kind == "warc":
                found.setdefault(str(path), Input("warc", str(path), run_dir=run_dir_of(path)))
            else:
                urls_file = path.parent / URL_LIST_NAMES[0]
                url = (url_from_list(read_url_list(urls_file), path.name)
                       if urls_file.is_file() else None)
                found.setdefault(str(path), Input("html", str(path), url=url))
        else:
            raise UsageError(f"input path does not exist: {raw}")
    return sorted(found.values(), key=lambda item: item.path)
