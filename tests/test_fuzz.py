"""Property-based fuzzing of everything that reads bundle bytes.

Any input gives diagnostics or nothing: never an exception, never a hang, and
every diagnostic points at a line that exists in the file it names. Inputs are
built from the fragments markdown, YAML and our conventions are made of
(fences of every kind, containers, labels, tables, links, frontmatter keys),
mixed with arbitrary text.

The suite runs a bounded number of examples. For a long run, set
DBOS_SKILL_FUZZ_EXAMPLES (examples per test), for instance:

    DBOS_SKILL_FUZZ_EXAMPLES=10000 pytest tests/test_fuzz.py -q -p no:cacheprovider
"""

from __future__ import annotations

import os
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbos_skill.bundle import REFERENCES_DIR, SECTIONS_FILE, SKILL_FILE, load_bundle
from dbos_skill.codes import CODES
from dbos_skill.frontmatter import split_frontmatter
from dbos_skill.links import resolve_link
from dbos_skill.markdown import parse_document
from dbos_skill.model import Diagnostic
from dbos_skill.report import render
from dbos_skill.sections import parse_sections
from dbos_skill.source import read_text
from dbos_skill.validate import Options, validate

EXAMPLES = int(os.environ.get("DBOS_SKILL_FUZZ_EXAMPLES", "0"))
# Per example: Hypothesis fails one slower than DEADLINE_MS; HANG_S interrupts one that never ends.
DEADLINE_MS = 10_000
HANG_S = 60


def fuzz(default_examples: int):
    return settings(
        max_examples=EXAMPLES or default_examples,
        deadline=DEADLINE_MS,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


@contextmanager
def hang_limit(seconds: int = HANG_S) -> Iterator[None]:
    """Raise in the main thread if the block runs longer than `seconds`: a hang fails instead of stalling."""

    def interrupt(signum, frame):
        raise TimeoutError(f"no result after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


FRAGMENTS = [
    "\n", "\n\n", "\r", "\r\n", "\t", " ", "   ", "    ", "---\n", "...\n", "> ", ">", "- ", "* ", "1. ", "10) ",
    "```", "```python\n", "```python raises=ValueError\n", "```python runs-but-wrong\n", "```python skip=\"x\"\n",
    "```python logs=\"(\"\n", "```python removed-api raises=DBOSException\n", "```py\n", "```pycon\n>>> ",
    "```{.python}\n", "```\n", "````\n", "~~~\n", "~~~python\n", "``` python title=\"x\"\n",
    "**Correct (why):**\n\n", "**Incorrect (why):**\n\n", "*Incorrect*\n", "__Correct__\n", "**Correct:**",
    "## ", "# ", "### ", "Title\n===\n", "| Priority | Section | Prefix | Impact | Description |\n",
    "| Priority | Section | Impact | Prefix |\n", "| --- | --- | --- | --- | --- |\n", "| 1 | Lifecycle | `lifecycle` | CRITICAL | d |\n",
    "|", "[link](references/lifecycle-a.md#launch)", "[a](#b)", "[x](../out.md)", "[y](<a b.md>)", "<http://x.y>",
    "[r]: references/workflow-b.md\n", "[r][r]", "![i](img.png)", "<details>\n<summary>s</summary>\n", "</details>\n",
    "<!--\n", "-->\n", "`", "``", "[", "]", "(", ")", "#", "\\", "*", "_", "=", ":", "{", "}",
    "name: dbos-python\n", "description: d\n", "allowed-tools: [a, b]\n", "metadata: {a: 1}\n", "title: T\n",
    "impact: CRITICAL\n", "impactDescription: x\n", "tags: [a]\n", "tags: a, b\n", "key: [unclosed\n", "&a *a\n", "!!python/object:x\n",
    "from dbos import DBOS\n", "from dbos import *\n", "import dbos as d\n", "DBOS.launch()\n", "DBOS(config={'name': 'x', 'bad': 1})\n",
    "def f(a, a): pass\n", "return 1\n", "await x\n", "yield\n", "nonlocal q\n", "((((((((((", "x = '''\n",
    "Reference: [Docs](https://docs.dbos.dev/python)\n", "\x00", "\ufeff", "\u2028", "\x85", "\u00e9\u2192\u2713", "\U0001f600", "\udcff",
]
PIECES = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12))
MARKDOWN = st.lists(PIECES, max_size=60).map("".join)
YAML_KEYS = [
    "name", "description", "license", "compatibility", "metadata", "allowed-tools", "title", "impact", "impactDescription", "tags",
    "1", "null", "~", "true", "2020-01-01", "<<", "'quoted'", "? [a]\n", "[a]", "&k name", "*k", "- name", "  name",
]
YAML_VALUES = [
    "dbos-python", "CRITICAL", "HIGH", "[a, b]", "[1, [2]]", "{a: 1}", "{a: b}", "\n  - a\n  - b", "\n  - {tool: x}", "\n  a: b\n  c: 1",
    "|\n  text", ">\n  folded", "&v [x, x, x]", "*v", "[*v, *v, *v]", "!!binary aGk=", "!!python/object:os.system", "[" * 200,
    "'unclosed", '"\\q"', "1e3", "", "null", "\x85", "\u2028", "\t", "a: b: c", "- x", "\ufeff",
]
YAML_LINE = st.one_of(
    st.tuples(st.sampled_from(YAML_KEYS) | st.text(max_size=6), st.sampled_from(YAML_VALUES) | st.text(max_size=12)).map(lambda kv: f"{kv[0]}: {kv[1]}\n"),
    PIECES,
)
FRONTMATTER = st.lists(YAML_LINE, max_size=12).map(lambda parts: "---\n" + "".join(parts) + "---\n")
DOCUMENT = st.one_of(MARKDOWN, st.tuples(FRONTMATTER, MARKDOWN).map("".join))
RULE_NAMES = ["lifecycle-a.md", "workflow-b.md", "other.md", "lifecycle-.md"]


def clean(text: str) -> str:
    """What read_text would hand on: the text without surrogates, with its lines ended by LF."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_well_formed(diagnostics: list[Diagnostic], files: dict[str, str]) -> None:
    for d in diagnostics:
        assert d.code in CODES, d
        assert d.line >= 1 and d.col >= 1, d
        if d.path in files:
            lines = files[d.path].split("\n")
            assert d.line <= len(lines), f"{d} points past the end of {d.path} ({len(lines)} lines)"
            assert d.col <= len(lines[d.line - 1]) + 1, f"{d} points past the end of its line {lines[d.line - 1]!r}"


@fuzz(300)
@given(DOCUMENT)
def test_frontmatter_never_fails(text: str) -> None:
    text = clean(text)
    with hang_limit():
        front, body_line, problems = split_frontmatter(text, "x.md")
    assert 1 <= body_line <= len(text.split("\n")) + 1
    assert_well_formed(problems, {"x.md": text})


@fuzz(300)
@given(DOCUMENT, st.integers(min_value=1, max_value=5))
def test_markdown_never_fails_and_stays_inside_the_file(text: str, body_line: int) -> None:
    text = clean(text)
    lines = text.split("\n")
    body_line = min(body_line, len(lines))
    with hang_limit():
        document = parse_document("x.md", text, None, body_line)
        parse_sections(document)
    located = [*document.headings, *document.fences, *document.links, *document.tables, *document.labels, *document.code_blocks]
    for thing in located:
        assert body_line <= thing.line <= len(lines), thing
    for fence in document.fences:
        assert fence.code_line == fence.line + 1
        assert len(fence.indents) == len(fence.code.split("\n")) - (1 if fence.code.endswith("\n") else 0) or not fence.code
        for index, indent in enumerate(fence.indents):
            assert 0 <= indent <= len(lines[fence.code_line - 1 + index]), (fence, index)


@fuzz(300)
@given(st.sampled_from([SKILL_FILE, SECTIONS_FILE, f"{REFERENCES_DIR}/lifecycle-a.md"]), st.text(max_size=60) | MARKDOWN)
def test_links_resolve_inside_the_bundle_or_say_they_leave(source: str, target: str) -> None:
    with hang_limit():
        found = resolve_link(source, target)
    assert found is None or found.path is None or not found.path.startswith("../")


@fuzz(200)
@given(st.binary(max_size=200) | DOCUMENT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_reading_bytes_never_fails(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        file = Path(directory) / "x.md"
        file.write_bytes(data)
        with hang_limit():
            text, problems = read_text(file, "x.md")
    assert text is None or "\r" not in text
    assert_well_formed(problems, {"x.md": text} if text is not None else {})


BUNDLE = st.fixed_dictionaries(
    {SKILL_FILE: DOCUMENT, SECTIONS_FILE: st.one_of(st.none(), DOCUMENT)},
    optional={f"{REFERENCES_DIR}/{name}": DOCUMENT for name in RULE_NAMES},
)


@fuzz(150)
@given(BUNDLE)
def test_a_whole_bundle_gives_diagnostics_or_nothing(files: dict[str, str | None]) -> None:
    written = {path: text for path, text in files.items() if text is not None}
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "dbos-python"
        for path, text in written.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(text.encode("utf-8", "surrogatepass"))
        (root / REFERENCES_DIR).mkdir(parents=True, exist_ok=True)
        with hang_limit():
            report = validate(root, Options(run=False))
            for fmt in ("text", "json", "github"):
                render(report, fmt)
        bundle = load_bundle(root).bundle
    readable = {path: clean(text) for path, text in written.items() if _valid_utf8(text)}
    assert_well_formed(list(report.diagnostics), readable)
    assert report.summary.files == len(bundle.files)


def _valid_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
