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
from .model import Bundle, Diagnostic, Document, Rule
from .sections import parse_sections
from .source import read_text

SKILL_NAME = "dbos-python"
SKILL_FILE = "SKILL.md"
REFERENCES_DIR = "references"
SECTIONS_FILE = f"{REFERENCES_DIR}/_sections.md"
_SKIPPED_DIRS = {"__pycache__", "node_modules"}


@dataclass(frozen=True)
class LoadedBundle:
    bundle: Bundle
    anchors: dict[str, frozenset[str]]
    diagnostics: list[Diagnostic]


def load_bundle(root: Path) -> LoadedBundle:
    """Read SKILL.md, the sections file and every rule file under `root`."""
    root = root.resolve()
    problems: list[Diagnostic] = []
    skill = _load_markdown(root, SKILL_FILE, problems, missing_code="B001", frontmatter=True)
    references = root / REFERENCES_DIR
    rule_paths: list[str] = []
    if not references.is_dir() or not _inside(root, references):
        problems.append(diag("B002", REFERENCES_DIR, 1, "the references/ directory is missing", help="create references/ with the sections file and the rule files"))
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
    if references.is_dir():
        sections_doc = _load_markdown(root, SECTIONS_FILE, problems, missing_code="B003", frontmatter=False)
    sections, section_problems = parse_sections(sections_doc) if sections_doc else ((), [])
    problems.extend(section_problems)
    rules = []
    for path in rule_paths:
        document = _load_markdown(root, path, problems, missing_code="B004", frontmatter=True)
        rules.append(Rule(path=path, prefix=_prefix_of(path, [s.prefix for s in sections]), document=document))
    existing, outside = _walk(root)
    bundle = Bundle(
        root_name=root.name,
        skill=skill,
        sections_path=SECTIONS_FILE,
        sections=tuple(sections),
        rules=tuple(rules),
        files=tuple([SKILL_FILE, SECTIONS_FILE, *rule_paths]),
        existing_paths=frozenset(existing),
        outside_paths=frozenset(outside),
    )
    documents = [d for d in (skill, sections_doc, *(r.document for r in rules)) if d is not None]
    return LoadedBundle(bundle=bundle, anchors=_anchors(root, documents), diagnostics=problems)


def copy_skill(root: Path, destination: Path) -> Path:
    """Install the skill's agent-facing files (SKILL.md, references/) into destination/dbos-python."""
    installed = destination / SKILL_NAME
    installed.mkdir(parents=True)
    shutil.copy2(root / SKILL_FILE, installed / SKILL_FILE)
    shutil.copytree(root / REFERENCES_DIR, installed / REFERENCES_DIR)
    return installed


def _load_markdown(root: Path, path: str, problems: list[Diagnostic], *, missing_code: str, frontmatter: bool) -> Optional[Document]:
    file = root / path
    if file.is_symlink() and not _inside(root, file):
        problems.append(diag("B005", path, 1, f"symlink points outside the bundle: {os.readlink(file)}"))
        return None
    if not file.exists():
        if missing_code == "B001":
            problems.append(diag("B001", path, 1, "SKILL.md is missing", help="every Agent Skills bundle needs a SKILL.md at its root"))
        elif missing_code == "B003":
            problems.append(diag("B003", path, 1, "the sections file is missing", help="declare the sections in references/_sections.md"))
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
        problems.extend(front_problems)
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


def _walk(root: Path) -> tuple[set[str], set[str]]:
    """All bundle-relative paths, and those that are symlinks leading outside."""
    existing: set[str] = set()
    outside: set[str] = set()
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if not d.startswith(".") and d not in _SKIPPED_DIRS]
        base = Path(directory)
        for name in subdirs + files:
            full = base / name
            relative = full.relative_to(root).as_posix()
            if full.is_symlink() and not _inside(root, full):
                outside.add(relative)
            else:
                existing.add(relative)
    return existing, outside


def _anchors(root: Path, documents: list[Document]) -> dict[str, frozenset[str]]:
    """Heading anchors of every parsed document and of other markdown files they link to."""
    anchors = {d.path: frozenset(h.anchor for h in d.headings) for d in documents}
    for document in documents:
        for link in document.links:
            target = resolve_link(document.path, link.target)
            if target is None or target.path is None or target.path in anchors or not target.path.endswith(".md"):
                continue
            file = root / target.path
            if file.is_file() and _inside(root, file):
                text, _ = read_text(file, target.path)
                if text is not None:
                    anchors[target.path] = frozenset(h.anchor for h in parse_document(target.path, text, None, 1).headings)
    return anchors
