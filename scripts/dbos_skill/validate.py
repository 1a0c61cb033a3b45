"""One validation: load the bundle, run the checks and the snippets, summarise."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .bundle import REFERENCES_DIR, SECTIONS_FILE, SKILL_FILE, load_bundle
from .checks import run_static_checks
from .checks.skill_md import estimated_tokens
from .model import Bundle, Diagnostic, Severity, Snippet, SnippetResult
from .report import Report, Summary
from .diagnostics import diag
from .snippets import collect_snippets, documents

if TYPE_CHECKING:
    from .run.pool import SnippetRunner


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
    runner = None
    if options.run:  # the runner's modules are imported only to run examples: --no-run stays lean
        from .run.pool import RunSettings, SnippetRunner

        runner = SnippetRunner(RunSettings(timeout_s=options.timeout, jobs=options.jobs, postgres_url=options.postgres_url, path_prefix=prefix))
    notes: list[str] = []
    try:
        if runner is not None:
            runner.prepare(start_worker=may_have_examples(root))  # dbos's import overlaps the parsing
        elif options.postgres_url:
            notes += _sweep_only(options.postgres_url)
        loaded = load_bundle(root)
        diagnostics = run_static_checks(loaded)
        snippets = collect_snippets(loaded.bundle)
        results = None
        if runner is not None:
            from .run.pool import EnvironmentProblem

            try:
                results = _run(runner, snippets, options.progress)
            except EnvironmentProblem as problem:  # said once; the static findings still stand
                diagnostics.append(diag("X010", SKILL_FILE, 1, problem.message, help=problem.help))
    finally:
        if runner is not None:
            runner.close()
            notes += runner.notes
    if results is not None:
        diagnostics += [d for result in results for d in result.diagnostics]
    ordered = tuple(sorted(diagnostics, key=lambda d: d.sort_key))
    return Report(
        prefix=prefix,
        diagnostics=ordered,
        results=results,
        unchecked=tuple(s for s in snippets if s.expectation.unchecked),
        summary=_summarise(loaded.bundle, ordered, len(snippets), time.monotonic() - started),
        notes=tuple(notes),
    )


FENCE_OPENER = re.compile(rb"(?:```|~~~)[ \t]*python")
SCAN_CHUNK_BYTES = 1 << 20


def may_have_examples(root: Path) -> bool:
    """False only when the bundle surely has no example to run: no sections file, or no python fence.

    Read before parsing, to decide whether to start the snippet worker while the bundle is parsed;
    a wrong True costs a worker start, a wrong False only the overlap (the runner starts it later).
    """
    references = root / REFERENCES_DIR
    if not (root / SECTIONS_FILE).is_file():
        return False
    try:
        candidates = [root / SKILL_FILE, *sorted(references.glob("*.md"))]
    except OSError:
        return True
    return any(_has_python_fence(path) for path in candidates)


def _has_python_fence(path: Path) -> bool:
    try:
        with open(path, "rb") as stream:
            tail = b""
            while chunk := stream.read(SCAN_CHUNK_BYTES):
                if FENCE_OPENER.search(tail + chunk):
                    return True
                tail = chunk[-64:]  # an opener cut by the chunk boundary
    except OSError:
        return False
    return False


def _sweep_only(url: str) -> list[str]:
    """`--no-run --postgres-url`: run nothing, but drop what killed runs left on that server."""
    from .run import postgres
    from .run.pool import RunnerError, swept_note

    try:
        swept = postgres.sweep_dead_runs(url)
    except postgres.PostgresError as error:
        raise RunnerError(str(error)) from error
    return [swept_note(swept)] if swept else []


def _run(runner: "SnippetRunner", snippets: list[Snippet], progress: bool) -> tuple[SnippetResult, ...]:
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
