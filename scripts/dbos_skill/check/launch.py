"""Launch order, checked against dbos 3.4.0.

Before `DBOS.launch()`, everything that touches the system database raises
DBOSException ("System database accessed before DBOS was launched"): registering
or retrieving queues, creating schedules, starting, enqueuing or calling workflows,
sending messages. After it, `DBOS.listen_queues`, datasource creation and
`@DBOS.alert_handler` raise DBOSException.

Order is judged only where it is certain: statements of one block run in order, so a
call in a statement before the block's `DBOS.launch()` runs before launch (unless a
`DBOS.destroy()` lies between). Module-level statements run at import, before any
function of the module that launches DBOS can have been called.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from typing import Iterator, Optional

from .base import Check, Reporter
from .model import Function, Module, is_main_guard, nested_blocks, source_text

CHECKS = (
    Check("DBOS401", "used-before-launch", "lifecycle-launch", "a queue, schedule, workflow or message call runs before `DBOS.launch()`"),
    Check("DBOS402", "configured-after-launch", "lifecycle-launch", "`DBOS.listen_queues`, a datasource or an alert handler is set up after `DBOS.launch()`"),
    Check("DBOS403", "dbos-at-import", "lifecycle-config", "`DBOS(...)` or `DBOS.launch()` runs at import time (not in the default selection)", default=False),
)

LAUNCH = {"dbos.DBOS.launch"}
DESTROY = {"dbos.DBOS.destroy"}
NEEDS_LAUNCH = {
    f"dbos.DBOS.{m}{suffix}"
    for m in (
        "register_queue", "retrieve_queue", "create_schedule", "apply_schedules", "enqueue_workflow", "start_workflow",
        "send", "list_workflows", "list_queued_workflows", "retrieve_workflow", "set_event", "get_event",
    )
    for suffix in ("", "_async")
}
BEFORE_LAUNCH = {
    "dbos.DBOS.listen_queues": "`DBOS.listen_queues()` raises DBOSException after launch",
    "dbos.SQLAlchemyDatasource.create": "a datasource cannot be created after launch (DBOSException)",
    "dbos.AsyncSQLAlchemyDatasource.create": "a datasource cannot be created after launch (DBOSException)",
    "dbos.DBOS.alert_handler": "`@DBOS.alert_handler` raises DBOSException after launch",
}


def run(module: Module) -> list:
    reporter = Reporter(module)
    if module.wants("DBOS403"):
        _import_time(module, reporter)
    launching = [scope for _, scope, _ in module.calls_to(*LAUNCH)]
    if not launching:
        return reporter.findings
    launchers = {f.name for f in launching if f is not None and f.parent is None and f.cls is None and module.top_functions.get(f.name) is f}
    first = next((s for s in launching if s is not None), None)
    module_launch = (next(c.lineno for c in first.calls if module.call_name(c, first) in LAUNCH), first.name) if first is not None else None
    reported: set[int] = set()
    # Only a call that must come before or after launch can be out of order: without one, nothing to judge.
    workflows = [f.name for f in module.workflows() if f.parent is None and f.cls is None]
    candidates = {scope for _, scope, _ in module.calls_to(*_ORDERED)}
    candidates |= {scope for name in workflows for _, scope in module.calls_by_name.get(name, ())}
    candidates |= {f.parent for f in module.functions if "dbos.DBOS.alert_handler" in f.decorators}
    if None in candidates:
        _block(module, reporter, module.tree.body, _sorted_calls(module, module.module_calls, None), None, launchers, reported, module_level=module_launch)
    blocks = {id(s): s for s in launching if s is not None}
    for name in launchers:
        for _, scope in module.calls_by_name.get(name, ()):
            if scope is not None:
                blocks[id(scope)] = scope
    for function in blocks.values():
        if function in candidates and not isinstance(function.node, ast.Lambda):
            _block(module, reporter, function.node.body, _sorted_calls(module, function.calls, function), function, launchers, reported)
    return reporter.findings


_ORDERED = tuple(sorted(NEEDS_LAUNCH | set(BEFORE_LAUNCH)))


Located = list[tuple[ast.Call, Optional[str]]]


def _sorted_calls(module: Module, calls: list[ast.Call], scope: Optional[Function]) -> Located:
    """A scope's own calls (not those of functions it defines), in source order."""
    return sorted(((c, module.call_name(c, scope)) for c in calls), key=lambda item: (item[0].lineno, item[0].col_offset))


def _start(stmt: ast.stmt) -> tuple[int, int]:
    decorators = getattr(stmt, "decorator_list", None)
    if decorators:
        first = min(decorators, key=lambda d: (d.lineno, d.col_offset))
        return (first.lineno, first.col_offset - 1)
    return (stmt.lineno, stmt.col_offset)


def _split(body: list[ast.stmt], calls: Located) -> list[Located]:
    """The calls of each statement of a block, by source position (statements of a block never overlap)."""
    starts = [_start(stmt) for stmt in body]
    per_statement: list[Located] = [[] for _ in body]
    for call, name in calls:
        position = (call.lineno, call.col_offset)
        index = bisect_right(starts, position) - 1
        if index >= 0 and position <= (body[index].end_lineno, body[index].end_col_offset):
            per_statement[index].append((call, name))
    return per_statement


def _block(
    module: Module,
    reporter: Reporter,
    body: list[ast.stmt],
    block_calls: Located,
    scope: Optional[Function],
    launchers: set[str],
    reported: set[int],
    module_level: Optional[tuple[int, str]] = None,
) -> None:
    """Judge one block's statements in order; then the nested blocks of statements that launch DBOS.

    A nested block without a launch of its own needs no second look: the calls in it are
    already ordered against the enclosing block's launch by the statement that holds them."""
    launched_at: Optional[int] = None
    pending: Located = []
    per_statement = _split(body, block_calls)
    for stmt, calls in zip(body, per_statement):
        names = [name for _, name in calls]
        if launched_at is not None:
            for call, name in calls:
                if name in BEFORE_LAUNCH:
                    _report_once(
                        reporter,
                        reported,
                        "DBOS402",
                        call,
                        f"{BEFORE_LAUNCH[name]}, and `DBOS.launch()` already ran on line {launched_at}",
                        "move it before `DBOS.launch()`",
                    )
            for decorated in _alert_handlers(module, stmt, scope):
                _report_once(
                    reporter,
                    reported,
                    "DBOS402",
                    decorated,
                    f"{BEFORE_LAUNCH['dbos.DBOS.alert_handler']}, and `DBOS.launch()` already ran on line {launched_at}",
                    "define the handler before `DBOS.launch()`",
                )
        launch_call = next((call for call, name in calls if name in LAUNCH or (launchers and _is_launcher_call(call, scope, module, launchers))), None)
        destroys = any(name in DESTROY for name in names)
        if launch_call is None:
            pending.extend((call, name) for call, name in calls if _needs_launch(module, call, name, scope))
            if destroys:
                pending.clear()
                launched_at = None
            continue
        for call, _ in pending:
            _report_once(
                reporter,
                reported,
                "DBOS401",
                call,
                f"`{_shown(call)}()` runs before `DBOS.launch()` (line {launch_call.lineno}): until launch it raises DBOSException",
                "move it after `DBOS.launch()`",
            )
        pending.clear()
        launched_at = launch_call.lineno
        if destroys:
            launched_at = None
    for stmt, calls in zip(body, per_statement):
        if any(name in LAUNCH or (launchers and _is_launcher_call(call, scope, module, launchers)) for call, name in calls):
            for inner in nested_blocks(stmt):
                span = (_start(inner[0]), (inner[-1].end_lineno, inner[-1].end_col_offset))
                inside = [(c, n) for c, n in calls if span[0] <= (c.lineno, c.col_offset) <= span[1]]
                if inside:
                    _block(module, reporter, inner, inside, scope, launchers, reported)
    if module_level is not None and scope is None:
        line, where = module_level
        for call, _ in pending:
            _report_once(
                reporter,
                reported,
                "DBOS401",
                call,
                f"`{_shown(call)}()` runs at import time, before `DBOS.launch()` (line {line}, in `{where}`): until launch it raises DBOSException",
                "move it after `DBOS.launch()`, into the code that launches DBOS",
            )


def _report_once(reporter: Reporter, reported: set[int], code: str, node: ast.AST, message: str, help_text: str) -> None:
    """One finding per node, however many blocks see it (a nested block is judged again when it launches)."""
    if id(node) in reported:
        return
    reported.add(id(node))
    reporter.report(code, node, message, help_text)


def _shown(call: ast.Call) -> str:
    return source_text(call.func) if isinstance(call.func, (ast.Name, ast.Attribute)) else "call"


def _needs_launch(module: Module, call: ast.Call, name: Optional[str], scope: Optional[Function]) -> bool:
    if name in NEEDS_LAUNCH:
        return True
    if name is not None:
        return False  # resolved to something that is not a function of this module
    called = module.called_function(call, scope) if scope is not None or isinstance(call.func, ast.Name) else None
    return called is not None and called.role == "workflow"


def _is_launcher_call(call: ast.Call, scope: Optional[Function], module: Module, launchers: set[str]) -> bool:
    called = module.called_function(call, scope)
    return called is not None and called.name in launchers and called.cls is None


def _alert_handlers(module: Module, stmt: ast.stmt, scope: Optional[Function]) -> Iterator[ast.AST]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for decorator in stmt.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if module.qualname(target, scope) == "dbos.DBOS.alert_handler":
                yield decorator


def _import_time(module: Module, reporter: Reporter) -> None:
    """DBOS403: `DBOS(...)` or `DBOS.launch()` in module-level code outside `if __name__ == "__main__":`."""
    found = [(call, name) for call, scope, name in module.calls_to("dbos.DBOS", *LAUNCH) if scope is None]
    if not found:
        return
    guards = [(stmt.lineno, stmt.end_lineno) for stmt in module.tree.body if is_main_guard(stmt)]
    for call, name in sorted(found, key=lambda item: (item[0].lineno, item[0].col_offset)):
        if any(first <= call.lineno <= last for first, last in guards):
            continue
        if name == "dbos.DBOS" and call.keywords:
            reporter.report(
                "DBOS403",
                call,
                "`DBOS(...)` runs at import time: every test, script or worker that imports this module builds DBOS with this configuration",
                'construct and launch DBOS in the entry point: under `if __name__ == "__main__":`, in `main()`, or in the web app\'s lifespan',
            )
        elif name in LAUNCH:
            reporter.report(
                "DBOS403",
                call,
                "`DBOS.launch()` runs at import time: importing this module starts DBOS, its recovery and its queue workers",
                'launch in the entry point: under `if __name__ == "__main__":`, in `main()`, or in the web app\'s lifespan',
            )
