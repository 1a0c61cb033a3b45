"""An example's own databases, made in its process just before it runs.

SQLite: the system database is a copy of the run's template file; the
application database is a path beside it that SQLite creates on first use.
PostgreSQL: the system database is CREATE DATABASE ... TEMPLATE the run's
template; the application database, when the example names APP_DATABASE_URL,
is a new empty database on the same server. The validator drops both.
"""

from __future__ import annotations

import shutil
from typing import Any


def prepare(database: dict[str, Any]) -> None:
    if database["kind"] == "sqlite":
        shutil.copyfile(database["template"], database["system"])
        return
    import psycopg

    with psycopg.connect(database["admin_url"], autocommit=True, connect_timeout=10) as connection:
        connection.execute(f'CREATE DATABASE "{database["system"]}" TEMPLATE "{database["template"]}"')
        if database.get("app"):
            connection.execute(f'CREATE DATABASE "{database["app"]}"')
