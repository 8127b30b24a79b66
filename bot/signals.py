"""Stopping politely: SIGTERM (what Docker, Render and systemd send) and SIGINT (Ctrl-C)."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def on_stop_signal(stop: Callable[[], object]) -> Iterator[None]:
    """Call `stop` when SIGTERM or SIGINT arrives while the block runs, instead of dying
    mid-write. Signals reach the main thread only, so elsewhere (a test driving the command
    from a worker thread) nothing is installed and the caller stops the work itself."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop)
    try:
        yield
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
