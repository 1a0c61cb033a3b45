"""Rendering a check run: ruff-like text, JSON, GitHub workflow annotations, or SARIF 2.1.0."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from .. import __version__
from . import layout, sarif
from .base import Check
from .finding import Finding
from .registry import CHECKS

TOOL_NAME = "dbos-skill check"
# The installed skill: scripts/dbos_skill/check/output.py -> the directory holding SKILL.md and references/.
SKILL_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Result:
    files: int
    findings: tuple[Finding, ...]
    fixed: tuple[Finding, ...] = ()
    fix_requested: bool = False

    @property
    def fixable(self) -> int:
        return sum(1 for f in self.findings if f.fix)


def rule_location(rule: Optional[str], skill_root: Path = SKILL_ROOT) -> Optional[str]:
    """Where an agent reads the rule: the installed file when it exists (shown relative to the cwd if inside it)."""
    if rule is None:
        return None
    file = skill_root / "references" / f"{rule}.md"
    if not file.is_file():
        return f"references/{rule}.md"
    try:
        return os.path.relpath(file) if not os.path.relpath(file).startswith("..") else str(file)
    except ValueError:
        return str(file)


def render_text(result: Result) -> str:
    lines: list[str] = []
    for f in result.fixed:
        lines.append(f"fixed {f.path}:{f.line}:{f.col}: {f.code} {f.message}")
    for f in result.findings:
        lines.extend(layout.finding(f.path, f.line, f.col, f.code, f.message, f.help))
        rule = rule_location(CHECKS[f.code].rule)
        if rule:
            lines.append(f"  rule: {rule}")
    checked = f"Checked {layout.plural(result.files, 'file')}"
    if result.fixed:
        lines.append(f"{checked}: fixed {layout.plural(len(result.fixed), 'problem')}, {len(result.findings)} remaining.")
    else:
        fixable = f" ({result.fixable} fixable with --fix)" if result.fixable else ""
        lines.append(f"{checked}: {layout.problems(len(result.findings))}{fixable}.")
    return "\n".join(lines) + "\n"


def _finding_json(f: Finding) -> dict[str, object]:
    check = CHECKS[f.code]
    entry: dict[str, object] = {
        "path": f.path,
        "line": f.line,
        "col": f.col,
        "end_line": f.end_line,
        "end_col": f.end_col,
        "code": f.code,
        "severity": "error",
        "message": f.message,
        "help": f.help,
        "rule": rule_location(check.rule),
        "fixable": bool(f.fix),
    }
    return entry


def render_json(result: Result) -> str:
    document = {
        "diagnostics": [_finding_json(f) for f in result.findings],
        "fixed": [_finding_json(f) for f in result.fixed],
        "summary": {"files": result.files, "findings": len(result.findings), "fixed": len(result.fixed), "fixable": result.fixable},
    }
    return json.dumps(document, indent=2) + "\n"


def render_github(result: Result) -> str:
    lines = []
    for f in result.findings:
        rule = rule_location(CHECKS[f.code].rule)
        lines.append(layout.annotation("error", f.path, f.line, f.col, f.code, layout.body(f.message, f.help, f"rule: {rule}" if rule else None)))
    lines.append(f"Checked {layout.plural(result.files, 'file')}: {layout.problems(len(result.findings))}.")
    return "\n".join(lines) + "\n"


def sarif_rule(check: Check) -> sarif.Rule:
    """A check as a SARIF rule: its summary, and the rule file that explains it as the help."""
    if check.rule is None:
        return sarif.Rule(check.code, check.summary, help="Make the file readable Python: until it parses, no check looks at it.", name=check.name)
    rule_file = f"references/{check.rule}.md"
    help = f"Read {rule_file} in the dbos-python skill: the mistake, why it matters, and the correct code."
    return sarif.Rule(check.code, check.summary, help=help, name=check.name, properties={"ruleFile": rule_file})


def render_sarif(result: Result) -> str:
    """SARIF 2.1.0 for GitHub code scanning: every check as a rule, every finding as a result."""
    rules = [sarif_rule(check) for check in CHECKS.values()]
    results = [
        sarif.Result(f.code, "error", layout.body(f.message, f.help), f.path, f.line, f.col, f.end_line, f.end_col)
        for f in result.findings
    ]
    return sarif.render(TOOL_NAME, __version__, rules, results)


def checks_table(installed: bool = True) -> str:
    """Every check as a markdown table: code, name, the rule file that explains it, what it finds, and whether
    --fix repairs it. `--list-checks` prints it with the rule files where this skill is (installed: the path an
    agent reads next); `dbos-skill codes` with their paths in the bundle (`references/<rule>.md`)."""
    rows = ["| Code | Name | Rule file | Finds | Fix |", "| --- | --- | --- | --- | --- |"]
    for check in CHECKS.values():
        if check.rule is None:
            rule = "-"
        else:
            rule = rule_location(check.rule) if installed else f"references/{check.rule}.md"
        rows.append(f"| {check.code} | {check.name} | {rule} | {check.summary} | {'yes' if check.fixable else ''} |")
    return "\n".join(rows) + "\n"


RENDERERS: dict[str, Callable[[Result], str]] = {"text": render_text, "json": render_json, "github": render_github, "sarif": render_sarif}
