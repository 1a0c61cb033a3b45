"""The run's scratch directory: owned through a file lock, swept by the next run once its owner is gone.

A live run holds an exclusive flock on `owner.lock` in its directory; the
kernel releases it however the run ends, SIGKILL included. A later run that
can take the lock knows the owner is dead: it kills what is left of the run
(processes.of_run: what carries the directory in its environment or works
inside it, such as a snippet whose worker was killed too) and removes it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional

from . import processes

PREFIX = "dbos-skill-run-"
LOCK_FILE = "owner.lock"


class Scratch:
    def __init__(self, parent: Optional[str] = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        partial = self.root / (LOCK_FILE + ".part")
        self._lock = os.open(partial, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(partial, self.root / LOCK_FILE)  # only a locked lock file ever carries the name

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        os.close(self._lock)


def sweep(parent: Optional[str] = None) -> list[Path]:
    """Remove the scratch directories of runs that are gone; return them."""
    removed = []
    for directory in Path(parent or tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            lock = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue  # not ours, or its owner has not locked it yet
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock)
            continue  # its run is alive
        try:
            processes.kill_run(directory)
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
        finally:
            os.close(lock)
    return removed
