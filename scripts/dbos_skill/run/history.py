"""How long each example took last time, so the longest start first.

Kept in the user's cache directory (never inside the bundle), keyed by a hash
of the example's code and the database kind: an edited example counts as new.
Unknown examples are scheduled first, as if they were the longest.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterable

CACHE_ENV = "DBOS_SKILL_CACHE_DIR"
FILE_NAME = "durations.json"
MAX_ENTRIES = 5000


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "dbos-skill"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dbos-skill"


def key(kind: str, code: str) -> str:
    return hashlib.sha256(f"{kind}\0{code}".encode()).hexdigest()[:24]


class Durations:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or cache_dir() / FILE_NAME
        try:
            loaded = json.loads(self.path.read_text())
            self._known: dict[str, float] = {k: float(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
        except (OSError, ValueError, TypeError, AttributeError):
            self._known = {}
        self._measured: dict[str, float] = {}

    def longest_first(self, keyed: Iterable[tuple[int, str]]) -> list[int]:
        """Indexes ordered by previous duration, longest (or unknown) first; ties keep their order."""
        items = list(keyed)
        return [index for index, k in sorted(items, key=lambda item: -self._known.get(item[1], float("inf")))]

    def record(self, k: str, seconds: float) -> None:
        self._measured[k] = round(seconds, 3)

    def save(self) -> None:
        """Best effort: a read-only or missing home only loses the ordering."""
        if not self._measured:
            return
        merged = {**self._known, **self._measured}
        if len(merged) > MAX_ENTRIES:
            merged = dict(list(merged.items())[-MAX_ENTRIES:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False, suffix=".part") as partial:
                try:
                    json.dump(merged, partial)
                except BaseException:  # a signal, say: leave no partial file behind
                    os.unlink(partial.name)
                    raise
            os.replace(partial.name, self.path)
        except OSError:
            pass
