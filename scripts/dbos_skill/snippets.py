"""The python fences of a bundle, as runnable snippets."""

from __future__ import annotations

import ast
from typing import Iterator, Union

from .expectations import contradicts_correct, parse_expectation
from .model import Bundle, Document, Expectation, Fence, Snippet


def documents(bundle: Bundle) -> Iterator[Document]:
    if bundle.skill is not None:
        yield bundle.skill
    for rule in bundle.rules:
        if rule.document is not None:
            yield rule.document


def python_fences(document: Document) -> Iterator[Fence]:
    return (fence for fence in document.fences if fence.language == "python")


def padded_source(code_line: int, code: str) -> str:
    """Code preceded by blank lines, so its line numbers are the markdown file's."""
    return "\n" * (code_line - 1) + code


def parse_python(path: str, fence: Fence) -> Union[ast.Module, SyntaxError]:
    try:
        return ast.parse(padded_source(fence.code_line, fence.code), filename=path)
    except SyntaxError as error:
        return error


def runnable_expectation(fence: Fence) -> Union[Expectation, None]:
    """The fence's expectation when it is valid for its label, else None."""
    expectation = parse_expectation(fence.attributes)
    if isinstance(expectation, str):
        return None
    if fence.label == "correct" and contradicts_correct(expectation):
        return None
    if fence.label == "incorrect" and expectation.kind == "passes":
        return None
    return expectation


def collect_snippets(bundle: Bundle) -> list[Snippet]:
    """Every closed python fence that parses and declares a valid expectation."""
    found = []
    for document in documents(bundle):
        for fence in python_fences(document):
            expectation = runnable_expectation(fence)
            if not fence.closed or expectation is None or isinstance(parse_python(document.path, fence), SyntaxError):
                continue
            found.append(
                Snippet(
                    path=document.path,
                    line=fence.line,
                    code_line=fence.code_line,
                    code=fence.code,
                    label=fence.label or "example",
                    expectation=expectation,
                    caption=fence.caption,
                )
            )
    return found
