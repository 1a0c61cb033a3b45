"""The static checks: each takes the bundle and returns its diagnostics."""

from __future__ import annotations

from ..bundle import LoadedBundle
from ..model import Diagnostic
from .api import check_api
from .conventions import collapse_absent_conventions
from .coverage import check_coverage
from .fences import check_fences
from .links import check_links
from .rules import check_rules
from .sections import check_sections
from .size import check_size
from .skill_md import check_body_size, check_frontmatter, check_priority_table
from .tie import check_tie

BUNDLE_CHECKS = (
    check_frontmatter,
    check_body_size,
    check_sections,
    check_priority_table,
    check_rules,
    check_fences,
    check_coverage,
    check_size,
    check_api,
    check_links,
    check_tie,
)


def run_static_checks(loaded: LoadedBundle) -> list[Diagnostic]:
    """Every static check's findings, plus what reading the bundle found."""
    found = list(loaded.diagnostics)
    for check in BUNDLE_CHECKS:
        found += check(loaded.bundle)
    return collapse_absent_conventions(loaded.bundle, found)
