"""An example that runs its own file in a child Python starts it warm: forked, not exec'd.

`subprocess.run([sys.executable, __file__, "crash"])` (to show recovery after a
crash) would pay a whole interpreter start and `import dbos` (about 0.45
CPU-s). Instead, before the example's code runs, its process forks a zygote
that holds the worker's clean state (dbos imported, no DBOS object, no
thread). A matching Popen asks the zygote to fork the child, which gets the
Popen's stdin/stdout/stderr, working directory, environment and arguments, and
runs the file as `__main__` as `python FILE ARGS` would: sys.path[0] is the
file's directory, uncaught exceptions print a traceback and exit 1, non-daemon
threads are joined and atexit handlers run at the end. Its pid is real (kill
and signals reach it), it is in the example's process group (or a session of
its own with start_new_session), and its exit status comes back through the
zygote.

Only the plain form is served warm: the interpreter itself, a path to an
existing file as the first argument, no shell, no preexec_fn, pass_fds, user,
group, umask or process group. Everything else starts a real interpreter.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any, Optional

from . import lifetime

_MAX_FDS = 3
_client: Optional["_Zygote"] = None
_records: Optional[str] = None  # where a warm child notes its arguments (child.py describes leftovers with them)


def available() -> bool:
    """Linux only: the zygote's socket must keep message boundaries and see its peer close."""
    return sys.platform.startswith("linux") and hasattr(socket, "SOCK_SEQPACKET") and hasattr(socket, "send_fds")


def install(records: Optional[str] = None) -> None:
    """Fork the zygote now (the process must still be clean) and route matching Popens to it.

    For each warm child the zygote writes `{"argv": [...]}` to `records/<pid>.json`: forked, not
    exec'd, the child keeps the worker's command line, so the process table cannot say what it runs.
    """
    global _client, _records
    _records = records
    _client = _Zygote()
    subprocess.Popen = _WarmPopen  # type: ignore[misc]


def close() -> None:
    """End the zygote (its children live on, as a real interpreter's would)."""
    global _client
    if _client is not None:
        _client.close()
        _client = None
    subprocess.Popen = _Popen  # type: ignore[misc]


_Popen = subprocess.Popen


class _Zygote:
    def __init__(self) -> None:
        self.socket, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.statuses: dict[int, int] = {}
        self._buffer = b""
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            self.socket.close()
            lifetime.die_with_parent(parent)
            _serve(theirs)
        theirs.close()

    def start(self, argv: list[str], cwd: str, env: dict[str, str], new_session: bool, fds: list[int]) -> int:
        request = json.dumps({"argv": argv, "cwd": cwd, "env": env, "new_session": new_session}).encode()
        socket.send_fds(self.socket, [request], fds)
        while True:
            message = self._next(None)
            if message is None:
                raise OSError("the warm interpreter's zygote is gone")
            if "started" in message:
                return message["started"]
            self.statuses[message["pid"]] = message["status"]

    def status(self, pid: int, timeout: Optional[float]) -> Optional[int]:
        """The wait status of `pid`, waiting up to `timeout` seconds (None: forever, 0: not at all)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while pid not in self.statuses:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            message = self._next(remaining)
            if message is None:
                return None
            if "pid" in message:
                self.statuses[message["pid"]] = message["status"]
            if deadline is not None and time.monotonic() >= deadline and pid not in self.statuses:
                return None
        return self.statuses[pid]

    def _next(self, timeout: Optional[float]) -> Optional[dict[str, Any]]:
        while b"\n" not in self._buffer:
            self.socket.settimeout(timeout)
            try:
                chunk = self.socket.recv(65536)
            except (socket.timeout, BlockingIOError):
                return None
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def close(self) -> None:
        self.socket.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _serve(connection: socket.socket) -> None:
    """The zygote: fork a child per request, report its pid and, when it ends, its wait status."""
    try:
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        selector = selectors.DefaultSelector()
        selector.register(connection, selectors.EVENT_READ)
        selector.register(wake_read, selectors.EVENT_READ)
        children: set[int] = set()
        open_ = True
        while open_ or children:
            for key, _ in selector.select(None if open_ else 0.05):
                if key.fileobj == wake_read:
                    try:
                        while os.read(wake_read, 4096):
                            pass
                    except BlockingIOError:
                        pass
                    continue
                message, fds, _, _ = socket.recv_fds(connection, 1 << 20, _MAX_FDS)
                if not message:
                    open_ = False
                    selector.unregister(connection)
                    children.clear()  # nobody is left to tell; the children live on
                    continue
                request = json.loads(message)
                pid = os.fork()
                if pid == 0:
                    _become_child(request, fds, connection, (wake_read, wake_write))
                if _records is not None:  # before the Popen returns: the example may end at once
                    write_record(_records, {"argv": request["argv"]}, pid)
                for fd in fds:
                    os.close(fd)
                children.add(pid)
                connection.sendall(json.dumps({"started": pid}).encode() + b"\n")
            while True:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                if pid in children:
                    children.discard(pid)
                    if open_:
                        connection.sendall(json.dumps({"pid": pid, "status": status}).encode() + b"\n")
    finally:
        os._exit(0)


def _become_child(request: dict[str, Any], fds: list[int], connection: socket.socket, wake_fds: tuple[int, int]) -> None:
    """In the forked child: take the Popen's streams, directory, environment and arguments; run the file."""
    code = 1
    try:
        connection.close()
        for fd in wake_fds:
            os.close(fd)
        signal.set_wakeup_fd(-1)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as Python sets it at start-up
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        if request["new_session"]:
            os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        script = request["argv"][1]
        sys.argv = request["argv"][1:]
        if hasattr(sys, "orig_argv"):
            sys.orig_argv = list(request["argv"])
        sys.path[0] = os.path.dirname(os.path.realpath(script))
        code = _run_as_main(script)
    finally:
        os._exit(code)


def write_record(directory: str, record: dict[str, Any], pid: int) -> None:
    """Note what process `pid` is in `directory/<pid>.json`; best effort, it must never fail the example."""
    try:
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, f"{pid}.json"), "w") as stream:
            json.dump(record, stream)
    except (OSError, TypeError, ValueError):
        pass


def _run_as_main(script: str) -> int:
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        code = _exit_code(stop.code)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        threading._shutdown()  # type: ignore[attr-defined]  # what the interpreter does at exit
        atexit._run_exitfuncs()
    except BaseException:
        sys.excepthook(*sys.exc_info())
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    return code


def _exit_code(code: Any) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


_PARAMETERS = ("args", "executable", "preexec_fn", "close_fds", "pass_fds", "cwd", "env", "startupinfo", "creationflags", "shell",
               "p2cread", "p2cwrite", "c2pread", "c2pwrite", "errread", "errwrite", "restore_signals", "gid", "gids", "uid", "umask",
               "start_new_session", "process_group")


class _WarmPopen(_Popen):  # type: ignore[misc, valid-type]
    _warm = False

    def _execute_child(self, *arguments: Any) -> None:
        given = dict(zip(_PARAMETERS, arguments))
        if _client is None or not _servable(given):
            return super()._execute_child(*arguments)
        streams = [given["p2cread"], given["c2pwrite"], given["errwrite"]]
        fds = [fd if fd != -1 else default for fd, default in zip(streams, (0, 1, 2))]
        env = given["env"]
        environment = dict(os.environ) if env is None else {_text(k): _text(v) for k, v in env.items()}
        cwd = os.fsdecode(given["cwd"]) if given["cwd"] is not None else os.getcwd()
        argv = [os.fsdecode(a) for a in given["args"]]
        try:
            self.pid = _client.start(argv, cwd, environment, bool(given["start_new_session"]), fds)
            self._warm = True
            self._child_created = True
        finally:
            self._close_pipe_fds(given["p2cread"], given["p2cwrite"], given["c2pread"], given["c2pwrite"], given["errread"], given["errwrite"])

    def _internal_poll(self, *arguments: Any, **keywords: Any) -> Optional[int]:
        if not self._warm:
            return super()._internal_poll(*arguments, **keywords)
        if self.returncode is None and _client is not None:
            status = _client.status(self.pid, 0)
            if status is not None:
                self._handle_exitstatus(status)
        return self.returncode

    def _wait(self, timeout: Optional[float]) -> int:
        if not self._warm:
            return super()._wait(timeout)
        if self.returncode is None:
            status = _client.status(self.pid, timeout) if _client is not None else None
            if status is None:
                if timeout is not None:
                    raise subprocess.TimeoutExpired(self.args, timeout)
                return self.returncode  # the zygote is gone: nothing more can be known
            self._handle_exitstatus(status)
        return self.returncode


def _text(value: Any) -> str:
    return os.fsdecode(value) if isinstance(value, (bytes, os.PathLike)) else str(value)


def _servable(given: dict[str, Any]) -> bool:
    args = given["args"]
    if given["shell"] or given["preexec_fn"] is not None or given["pass_fds"]:
        return False
    if any(given.get(name) not in (None, -1) for name in ("gid", "uid", "umask", "process_group")) or given.get("gids"):
        return False
    if not isinstance(args, (list, tuple)) or len(args) < 2:
        return False
    executable = os.fsdecode(given["executable"] or args[0])
    script = os.fsdecode(args[1])
    if os.path.realpath(executable) != os.path.realpath(sys.executable) or script.startswith("-"):
        return False
    cwd = os.fsdecode(given["cwd"]) if given["cwd"] is not None else os.getcwd()
    return os.path.isfile(os.path.join(cwd, script)) and not _called_from_asyncio()


def _called_from_asyncio() -> bool:
    """asyncio waits for its children itself (waitpid, pidfd): those must be real children."""
    frame = sys._getframe(2)
    while frame is not None:
        if str(frame.f_globals.get("__name__", "")).startswith("asyncio"):
            return True
        frame = frame.f_back
    return False
