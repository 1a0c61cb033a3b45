"""`# noqa` comments, as flake8 and ruff read them: bare suppresses every code on the line,
`# noqa: DBOS101, DBOS2` suppresses those codes (a code prefix covers its codes).

Only a comment counts: `"https://example.com/#noqa"` or `f"# noqa {x}"` is string text, so the
comments are found with the tokenizer, as Python reads them. Tokenizing costs more than parsing,
so it is done only for a file with a finding on a line where the word noqa appears.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Optional

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_MENTIONED = re.compile(r"noqa", re.IGNORECASE)


def lines_mentioning(source: str) -> Optional[set[int]]:
    """The physical lines on which the word noqa appears, in comments or not: only a finding on one of them
    can be silenced, so only then is the file tokenized. None when a line ends with a lone carriage return
    (old Mac files), where counting newlines would misnumber the lines."""
    found = _MENTIONED.search(source)
    if found is None:
        return set()
    if "\r" in source and source.count("\r") != source.count("\r\n"):
        return None
    return {source.count("\n", 0, match.start()) + 1 for match in _MENTIONED.finditer(source, found.start())}


def comments(source: str) -> Optional[dict[int, str]]:
    """The comment of each physical line that has one, by 1-based line number; None when the
    tokenizer refuses the text (the caller then falls back to reading the lines)."""
    found: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = token.string
    except (tokenize.TokenError, SyntaxError, RecursionError, MemoryError):
        return None
    return found


def suppressed(comment: str, code: str) -> bool:
    """True when a comment (or, failing a tokenizer, a whole line) holds a noqa covering `code`."""
    if "noqa" not in comment and "NOQA" not in comment.upper():
        return False
    for match in _NOQA.finditer(comment):
        codes = match.group("codes")
        if codes is None:
            return True
        if any(code.startswith(c.upper()) for c in _CODE.findall(codes)):
            return True
    return False
