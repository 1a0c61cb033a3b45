"""Which files a check run reads: named files as given, directories walked for *.py files.

Walking skips the directories tools and virtual environments keep (`.git`, `.venv`,
`__pycache__`, `node_modules`, ...), paths matched by `.gitignore` files (those in the
walked tree, and those above it up to the repository root), and paths matched by
`--exclude` patterns (gitignore syntax, relative to the walked directory). A file named
on the command line is always checked, as ruff does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from .gitignore import IgnoreFile, is_ignored

SKIPPED_DIRECTORIES = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".env", "env", "__pycache__", "node_modules", ".tox", ".nox",
        ".mypy_cache", ".ruff_cache", ".pytest_cache", ".eggs", "build", "dist", "site-packages", "__pypackages__",
    }
)


class PathError(ValueError):
    pass


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def _read_ignore(directory: str) -> list[str]:
    try:
        with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


def _enclosing_ignores(root: str) -> list[IgnoreFile]:
    """The .gitignore files above `root`, up to the directory that holds `.git` (none without one)."""
    absolute = os.path.abspath(root)
    chain = []
    current = os.path.dirname(absolute)
    while True:
        chain.append(current)
        if os.path.exists(os.path.join(current, ".git")):
            break
        parent = os.path.dirname(current)
        if parent == current:
            return []  # not inside a repository: only the walked tree's own .gitignore files count
        current = parent
    if os.path.exists(os.path.join(absolute, ".git")):
        return []
    return [IgnoreFile(_posix(d), _read_ignore(d)) for d in reversed(chain)]


def discover(paths: list[str], excludes: list[str]) -> Iterator[tuple[Path, str]]:
    """(file, display path) for every file to check, each once, in a stable order."""
    seen: set[str] = set()
    for given in paths:
        if os.path.isfile(given):
            key = os.path.realpath(given)
            if key not in seen:
                seen.add(key)
                yield Path(given), given
        elif os.path.isdir(given):
            for file, shown in _walk(given, excludes):
                key = os.path.realpath(file)
                if key not in seen:
                    seen.add(key)
                    yield Path(file), shown
        else:
            raise PathError(_not_checkable(given))


def _not_checkable(given: str) -> str:
    """Why a named path is neither a file nor a directory the checker reads."""
    if os.path.exists(given):  # /dev/null, a named pipe, a socket: reading one may never end
        return f"{given}: not a regular file or a directory (a device, pipe or socket); name .py files or directories"
    if os.path.islink(given):
        return f"{given}: a symbolic link to {os.readlink(given)}, which does not exist"
    return f"{given}: no such file or directory"


def _walk(root: str, excludes: list[str]) -> Iterator[tuple[str, str]]:
    absolute_root = _posix(os.path.abspath(root))
    stack = _enclosing_ignores(root)
    exclude = [IgnoreFile(absolute_root, excludes)] if excludes else []
    yield from _walk_directory(root, absolute_root, stack, exclude)


def _walk_directory(directory: str, absolute: str, stack: list[IgnoreFile], exclude: list[IgnoreFile]) -> Iterator[tuple[str, str]]:
    """Depth first, entries in name order; with a stack of open directories rather than recursion, so a tree
    nested deeper than Python's recursion limit is walked like any other."""
    frames = [_open_directory(directory, absolute, stack)]
    while frames:
        entries, directory, absolute, stack = frames[-1]
        entry = next(entries, None)
        if entry is None:
            frames.pop()
            continue
        entry_absolute = f"{absolute}/{entry.name}"
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            if entry.name in SKIPPED_DIRECTORIES or entry.name.endswith(".egg-info") or _ignored(stack, exclude, entry_absolute, True):
                continue
            frames.append(_open_directory(os.path.join(directory, entry.name), entry_absolute, stack))
        elif entry.name.endswith(".py") and not _ignored(stack, exclude, entry_absolute, False):
            path = os.path.join(directory, entry.name)
            yield path, _posix(os.path.normpath(path))


def _open_directory(directory: str, absolute: str, stack: list[IgnoreFile]) -> tuple[Iterator[os.DirEntry], str, str, list[IgnoreFile]]:
    """A directory's entries in name order (none when it cannot be read), with the ignore files that apply in it."""
    lines = _read_ignore(directory)
    if lines:
        stack = stack + [IgnoreFile(absolute, lines)]
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        entries = []
    return iter(entries), directory, absolute, stack


def _ignored(stack: list[IgnoreFile], exclude: list[IgnoreFile], path: str, is_dir: bool) -> bool:
    return is_ignored(stack, path, is_dir) or (bool(exclude) and is_ignored(exclude, path, is_dir))


# What marks the top of a project when no git work tree holds a file.
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


def project_root(file: str) -> str:
    """The project a file belongs to: the git work tree that holds it, else the nearest directory with a
    pyproject.toml, setup.py or setup.cfg, else the file's own directory (absolute paths)."""
    start = os.path.dirname(os.path.abspath(file))
    marked = None
    current = start
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        if marked is None and any(os.path.isfile(os.path.join(current, m)) for m in PROJECT_MARKERS):
            marked = current
        parent = os.path.dirname(current)
        if parent == current:
            return marked or start
        current = parent


def project_files(files: list[str]) -> Iterator[str]:
    """Every *.py file of the projects holding `files`, walked as a directory argument is (ignored and tool
    directories skipped), each project once; a project inside another one's tree is walked with it."""
    roots = sorted({project_root(f) for f in files})
    kept: list[str] = []
    for root in roots:
        if not any(root == k or root.startswith(k.rstrip(os.sep) + os.sep) for k in kept):
            kept.append(root)
    for root in kept:
        for file, _ in _walk(root, []):
            yield file
