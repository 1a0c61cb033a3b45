"""SIGTERM and SIGHUP end a validation the way Ctrl-C does: by an exception, so cleanup runs.

`timeout`, a CI cancel and a closed terminal send these; by default they
would kill the validator on the spot, leaving its scratch directory and
databases behind. While a run is open they raise `Terminated` instead; the
command line turns it into exit status 128 + the signal number. Cleanup itself
runs with these signals (and SIGINT) held back, so a second signal cannot cut
it short.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
HELD_DURING_CLEANUP = (signal.SIGINT, *STOP_SIGNALS)


class Terminated(BaseException):
    """The validator was asked to stop by a signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def _raise(signum: int, frame: Any) -> None:
    for stop in STOP_SIGNALS:  # the first one wins; cleanup must not be interrupted by a second
        signal.signal(stop, signal.SIG_IGN)
    raise Terminated(signum)


class StopSignals:
    """Raise Terminated on SIGTERM/SIGHUP between install() and restore() (main thread only)."""

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, _raise)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()


@contextmanager
def held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back for the duration; deliver them afterwards.

    Handlers are swapped rather than the signal mask changed: a mask is per
    thread, and the kernel would hand the signal to another thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: arrived.append(signum)) for signum in HELD_DURING_CLEANUP}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(arrived):
            signal.raise_signal(signum)
