"""`# noqa` comments, as flake8 and ruff read them: bare suppresses every code on the line,
`# noqa: DBOS101, DBOS2` suppresses those codes (a code prefix covers its codes)."""

from __future__ import annotations

import re

_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def suppressed(line: str, code: str) -> bool:
    """True when the physical line carries a noqa comment covering `code`."""
    if "noqa" not in line and "NOQA" not in line.upper():
        return False
    for match in _NOQA.finditer(line):
        codes = match.group("codes")
        if codes is None:
            return True
        if any(code.startswith(c.upper()) for c in _CODE.findall(codes)):
            return True
    return False
