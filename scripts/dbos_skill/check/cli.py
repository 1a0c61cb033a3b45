"""The checker's command line, shared by `dbos-skill check` and the standalone `scripts/check.py`.

Exit codes, as ruff's: 0 no problems (after --fix: none left), 1 problems, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from .streams import prepare_streams, write_stdout

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "github", "sarif")
DESCRIPTION = "Check Python files for DBOS mistakes: each finding names the rule file of the dbos-python skill that explains it."


class UsageError(Exception):
    """A problem with how the checker was called (exit code 2)."""


def _items(what: str):
    """A comma-separated list option. An empty one (`--select ""`, `--select "$CODES"` with the variable
    unset) would quietly mean the default, so it is a usage error."""

    def parse(text: str) -> list[str]:
        items = [part.strip() for part in text.split(",") if part.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected at least one {what}, got {text!r} (is the variable that should hold them set?)")
        return items

    parse.__name__ = f"{what} list"  # what argparse names in its own messages
    return parse


def _path(text: str) -> str:
    """A PATH: an empty one (an unset variable) would name no file, so it is a usage error."""
    if not text:
        raise argparse.ArgumentTypeError("the path is empty (is the variable that should hold it set?)")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=_path, metavar="PATH", help="files or directories to check (default: the current directory)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--select", action="append", type=_items("code"), metavar="CODES", help="check only these codes or prefixes, comma-separated (default: every default check)")
    parser.add_argument("--ignore", action="append", type=_items("code"), metavar="CODES", help="skip these codes or prefixes, comma-separated")
    parser.add_argument("--exclude", action="append", type=_items("pattern"), metavar="PATTERNS", help="skip paths matching these gitignore-style patterns when walking directories")
    parser.add_argument("--fix", action="store_true", help="rewrite the mechanical, safe fixes in place and report what was fixed")
    parser.add_argument("--list-checks", action=_ListChecks, help="print every check: its code, name, rule file and what it finds, then exit")
    parser.add_argument("--version", action=_Version, help="print the checker's version and the Python whose grammar it parses with, then exit")


class _ListChecks(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, default: str = argparse.SUPPRESS, help: Optional[str] = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object, option_string: Optional[str] = None) -> None:
        from .output import checks_table

        prepare_streams()
        write_stdout(checks_table())
        parser.exit()


class _Version(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, default: str = argparse.SUPPRESS, help: Optional[str] = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object, option_string: Optional[str] = None) -> None:
        print(version_text(parser.prog))
        parser.exit()


def version_text(prog: str) -> str:
    """`check.py 0.1.0 (Python 3.11.7)`: the version of the skill it came with, and the Python that judges syntax (DBOS999)."""
    import platform

    from .. import __version__

    return f"{prog} {__version__} (Python {platform.python_version()})"


def build_parser(prog: str = "check.py") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_arguments(parser)
    return parser


def _flatten(groups: Optional[list[list[str]]]) -> list[str]:
    return [item for group in groups or [] for item in group]


def run(args: argparse.Namespace) -> int:
    """Run a check from parsed arguments; raises UsageError for bad paths or codes."""
    from .engine import Checker, read_source
    from .files import PathError, discover
    from .output import RENDERERS, Result
    from .registry import SelectionError, select

    try:
        codes = select(_flatten(args.select), _flatten(args.ignore))
    except SelectionError as error:
        raise UsageError(str(error)) from error
    checker = Checker(codes)
    findings = []
    fixed = []
    files = 0
    try:
        targets = list(discover(args.paths or ["."], _flatten(args.exclude)))
    except PathError as error:
        raise UsageError(str(error)) from error
    for file, shown in targets:
        files += 1
        source, problem = read_source(file)
        if source is None:
            findings.extend(checker.unreadable(shown, problem or "cannot read the file").findings)
            continue
        outcome = checker.check_source(shown, source, fix=args.fix, file=str(file))
        if outcome.new_source is not None:
            _write(file, outcome.new_source, source)
        findings.extend(outcome.findings)
        fixed.extend(outcome.fixed)
    findings.extend(checker.finish())
    result = Result(files=files, findings=tuple(sorted(findings, key=lambda f: f.sort_key)), fixed=tuple(fixed), fix_requested=args.fix)
    write_stdout(RENDERERS[args.format](result))
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


def _write(file, text: str, original: str) -> None:
    """Write the fixed text back in the file's own encoding (read_source decoded it with the same detection)."""
    import io
    import tokenize

    data = file.read_bytes()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    bom = data.startswith(b"\xef\xbb\xbf")
    payload = text.encode("utf-8" if encoding == "utf-8-sig" else encoding)
    if bom and not payload.startswith(b"\xef\xbb\xbf"):
        payload = b"\xef\xbb\xbf" + payload
    file.write_bytes(payload)


def main(argv: Optional[Sequence[str]] = None, prog: str = "check.py") -> int:
    prepare_streams()
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # argparse has printed the usage message
        return int(exit.code) if isinstance(exit.code, int) else EXIT_USAGE
    return guarded(args, prog)


def guarded(args: argparse.Namespace, prog: str) -> int:
    """`run`, with every failure turned into a message and exit code 2, never a traceback."""
    try:
        return run(args)
    except UsageError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # an internal error must not print a traceback at users
        if os.environ.get("DBOS_SKILL_DEBUG"):
            raise
        print(f"{prog}: internal error: {type(error).__name__}: {error} (set DBOS_SKILL_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_USAGE
