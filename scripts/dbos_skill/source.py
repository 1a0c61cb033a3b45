"""Reading a markdown file's bytes into text, reporting encoding problems."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from .diagnostics import diag
from .model import Diagnostic

BOM = b"\xef\xbb\xbf"

# The largest markdown file the validator reads (B009). A rule file is a few kilobytes (the
# largest of this bundle is under 5 KB) and Z001 warns past 300 lines, some 30 KB; SKILL.md must
# stay under 5,000 tokens. 1 MiB leaves room for the long plain references of other bundles (an
# API reference in one file) while bounding what parsing costs: markdown-it and the document
# model take some 50 to 80 bytes of memory per byte of markdown, so a 54 MB file took 2.7 GB.
MAX_MARKDOWN_BYTES = 1024 * 1024


def read_text(file: Path, path: str) -> tuple[Optional[str], list[Diagnostic]]:
    """Return the file's text (None when unusable) and what is wrong with it."""
    try:
        with open(file, "rb") as stream:
            data = stream.read(MAX_MARKDOWN_BYTES + 1)  # never more than the limit, whatever stat says
            size = max(len(data), os.fstat(stream.fileno()).st_size)
    except OSError as error:
        return None, [diag("B004", path, 1, f"cannot read file: {error.strerror}")]
    if size > MAX_MARKDOWN_BYTES:
        return None, [
            diag(
                "B009",
                path,
                1,
                f"file is {size:,} bytes, over the {MAX_MARKDOWN_BYTES:,}-byte (1 MiB) limit, so it is not read",
                help="an agent reads these files whole, and a rule file is a few kilobytes: split this one, or keep generated text out of the bundle",
            )
        ]
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

