"""The skill's index block in a project's AGENTS.md (or CLAUDE.md), between two marker lines.

The block is generated from SKILL.md, never kept as a second copy: its introduction (what
stands between its title and its first section, which says how to run the skill's checker:
`<this skill's dir>` there becomes the installed copy's path), its `## Critical rules` list
verbatim, and its routing list (the list items that start with a link to
references/<rule>.md), each pointing at the installed rule file. Only the text between the
markers (and the markers) is ever written; a file whose markers are broken is an error.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Optional

from markdown_it import MarkdownIt

BEGIN = "<!-- dbos-python skill: begin -->"
END = "<!-- dbos-python skill: end -->"
MAX_BYTES = 8 * 1024
CRITICAL_HEADING = "critical rules"
SKILL_DIR = "<this skill's dir>"  # in SKILL.md's introduction: where the skill is installed
_PARSER = MarkdownIt("commonmark")
_ROUTE = re.compile(r"\[([^\]]+)\]\((?:\./)?references/([A-Za-z0-9_.-]+\.md)(?:#[^)\s]*)?\)")
_FRONTMATTER = re.compile(r"\A---[ \t]*\r?\n.*?^---[ \t]*\r?$", re.DOTALL | re.MULTILINE)
_RELATIVE_LINK = re.compile(r"\]\((?![A-Za-z][A-Za-z0-9+.-]*:|#|/|~)(?:\./)?([^)\s]+)\)")


class BlockError(Exception):
    """SKILL.md or the target file cannot give or take the block; nothing was changed."""


@dataclass(frozen=True)
class SkillIndex:
    title: str
    critical: tuple[str, ...]  # each list item's markdown, as written in SKILL.md
    routes: tuple[str, ...]  # each routing item's markdown, its link replaced by the file name
    intro: str = ""  # the markdown between the title and the first section, as written in SKILL.md


def read_index(skill_md: str) -> SkillIndex:
    """The title, introduction, critical rules and routing list of SKILL.md, found by structure,
    not wording; the introduction must name `<this skill's dir>` (how to run the checker)."""
    match = _FRONTMATTER.match(skill_md)
    lines = skill_md.split("\n")
    if match:
        blank = skill_md[: match.end()].count("\n") + 1
        lines = [""] * blank + lines[blank:]
    tokens = _PARSER.parse("\n".join(lines))
    title, section, critical, routes = None, None, [], []
    intro: Optional[list[int]] = None  # [first line, end line) of the introduction
    in_critical_list = False
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            text = tokens[index + 1].content.strip()
            if intro is not None and len(intro) == 1:
                intro.append(token.map[0])
            if token.tag == "h1" and title is None:
                title = text
                intro = [token.map[1]]
            if token.tag in ("h1", "h2"):
                section = text.lower()
            in_critical_list = False
        elif token.type in ("bullet_list_open", "ordered_list_open") and token.level == 0:
            in_critical_list = section == CRITICAL_HEADING and not critical
        elif token.type == "list_item_open" and token.level == 1:
            item = _source(lines, token.map)
            if in_critical_list:
                critical.append(item)
            elif _ROUTE.match(_strip_marker(item)):
                routes.append(_ROUTE.sub(lambda m: f"`{m.group(2)}`", item, count=1))
        elif token.type in ("bullet_list_close", "ordered_list_close") and token.level == 0:
            in_critical_list = False
    if not critical:
        raise BlockError("SKILL.md has no list under a `## Critical rules` heading; the block is generated from it")
    if not routes:
        raise BlockError("SKILL.md has no routing list (list items that start with a link to references/<rule>.md); the block is generated from it")
    if intro is not None and len(intro) == 1:
        intro.append(len(lines))
    intro_text = _source(lines, intro).lstrip("\n") if intro is not None else ""
    if SKILL_DIR not in intro_text:
        raise BlockError(
            f"SKILL.md's introduction (between its title and its first section) does not name `{SKILL_DIR}`, "
            "so the block could not tell agents how to run the skill's checker; the block is generated from it"
        )
    return SkillIndex(title=title or "dbos-python", intro=intro_text, critical=tuple(critical), routes=tuple(routes))


def _source(lines: list[str], span: Optional[list[int]]) -> str:
    first, end = span
    item = lines[first:end]
    while item and not item[-1].strip():
        item.pop()
    return "\n".join(line.rstrip() for line in item)


def _strip_marker(item: str) -> str:
    return re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", item, count=1)


def render_block(index: SkillIndex, skill_dir: str) -> str:
    """The block, markers included, for the copy installed at `skill_dir` (a path as the block
    should show it: relative to the file's folder, or from ~)."""
    relative = " (its paths are relative to this file's folder)" if not skill_dir.startswith(("~", "/")) else ""
    parts = [
        BEGIN,
        "<!-- Generated from the dbos-python skill's SKILL.md by `dbos-skill install --agents-md`; rerun it to update "
        "this block, `dbos-skill uninstall --agents-md` to remove it. Edits between these markers are overwritten. -->",
        "",
        f"## {index.title}",
        "",
        f"When code uses `dbos` (DBOS Transact for Python 3.x), follow this block{relative}.",
        "",
        *([_localize(index.intro, skill_dir), ""] if index.intro else []),
        "### Critical rules",
        "",
        *index.critical,
        "",
        f"### Rule files in `{skill_dir}/references/`: read the file when",
        "",
        *index.routes,
        END,
    ]
    block = "\n".join(parts)
    size = len(block.encode("utf-8"))
    if size > MAX_BYTES:
        raise BlockError(f"the AGENTS.md block would be {size} bytes, over the limit of {MAX_BYTES}; shorten SKILL.md's critical rules or routing list")
    return block


def _localize(intro: str, skill_dir: str) -> str:
    """SKILL.md's introduction as read from the block's file: `<this skill's dir>` becomes the
    installed copy's path (quoted for a shell where it needs it), links into the skill go there."""
    intro = _RELATIVE_LINK.sub(lambda m: f"]({skill_dir}/{m.group(1)})", intro)
    return intro.replace(SKILL_DIR, _shell_path(skill_dir))


def _shell_path(path: str) -> str:
    """`path` as a shell word; a leading `~/` stays unquoted so the shell still expands it."""
    if path.startswith("~/"):
        return "~/" + shlex.quote(path[2:])
    return shlex.quote(path)


def find_block(text: str, name: str) -> Optional[tuple[int, int]]:
    """The block's span in `text` (from its begin line to the end of its end line), or None."""
    begins, ends = _marker_lines(text, BEGIN), _marker_lines(text, END)
    if not begins and not ends:
        return None
    problem = None
    if len(begins) > 1 or len(ends) > 1:
        problem = f"the block's markers appear more than once (begin on lines {_lines(begins)}, end on lines {_lines(ends)})"
    elif not ends:
        problem = f"line {begins[0][0]} opens the block ({BEGIN}) but no line closes it ({END})"
    elif not begins:
        problem = f"line {ends[0][0]} closes the block ({END}) but no line opens it ({BEGIN})"
    elif ends[0][1] < begins[0][1]:
        problem = f"the block's end marker (line {ends[0][0]}) comes before its begin marker (line {begins[0][0]})"
    if problem:
        raise BlockError(f"{name}: {problem}; fix the markers by hand, nothing was changed")
    start = begins[0][1]
    stop = text.index("\n", ends[0][1]) if "\n" in text[ends[0][1] :] else len(text)
    if stop > 0 and text[stop - 1] == "\r":
        stop -= 1
    return start, stop


def _marker_lines(text: str, marker: str) -> list[tuple[int, int]]:
    """(1-based line, offset) of each line that is exactly `marker` (surrounding blanks aside)."""
    found, offset = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip() == marker:
            found.append((number, offset))
        offset += len(line) + 1
    return found


def _lines(found: list[tuple[int, int]]) -> str:
    return ", ".join(str(line) for line, _ in found) or "none"


def upsert(text: Optional[str], block: str, name: str) -> str:
    """`text` with the block added at its end, or replacing the block already in it."""
    if not text:
        return block + "\n"
    newline = "\r\n" if "\r\n" in text else "\n"
    block = block.replace("\n", newline)
    span = find_block(text, name)
    if span is not None:
        return text[: span[0]] + block + text[span[1] :]
    if not text.endswith("\n"):
        text += newline
    return text + newline + block + newline


def remove(text: str, name: str) -> Optional[str]:
    """`text` without the block (and the blank line put before it), or None when it has none."""
    span = find_block(text, name)
    if span is None:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    before, after = text[: span[0]], text[span[1] :]
    if after.startswith(newline):
        after = after[len(newline) :]
    if before.endswith(newline * 2):
        before = before[: -len(newline)]
    elif before == newline:
        before = ""
    return before + after
