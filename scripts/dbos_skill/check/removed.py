"""APIs that DBOS 3.x removed or deprecated, checked against dbos 3.4.0.

- `Queue(...)` raises DBOSException: queues are rows made by `DBOS.register_queue` after launch.
- `DBOS.transaction`, `DBOS.sql_session`, `DBOS.scheduled`, `DBOS.register_instance` are gone (AttributeError).
- `DBOS(fastapi=...)` / `DBOS(flask=...)` raise TypeError: `__new__` takes only config, conductor_url, conductor_key.
- Config keys `database_url` and `application_database_url` raise DBOSInitializationError; `run_admin_server`
  and `admin_port` are ignored: 3.x has no admin server.
- `register_queue(priority_enabled=...)` and `(partition_queue=...)` raise TypeError: every queue is a priority
  queue, and any partition limit makes a queue partitioned.
- `register_queue(concurrency=...)` is deprecated for `global_concurrency=` (same meaning).
- The `enable_patching` config key is deprecated (DBOS logs a warning): it only pins the application version to
  "PATCHING_ENABLED", which `application_version` does explicitly.
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from typing import Iterator, Optional

from .base import Check, Reporter
from .edits import argument_spans, delete_item, dict_entry_spans
from .finding import Edit
from .model import DBOS, Function, Module

CHECKS = (
    Check("DBOS001", "queue-constructed", "advanced-upgrading-v3", "a `Queue(...)` is constructed directly (removed in 3.x)"),
    Check("DBOS002", "removed-dbos-attribute", "advanced-upgrading-v3", "`DBOS.transaction`, `DBOS.sql_session`, `DBOS.scheduled` or `DBOS.register_instance` (removed in 3.x)"),
    Check("DBOS003", "removed-dbos-argument", "advanced-upgrading-v3", "`DBOS(fastapi=...)` or `DBOS(flask=...)` (removed in 3.x)"),
    Check("DBOS004", "removed-config-key", "advanced-upgrading-v3", "a DBOSConfig key that 3.x removed (`database_url`, `application_database_url`, admin server keys)"),
    Check("DBOS005", "priority-enabled", "advanced-upgrading-v3", "`priority_enabled=` on a queue (removed: every queue has priorities)", fixable=True),
    Check("DBOS006", "partition-queue", "queue-partitioning", "`partition_queue=` on a queue (removed: a partition limit makes a queue partitioned)"),
    Check("DBOS007", "queue-concurrency", "advanced-upgrading-v3", "`concurrency=` on `register_queue` (deprecated: `global_concurrency=`)", fixable=True),
    Check("DBOS008", "enable-patching", "advanced-upgrading-v3", "the `enable_patching` config key (deprecated)", fixable=True),
)

REMOVED_ATTRIBUTES = {
    "transaction": (
        "`DBOS.transaction` was removed in DBOS 3",
        "create a datasource with `SQLAlchemyDatasource.create(url)` before launch and decorate with `@ds.transaction()`",
    ),
    "sql_session": (
        "`DBOS.sql_session` was removed in DBOS 3",
        "inside a `@ds.transaction()` function, call `ds.sql_session()` on the datasource",
    ),
    "scheduled": (
        "`DBOS.scheduled` was removed in DBOS 3",
        "after launch, call `DBOS.apply_schedules([...])` (or `DBOS.create_schedule`); the workflow takes `(scheduled_time, context)`",
    ),
    "register_instance": (
        "`DBOS.register_instance` was removed in DBOS 3",
        "subclass `DBOSConfiguredInstance` and pass a unique `config_name` to its constructor, before launch",
    ),
}
REMOVED_CONFIG_KEYS = {
    "database_url": ("DBOS 3 rejects it with DBOSInitializationError", "put DBOS's own tables in `system_database_url`; reach your tables through `SQLAlchemyDatasource.create(url)`"),
    "application_database_url": ("DBOS 3 rejects it with DBOSInitializationError", "create a datasource with `SQLAlchemyDatasource.create(url)` for your tables"),
    "run_admin_server": ("DBOS 3 has no admin server and ignores it", "remove it; manage workflows with `DBOSClient`, the `dbos workflow` CLI or Conductor"),
    "admin_port": ("DBOS 3 has no admin server and ignores it", "remove it; manage workflows with `DBOSClient`, the `dbos workflow` CLI or Conductor"),
}
REGISTER_QUEUE = frozenset({"dbos.DBOS.register_queue", "dbos.DBOS.register_queue_async", "dbos.DBOSClient().register_queue", "dbos.DBOSClient().register_queue_async"})


def run(module: Module) -> list:
    reporter = Reporter(module)
    _attributes(module, reporter)
    configs: list[tuple[ast.AST, Optional[Function]]] = []
    for call, scope, name in sorted(module.calls_to("dbos.Queue", DBOS, *REGISTER_QUEUE, "dbos.DBOSConfig"), key=lambda c: (c[0].lineno, c[0].col_offset)):
        if name == "dbos.Queue":
            reporter.report(
                "DBOS001",
                call,
                "`Queue(...)` raises DBOSException in DBOS 3: queues are no longer constructed",
                "after `DBOS.launch()`, declare it with `DBOS.register_queue(name, ...)`; elsewhere look it up with `DBOS.retrieve_queue(name)`",
            )
            _queue_keywords(module, reporter, call)
        elif name == DBOS:
            _dbos_constructor(reporter, call, configs, scope)
        elif name in REGISTER_QUEUE:
            _queue_keywords(module, reporter, call)
            _queue_concurrency(module, reporter, call)
        elif name == "dbos.DBOSConfig":
            for keyword in call.keywords:
                if keyword.arg is not None:
                    _config_key(module, reporter, keyword, keyword.arg, None)
    if module.key_lines:  # some dict literal has a removed or deprecated key (model.WANTED_KEYS)
        seen: set[int] = set()
        for literal in _config_dicts(module, configs):
            if id(literal) in seen:
                continue
            seen.add(id(literal))
            entries = {k.value: v for k, v in zip(literal.keys, literal.values) if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            for key in literal.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and not _harmless(key.value, entries):
                    _config_key(module, reporter, key, key.value, literal)
    return reporter.findings


def _attributes(module: Module, reporter: Reporter) -> None:
    scopes: list[tuple[list[ast.Attribute], Optional[Function]]] = [(module.module_attributes, None)]
    scopes += [(f.attributes, f) for f in module.functions if f.attributes]
    for attributes, scope in scopes:
        for attribute in attributes:
            if attribute.attr in REMOVED_ATTRIBUTES and module.qualname(attribute.value, scope) == DBOS:
                message, help = REMOVED_ATTRIBUTES[attribute.attr]
                reporter.report("DBOS002", attribute, message, help)


def _dbos_constructor(reporter: Reporter, call: ast.Call, configs: list, scope: Optional[Function]) -> None:
    for keyword in call.keywords:
        if keyword.arg in ("fastapi", "flask"):
            reporter.report(
                "DBOS003",
                keyword,
                f"`DBOS({keyword.arg}=...)` raises TypeError in DBOS 3: DBOS no longer launches with the web app",
                "drop the argument and call `DBOS.launch()` yourself at startup (in a FastAPI app, from its lifespan)",
            )
        elif keyword.arg == "config":
            configs.append((keyword.value, scope))


def _queue_keywords(module: Module, reporter: Reporter, call: ast.Call) -> None:
    for keyword in call.keywords:
        if keyword.arg == "priority_enabled":
            edit = delete_item(module, argument_spans(module, call), keyword)
            reporter.report(
                "DBOS005",
                keyword,
                "`priority_enabled=` was removed in DBOS 3: every queue honours priorities",
                "remove the argument; set a priority per enqueue with `SetEnqueueOptions(priority=...)`",
                fix=[edit] if edit else (),
            )
        elif keyword.arg == "partition_queue":
            reporter.report(
                "DBOS006",
                keyword,
                "`partition_queue=` was removed in DBOS 3: a queue is partitioned by its partition limits",
                "set `partition_concurrency=`, `partition_worker_concurrency=` or `partition_limiter=` instead",
            )


def _queue_concurrency(module: Module, reporter: Reporter, call: ast.Call) -> None:
    names = {k.arg for k in call.keywords}
    for keyword in call.keywords:
        if keyword.arg != "concurrency":
            continue
        fix = ()
        if "global_concurrency" not in names and None not in names:
            line, col = keyword.lineno, module.char_col(keyword.lineno, keyword.col_offset)
            fix = (Edit(line, col, line, col + len("concurrency"), "global_concurrency"),)
        reporter.report(
            "DBOS007",
            keyword,
            "`concurrency=` is deprecated: it is the queue's global limit, now named `global_concurrency=`",
            "rename it to `global_concurrency=`",
            fix=fix,
        )


def _config_dicts(module: Module, configs: list[tuple[ast.AST, Optional[Function]]]) -> Iterator[ast.Dict]:
    """Dict literals that are DBOS configurations: passed to DBOS(config=...), annotated DBOSConfig, or returned as one."""
    names: set[str] = set()
    for value, scope in configs:
        if isinstance(value, ast.Dict):
            yield value
        elif isinstance(value, ast.Name):
            names.add(value.id)
    if not names and not _imported_anywhere(module, ("dbos.DBOSConfig", "dbos")):
        return  # nothing else can be a DBOS config here: no DBOSConfig annotation, no DBOS(config=name)
    for stmt, returns_config in _statements_with_context(module):
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.value, ast.Dict):
            if _is_dbos_config_annotation(module, stmt.annotation) or (isinstance(stmt.target, ast.Name) and stmt.target.id in names):
                yield stmt.value
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Dict):
            if any(isinstance(t, ast.Name) and t.id in names for t in stmt.targets):
                yield stmt.value
        elif returns_config and isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Dict):
            yield stmt.value


def _statements_with_context(module: Module) -> Iterator[tuple[ast.stmt, bool]]:
    """The statements that span a line with a config key of a dict literal (and their enclosing ones), with
    whether their function returns a DBOSConfig: only those can hold a config dict with such a key."""
    lines = sorted(set(module.key_lines))

    def spans_key(stmt: ast.stmt) -> bool:
        index = bisect_left(lines, stmt.lineno)
        return index < len(lines) and lines[index] <= (stmt.end_lineno or stmt.lineno)

    stack: list[tuple[ast.stmt, bool]] = [(stmt, False) for stmt in module.tree.body if spans_key(stmt)]
    while stack:
        stmt, returns_config = stack.pop()
        yield stmt, returns_config
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            returns_config = stmt.returns is not None and _is_dbos_config_annotation(module, stmt.returns)
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                stack.extend((s, returns_config) for s in inner if isinstance(s, ast.stmt) and spans_key(s))
        for handler in getattr(stmt, "handlers", None) or []:
            stack.extend((s, returns_config) for s in handler.body if spans_key(s))
        for case in getattr(stmt, "cases", None) or []:
            stack.extend((s, returns_config) for s in case.body if spans_key(s))


def _harmless(key: str, entries: dict) -> bool:
    """Removed keys whose value asks for what 3.x does anyway: no admin server, no application database."""
    value = entries.get(key)
    off = isinstance(value, ast.Constant) and value.value in (None, False, "")
    if key in ("database_url", "application_database_url", "run_admin_server"):
        return off
    if key == "admin_port":
        server = entries.get("run_admin_server")
        return isinstance(server, ast.Constant) and server.value is False
    return False


def _imported_anywhere(module: Module, targets: tuple[str, ...]) -> bool:
    """Some import, at module level or in a function, binds one of `targets`."""
    return any(t in module.imports.values() for t in targets) or any(
        t in function.imports.values() for function in module.functions if function.imports for t in targets
    )


def _config_name(module: Module, name: str) -> bool:
    """`DBOSConfig` names dbos.DBOSConfig: imported at module level, or only ever imported from dbos in functions."""
    if module.imports.get(name) == "dbos.DBOSConfig":
        return True
    if name in module.imports or name in module.instances or name in module._module_counts:
        return False
    bound = [f.imports[name] for f in module.functions if name in f.imports]
    return bool(bound) and all(b == "dbos.DBOSConfig" for b in bound)


def _is_dbos_config_annotation(module: Module, annotation: ast.AST) -> bool:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value == "dbos.DBOSConfig" or (annotation.value == "DBOSConfig" and _config_name(module, "DBOSConfig"))
    if isinstance(annotation, ast.Name):
        return _config_name(module, annotation.id)
    return module.qualname(annotation) == "dbos.DBOSConfig"


def _config_key(module: Module, reporter: Reporter, node: ast.AST, key: str, literal: Optional[ast.Dict]) -> None:
    if key in REMOVED_CONFIG_KEYS:
        consequence, help = REMOVED_CONFIG_KEYS[key]
        reporter.report("DBOS004", node, f"config key `{key}` was removed in DBOS 3: {consequence}", help)
    elif key == "enable_patching":
        fix = _enable_patching_fix(module, reporter, node, literal) if literal is not None else None
        reporter.report(
            "DBOS008",
            node,
            "`enable_patching` is deprecated: `DBOS.patch()` no longer needs it, and DBOS warns at startup",
            'remove it; it only pinned the application version to "PATCHING_ENABLED": set `application_version` to keep that',
            fix=fix or (),
        )


def _enable_patching_fix(module: Module, reporter: Reporter, key: ast.AST, literal: ast.Dict):
    """`"enable_patching": True` becomes `"application_version": "PATCHING_ENABLED"`, which is what it did."""
    value = literal.values[literal.keys.index(key)]
    keys = {k.value for k in literal.keys if isinstance(k, ast.Constant)}
    if None in literal.keys or not isinstance(value, ast.Constant) or value.value not in (True, False):
        return None
    if value.value is False or "application_version" in keys:
        edit = delete_item(module, dict_entry_spans(module, literal), key)
        return [edit] if edit else None
    quote = (module.line_text(key.lineno)[module.char_col(key.lineno, key.col_offset)] or '"') if key.lineno == key.end_lineno else '"'
    if quote not in ("'", '"'):
        quote = '"'
    return [reporter.replace(key, f"{quote}application_version{quote}"), reporter.replace(value, f"{quote}PATCHING_ENABLED{quote}")]
