"""Progress of the example runs on stderr, for a person at a terminal: never in a pipe, a file or CI.

`examples 38/85, 1 failed |█████▉        |` on one line that is redrawn as
results arrive and cleared at the end, so the report and its summary read
exactly as without it. tqdm draws it; it is imported only when a bar is shown.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Mapping, Optional, TextIO

if TYPE_CHECKING:
    from .model import SnippetResult

BAR_FORMAT = "{desc} {n_fmt}/{total_fmt}{postfix} |{bar}|"
# A terminal that does not say its size (a bare pseudo-terminal) reports 0 x 0, which tqdm would take
# for a screen with no room at all and draw nothing on.
FALLBACK_SIZE = {"ncols": 80, "nrows": 24}


def wanted(stream: Optional[TextIO] = None, environ: Optional[Mapping[str, str]] = None) -> bool:
    """Whether to show progress: `stream` (stderr) is a terminal, and `CI` is not set (CI logs are not terminals)."""
    stream = sys.stderr if stream is None else stream
    environ = os.environ if environ is None else environ
    if environ.get("CI"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # no such method, or a closed stream
        return False


class ExampleProgress:
    """Examples done of the total and the failures so far, redrawn on each result."""

    def __init__(self, total: int, stream: Optional[TextIO] = None) -> None:
        from tqdm import tqdm

        self.failed = 0
        stream = sys.stderr if stream is None else stream
        self._bar = tqdm(
            total=total,
            desc="examples",
            file=stream,
            bar_format=BAR_FORMAT,
            postfix=self._failures(),
            leave=False,  # the summary says it all once the run is over
            mininterval=0.2,
            **_width(stream),
        )

    def advance(self, result: SnippetResult) -> None:
        if result.outcome == "failed":
            self.failed += 1
            self._bar.set_postfix_str(self._failures(), refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()

    def _failures(self) -> str:
        return f"{self.failed} failed"


def _width(stream: TextIO) -> dict[str, object]:
    """Follow the terminal's width as it is resized; a fixed width where the terminal reports none."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = 0
    return {"dynamic_ncols": True} if columns > 0 else dict(FALLBACK_SIZE)
