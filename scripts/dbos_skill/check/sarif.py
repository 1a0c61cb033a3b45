"""SARIF 2.1.0, the subset GitHub code scanning reads: one run, its rules, its results. Stdlib only.

Shared by `dbos-skill check` and `dbos-skill validate`, which describe their own
codes as rules and their own findings as results. GitHub shows a rule's
`shortDescription` and `fullDescription` at the top of an alert, its `help`
below, and a result's `message` at its location; columns are counted in
characters (`unicodeCodePoints`), as both tools count them.

Code scanning reads a relative `uri` as relative to the repository root, whatever
directory the tool ran in. So a result's `uri` is relative to the root of the git work
tree that holds the results' files (`uriBaseId` `%SRCROOT%`, which `originalUriBaseIds`
declares as that directory's `file:` URI), or to the current directory outside any work
tree; a file outside that root gets an absolute `file:` URI and no base.
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


SRCROOT = "%SRCROOT%"


def work_tree(directory: str) -> Optional[str]:
    """The root of the git work tree holding `directory` (where `.git` is: a directory, or a file in a worktree
    or submodule), or None."""
    current = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def base_directory(paths: Sequence[str]) -> str:
    """What result URIs are relative to: the work tree holding most of `paths` (as given: relative to the current
    directory, or absolute), else the one holding the current directory, else the current directory."""
    trees: dict[str, int] = {}
    tree_of: dict[str, Optional[str]] = {}
    for path in paths:
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in tree_of:
            tree_of[directory] = work_tree(directory)
        tree = tree_of[directory]
        if tree is not None:
            trees[tree] = trees.get(tree, 0) + 1
    if trees:
        return min(trees, key=lambda t: (-trees[t], t))
    return work_tree(os.getcwd()) or os.getcwd()


def artifact_location(path: str, base: str) -> dict[str, str]:
    """A file as an artifactLocation: relative to `base` under %SRCROOT% when inside it, else an absolute file: URI."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, base)
    if relative == os.curdir or relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        return {"uri": Path(absolute).as_uri()}
    return {"uri": quote(relative.replace(os.sep, "/"), safe="/"), "uriBaseId": SRCROOT}


def render(tool: str, version: str, rules: Sequence[Rule], results: Sequence[Result]) -> str:
    """The SARIF log of one run of `tool`; every result's rule must be among `rules`."""
    index = {rule.id: i for i, rule in enumerate(rules)}
    base = base_directory([r.path for r in results])
    document = {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [
            {
                "tool": {"driver": {"name": tool, "version": version, "semanticVersion": version, "rules": [_rule(r) for r in rules]}},
                "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(base)}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(r, index[r.rule_id], base) for r in results],
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _directory_uri(directory: str) -> str:
    """A directory's file: URI, ending in `/` as SARIF asks of a base."""
    uri = Path(directory).as_uri()
    return uri if uri.endswith("/") else uri + "/"


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


def _result(result: Result, rule_index: int, base: str) -> dict[str, object]:
    region: dict[str, int] = {"startLine": result.line, "startColumn": result.col}
    if result.end_line is not None and result.end_col is not None:
        region.update(endLine=result.end_line, endColumn=result.end_col)
    return {
        "ruleId": result.rule_id,
        "ruleIndex": rule_index,
        "level": _level(result.level),
        "message": {"text": result.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(result.path, base), "region": region}}],
    }


def _level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"SARIF level must be one of {', '.join(LEVELS)}, not {level!r}")
    return level
