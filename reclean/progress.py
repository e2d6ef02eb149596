"""Progress of a re-cleaning run on stderr: a live line on a terminal, log lines otherwise."""
from __future__ import annotations

import sys
import time
from typing import TextIO

LIVE_INTERVAL_S = 0.5
LOG_INTERVAL_S = 15.0


def format_duration(seconds: float) -> str:
    """H:MM:SS.

    >>> format_duration(3725.4)
    '1:02:05'
    """
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def format_bytes(n: float) -> str:
    """Bytes in a short human form.

    >>> format_bytes(1536), format_bytes(3 * 1024 ** 3)
    ('1.5 KiB', '3.0 GiB')
    """
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


class Progress:
    """Pages done, rate, share of input bytes read, and ETA (from the byte share)."""

    def __init__(self, total_bytes: int, stream: TextIO | None = None,
                 live: bool | None = None, interval: float | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.interval = interval or (LIVE_INTERVAL_S if self.live else LOG_INTERVAL_S)
        self.total_bytes = max(total_bytes, 1)
        self.started = time.monotonic()
        self.last = self.started
        self.pages = 0
        self.bytes_done = 0

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.pages / elapsed if elapsed > 0 else 0.0
        share = min(self.bytes_done / self.total_bytes, 1.0)
        eta = elapsed * (1 - share) / share if share > 0 else float("nan")
        eta_text = format_duration(eta) if share > 0 else "?"
        return (f"reclean: {self.pages} pages, {rate:.1f} pages/s, {share:.0%} of "
                f"{format_bytes(self.total_bytes)}, elapsed {format_duration(elapsed)}, "
                f"ETA {eta_text}")

    def update(self, pages: int, bytes_done: int) -> None:
        """Add finished pages; set the bytes of input consumed so far; print when due."""
        self.pages += pages
        self.bytes_done = bytes_done
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self.emit()

    def emit(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[2K" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def finish(self) -> None:
        self.emit()
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
