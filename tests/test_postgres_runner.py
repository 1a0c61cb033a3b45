"""Snippet runs against PostgreSQL: the same outcomes as on SQLite, every database dropped afterwards."""

from __future__ import annotations

import psycopg
import pytest

from conftest import FIXTURES, validate_json
from test_runner import EXPECTATIONS

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
