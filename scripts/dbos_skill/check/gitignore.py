"""A small matcher for the `.gitignore` patterns people write (standard library only).

Supported, as git reads them: blank lines and `#` comments; `!` to re-include; a
trailing `/` for directories only; a `/` at the start or in the middle anchors the
pattern to the `.gitignore`'s directory, otherwise it matches a name at any depth;
`*`, `?`, `[abc]`, `[!a-z]`; `**/` at the start, `/**` at the end and `/**/` in
the middle; `\\#`, `\\!` and `\\ ` escapes; trailing spaces dropped. The last
matching pattern wins, deeper `.gitignore` files after shallower ones, and as in
git a file inside an ignored directory cannot be re-included.

Not supported: `.git/info/exclude`, the global `core.excludesFile`, and git's
handling of a `**` that is not a whole path segment (it acts like `*`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern
    negated: bool
    directory_only: bool
    text: str


def _strip_trailing_spaces(line: str) -> str:
    while line.endswith(" ") and not line.endswith("\\ "):
        line = line[:-1]
    return line


def _translate(glob: str) -> str:
    """A gitignore glob (already split of its anchoring) as a regex over '/'-separated paths."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if glob.startswith("**/", i) and (i == 0 or glob[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*" if i == 0 and n == 2 else "[^/]*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 2 if glob.startswith("[!", i) or glob.startswith("[^", i) else i + 1)
            if end < 0:
                out.append(re.escape(c))
                i += 1
            else:
                body = glob[i + 1 : end]
                if body.startswith(("!", "^")):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def parse_pattern(line: str) -> Optional[Pattern]:
    text = line.rstrip("\n").rstrip("\r")
    if not text.strip() or text.startswith("#"):
        return None
    text = _strip_trailing_spaces(text)
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    elif text.startswith("\\!") or text.startswith("\\#"):
        text = text[1:]
    directory_only = text.endswith("/") and not text.endswith("\\/")
    body = text.rstrip("/") if directory_only else text
    if not body:
        return None
    anchored = "/" in body.rstrip("/")
    body = body.lstrip("/") if body.startswith("/") else body
    regex = _translate(body)
    if not anchored:
        regex = "(?:.*/)?" + regex
    return Pattern(re.compile(regex + r"\Z", re.DOTALL), negated, directory_only, line.strip())


class IgnoreFile:
    """The patterns of one `.gitignore` (or of --exclude), matched against paths relative to `base`."""

    def __init__(self, base: str, lines: Iterable[str]) -> None:
        self.base = base.rstrip("/")
        self.patterns = [p for p in (parse_pattern(line) for line in lines) if p is not None]

    def decide(self, relative: str, is_dir: bool) -> Optional[bool]:
        """True: ignored; False: re-included; None: no pattern here speaks about this path."""
        verdict: Optional[bool] = None
        for pattern in self.patterns:
            if pattern.directory_only and not is_dir:
                continue
            if pattern.regex.match(relative):
                verdict = not pattern.negated
        return verdict


def is_ignored(stack: list[IgnoreFile], path: str, is_dir: bool) -> bool:
    """Whether `path` ('/'-separated, absolute or relative like the bases) is ignored by the stack of files."""
    verdict = False
    for ignore in stack:
        prefix = ignore.base + "/" if ignore.base else ""
        if ignore.base and not path.startswith(prefix):
            continue
        decided = ignore.decide(path[len(prefix) :], is_dir)
        if decided is not None:
            verdict = decided
    return verdict
