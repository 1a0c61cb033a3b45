"""SARIF 2.1.0, the subset GitHub code scanning reads: one run, its rules, its results. Stdlib only.

Shared by `dbos-skill check` and `dbos-skill validate`, which describe their own
codes as rules and their own findings as results. GitHub shows a rule's
`shortDescription` and `fullDescription` at the top of an alert, its `help`
below, and a result's `message` at its location; columns are counted in
characters (`unicodeCodePoints`), as both tools count them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence
from urllib.parse import quote

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
LEVELS = ("error", "warning", "note")


@dataclass(frozen=True)
class Rule:
    """A reportingDescriptor: one stable code and what it means."""

    id: str
    summary: str
    help: str
    level: str = "error"
    name: Optional[str] = None
    properties: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """One finding at a place in a file: 1-based line and column, the end when known."""

    rule_id: str
    level: str
    message: str
    path: str
    line: int
    col: int
    end_line: Optional[int] = None
    end_col: Optional[int] = None


def uri(path: str) -> str:
    """A relative path stays relative (GitHub resolves it from the checkout); an absolute one becomes a file: URI."""
    if os.path.isabs(path):
        return Path(path).as_uri()
    return quote(path.replace(os.sep, "/"), safe="/")


def render(tool: str, version: str, rules: Sequence[Rule], results: Sequence[Result]) -> str:
    """The SARIF log of one run of `tool`; every result's rule must be among `rules`."""
    index = {rule.id: i for i, rule in enumerate(rules)}
    document = {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [
            {
                "tool": {"driver": {"name": tool, "version": version, "semanticVersion": version, "rules": [_rule(r) for r in rules]}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(r, index[r.rule_id]) for r in results],
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _rule(rule: Rule) -> dict[str, object]:
    entry: dict[str, object] = {"id": rule.id}
    if rule.name:
        entry["name"] = rule.name
    entry.update(
        shortDescription={"text": rule.summary},
        fullDescription={"text": rule.summary},
        help={"text": rule.help},
        defaultConfiguration={"level": _level(rule.level)},
    )
    if rule.properties:
        entry["properties"] = dict(rule.properties)
    return entry


def _result(result: Result, rule_index: int) -> dict[str, object]:
    region: dict[str, int] = {"startLine": result.line, "startColumn": result.col}
    if result.end_line is not None and result.end_col is not None:
        region.update(endLine=result.end_line, endColumn=result.end_col)
    return {
        "ruleId": result.rule_id,
        "ruleIndex": rule_index,
        "level": _level(result.level),
        "message": {"text": result.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(result.path)}, "region": region}}],
    }


def _level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"SARIF level must be one of {', '.join(LEVELS)}, not {level!r}")
    return level
