"""The live process table, read through psutil so it works on Linux and macOS alike.

Used to find and kill what a snippet left behind (its process group, its
descendants), what escaped to the worker (orphans), and what a run left
running when its worker died: every process of a run carries RUN_VARIABLE
(the run's scratch directory) in its environment, from the worker down,
forked (the environment block is inherited memory) or started anew (it
inherits the variable), whatever session or process group it moved to.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Iterable

import psutil

RUN_VARIABLE = "DBOS_SKILL_RUN_DIR"  # set in the worker's environment: the run's scratch directory
KILL_ROUNDS = 100  # a process that forks while its run is being killed is found in the next round


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


def of_run(directory: Path) -> list[psutil.Process]:
    """Live processes (other than this one) of the run whose scratch directory is `directory`.

    A process is the run's when its environment names the directory in RUN_VARIABLE, or its
    current directory is inside it (an example that replaced its children's environment).
    """
    root = os.path.realpath(directory)
    me = os.getpid()
    found = []
    for process in psutil.process_iter(["cwd", "environ"]):
        if process.pid == me:
            continue
        cwd = process.info.get("cwd") or ""
        environ = process.info.get("environ") or {}
        tagged = RUN_VARIABLE in environ and os.path.realpath(environ[RUN_VARIABLE]) == root
        if (tagged or cwd == root or cwd.startswith(root + os.sep)) and _alive(process):
            found.append(process)
    return found


def kill_run(directory: Path) -> list[psutil.Process]:
    """Kill every process of the run, again while new ones turn up; return those killed."""
    killed: list[psutil.Process] = []
    for _ in range(KILL_ROUNDS):
        found = kill(of_run(directory))
        if not found:
            break
        killed += found
    return killed


def command_line(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline()) or process.name() or "?"
    except psutil.Error:
        return "?"


def listening(process: psutil.Process) -> list[str]:
    """The TCP addresses `process` listens on, as `host:port`."""
    try:
        connections = getattr(process, "net_connections", process.connections)(kind="inet")  # psutil < 6 has only connections
    except (psutil.Error, OSError):
        return []
    found = {(c.laddr.ip, c.laddr.port) for c in connections if c.status == psutil.CONN_LISTEN and c.laddr}
    return [f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}" for ip, port in sorted(found)]


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
