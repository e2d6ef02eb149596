"""The articles spider's request decisions, without a network: which links it follows
and the conditional-GET headers it sends for known articles."""
from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from crawler.spiders.articles import ArticlesSpider
from crawler.state import CrawlState
from crawler.urls import url_key

BASE = "http://127.0.0.1:8080"


def make_spider(settings=None, **kwargs) -> ArticlesSpider:
    crawler = get_crawler(ArticlesSpider, settings or {})
    return ArticlesSpider.from_crawler(crawler, **kwargs)


@pytest.mark.parametrize("url,follows", [
    (f"{BASE}/news/105.html", True),
    (f"{BASE}/news/104.html#comments", False),  # same URL key as the page already queued
    (f"{BASE}/news/104.html?utm_source=x", False),  # tracking parameter: same key
    (f"{BASE}/news/", True),
    (f"{BASE}/news/index.html", True),
    ("http://other.example/news/1.html", False),  # off-site
    (f"{BASE}/search/?q=led", False),  # trap: search
    (f"{BASE}/calendar/2021/07/", False),  # trap: calendar
])
def test_links_followed_once_and_only_on_site(url, follows):
    spider = make_spider(start=f"{BASE}/")
    assert spider.page_request(f"{BASE}/news/104.html") is not None
    assert (spider.page_request(url) is not None) is follows


def test_index_file_and_folder_are_one_page():
    spider = make_spider(start=f"{BASE}/")
    assert spider.page_request(f"{BASE}/news/") is not None
    assert spider.page_request(f"{BASE}/news/index.html") is None


def test_site_config_deny_and_start_urls(tmp_path):
    site = tmp_path / "s.yaml"
    site.write_text(f"start_urls:\n  - {BASE}/products/\ndeny:\n  - /products/\n", "utf-8")
    spider = make_spider(site=str(site))
    assert spider.page_request(f"{BASE}/products/", start=True) is not None  # start: always
    assert spider.page_request(f"{BASE}/products/led.html") is None  # denied
    assert spider.page_request(f"{BASE}/news/1.html") is not None


def test_known_article_gets_its_validators_exactly(tmp_path):
    url = f"{BASE}/news/104.html"
    with CrawlState.open(tmp_path, "127.0.0.1_8080") as state:
        state.lock()
        state.begin_run()
        state.commit_record({"url": url, "article_id": "a" * 20, "content_hash": "c" * 20,
                             "record_id": "r" * 20, "text": "words"},
                            etag='W/"5f-abc"', last_modified="Sat, 21 Aug 2021 08:00:00 GMT")
        state.end_run()
    spider = make_spider({"GLEANER_STATE_DIR": str(tmp_path)}, start=f"{BASE}/")
    try:
        assert spider.state is not None and spider.state.validators(url_key(url))
        request = spider.page_request(url)
        assert request.headers[b"If-None-Match"] == b'W/"5f-abc"'
        assert request.headers[b"If-Modified-Since"] == b"Sat, 21 Aug 2021 08:00:00 GMT"
        listing = spider.page_request(f"{BASE}/news/index.html")
        assert b"If-None-Match" not in listing.headers  # discovery pages: never conditional
    finally:
        spider.state.close()


def test_start_must_be_a_url_or_a_site_file():
    with pytest.raises(ValueError, match="start=<http"):
        make_spider(start="example.com")
