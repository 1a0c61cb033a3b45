"""`dbos-skill uninstall`: remove exactly what `dbos-skill install` put there, nothing a user added."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

from ..errors import UsageError
from .install import _agents_md_path, _read_text, add_target_arguments, check_paths, chosen_targets, details, plan_all, readers, shown


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "uninstall",
        help="remove what `dbos-skill install` installed",
        description="Remove the files `dbos-skill install` wrote (and the folders it created), and its AGENTS.md block; files you added stay.",
    )
    add_target_arguments(parser, "uninstall from")
    parser.add_argument("--agents-md", nargs="?", const="AGENTS.md", metavar="PATH", help="remove the skill's block from PATH (default: AGENTS.md)")
    parser.add_argument("--force", action="store_true", help="remove installed files even if they were changed since")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..install import apply, plan_uninstall

    check_paths(args)
    if not (args.agent or args.dest or args.agents_md):
        raise UsageError("nothing to uninstall: pass --agent, --dest or --agents-md")
    steps = plan_all(lambda target: plan_uninstall(target, force=args.force), chosen_targets(args))
    block_plan = _plan_block_removal(args.agents_md) if args.agents_md else None
    would = "would " if args.dry_run else ""
    for step in steps:
        place = shown(step.target.directory) + readers(step.target)
        if step.kind == "absent":
            print(f"not installed: {place}")
            continue
        if not args.dry_run:
            apply(step, None)
        # Without step.remove, there was no manifest: only the caches an earlier copy's checker wrote.
        what = f"{len(step.remove)} files" if step.remove else "it held only bytecode caches of the skill's modules"
        print(f"{would}remove {place}: {what}" if would else f"uninstalled {place}: {what}")
        for line in details(step, args.dry_run):
            print(line)
        if step.keep:
            print(f"  {'would keep' if would else 'kept'} {shown(step.target.directory)} for the files you added: {', '.join(step.keep)}")
    if block_plan is not None:
        file, new = block_plan
        if new is None:
            print(f"no dbos-python block in {shown(file)}")
        elif not new.strip():
            if not args.dry_run:
                file.unlink()
            print(f"{would}remove {shown(file)}: it held only the dbos-python block" if would else f"removed {shown(file)}: it held only the dbos-python block")
        else:
            if not args.dry_run:
                with open(file, "w", encoding="utf-8", newline="") as handle:
                    handle.write(new)
            print(f"{would}remove the dbos-python block from {shown(file)}" if would else f"removed the dbos-python block from {shown(file)}")
    return 0


def _plan_block_removal(value: str) -> tuple[Path, Optional[str]]:
    """(file, its text without the block), the text None when there is no block to remove."""
    from ..agents_md import BlockError, remove

    file = _agents_md_path(value)
    text = _read_text(file)
    if text is None:
        return file, None
    try:
        return file, remove(text, shown(file))
    except BlockError as error:
        raise UsageError(str(error)) from error
