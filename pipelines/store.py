"""Keep every article record crash-safe, then export the run's files at the end.

Each record is appended to ``<run dir>/spool.jsonl`` as one flushed JSON line (a
SIGKILL loses at most the line being written; running again into the same folder picks
the spool up, so its records are exported once). At spider close the final
``articles.jsonl`` / ``.csv`` / ``.parquet`` are written from the spool by
``output.writers.export_records`` (atomic: temp file + rename) and the spool is removed.

With a crawl state (``spider.state``, set by the spider when ``GLEANER_STATE_DIR`` is
given), the state's outbox replaces the spool: each record is decided (new, changed,
unchanged) and queued in one SQLite transaction; unchanged articles are not exported,
changed ones get their version and previous_record_id; the export drains the outbox.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from output.writers import export_records
from pipelines.clean import shutdown_clean_pools
from pipelines.journal import journal_for
from pipelines.seen import SeenSet, seen_for

SPOOL_NAME = "spool.jsonl"
RECORD_PREFIX = "r:"  # key prefix of record ids in the crawl's seen set


def iter_spool(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a spool file; a torn last line (crash mid-write) is skipped."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.endswith("\n"):
                return
            yield json.loads(line)


def recover_spool(path: Path, seen: SeenSet) -> int:
    """Add the record ids of a spool left by a killed run into the same folder to
    ``seen`` and return how many there are; a torn last line is cut off so appending
    goes on at a line boundary."""
    if not path.exists():
        return 0
    with open(path, "r+b") as fh:  # find the last newline without reading the whole file
        size = fh.seek(0, os.SEEK_END)
        end = size
        while end > 0:
            start = max(0, end - 65536)
            fh.seek(start)
            chunk = fh.read(end - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                end = start + cut + 1
                break
            end = start
        if end != size:
            fh.truncate(end)
    return sum(1 for record in iter_spool(path) if seen.add(RECORD_PREFIX + record["record_id"]))


class SpoolExportPipeline:
    def __init__(self, crawler: Crawler, run_dir: Path) -> None:
        self.crawler = crawler
        self.run_dir = run_dir
        self.spool_path = run_dir / SPOOL_NAME
        self.spool: TextIO | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpoolExportPipeline:
        run_dir = crawler.settings.get("GLEANER_RUN_DIR")
        if not run_dir:
            raise NotConfigured("GLEANER_RUN_DIR not set")
        return cls(crawler, Path(run_dir))

    @property
    def state(self) -> Any:
        return getattr(self.crawler.spider, "state", None)

    def open_spider(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.state is None:
            recovered = recover_spool(self.spool_path, seen_for(self.crawler))
            self.crawler.stats.set_value("gleaner/spool_recovered", recovered)
            self.spool = open(self.spool_path, "a", encoding="utf-8")  # noqa: SIM115

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "record_id" not in item:
            return item
        if self.state is not None:
            return self.commit_to_state(item)
        if not seen_for(self.crawler).add(RECORD_PREFIX + item["record_id"]):
            # the same article under another URL
            self.crawler.stats.inc_value("gleaner/duplicates")
            raise DropItem(f"duplicate of record {item['record_id']}: {item['url']}",
                           log_level="INFO")
        assert self.spool is not None
        self.spool.write(json.dumps(item, ensure_ascii=False) + "\n")
        self.spool.flush()
        self.crawler.stats.inc_value("gleaner/spooled")
        self.crawler.stats.inc_value("gleaner/text_chars", len(item.get("text") or ""))
        return item

    def commit_to_state(self, item: dict[str, Any]) -> dict[str, Any]:
        etag, last_modified = journal_for(self.crawler).validators.pop(item["url"], (None, None))
        commit = self.state.commit_record(item, etag=etag, last_modified=last_modified,
                                          fetched_at=item.get("fetched_at"))
        verdict = commit.decision.verdict.value
        self.crawler.stats.inc_value(f"gleaner/articles/{verdict}")
        if commit.record is None:
            raise DropItem(f"unchanged since version {commit.decision.version}: {item['url']}",
                           log_level="INFO")
        return commit.record

    def close_spider(self) -> None:
        shutdown_clean_pools(self.crawler)  # all items are in: free the workers' memory first
        if self.state is not None:
            batch = self.state.begin_export(self.run_dir / "articles.parquet")
            counts = export_records(lambda: self.state.iter_export(batch.export_id), self.run_dir)
            self.state.finish_export(batch.export_id)
        elif self.spool is not None:
            self.spool.close()
            counts = export_records(lambda: iter_spool(self.spool_path), self.run_dir)
            os.remove(self.spool_path)
        else:
            return
        for name, count in counts.items():
            self.crawler.stats.set_value(f"gleaner/exported/{name}", count)
