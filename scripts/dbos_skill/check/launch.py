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
from typing import Iterator, Optional

from .base import Check, Reporter
from .model import Function, Module, is_main_guard

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
    _import_time(module, reporter)
    if "launch" not in module.source:
        return reporter.findings
    launchers = {f.name for f in module.top_functions.values() if f is not None and _calls_any(module, f, LAUNCH)}
    module_launch = _first_launch_anywhere(module)
    reported: set[int] = set()
    _block(module, reporter, module.tree.body, None, launchers, reported, module_level=module_launch)
    for function in module.functions:
        if isinstance(function.node, ast.Lambda):
            continue
        if _calls_any(module, function, LAUNCH) or any(_is_launcher_call(c, function, module, launchers) for c in function.calls):
            _block(module, reporter, function.node.body, function, launchers, reported)
    return reporter.findings


def _calls_any(module: Module, function: Function, names: set[str]) -> bool:
    return any(module.call_name(call, function) in names for call in function.calls)


def _first_launch_anywhere(module: Module) -> Optional[tuple[int, str]]:
    """Where the module launches DBOS outside module-level code: (line, in which function)."""
    for function in module.functions:
        for call in function.calls:
            if module.call_name(call, function) in LAUNCH:
                return call.lineno, function.name
    return None


def _block(
    module: Module,
    reporter: Reporter,
    body: list[ast.stmt],
    scope: Optional[Function],
    launchers: set[str],
    reported: set[int],
    module_level: Optional[tuple[int, str]] = None,
) -> None:
    launched_at: Optional[int] = None
    pending: list[tuple[ast.Call, str]] = []
    for stmt in body:
        calls = list(_statement_calls(module, stmt, scope))
        names = [name for _, name in calls]
        if launched_at is not None:
            for call, name in calls:
                if name in BEFORE_LAUNCH and id(call) not in reported:
                    reported.add(id(call))
                    reporter.report(
                        "DBOS402",
                        call,
                        f"{BEFORE_LAUNCH[name]}, and `DBOS.launch()` already ran on line {launched_at}",
                        "move it before `DBOS.launch()`",
                    )
            for decorated in _alert_handlers(module, stmt, scope):
                if id(decorated) not in reported:
                    reported.add(id(decorated))
                    reporter.report("DBOS402", decorated, f"{BEFORE_LAUNCH['dbos.DBOS.alert_handler']}, and `DBOS.launch()` already ran on line {launched_at}", "define the handler before `DBOS.launch()`")
        launch_call = next((call for call, name in calls if name in LAUNCH or _is_launcher_call(call, scope, module, launchers)), None)
        destroys = any(name in DESTROY for name in names)
        if launch_call is None:
            pending.extend((call, name) for call, name in calls if _needs_launch(module, call, name, scope))
            if destroys:
                pending.clear()
                launched_at = None
            continue
        for call, name in pending:
            if id(call) in reported:
                continue
            reported.add(id(call))
            reporter.report(
                "DBOS401",
                call,
                f"`{_shown(call)}()` runs before `DBOS.launch()` (line {launch_call.lineno}): until launch it raises DBOSException",
                "move it after `DBOS.launch()`",
            )
        pending.clear()
        launched_at = launch_call.lineno
        if destroys:
            launched_at = None
    for stmt in body:
        for inner in _nested_blocks(stmt):
            _block(module, reporter, inner, scope, launchers, reported)
    if module_level is not None and scope is None:
        line, where = module_level
        for call, name in pending:
            if id(call) in reported:
                continue
            reported.add(id(call))
            reporter.report(
                "DBOS401",
                call,
                f"`{_shown(call)}()` runs at import time, before `DBOS.launch()` (line {line}, in `{where}`): until launch it raises DBOSException",
                "move it after `DBOS.launch()`, into the code that launches DBOS",
            )


def _nested_blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    for field in ("body", "orelse", "finalbody"):
        inner = getattr(stmt, field, None)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
            yield inner
    for handler in getattr(stmt, "handlers", None) or []:
        yield handler.body
    for case in getattr(stmt, "cases", None) or []:
        yield case.body


def _shown(call: ast.Call) -> str:
    return ast.unparse(call.func) if isinstance(call.func, (ast.Name, ast.Attribute)) else "call"


def _needs_launch(module: Module, call: ast.Call, name: Optional[str], scope: Optional[Function]) -> bool:
    if name in NEEDS_LAUNCH:
        return True
    called = module.called_function(call, scope) if scope is not None or isinstance(call.func, ast.Name) else None
    return called is not None and called.role == "workflow"


def _is_launcher_call(call: ast.Call, scope: Optional[Function], module: Module, launchers: set[str]) -> bool:
    called = module.called_function(call, scope)
    return called is not None and called.name in launchers and called.cls is None


def _statement_calls(module: Module, stmt: ast.stmt, scope: Optional[Function]) -> Iterator[tuple[ast.Call, Optional[str]]]:
    """The calls a statement makes when it runs (not those of functions or classes it defines), in order."""
    stack: list[ast.AST] = [stmt]
    found: list[ast.Call] = []
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(node.decorator_list)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    found.sort(key=lambda c: (c.lineno, c.col_offset))
    for call in found:
        yield call, module.call_name(call, scope)


def _alert_handlers(module: Module, stmt: ast.stmt, scope: Optional[Function]) -> Iterator[ast.AST]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for decorator in stmt.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if module.qualname(target, scope) == "dbos.DBOS.alert_handler":
                yield decorator


def _import_time(module: Module, reporter: Reporter) -> None:
    """DBOS403: `DBOS(...)` or `DBOS.launch()` in module-level code outside `if __name__ == "__main__":`."""
    for stmt in module.tree.body:
        if is_main_guard(stmt):
            continue
        for call, name in _statement_calls(module, stmt, None):
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
