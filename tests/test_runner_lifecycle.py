"""However a validation ends, nothing of it stays: no process, no scratch directory, no database.

Each test starts a real `dbos-skill validate` on a bundle whose example loops
forever (and starts a helper process and a fork, each in a session of its own
and outside the run's directories), sends a real signal, then checks causally:
the processes are gone, the directories and databases are gone. Waits poll a
condition with a generous deadline; nothing here depends on how fast the
machine is.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import psutil
import pytest

from conftest import FIXTURES, REPO, materialize

LOOP_BUNDLE = FIXTURES / "run-loop"
DEADLINE_S = 120.0


class Run:
    """One `dbos-skill validate` process, in a session of its own, with its own TMPDIR."""

    def __init__(self, bundle: Path, sandbox: Path, *options: str) -> None:
        self.markers = sandbox / "markers"
        self.markers.mkdir(parents=True, exist_ok=True)
        env = dict(
            os.environ,
            TMPDIR=str(sandbox / "tmp"),
            DBOS_SKILL_TEST_MARKERS=str(self.markers),
            DBOS_SKILL_CACHE_DIR=str(sandbox / "cache"),
            PYTHONPATH=os.environ.get("LIFECYCLE_PYTHONPATH", str(REPO / "scripts")),
        )
        (sandbox / "tmp").mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dbos_skill", "validate", str(bundle), "--timeout", "600", *options],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def looping(self, attempt: int = 1) -> list[int]:
        """The pids of the looping example, its helper and its fork, once the example has started (`attempt` times)."""
        wait_for(lambda: len(list(self.markers.glob("*.pids"))) >= attempt, "the looping example to start")
        marker = sorted(self.markers.glob("*.pids"), key=lambda path: path.stat().st_mtime_ns)[attempt - 1]
        wait_for(lambda: marker.read_text().endswith("\n"), "the marker to be written")
        return [int(pid) for pid in marker.read_text().split()]

    def worker(self) -> psutil.Process:
        return next(p for p in psutil.Process(self.process.pid).children() if "dbos_skill.run.worker" in p.cmdline())

    def finish(self) -> tuple[int, str]:
        _, stderr = self.process.communicate(timeout=DEADLINE_S)
        return self.process.returncode, stderr.decode()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def scratch_dirs(sandbox: Path) -> list[Path]:
    """Everything in the run's TMPDIR: only the validator writes there."""
    return sorted((sandbox / "tmp").iterdir())


def run_databases(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as connection:
        return {row[0] for row in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE 'dbos\\_skill\\_run\\_%'")}


def quick_run(sandbox: Path, *options: str) -> None:
    """A whole, short validation with the same TMPDIR (and server): the next run after a killed one."""
    bundle = materialize(FIXTURES / "static" / "api-removed-declared", sandbox / "quick")
    run = Run(bundle, sandbox, *options)
    code, stderr = run.finish()
    assert code in (0, 1), stderr


@pytest.mark.parametrize(
    "signum, exit_code",
    [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGHUP, 128 + signal.SIGHUP), (signal.SIGINT, 2)],
    ids=["SIGTERM", "SIGHUP", "SIGINT"],
)
def test_a_signal_ends_the_run_and_leaves_nothing(tmp_path: Path, example_options: tuple[str, ...], signum: int, exit_code: int) -> None:
    run = Run(LOOP_BUNDLE, tmp_path, *example_options)
    pids = run.looping()
    run.process.send_signal(signum)
    code, stderr = run.finish()
    assert code == exit_code, stderr
    assert "Traceback" not in stderr
    wait_for(lambda: all(gone(pid) for pid in pids), "the looping example and its helper to die")
    assert scratch_dirs(tmp_path) == []


def test_when_the_validator_is_killed_its_examples_die_and_the_next_run_sweeps_its_directory(tmp_path: Path, example_options: tuple[str, ...]) -> None:
    run = Run(LOOP_BUNDLE, tmp_path, *example_options)
    pids = run.looping()
    run.process.kill()
    run.finish()
    wait_for(lambda: all(gone(pid) for pid in pids), "the worker to kill the looping example and its helper")
    assert len(scratch_dirs(tmp_path)) == 1  # SIGKILL runs no code: the next run removes it
    quick_run(tmp_path, *example_options)
    assert scratch_dirs(tmp_path) == []


def test_when_validator_and_worker_are_killed_the_next_run_kills_what_is_left(tmp_path: Path, example_options: tuple[str, ...]) -> None:
    run = Run(LOOP_BUNDLE, tmp_path, *example_options)
    pids = run.looping()
    worker = run.worker()
    run.process.kill()
    worker.kill()
    run.finish()
    quick_run(tmp_path, *example_options)
    wait_for(lambda: all(gone(pid) for pid in pids), "the next run to kill what the dead run left")
    assert scratch_dirs(tmp_path) == []


def test_when_the_worker_dies_the_validator_kills_what_it_left_and_runs_the_example_again(tmp_path: Path, example_options: tuple[str, ...]) -> None:
    # Issue 3: with the worker killed (`kill -KILL`, the OOM killer), a fork and a process in a session
    # of their own, outside the run's directories, outlived the run.
    run = Run(LOOP_BUNDLE, tmp_path, *example_options)
    pids = run.looping()
    run.worker().kill()
    wait_for(lambda: all(gone(pid) for pid in pids), "the validator to kill what the dead worker left")
    again = run.looping(attempt=2)  # in flight when the worker died: run again, alone
    assert set(again).isdisjoint(pids)
    run.process.terminate()
    code, stderr = run.finish()
    assert code == 128 + signal.SIGTERM, stderr
    wait_for(lambda: all(gone(pid) for pid in again), "the second attempt to die with the run")
    assert scratch_dirs(tmp_path) == []


def test_the_next_run_leaves_a_live_run_alone(tmp_path: Path, example_options: tuple[str, ...]) -> None:
    alive = Run(LOOP_BUNDLE, tmp_path, *example_options)
    pids = alive.looping()
    quick_run(tmp_path, *example_options)
    assert not any(gone(pid) for pid in pids)
    assert len(scratch_dirs(tmp_path)) == 1
    alive.process.terminate()
    alive.finish()
    wait_for(lambda: all(gone(pid) for pid in pids), "the live run's example to die with it")
    assert scratch_dirs(tmp_path) == []


@pytest.mark.postgres
def test_on_postgres_a_signal_drops_the_run_databases(tmp_path: Path, postgres_url: str) -> None:
    run = Run(LOOP_BUNDLE, tmp_path, "--postgres-url", postgres_url)
    pids = run.looping()
    assert run_databases(postgres_url)  # the template and the looping example's database exist
    run.process.terminate()
    code, stderr = run.finish()
    assert code == 128 + signal.SIGTERM, stderr
    assert run_databases(postgres_url) == set()
    wait_for(lambda: all(gone(pid) for pid in pids), "the looping example to die")


@pytest.mark.postgres
def test_on_postgres_the_next_run_drops_a_killed_run_databases_but_not_a_live_one(tmp_path: Path, postgres_url: str) -> None:
    alive = Run(LOOP_BUNDLE, tmp_path / "alive", "--postgres-url", postgres_url)
    alive.looping()
    wait_for(lambda: len(run_databases(postgres_url)) == 2, "the live run to hold only its template and the looping example's database")
    live_databases = run_databases(postgres_url)
    killed = Run(LOOP_BUNDLE, tmp_path / "killed", "--postgres-url", postgres_url)
    killed.looping()
    wait_for(lambda: len(run_databases(postgres_url)) == 4, "the second run to hold the same")
    killed_databases = run_databases(postgres_url) - live_databases
    killed.process.kill()
    killed.finish()
    assert killed_databases and run_databases(postgres_url) >= killed_databases
    quick_run(tmp_path / "killed", "--postgres-url", postgres_url)
    assert run_databases(postgres_url) == live_databases
    alive.process.terminate()
    alive.finish()
    assert run_databases(postgres_url) == set()
