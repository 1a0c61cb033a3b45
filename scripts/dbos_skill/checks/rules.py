"""Each rule file: a declared prefix, the frontmatter fields, heading, examples, reference."""

from __future__ import annotations

import re
from typing import Any, Optional

from ..diagnostics import diag, shown
from ..model import IMPACTS, Bundle, Diagnostic, Document, Heading, Rule, Section
from ..snippets import python_fences

REQUIRED_KEYS = {"title": str, "impact": str, "impactDescription": str, "tags": list}
_TOPIC = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.md$")
REFERENCE_SITE = "https://docs.dbos.dev/"


def check_rules(bundle: Bundle) -> list[Diagnostic]:
    sections: dict[str, Section] = {}
    for section in bundle.sections:
        sections.setdefault(section.prefix, section)
    problems: list[Diagnostic] = []
    for rule in bundle.rules:
        problems += _check_name(rule, sections)
        if rule.document is None or rule.document.frontmatter is None:
            continue
        problems += _check_frontmatter(rule, sections.get(rule.prefix or ""))
        problems += _check_body(rule)
    return problems


def _check_name(rule: Rule, sections: dict[str, Section]) -> list[Diagnostic]:
    name = rule.path.rsplit("/", 1)[-1]
    if rule.prefix is None:
        if not sections:
            return []  # the sections file's own diagnostic explains this
        declared = ", ".join(sections) or "none"
        return [
            diag(
                "R001",
                rule.path,
                1,
                f"`{name}` does not start with a declared section prefix",
                help=f"name rule files <prefix>-<topic>.md; declared prefixes: {declared}",
            )
        ]
    if not _TOPIC.match(name[len(rule.prefix) + 1 :]):
        return [diag("R001", rule.path, 1, f"`{name}` is not <prefix>-<topic>.md in lowercase letters, digits and hyphens")]
    return []


def _check_frontmatter(rule: Rule, section: Section | None) -> list[Diagnostic]:
    front = rule.document.frontmatter
    data: dict[str, Any] = dict(front.data)
    problems: list[Diagnostic] = []
    for key, kind in REQUIRED_KEYS.items():
        if key not in data:
            problems.append(diag("F006", rule.path, 1, f"rule frontmatter is missing `{key}`"))
            continue
        line, col = front.value_positions[key]
        value = data[key]
        if not isinstance(value, kind) or (kind is str and not value.strip()):
            expected = "a non-empty string" if kind is str else "a list of strings"
            problems.append(diag("F007", rule.path, line, f"`{key}` must be {expected}, found {shown(value)}", col=col))
        elif kind is list and not all(isinstance(tag, str) and tag for tag in value):
            problems.append(diag("F007", rule.path, line, "`tags` must be a list of strings", col=col))
    for key in data:
        if key not in REQUIRED_KEYS:
            line, col = front.key_positions[key]
            problems.append(diag("F008", rule.path, line, f"unknown rule frontmatter key `{key}`", col=col, help=f"rule keys: {', '.join(REQUIRED_KEYS)}"))
    impact = data.get("impact")
    if isinstance(impact, str) and "impact" in front.value_positions:
        line, col = front.value_positions["impact"]
        if impact not in IMPACTS:
            problems.append(diag("R002", rule.path, line, f"impact `{impact}` is not one of {', '.join(IMPACTS)}", col=col))
        elif section is not None and impact != section.impact:
            problems.append(
                diag(
                    "R002",
                    rule.path,
                    line,
                    f"impact {impact} differs from section {section.name}'s impact {section.impact}",
                    col=col,
                    help=f"set `impact: {section.impact}`",
                )
            )
    return problems


def _where_the_example_is(document: Document, kind: str, heading: Optional[Heading]) -> tuple[int, int, str, str]:
    """Where a missing Incorrect/Correct python example should be: (line, col, why, help).

    The location is what exists of the example (a fence under its label, a
    label alone, an unlabelled python fence), else the rule's heading.
    """
    name = kind.capitalize()
    add = f"add `**{name} (reason):**` followed by a ```python fence"
    for fence in document.fences:
        if fence.label == kind:
            if not fence.closed:
                return fence.line, fence.col, f": its {name} fence is never closed", "close the fence with a line of ```"
            if fence.language != "python":
                spelled = f"```{fence.language}" if fence.language else "a fence with no language"
                return fence.line, fence.col, f": its {name} example is {spelled}", "fence the example with ```python"
    for block in document.code_blocks:
        if block.label is not None and block.label.kind == kind:
            return block.line, block.col, f": its {name} example is not in a fence", "fence the example with ```python"
    for label in document.loose_labels:
        if label.kind == kind:
            return label.line, label.col, f": its {name} label has no code under it", "put a ```python fence right under the label"
    for fence in python_fences(document):
        if fence.closed and fence.label is None:
            return fence.line, fence.col, "", f"if this fence is the {name} example, put `**{name} (reason):**` above it; else {add}"
    if heading is not None:
        return heading.line, 1, "", add
    return document.body_line, 1, "", add


def _check_body(rule: Rule) -> list[Diagnostic]:
    document = rule.document
    problems: list[Diagnostic] = []
    title = document.frontmatter.data.get("title")
    heading = next((h for h in document.headings if h.level == 2), None)
    if heading is None:
        problems.append(diag("R003", rule.path, document.body_line, "rule has no `##` heading", help=f"start the body with `## {title}`"))
    elif isinstance(title, str) and heading.text != title.strip():
        problems.append(
            diag("R003", rule.path, heading.line, f"heading `{heading.text}` differs from the title `{title}`", help=f"make it `## {title}`")
        )
    labels = {fence.label for fence in python_fences(document) if fence.closed}
    for kind, code in (("incorrect", "R004"), ("correct", "R005")):
        if kind not in labels:
            line, col, why, help = _where_the_example_is(document, kind, heading)
            problems.append(diag(code, rule.path, line, f"rule has no {kind.capitalize()} python example{why}", col=col, help=help))
    if not any(link.target.startswith(REFERENCE_SITE) for link in document.links):
        last_line = len(document.text.rstrip("\n").split("\n"))
        problems.append(
            diag("R011", rule.path, last_line, "rule has no reference link to docs.dbos.dev", help="end with `Reference: [Page](https://docs.dbos.dev/...)`")
        )
    return problems
