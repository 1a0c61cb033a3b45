"""Rendering a validation result as text (ruff-like), JSON, or GitHub annotations."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from .check import layout, sarif
from .codes import CODES, Code
from .model import OUTCOMES, Diagnostic, Severity, Snippet, SnippetResult


@dataclass(frozen=True)
class Summary:
    files: int
    rules: int
    snippets: int
    errors: int
    warnings: int
    skill_tokens: int
    bundle_tokens: int
    wall_s: Optional[float] = None


@dataclass(frozen=True)
class Report:
    """What one validation found; `prefix` turns bundle paths into display paths."""

    prefix: str
    diagnostics: tuple[Diagnostic, ...]
    results: Optional[tuple[SnippetResult, ...]]
    summary: Summary
    unchecked: tuple[Snippet, ...] = ()  # Incorrect examples whose mistake `dbos-skill check` cannot catch
    notes: tuple[str, ...] = ()  # what happened besides the findings (stderr, never in the report itself)

    def display(self, path: str) -> str:
        return f"{self.prefix}{path}"


def render(report: Report, fmt: str) -> str:
    return {"text": render_text, "json": render_json, "github": render_github, "sarif": render_sarif}[fmt](report)


def outcome_counts(results: tuple[SnippetResult, ...]) -> dict[str, int]:
    counts = Counter(result.outcome for result in results)
    return {outcome: counts.get(outcome, 0) for outcome in OUTCOMES}


def render_text(report: Report) -> str:
    """The lists first, then the diagnostics, then the summary: as pytest does, the failures end up right above it."""
    lines = [*_listed_snippets(report), *_diagnostic_lines(report), *_summary_lines(report)]
    return "\n".join(lines) + "\n"


def _listed_snippets(report: Report) -> list[str]:
    """Examples that are not findings but stay visible: runs-but-wrong, skipped, and unchecked by the checker."""
    lines: list[str] = []
    if report.results is not None:
        for outcome in ("runs-but-wrong", "skipped"):
            listed = [r for r in report.results if r.outcome == outcome]
            if listed:
                lines.append(f"{outcome} ({len(listed)}):")
                for result in listed:
                    snippet = result.snippet
                    note = snippet.expectation.reason if outcome == "skipped" else (snippet.caption or "").rstrip(":")
                    lines.append(f"  {report.display(snippet.path)}:{snippet.line}" + (f"  {note}" if note else ""))
    if report.unchecked:
        lines.append(f"unchecked by dbos-skill check ({len(report.unchecked)}):")
        for snippet in report.unchecked:
            note = (snippet.caption or "").rstrip(":")
            lines.append(f"  {report.display(snippet.path)}:{snippet.line}" + (f"  {note}" if note else ""))
    return lines


def _diagnostic_lines(report: Report) -> list[str]:
    lines: list[str] = []
    for d in report.diagnostics:
        lines.extend(layout.finding(report.display(d.path), d.line, d.col, d.code, d.message, d.help))
        if d.detail:
            lines.extend("  | " + line for line in d.detail.rstrip("\n").split("\n"))
    return lines


def _summary_lines(report: Report) -> list[str]:
    lines: list[str] = []
    s = report.summary
    if report.results:  # "Ran 0 snippets" says nothing the counts below do not
        counts = outcome_counts(report.results)
        ran = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)
        lines.append(f"Ran {len(report.results)} snippets in {s.wall_s:.1f} s: {ran}.")
    lines.append(
        f"Checked {layout.plural(s.files, 'file')} ({layout.plural(s.rules, 'rule')}, {layout.plural(s.snippets, 'python snippet')}): {layout.problems(s.errors, s.warnings)}. "
        f"Estimated tokens: SKILL.md {s.skill_tokens:,}, bundle {s.bundle_tokens:,}."
    )
    return lines


def render_json(report: Report) -> str:
    s = report.summary
    summary: dict[str, object] = {
        "files": s.files,
        "rules": s.rules,
        "snippets": s.snippets,
        "errors": s.errors,
        "warnings": s.warnings,
        "skill_tokens": s.skill_tokens,
        "bundle_tokens": s.bundle_tokens,
    }
    document: dict[str, object] = {"diagnostics": [_diagnostic_json(report, d) for d in report.diagnostics], "summary": summary}
    if report.unchecked:
        document["unchecked"] = [{"path": report.display(u.path), "line": u.line, "caption": u.caption} for u in report.unchecked]
    if report.results is not None:
        summary["outcomes"] = outcome_counts(report.results)
        summary["wall_s"] = round(s.wall_s or 0.0, 3)
        document["snippets"] = [_snippet_json(report, r) for r in report.results]
    return json.dumps(document, indent=2) + "\n"


def _diagnostic_json(report: Report, d: Diagnostic) -> dict[str, object]:
    entry: dict[str, object] = {
        "path": report.display(d.path),
        "line": d.line,
        "col": d.col,
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
    }
    if d.help:
        entry["help"] = d.help
    if d.detail:
        entry["detail"] = d.detail
    return entry


def _snippet_json(report: Report, result: SnippetResult) -> dict[str, object]:
    snippet = result.snippet
    entry: dict[str, object] = {
        "path": report.display(snippet.path),
        "line": snippet.line,
        "label": snippet.label,
        "expectation": snippet.expectation.describe(),
        "outcome": result.outcome,
        "duration_s": round(result.duration_s, 3),
    }
    if result.error:
        entry["error"] = result.error
    return entry


def render_github(report: Report) -> str:
    lines = []
    for d in report.diagnostics:
        level = "error" if d.severity is Severity.ERROR else "warning"
        lines.append(layout.annotation(level, report.display(d.path), d.line, d.col, d.code, layout.body(d.message, d.help, d.detail)))
    s = report.summary
    lines.append(f"Checked {layout.plural(s.files, 'file')}: {layout.problems(s.errors, s.warnings)}.")
    return "\n".join(lines) + "\n"


TOOL_NAME = "dbos-skill validate"


def sarif_rule(code: Code) -> sarif.Rule:
    """A diagnostic code as a SARIF rule: its meaning, and its severity as the default level."""
    help = f"{code.meaning[0].upper()}{code.meaning[1:]}. The finding's message says what to change; `dbos-skill codes` lists every code."
    return sarif.Rule(code.code, code.meaning, help=help, level=code.severity.value)


def render_sarif(report: Report) -> str:
    """SARIF 2.1.0 for GitHub code scanning: every diagnostic code as a rule, every diagnostic as a result."""
    from . import __version__

    results = [
        sarif.Result(d.code, d.severity.value, layout.body(d.message, d.help, d.detail), report.display(d.path), d.line, d.col)
        for d in report.diagnostics
    ]
    return sarif.render(TOOL_NAME, __version__, [sarif_rule(code) for code in CODES.values()], results)
