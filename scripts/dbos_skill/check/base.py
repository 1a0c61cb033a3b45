"""What every check family shares: a check's metadata, and a reporter that turns AST nodes into findings."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional, Sequence

from .finding import Edit, Finding
from .model import Module


@dataclass(frozen=True)
class Check:
    """One stable code: what it finds, the rule file (references/<rule>.md) that explains it."""

    code: str
    name: str
    rule: Optional[str]
    summary: str
    fixable: bool = False
    default: bool = True  # in the default selection; others run only when --select names them


class Reporter:
    """Collects one module's findings; positions come from AST nodes (byte columns) and leave as character columns."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.findings: list[Finding] = []

    def report(
        self,
        code: str,
        node: ast.AST,
        message: str,
        help: Optional[str] = None,
        fix: Sequence[Edit] = (),
    ) -> None:
        m = self.module
        line = getattr(node, "lineno", 1)
        col = m.char_col(line, getattr(node, "col_offset", 0))
        end_line = getattr(node, "end_lineno", None)
        end_col = m.char_col(end_line, node.end_col_offset) if end_line is not None and getattr(node, "end_col_offset", None) is not None else None
        self.findings.append(
            Finding(
                path=m.path,
                line=line,
                col=col + 1,
                code=code,
                message=message,
                help=help,
                end_line=end_line,
                end_col=None if end_col is None else end_col + 1,
                fix=tuple(fix),
            )
        )

    # -- edits, in the module's character coordinates ------------------------------------

    def span(self, node: ast.AST) -> tuple[int, int, int, int]:
        m = self.module
        return (
            node.lineno,
            m.char_col(node.lineno, node.col_offset),
            node.end_lineno,
            m.char_col(node.end_lineno, node.end_col_offset),
        )

    def replace(self, node: ast.AST, text: str) -> Edit:
        line, col, end_line, end_col = self.span(node)
        return Edit(line, col, end_line, end_col, text)

    def insert_before(self, node: ast.AST, text: str) -> Edit:
        line, col, _, _ = self.span(node)
        return Edit(line, col, line, col, text)

