"""What a step may not do, checked against dbos 3.4.0.

- Calling, starting or enqueuing a workflow inside a step fails the step (an AssertionError
  inside DBOS: a step has no workflow context to attach a child to).
- `DBOS.recv` inside a step raises DBOSException ("recv() must be called from within a workflow").
- `DBOS.send` inside a step is not recorded (only fenced on the workflow): a retried or
  recovered step sends again unless the message has an `idempotency_key`.
- A thread or executor that runs a workflow from a workflow or step starts it as a new
  top-level workflow with a fresh ID, so recovery starts it again.
"""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from .base import Check, Reporter
from .model import Function, Module, source_text

CHECKS = (
    Check("DBOS201", "workflow-in-step", "step-basics", "a step calls, starts or enqueues a workflow"),
    Check("DBOS202", "recv-in-step", "step-basics", "a step calls `DBOS.recv`"),
    Check("DBOS203", "workflow-in-thread", "step-basics", "a workflow or step runs a workflow in a thread or executor"),
    Check("DBOS210", "send-in-step-without-key", "comm-messages", "a step calls `DBOS.send` without an `idempotency_key`"),
)

STARTS = {
    "dbos.DBOS.start_workflow", "dbos.DBOS.start_workflow_async", "dbos.DBOS.enqueue_workflow", "dbos.DBOS.enqueue_workflow_async",
}
RECV = {"dbos.DBOS.recv", "dbos.DBOS.recv_async"}
SEND = {"dbos.DBOS.send", "dbos.DBOS.send_async"}
_EXECUTOR_METHODS = {"submit": 0, "map": 0, "run_in_executor": 1}


def workflow_argument(module: Module, node: Optional[ast.AST], scope: Function) -> Optional[Function]:
    """The workflow function of this module that an expression names (`wf`, `self.wf`, `Cls.wf`)."""
    if node is None:
        return None
    target = module.function_named(node, scope)
    return target if target is not None and target.role == "workflow" else None


# The last names of what _problems resolves: any other call can only be a call of a workflow function.
_NAMED = frozenset(q.rsplit(".", 1)[-1] for q in STARTS | RECV | SEND) | {"enqueue", "enqueue_async"}


def _problems(module: Module, body: Function) -> Iterator[tuple[str, ast.Call, str, str]]:
    """(code, call, what the call does, help) for each call of `body` that a step may not make."""
    for call in body.calls:
        func = call.func
        last = func.attr if func.__class__ is ast.Attribute else func.id if func.__class__ is ast.Name else None  # type: ignore[attr-defined]
        name = module.call_name(call, body) if last in _NAMED else None
        called = module.called_function(call, body)
        if called is not None and called.role == "workflow":
            yield ("DBOS201", call, f"calls workflow `{called.name}`",
                   "a workflow cannot run inside a step; call it from the workflow that calls this step, or make this function a workflow")
        elif name in STARTS or _is_queue_enqueue(module, call, name, body):
            what = name.rsplit(".", 1)[-1] if name else call.func.attr  # type: ignore[union-attr]
            yield ("DBOS201", call, f"starts a workflow with `{what}()`",
                   "start it from the workflow that calls this step, and pass the step what it needs")
        elif name in RECV:
            yield ("DBOS202", call, f"calls `DBOS.{name.rsplit('.', 1)[-1]}()`, which raises DBOSException outside a workflow",
                   "receive the message in the workflow, then pass it to the step")
        elif name in SEND and not any(k.arg in ("idempotency_key", None) for k in call.keywords):
            yield ("DBOS210", call, f"calls `DBOS.{name.rsplit('.', 1)[-1]}()` without `idempotency_key`: a send in a step is not checkpointed, so a retried or recovered step sends it again",
                   "pass `idempotency_key=` (for example built from `DBOS.workflow_id`), or send from the workflow, where the send is a checkpointed step")


def _is_queue_enqueue(module: Module, call: ast.Call, name: Optional[str], scope: Function) -> bool:
    if name in ("dbos.Queue().enqueue", "dbos.Queue().enqueue_async"):
        return True
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("enqueue", "enqueue_async")
        and bool(call.args)
        and workflow_argument(module, call.args[0], scope) is not None
    )


def run(module: Module) -> list:
    reporter = Reporter(module)
    for step in module.steps():
        _step(module, reporter, step)
    for function in module.functions:
        if function.role in ("workflow", "step", "transaction"):
            _threads(module, reporter, function)
    return reporter.findings


def _step(module: Module, reporter: Reporter, step: Function) -> None:
    kind = "transaction" if step.role == "transaction" else "step"
    for code, call, what, help in _problems(module, step):
        message = f"{kind} `{step.name}` {what}"
        if code == "DBOS201":
            message += ": DBOS fails the step"
        reporter.report(code, call, message, help)
    reported: set[tuple[int, str]] = set()
    for helper, entry, _caller in module.reachable(step):
        for code, call, what, help in _problems(module, helper):
            if (id(entry), code) in reported:
                continue
            reported.add((id(entry), code))
            callee = source_text(entry.func) if isinstance(entry.func, (ast.Name, ast.Attribute)) else helper.name
            reporter.report(code, entry, f"`{callee}()` {what} (line {call.lineno}), and {kind} `{step.name}` calls it", help)


def _threads(module: Module, reporter: Reporter, function: Function) -> None:
    kind = "workflow" if function.role == "workflow" else "step"
    for call in function.calls:
        target: Optional[ast.AST] = None
        func = call.func
        if func.__class__ is ast.Attribute and func.attr in _EXECUTOR_METHODS:  # type: ignore[attr-defined]
            name = None
        elif len(call.args) > 1 or call.keywords:  # threading.Thread(group, target) or Thread(target=...)
            name = module.call_name(call, function)
        else:
            continue
        if name == "threading.Thread":
            target = next((k.value for k in call.keywords if k.arg == "target"), call.args[1] if len(call.args) > 1 else None)
        elif isinstance(call.func, ast.Attribute) and call.func.attr in _EXECUTOR_METHODS:
            index = _EXECUTOR_METHODS[call.func.attr]
            target = call.args[index] if len(call.args) > index else None
        workflow = workflow_argument(module, target, function)
        if workflow is None:
            continue
        reporter.report(
            "DBOS203",
            call,
            f"{kind} `{function.name}` runs workflow `{workflow.name}` in a thread: it starts as a new top-level workflow, not a child, and starts again under a new ID when `{function.name}` is recovered",
            "start it with `DBOS.start_workflow(...)` (or enqueue it) from the workflow and wait on the handles",
        )
