"""The validator's tie to `dbos-skill check`: each fixture under tests/fixtures/tie breaks it one way.

The fixtures are a small bundle tied to two checks (DBOS101 in workflow-determinism, DBOS401 in
lifecycle-launch); the registry is narrowed to those two so the bundle can be complete.
A case holds the files it changes relative to tests/fixtures/tie/_base, an optional REMOVE list,
and EXPECTED: one `path:line:col: CODE` per diagnostic.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from dbos_skill.check.registry import CHECKS
from dbos_skill.checks import tie as check_tie

import json

TIE = FIXTURES / "tie"
CASES = sorted(p for p in TIE.iterdir() if p.is_dir() and not p.name.startswith("_"))
TIED = ("DBOS101", "DBOS401")


@pytest.fixture(autouse=True)
def two_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_tie, "enforced_checks", lambda: {code: CHECKS[code] for code in TIED})


def materialize(case: Path, destination: Path) -> Path:
    bundle = destination / "dbos-python"
    shutil.copytree(TIE / "_base", bundle)
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case).as_posix()
        if relative in ("EXPECTED", "REMOVE") or source.is_dir():
            continue
        (bundle / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, bundle / relative)
    removals = case / "REMOVE"
    for line in removals.read_text().splitlines() if removals.exists() else []:
        (bundle / line).unlink()
    return bundle


def validate(bundle: Path) -> tuple[int, dict]:
    code, output = run_cli("validate", str(bundle), "--no-run", "--format", "json")
    return code, json.loads(output)


def test_the_tied_base_bundle_is_clean_and_lists_its_unchecked_example(tmp_path: Path) -> None:
    bundle = materialize(TIE / "_base", tmp_path)
    code, report = validate(bundle)
    assert (code, report["diagnostics"]) == (0, [])
    assert [(Path(u["path"]).name, u["line"]) for u in report["unchecked"]] == [("workflow-determinism.md", 25)]
    _, text = run_cli("validate", str(bundle), "--no-run")
    assert "unchecked by dbos-skill check (1):" in text


def test_the_unchecked_list_comes_before_the_findings(tmp_path: Path) -> None:
    bundle = materialize(TIE / "_base", tmp_path).rename(tmp_path / "misnamed")  # S003, a warning
    _, text = run_cli("validate", str(bundle), "--no-run")
    lines = text.splitlines()
    assert lines[0] == "unchecked by dbos-skill check (1):"
    assert lines[2].startswith(f"{bundle}/SKILL.md:2:7: S003 ")
    assert lines[-1].startswith("Checked ")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tie_fixture_reports_exactly_its_diagnostics(case: Path, tmp_path: Path) -> None:
    bundle = materialize(case, tmp_path)
    code, report = validate(bundle)
    found = {f"{Path(d['path']).relative_to(bundle).as_posix() if d['path'].startswith(str(bundle)) else d['path']}:{d['line']}:{d['col']}: {d['code']}" for d in report["diagnostics"]}
    expected = {line.strip() for line in (case / "EXPECTED").read_text().splitlines() if line.strip()}
    assert found == expected
    assert code == (1 if expected else 0)


def test_an_untied_bundle_is_held_to_declared_examples_only(tmp_path: Path) -> None:
    """Before any fence declares check=, correct examples with findings and missing rule files are not errors."""
    bundle = materialize(TIE / "correct-has-finding", tmp_path)
    for rule in (bundle / "references").glob("*.md"):
        text = rule.read_text().replace(" check=DBOS401", "").replace(" check=DBOS101", "").replace(" unchecked", "")
        rule.write_text(text)
    code, report = validate(bundle)
    assert (code, report["diagnostics"]) == (0, [])


def test_an_opt_in_check_counts_on_an_incorrect_example_only_where_declared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_tie, "enforced_checks", lambda: {code: CHECKS[code] for code in (*TIED, "DBOS403")})
    bundle = materialize(TIE / "_base", tmp_path)
    rule = bundle / "references" / "workflow-determinism.md"
    rule.write_text(rule.read_text().replace("import time\nfrom dbos import DBOS\n\n@DBOS.workflow()\ndef stamp", 'import time\nfrom dbos import DBOS\n\nDBOS(config={"name": "stamps"})\n\n@DBOS.workflow()\ndef stamp', 1))
    assert rule.read_text().count('DBOS(config={"name": "stamps"})') == 1
    _, report = validate(bundle)
    assert [d["code"] for d in report["diagnostics"] if d["code"] == "K001"] == []
    assert "references/lifecycle-config.md" in {d["path"].split("dbos-python/")[-1] for d in report["diagnostics"] if d["code"] == "K004"}


def k001(report: dict) -> list[str]:
    return [f"{Path(d['path']).name}:{d['line']}:{d['col']}: {d['message']}" for d in report["diagnostics"] if d["code"] == "K001"]


def test_a_declared_code_the_checker_misses_says_the_checker_reports_nothing(tmp_path: Path) -> None:
    _, report = validate(materialize(TIE / "declared-not-reported", tmp_path))
    assert k001(report) == [
        "workflow-determinism.md:14:1: the example declares `check=DBOS101`, but the checker does not report it (it reports nothing)"
    ]


def test_a_declared_code_the_checker_misses_names_the_codes_it_does_report(tmp_path: Path) -> None:
    bundle = materialize(TIE / "_base", tmp_path)
    rule = bundle / "references" / "lifecycle-launch.md"
    rule.write_text(rule.read_text().replace("check=DBOS401", "check=DBOS101"))
    _, report = validate(bundle)
    first, second = k001(report)
    assert first == "lifecycle-launch.md:14:1: the example declares `check=DBOS101`, but the checker does not report it (it reports DBOS401)"
    assert second.startswith("lifecycle-launch.md:14:1: the checker also reports DBOS401 on this example: ")
