"""Fresh PostgreSQL databases for snippets: one per snippet, dropped after the run."""

from __future__ import annotations

import secrets

from sqlalchemy.engine import make_url


class PostgresError(Exception):
    """The server given by --postgres-url cannot be used."""


def _admin_url(base_url: str) -> str:
    url = make_url(base_url).set(drivername="postgresql")
    if not url.database:
        url = url.set(database="postgres")
    return url.render_as_string(hide_password=False)


def database_url(base_url: str, name: str) -> str:
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def run_token() -> str:
    """A prefix that keeps this run's database names apart from any other run's."""
    return f"dbos_skill_{secrets.token_hex(4)}"


def check_server(base_url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(_admin_url(base_url), connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except (psycopg.Error, ValueError) as error:
        raise PostgresError(f"cannot connect to {make_url(base_url).render_as_string(hide_password=True)}: {error}".strip()) from error


def drop_databases(base_url: str, names: list[str]) -> None:
    import psycopg

    if not names:
        return
    with psycopg.connect(_admin_url(base_url), autocommit=True, connect_timeout=5) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
