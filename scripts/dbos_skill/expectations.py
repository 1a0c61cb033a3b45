"""Reading what a python fence declares about its run from its info string.

    ```python                         must run clean (Correct examples)
    ```python raises=DBOSException    must end with that exception (or a subclass)
    ```python runs-but-wrong          runs to the end but misbehaves
    ```python warns                   runs, and DBOS or Python warns
    ```python removed-api raises=...  uses an API 3.x removed, on purpose
    ```python skip="reason"           not run, counted and listed
    ```python logs="regex"            DBOS logs warnings matching regex, by design
    ```python check=DBOS101,DBOS102   `dbos-skill check` reports exactly these codes on it (Incorrect examples)
    ```python unchecked               the checker cannot catch this mistake (Incorrect examples; listed)
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Optional, Union

from .model import Expectation

KINDS = ("raises", "runs-but-wrong", "warns", "skip")
_EXCEPTION_NAME = re.compile(r"^[A-Za-z_][\w.]*$")
_CHECK_CODES = re.compile(r"^DBOS\d{3}(,DBOS\d{3})*$")


def parse_expectation(attributes: str) -> Union[Expectation, str]:
    """Return the fence's Expectation, or a message saying what is wrong."""
    try:
        tokens = shlex.split(attributes)
    except ValueError as error:
        return f"cannot read fence attributes: {error}"
    kinds: list[str] = []
    exception = reason = logs = None
    removed_api = unchecked = False
    checks: tuple[str, ...] = ()
    for token in tokens:
        key, has_value, value = token.partition("=")
        if key == "raises":
            if not _EXCEPTION_NAME.match(value):
                return "`raises=` needs an exception class name, e.g. `raises=ValueError`"
            kinds.append(key)
            exception = value
        elif key == "skip":
            if not value.strip():
                return '`skip=` needs a reason, e.g. `skip="needs a GPU"`'
            kinds.append(key)
            reason = value.strip()
        elif key == "logs":
            try:
                re.compile(value)
            except re.error as error:
                return f"`logs=` needs a regular expression: {error}"
            if not value:
                return '`logs=` needs a pattern, e.g. `logs="retried"`'
            logs = value
        elif key == "check":
            if not _CHECK_CODES.match(value):
                return "`check=` needs checker codes, comma-separated, e.g. `check=DBOS101,DBOS110`"
            checks = tuple(value.split(","))
        elif key == "unchecked" and not has_value:
            unchecked = True
        elif key in ("runs-but-wrong", "warns", "removed-api") and not has_value:
            if key == "removed-api":
                removed_api = True
            else:
                kinds.append(key)
        else:
            return f"unknown fence attribute `{token}`; expected one of raises=, runs-but-wrong, warns, removed-api, skip=, logs=, check=, unchecked"
    if checks and unchecked:
        return "declare `check=` (the checker reports it) or `unchecked` (it cannot), not both"
    if len(kinds) > 1:
        return f"declare one outcome, not {len(kinds)}: {', '.join(kinds)}"
    kind = kinds[0] if kinds else "passes"
    return Expectation(kind=kind, exception=exception, reason=reason, removed_api=removed_api, logs=logs, checks=checks, unchecked=unchecked)


@dataclass(frozen=True)
class FenceProblem:
    """Why a fence's declaration cannot be run: a rule-file diagnostic code and message."""

    code: str
    message: str
    help: Optional[str] = None


def read_fence(label: Optional[str], attributes: str) -> Union[Expectation, FenceProblem]:
    """The fence's expectation, checked against its Incorrect/Correct label."""
    expectation = parse_expectation(attributes)
    if isinstance(expectation, str):
        return FenceProblem("R009", expectation)
    if label == "correct" and (expectation.removed_api or expectation.kind in ("raises", "runs-but-wrong", "warns") or expectation.checks or expectation.unchecked):
        return FenceProblem(
            "R009",
            f"a Correct example must run clean, but its fence declares `{attributes}`",
            "move the attributes to an Incorrect example, or relabel this one",
        )
    if label == "incorrect" and expectation.kind == "passes":
        return FenceProblem(
            "R010",
            "Incorrect example does not declare how its mistake shows",
            "add `raises=ExceptionName`, `runs-but-wrong` or `warns` after ```python",
        )
    return expectation
