"""Building diagnostics: the severity always comes from the code table."""

from __future__ import annotations

import reprlib
from typing import Any, Optional

from .codes import severity_of
from .model import Diagnostic


def diag(
    code: str,
    path: str,
    line: int,
    message: str,
    *,
    col: int = 1,
    help: Optional[str] = None,
    detail: Optional[str] = None,
) -> Diagnostic:
    return Diagnostic(
        path=path,
        line=max(line, 1),
        col=max(col, 1),
        code=code,
        severity=severity_of(code),
        message=message,
        help=help,
        detail=detail,
    )


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother = 2, 80, 80
_SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxdict = _SHOWN.maxset = 4


def shown(value: Any) -> str:
    """A value quoted in a message: its repr, cut short (YAML aliases can nest a list a billion items deep)."""
    return "nothing" if value is None else _SHOWN.repr(value)
