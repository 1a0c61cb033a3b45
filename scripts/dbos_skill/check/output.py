"""Rendering a check run: ruff-like text, JSON, GitHub workflow annotations, or SARIF 2.1.0."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import quote

from .finding import Finding
from .registry import CHECKS

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "dbos-skill check"
TOOL_VERSION = "0.1.0"
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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def render_text(result: Result) -> str:
    lines: list[str] = []
    for f in result.fixed:
        lines.append(f"fixed {f.path}:{f.line}:{f.col}: {f.code} {f.message}")
    for f in result.findings:
        lines.append(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}")
        if f.help:
            lines.append(f"  help: {f.help}")
        rule = rule_location(CHECKS[f.code].rule)
        if rule:
            lines.append(f"  rule: {rule}")
    checked = f"Checked {_plural(result.files, 'file')}"
    if result.fixed:
        lines.append(f"{checked}: fixed {_plural(len(result.fixed), 'problem')}, {len(result.findings)} remaining.")
    elif result.findings:
        fixable = f" ({result.fixable} fixable with --fix)" if result.fixable else ""
        lines.append(f"{checked}: found {_plural(len(result.findings), 'problem')}{fixable}.")
    else:
        lines.append(f"{checked}: no problems.")
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


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: Result) -> str:
    lines = []
    for f in result.findings:
        body = f.message + (f"\nhelp: {f.help}" if f.help else "")
        rule = rule_location(CHECKS[f.code].rule)
        if rule:
            body += f"\nrule: {rule}"
        lines.append(f"::error file={_escape_property(f.path)},line={f.line},col={f.col},title={_escape_property(f.code)}::{_escape_data(body)}")
    lines.append(f"{_plural(len(result.findings), 'problem')} in {_plural(result.files, 'file')}")
    return "\n".join(lines) + "\n"


def _uri(path: str) -> str:
    if os.path.isabs(path):
        return Path(path).as_uri()
    return quote(path.replace(os.sep, "/"), safe="/")


def render_sarif(result: Result) -> str:
    codes = sorted({f.code for f in result.findings})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        check = CHECKS[code]
        rule: dict[str, object] = {
            "id": code,
            "name": check.name,
            "shortDescription": {"text": check.summary},
            "defaultConfiguration": {"level": "error"},
        }
        if check.rule:
            rule["help"] = {"text": f"Read references/{check.rule}.md in the dbos-python skill."}
            rule["properties"] = {"ruleFile": f"references/{check.rule}.md"}
        rules.append(rule)
    results = []
    for f in result.findings:
        region: dict[str, int] = {"startLine": f.line, "startColumn": f.col}
        if f.end_line is not None and f.end_col is not None:
            region.update(endLine=f.end_line, endColumn=f.end_col)
        text = f.message + (f"\nhelp: {f.help}" if f.help else "")
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": "error",
                "message": {"text": text},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.path)}, "region": region}}],
            }
        )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL_NAME, "version": TOOL_VERSION, "rules": rules}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


RENDERERS: dict[str, Callable[[Result], str]] = {"text": render_text, "json": render_json, "github": render_github, "sarif": render_sarif}
