"""An environment that cannot run the examples is reported once (X010), before any example runs."""

from __future__ import annotations

import json
import platform
import sqlite3
import subprocess
import sys
from importlib.metadata import version

import pytest

from conftest import FIXTURES, validate_json
from dbos_skill.run import environment

RUN_BUNDLE = FIXTURES / "run"


def test_the_sqlite_problem_names_the_versions_and_the_ways_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import dbos._migration

    monkeypatch.setattr(dbos._migration, "get_sqlite_timestamp_expr", lambda: "(unixepoch('no-such-modifier') * 1000)")
    problem = environment.sqlite_problem()
    assert problem is not None
    for named in (f"dbos {version('dbos')}", f"SQLite {sqlite3.sqlite_version}", f"Python {platform.python_version()}"):
        assert named in problem["message"]
    assert "--postgres-url" in problem["help"] and "3.42" in problem["help"]


def test_where_dbos_sqlite_schema_works_there_is_no_problem() -> None:
    from dbos._migration import get_sqlite_timestamp_expr

    works = sqlite3.connect(":memory:").execute(f"SELECT {get_sqlite_timestamp_expr()}").fetchone()[0] is not None
    assert (environment.sqlite_problem() is None) == works


SQLITE_TOO_OLD = sys.version_info >= (3, 12) and sqlite3.sqlite_version_info < (3, 42)


@pytest.mark.skipif(not SQLITE_TOO_OLD, reason="this Python's SQLite can hold dbos's schema")
def test_on_python_312_with_old_sqlite_the_run_says_so_once_and_the_static_checks_still_run() -> None:
    code, report = validate_json(RUN_BUNDLE)
    found = [d for d in report["diagnostics"] if d["code"].startswith("X")]
    assert code == 1
    assert [(d["code"], d["path"].endswith("SKILL.md"), d["line"]) for d in found] == [("X010", True, 1)]
    assert "S003" in {d["code"] for d in report["diagnostics"]}  # the static findings still stand
    assert "snippets" not in report


def test_an_unreachable_server_is_one_line_on_stderr() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dbos_skill", "validate", str(RUN_BUNDLE), "--postgres-url", "postgresql://postgres@127.0.0.1:1/postgres"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "cannot connect" in result.stderr


@pytest.fixture
def role_without_createdb(postgres_url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP ROLE IF EXISTS dbos_skill_no_createdb")
        connection.execute("CREATE ROLE dbos_skill_no_createdb LOGIN NOCREATEDB")
    yield make_url(postgres_url).set(username="dbos_skill_no_createdb").render_as_string(hide_password=False)
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP ROLE dbos_skill_no_createdb")


@pytest.mark.postgres
def test_a_server_that_refuses_create_database_is_reported_once(role_without_createdb: str) -> None:
    code, report = validate_json(RUN_BUNDLE, "--postgres-url", role_without_createdb)
    found = [d for d in report["diagnostics"] if d["code"].startswith("X")]
    assert code == 1
    assert [d["code"] for d in found] == ["X010"]
    assert "refuses to create databases" in found[0]["message"] and "\n" not in found[0]["message"]
    assert "snippets" not in report
    json.dumps(report)
