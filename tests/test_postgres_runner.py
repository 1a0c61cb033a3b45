"""Snippet runs against PostgreSQL: a fresh database per snippet, all dropped afterwards."""

from __future__ import annotations

import psycopg
import pytest

from conftest import FIXTURES, validate_json

pytestmark = pytest.mark.postgres


def databases(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}


def test_each_snippet_gets_its_own_database_and_none_is_left_behind(postgres_url: str) -> None:
    before = databases(postgres_url)
    code, report = validate_json(FIXTURES / "run", "--postgres-url", postgres_url)
    outcomes = {s["line"]: s["outcome"] for s in report["snippets"]}
    assert outcomes[16] == "passed"
    assert code == 1
    assert databases(postgres_url) == before

