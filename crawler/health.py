"""Run health: is this crawl run's output trustworthy enough to exit 0?

A scheduled crawl that "ran" is not the same as one that worked: a site that
blocks us returns errors, a redesign makes the cleaner find only a fraction of
the text. ``evaluate_health`` compares one run's summary with the site's
thresholds and with the previous healthy run, and answers with an exit code and
a one-line reason (cron mails it, systemd logs it).

Exit codes follow crawler/cli.py: 0 healthy, 1 unhealthy.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HealthThresholds:
    """Per-site limits; ``None`` switches a check off.

    ``max_error_share`` and ``max_text_drop`` are fractions (0.25 = 25 %).
    """

    min_articles: int | None = 1  # articles seen (new + changed + unchanged + not modified)
    max_error_share: float | None = 0.25  # failed fetches / pages attempted
    max_text_drop: float | None = 0.5  # 1 - mean text length / previous healthy run's


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What one run did (the crawl state keeps one per run in its ``runs`` table)."""

    run_id: str = ""
    started_at: str | None = None  # ISO 8601 UTC
    ended_at: str | None = None
    pages: int = 0  # responses and failed fetches, 304s included
    errors: int = 0  # fetches that failed: network errors, 5xx, unexpected 4xx
    articles: int = 0  # article pages seen, exported or not
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    not_modified: int = 0  # answered 304 to a conditional GET
    rejected: int = 0  # pages the cleaner did not accept as articles
    mean_text_length: float | None = None  # characters of cleaned text per article
    health_exit: int | None = None
    health_reason: str = ""


@dataclass(frozen=True, slots=True)
class Health:
    """Verdict on a run: ``exit_code`` 0 (healthy) or 1, and why in one line."""

    exit_code: int
    reason: str

    @property
    def healthy(self) -> bool:
        """True for exit code 0."""
        return self.exit_code == 0


def error_share(summary: RunSummary) -> float:
    """Failed fetches over pages attempted (0 when nothing was attempted).

    >>> error_share(RunSummary(pages=20, errors=5))
    0.25
    >>> error_share(RunSummary())
    0.0
    """
    return summary.errors / summary.pages if summary.pages else 0.0


def text_length_drop(current: float | None, previous: float | None) -> float | None:
    """Relative drop of the mean text length (0.6 = 60 % shorter), None when not comparable.

    >>> text_length_drop(400.0, 1000.0)
    0.6
    >>> text_length_drop(1200.0, 1000.0)
    0.0
    >>> text_length_drop(None, 1000.0) is None, text_length_drop(500.0, 0.0) is None
    (True, True)
    """
    if current is None or not previous:
        return None
    return max(0.0, round(1.0 - current / previous, 6))


def too_few_articles(summary: RunSummary, limits: HealthThresholds) -> str | None:
    """Reason when fewer articles than ``min_articles`` were seen.

    >>> too_few_articles(RunSummary(articles=0, pages=3), HealthThresholds(min_articles=1))
    'too few articles: 0 < 1 (3 pages fetched)'
    """
    if limits.min_articles is not None and summary.articles < limits.min_articles:
        return (f"too few articles: {summary.articles} < {limits.min_articles} "
                f"({summary.pages} pages fetched)")
    return None


def too_many_errors(summary: RunSummary, limits: HealthThresholds) -> str | None:
    """Reason when the share of failed fetches is above ``max_error_share``.

    >>> too_many_errors(RunSummary(pages=10, errors=4), HealthThresholds(max_error_share=0.25))
    'error share too high: 40% of 10 pages failed (limit 25%)'
    """
    share = error_share(summary)
    if limits.max_error_share is not None and share > limits.max_error_share:
        return (f"error share too high: {share:.0%} of {summary.pages} pages failed "
                f"(limit {limits.max_error_share:.0%})")
    return None


def text_dropped(summary: RunSummary, limits: HealthThresholds,
                 previous: RunSummary | None) -> str | None:
    """Reason when the mean text length fell by more than ``max_text_drop`` since the
    previous healthy run: the usual sign of a site redesign the cleaner does not know.

    >>> text_dropped(RunSummary(mean_text_length=300.0), HealthThresholds(max_text_drop=0.5),
    ...              RunSummary(run_id="r1", mean_text_length=1000.0))
    'mean text length dropped 70% vs run r1 (1000 -> 300 chars, limit 50%): site redesign?'
    """
    if limits.max_text_drop is None or previous is None:
        return None
    drop = text_length_drop(summary.mean_text_length, previous.mean_text_length)
    if drop is not None and drop > limits.max_text_drop:
        return (f"mean text length dropped {drop:.0%} vs run {previous.run_id} "
                f"({previous.mean_text_length:.0f} -> {summary.mean_text_length:.0f} chars, "
                f"limit {limits.max_text_drop:.0%}): site redesign?")
    return None


def evaluate_health(run_summary: RunSummary, thresholds: HealthThresholds,
                    previous_run: RunSummary | None) -> Health:
    """Exit 0 when every check passes, else exit 1 with the failed checks in one line.

    >>> evaluate_health(RunSummary(pages=5, articles=5), HealthThresholds(), None)
    Health(exit_code=0, reason='healthy: 5 articles from 5 pages, 0 errors')
    >>> evaluate_health(RunSummary(pages=4, errors=4), HealthThresholds(), None).exit_code
    1
    """
    problems = [p for p in (too_few_articles(run_summary, thresholds),
                            too_many_errors(run_summary, thresholds),
                            text_dropped(run_summary, thresholds, previous_run)) if p]
    if problems:
        return Health(1, "unhealthy: " + "; ".join(problems))
    return Health(0, f"healthy: {run_summary.articles} articles from {run_summary.pages} pages, "
                     f"{run_summary.errors} errors")
