"""`dbos-skill codes`: the table of diagnostic codes, as the README shows it."""

from __future__ import annotations

import argparse

from ..output import write_stdout


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("codes", help="list the diagnostic codes", description="List every diagnostic code with its severity and meaning.")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    write_stdout(codes_table())
    return 0


def codes_table() -> str:
    from ..codes import CODES

    rows = ["| Code | Severity | Meaning |", "| --- | --- | --- |"]
    rows += [f"| {c.code} | {c.severity.value} | {c.meaning} |" for c in CODES.values()]
    return "\n".join(rows) + "\n"
