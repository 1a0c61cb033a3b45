"""The live process table, read through psutil so it works on Linux and macOS alike.

Used to find and kill what a snippet left behind (its process group, its
descendants), what escaped to the worker (orphans), and what a run killed
with SIGKILL left running in its scratch directory.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Iterable

import psutil


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def group_members(pgid: int) -> list[psutil.Process]:
    """Live processes of process group `pgid`."""
    members = []
    for pid in psutil.pids():
        try:
            if os.getpgid(pid) == pgid:
                members.append(psutil.Process(pid))
        except (OSError, psutil.Error):
            continue
    return [p for p in members if _alive(p)]


def descendants(pid: int) -> list[psutil.Process]:
    """Live processes below `pid` in the parent tree (not `pid` itself)."""
    try:
        return [p for p in psutil.Process(pid).children(recursive=True) if _alive(p)]
    except psutil.Error:
        return []


def children(pid: int) -> list[psutil.Process]:
    """Live direct children of `pid`."""
    try:
        return [p for p in psutil.Process(pid).children() if _alive(p)]
    except psutil.Error:
        return []


def working_in(directory: Path) -> list[psutil.Process]:
    """Live processes whose current directory is `directory` or below it."""
    root = os.path.realpath(directory)
    found = []
    for process in psutil.process_iter():
        try:
            cwd = process.cwd()
        except (psutil.Error, OSError):
            continue
        if (cwd == root or cwd.startswith(root + os.sep)) and _alive(process):
            found.append(process)
    return found


def command_line(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline()) or process.name() or "?"
    except psutil.Error:
        return "?"


def kill(processes: Iterable[psutil.Process]) -> list[psutil.Process]:
    """SIGKILL each process; return those that were still there to kill."""
    killed = []
    for process in processes:
        try:
            process.send_signal(signal.SIGKILL)
        except psutil.Error:
            continue
        killed.append(process)
    return killed
