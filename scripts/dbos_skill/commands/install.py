"""`dbos-skill install`: copy the skill into agents' skill folders, and index it in AGENTS.md."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Optional

from ..agents import AGENTS, ALL, SCOPES
from ..errors import UsageError

AGENT_NAMES = (*AGENTS, ALL)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "install",
        help="install the skill into coding agents' skill folders",
        description="Copy the skill (SKILL.md, references/, the checker) into a dbos-python folder where each chosen agent looks for skills.",
    )
    add_target_arguments(parser, "install into")
    parser.add_argument(
        "--agents-md",
        nargs="?",
        const="AGENTS.md",
        metavar="PATH",
        help="add or update the skill's index block in PATH (default: AGENTS.md; CLAUDE.md works too)",
    )
    parser.add_argument("--force", action="store_true", help="write the skill's files into a dbos-python folder dbos-skill did not install (its other files stay; a git clone is refused), or over installed files changed since")
    parser.set_defaults(run=run)


def add_target_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """The options install and uninstall share: which folders, and --dry-run."""
    parser.add_argument(
        "--agent",
        action="extend",
        nargs="+",
        choices=AGENT_NAMES,
        default=[],
        metavar="AGENT",
        help=f"{verb} the skill folder of these agents: {', '.join(AGENT_NAMES)}",
    )
    parser.add_argument("--scope", choices=SCOPES, default="project", help="project: under the current directory (default); user: under your home directory")
    parser.add_argument("--dest", action="append", default=[], metavar="DIR", help=f"{verb} DIR/dbos-python, for any other agent (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="say what would be done, and change nothing")


def check_paths(args: argparse.Namespace) -> None:
    """An empty path is a mistake (an unset shell variable, say), not the current directory."""
    if any(dest == "" for dest in args.dest):
        raise UsageError("--dest: the path is empty; name a folder (`--dest .` for ./dbos-python)")
    if args.agents_md == "":
        raise UsageError("--agents-md: the path is empty; name a file, or give --agents-md alone for ./AGENTS.md")


def chosen_targets(args: argparse.Namespace) -> list:
    """One target per distinct folder the options name, with the agents that read it."""
    from ..agents import resolve_agents
    from ..install import targets_for

    folders: dict[Path, list[str]] = {}
    for agent in resolve_agents(args.agent):
        folders.setdefault(agent.skills_dir(args.scope, Path.cwd(), Path.home()), []).append(agent.name)
    for dest in args.dest:
        folders.setdefault(Path(dest), [])
    return targets_for(folders)


def shown(path: Path) -> str:
    """A path as a user would type it: relative to the current directory, else from ~, else absolute."""
    path = Path(os.path.abspath(path))
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            relative = path.relative_to(base).as_posix()
        except ValueError:
            continue
        return prefix + relative if relative != "." else (prefix.rstrip("/") or ".")
    return str(path)


def readers(target) -> str:
    return f" for {', '.join(target.readers)}" if target.readers else ""


def plan_all(plan, targets) -> list:
    """Plan every target first: one refusal stops the run before anything is written."""
    from ..install import InstallError

    steps, problems = [], []
    for target in targets:
        try:
            steps.append(plan(target))
        except InstallError as error:
            problems.append(str(error))
    if problems:
        raise UsageError("nothing was changed: " + problems[0] if len(problems) == 1 else "nothing was changed:\n  " + "\n  ".join(problems))
    return steps


def run(args: argparse.Namespace) -> int:
    from ..install import InstallError, apply, default_source, plan_install

    check_paths(args)
    if not (args.agent or args.dest or args.agents_md):
        raise UsageError("nothing to install: pass --agent, --dest or --agents-md")
    try:
        source = default_source()
    except InstallError as error:
        raise UsageError(str(error)) from error
    steps = plan_all(lambda target: plan_install(source, target, force=args.force), chosen_targets(args))
    index_plan = _plan_agents_md(args, source, steps) if args.agents_md else None
    for step in steps:
        if not args.dry_run:
            apply(step, source)
        print(_describe(step, args.dry_run))
    if index_plan is not None:
        _write_agents_md(index_plan, args.dry_run)
    return 0


_VERBS = {"install": ("install", "installed"), "replace": ("replace", "replaced"), "update": ("update", "updated")}


def _describe(step, dry_run: bool) -> str:
    place = shown(step.target.directory) + readers(step.target)
    if step.kind not in _VERBS:
        return f"up to date: {place}"
    verb = f"would {_VERBS[step.kind][0]}" if dry_run else _VERBS[step.kind][1]
    if step.kind == "update":
        head = f"{verb} {place}: {len(step.write)} files written, {len(step.remove)} removed"
    elif step.kind == "replace":
        note = f", a symlink to {step.symlink} (which is left alone)" if step.symlink is not None else ", which dbos-skill did not install"
        head = f"{verb} {place}{note}: {len(step.write)} files"
    else:
        head = f"{verb} {place}: {len(step.write)} files"
    return "\n".join([head, *details(step, dry_run)])


def details(step, dry_run: bool) -> list[str]:
    """A line for each kind of file a step overwrites, removes or keeps that it did not write
    itself, naming the files, so a dry run says exactly what would be lost and what would stay."""
    if step.kind == "replace":
        changed = ("overwrote", "would overwrite", "files that differ from the skill's")
    elif step.kind == "update":
        changed = ("overwrote or removed", "would overwrite or remove", "files changed since the install, or added")
    else:
        changed = ("removed", "would remove", "files changed since the install")
    groups = [(changed, step.overwrite)]
    if step.kind == "update":
        groups.append((("removed", "would remove", "files no longer in the skill"), step.remove))
    if step.kind == "replace":
        groups.append((("kept", "would keep", "files that are not part of the skill"), step.keep))
    lines = [f"  {would if dry_run else done} {len(files)} {what}: {', '.join(files)}" for (done, would, what), files in groups if files]
    if step.caches:
        lines.append(f"  {'would remove' if dry_run else 'removed'} {len(step.caches)} bytecode caches (__pycache__) of the skill's modules")
    return lines


def _plan_agents_md(args: argparse.Namespace, source: Path, steps: list) -> tuple[Path, Optional[str], str]:
    """(file, new text or None when unchanged, message) for the AGENTS.md block; raises UsageError on any problem."""
    from ..agents_md import BlockError, read_index, render_block, upsert

    file = _agents_md_path(args.agents_md)
    installed = _installed_copy(file, [s.target for s in steps])
    text = _read_text(file)
    try:
        index = read_index((source / "SKILL.md").read_text(encoding="utf-8"))
        block = render_block(index, _link_path(installed, file.parent))
        new = upsert(text, block, shown(file))
    except BlockError as error:
        raise UsageError(str(error)) from error
    size = len(block.encode("utf-8"))
    if text == new:
        message = f"up to date: the dbos-python block in {shown(file)}"
    elif text is None:
        message = f"create {shown(file)} with the dbos-python block ({size} bytes)"
    elif "dbos-python skill: begin" in text:
        message = f"update the dbos-python block in {shown(file)} ({size} bytes)"
    else:
        message = f"add the dbos-python block to {shown(file)} ({size} bytes)"
    return file, new if text != new else None, message


def _write_agents_md(plan: tuple[Path, Optional[str], str], dry_run: bool) -> None:
    file, new, message = plan
    if new is not None and not dry_run:
        with open(file, "w", encoding="utf-8", newline="") as handle:
            handle.write(new)
    if new is None:
        print(message)
    elif dry_run:
        print(f"would {message}")
    else:
        verb, rest = message.split(" ", 1)
        print({"create": "created", "update": "updated", "add": "added"}[verb] + " " + rest)


def _agents_md_path(value: str) -> Path:
    file = Path(value)
    if file.is_dir():
        file = file / "AGENTS.md"
    if file.exists() and not file.is_file():
        raise UsageError(f"{value}: not a regular file")
    if not file.parent.is_dir():
        raise UsageError(f"{value}: the folder {shown(file.parent)} does not exist")
    return file


def _read_text(file: Path) -> Optional[str]:
    if not file.exists():
        return None
    data = file.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{shown(file)}: not UTF-8 text (byte {error.start}); the block was not added") from error


def _installed_copy(file: Path, installed_now: list) -> Path:
    """The installed copy the block points at: one installed by this run (under the project if
    possible; for CLAUDE.md, Claude Code's; else the one the most agents read), else one
    installed earlier in the agent folders of the block's folder, of the current directory,
    or of the user."""
    from ..bundle import SKILL_NAME
    from ..install import read_manifest

    project = file.parent
    if installed_now:
        claude = file.name.upper() == "CLAUDE.MD"
        ranked = sorted(
            installed_now,
            key=lambda t: (not _is_under(t.directory, project), claude and "claude-code" not in t.readers, -len(t.readers)),
        )
        return ranked[0].directory
    projects = dict.fromkeys([project, Path.cwd()])  # the block's folder, then where the command runs
    candidates = [agent.skills_dir("project", base, Path.home()) / SKILL_NAME for base in projects for agent in AGENTS.values()]
    candidates += [agent.skills_dir("user", project, Path.home()) / SKILL_NAME for agent in AGENTS.values()]
    for candidate in dict.fromkeys(candidates):
        if candidate.is_dir() and read_manifest(candidate) is not None:
            return candidate
    raise UsageError("no installed copy of the skill for the block to point at: install one in the same command (--agent or --dest)")


def _link_path(path: Path, base: Path) -> str:
    """How the block names a folder, so the file can be committed: from ~ for a copy in a user-scope
    agent folder (each user has their own), else relative to the block file's folder `base`."""
    path, home = Path(os.path.abspath(path)), Path.home()
    user_folders = {Path(os.path.abspath(agent.skills_dir("user", base, home))) for agent in AGENTS.values()}
    if not _is_under(path, base) and path.parent in user_folders:
        return "~/" + path.relative_to(os.path.abspath(home)).as_posix()
    return Path(os.path.relpath(path, os.path.abspath(base))).as_posix()


def _is_under(path: Path, base: Path) -> bool:
    try:
        Path(os.path.abspath(path)).relative_to(os.path.abspath(base))
        return True
    except ValueError:
        return False
