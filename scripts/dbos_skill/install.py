"""Installing the skill into agents' skill folders, and removing exactly what was installed.

Each installed copy holds a manifest (MANIFEST) that lists every file written with its SHA-256
and how many parent folders the install created. With it, installing again is a no-op or an
update, uninstalling removes only those files (never one the user added), and a folder without
it is someone else's: it is never overwritten without --force, never removed. Even --force
deletes nothing that is not the skill's: it writes the skill's files into such a folder and
leaves every other file there (bytecode caches of the skill's own modules aside).

Every target is planned before anything is written, so a refusal on one changes nothing on any.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import __version__
from .bundle import SKILL_FILE, SKILL_NAME, skill_files

MANIFEST = ".dbos-skill-install.json"
INSTALLED_BY = "dbos-skill"


class InstallError(Exception):
    """A target cannot be installed or uninstalled as asked; nothing was changed."""


@dataclass(frozen=True)
class Target:
    directory: Path  # .../<skills folder>/dbos-python
    readers: tuple[str, ...]  # the agents that read it, or "--dest"


@dataclass
class Step:
    """What one target needs: `kind` says what, the lists say which files."""

    target: Target
    kind: str  # install, replace, update, current, uninstall, absent
    write: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)  # files found that are not the skill's: left where they are
    overwrite: list[str] = field(default_factory=list)  # files written over or removed whose content dbos-skill did not write
    caches: list[str] = field(default_factory=list)  # bytecode caches of the installed modules, removed with them
    created_parents: int = 0
    symlink: Optional[str] = None  # replace: the target of the symlink that is replaced (the target is left alone)


def default_source() -> Path:
    """The skill's source: the repository this package runs from (SKILL.md two levels above it)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / SKILL_FILE).is_file():
        raise InstallError(f"the skill's files are not beside this installation of dbos-skill ({root}); install dbos-skill from a checkout of the repository (pip install -e .)")
    return root


def targets_for(skills_dirs: dict[Path, list[str]]) -> list[Target]:
    """One target per distinct skills folder, with every reader of that folder."""
    merged: dict[Path, list[str]] = {}
    for directory, readers in skills_dirs.items():
        key = Path(os.path.abspath(directory / SKILL_NAME))
        merged.setdefault(key, [])
        merged[key] += [r for r in readers if r not in merged[key]]
    return [Target(directory, tuple(readers)) for directory, readers in merged.items()]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(directory: Path) -> Optional[dict]:
    """The install manifest in `directory`, or None when there is none (or it is not ours)."""
    file = directory / MANIFEST
    if not file.is_file() or file.is_symlink():
        return None
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("installed-by") != INSTALLED_BY or not isinstance(manifest.get("files"), dict):
        return None
    return manifest


def is_bytecode_cache(relative: str) -> bool:
    """A `.pyc` in a `__pycache__` folder under scripts/: what Python writes when something imports
    the installed checker's modules. It is derived from them, so it goes when they go."""
    parts = relative.split("/")
    return len(parts) >= 3 and parts[0] == "scripts" and parts[-2] == "__pycache__" and parts[-1].endswith(".pyc")


def _entries(directory: Path) -> list[str]:
    """Every file and symlink under `directory` (a symlinked folder is an entry, never entered)."""
    found = []
    for root, folders, files in os.walk(directory):
        base = Path(root)
        found += [(base / name).relative_to(directory).as_posix() for name in files]
        found += [(base / name).relative_to(directory).as_posix() for name in folders if (base / name).is_symlink()]
    return sorted(found)


def _sort_out(directory: Path, ours: set[str]) -> tuple[list[str], list[str]]:
    """(files that are not the skill's, bytecode caches) in `directory`, the manifest aside."""
    others = [f for f in _entries(directory) if f not in ours and f != MANIFEST]
    return [f for f in others if not is_bytecode_cache(f)], [f for f in others if is_bytecode_cache(f)]


def _changed(directory: Path, files: dict[str, str]) -> list[str]:
    """Installed files whose content differs from what the install wrote (edited since)."""
    return sorted(f for f, sha in files.items() if (directory / f).is_file() and digest(directory / f) != sha)


def _missing_parents(directory: Path) -> int:
    """How many of directory's ancestors do not exist yet (the install will create them)."""
    count, parent = 0, directory.parent
    while not os.path.lexists(parent) and parent != parent.parent:
        count, parent = count + 1, parent.parent
    if not parent.is_dir():
        raise InstallError(f"{directory}: {parent} is not a folder")
    return count


def _folders_of(files: list[str]) -> list[str]:
    """The folders (relative, "" for the root) that hold `files`, with all their parents."""
    folders = {""}
    for f in files:
        parts = f.split("/")[:-1]
        folders.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return sorted(folders)


def _git_work_trees(directory: Path, files: list[str]) -> list[str]:
    """`.git` entries (a clone's, a worktree's or a submodule's) in the folders the skill writes into."""
    return [f"{folder}/.git" if folder else ".git" for folder in _folders_of(files) if os.path.lexists(directory / folder / ".git")]


def _conflicts(directory: Path, files: list[str]) -> list[str]:
    """Where writing `files` would go through a symlink or need to delete something first."""
    problems: dict[str, str] = {}
    for relative in files:
        parts = relative.split("/")
        for i in range(1, len(parts) + 1):
            path, here, is_file = directory.joinpath(*parts[:i]), "/".join(parts[:i]), i == len(parts)
            if path.is_symlink():
                problems[here] = f"a symlink where the skill has a {'file' if is_file else 'folder'}"
                break
            if not os.path.lexists(path):
                break
            if path.is_dir() == is_file:
                problems[here] = "a folder where the skill has a file" if is_file else "a file where the skill has a folder"
                break
    return [f"{here} is {what}" for here, what in sorted(problems.items())]


def _refuse_conflicts(directory: Path, files: list[str]) -> None:
    conflicts = _conflicts(directory, files)
    if conflicts:
        raise InstallError(
            f"{directory}: {'; '.join(conflicts)}; dbos-skill writes through no symlink and deletes nothing to make room, "
            "even with --force: move it away, then install again"
        )


def _differs(path: Path, source: Path) -> bool:
    return not path.is_file() or digest(path) != digest(source)


def plan_install(source: Path, target: Target, *, force: bool) -> Step:
    directory = target.directory
    if _overlaps(directory, source):
        raise InstallError(f"{directory}: this is the skill's own source; choose another destination")
    new = skill_files(source)
    if not os.path.lexists(directory):
        return Step(target, "install", write=new, created_parents=_missing_parents(directory))
    if directory.is_symlink():
        link = os.readlink(directory)
        if not force:
            raise InstallError(f"{directory}: a symlink (to {link}) is already there; remove it, or pass --force to replace the link with a copy (what it points to is left alone)")
        return Step(target, "replace", write=new, symlink=link)
    if not directory.is_dir():
        raise InstallError(f"{directory}: a file is already there; dbos-skill deletes nothing of yours, even with --force: move it away, then install again")
    manifest = read_manifest(directory)
    if manifest is None:
        return _plan_over_a_foreign_folder(source, target, new, force=force)
    files: dict[str, str] = manifest["files"]
    edited = _changed(directory, files)
    write = [f for f in new if not (directory / f).is_file() or f not in files or _differs(directory / f, source / f)]
    remove = sorted(set(files) - set(new))
    _refuse_conflicts(directory, write)
    # A file the user put where this version of the skill now has one of its own.
    taken = [f for f in write if f not in files and os.path.lexists(directory / f) and _differs(directory / f, source / f)]
    if edited and not force:
        raise InstallError(f"{directory}: installed files were changed since ({', '.join(edited)}); pass --force to overwrite them")
    if taken and not force:
        raise InstallError(f"{directory}: files you added are where the skill now has its own ({', '.join(taken)}); pass --force to overwrite them")
    kind = "update" if write or remove or manifest.get("version") != __version__ else "current"
    _, caches = _sort_out(directory, set(files))
    return Step(
        target,
        kind,
        write=write,
        remove=remove,
        overwrite=sorted(set(edited) | set(taken)),
        caches=caches if kind == "update" else [],
        created_parents=int(manifest.get("created-parents", 0)),
    )


def _plan_over_a_foreign_folder(source: Path, target: Target, new: list[str], *, force: bool) -> Step:
    """A folder without our manifest. Holding nothing but bytecode caches (what an earlier copy's
    checker left), it is installed over. Else, with --force, the skill's files are written into
    it and every other file stays where it is (listed), so nothing that is not the skill's is
    ever deleted; a git work tree is refused even then, since its history, branches and
    uncommitted work are not the installer's to mix with."""
    directory = target.directory
    others, caches = _sort_out(directory, set(new))
    present = [f for f in new if os.path.lexists(directory / f)]
    if not others and not present:
        return Step(target, "install", write=new, caches=caches)
    clones = _git_work_trees(directory, new)
    if clones:
        raise InstallError(
            f"{directory}: a git work tree ({', '.join(clones)}) is there; dbos-skill writes into no git work tree, even with --force: "
            "update it with git, or move it away, then install again"
        )
    _refuse_conflicts(directory, new)
    overwrite = [f for f in present if _differs(directory / f, source / f)]
    if not force:
        raise InstallError(
            f"{directory}: a folder dbos-skill did not install is already there; remove it, or pass --force to write the skill's files into it "
            f"({len(overwrite)} of its files would be overwritten, its {len(others)} other files kept; --dry-run lists them)"
        )
    return Step(target, "replace", write=new, keep=others, overwrite=overwrite, caches=caches)


def plan_uninstall(target: Target, *, force: bool) -> Step:
    directory = target.directory
    if not os.path.lexists(directory):
        return Step(target, "absent")
    manifest = read_manifest(directory) if directory.is_dir() and not directory.is_symlink() else None
    if manifest is None:
        if directory.is_dir() and not directory.is_symlink():
            others, caches = _sort_out(directory, set())
            if not others:  # what an earlier uninstall kept for the caches the checker wrote
                return Step(target, "uninstall", caches=caches)
        raise InstallError(f"{directory}: not installed by dbos-skill (no {MANIFEST} in it); it was left alone, remove it yourself if you want it gone")
    files: dict[str, str] = manifest["files"]
    edited = _changed(directory, files)
    if edited and not force:
        raise InstallError(f"{directory}: installed files were changed since ({', '.join(edited)}); pass --force to remove them anyway")
    others, caches = _sort_out(directory, set(files))
    return Step(
        target,
        "uninstall",
        remove=sorted(files),
        keep=others,
        overwrite=edited,
        caches=caches,
        created_parents=int(manifest.get("created-parents", 0)),
    )


def apply(step: Step, source: Optional[Path]) -> None:
    directory = step.target.directory
    for relative in step.caches:
        _remove_file(directory, relative)
    if step.kind == "install":
        if os.path.lexists(directory):  # only empty folders are left of what was there
            _remove_empty_tree(directory)
        _install_fresh(step, source)
    elif step.kind == "replace" and step.symlink is not None:
        directory.unlink()
        _install_fresh(step, source)
    elif step.kind in ("replace", "update"):
        _write_in_place(step, source)
    elif step.kind == "uninstall":
        _uninstall(step)


def _manifest_for(directory: Path, files: list[str], created_parents: int) -> str:
    manifest = {
        "installed-by": INSTALLED_BY,
        "version": __version__,
        "skill": SKILL_NAME,
        "created-parents": created_parents,
        "files": {f: digest(directory / f) for f in files},
    }
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def _install_fresh(step: Step, source: Path) -> None:
    directory = step.target.directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = directory.parent / f".{SKILL_NAME}.installing-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        for relative in step.write:
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, target)
        (staging / MANIFEST).write_text(_manifest_for(staging, step.write, step.created_parents), encoding="utf-8")
        os.replace(staging, directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _write_in_place(step: Step, source: Path) -> None:
    """Write the skill's files into an existing folder (each file replaced whole), remove the ones
    it dropped, and record what is the skill's; every other file stays."""
    directory = step.target.directory
    for relative in step.write:
        _put(source / relative, directory / relative)
    for relative in step.remove:
        _remove_file(directory, relative)
    files = sorted(skill_files(source))
    (directory / MANIFEST).write_text(_manifest_for(directory, files, step.created_parents), encoding="utf-8")


def _put(source: Path, target: Path) -> None:
    """Copy one file into place by renaming a complete copy over it (never writing through it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.installing-{os.getpid()}")
    try:
        shutil.copy2(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _uninstall(step: Step) -> None:
    directory = step.target.directory
    for relative in step.remove:
        _remove_file(directory, relative)
    (directory / MANIFEST).unlink(missing_ok=True)
    # No manifest (only caches were there): the empty folders left are what an earlier uninstall kept.
    if _remove_empty_tree(directory) if not step.remove else _remove_if_empty(directory):
        parent = directory.parent
        for _ in range(step.created_parents):
            if not _remove_if_empty(parent):
                break
            parent = parent.parent


def _remove_file(directory: Path, relative: str) -> None:
    """Remove one installed file, then the folders it leaves empty (up to the skill folder)."""
    path = directory / relative
    if path.is_file() or path.is_symlink():
        path.unlink()
    parent = path.parent
    while parent != directory and _remove_if_empty(parent):
        parent = parent.parent


def _remove_empty_tree(directory: Path) -> bool:
    """Remove `directory` if it holds nothing but empty folders; whether it is gone."""
    for root, folders, files in os.walk(directory, topdown=False):
        if not files and not any(os.path.islink(os.path.join(root, f)) for f in folders):
            _remove_if_empty(Path(root))
    return not os.path.lexists(directory)


def _remove_if_empty(directory: Path) -> bool:
    try:
        directory.rmdir()
    except OSError:
        return False
    return True


def _overlaps(directory: Path, source: Path) -> bool:
    """Whether replacing `directory` would touch the source itself (installing inside it is fine)."""
    a, b = directory.resolve(), source.resolve()
    return a == b or a in b.parents
