"""Parsing a markdown body into headings, labels, code blocks, links and tables.

markdown-it-py gives block tokens a 0-based `map` of [first_line, end_line);
the frontmatter lines are blanked before parsing so that every map already
counts lines of the original file. Inside a container (a block quote, a list
item) a token's content has the container's prefix stripped; the column of
each content line is recovered by matching it against the file's line.
"""

from __future__ import annotations

import re
from typing import Optional

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .model import CodeBlock, Document, Fence, Frontmatter, Heading, Label, Link, Table, TableRow


class _Parser(MarkdownIt):
    def normalizeLink(self, url: str) -> str:
        """Keep link destinations as written: markdown-it would percent-encode them (`é` as `%C3%A9`)
        for HTML, and the messages quote what the author wrote; resolve_link decodes both forms."""
        return url


_PARSER = _Parser("commonmark").enable("table")
_LABEL = re.compile(r"^\W*(incorrect|correct)\b", re.IGNORECASE)
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Besides another label, the tokens that end a label's reach: it belongs to the code under it, in its section.
_LABEL_BARRIERS = ("heading_open", "hr")


def parse_document(path: str, text: str, frontmatter: Optional[Frontmatter], body_line: int) -> Document:
    lines = text.split("\n")
    blanked = [""] * (body_line - 1) + lines[body_line - 1 :]
    tokens = _PARSER.parse("\n".join(blanked))
    headings: list[Heading] = []
    fences: list[Fence] = []
    blocks: list[CodeBlock] = []
    labels: list[Label] = []
    loose: list[Label] = []
    links: list[Link] = []
    tables: list[Table] = []
    slugs: dict[str, int] = {}
    link_search: dict[int, int] = {}
    pending: Optional[Label] = None
    for index, token in enumerate(tokens):
        label = _label(tokens[index + 1], lines) if token.type == "paragraph_open" else None
        if label is not None or token.type in _LABEL_BARRIERS:
            # A new label, a heading or a thematic break ends the reach of the label before it.
            if pending is not None:
                loose.append(pending)
            pending = label
            if label is not None:
                labels.append(label)
        if token.type == "heading_open":
            text_of_heading = _plain_text(tokens[index + 1])
            headings.append(
                Heading(line=token.map[0] + 1, level=int(token.tag[1]), text=text_of_heading, anchor=_anchor(text_of_heading, slugs))
            )
        elif token.type == "fence":
            fences.append(_fence(token, lines, pending))
            pending = None
        elif token.type == "code_block":
            blocks.append(CodeBlock(line=token.map[0] + 1, col=_first_column(token, lines), kind="indented", label=pending))
            pending = None
        elif token.type == "html_block":
            hidden = _fences_in_html(token, lines, pending)
            if hidden:
                blocks.extend(hidden)
                pending = None
        elif token.type == "table_open":
            tables.append(_table(tokens, index))
        if token.type == "inline" and token.map is not None:
            links.extend(_links(token, lines, link_search))
    if pending is not None:
        loose.append(pending)
    return Document(
        path=path,
        text=text,
        frontmatter=frontmatter,
        body_line=body_line,
        headings=tuple(headings),
        fences=tuple(fences),
        links=tuple(links),
        tables=tuple(tables),
        labels=tuple(labels),
        loose_labels=tuple(loose),
        code_blocks=tuple(blocks),
    )


def _label(inline: Token, lines: list[str]) -> Optional[Label]:
    """A paragraph that opens with emphasis saying Incorrect or Correct: `**Correct (why):**`, `*Incorrect*`."""
    children = [c for c in inline.children or [] if not (c.type == "text" and not c.content)]
    if len(children) < 2 or children[0].type not in ("strong_open", "em_open"):
        return None
    closing = children[0].type.replace("_open", "_close")
    emphasised = []
    for child in children[1:]:
        if child.type == closing:
            break
        if child.type in ("text", "code_inline"):
            emphasised.append(child.content)
    match = _LABEL.match("".join(emphasised))
    if match is None:
        return None
    line = inline.map[0]
    first = inline.content.split("\n", 1)[0]
    return Label(line=line + 1, col=_column(_line(lines, line), first), kind=match.group(1).lower(), caption=_plain_text(inline))


def _fence(token: Token, lines: list[str], label: Optional[Label]) -> Fence:
    first, end = token.map
    content = token.content.split("\n")
    if content and content[-1] == "":
        content.pop()
    # A closed fence's map also spans its closing line; an unclosed one ends at its container's end.
    closed = end - first - 1 > len(content)
    opening = _line(lines, first)
    marker = opening.find(token.markup)
    indents = tuple(_column(_line(lines, first + 1 + i), code) - 1 for i, code in enumerate(content))
    return Fence(
        line=first + 1,
        code_line=first + 2,
        info=token.info.strip(),
        code=token.content,
        closed=closed,
        label=label.kind if label else None,
        caption=label.caption if label else None,
        col=marker + 1 if marker >= 0 else 1,
        indents=indents,
    )


def _fences_in_html(token: Token, lines: list[str], label: Optional[Label]) -> list[CodeBlock]:
    """Fences written inside an HTML block (`<details>` without a blank line) are HTML text, not code."""
    if token.content.lstrip().startswith("<!--"):
        return []  # a comment hides its content on purpose
    found: list[CodeBlock] = []
    opened: Optional[str] = None
    for offset, content in enumerate(token.content.split("\n")):
        match = _FENCE_LINE.match(content)
        if match is None:
            continue
        marker = match.group(1)
        if opened is None:
            line = token.map[0] + offset
            raw = _line(lines, line)
            col = raw.find(marker)
            found.append(CodeBlock(line=line + 1, col=col + 1 if col >= 0 else 1, kind="html", label=label if not found else None))
            opened = marker
        elif marker[0] == opened[0] and len(marker) >= len(opened) and not content.strip()[len(marker) :].strip():
            opened = None
    return found


def _first_column(token: Token, lines: list[str]) -> int:
    first = token.content.split("\n", 1)[0]
    return _column(_line(lines, token.map[0]), first) + len(first) - len(first.lstrip())


def _column(raw: str, content: str) -> int:
    """1-based column in `raw` (a file line) where `content` (the line with its container prefix stripped) starts."""
    if content and raw.endswith(content):
        return len(raw) - len(content) + 1
    return max(len(raw) - len(content), 0) + 1


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


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


def _links(inline: Token, lines: list[str], search: dict[int, int]) -> list[Link]:
    """Links with the position of their destination, on the line where the link text ends.

    `search` remembers, per line, where the last link found there ended, so that
    several inline tokens on one line (table cells) do not find the same link.
    """
    found: list[Link] = []
    line_index = inline.map[0]
    opened: list[Token] = []
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line_index += 1
        elif child.type == "link_open":
            opened.append(child)
        elif child.type == "link_close" and opened:
            link = opened.pop()
            target = str(link.attrs.get("href", ""))
            col = _destination_column(_line(lines, line_index), link, target, search.get(line_index, 0))
            if col:
                search[line_index] = col
            found.append(Link(line=line_index + 1, col=col or 1, target=target))
    return found


def _destination_column(raw: str, link: Token, target: str, start: int) -> int:
    """1-based column of `](` + 2 for an inline link, of `<` for an autolink; 0 when not on this line."""
    if link.markup == "autolink":
        return raw.find("<", start) + 1
    expected = target[:1]
    position = raw.find("](", start)
    while position >= 0:
        after = raw[position + 2 :].lstrip()
        if after[:1] == "<" or (after[:1] == expected if expected else after[:1] == ")"):
            return position + 3
        position = raw.find("](", position + 2)
    return 0


def _plain_text(inline: Token) -> str:
    return "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline")).strip()


def _anchor(text: str, seen: dict[str, int]) -> str:
    """GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens."""
    slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"
