"""The run's template system database, migrated once by DBOS itself.

Each example then gets a copy (a file copy on SQLite, CREATE DATABASE ...
TEMPLATE on PostgreSQL) instead of paying DBOS's migrations at launch: DBOS
still checks the schema version at launch and finds it current.
The migration runs in a forked helper, so the worker never starts a thread.
"""

from __future__ import annotations

import os
from typing import Any, Optional


def build(template: Optional[dict[str, Any]]) -> Optional[dict[str, str]]:
    """Migrate the template database; a problem (message, help) if DBOS could not."""
    if not template:
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        status = 0
        try:
            migrate(template["url"])
        except BaseException as error:
            os.write(write, " ".join(f"{type(error).__name__}: {error}".split()).encode()[:2000])
            status = 1
        os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        failure = pipe.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return None
    return {
        "message": f"DBOS could not migrate the run's template system database: {failure or f'exit status {status}'}",
        "help": "check that the database server accepts this user's connections and DDL",
    }


def migrate(url: str) -> None:
    from dbos import DBOS

    DBOS.migrate(url)
