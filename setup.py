"""Build of the optional C speedup (``cleaning._speedups``), and ``scrapyd-deploy``'s entry point.

All metadata lives in pyproject.toml (including the ``scrapy`` entry point that tells
scrapyd the settings module). Without this file scrapyd-deploy would write its own
setup.py into the repository and leave it behind. See docs/scrapyd.md.

``cleaning/_speedups.pyx`` is compiled against lxml's C API when Cython, lxml and a C compiler
are present (pyproject.toml's build requirements bring the first two). Any failure leaves the
pure-Python forms in use, with a warning: the results are the same, only slower. Eggs for
scrapyd stay pure Python (a compiled module cannot be imported from a zipped egg), as do
builds with ``GLEANER_PURE_PYTHON=1``.
"""
import os
import sys
import warnings

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext that warns instead of failing: the speedup is optional."""

    def run(self):
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - no compiler, missing headers, ...
            warnings.warn(f"gleaner: C speedup not built ({exc}); using pure Python", stacklevel=1)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            warnings.warn(f"gleaner: {ext.name} not built ({exc}); using pure Python",
                          stacklevel=1)


def speedup_extensions() -> list:
    """The Cython extensions to build, or none when they cannot or should not be built."""
    if "bdist_egg" in sys.argv or os.environ.get("GLEANER_PURE_PYTHON"):
        return []
    try:
        import lxml
        from Cython.Build import cythonize
    except ImportError:
        return []
    ext = Extension("cleaning._speedups", ["cleaning/_speedups.pyx"], include_dirs=lxml.get_include())
    try:
        return cythonize([ext], quiet=True, compiler_directives={"language_level": 3})
    except Exception as exc:  # noqa: BLE001 - a Cython error must not stop the install
        warnings.warn(f"gleaner: cleaning/_speedups.pyx not compiled ({exc}); using pure Python",
                      stacklevel=1)
        return []


setup(ext_modules=speedup_extensions(), cmdclass={"build_ext": OptionalBuildExt})
