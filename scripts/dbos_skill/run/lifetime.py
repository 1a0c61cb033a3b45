"""Tying processes' lives together where the operating system can (Linux prctl), else nothing.

- The worker becomes a child subreaper: a snippet's orphaned descendants are
  re-parented to it instead of init, so it can find and kill them.
- A snippet process asks for SIGKILL when the worker dies, so even a worker
  killed with SIGKILL does not leave a looping example behind.

Elsewhere (macOS) both are no-ops: process groups, the worker's own shutdown
and the next run's sweep of dead scratch directories do the work.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Orphans below this process are re-parented here (Linux 3.4+)."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(parent: int) -> None:
    """Get SIGKILL when `parent` dies; if it already has, die now."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
