"""Doctests of the crawl side (pytest's --doctest-modules only covers cleaning/ and output/)."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ("crawler.demo_server", "crawler.run", "crawler.spiders.articles", "crawler.extensions",
           "crawler.cli_demo", "crawler.middlewares", "pipelines.journal",
           "pipelines.worker", "pipelines.seen", "crawler.sitemaps", "crawler.dupefilter")


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
