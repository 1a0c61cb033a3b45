"""The registry of checks: stable codes, rule files from the planned bundle, all documented in the README."""

from __future__ import annotations

import re

import subprocess
import sys

from conftest import REPO, run_cli
from dbos_skill import __version__
from dbos_skill.check.output import rule_location
from dbos_skill.check.registry import CHECKS
from dbos_skill.codes import CODES

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


def test_dbos_skill_codes_lists_the_checks_with_their_rule_files_after_the_validators_codes() -> None:
    code, output = run_cli("codes")
    validate_part, check_part = output.split("`dbos-skill check` findings")
    assert code == 0
    for c in CODES.values():
        assert f"| {c.code} | {c.severity.value} | {c.meaning} |" in validate_part
    assert "| DBOS101 | workflow-clock | references/workflow-determinism.md | a workflow reads the clock outside a step |  |" in check_part
    assert "| DBOS007 | queue-concurrency | references/advanced-upgrading-v3.md | `concurrency=` on `register_queue` (deprecated: `global_concurrency=`) | yes |" in check_part
    assert [line.split(" | ")[0][2:] for line in check_part.splitlines() if line.startswith("| DBOS")] == list(CHECKS)


def test_check_py_lists_its_checks_with_the_rule_files_beside_it_and_prints_its_version(tmp_path) -> None:
    """An installed skill has no README: the checker itself says what its codes mean and which file explains each."""
    script = str(REPO / "scripts" / "check.py")
    listed = subprocess.run([sys.executable, script, "--list-checks"], cwd=tmp_path, capture_output=True, text=True)
    rows = [line for line in listed.stdout.splitlines() if line.startswith("| DBOS")]
    assert (listed.returncode, listed.stderr) == (0, "")
    assert f"| DBOS101 | workflow-clock | {REPO}/references/workflow-determinism.md | a workflow reads the clock outside a step |  |" in rows
    assert [row.split(" | ")[0][2:] for row in rows] == list(CHECKS)
    version = subprocess.run([sys.executable, script, "--version"], capture_output=True, text=True)
    python = ".".join(str(n) for n in sys.version_info[:3])
    assert (version.returncode, version.stdout) == (0, f"check.py {__version__} (Python {python})\n")
    console = subprocess.run([sys.executable, "-m", "dbos_skill", "check", "--version"], capture_output=True, text=True, env={"PYTHONPATH": str(REPO / "scripts"), "PATH": "/usr/bin:/bin"})
    assert console.stdout == f"dbos-skill check {__version__} (Python {python})\n"


def test_an_unknown_code_points_at_the_list_of_checks() -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "check.py"), "--select", "XYZ"], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "check.py: error: `XYZ` matches no check code (codes are DBOS001 to DBOS999; `--list-checks` lists them)\n"
