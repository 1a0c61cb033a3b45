"""Reading a skill directory into a Bundle: the only module of the checks that touches files."""

from __future__ import annotations

import os
import shutil
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
    root = root.resolve()
    problems: list[Diagnostic] = []
    missing_skill = diag("B001", SKILL_FILE, 1, "SKILL.md is missing", help="every Agent Skills bundle needs a SKILL.md at its root")
    skill = _load_markdown(root, SKILL_FILE, problems, frontmatter=True, missing=missing_skill)
    references = root / REFERENCES_DIR
    has_references = references.is_dir() and _inside(root, references)
    rule_paths: list[str] = []
    if not has_references:
        problems.append(
            diag(
                "B002",
                REFERENCES_DIR,
                1,
                "the references/ directory is missing, so the bundle has no rule files and no example is run",
                help="create references/ with the sections file and the rule files",
            )
        )
    else:
        for entry in sorted(references.iterdir()):
            if entry.suffix != ".md" or entry.name.startswith("_"):
                continue
            path = f"{REFERENCES_DIR}/{entry.name}"
            if entry.is_symlink() and not _inside(root, entry):
                problems.append(diag("B005", path, 1, f"symlink points outside the bundle: {os.readlink(entry)}"))
            elif entry.is_dir() and not entry.is_symlink():
                problems.append(diag("B004", path, 1, "expected a markdown file, found a directory"))
            else:
                rule_paths.append(path)
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
        link_targets=_link_targets(root, documents),
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
    file = root / path
    if file.is_symlink() and not _inside(root, file):
        problems.append(diag("B005", path, 1, f"symlink points outside the bundle: {os.readlink(file)}"))
        return None
    if not file.exists():
        if missing is not None:
            problems.append(missing)
        return None
    if not file.is_file():
        problems.append(diag("B004", path, 1, "expected a markdown file, found a directory" if file.is_dir() else "not a regular file"))
        return None
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


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except ValueError:
        return False


def _link_targets(root: Path, documents: list[Document]) -> dict[str, LinkTarget]:
    """Where each relative link of the documents lands, with the headings of markdown targets."""
    parsed = {d.path: frozenset(h.anchor for h in d.headings) for d in documents}
    targets: dict[str, LinkTarget] = {}
    for document in documents:
        for link in document.links:
            target = resolve_link(document.path, link.target)
            if target is None or target.path is None or target.path in targets:
                continue
            file = root / target.path
            if not _inside(root, file):
                targets[target.path] = LinkTarget(state="outside")
            elif not file.exists():
                targets[target.path] = LinkTarget(state="missing")
            else:
                targets[target.path] = LinkTarget(state="exists", anchors=parsed.get(target.path) or _headings(file, target.path))
    return targets


def _headings(file: Path, path: str) -> Optional[frozenset[str]]:
    if not (file.is_file() and path.endswith(".md")):
        return None
    text, _ = read_text(file, path)
    return None if text is None else frozenset(h.anchor for h in parse_document(path, text, None, 1).headings)
