"""Shared fixtures: the mock HTTP server (tests/mockserver.py) in a child process."""
from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def running_mockserver() -> Iterator[str]:
    """Start ``python -m tests.mockserver``; yield its base URL; kill it at the end."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.mockserver"], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), f"mock server did not start: {url!r}"
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def mockserver() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``) of a mock server shared by the session
    (do not change its state; use ``running_mockserver()`` for a private one)."""
    with running_mockserver() as url:
        yield url


@pytest.fixture()
def private_mockserver() -> Iterator[str]:
    """A mock server of one's own (e.g. to switch it to its second edition)."""
    with running_mockserver() as url:
        yield url
