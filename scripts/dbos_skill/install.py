"""Installing the skill into agents' skill folders, and removing exactly what was installed.

Each installed copy holds a manifest (MANIFEST) that lists every file written with its SHA-256
and how many parent folders the install created. With it, installing again is a no-op or an
update, uninstalling removes only those files (never one the user added), and a folder without
it is someone else's: it is never overwritten without --force, never removed.

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
    keep: list[str] = field(default_factory=list)  # files found that the install did not write
    created_parents: int = 0


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


def _changed(directory: Path, files: dict[str, str]) -> list[str]:
    """Installed files whose content differs from what the install wrote (edited since)."""
    return sorted(f for f, sha in files.items() if (directory / f).is_file() and digest(directory / f) != sha)


def _user_files(directory: Path, ours: set[str]) -> list[str]:
    return sorted(
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if (p.is_file() or p.is_symlink()) and p.relative_to(directory).as_posix() not in ours | {MANIFEST}
    )


def _missing_parents(directory: Path) -> int:
    """How many of directory's ancestors do not exist yet (the install will create them)."""
    count, parent = 0, directory.parent
    while not os.path.lexists(parent) and parent != parent.parent:
        count, parent = count + 1, parent.parent
    if not parent.is_dir():
        raise InstallError(f"{directory}: {parent} is not a folder")
    return count


def plan_install(source: Path, target: Target, *, force: bool) -> Step:
    directory = target.directory
    if _overlaps(directory, source):
        raise InstallError(f"{directory}: this is the skill's own source; choose another destination")
    new = skill_files(source)
    if not os.path.lexists(directory):
        return Step(target, "install", write=new, created_parents=_missing_parents(directory))
    manifest = read_manifest(directory) if directory.is_dir() and not directory.is_symlink() else None
    if manifest is None:
        if not force:
            what = "a symlink" if directory.is_symlink() else "a file" if not directory.is_dir() else "a folder dbos-skill did not install"
            raise InstallError(f"{directory}: {what} is already there; remove it, or pass --force to replace it")
        return Step(target, "replace", write=new)
    files: dict[str, str] = manifest["files"]
    edited = _changed(directory, files)
    if edited and not force:
        raise InstallError(f"{directory}: installed files were changed since ({', '.join(edited)}); pass --force to overwrite them")
    write = [f for f in new if not (directory / f).is_file() or f not in files or digest(directory / f) != digest(source / f)]
    remove = sorted(set(files) - set(new))
    kind = "update" if write or remove or manifest.get("version") != __version__ else "current"
    return Step(target, kind, write=write, remove=remove, created_parents=int(manifest.get("created-parents", 0)))


def plan_uninstall(target: Target, *, force: bool) -> Step:
    directory = target.directory
    if not os.path.lexists(directory):
        return Step(target, "absent")
    manifest = read_manifest(directory) if directory.is_dir() and not directory.is_symlink() else None
    if manifest is None:
        raise InstallError(f"{directory}: not installed by dbos-skill (no {MANIFEST} in it); it was left alone, remove it yourself if you want it gone")
    files: dict[str, str] = manifest["files"]
    edited = _changed(directory, files)
    if edited and not force:
        raise InstallError(f"{directory}: installed files were changed since ({', '.join(edited)}); pass --force to remove them anyway")
    return Step(
        target,
        "uninstall",
        remove=sorted(files),
        keep=_user_files(directory, set(files)),
        created_parents=int(manifest.get("created-parents", 0)),
    )


def apply(step: Step, source: Optional[Path]) -> None:
    if step.kind in ("install", "replace"):
        _install_fresh(step, source)
    elif step.kind == "update":
        _update(step, source)
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
    if step.kind == "replace":
        if directory.is_dir() and not directory.is_symlink():
            shutil.rmtree(directory)
        else:
            directory.unlink()
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


def _update(step: Step, source: Path) -> None:
    directory = step.target.directory
    for relative in step.write:
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, target)
    for relative in step.remove:
        _remove_file(directory, relative)
    files = sorted(skill_files(source))
    (directory / MANIFEST).write_text(_manifest_for(directory, files, step.created_parents), encoding="utf-8")


def _uninstall(step: Step) -> None:
    directory = step.target.directory
    for relative in step.remove:
        _remove_file(directory, relative)
    (directory / MANIFEST).unlink(missing_ok=True)
    if _remove_if_empty(directory):
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
