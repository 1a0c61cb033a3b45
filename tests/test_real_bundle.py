"""The repository's own skill: clean, small, and every example runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import REPO, copy_skill, snapshot, validate_json

SKILL_MAX_CHARS = 6000
RULE_TOPICS = {
    "lifecycle": ["config", "launch", "fastapi", "deployment"],
    "workflow": ["determinism", "serialization", "idempotency", "timeout", "control", "introspection", "recovery"],
    "step": ["basics", "retries", "transactions", "timeouts"],
    "queue": ["basics", "concurrency", "deduplication", "partitioning", "management"],
    "comm": ["events", "messages", "streaming"],
    "pattern": ["scheduled", "sleep", "debouncing", "classes", "agents"],
    "test": ["fixtures", "recovery"],
    "client": ["basics", "outbox"],
    "advanced": ["async", "versioning", "upgrading-v3", "observability"],
}


@pytest.fixture
def skill(tmp_path: Path) -> Path:
    return copy_skill(tmp_path)


def test_static_checks_are_clean_even_in_strict_mode(skill: Path) -> None:
    code, report = validate_json(skill, "--no-run", "--strict")
    assert (code, report["diagnostics"]) == (0, [])


def test_the_bundle_has_exactly_the_36_planned_rules() -> None:
    planned = {f"{prefix}-{topic}.md" for prefix, topics in RULE_TOPICS.items() for topic in topics}
    present = {p.name for p in (REPO / "references").glob("*.md") if not p.name.startswith("_")}
    assert len(planned) == 36
    assert present == planned


def test_skill_md_stays_small_enough_to_load_on_every_trigger() -> None:
    text = (REPO / "SKILL.md").read_text()
    description = yaml.safe_load(text.split("---\n")[1])["description"]
    assert len(text) < SKILL_MAX_CHARS
    assert len(description) < 1024


def test_examples_run_clean_on_sqlite(skill: Path) -> None:
    before = snapshot(skill)
    code, report = validate_json(skill)
    failures = [f"{d['path']}:{d['line']}: {d['code']} {d['message']}" for d in report["diagnostics"]]
    assert (code, failures) == (0, [])
    assert report["summary"]["outcomes"]["skipped"] == 0
    assert len(report["snippets"]) == report["summary"]["snippets"]
    assert snapshot(skill) == before


@pytest.mark.postgres
def test_examples_run_clean_on_postgres(skill: Path, postgres_url: str) -> None:
    code, report = validate_json(skill, "--postgres-url", postgres_url)
    failures = [f"{d['path']}:{d['line']}: {d['code']} {d['message']}" for d in report["diagnostics"]]
    assert (code, failures) == (0, [])
    assert report["summary"]["outcomes"]["skipped"] == 0
