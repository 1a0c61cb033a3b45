"""The validator's data model: small frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping, Optional


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


IMPACTS = ("CRITICAL", "HIGH", "MEDIUM-HIGH", "MEDIUM", "LOW-MEDIUM", "LOW")


@dataclass(frozen=True)
class Diagnostic:
    """One finding, located in a bundle-relative file (1-based line and column)."""

    path: str
    line: int
    col: int
    code: str
    severity: Severity
    message: str
    help: Optional[str] = None
    detail: Optional[str] = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


@dataclass(frozen=True)
class Frontmatter:
    """Parsed YAML frontmatter: the mapping, where each key sits and where its value starts."""

    data: Mapping[str, Any]
    key_positions: Mapping[str, tuple[int, int]]
    value_positions: Mapping[str, tuple[int, int]]


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Link:
    line: int
    col: int
    target: str


@dataclass(frozen=True)
class TableRow:
    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    line: int
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class Label:
    """A paragraph that opens with emphasised Incorrect or Correct: the example's label."""

    line: int
    col: int
    kind: str  # "incorrect" or "correct"
    caption: str


@dataclass(frozen=True)
class Fence:
    """A fenced code block: `line` is the opening fence, `code_line` the first code line.

    `col` is the opening marker's column; `indents[i]` is how many characters of
    the file precede code line i (a list item's indentation, a block quote's `> `).
    """

    line: int
    code_line: int
    info: str
    code: str
    closed: bool
    label: Optional[str]
    caption: Optional[str] = None
    col: int = 1
    indents: tuple[int, ...] = ()

    @property
    def language(self) -> str:
        return self.info.split(maxsplit=1)[0] if self.info.strip() else ""

    @property
    def attributes(self) -> str:
        parts = self.info.split(maxsplit=1)
        return parts[1] if len(parts) > 1 else ""

    def column(self, line: int, col: int) -> int:
        """The file column of 1-based column `col` on code line `line` (numbered as in the file)."""
        index = line - self.code_line
        if 0 <= index < len(self.indents):
            return col + self.indents[index]
        return col + (self.indents[-1] if self.indents else self.col - 1)


@dataclass(frozen=True)
class CodeBlock:
    """Code the validator cannot read as a fence: an indented block, or a fence inside an HTML block."""

    line: int
    col: int
    kind: str  # "indented" or "html"
    label: Optional[Label] = None


@dataclass(frozen=True)
class Document:
    """A markdown file after parsing; `body_line` is where the body starts (1-based)."""

    path: str
    text: str
    frontmatter: Optional[Frontmatter]
    body_line: int
    headings: tuple[Heading, ...]
    fences: tuple[Fence, ...]
    links: tuple[Link, ...]
    tables: tuple[Table, ...]
    labels: tuple[Label, ...] = ()
    loose_labels: tuple[Label, ...] = ()
    code_blocks: tuple[CodeBlock, ...] = ()

    @property
    def body_lines(self) -> list[str]:
        lines = self.text.split("\n")
        if lines[-1] == "":
            lines.pop()  # the newline that ends the last line starts no line
        return lines[self.body_line - 1 :]


@dataclass(frozen=True)
class Section:
    priority: int
    name: str
    prefix: str
    impact: str
    description: str
    line: int


@dataclass(frozen=True)
class Expectation:
    """What running an example must show, as its fence declares it."""

    kind: str  # "passes", "raises", "runs-but-wrong", "warns" or "skip"
    exception: Optional[str] = None
    reason: Optional[str] = None
    removed_api: bool = False
    logs: Optional[str] = None
    checks: tuple[str, ...] = ()  # check=DBOS101,DBOS102: the findings `dbos-skill check` must report on it
    unchecked: bool = False  # the checker cannot catch this mistake (listed in the report)

    def describe(self) -> str:
        if self.kind == "raises":
            return f"raises {self.exception}"
        if self.kind == "skip":
            return f"skip: {self.reason}"
        return self.kind


@dataclass(frozen=True)
class Snippet:
    """A python fence to run: its location, label and expectation."""

    path: str
    line: int
    code_line: int
    code: str
    label: str
    expectation: Expectation
    caption: Optional[str] = None


OUTCOMES = ("passed", "proven", "runs-but-wrong", "skipped", "failed")


@dataclass(frozen=True)
class SnippetResult:
    """How one snippet's run turned out; `diagnostics` explain a failure."""

    snippet: Snippet
    outcome: str
    duration_s: float
    error: Optional[str] = None
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Rule:
    path: str
    prefix: Optional[str]
    document: Optional[Document]


@dataclass(frozen=True)
class LinkTarget:
    """Where a relative link lands, and the headings there.

    `state` is "exists", "missing" (`why` says so when a symlink is to blame), "outside" the
    bundle, or "reported": a path B004 or B005 already names (a looping rule file, a
    `references` that leaves the bundle), so the link adds no finding of its own.
    """

    state: str
    anchors: Optional[frozenset[str]] = None
    why: Optional[str] = None


@dataclass(frozen=True)
class Bundle:
    """Everything the checks need, read from one skill directory.

    `rule_format` says whether the bundle follows the rule format (a sections
    file that declares sections): only then are references/*.md rules and their
    python fences examples. Otherwise they are plain `references` documents,
    checked only as the Agent Skills specification asks (links, closed fences).
    `source_checkout` is set when the bundle is the root of a git work tree.
    """

    root_name: str
    skill: Optional[Document]
    sections_path: str
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...]
    files: tuple[str, ...] = ()
    has_references: bool = True
    link_targets: Mapping[str, LinkTarget] = field(default_factory=dict)
    references: tuple[Document, ...] = ()
    rule_format: bool = True
    source_checkout: bool = False
