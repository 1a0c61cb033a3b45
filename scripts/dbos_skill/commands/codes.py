"""`dbos-skill codes`: the table of diagnostic codes, as the README shows it."""

from __future__ import annotations

import argparse

from ..check.streams import write_stdout


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("codes", help="list the diagnostic codes", description="List every diagnostic code of `dbos-skill validate` with its severity and meaning, then every code of `dbos-skill check` with its rule file.")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..check.output import checks_table

    write_stdout(f"`dbos-skill validate` diagnostics:\n\n{codes_table()}\n`dbos-skill check` findings (`scripts/check.py --list-checks` in an installed skill):\n\n{checks_table(installed=False)}")
    return 0


def codes_table() -> str:
    from ..codes import CODES

    rows = ["| Code | Severity | Meaning |", "| --- | --- | --- |"]
    rows += [f"| {c.code} | {c.severity.value} | {c.meaning} |" for c in CODES.values()]
    return "\n".join(rows) + "\n"
