"""The live process table from /proc (Linux), for finding what a snippet left behind."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessInfo:
    parent: int
    group: int


def process_table() -> dict[int, ProcessInfo]:
    """Every live (not zombie) process; empty where /proc does not exist."""
    table: dict[int, ProcessInfo] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            table[int(entry)] = ProcessInfo(parent=int(fields[1]), group=int(fields[2]))
    return table


def descendants(root: int, table: dict[int, ProcessInfo]) -> set[int]:
    """The processes below `root` in the parent tree (not `root` itself)."""
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, info in table.items() if info.parent in frontier} - found
        found |= frontier
    return found


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip() or "?"
    except OSError:
        return "?"
