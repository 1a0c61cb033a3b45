"""The parent side of snippet runs: one fork-server worker, N snippets in flight.

Every snippet gets its own directory under one temporary root (work/ is its
current directory, out/ holds its output and result, db/ its SQLite file) and
its own system database; results come back in the snippets' own order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Optional

from ..model import Snippet, SnippetResult
from . import postgres
from .child import RESULT_FILE, STDERR_FILE
from .judge import Finished, judge

MAX_DEFAULT_JOBS = 16
JOBS_PER_CPU = 4
STDERR_TAIL_BYTES = 4096


class RunnerError(Exception):
    """Snippets could not be run at all (exit code 2)."""


@dataclass(frozen=True)
class RunSettings:
    timeout_s: float = 60.0
    jobs: Optional[int] = None
    postgres_url: Optional[str] = None
    path_prefix: str = ""

    @property
    def parallelism(self) -> int:
        return self.jobs or min(MAX_DEFAULT_JOBS, JOBS_PER_CPU * (os.cpu_count() or 1))


class SnippetRunner:
    """Start it early (the worker imports dbos meanwhile), run snippets, close it."""

    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self._root: Optional[Path] = None
        self._worker: Optional[subprocess.Popen[bytes]] = None
        self._worker_log: Optional[IO[bytes]] = None
        self._databases: list[str] = []
        self._token = postgres.run_token()

    def start(self) -> None:
        if self.settings.postgres_url:
            try:
                postgres.check_server(self.settings.postgres_url)
            except postgres.PostgresError as error:
                raise RunnerError(str(error)) from error
        self._root = Path(tempfile.mkdtemp(prefix="dbos-skill-"))
        self._worker_log = open(self._root / "worker.log", "wb")
        self._worker = subprocess.Popen(
            [sys.executable, "-m", "dbos_skill.run.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._worker_log,
        )

    def run(self, snippets: list[Snippet]) -> list[SnippetResult]:
        results: dict[int, SnippetResult] = {}
        queue: list[int] = []
        for index, snippet in enumerate(snippets):
            if snippet.expectation.kind == "skip":
                results[index] = SnippetResult(snippet=snippet, outcome="skipped", duration_s=0.0)
            else:
                queue.append(index)
        queue.reverse()
        in_flight: dict[int, Path] = {}
        while queue or in_flight:
            while queue and len(in_flight) < self.settings.parallelism:
                index = queue.pop()
                in_flight[index] = self._submit(index, snippets[index])
            reply = self._receive()
            index = reply["id"]
            results[index] = judge(snippets[index], self._finished(reply, in_flight.pop(index)))
        return [results[index] for index in range(len(snippets))]

    def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            try:
                worker.stdin.close()
                worker.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                worker.kill()
                worker.wait()
            worker.stdout.close()
        if self._worker_log is not None:
            self._worker_log.close()
        try:
            if self.settings.postgres_url:
                postgres.drop_databases(self.settings.postgres_url, self._databases)
        finally:
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)

    def _submit(self, index: int, snippet: Snippet) -> Path:
        assert self._root is not None and self._worker is not None
        base = self._root / f"s{index:04d}"
        for name in ("work", "out", "db", "tmp"):
            (base / name).mkdir(parents=True)
        job = {
            "id": index,
            "filename": f"{self.settings.path_prefix}{snippet.path}",
            "code_line": snippet.code_line,
            "code": snippet.code,
            "workdir": str(base / "work"),
            "outdir": str(base / "out"),
            "env": {"DBOS_SYSTEM_DATABASE_URL": self._database_for(index, base), "TMPDIR": str(base / "tmp")},
            "timeout_s": self.settings.timeout_s,
        }
        try:
            self._worker.stdin.write((json.dumps(job) + "\n").encode())
            self._worker.stdin.flush()
        except BrokenPipeError as error:
            raise RunnerError(self._worker_failure()) from error
        return base

    def _database_for(self, index: int, base: Path) -> str:
        if not self.settings.postgres_url:
            return f"sqlite:///{base / 'db' / 'dbos.sqlite'}"
        name = f"{self._token}_{index:04d}"
        self._databases.append(name)
        return postgres.database_url(self.settings.postgres_url, name)

    def _receive(self) -> dict:
        assert self._worker is not None
        line = self._worker.stdout.readline()
        if not line:
            raise RunnerError(self._worker_failure())
        return json.loads(line)

    def _worker_failure(self) -> str:
        assert self._root is not None
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
