"""`dbos-skill validate [BUNDLE]`: check a skill bundle and run its python examples."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError
from ..output import write_stdout


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "validate",
        help="check a skill bundle and run its python examples",
        description="Check a skill bundle and run every python example against the installed dbos.",
    )
    parser.add_argument("bundle", nargs="?", metavar="BUNDLE", help="skill directory (default: the one containing the current directory)")
    parser.add_argument("--no-run", action="store_true", help="static checks only; do not execute snippets")
    parser.add_argument("--format", choices=("text", "json", "github"), default="text", help="output format (default: text)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the run too")
    parser.add_argument("--timeout", type=_positive_float, default=60.0, metavar="SECONDS", help="time limit per snippet (default: 60)")
    parser.add_argument("--jobs", "-j", type=_positive_int, default=None, metavar="N", help="snippets run in parallel (default: 4 per CPU, at most 16)")
    parser.add_argument(
        "--postgres-url",
        metavar="URL",
        help="run snippets against this PostgreSQL server (each gets a fresh database) instead of SQLite",
    )
    parser.set_defaults(run=run)


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
    from ..bundle import SKILL_FILE

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


def run(args: argparse.Namespace) -> int:
    from ..report import render
    from ..run import RunnerError
    from ..validate import Options, exit_code, validate

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
    write_stdout(render(report, args.format))
    return exit_code(report, args.strict)
