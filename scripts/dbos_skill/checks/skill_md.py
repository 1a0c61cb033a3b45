"""SKILL.md against the Agent Skills specification, and its priority table."""

from __future__ import annotations

import re
from typing import Any, Optional

from ..diagnostics import diag, shown
from ..model import Bundle, Diagnostic
from ..sections import column_values, find_table

ALLOWED_KEYS = ("name", "description", "license", "compatibility", "metadata", "allowed-tools")
MAX_NAME_CHARS = 64
MAX_DESCRIPTION_CHARS = 1024
MAX_COMPATIBILITY_CHARS = 500
MAX_BODY_LINES = 500
MAX_BODY_TOKENS = 5000
CHARS_PER_TOKEN = 4
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TABLE_COLUMNS = ("priority", "section", "impact", "prefix")


def estimated_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN


def check_frontmatter(bundle: Bundle) -> list[Diagnostic]:
    skill = bundle.skill
    if skill is None or skill.frontmatter is None:
        return []
    data, where = skill.frontmatter.data, skill.frontmatter.value_positions
    path = skill.path
    problems: list[Diagnostic] = []
    for key in data:
        if key not in ALLOWED_KEYS:
            line, col = skill.frontmatter.key_positions[key]
            problems.append(
                diag("S001", path, line, f"key `{key}` is not allowed in SKILL.md frontmatter", col=col, help=f"allowed keys: {', '.join(ALLOWED_KEYS)}")
            )
    for key in ("name", "description"):
        if key not in data:
            problems.append(diag("F006", path, 1, f"SKILL.md frontmatter is missing `{key}`"))
    problems += _check_name(data, where, path, None if bundle.source_checkout else bundle.root_name)
    problems += _check_description(data, where, path)
    problems += _check_optional(data, where, path)
    return problems


def _position(where: dict[str, tuple[int, int]], key: str) -> dict[str, int]:
    line, col = where[key]
    return {"line": line, "col": col}


def _check_name(data: dict[str, Any], where: Any, path: str, directory: Optional[str]) -> list[Diagnostic]:
    """`directory` is None in a source checkout, whose name is whatever it was cloned as."""
    if "name" not in data:
        return []
    name, at = data["name"], _position(where, "name")
    if not isinstance(name, str):
        return [diag("F007", path, at["line"], f"`name` must be a string, found {shown(name)}", col=at["col"])]
    if not 1 <= len(name) <= MAX_NAME_CHARS:
        return [diag("S002", path, at["line"], f"`name` must be 1 to {MAX_NAME_CHARS} characters, found {len(name)}", col=at["col"])]
    if not _NAME.match(name):
        return [
            diag(
                "S002",
                path,
                at["line"],
                f"`name` {shown(name)} must use only a-z, 0-9 and single inner hyphens",
                col=at["col"],
                help="no uppercase, no leading, trailing or doubled hyphen",
            )
        ]
    if directory is not None and name != directory:
        return [
            diag(
                "S003",
                path,
                at["line"],
                f"`name` {name!r} differs from the bundle directory's name {directory!r}",
                col=at["col"],
                help=f"install the skill into a directory named {name!r}",
            )
        ]
    return []


def _check_description(data: dict[str, Any], where: Any, path: str) -> list[Diagnostic]:
    if "description" not in data:
        return []
    text, at = data["description"], _position(where, "description")
    if not isinstance(text, str):
        return [diag("F007", path, at["line"], f"`description` must be a string, found {shown(text)}", col=at["col"])]
    if not text.strip():
        return [diag("S004", path, at["line"], "`description` is empty", col=at["col"])]
    if len(text) > MAX_DESCRIPTION_CHARS:
        return [diag("S004", path, at["line"], f"`description` is {len(text)} characters, over the limit of {MAX_DESCRIPTION_CHARS}", col=at["col"])]
    if "<" in text or ">" in text:
        return [diag("S004", path, at["line"], "`description` must not contain `<` or `>`", col=at["col"])]
    return []


def _check_optional(data: dict[str, Any], where: Any, path: str) -> list[Diagnostic]:
    problems = []
    for key in ("license", "compatibility"):
        if key in data and not isinstance(data[key], str):
            at = _position(where, key)
            problems.append(diag("F007", path, at["line"], f"`{key}` must be a string, found {shown(data[key])}", col=at["col"]))
    tools = data.get("allowed-tools")
    if "allowed-tools" in data and not (isinstance(tools, str) or (isinstance(tools, list) and all(isinstance(t, str) for t in tools))):
        # The specification writes a space-separated string; agents and the reference validator also take a list.
        at = _position(where, "allowed-tools")
        problems.append(diag("F007", path, at["line"], f"`allowed-tools` must be a string or a list of strings, found {shown(tools)}", col=at["col"]))
    if isinstance(data.get("compatibility"), str) and len(data["compatibility"]) > MAX_COMPATIBILITY_CHARS:
        at = _position(where, "compatibility")
        problems.append(diag("S007", path, at["line"], f"`compatibility` is over {MAX_COMPATIBILITY_CHARS} characters", col=at["col"]))
    metadata = data.get("metadata")
    if "metadata" in data and not (
        isinstance(metadata, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    ):
        at = _position(where, "metadata")
        problems.append(diag("S007", path, at["line"], "`metadata` must map strings to strings", col=at["col"]))
    return problems


def check_body_size(bundle: Bundle) -> list[Diagnostic]:
    skill = bundle.skill
    if skill is None:
        return []
    body = skill.body_lines
    problems = []
    if len(body) > MAX_BODY_LINES:
        problems.append(
            diag("S005", skill.path, skill.body_line + MAX_BODY_LINES, f"SKILL.md body is {len(body)} lines, over the limit of {MAX_BODY_LINES}", help="move detail into references/")
        )
    tokens = estimated_tokens("\n".join(body))
    if tokens > MAX_BODY_TOKENS:
        problems.append(
            diag("S006", skill.path, skill.body_line, f"SKILL.md body is about {tokens} tokens, over the limit of {MAX_BODY_TOKENS}", help="move detail into references/")
        )
    return problems


def check_priority_table(bundle: Bundle) -> list[Diagnostic]:
    skill = bundle.skill
    if skill is None or not bundle.sections:
        return []
    table = find_table(skill, TABLE_COLUMNS)
    if table is None:
        return [
            diag("S008", skill.path, skill.body_line, "SKILL.md has no priority table", help="add a table with the columns Priority | Section | Impact | Prefix")
        ]
    problems: list[Diagnostic] = []
    for index, section in enumerate(bundle.sections):
        if index >= len(table.rows):
            problems.append(diag("S009", skill.path, table.line, f"priority table lacks section {section.priority} ({section.name})"))
            continue
        row = table.rows[index]
        values = column_values(table, row.cells, TABLE_COLUMNS)
        expected = {"priority": str(section.priority), "section": section.name, "impact": section.impact, "prefix": section.prefix}
        wrong = [f"{column} `{values[column]}` should be `{expected[column]}`" for column in TABLE_COLUMNS if values[column] != expected[column]]
        if wrong:
            problems.append(diag("S009", skill.path, row.line, f"priority table row {index + 1}: " + "; ".join(wrong), help="copy the row from the sections file"))
    for row in table.rows[len(bundle.sections) :]:
        problems.append(diag("S009", skill.path, row.line, "priority table row has no matching section in the sections file"))
    return problems
