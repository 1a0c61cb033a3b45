"""Parsing a markdown body into headings, fences, links and tables.

markdown-it-py gives block tokens a 0-based `map` of [first_line, end_line);
the frontmatter lines are blanked before parsing so that every map already
counts lines of the original file.
"""

from __future__ import annotations

import re
from typing import Optional

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .model import Document, Fence, Frontmatter, Heading, Link, Table, TableRow

_PARSER = MarkdownIt("commonmark").enable("table")
_LABEL = re.compile(r"^\*\*(Incorrect|Correct)\b", re.IGNORECASE)


def parse_document(path: str, text: str, frontmatter: Optional[Frontmatter], body_line: int) -> Document:
    lines = text.split("\n")
    blanked = [""] * (body_line - 1) + lines[body_line - 1 :]
    tokens = _PARSER.parse("\n".join(blanked))
    headings: list[Heading] = []
    fences: list[Fence] = []
    links: list[Link] = []
    tables: list[Table] = []
    slugs: dict[str, int] = {}
    label: Optional[str] = None
    caption: Optional[str] = None
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            text_of_heading = _plain_text(inline)
            headings.append(
                Heading(line=token.map[0] + 1, level=int(token.tag[1]), text=text_of_heading, anchor=_anchor(text_of_heading, slugs))
            )
            label = caption = None
        elif token.type == "paragraph_open":
            content = tokens[index + 1].content
            match = _LABEL.match(content)
            label = match.group(1).lower() if match else None
            caption = _plain_text(tokens[index + 1]) if match else None
        elif token.type == "fence":
            fences.append(_fence(token, lines, label, caption))
            label = caption = None
        elif token.type == "table_open":
            tables.append(_table(tokens, index))
        if token.type == "inline" and token.map is not None:
            links.extend(_links(token, lines))
    return Document(
        path=path,
        text=text,
        frontmatter=frontmatter,
        body_line=body_line,
        headings=tuple(headings),
        fences=tuple(fences),
        links=tuple(links),
        tables=tuple(tables),
    )


def _fence(token: Token, lines: list[str], label: Optional[str], caption: Optional[str]) -> Fence:
    first, end = token.map
    last = lines[end - 1].strip() if end - 1 < len(lines) else ""
    marker = token.markup[0]
    closed = end - 1 > first and last.startswith(token.markup) and set(last) == {marker}
    return Fence(line=first + 1, code_line=first + 2, info=token.info.strip(), code=token.content, closed=closed, label=label, caption=caption)


def _table(tokens: list[Token], start: int) -> Table:
    rows: list[TableRow] = []
    cells: list[str] = []
    row_line = 0
    for token in tokens[start + 1 :]:
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            cells, row_line = [], token.map[0] + 1
        elif token.type == "inline":
            cells.append(_plain_text(token))
        elif token.type == "tr_close":
            rows.append(TableRow(line=row_line, cells=tuple(cells)))
    header = rows[0].cells if rows else ()
    return Table(line=tokens[start].map[0] + 1, header=header, rows=tuple(rows[1:]))


def _links(inline: Token, lines: list[str]) -> list[Link]:
    found: list[Link] = []
    line_index, search_from = inline.map[0], 0
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line_index, search_from = line_index + 1, 0
        elif child.type == "link_open":
            target = str(child.attrs.get("href", ""))
            raw = lines[line_index] if line_index < len(lines) else ""
            col = raw.find("](", search_from)
            if col < 0:
                col = 0
            else:
                search_from = col + 2
                col += 2
            found.append(Link(line=line_index + 1, col=col + 1, target=target))
    return found


def _plain_text(inline: Token) -> str:
    return "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline")).strip()


def _anchor(text: str, seen: dict[str, int]) -> str:
    """GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens."""
    slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"
