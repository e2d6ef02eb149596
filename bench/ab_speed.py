"""CPU time of ``clean_html`` in two checkouts, page by page in one process (A/B).

    python bench/ab_speed.py OLD_DIR NEW_DIR                     # both shared benchmarks
    python bench/ab_speed.py OLD_DIR NEW_DIR --set wcxb_test --where page_type=article

Each directory is a checkout with its own build of ``cleaning/_speedups`` (``pip install -e``
or ``python setup.py build_ext --inplace`` there). Both versions clean each page in turn, so
load changes on a shared machine hit both alike; who goes first alternates, because the second
clean of a page runs ~0.15 ms faster (its text and allocations are warm): an A/B with a fixed
order is biased towards the second. Two copies of the same checkout agree within ~0.1 ms/page.
"""
from __future__ import annotations

import argparse
import gzip
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = ROOT.parent / "shared" / "bench"


def load_pages(folder: Path, where: str | None = None) -> list[tuple[str, str, str]]:
    """(id, html, url) of a benchmark folder's pages, optionally those whose truth field
    matches ``where`` (``field=value``)."""
    key, _, value = (where or "").partition("=")
    pages = []
    for line in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if key and str(row.get(key)) != value:
            continue
        html = gzip.decompress((folder / "html" / f"{row['id']}.html.gz").read_bytes())
        pages.append((row["id"], html.decode("utf-8", "replace"), row.get("url") or ""))
    return pages


def import_clean_html(checkout: Path) -> Callable:
    """``clean_html`` of the ``cleaning`` package in ``checkout`` (a fresh import each time)."""
    for name in [m for m in sys.modules if m == "cleaning" or m.startswith("cleaning.")]:
        del sys.modules[name]
    sys.path.insert(0, str(checkout))
    try:
        module = importlib.import_module("cleaning")
        if not str(Path(module.__file__).resolve()).startswith(str(checkout.resolve())):
            raise SystemExit(f"{checkout}: imported cleaning from {module.__file__}")
        return module.clean_html
    finally:
        sys.path.pop(0)


def alternate(old: Callable, new: Callable, pages: list[tuple[str, str, str]]
              ) -> tuple[float, float]:
    """CPU ms per page of old and new, each page cleaned by both, who goes first alternating."""
    spent = {old: 0.0, new: 0.0}
    for number, (_, html, url) in enumerate(pages):
        for clean in ((old, new) if number % 2 == 0 else (new, old)):
            start = time.process_time()
            clean(html, url)
            spent[clean] += time.process_time() - start
    return 1000 * spent[old] / len(pages), 1000 * spent[new] / len(pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--set", action="append", dest="sets",
                        help="benchmark folder name (default: wcxb_test and trafilatura_eval)")
    parser.add_argument("--where", help="only pages whose truth field matches, e.g. page_type=article")
    args = parser.parse_args(argv)
    old, new = import_clean_html(args.old), import_clean_html(args.new)
    for name in args.sets or ["wcxb_test", "trafilatura_eval"]:
        pages = load_pages(args.bench / name, args.where)
        for clean in (old, new):  # warm-up: lazy imports, caches
            for _, html, url in pages[:30]:
                clean(html, url)
        old_ms, new_ms = alternate(old, new, pages)
        print(f"{name:18s} {len(pages):5d} pages  old {old_ms:6.2f}  new {new_ms:6.2f} ms/page CPU"
              f"  ({new_ms - old_ms:+.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
