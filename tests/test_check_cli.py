"""`dbos-skill check` and `scripts/check.py` as users run them: paths, formats, selection, noqa, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from dbos_skill.check.registry import CHECKS

MISTAKE = textwrap.dedent(
    """\
    import time
    from dbos import DBOS


    @DBOS.workflow()
    def checkout() -> float:
        return time.time()
    """
)
CLEAN = textwrap.dedent(
    """\
    import time
    from dbos import DBOS


    @DBOS.step()
    def now() -> float:
        return time.time()


    @DBOS.workflow()
    def checkout() -> float:
        return now()
    """
)


def write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return directory


def check(*args: str) -> tuple[int, str]:
    return run_cli("check", *args)


def check_json(*args: str) -> tuple[int, dict]:
    code, output = check("--format", "json", *args)
    return code, json.loads(output)


def codes_found(report: dict) -> list[tuple[str, int, str]]:
    return [(Path(d["path"]).name, d["line"], d["code"]) for d in report["diagnostics"]]


# -- exit codes and formats -------------------------------------------------------------


def test_a_mistake_is_reported_ruff_style_with_help_and_rule_file(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISTAKE})
    code, output = check(str(tmp_path / "app.py"))
    lines = output.splitlines()
    assert code == 1
    assert lines[0].startswith(f"{tmp_path}/app.py:7:12: DBOS101 `time.time()` in workflow `checkout` reads the clock")
    assert lines[1].startswith("  help: read it in a `@DBOS.step()`")
    assert lines[2].startswith("  rule: ") and lines[2].endswith("workflow-determinism.md")
    assert lines[-1] == "Checked 1 file: found 1 problem."


def test_clean_code_exits_0(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": CLEAN, "notes.txt": "not python"})
    code, output = check(str(tmp_path))
    assert (code, output) == (0, "Checked 1 file: no problems.\n")


def test_json_lists_findings_with_rule_and_summary(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISTAKE})
    code, report = check_json(str(tmp_path))
    assert code == 1
    [finding] = report["diagnostics"]
    assert (finding["code"], finding["severity"]) == ("DBOS101", "error") and finding["rule"].endswith("workflow-determinism.md")
    assert (finding["line"], finding["col"], finding["end_line"], finding["end_col"]) == (7, 12, 7, 23)
    assert report["summary"] == {"files": 1, "findings": 1, "fixed": 0, "fixable": 0}


def test_github_format_is_one_annotation_per_finding(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISTAKE})
    code, output = check("--format", "github", str(tmp_path / "app.py"))
    first = output.splitlines()[0]
    assert code == 1
    assert first.startswith(f"::error file={tmp_path}/app.py,line=7,col=12,title=DBOS101::`time.time()`")
    assert "%0Ahelp: " in first


def test_sarif_output_is_valid_sarif_2_1_0(tmp_path: Path, sarif_validator) -> None:
    write(tmp_path, {"app.py": MISTAKE, "más.py": MISTAKE.replace("checkout", "pago")})
    code, output = check("--format", "sarif", str(tmp_path))
    document = json.loads(output)
    assert code == 1
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(CHECKS)
    assert [r["ruleId"] for r in run["results"]] == ["DBOS101", "DBOS101"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1] for r in run["results"]} == {"app.py", "m%C3%A1s.py"}
    assert [e.message for e in sarif_validator.iter_errors(document)] == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xml"], "invalid choice"),
        (["--select", "DBOS9x"], "matches no check code"),
        (["--ignore", "E501"], "matches no check code"),
        (["no/such/dir"], "no such file or directory"),
        (["--select", ""], "check: error: argument --select: expected at least one code, got ''"),
        (["--select", " , "], "check: error: argument --select: expected at least one code, got ' , '"),
        (["--ignore", ""], "check: error: argument --ignore: expected at least one code, got ''"),
        (["--exclude", ""], "check: error: argument --exclude: expected at least one pattern, got ''"),
        ([""], "check: error: argument PATH: the path is empty (is the variable that should hold it set?)"),
        (["/dev/null"], "check: error: /dev/null: not a regular file or a directory (a device, pipe or socket); name .py files or directories"),
    ],
    ids=["bad-format", "unknown-select", "unknown-ignore", "missing-path", "empty-select", "blank-select", "empty-ignore", "empty-exclude", "empty-path", "device"],
)
def test_usage_errors_exit_2_without_a_traceback(args: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "dbos_skill", "check", *args], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_dangling_symlink_is_named_as_one(tmp_path: Path) -> None:
    (tmp_path / "app.py").symlink_to(tmp_path / "gone.py")
    result = subprocess.run([sys.executable, "-m", "dbos_skill", "check", "app.py"], cwd=tmp_path, capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO / "scripts")))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"dbos-skill check: error: app.py: a symbolic link to {tmp_path / 'gone.py'}, which does not exist\n"


def test_a_file_that_does_not_parse_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": "def f(:\n    pass\n", "ok.py": MISTAKE})
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    (tmp_path / "latin.py").write_bytes(b"name = '\xe9'\n")
    code, report = check_json(str(tmp_path))
    assert code == 1
    assert sorted(codes_found(report)) == [("broken.py", 1, "DBOS999"), ("latin.py", 1, "DBOS998"), ("nul.py", 1, "DBOS999"), ("ok.py", 7, "DBOS101")]


def test_a_syntax_error_names_the_python_whose_grammar_judged_it(tmp_path: Path) -> None:
    """The checker parses with the Python that runs it: the message says which, the help what to do about it."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    files = {"broken.py": "def f(:\n    pass\n"}
    if sys.version_info < (3, 12):
        files["alias.py"] = "type X = int\n"  # a `type` statement is Python 3.12 grammar
    write(tmp_path, files)
    _, report = check_json(str(tmp_path))
    found = [(Path(d["path"]).name, d["line"], d["col"], d["code"], d["message"], d["help"]) for d in report["diagnostics"]]
    help = "fix the syntax error, or run the checker with the Python the code is written for; no other check can run on this file"
    expected = [("broken.py", 1, 7, "DBOS999", f"the file does not parse with Python {version}'s grammar: invalid syntax", help)]
    if sys.version_info < (3, 12):
        expected.insert(0, ("alias.py", 1, 6, "DBOS999", f"the file does not parse with Python {version}'s grammar: invalid syntax", help))
    assert found == expected


def test_output_survives_an_encoding_that_cannot_show_the_message(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": MISTAKE.replace("checkout", "café_über")})
    for encoding in ("ascii", "cp1252"):
        env = dict(os.environ, PYTHONIOENCODING=encoding, PYTHONPATH=str(REPO / "scripts"))
        result = subprocess.run([sys.executable, str(REPO / "scripts" / "check.py"), str(tmp_path)], capture_output=True, env=env)
        assert result.returncode == 1, result.stderr
        assert b"Traceback" not in result.stderr
        assert b"DBOS101" in result.stdout


# -- selection and noqa ------------------------------------------------------------------

EVERYTHING = textwrap.dedent(
    """\
    import random, time
    from dbos import DBOS

    DBOS(config={"name": "noqa-app"})


    @DBOS.workflow()
    def wf() -> float:
        a = time.time()
        b = random.random()
        c = time.time()  # noqa: DBOS101
        d = time.time()  # noqa
        e = time.time()  # noqa: E501
        f = time.time() + random.random()  # noqa: DBOS10
        g = time.time()  # NOQA:DBOS102,DBOS101
        return a + b + c + d + e + f + g
    """
)


def test_noqa_suppresses_the_named_codes_only(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": EVERYTHING})
    _, report = check_json(str(tmp_path))
    assert codes_found(report) == [("app.py", 9, "DBOS101"), ("app.py", 10, "DBOS102"), ("app.py", 13, "DBOS101")]


NOQA_IN_STRINGS = textwrap.dedent(
    '''\
    import time
    from dbos import DBOS


    @DBOS.workflow()
    def wf() -> str:
        url = "https://example.com/#noqa"; t = time.time()
        started = f"started # noqa: DBOS101 {time.time()}"
        note = """a note
    # noqa"""; u = time.time()
        kept = "a#b"; v = time.time()  # noqa: DBOS101
        also = '# noqa'  # the comment is this one; w = time.time() is not on this line
        w = time.time()  # noqa:DBOS102 (another code)
        return f"{url}{t}{started}{note}{u}{kept}{v}{also}{w}"
    '''
)


def test_noqa_counts_only_in_comments_not_in_strings(tmp_path: Path) -> None:
    """`#noqa` inside a string literal (an URL's fragment, an f-string, a triple-quoted string's last line) is text."""
    write(tmp_path, {"app.py": NOQA_IN_STRINGS})
    _, report = check_json(str(tmp_path))
    assert [(d["line"], d["col"], d["code"]) for d in report["diagnostics"]] == [(7, 44, "DBOS101"), (8, 42, "DBOS101"), (10, 16, "DBOS101"), (13, 9, "DBOS101")]


@pytest.mark.parametrize(
    "options, expected",
    [
        ([], [(9, "DBOS101"), (10, "DBOS102"), (13, "DBOS101")]),
        (["--select", "DBOS102"], [(10, "DBOS102")]),
        (["--select", "DBOS1"], [(9, "DBOS101"), (10, "DBOS102"), (13, "DBOS101")]),
        (["--ignore", "DBOS101"], [(10, "DBOS102")]),
        (["--select", "DBOS101,DBOS102", "--ignore", "DBOS102"], [(9, "DBOS101"), (13, "DBOS101")]),
        (["--select", "DBOS403"], [(4, "DBOS403")]),
        (["--select", "ALL", "--ignore", "DBOS1"], [(4, "DBOS403")]),
    ],
    ids=["default", "one-code", "prefix", "ignore", "select-and-ignore", "opt-in-check", "all"],
)
def test_select_and_ignore_take_codes_and_prefixes(tmp_path: Path, options: list[str], expected: list) -> None:
    write(tmp_path, {"app.py": EVERYTHING})
    _, report = check_json(*options, str(tmp_path))
    assert [(line, code) for _, line, code in codes_found(report)] == expected


# -- walking directories ---------------------------------------------------------------------


def test_directories_are_walked_honouring_gitignore_and_exclude(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".gitignore": "generated/\n*_pb2.py\n/top_only.py\n!keep_pb2.py\n",
            "app.py": MISTAKE,
            "top_only.py": MISTAKE,
            "pkg/top_only.py": MISTAKE,
            "pkg/orders_pb2.py": MISTAKE,
            "pkg/keep_pb2.py": MISTAKE,
            "pkg/.gitignore": "local.py\n",
            "pkg/local.py": MISTAKE,
            "generated/app.py": MISTAKE,
            ".venv/lib/dep.py": MISTAKE,
            "node_modules/x.py": MISTAKE,
            "scripts/tool.py": MISTAKE,
            "scripts/legacy/old.py": MISTAKE,
        },
    )
    _, report = check_json("--exclude", "legacy/", str(tmp_path))
    found = sorted(Path(d["path"]).relative_to(tmp_path).as_posix() for d in report["diagnostics"])
    assert found == ["app.py", "pkg/keep_pb2.py", "pkg/top_only.py", "scripts/tool.py"]
    assert report["summary"]["files"] == 4


def test_a_gitignore_above_the_walked_directory_counts_inside_a_repository(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": "ignored/\n", "src/ignored/app.py": MISTAKE, "src/app.py": MISTAKE})
    (tmp_path / ".git").mkdir()
    _, report = check_json(str(tmp_path / "src"))
    assert [Path(d["path"]).relative_to(tmp_path).as_posix() for d in report["diagnostics"]] == ["src/app.py"]


def test_a_file_named_explicitly_is_checked_even_when_ignored(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": "app.py\n", "app.py": MISTAKE})
    code, _ = check(str(tmp_path / "app.py"))
    assert code == 1
    assert check(str(tmp_path))[0] == 0


def test_paths_are_shown_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"app/main.py": MISTAKE})
    monkeypatch.chdir(tmp_path)
    _, output = check()
    assert output.startswith("app/main.py:7:12: DBOS101")
    _, output = check("app")
    assert output.startswith("app/main.py:7:12: DBOS101")
