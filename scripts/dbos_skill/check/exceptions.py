"""Catching everything in a workflow: bare `except:` or `except BaseException` that does not re-raise.

In dbos 3.4.0 cancelling a workflow, or its timeout expiring, raises
DBOSWorkflowCancelledError, which derives from BaseException (not Exception) so that
`except Exception` lets it through. A bare `except:` or `except BaseException:` in the
workflow body catches it, and unless the handler re-raises, the cancelled or timed-out
workflow keeps running.
"""

from __future__ import annotations

import ast

from .base import Check, Reporter
from .model import Module

CHECKS = (
    Check("DBOS601", "workflow-swallows-cancellation", "workflow-control", "a workflow catches BaseException (bare `except:`) without re-raising"),
)


def run(module: Module) -> list:
    reporter = Reporter(module)
    for workflow in module.workflows():
        for handler in workflow.handlers:
            caught = _catches_everything(module, handler, workflow)
            if caught is None or _reraises(handler.body):
                continue
            reporter.report(
                "DBOS601",
                handler,
                f"`{caught}` in workflow `{workflow.name}` also catches DBOSWorkflowCancelledError: a cancelled or timed-out workflow goes on running its body up to its next DBOS call",
                "catch `Exception` instead, or re-raise with `raise` at the end of the handler",
            )
    return reporter.findings


def _catches_everything(module: Module, handler: ast.ExceptHandler, scope) -> "str | None":
    if handler.type is None:
        return "except:"
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for node in types:
        if isinstance(node, ast.Name) and node.id == "BaseException" and module.is_builtin("BaseException", scope):
            return "except BaseException"
    return None


def _reraises(body: list[ast.stmt]) -> bool:
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False
