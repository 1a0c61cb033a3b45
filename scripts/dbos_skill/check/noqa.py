"""`# noqa` comments, as flake8 and ruff read them: bare suppresses every code on the line,
`# noqa: DBOS101, DBOS2` suppresses those codes (a code prefix covers its codes).

Only a comment counts: `"https://example.com/#noqa"` or `f"# noqa {x}"` is string text, so the
comments are found with the tokenizer, as Python reads them. Tokenizing costs more than parsing,
so it is done only for a file that has a finding and mentions noqa at all.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Optional

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_MENTIONED = re.compile(r"noqa", re.IGNORECASE)


def mentioned(source: str) -> bool:
    """A cheap first test: no file without the word has a noqa comment."""
    return _MENTIONED.search(source) is not None


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
