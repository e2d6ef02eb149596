"""The cleaning pool: a dead worker (OOM kill, segfault) costs a retry, not the crawl."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

import pipelines.clean
from cleaning import RawPage, clean_page
from pipelines.clean import CleanPipeline

ARTICLE = (Path(__file__).resolve().parent.parent / "crawler" / "demo_site" / "news" / "104.html").read_bytes()


def die_once_then_clean(raw: RawPage, config):
    """Runs in the worker: the first call (marker absent) kills its process."""
    marker = Path(raw.url.split("#marker=")[1])
    if not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return clean_page(raw, config)


def always_die(raw: RawPage, config):
    os._exit(1)


def run_pipeline(monkeypatch, worker, page):
    monkeypatch.setattr(pipelines.clean, "clean_page", worker)
    crawler = get_crawler(Spider, {"GLEANER_CLEAN_WORKERS": 1})
    pipe = CleanPipeline.from_crawler(crawler)

    async def go():
        pipe.open_spider()
        try:
            return await pipe.process_item(page)
        finally:
            pipe.close_spider()

    return crawler, asyncio.run(go())


def test_dead_worker_is_replaced_and_the_page_retried(monkeypatch, tmp_path):
    page = RawPage(url=f"http://h/news/104.html#marker={tmp_path / 'm'}", body=ARTICLE,
                   headers=(("Content-Type", "text/html; charset=utf-8"),))
    crawler, record = run_pipeline(monkeypatch, die_once_then_clean, page)
    assert (tmp_path / "m").read_text() == "died"  # the first worker really died
    assert crawler.stats.get_value("gleaner/clean_pool_restarts") == 1
    assert record["text"].startswith('"Only innovators advance')
    assert record["crawl_run_id"]


def test_page_that_kills_every_worker_is_rejected(monkeypatch):
    page = RawPage(url="http://h/poison.html", body=ARTICLE)
    with pytest.raises(DropItem, match="cleaning_crashed"):
        run_pipeline(monkeypatch, always_die, page)
