"""The python fences of a bundle, as runnable snippets."""

from __future__ import annotations

import ast
import functools
from typing import Iterator, Union

from .expectations import read_fence
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


@functools.lru_cache(maxsize=1024)
def parse_python(path: str, fence: Fence) -> Union[ast.Module, SyntaxError]:
    """Parse once: the fence check, the API check and snippet collection all need the tree."""
    try:
        return ast.parse(padded_source(fence.code_line, fence.code), filename=path)
    except SyntaxError as error:
        return error


def collect_snippets(bundle: Bundle) -> list[Snippet]:
    """Every closed python fence that parses and declares a valid expectation."""
    found = []
    for document in documents(bundle):
        for fence in python_fences(document):
            expectation = read_fence(fence.label, fence.attributes)
            if not fence.closed or not isinstance(expectation, Expectation) or isinstance(parse_python(document.path, fence), SyntaxError):
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
