"""Every check, by code, and which family module finds it; selection by code or prefix."""

from __future__ import annotations

from types import ModuleType
from typing import Iterable, Optional

from . import async_code, determinism, exceptions, launch, queues, removed, steps
from .base import Check

# Not checks of DBOS code: problems reading the file at all. They name no rule file.
FILE_CHECKS = (
    Check("DBOS998", "unreadable-file", None, "a file cannot be read or decoded"),
    Check("DBOS999", "syntax-error", None, "a file does not parse as Python, or nests too deeply to check"),
)

# Families that look at one module at a time: `run(module) -> list[Finding]`.
MODULE_FAMILIES: tuple[ModuleType, ...] = (removed, determinism, steps, async_code, launch, exceptions)
# Families that need every checked module: `new_state()`, `collect(module, state)`, `abandon(state)` (a file could
# not be fully read), `finish(state)`; and, to read the rest of the checked files' projects, `undecided(state)`
# (the checked files whose judgement needs it), `OUTSIDE_HINTS` (bytes a file must hold to matter) and
# `collect_outside(module, state)`.
PROJECT_FAMILIES: tuple[ModuleType, ...] = (queues,)

CHECKS: dict[str, Check] = {
    c.code: c for c in sorted([*FILE_CHECKS, *(c for f in MODULE_FAMILIES + PROJECT_FAMILIES for c in f.CHECKS)], key=lambda c: c.code)
}
FAMILY_OF: dict[str, Optional[ModuleType]] = {
    **{c.code: None for c in FILE_CHECKS},
    **{c.code: f for f in MODULE_FAMILIES + PROJECT_FAMILIES for c in f.CHECKS},
}


class SelectionError(ValueError):
    pass


def _matching(pattern: str) -> set[str]:
    pattern = pattern.strip().upper()
    if pattern == "ALL":
        return set(CHECKS)
    found = {code for code in CHECKS if code.startswith(pattern)}
    if not found:
        raise SelectionError(f"`{pattern}` matches no check code (codes are DBOS001 to DBOS999; `--list-checks` lists them)")
    return found


def select(selected: Optional[Iterable[str]], ignored: Iterable[str] = ()) -> frozenset[str]:
    """The codes to report: --select replaces the default set (every default check), --ignore removes from it."""
    if selected:
        codes: set[str] = set()
        for pattern in selected:
            codes |= _matching(pattern)
    else:
        codes = {code for code, check in CHECKS.items() if check.default}
    for pattern in ignored:
        codes -= _matching(pattern)
    return frozenset(codes)


def families_for(codes: frozenset[str]) -> tuple[list[ModuleType], list[ModuleType]]:
    """The module and project families that can report any of `codes`, in registry order."""
    wanted = {FAMILY_OF[c] for c in codes}
    return [f for f in MODULE_FAMILIES if f in wanted], [f for f in PROJECT_FAMILIES if f in wanted]
