"""The python fences of a bundle, as runnable snippets, and where their code sits in the file."""

from __future__ import annotations

import ast
import functools
import warnings
from typing import Iterator, Union

from .expectations import read_fence
from .model import Bundle, Document, Expectation, Fence, Snippet


def documents(bundle: Bundle) -> Iterator[Document]:
    """Every markdown document whose links and fences are checked: SKILL.md, rule files, other references."""
    if bundle.skill is not None:
        yield bundle.skill
    for rule in bundle.rules:
        if rule.document is not None:
            yield rule.document
    yield from bundle.references


def example_documents(bundle: Bundle) -> Iterator[Document]:
    """The documents whose python fences are examples: none unless the bundle follows the rule format."""
    if bundle.rule_format:
        yield from documents(bundle)


def python_fences(document: Document) -> Iterator[Fence]:
    return (fence for fence in document.fences if fence.language == "python")


def padded_source(code_line: int, code: str) -> str:
    """Code preceded by blank lines, so its line numbers are the markdown file's."""
    return "\n" * (code_line - 1) + code


@functools.lru_cache(maxsize=1024)
def parse_python(path: str, fence: Fence) -> Union[ast.Module, SyntaxError]:
    """Parse and compile once: the fence check, the API check and snippet collection all need the tree.

    Compiling finds what parsing alone lets through (`return` or `await` outside
    a function, `nonlocal` at module level, duplicate arguments). The error's
    offset is a character column in the code line, whichever stage raised it.
    """
    source = padded_source(fence.code_line, fence.code)
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError) as error:
        return SyntaxError(_too_complex(error), (path, fence.code_line, 1, None))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning and friends are the run's business
            compile(tree, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        # The compiler's offsets count UTF-8 bytes; the parser's count characters.
        line = error.lineno or fence.code_line
        offset = char_column(_code_line(fence, line), error.offset or 1)
        return SyntaxError(error.msg, (path, line, offset, error.text))
    except (ValueError, RecursionError, MemoryError) as error:
        return SyntaxError(_too_complex(error), (path, fence.code_line, 1, None))
    return tree


def _too_complex(error: BaseException) -> str:
    return "too deeply nested to compile" if isinstance(error, (RecursionError, MemoryError)) else str(error)


def char_column(text: str, byte_offset: int) -> int:
    """The 1-based character column of a 1-based UTF-8 byte offset into `text`."""
    return len(text.encode("utf-8", "surrogatepass")[: max(byte_offset - 1, 0)].decode("utf-8", "ignore")) + 1


def _code_line(fence: Fence, line: int) -> str:
    lines = fence.code.split("\n")
    index = line - fence.code_line
    return lines[index] if 0 <= index < len(lines) else ""


def node_column(fence: Fence, node: ast.AST) -> int:
    """The file column where an AST node of the fence's code starts."""
    line = getattr(node, "lineno", fence.code_line)
    return fence.column(line, char_column(_code_line(fence, line), getattr(node, "col_offset", 0) + 1))


def error_column(fence: Fence, error: SyntaxError) -> int:
    """The file column of a SyntaxError from parse_python."""
    return fence.column(error.lineno or fence.code_line, error.offset or 1)


def collect_snippets(bundle: Bundle) -> list[Snippet]:
    """Every closed python fence that compiles and declares a valid expectation."""
    found = []
    for document in example_documents(bundle):
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
