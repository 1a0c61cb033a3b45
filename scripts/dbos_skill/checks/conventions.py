"""A convention the whole bundle lacks is one finding, not one per rule file.

A bundle written to other habits (SQL examples, no labels, no frontmatter, no
routes from SKILL.md) would otherwise get the same diagnostic once per rule
file. When a per-rule diagnostic fires in every rule file of a bundle with two
or more rules, its findings are replaced by one at the first of them, saying
how many files lack the convention.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import Callable

from ..diagnostics import diag
from ..model import Bundle, Diagnostic, Document
from ..snippets import example_documents, python_fences

MIN_RULES = 2
_EVERY_RULE: dict[str, Callable[[int, str], str]] = {
    "F001": lambda n, _: f"none of the {n} rule files starts with YAML frontmatter",
    "F007": lambda n, message: f"{message}, and likewise in all {n} rule files",
    "I001": lambda n, _: f"SKILL.md routes to none of the {n} rule files",
    "R004": lambda n, _: f"none of the {n} rule files has an Incorrect python example",
    "R005": lambda n, _: f"none of the {n} rule files has a Correct python example",
    "R011": lambda n, _: f"none of the {n} rule files has a reference link to docs.dbos.dev",
}
_FIELD = re.compile(r"^`[^`]+`")


def collapse_absent_conventions(bundle: Bundle, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    rules = {rule.path for rule in bundle.rules}
    if len(rules) < MIN_RULES:
        return diagnostics
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for d in diagnostics:
        if d.code in _EVERY_RULE and d.path in rules:
            groups.setdefault(_kind(d), []).append(d)
    absent = {kind: found for kind, found in groups.items() if {d.path for d in found} >= rules}
    collapsed = {id(d) for found in absent.values() for d in found}
    kept = [d for d in diagnostics if id(d) not in collapsed]
    firsts = {kind: min(found, key=lambda d: d.sort_key) for kind, found in absent.items()}
    if ("R004", "") in firsts and ("R005", "") in firsts:
        first = min(firsts.pop(("R004", "")), firsts.pop(("R005", "")), key=lambda d: d.sort_key)
        kept.append(
            diag(
                "R015",
                first.path,
                first.line,
                _no_examples(bundle, len(rules)),
                col=first.col,
                help="write each rule as **Incorrect (reason):** and **Correct (reason):**, each followed by a ```python fence",
            )
        )
    for (code, _), first in firsts.items():
        kept.append(replace(first, message=_EVERY_RULE[code](len(rules), first.message)))
    return _collapse_python_spellings(bundle, kept)


def _kind(d: Diagnostic) -> tuple[str, str]:
    """What a diagnostic is about: its code, and for a type error the field it names."""
    if d.code == "F007":
        match = _FIELD.match(d.message)
        return d.code, match.group(0) if match else ""
    return d.code, ""


def _no_examples(bundle: Bundle, count: int) -> str:
    rule_documents = [rule.document for rule in bundle.rules if rule.document is not None]
    if not any(fence.closed for document in rule_documents for fence in python_fences(document)):
        languages = Counter(fence.language for document in rule_documents for fence in document.fences if fence.language)
        found = ", ".join(f"```{name}" for name, _ in languages.most_common(3))
        return f"none of the {count} rule files has a ```python example" + (f"; their code is fenced {found}" if found else "")
    return f"none of the {count} rule files labels its python examples Incorrect and Correct"


def _collapse_python_spellings(bundle: Bundle, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """When no fence at all is spelled ```python, the other spellings are the bundle's habit: say it once."""
    spelled = [d for d in diagnostics if d.code == "R012"]
    if len(spelled) < MIN_RULES or any(_has_python(document) for document in example_documents(bundle)):
        return diagnostics
    first = min(spelled, key=lambda d: d.sort_key)
    kept = [d for d in diagnostics if d.code != "R012"]
    kept.append(replace(first, message=f"none of the {len(spelled)} fences that look like Python is spelled ```python, so none of them is run"))
    return kept


def _has_python(document: Document) -> bool:
    return next(python_fences(document), None) is not None
