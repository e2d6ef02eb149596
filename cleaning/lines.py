"""Line-level boilerplate rules: contact headers, counters, prev/next, breadcrumbs, share, ...

The patterns are data in :mod:`cleaning.rules`; this module only applies them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from cleaning.rules import (
    ANYWHERE_RULES,
    LINE_RULES_START_RE,
    MAX_BOILERPLATE_LINE,
)


def match_line_rule(line: str) -> str | None:
    """Name of the first boilerplate rule a (short) line matches, else None.

    >>> match_line_rule("Tel: +86-17091920596")
    'contact'
    >>> match_line_rule("2021-07-17 16:38:28 Click:")
    'counter'
    >>> match_line_rule("He flew to Tel Aviv on Monday.") is None
    True
    """
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_BOILERPLATE_LINE:
        return None
    match = LINE_RULES_START_RE.match(stripped)
    if match is None:
        lowered = stripped.lower()
        for word, regex in ANYWHERE_RULES:  # only the patterns of the keywords present
            if word in lowered:
                match = regex.search(stripped)
                if match is not None:
                    break
    return match.lastgroup if match else None


@lru_cache(maxsize=64)
def compile_extra_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compile per-site line regexes; an invalid one is skipped (a site config is validated
    elsewhere, extraction must not fail on it).

    >>> [p.pattern for p in compile_extra_patterns(("^Ad:", "([bad"))]
    ['^Ad:']
    """
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error:
            continue
    return tuple(compiled)


def is_boilerplate_line(line: str, extra: Iterable[re.Pattern[str]] = ()) -> bool:
    """True when a line is template furniture (built-in rules or a per-site pattern).

    >>> is_boilerplate_line("Next steps for the team are unclear.")
    False
    >>> is_boilerplate_line("Pre:Experts are optimistic about the future of Chengdu")
    True
    """
    if match_line_rule(line) is not None:
        return True
    return any(p.search(line) for p in extra)


def drop_boilerplate_lines(text: str, extra: Iterable[re.Pattern[str]] = ()) -> str:
    """Remove boilerplate lines from a block of text (lines kept in order).

    >>> drop_boilerplate_lines("Contact us\\nReal sentence here.")
    'Real sentence here.'
    """
    extra = tuple(extra)
    lines = text.split("\n")
    kept = [line for line in lines if not is_boilerplate_line(line, extra)]
    return "\n".join(kept)
