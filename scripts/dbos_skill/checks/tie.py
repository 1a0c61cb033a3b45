"""The tie between the bundle and `dbos-skill check`: the rules and the checker cannot drift apart.

- An Incorrect example that declares `check=DBOS101[,...]` gets exactly those findings (K001;
  checks outside the default selection count only where declared);
  one that declares `unchecked` gets none (the checker cannot catch it: it is listed instead).
- A `check=` code must be a check that exists (K002).
- Once the bundle declares the tie (any fence says `check=` or `unchecked`): every other python
  example (Correct ones, SKILL.md's) gets no finding from any check (K003); every check's rule
  file exists (K004); and every Incorrect example of a rule file that some check enforces
  declares `check=` or `unchecked` (K005). A check need not have an example of its own: its
  rule file explains the mistake, and the README's table names that file.
  A bundle that declares nothing yet (one written before the checker) is held to K001 and K002 only.

The checker runs in-process on each fence's padded source, so its lines are the markdown file's.
"""

from __future__ import annotations

from typing import Optional

from ..check.base import Check
from ..check.engine import check_snippet
from ..check.registry import CHECKS
from ..diagnostics import diag
from ..expectations import parse_expectation
from ..model import Bundle, Diagnostic, Document, Fence
from ..snippets import documents, padded_source, parse_python, python_fences


def enforced_checks() -> dict[str, Check]:
    """The checks tied to rule files (not the file-level DBOS998/DBOS999)."""
    return {code: check for code, check in CHECKS.items() if check.rule is not None}


def _rule_name(document: Document) -> Optional[str]:
    if document.path.startswith("references/") and document.path.endswith(".md"):
        return document.path[len("references/") : -len(".md")]
    return None


def check_tie(bundle: Bundle) -> list[Diagnostic]:
    checks = enforced_checks()
    codes = frozenset(checks)
    rules_with_checks = {check.rule for check in checks.values()}
    problems: list[Diagnostic] = []
    tie_declared = False
    undeclared: list[tuple[Document, Fence]] = []
    unclean: list[Diagnostic] = []
    for document in documents(bundle):
        rule = _rule_name(document)
        for fence in python_fences(document):
            expectation = parse_expectation(fence.attributes)
            if not fence.closed or isinstance(expectation, str) or isinstance(parse_python(document.path, fence), SyntaxError):
                continue  # R007, R008 and R009 report these
            if expectation.checks or expectation.unchecked:
                tie_declared = True
            for code in expectation.checks:
                if code not in checks:
                    problems.append(diag("K002", document.path, fence.line, f"`check={code}` names no check of `dbos-skill check`", help="`dbos-skill codes` lists the check codes"))
            findings = check_snippet(document.path, padded_source(fence.code_line, fence.code), codes)
            if fence.label != "incorrect":
                for f in findings:
                    unclean.append(
                        diag("K003", document.path, f.line, f"the checker reports {f.code} on an example that must be clean: {f.message}", col=f.col,
                             help="fix the example, or (if the code is right) fix the check's false alarm")
                    )
                continue
            # Checks outside the default selection (DBOS103, DBOS403) count on an Incorrect example only
            # when it declares them: an example about a removed config key need not also declare that
            # it builds DBOS at import time. On examples that must be clean, every check counts.
            found = sorted({f.code for f in findings if checks[f.code].default or f.code in expectation.checks})
            declared = [code for code in expectation.checks if code in checks]
            if expectation.checks:
                reported = ", ".join(sorted({f.code for f in findings})) or "nothing"
                for code in declared:
                    if code not in found:
                        problems.append(diag("K001", document.path, fence.line, f"the example declares `check={code}`, but the checker does not report it (it reports {reported})",
                                             help="make the example show the mistake the check finds, or fix the check"))
                for code in found:
                    if code not in expectation.checks:
                        problems.append(diag("K001", document.path, fence.line, f"the checker also reports {code} on this example: {_first_message(findings, code)}",
                                             help=f"add {code} to `check=`, or remove that second mistake from the example"))
            elif expectation.unchecked:
                if found:
                    problems.append(diag("K001", document.path, fence.line, f"the example declares `unchecked`, but the checker reports {', '.join(found)}",
                                         help=f"declare `check={','.join(found)}` instead"))
            elif rule in rules_with_checks:
                undeclared.append((document, fence))
    if tie_declared:
        problems += unclean
        problems += _completeness(bundle, checks, undeclared)
    return problems


def _first_message(findings: list, code: str) -> str:
    return next(f.message for f in findings if f.code == code)


def _completeness(bundle: Bundle, checks: dict[str, Check], undeclared: list[tuple[Document, Fence]]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    present = {rule.path for rule in bundle.rules}
    for code, check in checks.items():
        path = f"references/{check.rule}.md"
        if path not in present:
            problems.append(diag("K004", path, 1, f"check {code} ({check.name}) enforces `{path}`, which is not in the bundle",
                                 help="add the rule file, or point the check at the rule that explains it"))
    for document, fence in undeclared:
        problems.append(diag("K005", document.path, fence.line, "Incorrect example of a rule that `dbos-skill check` enforces declares neither `check=` nor `unchecked`",
                             help="add `check=DBOSnnn` for the findings the checker reports on it, or `unchecked` if it cannot catch it"))
    return problems

