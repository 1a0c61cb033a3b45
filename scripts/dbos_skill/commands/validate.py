"""`dbos-skill validate [BUNDLE]`: check a skill bundle and run its python examples."""

from __future__ import annotations

import argparse
import errno
import math
import os
import shlex
import stat
import sys
from pathlib import Path

from ..errors import UsageError
from ..check.streams import write_stdout


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "validate",
        help="check a skill bundle and run its python examples",
        description="Check a skill bundle and run every python example against the installed dbos.",
    )
    parser.add_argument(
        "bundle", nargs="?", type=bundle_directory, metavar="BUNDLE", help="skill directory (default: the one containing the current directory)"
    )
    parser.add_argument("--no-run", action="store_true", help="static checks only; do not execute snippets")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the run too")
    parser.add_argument("--timeout", type=seconds, default=60.0, metavar="SECONDS", help="time limit per snippet (default: 60)")
    parser.add_argument("--jobs", "-j", type=count, default=None, metavar="N", help="snippets run in parallel (default: 4 per CPU, at most 16)")
    parser.add_argument(
        "--postgres-url",
        type=postgres_url,
        metavar="URL",
        help="run snippets against this PostgreSQL server (each gets a fresh database) instead of SQLite",
    )
    parser.set_defaults(run=run)


FORMATS = ("text", "json", "github", "sarif")  # the renderers of report.py
POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def seconds(text: str) -> float:
    """A positive, finite number of seconds (`--timeout`)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def count(text: str) -> int:
    """A positive whole number (`--jobs`)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def postgres_url(text: str) -> str:
    """A postgresql:// URL; an empty one (an unset variable, as in `--postgres-url "$DATABASE_URL"`) is refused."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the URL is empty (is the variable that should hold it set?)")
    if not text.startswith(POSTGRES_SCHEMES):
        raise argparse.ArgumentTypeError("expected a postgresql:// URL")  # not echoed: it may hold a password
    return text


def bundle_directory(text: str) -> Path:
    """The BUNDLE argument: an empty one would silently mean the current directory."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the bundle path is empty")
    return Path(text)


def find_bundle(start: Path) -> Path:
    """The nearest directory at or above `start` that holds a SKILL.md."""
    from ..bundle import SKILL_FILE

    for directory in (start, *start.parents):
        # Any SKILL.md entry marks the bundle, even one that is not a readable file (a symlink
        # loop, a directory): that one gets its B004, rather than a bundle further up being checked.
        if os.path.lexists(directory / SKILL_FILE):
            return directory
    raise UsageError(f"no {SKILL_FILE} in {start} or any parent directory; pass the bundle directory")


def not_a_bundle_directory(path: Path) -> str:
    """Why BUNDLE cannot be validated ("" when it is a directory), said for what the path is."""
    from ..bundle import SKILL_FILE

    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a symlink loop, not a directory"
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return f"a broken symlink to {os.readlink(path)}" if os.path.islink(path) else "no such directory"
        return f"cannot read: {error.strerror}"
    if stat.S_ISDIR(mode):
        return ""
    if path.name == SKILL_FILE:
        return f"not a directory; pass the directory that holds it: dbos-skill validate {shlex.quote(str(path.parent))}"
    return f"not a directory; pass the bundle directory, the one that holds {SKILL_FILE}"


def display_prefix(root: Path, cwd: Path) -> str:
    """How paths inside `root` are shown: relative to the current directory when possible."""
    try:
        relative = root.resolve().relative_to(cwd.resolve())
    except ValueError:
        return f"{root}/"
    return "" if str(relative) == "." else f"{relative.as_posix()}/"


def run(args: argparse.Namespace) -> int:
    from .. import progress
    from ..report import render
    from ..validate import Options, exit_code, validate

    cwd = Path.cwd()
    if args.bundle is None:
        root = find_bundle(cwd)
    else:
        root = args.bundle
        problem = not_a_bundle_directory(root)
        if problem:
            raise UsageError(f"{root}: {problem}")
    options = Options(
        run=not args.no_run,
        strict=args.strict,
        timeout=args.timeout,
        jobs=args.jobs,
        postgres_url=args.postgres_url,
        progress=not args.no_run and progress.wanted(),
    )
    report = validate(root, options, display_prefix(root, cwd))  # a RunnerError is a UsageError: exit 2
    for note in report.notes:
        print(f"dbos-skill: note: {note}", file=sys.stderr)
    write_stdout(render(report, args.format))
    return exit_code(report, args.strict)
