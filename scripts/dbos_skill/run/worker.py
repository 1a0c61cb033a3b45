"""The fork server: imports dbos once, then forks one isolated process per snippet.

Protocol, one JSON object per line. The first line on stdin is the setup
({"setup": {"template": ...}}); the worker answers {"ready": true, "problem":
null or a one-line reason the examples cannot run here}. Then jobs arrive on
stdin; for each finished job a line {"id", "status": "exited" | "timeout",
"returncode", "duration_s"} goes to stdout.

The worker shuts down, killing every snippet process and everything they left
behind, when its stdin closes (the validator ended, however it ended), when its
parent changes (the validator died and something else holds the pipe), or on
SIGTERM or SIGHUP. It ignores SIGINT: Ctrl-C reaches the validator, which
closes the pipe. It stays single-threaded, so forking is safe.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

from . import lifetime, processes

PREWARMED_MODULES = ("dbos", "sqlalchemy", "psycopg")
PARENT_CHECK_INTERVAL_S = 1.0
REAP_POLL_S = 0.05
WORKER_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@dataclass
class _Running:
    job_id: int
    started: float
    deadline: float
    timed_out: bool = False


class _Stop(BaseException):
    """Shut down now: the validator is gone or asked for it."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stop


def main() -> None:
    parent = os.getppid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in WORKER_STOP_SIGNALS:
        signal.signal(signum, _stop)
    for name in PREWARMED_MODULES:
        __import__(name)
    from . import child, environment, fast_waits, templates

    fast_waits.apply()
    lifetime.become_subreaper()
    gc.collect()
    gc.freeze()  # the imported modules stay out of the children's collections: fewer copied pages
    running: dict[int, _Running] = {}
    try:
        line, pending = _read_line(b"")
        setup = json.loads(line).get("setup") if line else None
        if setup is None:
            raise _Stop
        problem = environment.problem(setup) or templates.build(setup.get("template"))
        _send({"ready": True, "problem": problem})
        _serve(child, parent, running, pending)
    except _Stop:
        pass
    finally:
        _shut_down(running)


def _read_line(pending: bytes) -> tuple[bytes, bytes]:
    """One line from stdin (empty at end of input) and what was read past it."""
    while b"\n" not in pending:
        chunk = os.read(0, 1 << 16)
        if not chunk:
            return b"", b""
        pending += chunk
    line, rest = pending.split(b"\n", 1)
    return line, rest


def _serve(child: Any, parent: int, running: dict[int, _Running], pending: bytes) -> None:
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    os.set_blocking(wake_read, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ, "jobs")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    pending = _start_jobs(pending, child, running, (wake_read, wake_write))
    while True:
        for key, _ in selector.select(_next_wakeup(running)):
            if key.data == "wake":
                _drain(wake_read)
                continue
            chunk = os.read(0, 1 << 16)
            if not chunk:
                raise _Stop
            pending = _start_jobs(pending + chunk, child, running, (wake_read, wake_write))
        if os.getppid() != parent:
            raise _Stop
        _reap(running)
        now = time.monotonic()
        for pid, state in running.items():
            if not state.timed_out and now >= state.deadline:
                state.timed_out = True
                _kill_group(pid)


def _start_jobs(pending: bytes, child: Any, running: dict[int, _Running], wake_fds: tuple[int, int]) -> bytes:
    *lines, rest = pending.split(b"\n")
    for line in lines:
        if line.strip():
            job = json.loads(line)
            pid = _fork(job, child, wake_fds)
            now = time.monotonic()
            running[pid] = _Running(job_id=job["id"], started=now, deadline=now + job["timeout_s"])
    return rest


def _next_wakeup(running: dict[int, _Running]) -> float:
    """Seconds until the next deadline (killed processes are polled until reaped), at most the parent check."""
    live = [r.deadline for r in running.values() if not r.timed_out]
    if len(live) < len(running):
        return REAP_POLL_S
    if not live:
        return PARENT_CHECK_INTERVAL_S
    return min(PARENT_CHECK_INTERVAL_S, max(0.0, min(live) - time.monotonic()))


def _fork(job: dict[str, Any], child: Any, wake_fds: tuple[int, int]) -> int:
    sys.stdout.flush()
    worker = os.getpid()
    signal.pthread_sigmask(signal.SIG_BLOCK, WORKER_STOP_SIGNALS)  # the child resets the handlers first
    pid = os.fork()
    if pid == 0:
        try:
            for fd in wake_fds:
                os.close(fd)
            child.execute(job, worker)
        finally:
            os._exit(child.EXIT_RUNNER_FAILED)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, WORKER_STOP_SIGNALS)
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


def _shut_down(running: dict[int, _Running]) -> None:
    """Kill every snippet's process group, then whatever escaped to this subreaper, until nothing is left."""
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_IGN if signum != signal.SIGCHLD else signal.SIG_DFL)
    for pid in running:
        _kill_group(pid)
    me = os.getpid()
    while True:
        for process in processes.kill(processes.children(me)):
            _kill_group(process.pid)
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _send(message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        written = os.write(1, data)
        data = data[written:]


if __name__ == "__main__":
    main()
