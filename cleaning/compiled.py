"""The one switch for the compiled hot paths (cleaning/_speedups.pyx).

The module is built by ``pip install -e .`` when a C compiler is present; every user falls back
to its pure-Python form (same results) when it is missing or ``GLEANER_PURE_PYTHON=1`` is set.
"""
from __future__ import annotations

import os
from types import ModuleType


def load_speedups() -> ModuleType | None:
    """cleaning._speedups, or None when it is not built or turned off.

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
    return _speedups
