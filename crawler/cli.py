"""The ``gleaner`` command line (also ``python -m crawler``).

Each subcommand lives in its own module ``crawler/cli_<name>.py`` exposing
``add_arguments(parser)`` and ``run(args) -> int`` (the exit code). Modules are
imported lazily so ``gleaner --help`` stays fast.

Exit codes: 0 success / healthy run, 1 unhealthy run or some inputs failed,
2 usage or configuration error.
"""
from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS: tuple[tuple[str, str], ...] = (
    ("crawl", "crawl a site (URL or site config) and export its articles"),
    ("demo", "serve the bundled sample site on 127.0.0.1, crawl it and show the result"),
    ("export", "merge run folders into one CSV / JSONL / Parquet dataset"),
    ("reclean", "re-run cleaning on saved HTML, WARC archives or crawl run folders"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gleaner", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in SUBCOMMANDS:
        module = importlib.import_module(f"crawler.cli_{name}")
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
