"""The registry of checks: stable codes, rule files from the planned bundle, all documented in the README."""

from __future__ import annotations

import re

from conftest import REPO
from dbos_skill.check.output import rule_location
from dbos_skill.check.registry import CHECKS

# The rule files of the re-planned bundle (final names).
PLANNED_RULES = set(
    """lifecycle-config lifecycle-launch lifecycle-fastapi lifecycle-deployment workflow-determinism
    workflow-serialization workflow-idempotency workflow-timeout workflow-control workflow-introspection
    workflow-recovery step-basics step-retries step-transactions step-timeouts queue-basics queue-concurrency
    queue-deduplication queue-partitioning queue-management comm-events comm-messages comm-streaming
    pattern-scheduled pattern-sleep pattern-debouncing pattern-classes pattern-agents test-fixtures test-recovery
    client-basics client-outbox advanced-async advanced-versioning advanced-upgrading-v3 advanced-observability""".split()
)


def test_codes_are_well_formed_and_names_unique() -> None:
    assert all(re.fullmatch(r"DBOS\d{3}", code) for code in CHECKS)
    names = [check.name for check in CHECKS.values()]
    assert len(names) == len(set(names))


def test_every_check_names_a_planned_rule_file() -> None:
    for check in CHECKS.values():
        if check.code not in ("DBOS998", "DBOS999"):
            assert check.rule in PLANNED_RULES, check


def test_every_check_is_in_the_readme_table() -> None:
    readme = (REPO / "README.md").read_text()
    for check in CHECKS.values():
        rule = f"[{check.rule}](references/{check.rule}.md)" if check.rule else "-"
        fix = "yes" if check.fixable else ""
        assert f"| {check.code} | {check.name} | {rule} | {check.summary} | {fix} |" in readme, check.code


def test_a_rule_is_shown_as_its_file_in_the_skill() -> None:
    assert rule_location(None) is None
    assert rule_location("no-such-rule") == "references/no-such-rule.md"
