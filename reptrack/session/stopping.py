"""The signals that ask a program to stop (SIGTERM from `kill` or a service manager, SIGHUP
when the terminal closes) end a session the way Ctrl-C does: counting stops, everything is
saved, the session is closed. This turns them into a callback while a session runs."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def stop_signals_call(callback: Callable[[], None]) -> Iterator[None]:
    """Call `callback` (from the main thread, between two bytecodes: keep it to setting a flag
    or scheduling work) when a stop signal arrives; the previous handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    for sig in STOP_SIGNALS:
        signal.signal(sig, lambda signum, frame: callback())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
