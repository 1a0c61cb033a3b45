"""Rule file length: a rule over 300 lines is probably several rules."""

from __future__ import annotations

from ..diagnostics import diag
from ..model import Bundle, Diagnostic

MAX_RULE_LINES = 300


def check_size(bundle: Bundle) -> list[Diagnostic]:
    problems = []
    for rule in bundle.rules:
        if rule.document is None:
            continue
        count = len(rule.document.text.rstrip("\n").split("\n"))
        if count > MAX_RULE_LINES:
            problems.append(
                diag("Z001", rule.path, MAX_RULE_LINES + 1, f"rule file is {count} lines, over {MAX_RULE_LINES}", help="split it into rules with one idea each")
            )
    return problems
