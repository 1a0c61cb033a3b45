"""Can this environment run the examples at all? Asked once, before any example runs.

dbos 3.4 on Python 3.12+ gives its SQLite tables `unixepoch('subsec')` defaults
(`get_sqlite_timestamp_expr` in dbos/_migration.py), which SQLite before 3.42
evaluates to NULL: every insert then fails on a NOT NULL column. Rather than
70 failures with the same traceback, the runner evaluates DBOS's own expression
once and reports the environment.
"""

from __future__ import annotations

import platform
import sqlite3
from importlib.metadata import version
from typing import Any, Optional


SQLITE_WAYS_OUT = "run the examples on PostgreSQL with --postgres-url URL, or use a Python whose sqlite3 module links SQLite 3.42 or later"


def problem(setup: dict[str, Any]) -> Optional[dict[str, str]]:
    """Why the examples cannot run here (a one-line message and the ways out), or None."""
    template = setup.get("template") or {}
    if template.get("kind") == "sqlite":
        return sqlite_problem()
    return None


def sqlite_problem() -> Optional[dict[str, str]]:
    from dbos._migration import get_sqlite_timestamp_expr

    expression = get_sqlite_timestamp_expr()
    with sqlite3.connect(":memory:") as connection:
        value = connection.execute(f"SELECT {expression}").fetchone()[0]
    if value is not None:
        return None
    message = (
        f"dbos {version('dbos')} cannot use SQLite {sqlite3.sqlite_version} on Python {platform.python_version()}: "
        f"its system tables default to `{expression}`, which this SQLite evaluates to NULL (it needs SQLite 3.42+), "
        "so no example was run"
    )
    return {"message": message, "help": SQLITE_WAYS_OUT}
