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


def test_sitemap_entries_not_newer_than_the_last_healthy_run_are_skipped(tmp_path):
    """--state re-run: a known URL whose sitemap lastmod is older than the previous healthy
    run's start is not fetched (and counts as not modified when it is an article); a new
    URL, or a known one with a newer lastmod (or a news:publication_date), is fetched."""
    from scrapy.http import XmlResponse

    from crawler.health import Health

    with CrawlState.open(tmp_path, "127.0.0.1_8080") as state:
        state.lock()
        state.begin_run()
        for n in (1, 2, 3):
            state.commit_record({"url": f"{BASE}/news/{n}.html", "article_id": f"a{n}" * 10,
                                 "content_hash": "c" * 20, "record_id": f"r{n}" * 10,
                                 "text": "words"})
        state.record_page(f"{BASE}/news/index.html")
        state.commit_record({"url": f"{BASE}/news/5.html", "article_id": "a5" * 10,
                             "content_hash": "c" * 20, "record_id": "r5" * 10, "text": "w"},
                            fetched_at="2020-06-01T00:00:00Z")
        state.end_run()
        state.record_health(Health(0, "healthy"))
    spider = make_spider({"GLEANER_STATE_DIR": str(tmp_path)}, start=f"{BASE}/")
    try:
        assert spider.lastmod_since and spider.lastmod_since.endswith("Z")
        body = (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news='
                f'"http://www.google.com/schemas/sitemap-news/0.9">'
                f"<url><loc>{BASE}/news/1.html</loc><lastmod>2021-01-01</lastmod></url>"
                f"<url><loc>{BASE}/news/2.html</loc><lastmod>2099-01-01T00:00:00Z</lastmod></url>"
                f"<url><loc>{BASE}/news/3.html</loc><news:news><news:publication_date>"
                f"2021-01-01</news:publication_date></news:news></url>"
                f"<url><loc>{BASE}/news/4.html</loc><lastmod>2021-01-01</lastmod></url>"
                f"<url><loc>{BASE}/news/index.html</loc><lastmod>2021-01-01</lastmod></url>"
                # changed after its last fetch (2020) though before the last run: fetched
                f"<url><loc>{BASE}/news/5.html</loc><lastmod>2021-01-01</lastmod></url>"
                f"</urlset>").encode()
        response = XmlResponse(f"{BASE}/sitemap.xml", body=body)
        fetched = [r.url for r in spider.parse_sitemap(response)]
        assert fetched == [f"{BASE}/news/2.html", f"{BASE}/news/4.html", f"{BASE}/news/5.html"]
        stats = spider.crawler.stats
        assert stats.get_value("gleaner/skipped_by_lastmod") == 3  # 1, 3 and the listing
        assert stats.get_value("gleaner/not_modified_by_lastmod") == 2  # 1 and 3: articles
        assert spider.page_request(f"{BASE}/news/1.html") is None  # seen for this run
    finally:
        spider.state.close()


def test_dupefilter_shares_the_spiders_seen_set_on_disk():
    from scrapy import Request

    from crawler.dupefilter import CHECKED_KEY, SeenSetDupeFilter
    from pipelines.seen import seen_for

    spider = make_spider(start=f"{BASE}/")
    crawler = spider.crawler
    crawler.spider = spider
    dupefilter = SeenSetDupeFilter.from_crawler(crawler)
    page = spider.page_request(f"{BASE}/news/1.html")
    assert page.meta[CHECKED_KEY] and not dupefilter.request_seen(page)  # checked by the spider
    moved = Request(f"{BASE}/news/1.html?utm_source=x", meta={"redirect_urls": [f"{BASE}/old"]})
    assert dupefilter.request_seen(moved)  # a redirect to a page already queued
    fresh = Request(f"{BASE}/news/2.html", meta={"redirect_urls": [f"{BASE}/old2"]})
    assert not dupefilter.request_seen(fresh) and spider.page_request(f"{BASE}/news/2.html") is None
    loop = Request(f"{BASE}/a", meta={"redirect_urls": [f"{BASE}/a", f"{BASE}/b"]})
    assert dupefilter.request_seen(loop)
    assert crawler.stats.get_value("gleaner/errors/redirect_loop") == 1
    sitemap = Request(f"{BASE}/sitemap.xml")
    assert not dupefilter.request_seen(sitemap) and dupefilter.request_seen(sitemap.copy())
    assert len(seen_for(crawler)) == 3  # 1.html, 2.html, sitemap.xml: one key each
