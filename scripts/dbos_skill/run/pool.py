"""The parent side of snippet runs: one fork-server worker, N snippets in flight.

Every snippet gets its own directory under the run's scratch directory (work/
is its current directory, out/ holds its output and result, db/ its SQLite
files, tmp/ its TMPDIR), its own system database made from the run's template,
and an application database named by APP_DATABASE_URL. Snippets start longest
first (by the previous run's durations); results come back in the snippets' own
order. close() removes everything, on every exit path that can run code; the
next run sweeps what a SIGKILL left.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Optional

from ..model import Snippet, SnippetResult
from . import postgres, scratch, signals
from .child import RESULT_FILE, STDERR_FILE
from .history import Durations, key
from .judge import Finished, judge

MAX_DEFAULT_JOBS = 16
JOBS_PER_CPU = 4
STDERR_TAIL_BYTES = 4096
WORKER_EXIT_WAIT_S = 30
APP_DATABASE_VARIABLE = "APP_DATABASE_URL"
SYSTEM_DATABASE_VARIABLE = "DBOS_SYSTEM_DATABASE_URL"


class RunnerError(Exception):
    """Snippets could not be run at all (exit code 2)."""


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
    """Start it early (the worker imports dbos meanwhile), run snippets, close it."""

    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self._scratch: Optional[scratch.Scratch] = None
        self._worker: Optional[subprocess.Popen[bytes]] = None
        self._worker_log: Optional[IO[bytes]] = None
        self._databases: Optional[postgres.RunDatabases] = None
        self._problem: Optional[dict[str, str]] = None
        self._signals = signals.StopSignals()
        self._durations = Durations()

    @property
    def _root(self) -> Path:
        assert self._scratch is not None
        return self._scratch.root

    def start(self) -> None:
        self._signals.install()
        scratch.sweep()
        template: Optional[dict[str, Any]] = None
        if self.settings.postgres_url:
            self._databases = postgres.RunDatabases(self.settings.postgres_url)
            try:
                self._databases.open()
            except postgres.PostgresError as error:
                raise RunnerError(str(error)) from error
            self._problem = self._databases.create_template()
            if self._problem is None:
                template = {"kind": "postgres", "url": postgres.database_url(self.settings.postgres_url, self._databases.template)}
        self._scratch = scratch.Scratch()
        if template is None and self._problem is None:
            template = {"kind": "sqlite", "url": f"sqlite:///{self._root / 'template.sqlite'}"}
        self._worker_log = open(self._root / "worker.log", "wb")
        self._worker = subprocess.Popen(
            [sys.executable, "-m", "dbos_skill.run.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._worker_log,
        )
        self._write({"setup": {"template": template}})

    def run(self, snippets: list[Snippet], on_result: Optional[Callable[[SnippetResult], None]] = None) -> list[SnippetResult]:
        """Every snippet's result, in order. Raises EnvironmentProblem before running any if none can run.

        `on_result` hears of each result as it is known, in the order they finish (skipped ones first).
        """
        report = on_result or (lambda result: None)
        hello = self._receive()
        problem = self._problem or hello.get("problem")
        if problem:
            raise EnvironmentProblem(problem["message"], problem["help"])
        results: dict[int, SnippetResult] = {}
        runnable = []
        for index, snippet in enumerate(snippets):
            if snippet.expectation.kind == "skip":
                results[index] = SnippetResult(snippet=snippet, outcome="skipped", duration_s=0.0)
                report(results[index])
            else:
                runnable.append((index, key(self.settings.kind, snippet.code)))
        queue = self._durations.longest_first(runnable)
        queue.reverse()
        in_flight: dict[int, Path] = {}
        while queue or in_flight:
            while queue and len(in_flight) < self.settings.parallelism:
                index = queue.pop()
                in_flight[index] = self._submit(index, snippets[index])
            reply = self._receive()
            index = reply["id"]
            finished = self._finished(reply, in_flight.pop(index))
            if self._databases is not None:
                self._databases.drop([self._databases.system(index), self._databases.app(index)])
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
        worker, self._worker = self._worker, None
        try:
            if worker is not None:
                try:
                    worker.stdin.close()
                    worker.wait(timeout=WORKER_EXIT_WAIT_S)
                except (OSError, subprocess.TimeoutExpired):
                    worker.kill()
                    worker.wait()
                worker.stdout.close()
            if self._worker_log is not None:
                self._worker_log.close()
            if self._databases is not None:
                self._databases.close()
        finally:
            if self._scratch is not None:
                self._scratch.remove()

    def _submit(self, index: int, snippet: Snippet) -> Path:
        base = self._root / f"s{index:04d}"
        for name in ("work", "out", "db", "tmp"):
            (base / name).mkdir(parents=True)
        database, env = self._databases_for(index, base, snippet)
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

    def _databases_for(self, index: int, base: Path, snippet: Snippet) -> tuple[dict[str, Any], dict[str, str]]:
        """Where the example's system and application databases are, and the variables that name them."""
        if self._databases is None:
            system, app = base / "db" / "dbos.sqlite", base / "db" / "app.sqlite"
            database = {"kind": "sqlite", "template": str(self._root / "template.sqlite"), "system": str(system)}
            return database, {SYSTEM_DATABASE_VARIABLE: f"sqlite:///{system}", APP_DATABASE_VARIABLE: f"sqlite:///{app}"}
        assert self.settings.postgres_url is not None
        names = self._databases
        database = {
            "kind": "postgres",
            "admin_url": postgres.admin_url(self.settings.postgres_url),
            "template": names.template,
            "system": names.system(index),
            # Only an example that names the variable can use the database: the others skip a CREATE DATABASE.
            "app": names.app(index) if APP_DATABASE_VARIABLE in snippet.code else None,
        }
        env = {
            SYSTEM_DATABASE_VARIABLE: postgres.database_url(self.settings.postgres_url, names.system(index)),
            APP_DATABASE_VARIABLE: postgres.database_url(self.settings.postgres_url, names.app(index)),
        }
        return database, env

    def _write(self, message: dict[str, Any]) -> None:
        assert self._worker is not None
        try:
            self._worker.stdin.write((json.dumps(message) + "\n").encode())
            self._worker.stdin.flush()
        except BrokenPipeError as error:
            raise RunnerError(self._worker_failure()) from error

    def _receive(self) -> dict:
        assert self._worker is not None
        line = self._worker.stdout.readline()
        if not line:
            raise RunnerError(self._worker_failure())
        return json.loads(line)

    def _worker_failure(self) -> str:
        log = (self._root / "worker.log").read_text(errors="replace").strip().splitlines()
        return "the snippet worker stopped unexpectedly" + (f": {log[-1]}" if log else "")

    def _finished(self, reply: dict, base: Path) -> Finished:
        result_file = base / "out" / RESULT_FILE
        result = json.loads(result_file.read_text()) if result_file.exists() else None
        return Finished(
            status=reply["status"],
            returncode=reply["returncode"],
            duration_s=reply["duration_s"],
            result=result,
            stderr_tail=_tail(base / "out" / STDERR_FILE),
            timeout_s=self.settings.timeout_s,
        )


def _tail(file: Path) -> str:
    try:
        with open(file, "rb") as stream:
            stream.seek(max(0, file.stat().st_size - STDERR_TAIL_BYTES))
            return stream.read().decode(errors="replace")
    except OSError:
        return ""
