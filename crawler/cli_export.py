"""``gleaner export SITE_DIR``: merge a site's runs into one dataset (latest version of each article).

Without ``-o`` the three files go to ``SITE_DIR/dataset/articles.{jsonl,csv,parquet}``
(or only the one ``--format`` names). With ``-o FILE`` one file is written
(``--format`` or the file's suffix says which). History stays in the run folders.
Records that no longer fit the schema go to ``rejects.jsonl`` beside the output.
Exit codes: 0 written, 2 bad arguments or paths (one-line error).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from output.load import SUFFIX_FORMATS, LoadError, iter_latest_records, resolve_sources
from output.writers import CSV_PROFILES, EXPORT_FORMATS, export_records

DATASET_FOLDER = "dataset"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site_dir", metavar="SITE_DIR",
                        help="folder holding run folders (each with articles.*)")
    parser.add_argument("--format", choices=tuple(EXPORT_FORMATS), default=None,
                        help="output format (default: all three, or from -o's suffix)")
    parser.add_argument("--profile", choices=CSV_PROFILES, default="pandas",
                        help="CSV profile: pandas (plain RFC 4180) or excel (BOM, formula-safe)")
    parser.add_argument("-o", "--output", metavar="FILE", default=None,
                        help="write one file here instead of SITE_DIR/dataset/")


def fail(message: str) -> int:
    print(f"gleaner export: error: {message}", file=sys.stderr)
    return 2


def choose_format(args: argparse.Namespace) -> str | None:
    """The single format to write, or None for all three (raises ValueError when unclear)."""
    if args.output is None:
        return args.format
    if args.format is not None:
        return args.format
    fmt = SUFFIX_FORMATS.get(Path(args.output).suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot tell the format of {args.output!r}; give --format")
    return fmt


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    site = Path(args.site_dir)
    if not site.is_dir():
        return fail(f"{site} is not a folder")
    try:
        fmt = choose_format(args)
        resolve_sources(site)  # fails early, with one line, when there is nothing to merge
    except (ValueError, LoadError) as exc:
        return fail(str(exc))
    formats = (fmt,) if fmt else tuple(EXPORT_FORMATS)
    out_dir = site / DATASET_FOLDER
    target = None
    if args.output is not None:
        target = Path(args.output)
        if not target.parent.is_dir():
            return fail(f"folder {target.parent} does not exist")
        out_dir = target.parent
    try:
        counts = export_records(lambda: iter_latest_records(site), out_dir, formats,
                                csv_profile=args.profile, file_names=_names(target, formats))
    except LoadError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot write {out_dir}: {exc.strerror or exc}")
    for name, count in counts.items():
        if not name.endswith("rejects.jsonl") or count:
            print(f"{out_dir / name}: {count} records")
    return 0


def _names(target: Path | None, formats: tuple[str, ...]) -> dict[str, str] | None:
    if target is None:
        return None
    return {formats[0]: target.name, "rejects": f"{target.stem}.rejects.jsonl"}
