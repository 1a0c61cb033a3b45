"""The sections file: unique, contiguous priorities, known impacts that never rise."""

from __future__ import annotations

from itertools import pairwise

from ..diagnostics import diag
from ..model import IMPACTS, Bundle, Diagnostic


def check_sections(bundle: Bundle) -> list[Diagnostic]:
    path = bundle.sections_path
    problems: list[Diagnostic] = []
    seen: dict[str, dict[object, int]] = {"priority": {}, "prefix": {}, "name": {}}
    for section in bundle.sections:
        for field, value in (("priority", section.priority), ("prefix", section.prefix), ("name", section.name)):
            if value in seen[field]:
                code = "P002" if field == "priority" else "P004"
                problems.append(diag(code, path, section.line, f"{field} `{value}` is already used on line {seen[field][value]}"))
            else:
                seen[field][value] = section.line
        if section.impact not in IMPACTS:
            problems.append(diag("P005", path, section.line, f"impact `{section.impact}` is not one of {', '.join(IMPACTS)}"))
    priorities = sorted(seen["priority"])
    if priorities and priorities != list(range(1, len(priorities) + 1)):
        problems.append(
            diag("P003", path, bundle.sections[0].line, f"priorities must run 1..{len(priorities)} without gaps, found {', '.join(map(str, priorities))}")
        )
    ordered = sorted((s for s in bundle.sections if s.impact in IMPACTS), key=lambda s: s.priority)
    for before, after in pairwise(ordered):
        if IMPACTS.index(after.impact) < IMPACTS.index(before.impact):
            problems.append(
                diag(
                    "P006",
                    path,
                    after.line,
                    f"impact rises from {before.impact} (priority {before.priority}) to {after.impact} (priority {after.priority})",
                    help="order sections from the highest impact to the lowest",
                )
            )
    return problems
