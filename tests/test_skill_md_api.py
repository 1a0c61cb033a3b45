"""SKILL.md's critical rules name only APIs the installed dbos has, and the ones they call gone are gone.

Every inline code span of the "Critical rules" section is classified: a DBOS
method (with the keywords it shows), a name importable from dbos, a DBOSConfig
key, an import statement, or plain Python that names no dbos API (listed in
PYTHON_SPANS). A span that fits none fails the test, so a new rule cannot name
an API nobody checked.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import dbos
import pytest
from dbos import DBOS

from conftest import REPO

PYTHON_SPANS = {"__main__", "async def", "except:", "except BaseException", "BaseException", '"local"', "_async", "RuntimeError"}
GONE_BULLET = "Gone in 3.x"
_SPAN = re.compile(r"`([^`]+)`")
_NO_MODULE = re.compile(r"no `([\w.]+)` module")
_CALL = re.compile(r"^@?(?P<owner>DBOS)?\.?(?P<name>\w+)(?:\((?P<args>[^)]*)\))?$")


def critical_rules() -> list[str]:
    """The bullets of SKILL.md's "Critical rules" section, each joined onto one line."""
    text = (REPO / "SKILL.md").read_text()
    section = text.split("## Critical rules", 1)[1].split("\n## ", 1)[0]
    return [" ".join(bullet.split()) for bullet in re.split(r"\n- ", "\n" + section.strip())[1:]]


def keywords(args: str | None) -> list[str]:
    return [part.split("=", 1)[0].strip() for part in (args or "").split(",") if "=" in part]


def resolve(span: str) -> object:
    """The dbos object a span names; raises LookupError when it names nothing in dbos."""
    if span.startswith("from dbos import "):
        namespace: dict[str, object] = {}
        exec(span, namespace)
        return namespace[span.rsplit(" ", 1)[1]]
    match = _CALL.match(span.removeprefix("with ").removesuffix(":"))
    if match is None:
        raise LookupError(span)
    name, args = match.group("name"), match.group("args")
    if match.group("owner"):
        if not hasattr(DBOS, name):
            raise LookupError(span)
        target = getattr(DBOS, name)
        accepted = inspect.signature(target).parameters
        missing = [k for k in keywords(args) if k not in accepted]
        if missing:
            raise LookupError(f"{span}: no parameter {missing}")
        return target
    if args is not None and name == "DBOS":
        accepted = inspect.signature(DBOS.__init__).parameters
        if any(k not in accepted for k in keywords(args)):
            raise LookupError(span)
        return DBOS
    if hasattr(dbos, name):
        return getattr(dbos, name)
    if name in dbos.DBOSConfig.__annotations__:
        return name
    if hasattr(DBOS, name) or hasattr(dbos.WorkflowHandle, name):
        return name
    raise LookupError(span)


def spans(bullet: str) -> list[str]:
    """The spans that name a dbos API (not plain Python, not a module the rule says is absent)."""
    absent = set(_NO_MODULE.findall(bullet))
    return [s for s in _SPAN.findall(bullet) if s not in PYTHON_SPANS | absent]


CURRENT = [(b, s) for b in critical_rules() if not b.startswith(GONE_BULLET) for s in spans(b)]


@pytest.mark.parametrize("bullet, span", CURRENT, ids=[s for _, s in CURRENT])
def test_each_api_a_critical_rule_names_exists_in_the_installed_dbos(bullet: str, span: str) -> None:
    resolve(span)


ABSENT = [m for b in critical_rules() for m in _NO_MODULE.findall(b)]


@pytest.mark.parametrize("module", ABSENT)
def test_a_module_the_critical_rules_call_absent_does_not_import(module: str) -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(module)


def test_what_the_critical_rules_call_gone_is_gone_and_its_replacement_exists() -> None:
    [bullet] = [b for b in critical_rules() if b.startswith(GONE_BULLET)]
    gone, replacements = [], []
    for span in spans(bullet):
        try:
            resolve(span)
            replacements.append(span)
        except LookupError:
            gone.append(span)
    assert set(gone) == {"@DBOS.transaction", "DBOS.sql_session", "@DBOS.scheduled", "DBOS(fastapi=...)", "application_database_url"}
    # Queue survives as a class that refuses construction: its replacement is DBOS.register_queue.
    assert "Queue(...)" in replacements
    with pytest.raises(dbos.error.DBOSException):
        dbos.Queue("orders")
    assert {"SQLAlchemyDatasource", "DBOS.apply_schedules", "DBOS.register_queue"} <= set(replacements)
