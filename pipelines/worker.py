"""Start-up of a cleaning worker process (stdlib only: workers never import Scrapy).

``init_clean_worker`` warms the cleaning imports and starts a watchdog thread that ends
the worker when the crawl process is gone. Without it a SIGKILLed crawl leaves its
pool behind: a ProcessPoolExecutor worker holds both ends of its own call queue, so it
never sees EOF, and the forkserver and resource tracker wait for it.
"""
from __future__ import annotations

import importlib
import os
import signal
import threading
import time

WATCH_INTERVAL_S = 0.5


def process_alive(pid: int) -> bool:
    """True while pid runs (a zombie counts as gone).

    >>> process_alive(os.getpid())
    True
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def watch_parent(parent_pid: int, interval: float = WATCH_INTERVAL_S) -> None:
    while process_alive(parent_pid):
        time.sleep(interval)
    os._exit(0)


def init_clean_worker(parent_pid: int) -> None:
    """Pool initializer: import cleaning once, exit when parent_pid dies, and leave Ctrl-C
    to the crawl (which stops gracefully and shuts the pool down itself)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    importlib.import_module("cleaning")
    threading.Thread(target=watch_parent, args=(parent_pid,), name="parent-watchdog",
                     daemon=True).start()
