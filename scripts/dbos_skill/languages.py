"""Which code fences hold Python: one judgement of a fence's info string.

Only ```python (lowercase, followed by nothing or by attributes) is run. Other
spellings of Python (```py, ```python3, ```Python, ```{.python}, a typo such as
```pyhton) and interactive sessions (```pycon, ```ipython) are found here so
that they are reported instead of being silently skipped.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

PYTHON = "python"
KINDS = ("python", "python-otherwise", "python-session", "other", "none")

# Lowercased names that mean "a Python program", once braces and a leading dot are removed.
_PYTHON_NAMES = frozenset({"python", "py", "python3", "py3", "python2", "py2", "python-3", "python-2", "pyw"})
# Interactive sessions: `>>>` prompts mixed with output.
_SESSION_NAMES = frozenset(
    {"pycon", "pycon3", "ipython", "ipython3", "ipython2", "python-console", "pythonconsole", "python-repl", "pyrepl", "py-repl", "python-session", "doctest"}
)
# Close to "python" in spelling but another language or not code.
_NOT_PYTHON = frozenset({"cython", "jython", "pytb", "py-tb", "python-traceback", "pyret", "pyth", "typst", "pytest-output"})
_WORD = re.compile(r"[A-Za-z0-9_+.-]+")
_TYPO_RATIO = 0.8


@dataclass(frozen=True)
class Language:
    """`kind` is one of KINDS; `name` is the language as the fence writes it."""

    kind: str
    name: str


def language_of(info: str) -> Language:
    written = info.split(maxsplit=1)[0] if info.strip() else ""
    if written.startswith("{") and "}" in info:
        written = info[: info.index("}") + 1]
    if not written:
        return Language("none", "")
    if written == PYTHON:
        return Language("python", written)
    word = _normalise(info)
    if word in _SESSION_NAMES:
        return Language("python-session", written)
    if word in _PYTHON_NAMES or (word not in _NOT_PYTHON and difflib.SequenceMatcher(None, word, PYTHON).ratio() >= _TYPO_RATIO):
        return Language("python-otherwise", written)
    return Language("other", written)


def _normalise(info: str) -> str:
    """`{.python .numberLines}` -> `python`, `Python3` -> `python3`, `python:app.py` -> `python`."""
    text = info.strip().lstrip("{").lstrip()
    match = _WORD.match(text.lstrip("."))
    word = match.group(0).lower() if match else ""
    return word.split(".", 1)[0] if word.startswith(("py", "ipy")) else word
