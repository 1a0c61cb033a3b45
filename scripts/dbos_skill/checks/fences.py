"""Code in SKILL.md and the rule files: closed fences, a language, valid Python, nothing that escapes the runner.

Every fence must be closed, in any bundle. In a bundle that follows the rule
format, code is also judged as examples: a fence declares a language; a fence
that looks like Python but is not spelled ```python, an indented code block, a
fence hidden inside an HTML block, and an Incorrect/Correct label with no code
under it are reported, since none of them would run.
"""

from __future__ import annotations

from ..diagnostics import diag
from ..expectations import FenceProblem, read_fence
from ..languages import language_of
from ..model import Bundle, CodeBlock, Diagnostic, Document, Fence, Label
from ..snippets import documents, error_column, example_documents, parse_python, python_fences


def check_fences(bundle: Bundle) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for document in documents(bundle):
        for fence in document.fences:
            if not fence.closed:
                problems.append(diag("R008", document.path, fence.line, "code fence is never closed", col=fence.col, help="close it with a line of ```"))
    for document in example_documents(bundle):
        for fence in document.fences:
            if fence.closed:
                problems += _check_language(document.path, fence)
        for fence in python_fences(document):
            if not fence.closed:
                continue
            parsed = parse_python(document.path, fence)
            if isinstance(parsed, SyntaxError):
                problems.append(diag("R007", document.path, parsed.lineno or fence.code_line, f"invalid Python: {parsed.msg}", col=error_column(fence, parsed)))
            problems += _check_attributes(document.path, fence)
        problems += [_unfenced(document, block) for block in document.code_blocks]
        problems += [_loose(document, label) for label in document.loose_labels]
    return problems


def _check_language(path: str, fence: Fence) -> list[Diagnostic]:
    language = language_of(fence.info)
    at = {"col": fence.col}
    if language.kind == "none":
        return [diag("R006", path, fence.line, "code fence declares no language", help="write ```python, ```bash or ```text", **at)]
    if language.kind == "python-otherwise":
        attributes = f" {fence.attributes}" if fence.attributes and not fence.info.startswith("{") else ""
        return [
            diag(
                "R012",
                path,
                fence.line,
                f"```{language.name} is not ```python, so this example is never run",
                help=f"write ```python{attributes}",
                **at,
            )
        ]
    if language.kind == "python-session":
        return [
            diag(
                "R012",
                path,
                fence.line,
                f"```{language.name} is an interactive session, which is never run",
                help="write the example as a program, without `>>>` prompts, in a ```python fence",
                **at,
            )
        ]
    return []


def _check_attributes(path: str, fence: Fence) -> list[Diagnostic]:
    read = read_fence(fence.label, fence.attributes)
    if isinstance(read, FenceProblem):
        return [diag(read.code, path, fence.line, read.message, col=fence.col, help=read.help)]
    return []


def _unfenced(document: Document, block: CodeBlock) -> Diagnostic:
    if block.kind == "indented":
        return diag(
            "R013",
            document.path,
            block.line,
            "indented code block is never run: the validator reads only fenced code",
            col=block.col,
            help="fence it: ```python for an example, ```text for output",
        )
    return diag(
        "R013",
        document.path,
        block.line,
        "code fence inside an HTML block is HTML text, not code, and is never run",
        col=block.col,
        help="leave a blank line between the HTML tag (`<details>`, `<summary>`) and the fence",
    )


def _loose(document: Document, label: Label) -> Diagnostic:
    return diag(
        "R014",
        document.path,
        label.line,
        f"{label.kind.capitalize()} label has no code block under it",
        col=label.col,
        help="put the example's ```python fence right under its label",
    )
