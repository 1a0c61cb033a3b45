"""Code fences in SKILL.md and the rule files: closed, a language, valid Python."""

from __future__ import annotations

from ..diagnostics import diag
from ..expectations import contradicts_correct, parse_expectation
from ..model import Bundle, Diagnostic
from ..snippets import documents, parse_python, python_fences


def check_fences(bundle: Bundle) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for document in documents(bundle):
        for fence in document.fences:
            if not fence.closed:
                problems.append(diag("R008", document.path, fence.line, "code fence is never closed", help="close it with a line of ```"))
                continue
            if not fence.language:
                problems.append(diag("R006", document.path, fence.line, "code fence declares no language", help="write ```python, ```bash or ```text"))
        for fence in python_fences(document):
            if not fence.closed:
                continue
            parsed = parse_python(document.path, fence)
            if isinstance(parsed, SyntaxError):
                problems.append(diag("R007", document.path, parsed.lineno or fence.code_line, f"invalid Python: {parsed.msg}", col=parsed.offset or 1))
            problems += _check_attributes(document.path, fence)
    return problems


def _check_attributes(path: str, fence) -> list[Diagnostic]:
    expectation = parse_expectation(fence.attributes)
    if isinstance(expectation, str):
        return [diag("R009", path, fence.line, expectation)]
    if fence.label == "correct" and contradicts_correct(expectation):
        return [
            diag(
                "R009",
                path,
                fence.line,
                f"a Correct example must run clean, but its fence declares `{fence.attributes}`",
                help="move the attributes to an Incorrect example, or relabel this one",
            )
        ]
    if fence.label == "incorrect" and expectation.kind == "passes":
        return [
            diag(
                "R010",
                path,
                fence.line,
                "Incorrect example does not declare how its mistake shows",
                help="add `raises=ExceptionName`, `runs-but-wrong` or `warns` after ```python",
            )
        ]
    return []
