"""Async code: synchronous DBOS methods that raise inside an event loop, and blocking calls in async steps.

In dbos 3.4.0 these DBOS methods start with `check_async(...)`, which raises
RuntimeError("...was called while an event loop is running. Use await ..._async(...)")
whenever a loop is running in the thread, as it always is inside `async def`.
The `_async` twins take the same parameters; those returning values (not handles
or generators) are replaced mechanically by `--fix`.
"""

from __future__ import annotations

import ast
from typing import Optional

from .base import Check, Reporter
from .finding import Edit
from .model import Function, Module, source_text

CHECKS = (
    Check("DBOS301", "sync-dbos-call-in-async", "advanced-async", "a synchronous DBOS method that raises RuntimeError inside `async def`", fixable=True),
    Check("DBOS302", "blocking-call-in-async-step", "advanced-async", "a blocking call (sleep, HTTP, subprocess) in an async step or workflow"),
)

# Methods whose _async twin returns the same kind of value: `await DBOS.x_async(...)` is a drop-in.
SAME_RESULT = frozenset(
    """cancel_workflow cancel_workflows close_stream delete_queue delete_workflow delete_workflows deprecate_patch
    get_all_events get_event get_result get_workflow_status list_queued_workflows list_queues list_workflow_steps
    list_workflows patch read_stream_offset recv register_queue retrieve_queue run_step send send_bulk set_event
    set_workflow_delay sleep update_workflow_attributes write_stream""".split()
)
# Their _async twins return async handles (or an async generator): the code around them changes too.
DIFFERENT_RESULT = frozenset("fork_workflow read_stream resume_workflow resume_workflows retrieve_workflow rewind_workflow wait_first".split())
RAISES_IN_LOOP = SAME_RESULT | DIFFERENT_RESULT

_BLOCKING = {
    "time.sleep": "use `await asyncio.sleep(...)`",
    "subprocess.run": "use `asyncio.create_subprocess_exec`",
    "subprocess.call": "use `asyncio.create_subprocess_exec`",
    "subprocess.check_call": "use `asyncio.create_subprocess_exec`",
    "subprocess.check_output": "use `asyncio.create_subprocess_exec`",
    "os.system": "use `asyncio.create_subprocess_shell`",
    "urllib.request.urlopen": "use an async HTTP client such as `httpx.AsyncClient`",
    **{f"requests.{m}": "use an async HTTP client such as `httpx.AsyncClient`" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request")},
    **{f"httpx.{m}": "use `httpx.AsyncClient`" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request")},
}
_BLOCKING_PREFIXES = {
    "requests.Session().": "use an async HTTP client such as `httpx.AsyncClient`",
    "httpx.Client().": "use `httpx.AsyncClient`",
    "openai.OpenAI().": "use `openai.AsyncOpenAI`",
    "anthropic.Anthropic().": "use `anthropic.AsyncAnthropic`",
}
# In async workflows the determinism checks already report these (they belong in steps).
_WORKFLOW_ONLY = {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "os.system"}


def run(module: Module) -> list:
    reporter = Reporter(module)
    for function in module.functions:
        if not function.is_async:
            continue
        _sync_dbos_calls(module, reporter, function)
        if function.role in ("step", "transaction", "workflow"):
            _blocking_calls(module, reporter, function)
    return reporter.findings


def _sync_dbos_calls(module: Module, reporter: Reporter, function: Function) -> None:
    parents: Optional[dict[int, ast.AST]] = None
    for call in function.calls:
        func = call.func
        if func.__class__ is not ast.Attribute or func.attr not in RAISES_IN_LOOP:  # type: ignore[attr-defined]
            continue  # only `DBOS.<method>(...)` (or an alias of DBOS) can name one
        name = module.call_name(call, function)
        if name is None or not name.startswith("dbos.DBOS.") or name.count(".") != 2:
            continue
        method = name[len("dbos.DBOS.") :]
        if method not in RAISES_IN_LOOP:
            continue
        shown = source_text(call.func) if isinstance(call.func, ast.Attribute) else f"DBOS.{method}"
        fix = ()
        if method in SAME_RESULT and isinstance(call.func, ast.Attribute):
            if parents is None:
                parents = _parents(function)
            fix = _await_async_twin(reporter, call, parents)
        if method == "read_stream":
            help = f"iterate with `async for value in {shown}_async(...)`"
        elif method in DIFFERENT_RESULT:
            help = f"use `await {shown}_async(...)`; it returns an async handle, so await its methods too"
        else:
            help = f"use `await {shown}_async(...)`"
        reporter.report(
            "DBOS301",
            call,
            f"`{shown}()` raises RuntimeError in async function `{function.name}`: synchronous DBOS methods refuse to run inside an event loop",
            help,
            fix=fix,
        )


def _parents(function: Function) -> dict[int, ast.AST]:
    parents: dict[int, ast.AST] = {}
    stack: list[ast.AST] = list(function.node.body) if not isinstance(function.node, ast.Lambda) else [function.node.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            stack.append(child)
    return parents


def _await_async_twin(reporter: Reporter, call: ast.Call, parents: dict[int, ast.AST]):
    """`DBOS.recv(...)` -> `await DBOS.recv_async(...)`, parenthesised where `await` would bind differently."""
    node: ast.AST = call
    while id(node) in parents:
        node = parents[id(node)]
        if isinstance(node, (ast.GeneratorExp, ast.Lambda)):
            return ()  # an await there would make an async generator: not mechanical
    parent = parents.get(id(call))
    needs_parens = (
        (isinstance(parent, (ast.Attribute, ast.Subscript)) and parent.value is call)
        or (isinstance(parent, ast.Call) and parent.func is call)
        or isinstance(parent, ast.Await)
    )
    if isinstance(parent, ast.Await):
        return ()  # already awaited: something else is going on
    func = call.func
    assert isinstance(func, ast.Attribute)
    _, _, end_line, end_col = reporter.span(func)
    edits = [
        reporter.insert_before(call, "(await " if needs_parens else "await "),
        Edit(end_line, end_col, end_line, end_col, "_async"),
    ]
    if needs_parens:
        _, _, call_end_line, call_end_col = reporter.span(call)
        edits.append(Edit(call_end_line, call_end_col, call_end_line, call_end_col, ")"))
    return tuple(edits)


def _blocking_calls(module: Module, reporter: Reporter, function: Function) -> None:
    kind = "workflow" if function.role == "workflow" else "step"
    for call in function.calls:
        name = module.call_name(call, function)
        if name is None:
            continue
        help = _BLOCKING.get(name)
        if help is None:
            help = next((h for prefix, h in _BLOCKING_PREFIXES.items() if name.startswith(prefix)), None)
        if help is None or (kind == "workflow" and name not in _WORKFLOW_ONLY):
            continue
        shown = name.replace("().", "(...).")
        reporter.report(
            "DBOS302",
            call,
            f"`{shown}()` blocks the event loop in async {kind} `{function.name}`: every workflow on the loop waits for it",
            f"{help}, or make the {kind} a plain `def` (DBOS runs synchronous {kind}s in threads)",
        )
