"""Snippet runs: each fence of tests/fixtures/run shows one outcome.

A fence's caption says `expect: <outcome> [CODE]`; a trailing `# CODE` comment
marks the line its failure must be reported on (else the fence's own line).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

import psutil

from conftest import FIXTURES, run_cli, validate_json

RUN_BUNDLE = FIXTURES / "run"
RULE = "references/lifecycle-outcomes.md"


def fences_with_expectations(rule: Path = RUN_BUNDLE / RULE) -> list[tuple[int, str, str | None, int]]:
    """(fence line, expected outcome, expected code, expected diagnostic line) per python fence."""
    lines = rule.read_text().split("\n")
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.startswith("```python"):
            continue
        caption = next(lines[i] for i in range(number - 2, 0, -1) if lines[i].strip())
        outcome, code = re.search(r"expect: ([\w-]+)(?: (X\d{3}))?", caption).groups()
        closing = next(i for i in range(number, len(lines)) if lines[i] == "```")
        marked = [i + 1 for i in range(number, closing) if re.search(r"# X\d{3}$", lines[i])]
        if marked:
            code = code or re.search(r"# (X\d{3})$", lines[marked[0] - 1]).group(1)
        found.append((number, outcome, code, marked[0] if marked else number))
    return found


@pytest.fixture(scope="module")
def run_report(example_options: tuple[str, ...]) -> tuple[int, dict]:
    return validate_json(RUN_BUNDLE, *example_options)  # the default time limit: nothing here should come near it


EXPECTATIONS = fences_with_expectations()


@pytest.mark.parametrize("fence_line, outcome, code, diagnostic_line", EXPECTATIONS, ids=[f"line-{e[0]}-{e[1]}" for e in EXPECTATIONS])
def test_each_snippet_has_its_outcome(run_report, fence_line: int, outcome: str, code: str | None, diagnostic_line: int) -> None:
    _, report = run_report
    snippet = next(s for s in report["snippets"] if s["line"] == fence_line)
    assert snippet["outcome"] == outcome
    mine = [d for d in report["diagnostics"] if d["code"].startswith("X") and _fence_of(d["line"]) == fence_line]
    if code is None:
        assert mine == []
    else:
        assert [(d["code"], d["line"]) for d in mine] == [(code, diagnostic_line)]


def _fence_of(line: int) -> int:
    return max(e[0] for e in EXPECTATIONS if e[0] <= line)


def test_failures_carry_the_snippet_traceback_mapped_to_markdown(run_report) -> None:
    _, report = run_report
    failure = next(d for d in report["diagnostics"] if d["code"] == "X001" and "total is wrong" in d["message"])
    assert failure["message"] == "AssertionError: the total is wrong"
    assert f'{RULE}", line {failure["line"]}, in <module>' in failure["detail"]


def test_summary_counts_every_outcome(run_report) -> None:
    code, report = run_report
    counts = Counter(outcome for _, outcome, _, _ in EXPECTATIONS)
    assert code == 1
    assert {k: v for k, v in report["summary"]["outcomes"].items() if v} == counts


def _commands() -> list[list[str]]:
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                found.append(process.cmdline())
        except psutil.Error:
            continue
    return found


LEFTOVERS = FIXTURES / "run-leftovers" / "references" / "lifecycle-leftovers.md"


def test_leftover_processes_are_named_by_what_they_are_and_threads_and_pools_are_ended_as_python_would(example_options: tuple[str, ...]) -> None:
    # Issue 22: a fork keeps the worker's command line, so X008 named it `python3 -m dbos_skill.run.worker`.
    expected = fences_with_expectations(LEFTOVERS)
    code, report = validate_json(LEFTOVERS.parents[1], *example_options)
    assert code == 1
    assert {s["line"]: s["outcome"] for s in report["snippets"]} == {line: outcome for line, outcome, _, _ in expected}
    leftovers = sorted((d["line"], d["message"]) for d in report["diagnostics"] if d["code"] == "X008")
    assert [line for line, _ in leftovers] == [line for line, _, found, _ in expected if found == "X008"]
    (fork_line, fork), (_, warm) = leftovers
    lines = LEFTOVERS.read_text().split("\n")
    made_at = next(number for number in range(fork_line, len(lines)) if "os.fork()" in lines[number - 1])
    shown = f"tests/fixtures/run-leftovers/references/lifecycle-leftovers.md:{made_at}"
    assert re.fullmatch(
        rf"left 1 process\(es\) running, now killed: pid \d+: a fork of the example's process, made at \S*{re.escape(shown)}, listening on 127\.0\.0\.1:\d+",
        fork,
    )
    assert re.fullmatch(r"left 1 process\(es\) running, now killed: pid \d+: a child interpreter running the example again with arguments \['linger'\]", warm)


def test_a_leftover_started_anew_is_named_by_its_command_line(run_report) -> None:
    _, report = run_report
    (execs,) = [d["message"] for d in report["diagnostics"] if d["code"] == "X008"]
    assert re.fullmatch(r"left 2 process\(es\) running, now killed: pid \d+: sleep 987; pid \d+: sleep 988", execs)


def test_no_snippet_process_outlives_the_run(run_report) -> None:
    assert not [c for c in _commands() if c in (["sleep", "987"], ["sleep", "988"])]


def test_a_snippet_past_its_time_limit_is_killed_with_its_process_group(example_options: tuple[str, ...]) -> None:
    # A snippet that sleeps 600 s against a 2 s limit: the margin is the other way round.
    code, report = validate_json(FIXTURES / "run-hang", "--timeout", "2", *example_options)
    hung = next(s for s in report["snippets"] if s["outcome"] == "failed")
    assert code == 1
    assert [(d["code"], d["line"]) for d in report["diagnostics"] if d["code"].startswith("X")] == [("X002", hung["line"])]


def test_a_non_daemon_thread_left_running_is_waited_for_as_python_would_then_named(example_options: tuple[str, ...]) -> None:
    # Issue 22: the example's main code ended, its thread spun on, and the example passed, though
    # `python example.py` would never exit. The thread's own line is named.
    code, report = validate_json(FIXTURES / "run-threads", "--timeout", "2", *example_options)
    hung = next(s for s in report["snippets"] if s["outcome"] == "failed")
    found = [d for d in report["diagnostics"] if d["code"].startswith("X")]
    assert code == 1
    assert [(d["code"], d["line"]) for d in found] == [("X002", hung["line"])]
    spin = hung["line"] + 5  # `def spin()`, the thread's target
    assert found[0]["message"] == (
        "timed out after 2 s waiting for the non-daemon thread(s) it left running, as `python` would at exit: "
        f"`Thread-1 (spin)` ({hung['path']}:{spin}); its process group was killed"
    )


def test_the_run_writes_nothing_inside_the_bundle(run_report) -> None:
    assert sorted(p.relative_to(RUN_BUNDLE).as_posix() for p in RUN_BUNDLE.rglob("*")) == [
        "SKILL.md",
        "references",
        "references/_sections.md",
        RULE,
    ]


def test_an_example_that_kills_the_worker_is_named_and_the_others_still_run(capsys: pytest.CaptureFixture[str], example_options: tuple[str, ...]) -> None:
    # Issue 3: `os.kill(os.getppid(), signal.SIGKILL)` ended the whole run with one line naming no example.
    bundle = FIXTURES / "run-kills-worker"
    expected = fences_with_expectations(bundle / "references" / "lifecycle-parent.md")
    code, output = run_cli("validate", str(bundle), "--format", "json", *example_options)
    report = json.loads(output)
    assert code == 1
    assert {s["line"]: s["outcome"] for s in report["snippets"]} == {line: outcome for line, outcome, _, _ in expected}
    assert [(d["code"], d["line"]) for d in report["diagnostics"] if d["code"].startswith("X")] == [
        (expected_code, at) for _, _, expected_code, at in expected if expected_code
    ]
    killer = next(d for d in report["diagnostics"] if d["code"] == "X011")
    assert killer["message"] == "the snippet worker died (killed by SIGKILL) while this example ran alone, so it has no result"
    assert "dbos-skill: note: the snippet worker died (killed by SIGKILL) while " in capsys.readouterr().err
