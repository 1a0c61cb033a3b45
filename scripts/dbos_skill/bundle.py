"""Reading a skill directory into a Bundle: the only module of the checks that touches files."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .diagnostics import diag
from .frontmatter import split_frontmatter
from .links import resolve_link
from .markdown import parse_document
from .model import Bundle, Diagnostic, Document, LinkTarget, Rule
from .sections import parse_sections
from .source import read_text

SKILL_NAME = "dbos-python"
SKILL_FILE = "SKILL.md"
REFERENCES_DIR = "references"
SECTIONS_FILE = f"{REFERENCES_DIR}/_sections.md"

# The installable skill: what an agent's copy holds, relative to the bundle root. The first two
# are required; the checker's files (stdlib only, so an installed copy can run it) come along
# when present. Installing, the tests and the benchmark all read this one list.
INSTALLED_PATHS = (
    SKILL_FILE,
    REFERENCES_DIR,
    "scripts/check.py",
    "scripts/dbos_skill/__init__.py",
    "scripts/dbos_skill/check",
)
REQUIRED_PATHS = (SKILL_FILE, REFERENCES_DIR)


@dataclass(frozen=True)
class LoadedBundle:
    bundle: Bundle
    diagnostics: list[Diagnostic]


def load_bundle(root: Path) -> LoadedBundle:
    """Read SKILL.md, the sections file and every rule file under `root`."""
    root = Path(os.path.realpath(root))
    problems: list[Diagnostic] = []
    missing_skill = diag("B001", SKILL_FILE, 1, "SKILL.md is missing", help="every Agent Skills bundle needs a SKILL.md at its root")
    skill = _load_markdown(root, SKILL_FILE, problems, frontmatter=True, missing=missing_skill)
    references = root / REFERENCES_DIR
    found = _examine(root, references)
    has_references = found.kind == "directory"
    rule_paths: list[str] = []
    if found.kind == "missing":
        problems.append(
            diag(
                "B002",
                REFERENCES_DIR,
                1,
                "the references/ directory is missing, so the bundle has no rule files and no example is run",
                help="create references/ with the sections file and the rule files",
            )
        )
    elif not has_references:
        problems.append(_layout_problem(REFERENCES_DIR, found, want="directory"))
    else:
        for entry in sorted(references.iterdir()):
            if entry.suffix != ".md" or entry.name.startswith("_"):
                continue
            path = f"{REFERENCES_DIR}/{entry.name}"
            found = _examine(root, entry)
            if found.kind == "file":
                rule_paths.append(path)
            elif found.kind != "missing":  # gone since the listing: nothing to say
                problems.append(_layout_problem(path, found, want="file"))
    sections_doc = None
    if has_references:
        missing_sections = diag(
            "B003",
            SECTIONS_FILE,
            1,
            "the sections file is missing, so references/*.md are read as plain documents, not as rules, and no example is run",
            help="declare the sections in references/_sections.md",
        )
        sections_doc = _load_markdown(root, SECTIONS_FILE, problems, frontmatter=False, missing=missing_sections)
    sections, section_problems = parse_sections(sections_doc) if sections_doc else ((), [])
    problems.extend(section_problems)
    rule_format = bool(sections)
    rules: list[Rule] = []
    references: list[Document] = []
    for path in rule_paths:
        if rule_format:
            document = _load_markdown(root, path, problems, frontmatter=True)
            rules.append(Rule(path=path, prefix=_prefix_of(path, [s.prefix for s in sections]), document=document))
        else:
            # Not our rule format: the file is a plain reference, and its frontmatter (if any) is its own business.
            document = _load_markdown(root, path, problems, frontmatter=False, frontmatter_problems=False)
            if document is not None:
                references.append(document)
    documents = [d for d in (skill, sections_doc, *(r.document for r in rules), *references) if d is not None]
    bundle = Bundle(
        root_name=root.name,
        skill=skill,
        sections_path=SECTIONS_FILE,
        sections=tuple(sections),
        rules=tuple(rules),
        files=tuple(p for p in (SKILL_FILE, SECTIONS_FILE, *rule_paths) if (root / p).exists()),
        has_references=has_references,
        link_targets=_link_targets(root, documents, {SKILL_FILE, SECTIONS_FILE, *rule_paths}, problems),
        references=tuple(references),
        rule_format=rule_format,
        source_checkout=is_source_checkout(root),
    )
    return LoadedBundle(bundle=bundle, diagnostics=problems)


def skill_files(root: Path) -> list[str]:
    """The files of the installable skill under `root`, as sorted POSIX paths relative to it."""
    missing = [p for p in REQUIRED_PATHS if not (root / p).exists()]
    if missing:
        raise FileNotFoundError(f"{root} is not the skill's source: {', '.join(missing)} missing")
    files: list[str] = []
    for relative in INSTALLED_PATHS:
        path = root / relative
        if path.is_file():
            files.append(relative)
        elif path.is_dir():
            for file in path.rglob("*"):
                if file.is_file() and not any(part == "__pycache__" for part in file.parts) and file.suffix != ".pyc":
                    files.append(file.relative_to(root).as_posix())
    return sorted(files)


def copy_skill(root: Path, destination: Path) -> Path:
    """Copy the installable skill (INSTALLED_PATHS) into destination/dbos-python, a new directory."""
    installed = destination / SKILL_NAME
    installed.mkdir(parents=True)
    for relative in skill_files(root):
        target = installed / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
    return installed


def is_source_checkout(root: Path) -> bool:
    """A bundle at the root of a git work tree (`.git` a directory, or a file in a worktree or submodule).

    Such a directory is where the skill is developed, under whatever name it
    was cloned; an installed copy is a copy of SKILL.md and references/ alone.
    """
    return (root / ".git").exists()


def _load_markdown(
    root: Path,
    path: str,
    problems: list[Diagnostic],
    *,
    frontmatter: bool,
    missing: Optional[Diagnostic] = None,
    frontmatter_problems: bool = True,
) -> Optional[Document]:
    found = _examine(root, root / path)
    if found.kind == "missing":
        if missing is not None:
            problems.append(missing)
        return None
    if found.kind != "file":
        problems.append(_layout_problem(path, found, want="file"))
        return None
    file = root / path
    text, read_problems = read_text(file, path)
    problems.extend(read_problems)
    if text is None:
        return None
    front, body_line = None, 1
    if frontmatter or text.startswith("---"):
        front, body_line, front_problems = split_frontmatter(text, path)
        if frontmatter_problems:
            problems.extend(front_problems)
        elif front_problems:
            body_line = 1  # not frontmatter after all: a thematic break, say
    return parse_document(path, text, front, body_line)


def _prefix_of(path: str, prefixes: list[str]) -> Optional[str]:
    name = path.rsplit("/", 1)[-1]
    matches = [p for p in prefixes if name.startswith(p + "-")]
    return max(matches, key=len) if matches else None


@dataclass(frozen=True)
class _Found:
    """What is at a path of the bundle, symlinks followed.

    `kind` is "file", "directory", "other" (a FIFO, a device), "missing", "outside" (it lands
    outside the bundle), "broken" (a symlink to nothing), "loop" (symlinks that never end) or
    "unreadable" (a permission refused on the way); `shown` says where a symlink points, or why.
    """

    kind: str
    shown: str = ""


def _examine(root: Path, file: Path) -> _Found:
    """What `file` is, without ever raising: loops and broken links are answers, not errors.

    Path.resolve() raises RuntimeError on a symlink loop before Python 3.13 and Path.exists()
    calls a loop missing, so both are avoided: realpath(strict=True) raises OSError(ELOOP).
    """
    try:
        real = os.path.realpath(file, strict=True)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return _Found("loop", _chain(root, file))
        if error.errno not in (errno.ENOENT, errno.ENOTDIR):
            return _Found("unreadable", error.strerror or str(error))
        if not _is_symlink(file):
            lands = os.path.realpath(file)  # not strict: never raises
            return _Found("missing" if _within(root, lands) else "outside", lands)
        target = os.readlink(file)
        return _Found("broken" if _within(root, os.path.realpath(file)) else "outside", target)
    if not _within(root, real):
        return _Found("outside", os.readlink(file) if _is_symlink(file) else real)
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return _Found("missing")  # removed meanwhile
    return _Found("file" if stat.S_ISREG(mode) else "directory" if stat.S_ISDIR(mode) else "other")


def _layout_problem(path: str, found: _Found, *, want: str) -> Diagnostic:
    """The one finding for a bundle path that is not the file or directory it must be."""
    if found.kind == "outside":
        return diag("B005", path, 1, f"symlink points outside the bundle: {found.shown}",
                    help=f"the skill is installed and read without what lies outside it: move the {want} into the bundle")
    if found.kind == "loop":
        return diag("B004", path, 1, f"symlink loop: {found.shown} never reaches a {want}",
                    help=f"point the symlink at a real {want}, or replace it with the {want}")
    if found.kind == "broken":
        return diag("B004", path, 1, f"broken symlink: its target `{found.shown}` does not exist",
                    help=f"point the symlink at an existing {want}, or remove it")
    if found.kind == "unreadable":
        return diag("B004", path, 1, f"cannot read: {found.shown}")
    if want == "directory":
        return diag("B004", path, 1, f"expected a directory, found a {'regular file' if found.kind == 'file' else 'special file'}",
                    help="references/ is a directory holding the sections file and the rule files")
    return diag("B004", path, 1, "expected a markdown file, found a directory" if found.kind == "directory" else "not a regular file")


def _chain(root: Path, file: Path, hops: int = 8) -> str:
    """`a.md -> b.md -> a.md`: the symlinks of a loop as written, from the bundle path on."""
    shown = [Path(os.path.relpath(file, root)).as_posix()]
    seen = {os.path.normpath(file)}
    current = str(file)
    while _is_symlink(current) and len(shown) <= hops:
        target = os.readlink(current)
        shown.append(target)
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
        if current in seen:
            break
        seen.add(current)
    else:
        if len(shown) > hops:
            shown.append("...")
    return "`" + " -> ".join(shown) + "`"


def _is_symlink(file: Path | str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(file).st_mode)
    except OSError:
        return False


def _within(root: Path, real: str) -> bool:
    return Path(real).is_relative_to(root)


def _link_targets(root: Path, documents: list[Document], loaded: set[str], problems: list[Diagnostic]) -> dict[str, LinkTarget]:
    """Where each relative link of the documents lands, with the headings of markdown targets.

    A link into a path that B004 or B005 already reports (a looping rule file, a `references`
    that leaves the bundle) is "reported": one finding names the cause, not one per link.
    """
    parsed = {d.path: frozenset(h.anchor for h in d.headings) for d in documents}
    reported = {d.path for d in problems if d.code in ("B004", "B005")}
    targets: dict[str, LinkTarget] = {}
    for document in documents:
        for link in document.links:
            target = resolve_link(document.path, link.target)
            if target is None or target.path is None or target.path in targets:
                continue
            if any(target.path == p or target.path.startswith(p + "/") for p in reported):
                targets[target.path] = LinkTarget(state="reported")
                continue
            file = root / target.path
            found = _examine(root, file)
            if found.kind == "outside":
                targets[target.path] = LinkTarget(state="outside")
            elif found.kind in ("missing", "broken", "loop"):
                why = {"broken": "a broken symlink", "loop": "a symlink loop"}.get(found.kind)
                targets[target.path] = LinkTarget(state="missing", why=why)
            elif target.path in loaded:  # read above: no anchors when it did not parse
                targets[target.path] = LinkTarget(state="exists", anchors=parsed.get(target.path))
            else:
                anchors = _headings(file, target.path, problems) if found.kind == "file" else None
                targets[target.path] = LinkTarget(state="exists", anchors=anchors)
    return targets


def _headings(file: Path, path: str, problems: list[Diagnostic]) -> Optional[frozenset[str]]:
    """The anchors of a markdown file the bundle links to but does not check (B009 when too big to read)."""
    if not path.endswith(".md"):
        return None
    text, read_problems = read_text(file, path)
    problems.extend(d for d in read_problems if d.code == "B009")
    return None if text is None else frozenset(h.anchor for h in parse_document(path, text, None, 1).headings)
