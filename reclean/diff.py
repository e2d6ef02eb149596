"""What changed between two exports, field by field (``gleaner reclean --diff OLD``).

Records are matched by canonical_url, then by url. For each field: how many matched records
changed it, with a few before/after samples; plus records added and removed. The old side is
indexed in a temporary SQLite file, so memory does not grow with the number of records.
"""
from __future__ import annotations

import difflib
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from output.schema import FIELD_NAMES
from output.writers import atomic_write

DIFF_FILE = "diff.json"
ARTICLES_FILE = "articles.jsonl"
# Fields that differ between runs by construction, not because cleaning changed (raw_ref
# names where the input was read from: the same page saved elsewhere is not a change).
RUN_SPECIFIC_FIELDS: tuple[str, ...] = ("crawl_run_id", "version", "previous_record_id",
                                        "raw_ref")
SAMPLES_PER_FIELD = 3
KEYS_SAMPLE = 10
TERMINAL_VALUE_CHARS = 160
TERMINAL_DIFF_LINES = 8


def old_articles_path(old: str | Path) -> Path:
    """``articles.jsonl`` of a run folder, or the file itself."""
    path = Path(old)
    return path / ARTICLES_FILE if path.is_dir() else path


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a JSONL file; lines that are not JSON objects are skipped."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict):
                yield data


def match_key(record: dict[str, Any]) -> str:
    """canonical_url, else url.

    >>> match_key({"url": "https://a/x?utm=1", "canonical_url": "https://a/x"})
    'https://a/x'
    """
    return record.get("canonical_url") or record.get("url") or ""


def compared_fields() -> tuple[str, ...]:
    return tuple(f for f in FIELD_NAMES if f not in RUN_SPECIFIC_FIELDS)


def diff_runs(old: str | Path, new: str | Path) -> dict[str, Any]:
    """Compare the old export with the new one (each a run folder or an articles.jsonl)."""
    old_path, new_path = old_articles_path(old), old_articles_path(new)
    fields = compared_fields()
    changed = {name: 0 for name in fields}
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in fields}
    added: list[str] = []
    counts = {"matched": 0, "added": 0, "removed": 0, "changed_records": 0, "new_total": 0}
    with tempfile.TemporaryDirectory(prefix="gleaner-diff-") as tmp:
        db = sqlite3.connect(Path(tmp) / "old.sqlite")
        db.execute("CREATE TABLE old (key TEXT PRIMARY KEY, url TEXT, data TEXT, "
                   "matched INTEGER DEFAULT 0)")
        db.execute("CREATE INDEX old_url ON old (url)")
        old_total = 0
        for rec in iter_jsonl(old_path):
            old_total += 1
            db.execute("INSERT OR IGNORE INTO old (key, url, data) VALUES (?, ?, ?)",
                       (match_key(rec), rec.get("url") or "", json.dumps(rec)))
        for rec in iter_jsonl(new_path):
            counts["new_total"] += 1
            row = find_old(db, rec)
            if row is None:
                counts["added"] += 1
                if len(added) < KEYS_SAMPLE:
                    added.append(match_key(rec))
                continue
            key, data = row
            db.execute("UPDATE old SET matched = 1 WHERE key = ?", (key,))
            counts["matched"] += 1
            before = json.loads(data)
            differing = [f for f in fields if before.get(f) != rec.get(f)]
            counts["changed_records"] += bool(differing)
            for name in differing:
                changed[name] += 1
                if len(samples[name]) < SAMPLES_PER_FIELD:
                    samples[name].append({"key": match_key(rec), "before": before.get(name),
                                          "after": rec.get(name)})
        removed = [k for (k,) in db.execute("SELECT key FROM old WHERE matched = 0 ORDER BY key "
                                            "LIMIT ?", (KEYS_SAMPLE,))]
        counts["removed"] = db.execute("SELECT count(*) FROM old WHERE matched = 0").fetchone()[0]
        db.close()
    return {"old": str(old_path), "new": str(new_path), "old_total": old_total, **counts,
            "unchanged": counts["matched"] - counts["changed_records"],
            "ignored_fields": list(RUN_SPECIFIC_FIELDS),
            "fields": {name: {"changed": changed[name], "samples": samples[name]}
                       for name in fields if changed[name]},
            "added_sample": added, "removed_sample": removed}


def find_old(db: sqlite3.Connection, rec: dict[str, Any]) -> tuple[str, str] | None:
    """The unmatched old record with the same canonical URL, else the same url."""
    row = db.execute("SELECT key, data FROM old WHERE key = ? AND matched = 0",
                     (match_key(rec),)).fetchone()
    if row is None and rec.get("url"):
        row = db.execute("SELECT key, data FROM old WHERE url = ? AND matched = 0 LIMIT 1",
                         (rec["url"],)).fetchone()
    return row


def write_diff(out_dir: str | Path, report: dict[str, Any]) -> Path:
    """``diff.json`` in the out folder, atomically."""
    path = Path(out_dir) / DIFF_FILE
    with atomic_write(path) as fh:
        json.dump(report, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return path


def shorten(value: Any, limit: int = TERMINAL_VALUE_CHARS) -> str:
    """A value on one line, cut to ``limit`` characters.

    >>> shorten("a\\nb" * 3, 6)
    "'a\\\\nb…"
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_change(before: Any, after: Any) -> list[str]:
    """The changed lines of two long texts (unified diff without context, a few lines).

    >>> text_change("a\\nb\\nc", "a\\nB\\nc")
    ['- b', '+ B']
    """
    lines = [line for line in difflib.unified_diff(str(before or "").splitlines(),
                                                   str(after or "").splitlines(), lineterm="",
                                                   n=0)
             if not line.startswith(("---", "+++", "@@"))]
    cut = [f"{line[0]} {line[1:]}"[:TERMINAL_VALUE_CHARS] for line in lines[:TERMINAL_DIFF_LINES]]
    if len(lines) > TERMINAL_DIFF_LINES:
        cut.append(f"  … {len(lines) - TERMINAL_DIFF_LINES} more changed lines")
    return cut


def format_diff(report: dict[str, Any]) -> str:
    """The report as text for the terminal."""
    out = [f"diff {report['old']} -> {report['new']}",
           f"  matched {report['matched']}, changed {report['changed_records']}, "
           f"unchanged {report['unchanged']}, added {report['added']}, "
           f"removed {report['removed']}"]
    if report["fields"]:
        out.append("  changed fields (records):")
        width = max(len(name) for name in report["fields"])
        for name, info in sorted(report["fields"].items(), key=lambda kv: -kv[1]["changed"]):
            out.append(f"    {name:<{width}}  {info['changed']}")
    for name, info in report["fields"].items():
        for sample in info["samples"][:1]:
            out.append(f"  {name} @ {sample['key']}:")
            before, after = sample["before"], sample["after"]
            if isinstance(before, str) and isinstance(after, str) and (
                    "\n" in before or "\n" in after):
                out.extend("    " + line for line in text_change(before, after))
            else:
                out.append(f"    before: {shorten(before)}")
                out.append(f"    after:  {shorten(after)}")
    for label, keys in (("added", report["added_sample"]), ("removed", report["removed_sample"])):
        if keys:
            out.append(f"  {label} (sample): " + ", ".join(keys[:5]))
    return "\n".join(out)
