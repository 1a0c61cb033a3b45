"""Reading the sections table (priority, name, prefix, impact, description)."""

from __future__ import annotations

import re

from .diagnostics import diag
from .model import Diagnostic, Document, Section, Table

COLUMNS = ("priority", "section", "prefix", "impact", "description")
_PREFIX = re.compile(r"^[a-z][a-z0-9]*$")
# The other common way of declaring sections: `## 1. Query Performance (query)` with **Impact:** below.
_SECTION_HEADING = re.compile(r"^\d+\.\s+.+\([a-z][a-z0-9]*\)$")


def find_table(document: Document, required: tuple[str, ...]) -> Table | None:
    """The first table whose header names every required column."""
    for table in document.tables:
        header = [cell.strip().lower() for cell in table.header]
        if all(column in header for column in required):
            return table
    return None


def column_values(table: Table, row_cells: tuple[str, ...], columns: tuple[str, ...]) -> dict[str, str]:
    header = [cell.strip().lower() for cell in table.header]
    return {column: row_cells[header.index(column)].strip().strip("`") if header.index(column) < len(row_cells) else "" for column in columns}


def parse_sections(document: Document) -> tuple[tuple[Section, ...], list[Diagnostic]]:
    table = find_table(document, COLUMNS)
    if table is None:
        headed = [h for h in document.headings if _SECTION_HEADING.match(h.text)]
        hint = f"; the {len(headed)} sections written as `## N. Name (prefix)` headings are not read" if headed else ""
        return (), [
            diag(
                "P001",
                document.path,
                document.body_line,
                "no sections table found, so references/*.md are read as plain documents, not as rules",
                help="add a table with the columns " + " | ".join(c.capitalize() for c in COLUMNS) + hint,
            )
        ]
    sections: list[Section] = []
    problems: list[Diagnostic] = []
    for row in table.rows:
        values = column_values(table, row.cells, COLUMNS)
        empty = [column for column in COLUMNS if not values[column]]
        if empty:
            problems.append(diag("P001", document.path, row.line, f"section row has an empty {', '.join(empty)}"))
            continue
        if not values["priority"].isdigit():
            problems.append(diag("P001", document.path, row.line, f"priority must be a whole number, found `{values['priority']}`"))
            continue
        if not _PREFIX.match(values["prefix"]):
            problems.append(diag("P001", document.path, row.line, f"prefix must be lowercase letters and digits, found `{values['prefix']}`"))
            continue
        sections.append(
            Section(
                priority=int(values["priority"]),
                name=values["section"],
                prefix=values["prefix"],
                impact=values["impact"],
                description=values["description"],
                line=row.line,
            )
        )
    if not table.rows:
        problems.append(diag("P001", document.path, table.line, "the sections table has no rows"))
    return tuple(sections), problems
