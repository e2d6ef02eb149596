"""Imported by the worker fork server before it forks any worker: loads cleaning and warms it
up once (language model, compiled rules), so every worker shares those pages copy-on-write
instead of loading its own copy. Uses only the public ``cleaning.clean_html``."""
from __future__ import annotations

from cleaning import clean_html

WARM_UP_PAGE = ("<html lang='en'><head><title>Warm up</title></head><body><article>"
                "<h1>Warm up</h1>" + "<p>This short English paragraph is here only so that "
                "every stage of cleaning runs once before the workers start.</p>" * 4 +
                "</article></body></html>")

clean_html(WARM_UP_PAGE, "https://warm-up.invalid/page.html")
