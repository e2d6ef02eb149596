"""RetryAfterMiddleware without a network: the waits it schedules for 429/503."""
from __future__ import annotations

import time

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.middlewares import NOT_BEFORE_KEY, RetryAfterMiddleware
from crawler.spiders.articles import ArticlesSpider


@pytest.fixture()
def middleware():
    crawler = get_crawler(ArticlesSpider, {"RETRY_TIMES": 2, "GLEANER_RETRY_AFTER_MAX": 120,
                                           "GLEANER_RETRY_BACKOFF": 1.5})
    crawler.spider = ArticlesSpider.from_crawler(crawler, start="http://127.0.0.1:9/")
    return RetryAfterMiddleware.from_crawler(crawler)


def answer(mw, status: int, headers: dict | None = None, request: Request | None = None):
    request = request or Request("http://127.0.0.1:9/news/1.html")
    return mw.process_response(request, Response(request.url, status=status, headers=headers))


@pytest.mark.parametrize("header,expected", [("7", 7.0), ("3600", 120.0)])
def test_retry_after_seconds_are_waited_and_capped(middleware, header, expected):
    before = time.monotonic()
    retry = answer(middleware, 429, {"Retry-After": header})
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    assert retry.meta[NOT_BEFORE_KEY] - before == pytest.approx(expected, abs=0.5)
    stats = middleware.crawler.stats
    assert stats.get_value("gleaner/retry_after/waits") == 1
    assert stats.get_value("gleaner/retry_after/capped") == (1 if expected == 120 else None)


def test_backoff_doubles_without_retry_after_then_gives_up(middleware):
    first = answer(middleware, 503)
    second = answer(middleware, 503, request=first)
    assert second.meta[NOT_BEFORE_KEY] - first.meta[NOT_BEFORE_KEY] == pytest.approx(1.5, abs=0.5)
    final = answer(middleware, 503, request=second)  # RETRY_TIMES=2: the response goes on
    assert isinstance(final, Response) and final.status == 503
    assert middleware.crawler.stats.get_value("gleaner/retry_after/backoffs") == 3


def test_other_statuses_are_scrapys_retry(middleware):
    assert isinstance(answer(middleware, 500), Request)  # RETRY_HTTP_CODES
    ok = answer(middleware, 200)
    assert isinstance(ok, Response) and ok.status == 200
