"""Workflow bodies must replay the same way: no clock, randomness, environment, files, network,
database or plain sleeps outside steps, and no module-level state that recovery cannot restore.

A workflow is recovered by running its body again and substituting each completed
step's checkpointed result. Anything the body does itself, outside steps, runs again
and may come out differently. Calls into plain helper functions of the same module
are followed (three calls deep) and reported where the workflow makes the call.
Nested functions and lambdas are not checked: where they run is unknown.

A clock or random read is not reported when its value only reaches log lines or
checkpointed calls (directly, through a few local variables, or as the result of a helper
that records nothing), or when it is the coin of a crash test (`if random.random() < 0.1:
os._exit(1)`, nothing recorded in between): moving that coin into a step would make every
recovery crash again.
"""

from __future__ import annotations

import ast
import builtins
import sys
from typing import Optional

from .base import Check, Reporter
from .model import Function, Module, dotted, nested_blocks, source_text, walk

CHECKS = (
    Check("DBOS101", "workflow-clock", "workflow-determinism", "a workflow reads the clock outside a step"),
    Check("DBOS102", "workflow-random", "workflow-determinism", "a workflow draws random numbers or UUIDs outside a step"),
    Check("DBOS103", "workflow-environment", "workflow-determinism", "a workflow reads environment variables outside a step (not in the default selection)", default=False),
    Check("DBOS104", "workflow-files", "workflow-determinism", "a workflow reads or writes files outside a step"),
    Check("DBOS105", "workflow-network", "workflow-determinism", "a workflow calls the network outside a step"),
    Check("DBOS106", "workflow-database", "workflow-determinism", "a workflow accesses a database outside a step or transaction"),
    Check("DBOS110", "workflow-sleep", "pattern-sleep", "`time.sleep` or `asyncio.sleep` in a workflow instead of `DBOS.sleep`"),
    Check("DBOS120", "global-state", "workflow-determinism", "a workflow assigns a module-level global"),
)

_CLOCK = {
    "time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns", "time.perf_counter", "time.perf_counter_ns",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
    "pendulum.now", "pendulum.today", "arrow.now", "arrow.utcnow",
}
_CLOCK_WITHOUT_ARGUMENTS = {"time.localtime", "time.gmtime", "time.ctime", "time.asctime"}
_RANDOM = {
    "os.urandom", "uuid.uuid1", "uuid.uuid4",
    *(f"random.{f}" for f in (
        "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform", "gauss", "getrandbits",
        "triangular", "betavariate", "expovariate", "normalvariate", "lognormvariate", "vonmisesvariate",
        "paretovariate", "weibullvariate", "randbytes",
    )),
    *(f"secrets.{f}" for f in ("token_hex", "token_bytes", "token_urlsafe", "choice", "randbelow", "randbits")),
}
_RANDOM_PREFIXES = ("numpy.random.", "faker.Faker().")
_ENVIRONMENT = {"os.getenv", "os.getenvb", "os.environ.get"}
_FILES = {
    "io.open", "os.listdir", "os.scandir", "os.walk", "os.remove", "os.unlink", "os.rename", "os.replace", "os.makedirs",
    "os.mkdir", "os.rmdir", "os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.getsize", "os.path.getmtime",
    "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move", "shutil.rmtree", "glob.glob",
    *(f"pathlib.Path().{m}" for m in ("read_text", "read_bytes", "write_text", "write_bytes", "open", "exists", "unlink", "mkdir", "iterdir", "glob", "rglob", "stat", "touch")),
}
_NETWORK = {
    *(f"requests.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request")),
    *(f"httpx.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")),
    "urllib.request.urlopen", "socket.create_connection", "smtplib.SMTP", "smtplib.SMTP_SSL",
    "litellm.completion", "litellm.acompletion", "litellm.embedding",
}
# Clients whose every method call is a request: module-level instances (model.INSTANCE_KINDS) or built inline.
_NETWORK_PREFIXES = (
    "openai.OpenAI().", "openai.AsyncOpenAI().", "openai.AzureOpenAI().", "openai.AsyncAzureOpenAI().",
    "openai.chat.", "openai.completions.", "openai.embeddings.", "openai.responses.",
    "anthropic.Anthropic().", "anthropic.AsyncAnthropic().",
    "requests.Session().", "httpx.Client().", "httpx.AsyncClient().", "aiohttp.ClientSession().",
    "boto3.client().", "boto3.resource().",
)
_DATABASE = {
    "sqlite3.connect", "psycopg.connect", "psycopg2.connect", "asyncpg.connect", "pymysql.connect", "pymongo.MongoClient",
    "sqlalchemy.orm.Session", "sqlalchemy.orm.sessionmaker()", "sqlalchemy.create_engine",
}
_DATABASE_PREFIXES = ("sqlalchemy.create_engine().", "sqlalchemy.ext.asyncio.create_async_engine().", "psycopg.connect().", "sqlite3.connect().")
_SLEEPS = {"time.sleep": "DBOS.sleep", "asyncio.sleep": "DBOS.sleep_async"}

_CATEGORIES = {
    "DBOS101": ("reads the clock", "a recovered run reads a different time and can take another path",
                "read it in a `@DBOS.step()` and use the step's checkpointed result"),
    "DBOS102": ("draws random values", "a recovered run draws different values",
                "draw it in a `@DBOS.step()`, or derive it from `DBOS.workflow_id`"),
    "DBOS103": ("reads the environment", "a recovered run, maybe in another process, can read different values",
                "read configuration at startup or in a `@DBOS.step()`, and pass the value in"),
    "DBOS104": ("accesses files", "a recovered run repeats it and can find different contents",
                "move the file access into a `@DBOS.step()`"),
    "DBOS105": ("calls the network", "a recovered run sends the request again and can get a different answer",
                "move the call into a `@DBOS.step()` (with `retries_allowed=True` for transient failures)"),
    "DBOS106": ("accesses a database", "a recovered run repeats it, outside any checkpoint",
                "run the query in a `@DBOS.step()` or a datasource `@ds.transaction()`"),
    "DBOS110": ("sleeps without a checkpoint", "a recovered workflow waits the full time again",
                "use `DBOS.sleep(seconds)` (`await DBOS.sleep_async(seconds)` in async code): it checkpoints the wake-up time"),
}


def classify(module: Module, call: ast.Call, scope: Optional[Function]) -> Optional[tuple[str, str]]:
    """(code, what the call is) when a call is non-deterministic in a workflow body."""
    name = module.call_name(call, scope)
    if name is None:
        if isinstance(call.func, ast.Name) and call.func.id == "open" and module.is_builtin("open", scope):
            return "DBOS104", "open()"
        return None
    if name in _CLOCK or (name in _CLOCK_WITHOUT_ARGUMENTS and not call.args):
        return "DBOS101", f"{name}()"
    if name == "time.strftime" and len(call.args) == 1:
        return "DBOS101", f"{name}()"
    if name in _RANDOM or name.startswith(_RANDOM_PREFIXES):
        return "DBOS102", f"{_display(name)}()"
    if name in _ENVIRONMENT:
        return "DBOS103", f"{name}()"
    if name in _FILES:
        return "DBOS104", f"{_display(name)}()"
    if name in _NETWORK or name.startswith(_NETWORK_PREFIXES):
        return "DBOS105", f"{_display(name)}()"
    if name in _DATABASE or name.startswith(_DATABASE_PREFIXES):
        return "DBOS106", f"{_display(name)}()"
    if name in _SLEEPS:
        if name == "asyncio.sleep" and call.args and isinstance(call.args[0], ast.Constant) and call.args[0].value == 0:
            return None  # yields to the event loop; waits for nothing
        return "DBOS110", f"{name}()"
    return None


def _display(name: str) -> str:
    """`openai.OpenAI().chat.completions.create` reads better as `OpenAI().chat.completions.create`."""
    head, sep, tail = name.partition("().")
    if sep:
        return f"{head.rsplit('.', 1)[-1]}().{tail}"
    return name


# Calls whose arguments may be non-deterministic without harm: a log line, or an operation DBOS
# checkpoints (a recovered run gets the recorded outcome back, and the new argument is dropped).
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
_CHECKPOINTED = frozenset(
    {
        *(
            f"dbos.DBOS.{m}{suffix}"
            for m in ("set_event", "write_stream", "send", "start_workflow", "enqueue_workflow", "run_step", "sleep", "recv")
            for suffix in ("", "_async")
        ),
        # A queue handle's enqueue is the same recorded child start as DBOS.enqueue_workflow.
        "dbos.Queue().enqueue", "dbos.Queue().enqueue_async",
    }
)


def _is_sink(module: Module, call: ast.Call, scope: Function) -> bool:
    func = call.func
    if isinstance(func, ast.Name) and func.id == "print" and module.is_builtin("print", scope):
        return True
    if isinstance(func, ast.Attribute) and func.attr in _LOG_METHODS and "log" in dotted(func.value).lower():
        return True
    if module.call_name(call, scope) in _CHECKPOINTED:
        return True
    called = module.called_function(call, scope)
    return called is not None and called.role is not None


# Calls that can record nothing in DBOS: builtins and the standard library (minus what runs
# callables elsewhere), and the DBOS logger. Everything else might be a step or a workflow.
_INERT_BUILTINS = frozenset(dir(builtins)) - {"exec", "eval", "compile", "__import__", "breakpoint"}
_INERT_MODULES = frozenset(sys.stdlib_module_names) - {
    "asyncio", "concurrent", "threading", "multiprocessing", "subprocess", "functools", "contextvars", "sched",
    "importlib", "runpy", "code", "builtins", "operator",
}
_DBOS_VALUES = frozenset(f"dbos.DBOS.{a}" for a in ("workflow_id", "step_id", "step_status", "logger", "span", "config"))
# Calls that end the process: what a crash test runs at a random moment.
_CRASHES = frozenset({"os._exit", "os.abort", "os.kill", "os.killpg", "sys.exit", "signal.raise_signal", "ctypes.string_at"})


class _Inert:
    """Which helpers and blocks are certain to record nothing in DBOS: every call in them, and in the plain
    helpers they call (three calls deep), is a builtin, the standard library, a log line, or such a helper.

    A read inside such a helper reaches the workflow only through the helper's result, so the
    value-flow rule can judge that result; anything else (an import from another module, a method of
    an unknown object) may be a step, and the read is reported."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.known: dict[int, bool] = {}
        self._star_import: Optional[bool] = None

    def function(self, function: Function, depth: int = 3) -> bool:
        known = self.known.get(id(function))
        if known is None:
            self.known[id(function)] = False  # mutual recursion: assume the worst (a function calling itself is fine)
            known = depth > 0 and not self.star_import() and all(self.call(c, function, depth) for c in function.calls)
            self.known[id(function)] = known
        return known

    def star_import(self) -> bool:
        """A star import may rebind any builtin name."""
        if self._star_import is None:
            self._star_import = "import *" in self.module.source
        return self._star_import

    def call(self, call: ast.Call, scope: Function, depth: int = 3) -> bool:
        m = self.module
        func = call.func
        name = m.call_name(call, scope)
        if name is None:
            if isinstance(func, ast.Name) and func.id in _INERT_BUILTINS and m.is_builtin(func.id, scope):
                pass
            elif isinstance(func, ast.Attribute) and func.attr in _LOG_METHODS and "log" in dotted(func.value).lower():
                pass
            else:
                callee = m.called_function(call, scope)
                if callee is None or callee.role is not None or isinstance(callee.node, ast.Lambda) or callee.node.decorator_list:
                    return False
                if callee is not scope and ((callee.is_async and not scope.is_async) or not self.function(callee, depth - 1)):
                    return False
        elif name.startswith("dbos."):
            if not name.startswith("dbos.DBOS.logger."):
                return False
        elif name.split(".", 1)[0] not in _INERT_MODULES:
            return False
        # `map(step, items)` or `sorted(xs, key=helper)`: a function passed along may record something.
        for argument in [*call.args, *(k.value for k in call.keywords)]:
            if isinstance(argument, ast.Starred):
                argument = argument.value
            if isinstance(argument, (ast.Name, ast.Attribute)):
                if m.function_named(argument, scope) is not None:
                    return False
                referent = m.qualname(argument, scope)
                if referent is not None and referent not in _DBOS_VALUES and referent.split(".", 1)[0] not in _INERT_MODULES:
                    return False
        return True

    def crash_guard(self, stmt: ast.If, scope: Function) -> bool:
        """`if random.random() < 0.1: os._exit(1)`: the test only decides whether the process dies here.
        The first run records nothing in that block before dying, so whichever way a recovery goes,
        it follows no record that the block could have changed."""
        body = stmt.body
        last = body[-1]
        if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)):
            return False
        if self.module.call_name(last.value, scope) not in _CRASHES:
            return False
        for inner in body[:-1]:
            if isinstance(inner, (ast.Import, ast.ImportFrom, ast.Pass)):
                continue
            if not (isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Call)):
                return False
            if not all(self.call(c, scope) for c in walk(inner.value) if isinstance(c, ast.Call)):
                return False
        return True


def harmless(module: Module, scope: Function) -> set[int]:
    """Nodes inside the arguments of log calls and checkpointed calls: their values never steer a replay."""
    inside: set[int] = set()
    for call in scope.calls:
        if id(call) in inside or not _is_sink(module, call, scope):
            continue
        for argument in [*call.args, *(k.value for k in call.keywords)]:
            for node in walk(argument):
                inside.add(id(node))
    return inside


class _Flow:
    """Where a workflow's values go: a value kept in a local (or a list) that only ever reaches
    log lines and checkpointed calls is as harmless as one written there directly."""

    def __init__(self, module: Module, function: Function, skip: set[int], inert: _Inert) -> None:
        self.skip = set(skip)
        self.function = function
        self.inert = inert
        self.guards: dict[int, bool] = {}
        # The statement of each call and name: the only nodes whose statement is asked for.
        statement_of: dict[int, ast.stmt] = {}
        loads: dict[str, list[ast.Name]] = {}
        self.statement_of, self.loads = statement_of, loads
        Name, Call, Load = ast.Name, ast.Call, ast.Load
        statements = list(_statements(function.node.body))
        for stmt in statements:
            for node in walk(stmt, skip_scopes=True):
                kind = node.__class__
                if kind is Name:
                    statement_of[id(node)] = stmt
                    if node.ctx.__class__ is Load:  # type: ignore[attr-defined]
                        uses = loads.get(node.id)  # type: ignore[attr-defined]
                        if uses is None:
                            loads[node.id] = [node]  # type: ignore[attr-defined]
                        else:
                            uses.append(node)  # type: ignore[arg-type]
                elif kind is Call:
                    statement_of[id(node)] = stmt
        # `a = Cls(...)` then only `a.step_method(...)`: the instance reaches checkpointed steps only.
        local_classes = {}
        for stmt in statements:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call)
                and isinstance(stmt.value.func, ast.Name)
                and stmt.value.func.id in module.classes
            ):
                local_classes[stmt.targets[0].id] = module.classes[stmt.value.func.id]
        for call in function.calls:
            func = call.func
            if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
                continue
            cls = local_classes.get(func.value.id)
            method = cls.methods.get(func.attr) if cls is not None else None
            if method is not None and method.role is not None:
                self.skip.add(id(func.value))

    def harmless(self, node: ast.AST) -> bool:
        if self._crash_test(node):
            return True
        target = self._target(node)
        return target is not None and self._only_sinks(target, set(), 3)

    def _crash_test(self, node: ast.AST) -> bool:
        """The node is read only by the test of an `if` whose block just ends the process."""
        compound = getattr(self.statement_of.get(id(node)), "compound", None)
        if not isinstance(compound, ast.If):
            return False
        known = self.guards.get(id(compound))
        if known is None:
            known = self.guards[id(compound)] = self.inert.crash_guard(compound, self.function)
        return known

    def _target(self, node: ast.AST) -> Optional[str]:
        """The local name a node's value is stored in: `x = ...`, `x += ...`, `x.append(...)`."""
        stmt = self.statement_of.get(id(node))
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            return stmt.targets[0].id
        if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            return stmt.target.id
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            if isinstance(func, ast.Attribute) and func.attr in ("append", "extend", "add") and isinstance(func.value, ast.Name):
                return func.value.id
        return None

    def _only_sinks(self, name: str, seen: set[str], depth: int) -> bool:
        if name in seen:
            return True
        seen.add(name)
        for use in self.loads.get(name, []):
            if id(use) in self.skip or self._crash_test(use):
                continue
            onward = self._target(use)
            if onward is None or depth == 0 or not self._only_sinks(onward, seen, depth - 1):
                return False
        return True


def _statements(body: list[ast.stmt]):
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        nested = False
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                nested = True
                yield from _statements(inner)
        for handler in getattr(stmt, "handlers", None) or []:
            nested = True
            yield from _statements(handler.body)
        if nested:
            yield from _compound_headers(stmt)
        else:
            yield stmt


def _compound_headers(stmt: ast.stmt):
    """A compound statement's own expressions (the `if` test, the `for` iterable): uses, never targets."""
    header = ast.Pass()
    ast.copy_location(header, stmt)
    for field in ("test", "iter", "items", "subject"):
        value = getattr(stmt, field, None)
        if value is not None:
            holder = ast.Expr(value=ast.Tuple(elts=value if isinstance(value, list) else [value], ctx=ast.Load()))
            holder.compound = stmt  # type: ignore[attr-defined]
            yield holder


def _environment_reads(module: Module, function: Function) -> list[ast.Attribute]:
    if not function.attributes or not module.wants("DBOS103"):
        return []
    return [a for a in function.attributes if a.attr == "environ" and module.qualname(a.value, function) == "os"]


_VALUES = ("DBOS101", "DBOS102", "DBOS103")  # reads, judged by where their value goes


def run(module: Module) -> list:
    reporter = Reporter(module)
    inert = _Inert(module)
    for workflow in module.workflows():
        _direct(module, reporter, workflow, inert)
        _helpers(module, reporter, workflow, inert)
    for function in module.workflows():
        if function.globals:
            _globals(reporter, function)
    return reporter.findings


def _direct(module: Module, reporter: Reporter, workflow: Function, inert: _Inert) -> None:
    candidates = [(call, found) for call in workflow.calls if (found := classify(module, call, workflow)) is not None]
    environment = _environment_reads(module, workflow)
    if not candidates and not environment:
        return
    skip = harmless(module, workflow)
    flow: Optional[_Flow] = None
    for call, found in candidates:
        if id(call) in skip:
            continue
        code, what = found
        if code in ("DBOS101", "DBOS102"):
            flow = flow or _Flow(module, workflow, skip, inert)
            if flow.harmless(call):
                continue
        phrase, consequence, help = _CATEGORIES[code]
        if code == "DBOS110":
            replacement = "await DBOS.sleep_async(...)" if workflow.is_async else "DBOS.sleep(...)"
            message = f"`{what}` in workflow `{workflow.name}` is not checkpointed: {consequence}"
            help = f"use `{replacement}`: it checkpoints the wake-up time"
        else:
            message = f"`{what}` in workflow `{workflow.name}` {phrase}: {consequence}"
        reporter.report(code, call, message, help)
    for attribute in environment:
        if id(attribute) in skip:
            continue
        phrase, consequence, help = _CATEGORIES["DBOS103"]
        reporter.report("DBOS103", attribute, f"`os.environ` in workflow `{workflow.name}` {phrase}: {consequence}", help)


def _helpers(module: Module, reporter: Reporter, workflow: Function, inert: _Inert) -> None:
    reported: set[tuple[int, str]] = set()
    skip: Optional[set[int]] = None
    flow: Optional[_Flow] = None
    helper_skips: dict[int, set[int]] = {}
    for helper, entry, _caller in module.reachable(workflow):
        found: list[tuple[str, str, int]] = []
        for call in helper.calls:
            result = classify(module, call, helper)
            if result is None:
                continue
            inner_skip = helper_skips.get(id(helper))
            if inner_skip is None:
                inner_skip = helper_skips[id(helper)] = harmless(module, helper)
            if id(call) not in inner_skip:
                found.append((result[0], result[1], call.lineno))
        for attribute in _environment_reads(module, helper):
            found.append(("DBOS103", "os.environ", attribute.lineno))
        if found:
            skip = harmless(module, workflow) if skip is None else skip
            if id(entry) in skip:
                continue
        for code, what, line in found:
            if (id(entry), code) in reported:
                continue
            if code in _VALUES:
                # The helper records nothing, so its read reaches the workflow only through the value
                # the call returns; a value that only reaches log lines or checkpointed calls is harmless.
                called = module.called_function(entry, workflow)
                if called is not None and inert.function(called):
                    flow = flow or _Flow(module, workflow, skip or set(), inert)
                    if flow.harmless(entry):
                        continue
            reported.add((id(entry), code))
            phrase, consequence, help = _CATEGORIES[code]
            callee = source_text(entry.func) if isinstance(entry.func, (ast.Name, ast.Attribute)) else helper.name
            reporter.report(
                code,
                entry,
                f"`{callee}()` {phrase} (`{what}` on line {line}) and workflow `{workflow.name}` calls it outside a step: {consequence}",
                help if code != "DBOS110" else "use `DBOS.sleep(seconds)` in the workflow: it checkpoints the wake-up time",
            )


def _globals(reporter: Reporter, function: Function) -> None:
    """`global X; X = ...` in a workflow, except the lazy `if X is None: X = make()` idiom.

    Steps are not judged: a step that counts calls or fills a cache in a global is common and
    harmless (tests do it to measure concurrency); only a workflow's own state must survive recovery.
    """
    reported: set[str] = set()
    for target, guards in _assignments(function.node.body, ()):
        name = target.id
        if name not in function.globals or name in reported:
            continue
        if any(name in guard for guard in guards):
            continue
        reported.add(name)
        reporter.report(
            "DBOS120",
            target,
            f"workflow `{function.name}` assigns the global `{name}`: another process that recovers the workflow never saw that assignment",
            "keep state in the workflow's variables and step results, or publish it with `DBOS.set_event`",
        )


def _assignments(body: list[ast.stmt], guards: tuple[frozenset[str], ...]):
    """Names assigned by the statements of a function body (not nested functions), with the names each enclosing `if` tests."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                        yield node, guards
        if isinstance(stmt, ast.If):
            tested = frozenset(n.id for n in ast.walk(stmt.test) if isinstance(n, ast.Name))
            yield from _assignments(stmt.body, guards + (tested,))
            yield from _assignments(stmt.orelse, guards)
            continue
        for inner in nested_blocks(stmt):
            yield from _assignments(inner, guards)
