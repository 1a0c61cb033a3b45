"""An example gets exactly what DBOS creates: a template-made system database equals a freshly launched one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
