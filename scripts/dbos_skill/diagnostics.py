"""Building diagnostics: the severity always comes from the code table."""

from __future__ import annotations

from typing import Optional

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
