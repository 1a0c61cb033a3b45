"""Reading a markdown file's bytes into text, reporting encoding problems."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from .diagnostics import diag
from .model import Diagnostic

BOM = b"\xef\xbb\xbf"


def read_text(file: Path, path: str) -> tuple[Optional[str], list[Diagnostic]]:
    """Return the file's text (None when unusable) and what is wrong with it."""
    try:
        data = file.read_bytes()
    except OSError as error:
        return None, [diag("B004", path, 1, f"cannot read file: {error.strerror}")]
    if not data.strip():
        return None, [diag("B008", path, 1, "file is empty")]
    problems: list[Diagnostic] = []
    if data.startswith(BOM):
        problems.append(
            diag("B007", path, 1, "file starts with a UTF-8 byte order mark", help="save the file as UTF-8 without BOM")
        )
        data = data[len(BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problems.append(diag("B006", path, line, f"invalid UTF-8 byte 0x{data[error.start]:02x}", col=col))
        return None, problems
    # Markdown ends a line at CR LF, LF or a lone CR: so do the line numbers of every diagnostic.
    return text.replace("\r\n", "\n").replace("\r", "\n"), problems
