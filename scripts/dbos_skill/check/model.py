"""The module model: what one parsed file means to the checks, built in one walk of its tree.

It answers the questions every check asks: what is `DBOS` called here (`from dbos
import DBOS as D`, `import dbos`, an instance `dbos = DBOS(config=...)`), which
functions are workflows, steps or transactions (decorated, methods of
`@DBOS.dbos_class()` classes, wrapped by `DBOS.step()(fn)`, or passed to
`DBOS.run_step`), which are `async`, which calls each function makes in its own
body, and which statements run at import time.

Names resolve as Python resolves them inside one module: a name bound locally,
or bound at module level by anything but an import, is not the import any more,
and resolves to nothing. Checks treat what does not resolve as unknown and stay
silent about it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Callable, Iterator, Optional, Union

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]

DBOS = "dbos.DBOS"
_Name, _Attribute, _Call = ast.Name, ast.Attribute, ast.Call
# Constructors whose module-level results the checks recognise, by the kind of instance they make.
INSTANCE_KINDS = {
    DBOS: DBOS,  # an instance exposes the class's methods: dbos = DBOS(config=...); @dbos.workflow()
    "dbos.SQLAlchemyDatasource.create": "dbos.Datasource()",
    "dbos.AsyncSQLAlchemyDatasource.create": "dbos.Datasource()",
    "dbos.Queue": "dbos.Queue()",
    "dbos.DBOS.register_queue": "dbos.Queue()",
    "dbos.DBOS.retrieve_queue": "dbos.Queue()",
    "dbos.DBOSClient": "dbos.DBOSClient()",
    # Clients of networks and databases: every method call on them is I/O (see determinism.py).
    **{
        name: f"{name}()"
        for name in (
            "openai.OpenAI", "openai.AsyncOpenAI", "openai.AzureOpenAI", "openai.AsyncAzureOpenAI",
            "anthropic.Anthropic", "anthropic.AsyncAnthropic", "requests.Session", "httpx.Client", "httpx.AsyncClient",
            "boto3.client", "boto3.resource", "sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine",
            "sqlalchemy.orm.sessionmaker", "psycopg.connect", "sqlite3.connect",
        )
    },
    "faker.Faker": "faker.Faker()",  # every method draws random data
}
ROLE_DECORATORS = {
    "dbos.DBOS.workflow": "workflow",
    "dbos.DBOS.step": "step",
    "dbos.DBOS.transaction": "transaction",  # removed in 3.x, but its body is still not a workflow body
    "dbos.Datasource().transaction": "transaction",
}


@dataclass(eq=False, slots=True)
class Function:
    """A function (or lambda) and what its own body does; nested functions are separate Functions."""

    node: FunctionNode
    name: str
    parent: Optional["Function"]
    cls: Optional["ClassInfo"]
    is_async: bool
    decorators: list[str] = field(default_factory=list)  # qualified names of the decorators that resolve
    role: Optional[str] = None  # "workflow", "step", "transaction" or None (a plain function)
    calls: list[ast.Call] = field(default_factory=list)
    attributes: list[ast.Attribute] = field(default_factory=list)  # only those named in WANTED_ATTRIBUTES
    handlers: list[ast.ExceptHandler] = field(default_factory=list)
    stores: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    imports: dict[str, str] = field(default_factory=dict)

    @property
    def lineno(self) -> int:
        return self.node.lineno

    @property
    def label(self) -> str:
        return f"`{self.name}`" if self.name != "<lambda>" else "a lambda"


@dataclass(eq=False, slots=True)
class ClassInfo:
    node: ast.ClassDef
    name: str
    is_dbos_class: bool
    methods: dict[str, Function] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class Module:
    """One parsed file, as the checks see it."""

    path: str
    source: str
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)
    instances: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    functions: list[Function] = field(default_factory=list)
    top_functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    module_calls: list[ast.Call] = field(default_factory=list)  # calls that run at import time
    module_attributes: list[ast.Attribute] = field(default_factory=list)
    key_lines: list[int] = field(default_factory=list)  # lines of string dict keys named in WANTED_KEYS
    # Every call by the last name of what it calls (`DBOS.launch()` under "launch", `f()(x)` under "()"),
    # so that a check looking for a few APIs visits only their calls.
    calls_by_name: dict[str, list[tuple[ast.Call, Optional["Function"]]]] = field(default_factory=dict)
    codes: Optional[frozenset[str]] = None  # the codes the run reports (None: all); checks skip work for the others
    _lines: Optional[list[str]] = None

    def wants(self, code: str) -> bool:
        return self.codes is None or code in self.codes

    def release(self) -> None:
        """Break the only reference cycles of the model (a class and its methods), so that plain
        reference counting frees it: the engine runs with the cyclic collector paused."""
        for function in self.functions:
            function.cls = None

    # -- text positions ---------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines

    def line_text(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def char_col(self, line: int, byte_col: int) -> int:
        """ast's columns count UTF-8 bytes; editors count characters."""
        text = self.line_text(line)
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    # -- name resolution -------------------------------------------------------------

    def qualname(self, node: ast.AST, scope: Optional[Function] = None) -> Optional[str]:
        """The dotted name an expression stands for (`dbos.DBOS.step`, `time.time`), or None when unknown.

        A call contributes `()`: `Path(p).read_text` is `pathlib.Path().read_text`.
        """
        root = node
        depth = 0
        kind = root.__class__
        while kind is not _Name:  # find the root name first: most roots are locals and name nothing
            if kind is _Attribute:
                root = root.value  # type: ignore[attr-defined]
            elif kind is _Call:
                root = root.func  # type: ignore[attr-defined]
            else:
                return None
            depth += 1
            if depth > 8:
                return None  # a long builder chain (`q.where(...).order_by(...)...`) names nothing a check knows
            kind = root.__class__
        base = self._resolve_name(root.id, scope)  # type: ignore[attr-defined]
        if base is None or depth == 0:
            return base
        parts = []
        while node is not root:
            if node.__class__ is _Attribute:
                parts.append("." + node.attr)  # type: ignore[attr-defined]
                node = node.value  # type: ignore[attr-defined]
            else:
                parts.append("()")
                node = node.func  # type: ignore[attr-defined]
        parts.append(base)
        parts.reverse()
        return "".join(parts)

    def _resolve_name(self, name: str, scope: Optional[Function]) -> Optional[str]:
        while scope is not None:
            if name in scope.imports:
                return scope.imports[name]
            if name in scope.stores and name not in scope.globals:
                return None
            scope = scope.parent
        if name in self.imports:
            return self.imports[name]
        return self.instances.get(name)

    def is_builtin(self, name: str, scope: Optional[Function]) -> bool:
        """True when `name` still means the builtin here: bound nowhere in the module or its scopes."""
        while scope is not None:
            if name in scope.stores or name in scope.imports:
                return False
            scope = scope.parent
        return name not in self.imports and name not in self.instances and name not in self._module_counts

    _module_counts: dict[str, int] = field(default_factory=dict)

    def string_value(self, node: ast.AST) -> Optional[str]:
        """A string literal, or a module-level name bound once to one."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return None

    def calls_to(self, *qualnames: str) -> Iterator[tuple[ast.Call, Optional[Function], str]]:
        """The calls whose `call_name` is one of `qualnames`, found through the index, in no particular order."""
        wanted = _WANTED_CACHE.get(qualnames)
        if wanted is None:
            wanted = _WANTED_CACHE[qualnames] = (frozenset(qualnames), frozenset(q.rsplit(".", 1)[-1] for q in qualnames))
        wanted, last_names = wanted
        by_name = self.calls_by_name
        keys = by_name.keys() & last_names  # set operations in C: most wanted names are never called here
        aliases = self._aliases
        if aliases is None:
            aliases = self._aliases = {}
            bindings = [*self.imports.items(), *self.instances.items()]
            for function in self.functions:
                bindings += function.imports.items()
            for local, target in bindings:
                aliases.setdefault(target, set()).add(local)
        if aliases:
            for qualname in aliases.keys() & wanted:
                keys |= aliases[qualname]
        call_name = self.call_name
        for key in keys:
            for call, scope in by_name.get(key, ()):
                name = call_name(call, scope)
                if name in wanted:
                    yield call, scope, name

    def call_name(self, call: ast.Call, scope: Optional[Function]) -> Optional[str]:
        """`qualname` of what a call calls, computed once per call and shared by every check."""
        key = id(call)
        cache = self._call_names
        if key in cache:
            return cache[key]
        name = self.qualname(call.func, scope)
        cache[key] = name
        return name

    _call_names: dict[int, Optional[str]] = field(default_factory=dict)
    _aliases: Optional[dict[str, set[str]]] = None

    # -- functions -------------------------------------------------------------------

    def called_function(self, call: ast.Call, scope: Optional[Function]) -> Optional[Function]:
        """The function of this module that a call runs, when that is certain."""
        return self.function_named(call.func, scope)

    def function_named(self, func: ast.expr, scope: Optional[Function]) -> Optional[Function]:
        """The function of this module that an expression names (`f`, `self.f`, `Cls.f`), when that is certain."""
        if isinstance(func, ast.Name):
            if self._module_counts.get(func.id) == 1 and self._is_module_function_name(func.id, scope):
                return self.top_functions.get(func.id)
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            method_cls = self._self_class(owner, scope)
            if method_cls is not None:
                return method_cls.methods.get(func.attr)
            if owner in self.classes and self._module_counts.get(owner) == 1 and self._is_module_function_name(owner, scope):
                return self.classes[owner].methods.get(func.attr)
        return None

    def _is_module_function_name(self, name: str, scope: Optional[Function]) -> bool:
        while scope is not None:
            if name in scope.imports or (name in scope.stores and name not in scope.globals):
                return False
            scope = scope.parent
        return name not in self.imports and name not in self.instances

    def _self_class(self, name: str, scope: Optional[Function]) -> Optional[ClassInfo]:
        """The class whose method `scope` is, when `name` is that method's first parameter (self or cls)."""
        while scope is not None and scope.cls is None:
            scope = scope.parent
        if scope is None or isinstance(scope.node, ast.Lambda):
            return None
        args = scope.node.args.posonlyargs + scope.node.args.args
        if not args or args[0].arg != name:
            return None
        if any(d in ("staticmethod",) for d in _plain_decorator_names(scope.node)):
            return None
        return scope.cls

    def workflows(self) -> Iterator[Function]:
        return (f for f in self.functions if f.role == "workflow")

    def steps(self) -> Iterator[Function]:
        return (f for f in self.functions if f.role in ("step", "transaction"))

    def reachable(self, root: Function, depth: int = 3) -> Iterator[tuple[Function, ast.Call, Function]]:
        """Plain helpers `root` calls, up to `depth` calls deep: (helper, the call in root's body that leads there, the caller).

        Each call in root's own body is followed separately, so every call site that leads to a helper is reported.
        """
        for entry in root.calls:
            seen = {id(root)}
            frontier: list[Function] = [root]
            first = True
            for _ in range(depth):
                next_frontier: list[Function] = []
                for caller in frontier:
                    for call in ([entry] if first else caller.calls):
                        callee = self.called_function(call, caller)
                        if callee is None or callee.role is not None or id(callee) in seen or (callee.is_async and not root.is_async):
                            continue
                        if any(d not in TRANSPARENT_DECORATORS for d in _all_decorator_names(self, callee)):
                            continue  # a decorator we do not know may run the body elsewhere (as a step, in a thread)
                        seen.add(id(callee))
                        yield callee, entry, caller
                        next_frontier.append(callee)
                frontier = next_frontier
                first = False
                if not frontier:
                    break

TRANSPARENT_DECORATORS = frozenset(
    {"staticmethod", "classmethod", "functools.cache", "functools.lru_cache", "functools.wraps", "typing.overload", "property"}
)


def _all_decorator_names(m: Module, function: Function) -> list[str]:
    if isinstance(function.node, ast.Lambda):
        return []
    names = []
    for decorator in function.node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name) and m.is_builtin(target.id, function.parent):
            names.append(target.id)
        else:
            names.append(m.qualname(target, function.parent) or "?")
    return names


def _plain_decorator_names(node: FunctionNode) -> list[str]:
    if isinstance(node, ast.Lambda):
        return []
    return [d.id for d in node.decorator_list if isinstance(d, ast.Name)]


_WANTED_CACHE: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}


# ---------------------------------------------------------------------------------------
# Walking trees fast: ast.iter_child_nodes is a generator over every field, contexts and
# operators included; the checks only need expressions and statements.

_NOT_CHILDREN = frozenset(
    {"ctx", "op", "ops", "id", "arg", "attr", "name", "asname", "module", "level", "kwd_attrs", "rest",
     "type_comment", "kind", "conversion", "is_async", "type_ignores", "tag",
     "annotation", "returns", "type_params"}  # annotations run no code a check judges
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = tuple(
        f for f in cls._fields  # type: ignore[attr-defined]
        if f not in _NOT_CHILDREN and not (cls is ast.Constant and f == "value") and not (cls in (ast.Global, ast.Nonlocal) and f == "names")
    )
    _CHILD_FIELDS[cls] = fields
    return fields


# How the model builder reaches a node class's children: (number of single-node fields, their getter,
# number of list fields, their getter). The getters are attrgetters, so each is one C-level call; a single
# field may hold None, which the walk skips. Built from the first node of each class the walk meets.
ChildSpec = tuple[int, Optional[Callable[[ast.AST], object]], int, Optional[Callable[[ast.AST], object]]]
_CHILD_SPECS: dict[type, ChildSpec] = {}
_NO_CHILDREN: ChildSpec = (0, None, 0, None)


def _child_spec(node: ast.AST) -> ChildSpec:
    cls = node.__class__
    if not isinstance(node, ast.AST):
        spec = _NO_CHILDREN
    else:
        fields = _CHILD_FIELDS.get(cls) or _child_fields(cls)
        singles, lists = [], []
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                lists.append(name)
            elif value is None or isinstance(value, ast.AST):
                singles.append(name)
            # anything else (an int flag such as AnnAssign.simple) is not a child
        spec = (len(singles), attrgetter(*singles) if singles else None, len(lists), attrgetter(*lists) if lists else None)
    _CHILD_SPECS[cls] = spec
    return spec


def dotted(node: ast.AST) -> str:
    """`self.logger` for an attribute chain of names, "" for anything else (cheaper than ast.unparse)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def source_text(node: ast.AST) -> str:
    """An expression as source text for a message (`self.client.send`): `ast.unparse`, which recurses, so a
    chain too long for it is shown by its last name instead of ending the run."""
    try:
        return ast.unparse(node)
    except RecursionError:
        name = dotted(node)
        if name:
            return name
        return f"....{node.attr}" if isinstance(node, ast.Attribute) else "..."


def walk(node: ast.AST, skip_scopes: bool = False) -> list[ast.AST]:
    """Every node under `node` (itself included); with skip_scopes, not into nested functions, lambdas or classes
    (nor those nodes themselves)."""
    found: list[ast.AST] = []
    stack: list = [node]
    pop, push, extend, keep = stack.pop, stack.append, stack.extend, found.append
    specs = _CHILD_SPECS.get
    scopes = _SCOPES if skip_scopes else ()
    while stack:
        current = pop()
        if current is None:
            continue
        kind = current.__class__
        if kind in scopes and current is not node:
            continue
        keep(current)
        spec = specs(kind)
        if spec is None:
            spec = _child_spec(current)
        singles, single, lists, listed = spec
        if singles == 1:
            push(single(current))  # type: ignore[misc]
        elif singles:
            extend(single(current))  # type: ignore[misc]
        if lists == 1:
            extend(listed(current))  # type: ignore[misc]
        elif lists:
            for value in listed(current):  # type: ignore[misc]
                extend(value)
    return found




# ---------------------------------------------------------------------------------------
# Building the model

_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
# Node classes the builder handles itself, besides calls and attributes (tested first: they are common).
_SPECIAL = _SCOPES | {ast.keyword, ast.ExceptHandler, ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom, ast.Dict}
# The attribute names some check looks at (removed DBOS attributes, os.environ); others are not kept.
WANTED_ATTRIBUTES = frozenset({"transaction", "sql_session", "scheduled", "register_instance", "environ"})
# The dict keys some check looks at (removed and deprecated config keys); their lines are kept.
WANTED_KEYS = frozenset({"database_url", "application_database_url", "run_admin_server", "admin_port", "enable_patching"})


def _normalise(name: str) -> str:
    """`dbos._dbos.DBOS` and `dbos._queue.Queue` are the public `dbos.DBOS` and `dbos.Queue`."""
    if name.startswith("dbos._"):
        parts = name.split(".")
        if len(parts) >= 3:
            return "dbos." + ".".join(parts[2:])
    return name


def _import_bindings(node: Union[ast.Import, ast.ImportFrom]) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, _normalise(alias.name)
            else:
                top = alias.name.split(".", 1)[0]
                yield top, top
    elif node.level == 0 and node.module:
        for alias in node.names:
            if alias.name != "*":
                yield alias.asname or alias.name, _normalise(f"{node.module}.{alias.name}")


class _Builder:
    """Walks the tree once, scope by scope; each node is visited in exactly one scope."""

    def __init__(self, module: Module) -> None:
        self.m = module
        self.pending: list[tuple[list[ast.AST], Optional[Function]]] = []
        self._enclosing_class: dict[int, ClassInfo] = {}

    def build(self) -> None:
        m = self.m
        self._module_level_names()
        self._scan(m.tree.body, None)
        while self.pending:
            nodes, owner = self.pending.pop()
            self._scan(nodes, owner)
        self._assign_roles()

    def _module_level_names(self) -> None:
        """Imports, instances and constants bound at module level, minus any name bound twice."""
        m = self.m
        bound_other: dict[str, int] = {}
        assigned_values: dict[str, ast.expr] = {}
        Assign, AnnAssign, AugAssign, Name = ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Name
        for stmt in _module_statements(m.tree.body):
            kind = stmt.__class__
            if kind is Assign or kind is AnnAssign or kind is AugAssign:
                for target in stmt.targets if kind is Assign else (stmt.target,):  # type: ignore[attr-defined]
                    if target.__class__ is Name:
                        name = target.id
                        bound_other[name] = bound_other.get(name, 0) + 1
                        if kind is not AugAssign and stmt.value is not None:  # type: ignore[attr-defined]
                            assigned_values[name] = stmt.value  # type: ignore[attr-defined]
                    else:
                        for name in _target_names(target):
                            bound_other[name] = bound_other.get(name, 0) + 1
            elif kind is ast.Import or kind is ast.ImportFrom:
                for name, target in _import_bindings(stmt):  # type: ignore[arg-type]
                    if name in m.imports and m.imports[name] != target:
                        bound_other[name] = bound_other.get(name, 0) + 2
                    m.imports[name] = target
            elif kind in _SCOPES:
                bound_other[stmt.name] = bound_other.get(stmt.name, 0) + 1  # type: ignore[attr-defined]
            elif kind in _BINDING_BLOCKS:
                targets = [stmt.target] if isinstance(stmt, (ast.For, ast.AsyncFor)) else [i.optional_vars for i in stmt.items if i.optional_vars]
                for target in targets:
                    for name in _target_names(target):
                        bound_other[name] = bound_other.get(name, 0) + 2
        m._module_counts = bound_other
        for name in list(m.imports):
            if name in bound_other:
                del m.imports[name]
        for name, value in assigned_values.items():
            if bound_other.get(name) != 1:
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                m.constants[name] = value.value
            elif isinstance(value, ast.Call):
                kind = INSTANCE_KINDS.get(m.qualname(value.func) or "")
                if kind is not None:
                    m.instances[name] = kind

    def _scan(self, nodes: list[ast.AST], owner: Optional[Function]) -> None:
        m = self.m
        calls = owner.calls if owner is not None else m.module_calls
        attributes = owner.attributes if owner is not None else m.module_attributes
        stack = list(reversed(nodes))
        pop, extend, append = stack.pop, stack.extend, stack.append
        Call, Name, Attribute, Store, Constant, keyword = ast.Call, ast.Name, ast.Attribute, ast.Store, ast.Constant, ast.keyword
        specs = _CHILD_SPECS.get
        special, scopes, wanted, wanted_keys = _SPECIAL, _SCOPES, WANTED_ATTRIBUTES, WANTED_KEYS
        stores = owner.stores if owner is not None else None
        by_name = m.calls_by_name
        while stack:
            node = pop()
            if node is None:
                continue
            kind = node.__class__
            if kind is Name:
                if stores is not None and node.ctx.__class__ is Store:
                    stores.add(node.id)
                continue
            if kind is Constant:
                continue
            if kind is Attribute:
                if node.attr in wanted:
                    attributes.append(node)
                append(node.value)
                continue
            if kind is Call:
                calls.append(node)
                func = node.func
                fkind = func.__class__
                key = func.attr if fkind is Attribute else func.id if fkind is Name else "()" if fkind is Call else ""
                index = by_name.get(key)
                if index is None:
                    by_name[key] = [(node, owner)]
                else:
                    index.append((node, owner))
                append(func)
                extend(node.args)
                extend(node.keywords)
                continue
            if kind in special:
                if kind is keyword:
                    append(node.value)
                    continue
                elif kind in scopes:
                    if kind is ast.ClassDef:
                        self._class(node, owner, stack)
                    else:
                        self._function(node, owner, stack)
                    continue
                elif kind is ast.ExceptHandler:
                    if owner is not None:
                        owner.handlers.append(node)
                        if node.name:
                            owner.stores.add(node.name)
                elif kind is ast.Global or kind is ast.Nonlocal:
                    if owner is not None:
                        owner.globals.update(node.names)
                    continue
                elif kind is ast.Import or kind is ast.ImportFrom:
                    if owner is not None:
                        for name, target in _import_bindings(node):
                            owner.imports[name] = target
                    continue
                elif kind is ast.Dict:
                    for key in node.keys:
                        if key.__class__ is Constant and key.value in wanted_keys:
                            m.key_lines.append(key.lineno)
            spec = specs(kind)
            if spec is None:
                spec = _child_spec(node)
            singles, single, lists, listed = spec
            if singles == 1:
                append(single(node))  # type: ignore[misc]
            elif singles:
                extend(single(node))  # type: ignore[misc]
            if lists == 1:
                extend(listed(node))  # type: ignore[misc]
            elif lists:
                for value in listed(node):  # type: ignore[misc]
                    extend(value)

    def _function(self, node: FunctionNode, owner: Optional[Function], stack: list[ast.AST]) -> None:
        """Decorators and defaults run in the enclosing scope; the body is a scope of its own."""
        args = node.args
        stack.extend(args.defaults)
        stack.extend(args.kw_defaults)  # None for a keyword-only argument without default: the walk skips it
        cls = None
        kind = node.__class__
        if kind is ast.Lambda:
            name = "<lambda>"
            body: list[ast.AST] = [node.body]
        else:
            stack.extend(node.decorator_list)  # type: ignore[union-attr]
            name = node.name  # type: ignore[union-attr]
            body = node.body  # type: ignore[assignment]
            if owner is not None:
                owner.stores.add(name)
            cls = self._enclosing_class.get(id(node))
        function = Function(node=node, name=name, parent=owner, cls=cls, is_async=kind is ast.AsyncFunctionDef)
        stores = function.stores
        for group in (args.posonlyargs, args.args, args.kwonlyargs):
            for a in group:
                stores.add(a.arg)
        if args.vararg is not None:
            stores.add(args.vararg.arg)
        if args.kwarg is not None:
            stores.add(args.kwarg.arg)
        self.m.functions.append(function)
        if owner is None and cls is None and kind is not ast.Lambda:
            if name in self.m.top_functions:
                self.m.top_functions[name] = None  # type: ignore[assignment]  # defined twice: unknown
            else:
                self.m.top_functions[name] = function
        if cls is not None:
            cls.methods[name] = function
        self.pending.append((body, function))

    def _class(self, node: ast.ClassDef, owner: Optional[Function], stack: list[ast.AST]) -> None:
        stack.extend(node.decorator_list)
        stack.extend(node.bases)
        stack.extend(k.value for k in node.keywords)
        if owner is not None:
            owner.stores.add(node.name)
        is_dbos_class = any(_decorator_name(self.m, d, owner) == "dbos.DBOS.dbos_class" for d in node.decorator_list)
        info = ClassInfo(node=node, name=node.name, is_dbos_class=is_dbos_class)
        if owner is None:
            self.m.classes[node.name] = info
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._enclosing_class[id(stmt)] = info
        # The class body runs in the enclosing scope; its methods are scopes of their own.
        stack.extend(reversed(node.body))

    def _assign_roles(self) -> None:
        m = self.m
        for function in m.functions:
            if isinstance(function.node, ast.Lambda):
                continue
            for decorator in function.node.decorator_list:
                name = _decorator_name(m, decorator, function.parent)
                if name is None:
                    continue
                function.decorators.append(name)
                role = ROLE_DECORATORS.get(name)
                if role is not None and function.role is None:
                    function.role = role
        # DBOS.step()(fn), DBOS.workflow()(fn) and DBOS.run_step(options, fn, ...) make fn's body a step or workflow.
        by_node = {id(f.node): f for f in m.functions}
        candidates = [*m.calls_by_name.get("()", ()), *m.calls_by_name.get("run_step", ()), *m.calls_by_name.get("run_step_async", ())]
        for call, scope in candidates:
            target: Optional[ast.AST] = None
            role: Optional[str] = None
            if isinstance(call.func, ast.Call) and call.args:
                role = ROLE_DECORATORS.get(m.qualname(call.func.func, scope) or "")
                target = call.args[0]
            elif len(call.args) >= 2:
                name = m.qualname(call.func, scope)
                if name in ("dbos.DBOS.run_step", "dbos.DBOS.run_step_async"):
                    role, target = "step", call.args[1]
            if role is None or target is None:
                continue
            if isinstance(target, ast.Lambda):
                wrapped = by_node.get(id(target))
            elif isinstance(target, ast.Name) and m._is_module_function_name(target.id, scope):
                wrapped = m.top_functions.get(target.id)
            else:
                wrapped = None
            if wrapped is not None and wrapped.role is None:
                wrapped.role = role


def _decorator_name(m: Module, decorator: ast.expr, scope: Optional[Function]) -> Optional[str]:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return m.qualname(target, scope)


def _target_names(target: ast.AST) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


_LOOPS_AND_IFS = frozenset({ast.If, ast.For, ast.AsyncFor, ast.While})
_BINDING_BLOCKS = frozenset({ast.For, ast.AsyncFor, ast.With, ast.AsyncWith})
_WITHS = frozenset({ast.With, ast.AsyncWith})
_TRIES = frozenset(t for t in (ast.Try, getattr(ast, "TryStar", None)) if t is not None)


def nested_blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists a compound statement holds: its body, else and finally blocks, each
    except handler's and each match case's body. A function or class definition holds none: its
    body is a scope of its own."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for field in ("body", "orelse", "finalbody"):
        inner = getattr(stmt, field, None)
        if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
            yield inner
    for handler in getattr(stmt, "handlers", None) or []:
        yield handler.body
    for case in getattr(stmt, "cases", None) or []:
        yield case.body


def _module_statements(body: list[ast.stmt], found: Optional[list[ast.stmt]] = None) -> list[ast.stmt]:
    """Statements that run at module level, including those nested in if/try/with/for blocks, in source order."""
    if found is None:
        found = []
    for stmt in body:
        found.append(stmt)
        kind = stmt.__class__
        if kind in _LOOPS_AND_IFS:
            _module_statements(stmt.body, found)  # type: ignore[attr-defined]
            _module_statements(stmt.orelse, found)  # type: ignore[attr-defined]
        elif kind in _WITHS:
            _module_statements(stmt.body, found)  # type: ignore[attr-defined]
        elif kind in _TRIES:
            _module_statements(stmt.body, found)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                _module_statements(handler.body, found)
            _module_statements(stmt.orelse, found)  # type: ignore[attr-defined]
            _module_statements(stmt.finalbody, found)  # type: ignore[attr-defined]
    return found


# An import of dbos inside a function (`def build(): from dbos import DBOS, Queue`), found in the text.
_NESTED_DBOS_IMPORT = re.compile(r"^[ \t]+(?:from[ \t]+dbos(?:[ \t.])|import[ \t]+dbos\b)", re.MULTILINE)


def mentions_dbos(tree: ast.Module, source: Optional[str] = None) -> bool:
    """A cheap test: does any import at module level name the dbos package, or does the text
    import it inside a function (scripts that import dbos lazily, in the functions that use it)?"""
    if source is not None and "dbos" not in source:
        return False
    if _imports_dbos(tree.body) or _imports_dbos(_module_statements(tree.body)):  # the top level first: that is where imports are
        return True
    return source is not None and _NESTED_DBOS_IMPORT.search(source) is not None


def _imports_dbos(statements: list[ast.stmt]) -> bool:
    for stmt in statements:
        kind = stmt.__class__
        if kind is ast.Import:
            if any(a.name == "dbos" or a.name.startswith("dbos.") for a in stmt.names):  # type: ignore[attr-defined]
                return True
        elif kind is ast.ImportFrom:
            module = stmt.module  # type: ignore[attr-defined]
            if stmt.level == 0 and module and (module == "dbos" or module.startswith("dbos.")):  # type: ignore[attr-defined]
                return True
    return False


def build_module(path: str, source: str, tree: ast.Module) -> Module:
    module = Module(path=path, source=source, tree=tree)
    _Builder(module).build()
    return module


def is_main_guard(stmt: ast.stmt) -> bool:
    """`if __name__ == "__main__":`"""
    if not isinstance(stmt, ast.If) or not isinstance(stmt.test, ast.Compare):
        return False
    test = stmt.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main
