"""Per-crawl notes shared by the spider, the pipelines and the run report.

Counts live in Scrapy's stats; this keeps the few examples behind them (which URL
failed how, which page was rejected why), capped so a big crawl stays small.
"""
from __future__ import annotations

import secrets
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MAX_NOTES = 200


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus 4 random hex digits.

    >>> len(new_run_id()), new_run_id()[8], new_run_id()[15:17]
    (21, 'T', 'Z-')
    """
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


@dataclass
class RunJournal:
    run_id: str = field(default_factory=new_run_id)
    errors: list[dict[str, str]] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    # url -> (ETag, Last-Modified) of a cleaned article, until the state stores them
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def note_error(self, url: str, kind: str, detail: str = "") -> None:
        if len(self.errors) < MAX_NOTES:
            self.errors.append({"url": url, "kind": kind, "detail": detail})

    def note_rejected(self, url: str, reason: str, detail: str = "") -> None:
        if len(self.rejected) < MAX_NOTES:
            self.rejected.append({"url": url, "reason": reason, "detail": detail})


_JOURNALS: weakref.WeakKeyDictionary[Any, RunJournal] = weakref.WeakKeyDictionary()


def journal_for(crawler: Any) -> RunJournal:
    """The journal of one crawler (created on first use; run id from GLEANER_RUN_ID)."""
    journal = _JOURNALS.get(crawler)
    if journal is None:
        run_id = crawler.settings.get("GLEANER_RUN_ID") or new_run_id()
        journal = _JOURNALS[crawler] = RunJournal(run_id=run_id)
    return journal
