"""The lines `dbos-skill check` and `dbos-skill validate` both print, written in one place so they cannot drift.

A finding is `path:line:col: CODE message` with an indented `help:` line, as
ruff prints it; the summary says what was checked, then `no problems` or
`found N problems`; a GitHub annotation is `::level file=...,line=...,col=...,title=CODE::message`.
Stdlib only, like the rest of the checker.
"""

from __future__ import annotations

from typing import Optional


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def finding(path: str, line: int, col: int, code: str, message: str, help: Optional[str] = None) -> list[str]:
    """A finding's first line, and its `help:` line when there is one."""
    return [f"{path}:{line}:{col}: {code} {message}", *([f"  help: {help}"] if help else [])]


def body(message: str, help: Optional[str] = None, *more: Optional[str]) -> str:
    """A finding as one multi-line message (an annotation's, a SARIF result's): the problem, `help:`, then the rest."""
    return "\n".join([message, *([f"help: {help}"] if help else []), *(m.rstrip("\n") for m in more if m)])


def problems(errors: int, warnings: Optional[int] = None) -> str:
    """`no problems`, or `found N problems`; with warnings counted, the split follows: `(1 error, 1 warning)`."""
    total = errors + (warnings or 0)
    if not total:
        return "no problems"
    split = "" if warnings is None else f" ({plural(errors, 'error')}, {plural(warnings, 'warning')})"
    return f"found {plural(total, 'problem')}{split}"


def annotation(level: str, path: str, line: int, col: int, code: str, body: str) -> str:
    """A GitHub workflow command that annotates `path` at `line`:`col` with `body` under the title `code`."""
    return f"::{level} file={_property(path)},line={line},col={col},title={_property(code)}::{_data(body)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
