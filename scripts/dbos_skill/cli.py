"""The `dbos-skill` command: parse the arguments, run one subcommand, map its end to an exit code.

Exit codes, as ruff's: 0 clean, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from .commands import codes, validate
from .errors import UsageError
from .output import prepare_streams, silence_stdout

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
COMMANDS = (validate, codes)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dbos-skill", description="Validate the dbos-python Agent Skills bundle.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


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
    except Exception as error:  # an internal error must not print a traceback at users
        if os.environ.get("DBOS_SKILL_DEBUG"):
            raise
        print(f"dbos-skill: internal error: {type(error).__name__}: {error} (set DBOS_SKILL_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_USAGE

