"""Queue names: enqueuing on a queue that no file of the project registers.

In dbos 3.4.0 `DBOS.enqueue_workflow("typo", ...)` succeeds, and the workflow stays
ENQUEUED: no worker dequeues a queue that was never registered, and
`DBOS.retrieve_queue("typo")` returns None. The check runs over all checked files
together, and only when it can see every registration: at least one, all named by
string literals (or module constants). Otherwise it stays silent.

The checked files may be a few files of a larger project (the pre-commit hook passes
only the staged ones). So before a name is judged unregistered, the engine reads the
other files of the project each such file belongs to (`undecided`, `OUTSIDE_HINTS`,
`collect_outside`): only their registrations count, and a file there that may register
a queue but cannot be read makes the check stay silent.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Optional

from .base import Check, Reporter
from .model import Module

CHECKS = (Check("DBOS501", "unregistered-queue", "queue-basics", "a workflow is enqueued on a queue name that no file of the project registers"),)

USES = {
    "dbos.DBOS.enqueue_workflow": "enqueues on",
    "dbos.DBOS.enqueue_workflow_async": "enqueues on",
    "dbos.DBOS.retrieve_queue": "looks up",
    "dbos.DBOS.retrieve_queue_async": "looks up",
}
REGISTRATIONS = {"register_queue", "register_queue_async"}


@dataclass
class Project:
    registered: set[str] = field(default_factory=set)
    unknown_registration: bool = False
    uses: list[tuple[Reporter, ast.Call, str, str]] = field(default_factory=list)


def new_state() -> Project:
    return Project()


def collect(module: Module, project: Project) -> None:
    reporter: Optional[Reporter] = None
    collect_outside(module, project)
    for call, scope, name in sorted(module.calls_to(*USES, "dbos.DBOS.create_schedule", "dbos.DBOS.create_schedule_async"), key=lambda c: (c[0].lineno, c[0].col_offset)):
        if name in USES:
            queue = _first_argument(module, call, keyword="queue_name" if "enqueue" in name else "name")
            verb = USES[name]
        else:
            keyword = next((k for k in call.keywords if k.arg == "queue_name"), None)
            queue = module.string_value(keyword.value) if keyword is not None else None
            verb = "schedules workflows on"
        if queue is not None:
            reporter = reporter or Reporter(module)
            project.uses.append((reporter, call, queue, verb))


def collect_outside(module: Module, project: Project) -> None:
    """The queues a module registers (a checked file, or another file of its project)."""
    registrations = [(c, scope) for key in REGISTRATIONS for c, scope in module.calls_by_name.get(key, ()) if isinstance(c.func, ast.Attribute)]
    registrations += [(c, scope) for c, scope, _ in module.calls_to("dbos.Queue")]
    for call, scope in registrations:
        queue = _first_argument(module, call)
        if queue is None:
            project.unknown_registration = True
        else:
            project.registered.add(queue)


# A file whose bytes hold neither cannot register a queue: the other files of a project are parsed only with one.
OUTSIDE_HINTS = (b"register_queue", b"Queue")


def undecided(project: Project) -> set[str]:
    """The checked files (display paths) that use a queue name no checked file registers: before judging them,
    the engine reads the rest of their projects for registrations."""
    if project.unknown_registration:
        return set()
    return {reporter.module.path for reporter, _, queue, _ in project.uses if queue not in project.registered}


def abandon(project: Project) -> None:
    """A file could not be fully read: a registration may be missing, so judge no queue name."""
    project.unknown_registration = True


def _first_argument(module: Module, call: ast.Call, keyword: str = "name") -> Optional[str]:
    if call.args:
        return module.string_value(call.args[0])
    for k in call.keywords:
        if k.arg == keyword:
            return module.string_value(k.value)
    return None


def finish(project: Project) -> list:
    if not project.registered or project.unknown_registration:
        return []
    known = ", ".join(f"`{q}`" for q in sorted(project.registered))
    findings = []
    for reporter, call, queue, verb in project.uses:
        if queue in project.registered:
            continue
        before = len(reporter.findings)
        reporter.report(
            "DBOS501",
            call,
            f"this {verb} queue `{queue}`, which no file of the project registers: workflows enqueued there stay ENQUEUED, since no worker dequeues it",
            f"register it after launch with `DBOS.register_queue(\"{queue}\", ...)`, or use a registered queue ({known})",
        )
        findings.extend(reporter.findings[before:])
    return findings
