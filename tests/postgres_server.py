"""A throwaway PostgreSQL server for tests: initdb into a temp dir, pg_ctl on a free loopback port."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

SERVER_USER = "postgres"
REMOVE_ATTEMPTS = 100
REMOVE_RETRY_S = 0.1


def find_binaries() -> Optional[Path]:
    """The directory holding initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name), reverse=True):
        if (Path(directory) / "initdb").exists() and (Path(directory) / "pg_ctl").exists():
            return Path(directory)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """Start with start(), read url, stop with stop(). Runs as `postgres` when started by root."""

    def __init__(self, binaries: Path, directory: Path) -> None:
        self.binaries = binaries
        self.directory = directory
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _command(self, *args: str) -> list[str]:
        command = [str(self.binaries / args[0]), *args[1:]]
        return ["runuser", "-u", SERVER_USER, "--", *command] if os.geteuid() == 0 else command

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, SERVER_USER)
        data = self.directory / "data"
        subprocess.run(self._command("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"), check=True, capture_output=True)
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off"
        subprocess.run(
            self._command("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.directory / "server.log"), "-w", "start"),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(self._command("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "stop"), capture_output=True)

    def remove(self) -> None:
        """Stop the server and delete its directory, retrying while the last backends still write into it."""
        self.stop()
        for _ in range(REMOVE_ATTEMPTS):
            shutil.rmtree(self.directory, ignore_errors=True)
            if not self.directory.exists():
                return
            time.sleep(REMOVE_RETRY_S)


def start_throwaway() -> Optional[PostgresServer]:
    """A started server in a temp directory of its own (its user must reach it); None without the binaries.

    For the benchmarks, which run outside pytest; stop it with `remove()`.
    """
    binaries = find_binaries()
    if binaries is None:
        return None
    server = PostgresServer(binaries, Path(tempfile.mkdtemp(prefix="dbos-skill-pg-")))
    server.start()
    return server
