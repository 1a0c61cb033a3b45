"""Code fences in SKILL.md and the rule files: closed, a language, valid Python."""

from __future__ import annotations

from ..diagnostics import diag
from ..expectations import FenceProblem, read_fence
from ..model import Bundle, Diagnostic, Fence
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


def _check_attributes(path: str, fence: Fence) -> list[Diagnostic]:
    read = read_fence(fence.label, fence.attributes)
    if isinstance(read, FenceProblem):
        return [diag(read.code, path, fence.line, read.message, help=read.help)]
    return []
