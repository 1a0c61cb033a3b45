"""An example gets exactly what DBOS creates: a template-made system database equals a freshly launched one."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest

from conftest import needs_sqlite_examples
from dbos_skill.run import databases, postgres, templates

LAUNCH = """
import sys
from dbos import DBOS
DBOS(config={"name": "fresh-app", "system_database_url": sys.argv[1]})
DBOS.launch()
DBOS.destroy()
"""


def launch_fresh(url: str) -> None:
    """What an example does on a database nobody prepared: DBOS creates and migrates it at launch."""
    subprocess.run([sys.executable, "-c", LAUNCH, url], check=True, capture_output=True, env=dict(os.environ))


def sqlite_shape(path: Path) -> tuple[list[tuple], list[tuple]]:
    import sqlite3

    with sqlite3.connect(path) as connection:
        schema = sorted(connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        version = list(connection.execute("SELECT version FROM dbos_migrations"))
    return schema, version


@needs_sqlite_examples
def test_a_sqlite_copy_of_the_template_equals_a_database_dbos_launched(tmp_path: Path) -> None:
    template, copy, fresh = tmp_path / "template.sqlite", tmp_path / "copy.sqlite", tmp_path / "fresh.sqlite"
    assert templates.build({"kind": "sqlite", "url": f"sqlite:///{template}"}) is None
    databases.prepare({"kind": "sqlite", "template": str(template), "system": str(copy)})
    launch_fresh(f"sqlite:///{fresh}")
    assert sqlite_shape(copy) == sqlite_shape(fresh)
    assert sqlite_shape(copy)[1]  # a migration version is recorded


POSTGRES_SHAPE = {
    "columns": "SELECT table_schema, table_name, column_name, data_type, column_default, is_nullable FROM information_schema.columns WHERE table_schema = 'dbos'",
    "indexes": "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'dbos'",
    "constraints": "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'dbos'::regnamespace",
    "triggers": "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal",
    "functions": "SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = 'dbos'::regnamespace",
    "version": "SELECT version FROM dbos.dbos_migrations",
}


def postgres_shape(url: str) -> dict[str, list[tuple]]:
    import psycopg

    with psycopg.connect(url) as connection:
        return {name: sorted(connection.execute(query).fetchall()) for name, query in POSTGRES_SHAPE.items()}


@pytest.mark.postgres
def test_a_postgres_database_made_from_the_template_equals_one_dbos_launched(postgres_url: str) -> None:
    run = postgres.RunDatabases(postgres_url)
    run.open()
    try:
        assert run.create_template() is None
        assert templates.build({"kind": "postgres", "url": postgres.database_url(postgres_url, run.template)}) is None
        databases.prepare({"kind": "postgres", "admin_url": postgres.admin_url(postgres_url), "template": run.template, "system": run.system(1), "app": None})
        launch_fresh(postgres.database_url(postgres_url, run.system(2)))
        made, fresh = (postgres_shape(postgres.database_url(postgres_url, run.system(i))) for i in (1, 2))
        assert made == fresh
        assert made["version"] and made["columns"]
    finally:
        run.close()


@pytest.mark.postgres
def test_the_run_databases_are_dropped_even_when_a_signal_cut_a_command_short(postgres_url: str) -> None:
    import psycopg

    run = postgres.RunDatabases(postgres_url)
    run.open()
    assert run.create_template() is None
    run._connection.pgconn.send_query(b"SELECT pg_sleep(0.2)")  # what a signal leaves: a command sent, its result never read
    run.close()
    with psycopg.connect(postgres_url) as connection:
        left = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (run.prefix.replace("_", "\\_") + "%",)).fetchall()
    assert left == []


@pytest.mark.parametrize("given", ["postgres://u:p@h:5/db", "postgresql://u:p@h:5/db", "postgresql+psycopg://u:p@h:5/db"])
def test_an_example_url_is_postgresql_whatever_form_was_given(given: str) -> None:
    assert postgres.database_url(given, "dbos_skill_run_00000001_s0001") == "postgresql://u:p@h:5/dbos_skill_run_00000001_s0001"


# An example's process that sends CREATE DATABASE, as databases.prepare (or DBOS) does; killed while the server runs it.
CREATE = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as connection:
    connection.execute(sys.argv[2])
"""


def _activity(url: str, condition: str, *params: object) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(f"SELECT pid FROM pg_stat_activity WHERE {condition}", params).fetchall()


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def _left(url: str, prefix: str) -> list[str]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        names = [row[0] for row in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix.replace("_", "\\_") + "%",))]
        for name in names:  # so that a failure here leaves the other tests a clean server
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    return names


@contextmanager
def create_database_held_back(url: str, prefix: str) -> Iterator[Callable[[], None]]:
    """An example killed while its CREATE DATABASE waits on the server; yields what lets the server go on.

    Holding pg_database in SHARE mode makes every CREATE and DROP DATABASE wait: a stand-in for a
    command the server is slow to finish. The server commits it once let go, unless its session ended.
    """
    import psycopg

    session = postgres.session_name(prefix)
    blocker = psycopg.connect(url)
    blocker.execute("LOCK TABLE pg_database IN SHARE MODE")
    try:
        example = subprocess.Popen(
            [sys.executable, "-c", CREATE, postgres.admin_url(url), f'CREATE DATABASE "{prefix}s0007"'],
            env={**os.environ, postgres.SESSION_VARIABLE: session},
        )
        _wait_for(lambda: _activity(url, "application_name = %s AND wait_event_type = 'Lock'", session), "the CREATE DATABASE to wait")
        example.kill()
        example.wait()
        yield blocker.rollback
    finally:
        blocker.close()


def run_lock_held(url: str, prefix: str) -> bool:
    import psycopg

    token = int(prefix[len(postgres.PREFIX) :].rstrip("_"), 16)
    with psycopg.connect(url) as connection:
        return bool(connection.execute("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::bigint = %s", (token,)).fetchall())


def _waiting_to_drop(url: str) -> bool:
    return bool(_activity(url, "wait_event_type = 'Lock' AND query LIKE 'DROP DATABASE%%'"))


@pytest.mark.postgres
def test_a_create_database_the_server_still_runs_for_a_killed_example_is_not_left_behind(postgres_url: str) -> None:
    # Issue 4: SIGTERM 1.2-1.6 s into a run left `_sNNNN` databases: the examples were killed while the
    # server ran their CREATE DATABASE, which it committed after the validator had listed what to drop.
    run = postgres.RunDatabases(postgres_url)
    run.open()
    assert run.create_template() is None
    with create_database_held_back(postgres_url, run.prefix) as let_go:
        closing = threading.Thread(target=run.close)
        closing.start()
        _wait_for(lambda: _waiting_to_drop(postgres_url), "close() to wait for its DROP DATABASE")
        let_go()
        closing.join()
    _wait_for(lambda: not _activity(postgres_url, "application_name = %s", run.session), "the example's command to end")
    assert _left(postgres_url, run.prefix) == []


# A validator that made its template, then is killed (SIGKILL: no cleanup).
KILLED_RUN = """
import sys
from dbos_skill.run import postgres
run = postgres.RunDatabases(sys.argv[1])
run.open()
assert run.create_template() is None
print(run.prefix, flush=True)
sys.stdin.read()
"""


@pytest.mark.postgres
def test_the_next_run_drops_a_database_a_killed_run_was_still_creating(postgres_url: str) -> None:
    killed = subprocess.Popen([sys.executable, "-c", KILLED_RUN, postgres_url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    prefix = killed.stdout.readline().strip()
    with create_database_held_back(postgres_url, prefix) as let_go:
        killed.kill()
        killed.wait()
        _wait_for(lambda: not run_lock_held(postgres_url, prefix), "the killed run's lock to go")
        following = postgres.RunDatabases(postgres_url)
        opening = threading.Thread(target=following.open)
        opening.start()
        _wait_for(lambda: _waiting_to_drop(postgres_url), "the next run to wait for its DROP DATABASE")
        let_go()
        opening.join()
    _wait_for(lambda: not _activity(postgres_url, "application_name = %s", postgres.session_name(prefix)), "the example's command to end")
    following.close()
    assert _left(postgres_url, prefix) == []
    assert sorted(following.swept) == [prefix + "tmpl"]
