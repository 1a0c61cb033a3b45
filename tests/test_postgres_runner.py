"""Snippet runs against PostgreSQL: the same outcomes as on SQLite, every database dropped afterwards."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from conftest import FIXTURES, run_cli, validate_json
from test_runner import EXPECTATIONS
from test_runner_databases import KILLED_RUN, run_lock_held
from test_runner_lifecycle import wait_for

pytestmark = pytest.mark.postgres


def databases(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}


def test_every_snippet_has_its_outcome_and_no_database_is_left_behind(postgres_url: str) -> None:
    before = databases(postgres_url)
    code, report = validate_json(FIXTURES / "run", "--postgres-url", postgres_url)
    outcomes = {s["line"]: s["outcome"] for s in report["snippets"]}
    assert code == 1
    assert outcomes == {line: outcome for line, outcome, _, _ in EXPECTATIONS}
    assert databases(postgres_url) == before


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_examples_get_postgresql_urls_whatever_form_the_user_gave(postgres_url: str, scheme: str) -> None:
    # Issue 5: `postgres://` was accepted, then handed on to examples, where SQLAlchemy has no such dialect.
    given = scheme + postgres_url[postgres_url.index("://") :]
    code, report = validate_json(FIXTURES / "run-urls", "--postgres-url", given)
    assert [d["message"] for d in report["diagnostics"] if d["severity"] == "error"] == []
    assert [s["outcome"] for s in report["snippets"]] == ["runs-but-wrong", "passed"]


def test_no_run_with_a_postgres_url_drops_what_killed_runs_left(postgres_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 4: `validate --no-run --postgres-url` neither used the URL nor swept; issue 19: it was silently ignored.
    killed = subprocess.Popen([sys.executable, "-c", KILLED_RUN, postgres_url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    prefix = killed.stdout.readline().strip()
    killed.kill()
    killed.wait()
    wait_for(lambda: not run_lock_held(postgres_url, prefix), "the killed run's lock to go")
    assert prefix + "tmpl" in databases(postgres_url)
    code, _ = run_cli("validate", str(FIXTURES / "run-urls"), "--no-run", "--postgres-url", postgres_url)
    assert code == 0
    assert not [name for name in databases(postgres_url) if name.startswith(prefix)]
    note = f"dbos-skill: note: dropped 1 database(s) left by 1 run(s) that ended without cleaning up: {prefix.rstrip('_')}\n"
    assert note in capsys.readouterr().err
