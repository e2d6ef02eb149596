"""The one switch for the compiled hot paths (cleaning/_speedups.pyx).

The module is built by ``pip install -e .`` when a C compiler is present; every user falls back
to its pure-Python form (same results) when it is missing or ``GLEANER_PURE_PYTHON=1`` is set.
A build made from other sources (installed, then the sources updated without a rebuild, or a
scrapyd egg that picks up an older build) is not used either: its ``API`` number differs from
:data:`SPEEDUPS_API`, and calling it could fail on every page.
"""
from __future__ import annotations

import os
import warnings
from types import ModuleType

# Raised together with ``API`` in cleaning/_speedups.pyx whenever a compiled form is added or
# changes its signature.
SPEEDUPS_API = 7


def load_speedups() -> ModuleType | None:
    """cleaning._speedups, or None when it is not built, built from other sources, or turned
    off.

    >>> import os; os.environ["GLEANER_PURE_PYTHON"] = "1"; load_speedups() is None
    True
    >>> del os.environ["GLEANER_PURE_PYTHON"]
    """
    if os.environ.get("GLEANER_PURE_PYTHON"):
        return None
    try:
        from cleaning import _speedups
    except ImportError:
        return None
    return _speedups if is_current(_speedups) else None


def is_current(module: ModuleType) -> bool:
    """True when a compiled module was built from these sources (its API number is ours);
    warns once otherwise.

    >>> import types; is_current(types.SimpleNamespace(API=SPEEDUPS_API))
    True
    """
    if getattr(module, "API", None) == SPEEDUPS_API:
        return True
    warnings.warn(f"gleaner: {getattr(module, '__file__', 'cleaning._speedups')} was built from "
                  "other sources (rebuild with `pip install -e .`); using pure Python",
                  RuntimeWarning, stacklevel=3)
    return False
