"""Shared fixtures: the mock HTTP server (tests/mockserver.py) in a child process."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def mockserver() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``) of a running mock server."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.mockserver"], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), f"mock server did not start: {url!r}"
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)
