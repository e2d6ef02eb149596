"""Run health (crawler/health.py): exit 0 healthy, 1 unhealthy with a one-line reason."""
import doctest

import pytest

from crawler import health
from crawler.health import Health, HealthThresholds, RunSummary, evaluate_health

DEFAULTS = HealthThresholds(min_articles=5, max_error_share=0.2, max_text_drop=0.5)
PREVIOUS = RunSummary(run_id="20261126T031700Z-aaaa", pages=100, articles=80,
                      mean_text_length=2000.0)


def run(pages=100, errors=0, articles=80, mean=2000.0):
    return RunSummary(run_id="now", pages=pages, errors=errors, articles=articles,
                      mean_text_length=mean if articles else None)


def test_doctests():
    result = doctest.testmod(health)
    assert result.attempted >= 8 and result.failed == 0


@pytest.mark.parametrize("summary,previous,thresholds,exit_code,reason_part", [
    # healthy
    (run(), PREVIOUS, DEFAULTS, 0, "healthy: 80 articles from 100 pages, 0 errors"),
    (run(), None, DEFAULTS, 0, "healthy"),  # first run: nothing to compare with
    (run(articles=5), PREVIOUS, DEFAULTS, 0, "healthy"),  # exactly the minimum
    (run(errors=20), PREVIOUS, DEFAULTS, 0, "healthy"),  # exactly the maximum share
    (run(mean=1000.0), PREVIOUS, DEFAULTS, 0, "healthy"),  # exactly the maximum drop
    (run(mean=5000.0), PREVIOUS, DEFAULTS, 0, "healthy"),  # longer texts are fine
    (run(articles=0, pages=0), None, HealthThresholds(min_articles=0), 0, "healthy"),
    # too few articles
    (run(articles=4), PREVIOUS, DEFAULTS, 1, "too few articles: 4 < 5 (100 pages fetched)"),
    (run(articles=0, pages=0), None, HealthThresholds(), 1, "too few articles: 0 < 1"),
    # error share
    (run(errors=21), PREVIOUS, DEFAULTS, 1, "error share too high: 21% of 100 pages failed"),
    (run(pages=3, errors=3, articles=0), None, HealthThresholds(min_articles=0), 1,
     "error share too high: 100%"),
    # redesign: text length dropped
    (run(mean=900.0), PREVIOUS, DEFAULTS, 1,
     "mean text length dropped 55% vs run 20261126T031700Z-aaaa (2000 -> 900 chars"),
    # several problems in one line
    (run(pages=10, errors=8, articles=2, mean=100.0), PREVIOUS, DEFAULTS, 1,
     "too few articles: 2 < 5 (10 pages fetched); error share too high"),
    # checks switched off with None
    (run(articles=0, errors=90), PREVIOUS,
     HealthThresholds(min_articles=None, max_error_share=None, max_text_drop=None), 0, "healthy"),
    (run(mean=10.0), PREVIOUS, HealthThresholds(max_text_drop=None), 0, "healthy"),
    # previous run without articles (or without a mean): no comparison
    (run(mean=10.0), RunSummary(run_id="p", mean_text_length=None), DEFAULTS, 0, "healthy"),
])
def test_evaluate_health(summary, previous, thresholds, exit_code, reason_part):
    verdict = evaluate_health(summary, thresholds, previous)
    assert isinstance(verdict, Health)
    assert verdict.exit_code == exit_code, verdict.reason
    assert reason_part in verdict.reason
    assert "\n" not in verdict.reason
    assert verdict.healthy is (exit_code == 0)
    assert verdict.reason.startswith("healthy" if exit_code == 0 else "unhealthy: ")


def test_no_articles_this_run_is_not_a_text_drop():
    verdict = evaluate_health(run(articles=0), HealthThresholds(min_articles=0), PREVIOUS)
    assert verdict.exit_code == 0
