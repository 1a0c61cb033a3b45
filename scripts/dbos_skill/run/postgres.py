"""The validator's side of a PostgreSQL run: one connection that owns the run's databases.

Every database of a run is named `dbos_skill_run_<token>_...`. While the run
lives, its connection holds the advisory lock (LOCK_CLASS, token); the server
releases it when the connection ends, however the validator ended. A later run
(on this machine or another using the same server) drops the databases of
every token whose lock nobody holds, and never touches those of a live run.

Every connection the run's examples open carries the run's name as its
`application_name` (libpq reads PGAPPNAME from their environment). A process
killed while its CREATE DATABASE runs does not stop the command: the server
finishes it and commits, possibly after the databases were listed for
dropping. So before listing, the run's sessions are ended and waited for.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any, Optional

PREFIX = "dbos_skill_run_"
LOCK_CLASS = 0x64627331  # "dbs1": the advisory lock namespace of dbos-skill runs
CONNECT_TIMEOUT_S = 5
SESSION_VARIABLE = "PGAPPNAME"  # libpq's default application_name
SESSION_POLL_S = 0.05
SESSIONS_END_WAIT_S = 30  # a terminated backend ends at its next interrupt check: far sooner than this


class PostgresError(Exception):
    """The server given by --postgres-url cannot be used (a one-line reason)."""


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def make_url(url: str) -> Any:
    from sqlalchemy.engine import make_url as parse

    return parse(url)


def admin_url(base_url: str) -> str:
    url = make_url(base_url).set(drivername="postgresql")
    if not url.database:
        url = url.set(database="postgres")
    return url.render_as_string(hide_password=False)


EXAMPLE_SCHEME = "postgresql"  # what DBOS documents and examples expect, e.g. `url.replace("postgresql://", ...)`


def database_url(base_url: str, name: str) -> str:
    """The URL of database `name` on the server, as an example gets it: always `postgresql://`.

    libpq also takes `postgres://`, and a user may name a driver (`postgresql+psycopg://`), but
    SQLAlchemy has no `postgres` dialect, and examples written for DBOS's documented form rewrite
    `postgresql://` to pick their driver: whatever form the user gave, examples get that one.
    """
    return make_url(base_url).set(drivername=EXAMPLE_SCHEME, database=name).render_as_string(hide_password=False)


def _quoted(name: str) -> str:
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    return f'"{name}"'


class RunDatabases:
    """Connect and lock with open(), name databases, drop them, release everything with close()."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.token = secrets.randbelow(1 << 31)
        self.prefix = f"{PREFIX}{self.token:08x}_"
        self._connection: Any = None
        self.swept: list[str] = []  # the databases of dead runs that open() dropped
        self.has_template = False

    @property
    def template(self) -> str:
        return self.prefix + "tmpl"

    @property
    def session(self) -> str:
        """The application_name of every connection the run's examples open (give it to them as PGAPPNAME)."""
        return session_name(self.prefix)

    def system(self, index: int, attempt: int = 1) -> str:
        return f"{self.prefix}s{index:04d}" + (f"r{attempt}" if attempt > 1 else "")

    def app(self, index: int, attempt: int = 1) -> str:
        return f"{self.prefix}a{index:04d}" + (f"r{attempt}" if attempt > 1 else "")

    def open(self) -> None:
        """Connect, take the run's lock, sweep dead runs' databases. Raises PostgresError."""
        import psycopg

        shown = make_url(self.base_url).render_as_string(hide_password=True)
        try:
            self._connection = psycopg.connect(admin_url(self.base_url), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
            self._connection.execute("SELECT pg_advisory_lock(%s, %s)", (_signed(LOCK_CLASS), self.token))
        except (psycopg.Error, ValueError) as error:
            self.close()
            raise PostgresError(f"cannot connect to {shown}: {one_line(error)}") from error
        self.swept = sweep(self._connection)

    def create_template(self) -> Optional[dict[str, str]]:
        """Create the empty template database; a problem (message, help) if the server refuses."""
        import psycopg

        try:
            self._connection.execute(f"CREATE DATABASE {_quoted(self.template)}")
        except psycopg.Error as error:
            user = make_url(self.base_url).username or "this user"
            return {
                "message": f"the PostgreSQL server refuses to create databases for {user}, so no example was run: {one_line(error)}",
                "help": "every example runs in a fresh database: give the user CREATEDB (ALTER ROLE ... CREATEDB) or use another --postgres-url",
            }
        self.has_template = True
        return None

    def drop(self, names: list[str]) -> None:
        _drop(self._connection, names)

    def end_sessions(self) -> None:
        """End the sessions of the run's examples (none of which may be alive): what they ran stops, uncommitted."""
        _end_sessions(self._connection, self.session)

    def close(self) -> None:
        """Drop every database of this run and release the lock."""
        import psycopg

        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            try:
                _drop_run(connection, self.prefix)
            except psycopg.Error:  # a signal interrupted a command on it: finish on a fresh connection
                with psycopg.connect(admin_url(self.base_url), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as fresh:
                    _drop_run(fresh, self.prefix)
        finally:
            connection.close()


def sweep_dead_runs(base_url: str) -> list[str]:
    """Drop what runs that ended without cleaning up left on the server; return the names. Raises PostgresError."""
    run = RunDatabases(base_url)
    run.open()
    run.close()
    return run.swept


def session_name(prefix: str) -> str:
    return prefix.rstrip("_")


def _drop_run(connection: Any, prefix: str) -> list[str]:
    """End the run's sessions, then drop every database of the run; return their names."""
    _end_sessions(connection, session_name(prefix))
    names = _databases(connection, prefix)
    _drop(connection, names)
    return names


def _end_sessions(connection: Any, application_name: str) -> None:
    """Terminate the server sessions named `application_name` and wait until they are gone.

    A session whose client died mid-command is still running it: terminated, its
    CREATE DATABASE rolls back instead of committing after the listing.
    """
    deadline = time.monotonic() + SESSIONS_END_WAIT_S
    while time.monotonic() < deadline:
        left = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()",
            (application_name,),
        ).fetchall()
        if not left:
            return
        time.sleep(SESSION_POLL_S)


def _signed(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


def _databases(connection: Any, prefix: str) -> list[str]:
    pattern = prefix.replace("_", r"\_") + "%"
    return [row[0] for row in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (pattern,))]


def sweep(connection: Any) -> list[str]:
    """Drop the databases of runs whose lock nobody holds; return their names."""
    live = {
        row[0]
        for row in connection.execute(
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid::bigint = %s AND objsubid = 2",
            (LOCK_CLASS,),
        )
    }
    pattern = PREFIX.replace("_", r"\_") + "%"
    sessions = [row[0] for row in connection.execute("SELECT DISTINCT application_name FROM pg_stat_activity WHERE application_name LIKE %s", (pattern,))]
    tokens = set()
    for name in _databases(connection, PREFIX) + sessions:  # a dead run's CREATE DATABASE may still be running
        match = re.fullmatch(PREFIX + r"([0-9a-f]{8})(_[a-z0-9]+)?", name)
        if match:
            tokens.add(int(match.group(1), 16))
    import psycopg

    dropped = []
    for token in sorted(tokens - live):
        try:
            dropped += _drop_run(connection, f"{PREFIX}{token:08x}_")
        except psycopg.Error:  # another user's run: theirs to drop
            continue
    return dropped


def _drop(connection: Any, names: list[str]) -> None:
    for name in names:
        connection.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
