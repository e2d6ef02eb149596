"""The dependency rule of DESIGN.md: cleaning/ is a plain library, schema is stdlib-only."""
import subprocess
import sys

import pytest

CHECK = """
import sys
import {module}
bad = sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})
print(','.join(bad))
"""


@pytest.mark.parametrize("module,forbidden", [
    ("cleaning", ("scrapy", "pandas", "twisted", "pyarrow", "crawler", "pipelines")),
    ("output.schema", ("scrapy", "pandas", "lxml", "pyarrow", "cleaning", "crawler")),
])
def test_module_does_not_load(module, forbidden):
    out = subprocess.run([sys.executable, "-c", CHECK.format(module=module, forbidden=forbidden)],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing {module} loaded {out}"


def test_nothing_imports_crawler():
    import pathlib
    root = pathlib.Path(__file__).resolve().parent.parent
    offenders = [str(p.relative_to(root)) for pkg in ("cleaning", "output", "pipelines", "reclean")
                 for p in (root / pkg).rglob("*.py")
                 if "from crawler" in p.read_text() or "import crawler" in p.read_text()]
    assert offenders == []
