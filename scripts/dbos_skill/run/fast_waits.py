"""Short internal waits for every example: DBOS's default polling intervals, shortened in the worker.

DBOS polls: handles and clients for results, queues for work, the background
jobs for delayed workflows and timed-out workflows, the notification listener,
the scheduler for new schedules, the queue manager for newly registered queues.
Its defaults (1 s, 30 s for schedules) suit production and make examples wait.
The worker shortens only the *defaults*, before any example starts, so:

- an example that passes its own interval (an argument, a config key) keeps it;
- nothing but waiting changes: every wait still ends on the same condition.

`apply()` returns what it changed; the README's "How examples run" lists it.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any, Callable

POLL_S = 0.1

# Module constants read at call time: a default interval, shortened where DBOS reads it.
MODULE_CONSTANTS = (
    "DEFAULT_POLLING_INTERVAL",  # handles' and clients' result polling (_core, _dbos, _client)
    "DEFAULT_QUEUE_POLLING_INTERVAL_SEC",  # queues (_queue, _kafka)
    "_BACKGROUND_JOBS_INTERVAL_SEC",  # delayed workflows and the workflow-timeout sweep (_workflow_commands)
    "_STARTUP_FAST_POLL_INTERVAL_SEC",  # new schedules in the first minute (_scheduler)
    "_PREEMPTIBLE_POLL_INTERVAL_SEC",  # cancellation of preemptible async steps (_core)
    "_STREAM_CANCEL_CHECK_INTERVAL_SEC",  # a stream reader's cancellation check (_core)
)
# Parameters whose default of 1 s is a polling interval: functions' defaults were fixed at import.
POLLING_PARAMETERS = ("polling_interval_sec", "polling_interval", "notification_listener_polling_interval_sec")
# DBOSConfig keys whose absence DBOS turns into a long interval at launch.
CONFIG_DEFAULTS = ("notification_listener_polling_interval_sec", "scheduler_polling_interval_sec")
# A literal interval inside a function: the queue manager looks for newly registered queues every second.
LITERAL_WAITS = (("dbos._queue", "queue_thread", 1.0),)


def apply() -> list[str]:
    """Shorten DBOS's default waits in this process; return a line per change."""
    modules = [m for name, m in sorted(sys.modules.items()) if (name == "dbos" or name.startswith("dbos.")) and m is not None]
    changes: list[str] = []
    for module in modules:
        for name in MODULE_CONSTANTS:
            if isinstance(getattr(module, name, None), float):
                setattr(module, name, POLL_S)
                changes.append(f"{module.__name__}.{name}")
    seen: set[int] = set()
    for module in modules:
        for owner, function in _functions(module):
            if id(function) in seen:
                continue
            seen.add(id(function))
            for parameter in _shorten_defaults(function):
                changes.append(f"{owner}({parameter}=)")
    changes += _shorten_config_defaults()
    for module_name, function_name, literal in LITERAL_WAITS:
        module = sys.modules.get(module_name)
        function = getattr(module, function_name, None)
        if isinstance(function, types.FunctionType) and literal in function.__code__.co_consts:
            consts = tuple(POLL_S if c == literal and type(c) is float else c for c in function.__code__.co_consts)
            function.__code__ = function.__code__.replace(co_consts=consts)
            changes.append(f"{module_name}.{function_name} (literal {literal:g} s wait)")
    return changes


def _functions(module: types.ModuleType) -> list[tuple[str, types.FunctionType]]:
    """Module-level functions and the methods of module-level classes defined in dbos."""
    found = []
    for name, value in vars(module).items():
        if isinstance(value, types.FunctionType) and value.__module__.startswith("dbos"):
            found.append((f"{value.__module__}.{value.__qualname__}", value))
        elif isinstance(value, type) and value.__module__.startswith("dbos"):
            for attribute in vars(value).values():
                function = getattr(attribute, "__func__", attribute)
                if isinstance(function, types.FunctionType):
                    found.append((f"{value.__module__}.{function.__qualname__}", function))
    return found


def _shorten_defaults(function: types.FunctionType) -> list[str]:
    code = function.__code__
    positional = code.co_varnames[: code.co_argcount]
    changed = []
    if function.__defaults__:
        defaults = list(function.__defaults__)
        first = len(positional) - len(defaults)
        for offset, value in enumerate(defaults):
            if positional[first + offset] in POLLING_PARAMETERS and value == 1.0 and type(value) is float:
                defaults[offset] = POLL_S
                changed.append(positional[first + offset])
        function.__defaults__ = tuple(defaults)
    if function.__kwdefaults__:
        for name, value in list(function.__kwdefaults__.items()):
            if name in POLLING_PARAMETERS and value == 1.0 and type(value) is float:
                function.__kwdefaults__[name] = POLL_S
                changed.append(name)
    return changed


def _shorten_config_defaults() -> list[str]:
    dbos_module = sys.modules.get("dbos._dbos")
    translate: Callable[..., Any] | None = getattr(dbos_module, "translate_dbos_config_to_config_file", None)
    if translate is None or getattr(translate, "__wrapped__", None) is not None:
        return []

    def translate_with_short_waits(config: Any) -> Any:
        translated = translate(config)
        runtime = translated.setdefault("runtimeConfig", {})
        for key in CONFIG_DEFAULTS:
            if config.get(key) is None and runtime.get(key) is None:
                runtime[key] = POLL_S
        return translated

    translate_with_short_waits.__wrapped__ = translate  # type: ignore[attr-defined]
    translate_with_short_waits.__signature__ = inspect.signature(translate)  # type: ignore[attr-defined]
    setattr(dbos_module, "translate_dbos_config_to_config_file", translate_with_short_waits)
    return [f"DBOSConfig {key} (when absent or None)" for key in CONFIG_DEFAULTS]
