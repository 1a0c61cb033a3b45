"""The `dbos-skill` command: parse the arguments, run one subcommand, map its end to an exit code.

Exit codes, as ruff's: 0 clean, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from .commands import check, codes, install, uninstall, validate
from .errors import UsageError
from .check.streams import prepare_streams, silence_stdout
from .run.signals import Terminated

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
COMMANDS = (validate, check, install, uninstall, codes)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dbos-skill", description="Validate the dbos-python Agent Skills bundle, and check DBOS code against it.")
    parser.add_argument("--version", action=_Version, help="print the version of dbos-skill and of the dbos it validates against, then exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


class _Version(argparse.Action):
    """`--version`: worked out only when asked, so a missing dbos costs nothing elsewhere."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, default: str = argparse.SUPPRESS, help: Optional[str] = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object, option_string: Optional[str] = None) -> None:
        print(version_text())
        parser.exit()


def version_text() -> str:
    """`dbos-skill X (dbos Y)`: this tool's version and the installed dbos the examples run against."""
    from importlib import metadata

    from . import __version__

    try:
        dbos = metadata.version("dbos")
    except metadata.PackageNotFoundError:
        dbos = "not installed"
    return f"dbos-skill {__version__} (dbos {dbos})"


def main(argv: Optional[Sequence[str]] = None) -> int:
    prepare_streams()
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:
        silence_stdout()  # a reader that went away while a command printed
        return EXIT_USAGE
    except UsageError as error:
        print(f"dbos-skill: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("dbos-skill: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except Terminated as stop:  # SIGTERM or SIGHUP, after cleanup: the shell's convention
        print(f"dbos-skill: {stop}", file=sys.stderr)
        return 128 + stop.signum
    except Exception as error:  # an internal error must not print a traceback at users
        if os.environ.get("DBOS_SKILL_DEBUG"):
            raise
        print(f"dbos-skill: internal error: {type(error).__name__}: {error} (set DBOS_SKILL_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_USAGE

