"""Splitting YAML frontmatter off a markdown file, with precise positions.

The YAML is composed with the safe loader so every key keeps its line; a
duplicate key is an error rather than a silent overwrite.
"""

from __future__ import annotations

from typing import Optional

import yaml

from .diagnostics import diag
from .model import Diagnostic, Frontmatter

DELIMITER = "---"


def split_frontmatter(text: str, path: str) -> tuple[Optional[Frontmatter], int, list[Diagnostic]]:
    """Return the frontmatter (None if unusable), the body's first line, and problems."""
    lines = text.split("\n")
    if lines[0].rstrip() != DELIMITER:
        return None, 1, [diag("F001", path, 1, "file does not start with YAML frontmatter", help="start the file with a `---` line")]
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (DELIMITER, "...")), None)
    if closing is None:
        return None, 1, [diag("F002", path, 1, "frontmatter opened here is never closed", help="end the frontmatter with a `---` line")]
    body_line = closing + 2
    source = "\n".join(lines[1:closing])
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark else 2
        col = mark.column + 1 if mark else 1
        problem = error.problem or error.context or "invalid YAML"
        return None, body_line, [diag("F003", path, line, f"invalid YAML in frontmatter: {problem}", col=col)]
    except yaml.YAMLError as error:
        return None, body_line, [diag("F003", path, 2, f"invalid YAML in frontmatter: {error}")]
    if not isinstance(node, yaml.MappingNode):
        kind = "empty" if node is None else f"a {_node_kind(node)}"
        line = node.start_mark.line + 2 if node is not None else 1
        return None, body_line, [diag("F004", path, line, f"frontmatter must be a mapping, found {kind}")]
    problems: list[Diagnostic] = []
    positions: dict[str, tuple[int, int]] = {}
    value_positions: dict[str, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        where = (key_node.start_mark.line + 2, key_node.start_mark.column + 1)
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(diag("F007", path, where[0], "frontmatter keys must be strings", col=where[1]))
            continue
        if key in positions:
            problems.append(diag("F005", path, where[0], f"duplicate frontmatter key `{key}`", col=where[1]))
            continue
        positions[key] = where
        value_positions[key] = (value_node.start_mark.line + 2, value_node.start_mark.column + 1)
    if problems:
        return None, body_line, problems
    try:
        data = yaml.SafeLoader(source).get_single_data()
    except yaml.YAMLError as error:
        return None, body_line, [diag("F003", path, 2, f"invalid YAML in frontmatter: {error}")]
    return Frontmatter(data=data, key_positions=positions, value_positions=value_positions), body_line, []


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "scalar" if isinstance(node, yaml.ScalarNode) else "value"
