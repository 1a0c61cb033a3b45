"""The `dbos-skill` command: `validate` a bundle, or list the diagnostic `codes`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from .bundle import SKILL_FILE
from .codes import CODES
from .report import render
from .run import RunnerError
from .validate import Options, exit_code, validate

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how the command was called (exit code 2)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dbos-skill", description="Validate the dbos-python Agent Skills bundle.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser(
        "validate",
        help="check a skill bundle and run its python examples",
        description="Check a skill bundle and run every python example against the installed dbos.",
    )
    validate.add_argument("bundle", nargs="?", metavar="BUNDLE", help="skill directory (default: the one containing the current directory)")
    validate.add_argument("--no-run", action="store_true", help="static checks only; do not execute snippets")
    validate.add_argument("--format", choices=("text", "json", "github"), default="text", help="output format (default: text)")
    validate.add_argument("--strict", action="store_true", help="warnings fail the run too")
    validate.add_argument("--timeout", type=_positive_float, default=60.0, metavar="SECONDS", help="time limit per snippet (default: 60)")
    validate.add_argument("--jobs", "-j", type=_positive_int, default=None, metavar="N", help="snippets run in parallel (default: 4 per CPU, at most 16)")
    validate.add_argument(
        "--postgres-url",
        metavar="URL",
        help="run snippets against this PostgreSQL server (each gets a fresh database) instead of SQLite",
    )
    commands.add_parser("codes", help="list the diagnostic codes", description="List every diagnostic code with its severity and meaning.")
    return parser


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text}")
    return value


def find_bundle(start: Path) -> Path:
    """The nearest directory at or above `start` that holds a SKILL.md."""
    for directory in (start, *start.parents):
        if (directory / SKILL_FILE).is_file():
            return directory
    raise UsageError(f"no {SKILL_FILE} in {start} or any parent directory; pass the bundle directory")


def display_prefix(root: Path, cwd: Path) -> str:
    """How paths inside `root` are shown: relative to the current directory when possible."""
    try:
        relative = root.resolve().relative_to(cwd.resolve())
    except ValueError:
        return f"{root}/"
    return "" if str(relative) == "." else f"{relative.as_posix()}/"


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "codes":
            sys.stdout.write(codes_table())
            return EXIT_CLEAN
        return _validate(args)
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


def _validate(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    if args.bundle is None:
        root = find_bundle(cwd)
    else:
        root = Path(args.bundle)
        if not root.is_dir():
            raise UsageError(f"{args.bundle}: not a directory")
    if args.postgres_url and not args.postgres_url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        raise UsageError("--postgres-url must be a postgresql:// URL")
    options = Options(run=not args.no_run, strict=args.strict, timeout=args.timeout, jobs=args.jobs, postgres_url=args.postgres_url)
    try:
        report = validate(root, options, display_prefix(root, cwd))
    except RunnerError as error:
        raise UsageError(str(error)) from error
    sys.stdout.write(render(report, args.format))
    return exit_code(report, args.strict)


def codes_table() -> str:
    rows = ["| Code | Severity | Meaning |", "| --- | --- | --- |"]
    rows += [f"| {c.code} | {c.severity.value} | {c.meaning} |" for c in CODES.values()]
    return "\n".join(rows) + "\n"
