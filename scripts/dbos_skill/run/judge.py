"""Turning a finished snippet process into an outcome and, when it failed, a diagnostic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from ..diagnostics import diag
from ..model import Snippet, SnippetResult

MAX_DETAIL_LINES = 40
MISSING_EXAMPLE_DEPENDENCY = "install what the examples import: pip install -e '.[examples]'"


@dataclass(frozen=True)
class Finished:
    """What the worker and the snippet process left behind."""

    status: str  # "exited" or "timeout"
    returncode: int
    duration_s: float
    result: Optional[dict[str, Any]]
    stderr_tail: str
    timeout_s: float
    waiting_for: tuple[str, ...] = ()  # the non-daemon threads the process was waiting for when it ended


def judge(snippet: Snippet, finished: Finished) -> SnippetResult:
    kind = snippet.expectation.kind
    result = finished.result
    if finished.status == "timeout" and finished.waiting_for:
        return _failed(
            snippet,
            finished,
            "X002",
            snippet.line,
            f"timed out after {finished.timeout_s:g} s waiting for the non-daemon thread(s) it left running, "
            f"as `python` would at exit: {', '.join(finished.waiting_for)}; its process group was killed",
            help="end or join the threads the example starts, or make them daemon threads",
        )
    if finished.status == "timeout":
        return _failed(
            snippet,
            finished,
            "X002",
            snippet.line,
            f"timed out after {finished.timeout_s:g} s; its process group was killed",
            help="keep waits short, or raise --timeout",
        )
    if result is None:
        return _failed(
            snippet,
            finished,
            "X001",
            snippet.line,
            f"process ended with exit code {finished.returncode} before reporting a result",
            detail=finished.stderr_tail,
        )
    if result.get("leftover"):
        return _failed(
            snippet,
            finished,
            "X008",
            snippet.line,
            f"left {len(result['leftover'])} process(es) running, now killed: {'; '.join(result['leftover'])}",
            help="wait for or terminate the processes the example starts",
        )
    status = result["status"]
    line = result.get("line") or snippet.line
    warnings = result.get("warnings", [])
    declared = re.compile(snippet.expectation.logs) if snippet.expectation.logs else None
    matching = [w for w in warnings if declared is not None and declared.search(w)]
    unexpected = [w for w in warnings if w not in matching]
    if kind == "passes":
        if status != "ok":
            return _crash(snippet, finished, "X001", line, result)
        if unexpected:
            detail = "\n".join(unexpected) if len(unexpected) > 1 else None
            return _failed(snippet, finished, "X003", snippet.line, unexpected[0], detail=detail)
        if declared is not None and not matching:
            return _failed(snippet, finished, "X009", snippet.line, f"declared `logs={declared.pattern}`, but nothing matching was logged")
        return _outcome(snippet, finished, "passed")
    if kind == "raises":
        expected = snippet.expectation.exception or ""
        if status == "exception":
            if any(name == expected or name.endswith("." + expected) for name in result["types"]):
                return _outcome(snippet, finished, "proven")
            return _crash(snippet, finished, "X005", line, result, prefix=f"expected {expected}, but raised ")
        return _failed(
            snippet,
            finished,
            "X004",
            snippet.line,
            f"declared `raises={expected}`, but the example " + ("ran to the end" if status == "ok" else f"ended with {result['message']}"),
            help="make the example show its mistake, or declare runs-but-wrong",
        )
    if status != "ok":
        return _crash(snippet, finished, "X006", line, result, prefix=f"declared `{kind}`, but it crashed: ")
    if kind == "warns" and not (matching if declared is not None else warnings):
        wanted = f" matching `{declared.pattern}`" if declared is not None else ""
        return _failed(snippet, finished, "X007", snippet.line, f"declared `warns`, but neither DBOS nor Python warned{wanted}")
    return _outcome(snippet, finished, "proven" if kind == "warns" else "runs-but-wrong")


def worker_died(snippet: Snippet, how: str) -> SnippetResult:
    """The worker died while this example ran alone: the example killed it (or made it be killed)."""
    message = f"the snippet worker died ({how}) while this example ran alone, so it has no result"
    diagnostic = diag(
        "X011",
        snippet.path,
        snippet.line,
        message,
        help="an example must not kill or signal its parent process (os.getppid() is the runner's worker), nor exhaust the memory",
    )
    return SnippetResult(snippet=snippet, outcome="failed", duration_s=0.0, error=message, diagnostics=(diagnostic,))


def _outcome(snippet: Snippet, finished: Finished, outcome: str) -> SnippetResult:
    return SnippetResult(snippet=snippet, outcome=outcome, duration_s=finished.duration_s)


def _crash(snippet: Snippet, finished: Finished, code: str, line: int, result: dict[str, Any], prefix: str = "") -> SnippetResult:
    message = result["message"]
    help = MISSING_EXAMPLE_DEPENDENCY if message.startswith("ModuleNotFoundError") else None
    return _failed(snippet, finished, code, line, prefix + message, help=help, detail=result.get("traceback"))


def _failed(
    snippet: Snippet,
    finished: Finished,
    code: str,
    line: int,
    message: str,
    *,
    help: Optional[str] = None,
    detail: Optional[str] = None,
) -> SnippetResult:
    if detail:
        detail = "\n".join(detail.rstrip("\n").split("\n")[-MAX_DETAIL_LINES:])
    diagnostic = diag(code, snippet.path, line, message, help=help, detail=detail or None)
    return SnippetResult(snippet=snippet, outcome="failed", duration_s=finished.duration_s, error=message, diagnostics=(diagnostic,))
