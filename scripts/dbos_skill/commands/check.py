"""`dbos-skill check [PATH ...]`: the static checker for DBOS application code (stdlib only)."""

from __future__ import annotations

import argparse


def add_parser(commands: argparse._SubParsersAction) -> None:
    from ..check.cli import DESCRIPTION, add_arguments

    parser = commands.add_parser("check", help="check Python files for DBOS mistakes", description=DESCRIPTION)
    add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..check.cli import guarded

    return guarded(args, "dbos-skill check")
