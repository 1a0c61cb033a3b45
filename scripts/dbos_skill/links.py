"""Resolving a relative markdown link against the file that contains it."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import unquote

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class LinkTarget:
    """A relative link's bundle-relative path (None when it leaves the bundle) and anchor."""

    path: Optional[str]
    anchor: str


def resolve_link(source: str, target: str) -> Optional[LinkTarget]:
    """Return where a relative link points, or None for URLs and same-file anchors' absence."""
    if _SCHEME.match(target) or target.startswith("//"):
        return None
    location, _, anchor = target.partition("#")
    # A destination is kept as written (markdown.py), which may be percent-encoded (`%C3%A9` for `é`,
    # `%20` for a space): decoded, both spellings name the same file and heading.
    location, anchor = unquote(location), unquote(anchor)
    if not location:
        return LinkTarget(path=source, anchor=anchor)
    if location.startswith("/"):
        return LinkTarget(path=None, anchor=anchor)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source), location))
    if joined == ".." or joined.startswith("../"):
        return LinkTarget(path=None, anchor=anchor)
    return LinkTarget(path=joined, anchor=anchor)
