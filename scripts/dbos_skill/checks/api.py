"""Static DBOS API check: every name, attribute and keyword a snippet uses exists in the installed dbos.

Names are resolved through the snippet's own imports, so `from dbos import DBOS`
and `import dbos as d` both work; `from dbos import *` binds what `dbos.__all__`
exports. A bare name no import binds is not judged (it may come from anywhere).
Fences marked `removed-api` are not checked.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import inspect
from importlib.metadata import version
from typing import Any, Optional

from ..diagnostics import diag
from ..expectations import parse_expectation
from ..model import Bundle, Diagnostic, Fence
from ..snippets import example_documents, node_column, parse_python, python_fences

_MISSING = object()


def check_api(bundle: Bundle) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for document in example_documents(bundle):
        for fence in python_fences(document):
            expectation = parse_expectation(fence.attributes)
            if not fence.closed or isinstance(expectation, str) or expectation.removed_api:
                continue
            tree = parse_python(document.path, fence)
            if isinstance(tree, ast.Module):
                checker = _ApiChecker(document.path, fence)
                try:
                    checker.visit(tree)
                except RecursionError:
                    continue  # nested deeper than a visitor can walk: nothing sure to say
                problems += checker.problems
    return problems


def _is_typed_dict(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, dict) and hasattr(value, "__required_keys__")


def _typed_dict_keys(value: Any) -> set[str]:
    return set(value.__required_keys__) | set(value.__optional_keys__)


def _keyword_names(value: Any) -> Optional[set[str]]:
    """The keyword names a callable accepts, or None when it takes **kwargs or has no signature."""
    if _is_typed_dict(value):
        return _typed_dict_keys(value)
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return None
    parameters = signature.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)}


class _ApiChecker(ast.NodeVisitor):
    def __init__(self, path: str, fence: Fence) -> None:
        self.path = path
        self.fence = fence
        self.problems: list[Diagnostic] = []
        self.modules: set[str] = set()
        self.names: dict[str, Any] = {}
        self._dbos = importlib.import_module("dbos")

    def _report(self, code: str, node: ast.AST, message: str, help: Optional[str] = None) -> None:
        self.problems.append(diag(code, self.path, node.lineno, message, col=node_column(self.fence, node), help=help))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "dbos" or alias.name.startswith("dbos."):
                if self._import(alias.name) is None:
                    self._report("A001", node, f"module `{alias.name}` does not exist in the installed dbos")
                elif alias.name == "dbos" or alias.asname is None:
                    self.modules.add(alias.asname or "dbos")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module_name = node.module or ""
        if node.level or not (module_name == "dbos" or module_name.startswith("dbos.")):
            return
        module = self._import(module_name)
        if module is None:
            self._report("A001", node, f"module `{module_name}` does not exist in the installed dbos")
            return
        for alias in node.names:
            if alias.name == "*":
                self.names.update(_exported(module))
                continue
            value = getattr(module, alias.name, _MISSING)
            if value is _MISSING and self._import(f"{module_name}.{alias.name}") is None:
                self._report("A001", node, f"`{alias.name}` cannot be imported from `{module_name}`", help=_suggest(alias.name, dir(module)))
            elif value is not _MISSING:
                self.names[alias.asname or alias.name] = value

    def _import(self, name: str) -> Any:
        try:
            return importlib.import_module(name)
        except ImportError:
            return None

    def _resolve(self, node: ast.AST) -> Any:
        """The dbos object an expression names, or _MISSING when it is not (statically) a dbos object."""
        if isinstance(node, ast.Name):
            if node.id in self.modules:
                return self._dbos
            return self.names.get(node.id, _MISSING)
        if isinstance(node, ast.Attribute):
            owner = self._resolve(node.value)
            if owner is _MISSING:
                return _MISSING
            return inspect.getattr_static(owner, node.attr, _MISSING) if isinstance(owner, type) else getattr(owner, node.attr, _MISSING)
        return _MISSING

    def visit_Attribute(self, node: ast.Attribute) -> None:
        owner = self._resolve(node.value)
        if owner is not _MISSING and self._resolve(node) is _MISSING:
            if owner is self._dbos:
                self._report("A001", node, f"`dbos.{node.attr}` does not exist", help=_suggest(node.attr, dir(owner)))
            elif owner is getattr(self._dbos, "DBOS", None):
                self._report("A002", node, f"`DBOS.{node.attr}` does not exist in dbos {_version()}", help=_suggest(node.attr, dir(owner)))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        target = self._resolve(node.func)
        if target is not _MISSING:
            callable_value = self._unwrap(node.func, target)
            accepted = _keyword_names(callable_value)
            if accepted is not None:
                name = ast.unparse(node.func)
                for keyword in node.keywords:
                    if keyword.arg is not None and keyword.arg not in accepted:
                        code = "A004" if _is_typed_dict(callable_value) else "A003"
                        self.problems.append(
                            diag(
                                code,
                                self.path,
                                keyword.lineno,
                                f"`{name}` has no parameter `{keyword.arg}`" if code == "A003" else f"`{name}` has no key `{keyword.arg}`",
                                col=node_column(self.fence, keyword),
                                help=_suggest(keyword.arg, accepted),
                            )
                        )
            if callable_value is getattr(self._dbos, "DBOS", None):
                for keyword in node.keywords:
                    if keyword.arg == "config" and isinstance(keyword.value, ast.Dict):
                        self._check_dict(keyword.value, self._dbos.DBOSConfig, "DBOSConfig")
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        annotation = self._resolve(node.annotation)
        if _is_typed_dict(annotation) and isinstance(node.value, ast.Dict):
            self._check_dict(node.value, annotation, ast.unparse(node.annotation))
        self.generic_visit(node)

    def _unwrap(self, func: ast.expr, target: Any) -> Any:
        """Static descriptors (classmethod, staticmethod) become the callables they wrap, bound."""
        if isinstance(target, (classmethod, staticmethod)) and isinstance(func, ast.Attribute):
            return getattr(self._resolve(func.value), func.attr, target)
        return target

    def _check_dict(self, literal: ast.Dict, typed_dict: Any, name: str) -> None:
        keys = _typed_dict_keys(typed_dict)
        for key in literal.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value not in keys:
                self._report("A004", key, f"`{name}` has no key `{key.value}`", help=_suggest(key.value, keys))


def _exported(module: Any) -> dict[str, Any]:
    """What `from module import *` binds: the names in `__all__`, else the public ones."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in dir(module) if not name.startswith("_")]
    return {name: getattr(module, name) for name in names if hasattr(module, name)}


def _suggest(name: str, candidates: Any) -> Optional[str]:
    close = difflib.get_close_matches(name, [c for c in candidates if not c.startswith("_")], n=1)
    return f"did you mean `{close[0]}`?" if close else None


def _version() -> str:
    return version("dbos")
