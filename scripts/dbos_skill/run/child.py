"""What a forked snippet process does: isolate itself, run the code as __main__, record the result.

Runs in a child forked from the worker, which has dbos imported already. It
makes its own databases (databases.py), dies with the worker where the system
allows (lifetime.py), and, if the example names sys.executable, forks the
zygote for warm child interpreters first (warm_python.py). The
result goes to `result.json` in the job's output directory. The atexit handlers
run as on a normal exit, then the process ends at once with os._exit, skipping
the rest of interpreter teardown (such as joining DBOS's threads).
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
import traceback
import types
import warnings
from typing import Any, NoReturn

from ..snippets import padded_source
from . import databases, lifetime, processes, warm_python

RESULT_FILE = "result.json"
STDOUT_FILE = "stdout.txt"
STDERR_FILE = "stderr.txt"
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
        warm = WARM_PYTHON_HINT in job["code"] and warm_python.available()
        if warm:
            warm_python.install()  # before the example's code: the zygote must be forked clean
        result = _run(job)
        atexit._run_exitfuncs()  # what a normal exit runs, e.g. multiprocessing's cleanup
        if warm:
            warm_python.close()
        result["leftover"] = _stop_leftover_processes()
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


def _stop_leftover_processes() -> list[str]:
    """Kill what the snippet left running (its process group and its descendants); say what it was."""
    me = os.getpid()
    doomed = {p.pid: p for p in processes.group_members(me) + processes.descendants(me) if p.pid != me}
    described = {pid: processes.command_line(p) for pid, p in doomed.items()}
    return [f"pid {p.pid}: {described[p.pid]}" for p in sorted(processes.kill(doomed.values()), key=lambda p: p.pid)]


def _write_result(outdir: str, result: dict[str, Any]) -> None:
    partial = os.path.join(outdir, RESULT_FILE + ".part")
    with open(partial, "w") as stream:
        json.dump(result, stream)
    os.replace(partial, os.path.join(outdir, RESULT_FILE))
