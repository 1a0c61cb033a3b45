"""Index coverage: SKILL.md routes to every rule file, and only to rule files that exist."""

from __future__ import annotations

from ..bundle import REFERENCES_DIR
from ..diagnostics import diag
from ..links import resolve_link
from ..model import Bundle, Diagnostic


def routed_paths(bundle: Bundle) -> dict[str, tuple[int, int]]:
    """Each references/*.md path SKILL.md links to, with the first link's position."""
    routes: dict[str, tuple[int, int]] = {}
    if bundle.skill is None:
        return routes
    for link in bundle.skill.links:
        target = resolve_link(bundle.skill.path, link.target)
        if target is not None and target.path and _is_reference(target.path):
            routes.setdefault(target.path, (link.line, link.col))
    return routes


def _is_reference(path: str) -> bool:
    return path.startswith(REFERENCES_DIR + "/") and path.endswith(".md")


def check_coverage(bundle: Bundle) -> list[Diagnostic]:
    if bundle.skill is None:
        return []
    routes = routed_paths(bundle)
    rules = {rule.path for rule in bundle.rules}
    problems: list[Diagnostic] = []
    for rule in sorted(rules - set(routes)):
        problems.append(
            diag(
                "I001",
                rule,
                1,
                "rule file is not routed from SKILL.md",
                help=f"add `- [{rule.rsplit('/', 1)[-1][:-3]}]({rule}): read when ...` to SKILL.md",
            )
        )
    if not bundle.has_references:
        return problems  # B002 already says the directory is missing
    for path, (line, col) in sorted(routes.items()):
        if path not in rules and bundle.link_targets[path].state not in ("exists", "reported"):
            problems.append(diag("I002", bundle.skill.path, line, f"SKILL.md routes to `{path}`, which does not exist", col=col))
    return problems
