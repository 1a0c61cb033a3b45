"""Building the text edits of fixes: deleting one argument of a call or one entry of a dict literal.

Every edit keeps the comments around it and leaves valid separators; a deletion
that cannot be done cleanly returns None and the finding is reported unfixed.
"""

from __future__ import annotations

import ast
import re
from typing import Optional, Sequence

from .finding import Edit
from .model import Module

Span = tuple[int, int, int, int]  # line, col, end_line, end_col (1-based lines, 0-based character columns)
_REST_OF_LINE = re.compile(r"\s*,?\s*(#.*)?$")
_LEADING_COMMA = re.compile(r"\s*,")


def node_span(module: Module, node: ast.AST) -> Span:
    return (
        node.lineno,
        module.char_col(node.lineno, node.col_offset),
        node.end_lineno,
        module.char_col(node.end_lineno, node.end_col_offset),
    )


def text_between(module: Module, start: tuple[int, int], end: tuple[int, int]) -> str:
    lines = module.lines
    (line, col), (end_line, end_col) = start, end
    if line == end_line:
        return lines[line - 1][col:end_col]
    parts = [lines[line - 1][col:]] + lines[line : end_line - 1] + [lines[end_line - 1][:end_col]]
    return "\n".join(parts)


def argument_spans(module: Module, call: ast.Call) -> list[tuple[ast.AST, Span]]:
    """The call's arguments in source order; a `**kwargs` span starts at its `**`."""
    items: list[tuple[ast.AST, Span]] = []
    for arg in call.args:
        items.append((arg, node_span(module, arg)))
    for keyword in call.keywords:
        items.append((keyword, node_span(module, keyword)))
    items.sort(key=lambda item: (item[1][0], item[1][1]))
    return items


def dict_entry_spans(module: Module, literal: ast.Dict) -> list[tuple[ast.AST, Span]]:
    items: list[tuple[ast.AST, Span]] = []
    for key, value in zip(literal.keys, literal.values):
        value_span = node_span(module, value)
        if key is None:
            line, col = value_span[0], value_span[1]
            text = module.line_text(line)
            star = text.rfind("**", 0, col)
            if star < 0:
                return []
            items.append((value, (line, star, value_span[2], value_span[3])))
        else:
            key_span = node_span(module, key)
            items.append((key, (key_span[0], key_span[1], value_span[2], value_span[3])))
    return items


def delete_item(module: Module, items: Sequence[tuple[ast.AST, Span]], target: ast.AST) -> Optional[Edit]:
    """Delete one item of a comma-separated list (call arguments, dict entries), with its separator."""
    index = next((i for i, (node, _) in enumerate(items) if node is target), None)
    if index is None:
        return None
    line, col, end_line, end_col = items[index][1]
    before = module.line_text(line)[:col]
    after = module.line_text(end_line)[end_col:]
    if not before.strip() and _REST_OF_LINE.fullmatch(after):
        # The item has its own line(s): delete them whole, with any comment that explains it.
        return Edit(line, 0, end_line + 1, 0, "")
    if index + 1 < len(items):
        next_line, next_col = items[index + 1][1][:2]
        between = text_between(module, (end_line, end_col), (next_line, next_col))
        if "#" in between:
            return None
        return Edit(line, col, next_line, next_col, "")
    if index > 0:
        prev_end = items[index - 1][1][2:]
        between = text_between(module, prev_end, (line, col))
        if "#" in between:
            return None
        return Edit(prev_end[0], prev_end[1], end_line, end_col, "")
    comma = _LEADING_COMMA.match(after)
    return Edit(line, col, end_line, end_col + (comma.end() if comma else 0), "")
