"""One validation: load the bundle, run the checks and the snippets, summarise."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .bundle import SKILL_FILE, load_bundle
from .checks import run_static_checks
from .checks.skill_md import estimated_tokens
from .model import Bundle, Diagnostic, Severity, Snippet, SnippetResult
from .report import Report, Summary
from .diagnostics import diag
from .run.pool import EnvironmentProblem, RunSettings, SnippetRunner
from .snippets import collect_snippets, documents


@dataclass(frozen=True)
class Options:
    run: bool = True
    strict: bool = False
    timeout: float = 60.0
    jobs: Optional[int] = None
    postgres_url: Optional[str] = None
    progress: bool = False  # show examples done and failures on stderr while they run


def validate(root: Path, options: Options, prefix: str = "") -> Report:
    """Validate the bundle at `root`; `prefix` is prepended to bundle-relative paths for display."""
    started = time.monotonic()
    settings = RunSettings(timeout_s=options.timeout, jobs=options.jobs, postgres_url=options.postgres_url, path_prefix=prefix)
    runner = SnippetRunner(settings) if options.run else None
    try:
        if runner is not None:
            runner.start()
        loaded = load_bundle(root)
        diagnostics = run_static_checks(loaded)
        snippets = collect_snippets(loaded.bundle)
        results = None
        if runner is not None:
            try:
                results = _run(runner, snippets, options.progress)
            except EnvironmentProblem as problem:  # said once; the static findings still stand
                diagnostics.append(diag("X010", SKILL_FILE, 1, problem.message, help=problem.help))
    finally:
        if runner is not None:
            runner.close()
    if results is not None:
        diagnostics += [d for result in results for d in result.diagnostics]
    ordered = tuple(sorted(diagnostics, key=lambda d: d.sort_key))
    return Report(
        prefix=prefix,
        diagnostics=ordered,
        results=results,
        unchecked=tuple(s for s in snippets if s.expectation.unchecked),
        summary=_summarise(loaded.bundle, ordered, len(snippets), time.monotonic() - started),
    )


def _run(runner: SnippetRunner, snippets: list[Snippet], progress: bool) -> tuple[SnippetResult, ...]:
    if not progress:
        return tuple(runner.run(snippets))
    from .progress import ExampleProgress

    shown = ExampleProgress(len(snippets))
    try:
        return tuple(runner.run(snippets, on_result=shown.advance))
    finally:
        shown.close()


def _summarise(bundle: Bundle, diagnostics: tuple[Diagnostic, ...], snippet_count: int, wall_s: float) -> Summary:
    texts = [d.text for d in documents(bundle)]
    skill_text = bundle.skill.text if bundle.skill else ""
    return Summary(
        files=len(bundle.files),
        rules=len(bundle.rules),
        snippets=snippet_count,
        errors=sum(d.severity is Severity.ERROR for d in diagnostics),
        warnings=sum(d.severity is Severity.WARNING for d in diagnostics),
        skill_tokens=estimated_tokens(skill_text),
        bundle_tokens=sum(estimated_tokens(t) for t in texts),
        wall_s=wall_s,
    )


def exit_code(report: Report, strict: bool) -> int:
    if report.summary.errors or (strict and report.summary.warnings):
        return 1
    return 0
