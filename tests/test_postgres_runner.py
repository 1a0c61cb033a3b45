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


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_examples_get_postgresql_urls_whatever_form_the_user_gave(postgres_url: str, scheme: str) -> None:
    # Issue 5: `postgres://` was accepted, then handed on to examples, where SQLAlchemy has no such dialect.
    given = scheme + postgres_url[postgres_url.index("://") :]
    code, report = validate_json(FIXTURES / "run-urls", "--postgres-url", given)
    assert [d["message"] for d in report["diagnostics"] if d["severity"] == "error"] == []
    assert [s["outcome"] for s in report["snippets"]] == ["runs-but-wrong", "passed"]
