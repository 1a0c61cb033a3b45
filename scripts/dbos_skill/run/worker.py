"""The fork server: imports dbos once, then forks one isolated process per snippet.

Protocol, one JSON object per line: jobs arrive on stdin; for each finished job
a line {"id", "status": "exited" | "timeout", "returncode", "duration_s"} goes
to stdout. Closing stdin shuts the worker down: every process still running
is killed first. The worker stays single-threaded, so forking is safe.
"""

from __future__ import annotations

import ctypes
import json
import os
import selectors
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

from .processes import process_table

PR_SET_CHILD_SUBREAPER = 36
PREWARMED_MODULES = ("dbos", "sqlalchemy", "psycopg")


@dataclass
class _Running:
    job_id: int
    started: float
    deadline: float
    timed_out: bool = False


def main() -> None:
    for name in PREWARMED_MODULES:
        __import__(name)
    from . import child

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _become_subreaper()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    os.set_blocking(wake_read, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ, "jobs")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    running: dict[int, _Running] = {}
    pending = b""
    accepting = True
    while accepting or running:
        timeout = _next_wakeup(running)
        for key, _ in selector.select(timeout):
            if key.data == "wake":
                _drain(wake_read)
                continue
            chunk = os.read(0, 1 << 16)
            if not chunk:
                accepting = False
                selector.unregister(0)
                _kill_all(running)
                continue
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.strip():
                    job = json.loads(line)
                    pid = _fork(job, child, (wake_read, wake_write))
                    now = time.monotonic()
                    running[pid] = _Running(job_id=job["id"], started=now, deadline=now + job["timeout_s"])
        _reap(running)
        now = time.monotonic()
        for pid, state in running.items():
            if not state.timed_out and now >= state.deadline:
                state.timed_out = True
                _kill_group(pid)
    _kill_orphans()


def _next_wakeup(running: dict[int, _Running]) -> float | None:
    """Seconds until the next deadline; killed processes are polled until reaped."""
    if not running:
        return None
    live = [r.deadline for r in running.values() if not r.timed_out]
    if not live:
        return 0.05
    return max(0.0, min(live) - time.monotonic())


def _become_subreaper() -> None:
    """Orphans of snippet processes are re-parented here, so they can be found and killed."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _fork(job: dict[str, Any], child: Any, wake_fds: tuple[int, int]) -> int:
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        for fd in wake_fds:
            os.close(fd)
        child.execute(job)
    return pid


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def _reap(running: dict[int, _Running]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        state = running.pop(pid, None)
        if state is None:
            continue  # an orphan re-parented to this subreaper
        _kill_group(pid)
        _send(
            {
                "id": state.job_id,
                "status": "timeout" if state.timed_out else "exited",
                "returncode": os.waitstatus_to_exitcode(status),
                "duration_s": time.monotonic() - state.started,
            }
        )


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_all(running: dict[int, _Running]) -> None:
    for pid in running:
        _kill_group(pid)


def _kill_orphans() -> None:
    """Kill and reap whatever escaped its process group and was re-parented here."""
    me = os.getpid()
    for pid, info in process_table().items():
        if info.parent == me:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
    while True:
        try:
            if os.waitpid(-1, 0)[0] == 0:
                break
        except ChildProcessError:
            break


def _send(message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        written = os.write(1, data)
        data = data[written:]


if __name__ == "__main__":
    main()
