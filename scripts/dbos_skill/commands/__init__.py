"""The `dbos-skill` subcommands: one module each, with `add_parser(subparsers)` and `run(args) -> int`.

A command module imports what it needs inside `run`, so that one command never
pays for another's dependencies (the checker, for instance, needs only the
standard library).
"""
