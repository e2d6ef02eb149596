"""gleaner output: the record schema, writers (JSONL, CSV, Parquet) and the pandas loader.

``from output import load_articles`` works, but importing this package (or
``output.schema``) loads neither pandas nor pyarrow: the loader and writers are
imported on first use through the module ``__getattr__`` below.
"""
from __future__ import annotations

import importlib
from typing import Any

# Public name -> module that defines it (imported lazily).
_LAZY: dict[str, str] = {
    "load_articles": "output.load",
    "iter_records": "output.load",
    "LoadError": "output.load",
    "atomic_write": "output.writers",
    "export_records": "output.writers",
    "write_csv": "output.writers",
    "write_jsonl": "output.writers",
    "write_parquet": "output.writers",
    "SchemaError": "output.writers",
    "ArticleRecord": "output.schema",
    "SCHEMA_VERSION": "output.schema",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'output' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
