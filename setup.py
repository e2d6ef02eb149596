"""Only for ``scrapyd-deploy``, which builds its egg with ``python setup.py bdist_egg``.

All metadata lives in pyproject.toml (including the ``scrapy`` entry point that tells
scrapyd the settings module). Without this file scrapyd-deploy would write its own
setup.py into the repository and leave it behind. See docs/scrapyd.md.
"""
from setuptools import setup

setup()
