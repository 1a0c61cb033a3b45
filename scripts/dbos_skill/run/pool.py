"""The parent side of snippet runs: one fork-server worker, N snippets in flight.

Every snippet gets its own directory under the run's scratch directory (work/
is its current directory, out/ holds its output and result, db/ its SQLite
files, tmp/ its TMPDIR), its own system database made from the run's template,
and an application database named by APP_DATABASE_URL. Snippets start longest
first (by the previous run's durations); results come back in the snippets' own
order. close() removes everything, on every exit path that can run code; the
next run sweeps what a SIGKILL left.

The worker is started only when there is an example to run: early (prepare()
with start_worker, so that dbos's import overlaps the parsing) when the bundle looks
like it has one, else when run() finds one. If the worker dies during the run
(an example killed its parent, or the OOM killer chose it), what the run left
running is killed, a new worker is started, and the examples that were in
flight run again one at a time: one during which the worker dies again is the
cause, and is reported (X011).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Optional

from ..errors import UsageError
from ..model import Snippet, SnippetResult
from . import postgres, processes, scratch, signals
from .child import RESULT_FILE, STDERR_FILE, THREADS_FILE
from .history import Durations, key
from .judge import Finished, judge, worker_died

MAX_DEFAULT_JOBS = 16
JOBS_PER_CPU = 4
STDERR_TAIL_BYTES = 4096
WORKER_EXIT_WAIT_S = 30
UNREADY_RESTARTS = 1  # a worker killed (by a signal) while it imported dbos: once may be bad luck, twice is not
APP_DATABASE_VARIABLE = "APP_DATABASE_URL"
SYSTEM_DATABASE_VARIABLE = "DBOS_SYSTEM_DATABASE_URL"


class RunnerError(UsageError):
    """Snippets could not be run at all: a one-line reason, exit code 2 like any usage error."""


class _WorkerGone(Exception):
    """The worker's pipe closed: it died."""


class EnvironmentProblem(Exception):
    """This environment cannot run the examples; none was run."""

    def __init__(self, message: str, help: str) -> None:
        super().__init__(message)
        self.message = message
        self.help = help


@dataclass(frozen=True)
class RunSettings:
    timeout_s: float = 60.0
    jobs: Optional[int] = None
    postgres_url: Optional[str] = None
    path_prefix: str = ""

    @property
    def parallelism(self) -> int:
        return self.jobs or min(MAX_DEFAULT_JOBS, JOBS_PER_CPU * (os.cpu_count() or 1))

    @property
    def kind(self) -> str:
        return "postgres" if self.postgres_url else "sqlite"


class SnippetRunner:
    """Prepare it early (the worker imports dbos meanwhile), run snippets, close it."""

    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self.notes: list[str] = []  # what the user should know that is not a finding
        self._scratch: Optional[scratch.Scratch] = None
        self._worker: Optional[subprocess.Popen[bytes]] = None
        self._worker_log: Optional[IO[bytes]] = None
        self._databases: Optional[postgres.RunDatabases] = None
        self._problem: Optional[dict[str, str]] = None
        self._hello: Optional[dict[str, Any]] = None
        self._signals = signals.StopSignals()
        self._durations = Durations()
        self._attempts: dict[int, int] = {}  # index -> how many times it was submitted
        self._unready_restarts = 0

    @property
    def _root(self) -> Path:
        assert self._scratch is not None
        return self._scratch.root

    def prepare(self, start_worker: bool = True) -> None:
        """Sweep what dead runs left, open the run's databases and scratch directory; start the worker if asked."""
        if self._scratch is None:
            self._signals.install()
            scratch.sweep()
            if self.settings.postgres_url:
                self._databases = postgres.RunDatabases(self.settings.postgres_url)
                try:
                    self._databases.open()
                except postgres.PostgresError as error:
                    raise RunnerError(str(error)) from error
                if self._databases.swept:
                    self.notes.append(swept_note(self._databases.swept))
            self._scratch = scratch.Scratch()
            self._worker_log = open(self._root / "worker.log", "wb")
        if start_worker and self._worker is None:
            self._start_worker()

    def _start_worker(self) -> None:
        template: Optional[dict[str, Any]] = None
        env = {**os.environ, processes.RUN_VARIABLE: str(self._root)}  # marks every process of the run
        if self._databases is not None:
            env[postgres.SESSION_VARIABLE] = self._databases.session  # the run's examples' connections carry its name
            if self._problem is None and not self._databases.has_template:
                self._problem = self._databases.create_template()
            if self._problem is None:
                template = {"kind": "postgres", "url": postgres.database_url(self.settings.postgres_url or "", self._databases.template)}
        elif self._problem is None:
            template = {"kind": "sqlite", "url": f"sqlite:///{self._root / 'template.sqlite'}"}
        self._hello = None
        self._worker = subprocess.Popen(
            [sys.executable, "-m", "dbos_skill.run.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._worker_log,
            env=env,
        )
        self._write({"setup": {"template": template}})

    def _ready(self) -> dict[str, Any]:
        """The worker's answer to its setup. Killed by a signal first, it is started once more; RunnerError if it died."""
        while self._hello is None:
            try:
                self._hello = self._receive()
            except _WorkerGone as gone:
                how = self._bury_worker()
                if not how.startswith("killed") or self._unready_restarts >= UNREADY_RESTARTS:
                    raise RunnerError(self._worker_failure()) from gone
                self._unready_restarts += 1
                self.notes.append(f"the snippet worker died ({how}) before it was ready; it was started again")
                self._start_worker()
        return self._hello

    def run(self, snippets: list[Snippet], on_result: Optional[Callable[[SnippetResult], None]] = None) -> list[SnippetResult]:
        """Every snippet's result, in order. Raises EnvironmentProblem before running any if none can run.

        `on_result` hears of each result as it is known, in the order they finish (skipped ones first).
        """
        report = on_result or (lambda result: None)
        results: dict[int, SnippetResult] = {}
        runnable = []
        for index, snippet in enumerate(snippets):
            if snippet.expectation.kind == "skip":
                results[index] = SnippetResult(snippet=snippet, outcome="skipped", duration_s=0.0)
                report(results[index])
            else:
                runnable.append((index, key(self.settings.kind, snippet.code)))
        if runnable:
            self.prepare(start_worker=True)
            problem = self._problem or self._ready().get("problem")
            if problem:
                raise EnvironmentProblem(problem["message"], problem["help"])
        queue = self._durations.longest_first(runnable)
        queue.reverse()
        suspects: list[int] = []  # in flight when the worker died: run again one at a time
        in_flight: dict[int, Path] = {}
        while queue or suspects or in_flight:
            if suspects and not in_flight:
                index = suspects.pop()
                in_flight[index] = self._submit(index, snippets[index])
            retrying = any(self._attempts[index] > 1 for index in in_flight)
            while not suspects and not retrying and queue and len(in_flight) < self.settings.parallelism:
                index = queue.pop()
                in_flight[index] = self._submit(index, snippets[index])
            try:
                reply = self._receive()
            except _WorkerGone:
                how = self._bury_worker()
                lone = retrying and len(in_flight) == 1
                if self._databases is not None:  # no process of the run is left: end what their sessions still run
                    self._databases.end_sessions()
                for index in in_flight:
                    self._drop_databases(index)
                if lone:
                    index = next(iter(in_flight))
                    results[index] = worker_died(snippets[index], how)
                    report(results[index])
                else:
                    self.notes.append(
                        f"the snippet worker died ({how}) while {len(in_flight)} example(s) ran; they were run again one at a time"
                    )
                    suspects = sorted(in_flight, reverse=True) + suspects
                in_flight.clear()
                self._start_worker()
                self._ready()
                continue
            index = reply["id"]
            finished = self._finished(reply, in_flight.pop(index))
            self._drop_databases(index)
            if finished.status == "exited":
                self._durations.record(key(self.settings.kind, snippets[index].code), finished.duration_s)
            results[index] = judge(snippets[index], finished)
            report(results[index])
        self._durations.save()
        return [results[index] for index in range(len(snippets))]

    def close(self) -> None:
        """Stop the worker and remove the scratch directory and databases; signals wait until it is done."""
        try:
            with signals.held():
                self._close()
        finally:
            self._signals.restore()

    def _close(self) -> None:
        try:
            self._stop_worker()
            if self._worker_log is not None:
                self._worker_log.close()
            if self._databases is not None:
                self._databases.close()
        finally:
            if self._scratch is not None:
                self._scratch.remove()

    def _stop_worker(self) -> None:
        """End the worker (it kills what the examples left), then kill whatever of the run still lives."""
        worker, self._worker = self._worker, None
        if worker is not None:
            try:
                if not self._attempts:
                    worker.terminate()  # nothing was run: do not wait for it to finish importing dbos
                worker.stdin.close()
                worker.wait(timeout=WORKER_EXIT_WAIT_S)
            except (OSError, subprocess.TimeoutExpired):
                worker.kill()
                worker.wait()
            worker.stdout.close()
        if self._scratch is not None:
            processes.kill_run(self._root)  # the worker died before it could, or something escaped it

    def _bury_worker(self) -> str:
        """After the worker's pipe closed: reap it, kill what it left, and say how it ended."""
        worker = self._worker
        assert worker is not None
        self._stop_worker()
        code = worker.returncode
        if code is not None and code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"

    def _drop_databases(self, index: int) -> None:
        if self._databases is not None:
            attempt = self._attempts.get(index, 1)
            self._databases.drop([self._databases.system(index, attempt), self._databases.app(index, attempt)])

    def _submit(self, index: int, snippet: Snippet) -> Path:
        attempt = self._attempts[index] = self._attempts.get(index, 0) + 1
        base = self._root / (f"s{index:04d}" if attempt == 1 else f"s{index:04d}-{attempt}")
        for name in ("work", "out", "db", "tmp"):
            (base / name).mkdir(parents=True)
        database, env = self._databases_for(index, attempt, base, snippet)
        self._write(
            {
                "id": index,
                "filename": f"{self.settings.path_prefix}{snippet.path}",
                "code_line": snippet.code_line,
                "code": snippet.code,
                "workdir": str(base / "work"),
                "outdir": str(base / "out"),
                "env": {**env, "TMPDIR": str(base / "tmp")},
                "database": database,
                "timeout_s": self.settings.timeout_s,
            }
        )
        return base

    def _databases_for(self, index: int, attempt: int, base: Path, snippet: Snippet) -> tuple[dict[str, Any], dict[str, str]]:
        """Where the example's system and application databases are, and the variables that name them."""
        if self._databases is None:
            system, app = base / "db" / "dbos.sqlite", base / "db" / "app.sqlite"
            database = {"kind": "sqlite", "template": str(self._root / "template.sqlite"), "system": str(system)}
            return database, {SYSTEM_DATABASE_VARIABLE: f"sqlite:///{system}", APP_DATABASE_VARIABLE: f"sqlite:///{app}"}
        assert self.settings.postgres_url is not None
        names = self._databases
        system, app = names.system(index, attempt), names.app(index, attempt)
        database = {
            "kind": "postgres",
            "admin_url": postgres.admin_url(self.settings.postgres_url),
            "template": names.template,
            "system": system,
            # Only an example that names the variable can use the database: the others skip a CREATE DATABASE.
            "app": app if APP_DATABASE_VARIABLE in snippet.code else None,
        }
        env = {
            SYSTEM_DATABASE_VARIABLE: postgres.database_url(self.settings.postgres_url, system),
            APP_DATABASE_VARIABLE: postgres.database_url(self.settings.postgres_url, app),
        }
        return database, env

    def _write(self, message: dict[str, Any]) -> None:
        """Send a line to the worker; a dead worker is noticed when its answer is awaited."""
        assert self._worker is not None
        try:
            self._worker.stdin.write((json.dumps(message) + "\n").encode())
            self._worker.stdin.flush()
        except BrokenPipeError:
            pass

    def _receive(self) -> dict:
        assert self._worker is not None
        line = self._worker.stdout.readline()
        if not line.endswith(b"\n"):  # nothing, or the start of a line the worker died writing
            raise _WorkerGone()
        return json.loads(line)

    def _worker_failure(self) -> str:
        log = (self._root / "worker.log").read_text(errors="replace").strip().splitlines()
        return "the snippet worker stopped unexpectedly" + (f": {log[-1]}" if log else "")

    def _finished(self, reply: dict, base: Path) -> Finished:
        result_file = base / "out" / RESULT_FILE
        result = json.loads(result_file.read_text()) if result_file.exists() else None
        threads_file = base / "out" / THREADS_FILE
        waiting_for = tuple(json.loads(threads_file.read_text())) if result is None and threads_file.exists() else ()
        return Finished(
            status=reply["status"],
            returncode=reply["returncode"],
            duration_s=reply["duration_s"],
            result=result,
            stderr_tail=_tail(base / "out" / STDERR_FILE),
            timeout_s=self.settings.timeout_s,
            waiting_for=waiting_for,
        )


def swept_note(names: list[str]) -> str:
    runs = sorted({name.rsplit("_", 1)[0] for name in names})
    return f"dropped {len(names)} database(s) left by {len(runs)} run(s) that ended without cleaning up: {', '.join(runs)}"


def _tail(file: Path) -> str:
    try:
        with open(file, "rb") as stream:
            stream.seek(max(0, file.stat().st_size - STDERR_TAIL_BYTES))
            return stream.read().decode(errors="replace")
    except OSError:
        return ""
