"""The command line: exit codes, output formats, bundle discovery, and no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, materialize, run_cli
from dbos_skill.codes import CODES


def dbos_skill(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dbos_skill", *args], cwd=cwd, capture_output=True, text=True, env=dict(os.environ))


@pytest.mark.parametrize(
    "args, message",
    [
        (["validate", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["validate", "--jobs", "0"], "argument --jobs/-j: expected a positive whole number, got '0'"),
        (["validate", "--jobs", "many"], "argument --jobs/-j: expected a positive whole number, got 'many'"),
        (["validate", "--timeout", "-1"], "argument --timeout: expected a positive number of seconds, got '-1'"),
        (["validate", "--timeout", "abc"], "argument --timeout: expected a positive number of seconds, got 'abc'"),
        (["validate", "--timeout", "nan"], "argument --timeout: expected a positive number of seconds, got 'nan'"),
        (["validate", "--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["validate", "no/such/bundle"], "no/such/bundle: no such directory"),
        (["validate", "SKILL.md"], "SKILL.md: not a directory; pass the directory that holds it: dbos-skill validate ."),
        (["validate", "README.md"], "README.md: not a directory; pass the bundle directory, the one that holds SKILL.md"),
        (["validate", ""], "argument BUNDLE: the bundle path is empty"),
        (["validate", "--postgres-url", "mysql://user:secret@localhost/db"], "argument --postgres-url: expected a postgresql:// URL"),
        (["validate", "--postgres-url", ""], "argument --postgres-url: the URL is empty"),
        (["validate", "--postgres-url", " "], "argument --postgres-url: the URL is empty"),
        ([], "the following arguments are required: COMMAND"),
    ],
    ids=[
        "bad-format",
        "zero-jobs",
        "word-jobs",
        "negative-timeout",
        "word-timeout",
        "nan-timeout",
        "unknown-option",
        "missing-bundle",
        "skill-md-as-bundle",
        "file-as-bundle",
        "empty-bundle",
        "not-postgres",
        "empty-postgres-url",
        "blank-postgres-url",
        "no-command",
    ],
)
def test_bad_arguments_exit_2_with_a_plain_message(args: list[str], message: str) -> None:
    result = dbos_skill(*args)
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in last
    assert not re.search(r"\b_\w", result.stderr), "no internal names in messages"
    assert "secret" not in result.stderr


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: os.symlink(p.name, p), "a symlink loop, not a directory"),
        (lambda p: os.symlink("gone", p), "a broken symlink to gone"),
    ],
    ids=["loop", "broken"],
)
def test_a_bundle_argument_that_is_a_bad_symlink_says_so(make, message: str, tmp_path: Path) -> None:
    bundle = tmp_path / "dbos-python"
    make(bundle)
    result = dbos_skill("validate", "--no-run", str(bundle))
    assert (result.returncode, result.stderr) == (2, f"dbos-skill: error: {bundle}: {message}\n")


def test_an_unreachable_postgres_server_is_a_usage_error() -> None:
    result = dbos_skill("validate", str(FIXTURES / "run"), "--postgres-url", "postgresql://postgres@127.0.0.1:1/postgres")
    assert result.returncode == 2
    assert "cannot connect" in result.stderr and "Traceback" not in result.stderr


def test_without_a_bundle_argument_the_enclosing_skill_is_found(tmp_path: Path) -> None:
    bundle = materialize(FIXTURES / "static" / "api-removed-declared", tmp_path)
    result = dbos_skill("validate", "--no-run", cwd=bundle / "references")
    assert result.returncode == 0, result.stdout
    assert "Checked 3 files" in result.stdout


def test_outside_any_skill_is_a_usage_error(tmp_path: Path) -> None:
    result = dbos_skill("validate", "--no-run", cwd=tmp_path)
    assert result.returncode == 2
    assert "no SKILL.md" in result.stderr


def test_text_output_is_path_line_col_code_message_then_help_then_summary(tmp_path: Path) -> None:
    bundle = materialize(FIXTURES / "static" / "impact-differs", tmp_path)
    code, output = run_cli("validate", str(bundle), "--no-run")
    lines = output.splitlines()
    assert code == 1
    assert lines[0] == f"{bundle}/references/lifecycle-example.md:3:9: R002 impact HIGH differs from section Lifecycle's impact CRITICAL"
    assert lines[1] == "  help: set `impact: CRITICAL`"
    assert re.match(r"Checked 3 files \(1 rule, 2 python snippets\): found 1 problem \(1 error, 0 warnings\)\. Estimated tokens: SKILL\.md \d+, bundle \d+\.", lines[2])


FINDING = re.compile(r"\S+:\d+:\d+: [A-Z]\d{3} ")


def test_failures_come_last_right_above_the_summary(example_options: tuple[str, ...]) -> None:
    code, output = run_cli("validate", str(FIXTURES / "run"), *example_options)
    lines = output.splitlines()
    first_finding = next(i for i, line in enumerate(lines) if FINDING.match(line))
    assert code == 1
    assert (lines[0], lines[2]) == ("runs-but-wrong (1):", "skipped (1):")
    assert lines[1].endswith("references/lifecycle-outcomes.md:158  Incorrect (expect: runs-but-wrong)")
    assert lines[3].endswith("references/lifecycle-outcomes.md:281  needs a GPU")
    assert first_finding == 4
    findings = lines[first_finding:-2]
    assert all(FINDING.match(line) or line.startswith(("  help: ", "  | ")) for line in findings)
    assert lines[-2].startswith("Ran 24 snippets in ") and lines[-1].startswith("Checked 3 files ")


def test_github_format_emits_workflow_annotations(tmp_path: Path) -> None:
    bundle = materialize(FIXTURES / "static" / "skill-name-differs", tmp_path)
    code, output = run_cli("validate", str(bundle), "--no-run", "--format", "github")
    assert code == 0
    assert output.splitlines()[0].startswith(f"::warning file={bundle}/SKILL.md,line=2,col=7,title=S003::")


# The shapes `dbos-skill check` and `dbos-skill validate` share, so a user of one recognises the other.
FINDING_LINE = re.compile(r"(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d{3}) (?P<message>.+)")
HELP_LINE = re.compile(r"  help: .+")
SUMMARY_LINE = re.compile(r"Checked \d+ files?(?: \([^)]*\))?: (?:no problems|found \d+ problems?(?: \([^)]*\))?)\.")
ANNOTATION = re.compile(r"::(?:error|warning) file=[^,]+,line=\d+,col=\d+,title=[A-Z]+\d{3}::.+%0Ahelp: .+")
WORKFLOW_DBOS101 = "from dbos import DBOS\nimport time\n\n\n@DBOS.workflow()\ndef checkout() -> float:\n    return time.time()\n"


def test_check_and_validate_print_findings_help_and_summary_alike(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(WORKFLOW_DBOS101)
    bundle = materialize(FIXTURES / "static" / "impact-differs", tmp_path)
    outputs = {
        "check": run_cli("check", str(tmp_path / "app.py"))[1].splitlines(),
        "validate": run_cli("validate", str(bundle), "--no-run")[1].splitlines(),
    }
    for tool, lines in outputs.items():
        assert FINDING_LINE.fullmatch(lines[0]), tool
        assert HELP_LINE.fullmatch(lines[1]), tool
        assert SUMMARY_LINE.match(lines[-1]), tool
    assert outputs["check"][-1] == "Checked 1 file: found 1 problem."
    assert outputs["validate"][-1].startswith("Checked 3 files (1 rule, 2 python snippets): found 1 problem (1 error, 0 warnings). ")


def test_check_and_validate_annotate_github_alike(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(WORKFLOW_DBOS101)
    bundle = materialize(FIXTURES / "static" / "impact-differs", tmp_path)
    checked = run_cli("check", "--format", "github", str(tmp_path / "app.py"))[1].splitlines()
    validated = run_cli("validate", str(bundle), "--no-run", "--format", "github")[1].splitlines()
    assert ANNOTATION.fullmatch(checked[0]) and ANNOTATION.fullmatch(validated[0])
    assert (checked[-1], validated[-1]) == ("Checked 1 file: found 1 problem.", "Checked 3 files: found 1 problem (1 error, 0 warnings).")


def test_strict_turns_warnings_into_failures(tmp_path: Path) -> None:
    bundle = materialize(FIXTURES / "static" / "skill-name-differs", tmp_path)
    assert run_cli("validate", str(bundle), "--no-run")[0] == 0
    assert run_cli("validate", str(bundle), "--no-run", "--strict")[0] == 1


def test_json_summary_has_the_documented_fields(tmp_path: Path) -> None:
    bundle = materialize(FIXTURES / "static" / "api-removed-declared", tmp_path)
    code, output = run_cli("validate", str(bundle), "--no-run", "--format", "json")
    summary = json.loads(output)["summary"]
    assert code == 0
    assert {"files", "rules", "snippets", "errors", "warnings"} <= set(summary)


def test_every_code_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    for code in CODES.values():
        assert f"| {code.code} | {code.severity.value} | {code.meaning} |" in readme


# name: (environment changes, the encoding stdout then has)
ENCODINGS = {
    "ascii": ({"PYTHONIOENCODING": "ascii"}, "ascii"),
    "cp1252": ({"PYTHONIOENCODING": "cp1252"}, "cp1252"),
    "c-locale": ({"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": None}, "ascii"),
}


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_output_survives_an_encoding_that_cannot_encode_a_message(tmp_path: Path, encoding: str, fmt: str) -> None:
    bundle = materialize(FIXTURES / "static" / "heading-not-ascii", tmp_path)
    env = dict(os.environ)
    changes, stdout_encoding = ENCODINGS[encoding]
    for name, value in changes.items():
        env.pop(name, None) if value is None else env.__setitem__(name, value)
    result = subprocess.run(
        [sys.executable, "-m", "dbos_skill", "validate", str(bundle), "--no-run", "--format", fmt], capture_output=True, env=env
    )
    out = result.stdout.decode(stdout_encoding)  # what the encoding cannot encode is escaped
    assert (result.returncode, result.stderr) == (1, b"")
    if fmt == "json":
        [finding] = json.loads(out)["diagnostics"]
        assert finding["code"] == "R003" and "Launch \u2192 run (\u00e9, \u2713)" in finding["message"]
    elif fmt == "sarif":
        [result] = json.loads(out)["runs"][0]["results"]
        assert result["ruleId"] == "R003" and "Launch \u2192 run (\u00e9, \u2713)" in result["message"]["text"]
    else:
        assert "R003" in out and "Launch \\u2192 run" in out and "\\u2713" in out


@pytest.mark.parametrize("tool", ["validate", "check", "check.py"])
def test_a_reader_that_goes_away_ends_the_printing_quietly(tmp_path: Path, tool: str) -> None:
    # The checker once ended `check ... | true` with "internal error: BrokenPipeError" and exit 2.
    if tool == "validate":
        bundle = materialize(FIXTURES / "static" / "heading-not-ascii", tmp_path)
        command = [sys.executable, "-m", "dbos_skill", "validate", str(bundle), "--no-run"]
    else:
        app = tmp_path / "app.py"
        app.write_text("from dbos import Queue\n\nQueue(\"emails\")\n")  # DBOS001
        entry = ["-m", "dbos_skill", "check"] if tool == "check" else [str(REPO / "scripts" / "check.py")]
        command = [sys.executable, *entry, str(app)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    process.stdout.close()  # as `| head -0` would, before the first line is written
    errors = process.stderr.read()
    assert (process.wait(timeout=120), errors) == (1, b"")
