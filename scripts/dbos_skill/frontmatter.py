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
_STRING = "tag:yaml.org,2002:str"


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
        # One loader composes the nodes (each key keeps its position), then builds the data from
        # them below, as yaml.safe_load would: the text is parsed once.
        loader = yaml.SafeLoader(source)
        node = loader.get_single_node()
    except RecursionError:
        return None, body_line, [diag("F003", path, 2, "invalid YAML in frontmatter: nested too deeply")]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = _position(source, mark) if mark else (2, 1)
        problem = error.problem or error.context or "invalid YAML"
        return None, body_line, [diag("F003", path, line, f"invalid YAML in frontmatter: {problem}", col=col)]
    except yaml.YAMLError as error:
        return None, body_line, [diag("F003", path, 2, f"invalid YAML in frontmatter: {error}")]
    if not isinstance(node, yaml.MappingNode):
        kind = "empty" if node is None else f"a {_node_kind(node)}"
        line = _position(source, node.start_mark)[0] if node is not None else 1
        return None, body_line, [diag("F004", path, line, f"frontmatter must be a mapping, found {kind}")]
    problems: list[Diagnostic] = []
    positions: dict[str, tuple[int, int]] = {}
    value_positions: dict[str, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        where = _position(source, key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STRING:
            # A key YAML reads as a number, null, date or merge (<<) would name no field, and match no position.
            problems.append(diag("F007", path, where[0], "frontmatter keys must be strings", col=where[1], help="quote the key"))
            continue
        if key in positions:
            problems.append(diag("F005", path, where[0], f"duplicate frontmatter key `{key}`", col=where[1]))
            continue
        positions[key] = where
        # An alias (*name) composes to the anchored node, written earlier: point at the key instead.
        value_mark = value_node.start_mark if value_node.start_mark.index > key_node.start_mark.index else key_node.start_mark
        value_positions[key] = _position(source, value_mark)
    if problems:
        return None, body_line, problems
    try:
        data = loader.construct_document(node)
    except yaml.YAMLError as error:
        return None, body_line, [diag("F003", path, 2, f"invalid YAML in frontmatter: {error}")]
    except RecursionError:
        return None, body_line, [diag("F003", path, 2, "invalid YAML in frontmatter: nested too deeply")]
    return Frontmatter(data=data, key_positions=positions, value_positions=value_positions), body_line, []


def _position(source: str, mark: yaml.Mark) -> tuple[int, int]:
    """The file's (line, column) of a YAML mark.

    YAML also breaks lines at NEL, LS and PS (U+0085, U+2028, U+2029), where
    markdown and editors do not: count from the mark's character index instead
    of trusting its line. The frontmatter starts on line 2.
    """
    index = min(mark.index, len(source))
    line_start = source.rfind("\n", 0, index) + 1
    return source.count("\n", 0, index) + 2, index - line_start + 1


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "scalar" if isinstance(node, yaml.ScalarNode) else "value"
