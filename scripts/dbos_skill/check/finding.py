"""What a check reports: a finding at a place in a file, with an optional mechanical fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions (1-based lines, 0-based character columns)."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclass(frozen=True)
class Finding:
    """One problem: `line`/`col` are 1-based, columns counted in characters, as editors show them."""

    path: str
    line: int
    col: int
    code: str
    message: str
    help: Optional[str] = None
    end_line: Optional[int] = None
    end_col: Optional[int] = None
    fix: tuple[Edit, ...] = ()

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)
