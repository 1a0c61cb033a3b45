"""Applying fixes: non-overlapping edits, all of a finding's edits or none, and never a file that stops parsing."""

from __future__ import annotations

import ast
from typing import Sequence

from .finding import Edit, Finding


def _offsets(source: str) -> list[int]:
    """Offset of the start of each line (1-based line n starts at offsets[n - 1]); one extra for past the end."""
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _position(starts: list[int], source: str, line: int, col: int) -> int:
    if line - 1 >= len(starts) - 1:
        return len(source)
    line_start = starts[line - 1]
    line_end = starts[line]
    return min(line_start + col, line_end)


def apply_fixes(source: str, findings: Sequence[Finding]) -> tuple[str, list[Finding]]:
    """The source with the findings' fixes applied, and the findings whose fixes went in."""
    starts = _offsets(source)
    chosen: list[tuple[int, int, str]] = []
    applied: list[Finding] = []
    for finding in sorted((f for f in findings if f.fix), key=lambda f: (f.line, f.col)):
        spans = [(_position(starts, source, e.line, e.col), _position(starts, source, e.end_line, e.end_col), e.text) for e in finding.fix]
        if any(_overlaps(span, other) for span in spans for other in chosen) or any(
            _overlaps(a, b) for i, a in enumerate(spans) for b in spans[i + 1 :]
        ):
            continue
        chosen.extend(spans)
        applied.append(finding)
    if not chosen:
        return source, []
    text = source
    for start, end, replacement in sorted(chosen, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source, []
    return text, applied


def _overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    (a_start, a_end, _), (b_start, b_end, _) = a, b
    if a_start == a_end or b_start == b_end:  # insertions collide only strictly inside another edit
        return a_start < b_end and b_start < a_end and not (a_start == b_start)
    return a_start < b_end and b_start < a_end


__all__ = ["Edit", "apply_fixes"]
