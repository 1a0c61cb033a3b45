"""What a forked snippet process does: isolate itself, run the code as __main__, record the result.

Runs in a child forked from the worker, which has dbos imported already. It
makes its own databases (databases.py), dies with the worker where the system
allows (lifetime.py), and, if the example names sys.executable, forks the
zygote for warm child interpreters first (warm_python.py). The
result goes to `result.json` in the job's output directory.

When the example's code has run, the process ends as `python FILE` would:
threading's exit hooks (thread and process pools end their workers), then it
waits for the non-daemon threads left running (naming them in `threads.json`
meanwhile, so a time-out can say what it waited for), runs the atexit
handlers, then ends at once with os._exit, skipping the rest of interpreter
teardown. DBOS's executor keeps idle non-daemon workers after nearly every
example (76 of 85 in this bundle): its exit hook ends them at once.

Processes the example leaves running are killed and described (X008): by their
command line, or, for a fork that kept the worker's command line, by what it
noted at fork time in `processes/<pid>.json` (the example's line that forked
it, or the arguments of a warm child interpreter) and what it listens on.
"""

from __future__ import annotations

import atexit
import builtins
import json
import linecache
import logging
import os
import signal
import sys
import tempfile
import threading
import traceback
import types
import warnings
from typing import Any, NoReturn, Optional

import psutil

from ..snippets import padded_source
from . import databases, lifetime, processes, warm_python

RESULT_FILE = "result.json"
STDOUT_FILE = "stdout.txt"
STDERR_FILE = "stderr.txt"
THREADS_FILE = "threads.json"  # the non-daemon threads being waited for, while they are
PROCESS_RECORDS = "processes"  # what forked processes noted about themselves
THREAD_POLL_S = 0.05
EXIT_RUNNER_FAILED = 70
WARM_PYTHON_HINT = "sys.executable"  # only an example that names it can start the interpreter again


class _Recorder(logging.Handler):
    """Keeps every DBOS log record at WARNING or above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"DBOS logged {record.levelname}: {record.getMessage()}")


def execute(job: dict[str, Any], worker: int) -> NoReturn:
    """Run one job in this (freshly forked) process and exit."""
    try:
        os.setsid()
        _reset_signals()
        lifetime.die_with_parent(worker)
        _redirect_output(job["outdir"])
        os.chdir(job["workdir"])
        os.environ.update(job["env"])
        tempfile.tempdir = None
        databases.prepare(job["database"])
        records = os.path.join(job["outdir"], PROCESS_RECORDS)
        warm = WARM_PYTHON_HINT in job["code"] and warm_python.available()
        if warm:
            warm_python.install(records)  # before the example's code: the zygote must be forked clean
        _record_forks(records, job["filename"])
        result = _run(job)
        _exit_threads(os.path.join(job["outdir"], THREADS_FILE), job["filename"])  # as the interpreter does at exit
        atexit._run_exitfuncs()  # what a normal exit runs, e.g. multiprocessing's cleanup
        if warm:
            warm_python.close()
        result["leftover"] = _stop_leftover_processes(records, job["filename"])
        _write_result(job["outdir"], result)
    except BaseException:  # the runner itself failed: the parent reports the exit code and this
        traceback.print_exc()
        os._exit(EXIT_RUNNER_FAILED)
    os._exit(0)


def _reset_signals() -> None:
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _redirect_output(outdir: str) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, name in ((1, STDOUT_FILE), (2, STDERR_FILE)):
        target = os.open(os.path.join(outdir, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)


def _run(job: dict[str, Any]) -> dict[str, Any]:
    filename = job["filename"]
    source = padded_source(job["code_line"], job["code"])
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    script = os.path.join(job["outdir"], os.path.basename(filename).replace(".", "_") + f"_{job['code_line']}.py")
    with open(script, "w") as copy:
        copy.write(source)  # what __file__ names, so an example can run itself again
    module = types.ModuleType("__main__")
    module.__dict__.update(__builtins__=builtins, __file__=script)
    sys.modules["__main__"] = module
    sys.argv = [script]
    recorder = _Recorder()
    dbos_logger = logging.getLogger("dbos")
    dbos_logger.addHandler(recorder)
    enabled = dbos_logger.isEnabledFor
    # A log_level above WARNING in the example's config must not hide warnings from the runner.
    dbos_logger.isEnabledFor = lambda level: level >= logging.WARNING or enabled(level)  # type: ignore[method-assign]
    warned: list[str] = []
    warnings.simplefilter("default")
    show = warnings.showwarning

    def record_warning(message: Any, category: type, path: str, lineno: int, file: Any = None, line: Any = None) -> None:
        warned.append(f"{category.__name__}: {message} ({path}:{lineno})")
        show(message, category, path, lineno, file, line)

    warnings.showwarning = record_warning
    result: dict[str, Any] = {"status": "ok"}
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
    except SystemExit as stop:
        if stop.code not in (None, 0):
            result = {"status": "exit", "message": f"SystemExit: {stop.code}", "line": _snippet_line(stop, filename)}
    except BaseException as error:
        result = _describe_exception(error, filename)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    result["warnings"] = warned + recorder.messages
    return result


def _describe_exception(error: BaseException, filename: str) -> dict[str, Any]:
    own_frames = error.__traceback__.tb_next if error.__traceback__ else None
    formatted = traceback.format_exception(type(error), error, own_frames)
    return {
        "status": "exception",
        "types": [f"{cls.__module__}.{cls.__qualname__}" for cls in type(error).__mro__],
        "message": traceback.format_exception_only(type(error), error)[-1].strip(),
        "traceback": "".join(formatted),
        "line": _snippet_line(error, filename),
    }


def _snippet_line(error: BaseException, filename: str) -> int | None:
    """The deepest line of the snippet itself that the exception passed through."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [frame.lineno for frame in frames if frame.filename == filename]
    return own[-1] if own else None


def _record_forks(records: str, filename: str) -> None:
    """Every fork made through os.fork (multiprocessing's fork context too) is noted with the example's line that made it.

    The parent writes the note before os.fork returns to it, so it is there however soon the
    example ends; forks of forks are noted by their own parent, which inherits this os.fork.
    """
    fork = os.fork

    def noted_fork() -> int:
        line = _example_line(sys._getframe(1), filename)
        pid = fork()
        if pid:
            warm_python.write_record(records, {"line": line}, pid)
        return pid

    os.fork = noted_fork  # type: ignore[assignment]


def _example_line(frame: Optional[types.FrameType], filename: str) -> Optional[int]:
    """The innermost line of the example's own code on the stack."""
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _exit_threads(status_file: str, filename: str) -> None:
    """What the interpreter does at exit before the atexit handlers (threading._shutdown), watched.

    threading's exit hooks run first (thread and process pools end their workers once their
    tasks are done), then every non-daemon thread is waited for. A thread that never ends keeps
    `python FILE` from exiting: here the example's time limit ends it, and `status_file` names
    the threads being waited for, so the runner can say which.
    """
    hooks = list(getattr(threading, "_threading_atexits", ()))
    if not hooks and not _non_daemon_threads():
        return
    running_hooks = threading.Thread(target=_run_hooks, args=(hooks,), name="dbos-skill exit hooks", daemon=True)
    running_hooks.start()
    shown: list[str] = []
    while True:
        left = _non_daemon_threads()
        if not left and not running_hooks.is_alive():
            break
        described = [_describe_thread(thread, filename) for thread in left]
        if described != shown:
            _write_json(status_file, described)
            shown = described
        (running_hooks if running_hooks.is_alive() else left[0]).join(THREAD_POLL_S)
    if shown:
        os.unlink(status_file)


def _run_hooks(hooks: list[Any]) -> None:
    for hook in reversed(hooks):  # the order threading._shutdown uses
        try:
            hook()
        except Exception:
            traceback.print_exc()


def _non_daemon_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread is not threading.main_thread() and not thread.daemon and thread.is_alive()]


def _describe_thread(thread: threading.Thread, filename: str) -> str:
    code = getattr(getattr(thread, "_target", None), "__code__", None)
    where = f" ({filename}:{code.co_firstlineno})" if code is not None and code.co_filename == filename else ""
    return f"`{thread.name}`{where}"


def _stop_leftover_processes(records: str, filename: str) -> list[str]:
    """Kill what the snippet left running (its process group and its descendants); say what it was."""
    me = os.getpid()
    doomed = {p.pid: p for p in processes.group_members(me) + processes.descendants(me) if p.pid != me}
    mine = processes.command_line(psutil.Process(me))
    described = {pid: _describe_process(p, mine, records, filename) for pid, p in doomed.items()}
    return [f"pid {p.pid}: {described[p.pid]}" for p in sorted(processes.kill(doomed.values()), key=lambda p: p.pid)]


def _describe_process(process: psutil.Process, mine: str, records: str, filename: str) -> str:
    """What a leftover process is: its command line, unless it is a fork that kept the worker's."""
    command = processes.command_line(process)
    if command != mine:
        what = command
    else:
        record = _read_json(os.path.join(records, f"{process.pid}.json"))
        if isinstance(record, dict) and isinstance(record.get("argv"), list):
            what = f"a child interpreter running the example again with arguments {record['argv'][2:]!r}"
        elif isinstance(record, dict) and record.get("line"):
            what = f"a fork of the example's process, made at {filename}:{record['line']}"
        else:
            what = "a fork of the example's process"
    listening = processes.listening(process)
    return what + (f", listening on {', '.join(listening)}" if listening else "")


def _read_json(path: str) -> Any:
    try:
        with open(path) as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None


def _write_json(path: str, value: Any) -> None:
    partial = path + ".part"
    with open(partial, "w") as stream:
        json.dump(value, stream)
    os.replace(partial, path)


def _write_result(outdir: str, result: dict[str, Any]) -> None:
    _write_json(os.path.join(outdir, RESULT_FILE), result)
