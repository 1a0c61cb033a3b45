"""Writing to the terminal whatever its encoding, and whether or not anyone still reads.

Shared by `dbos-skill validate` and the checker; standard library only, as the checker must be.
"""

from __future__ import annotations

import os
import sys


def prepare_streams() -> None:
    """Print what the output encoding cannot encode as escapes (`\\u2192`) instead of failing on it.

    An ASCII locale, `PYTHONIOENCODING=ascii`, or cp1252 where Windows redirects
    output would otherwise turn a diagnostic that quotes a heading with `→`
    into an internal error, and hide every finding.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream already closed or detached: leave it
                pass


def write_stdout(text: str) -> None:
    """Write and flush; a reader that went away (`dbos-skill validate | head`) ends the printing, not the command."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered does not fail again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
