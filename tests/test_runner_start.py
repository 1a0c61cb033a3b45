"""What a run starts: the snippet worker before parsing when the bundle has examples, never when it has none.

Issue 19: a bundle with nothing to run started the worker anyway ("Ran 0 snippets in 0.6 s"). The
worker imports dbos (about half a second) while the bundle is parsed, so for a bundle with examples
it must still start first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, materialize, run_cli, validate_json
from dbos_skill import validate as validation
from dbos_skill.run.pool import SnippetRunner


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happened, in order: "worker" when a worker was started, "parse" when the bundle was read."""
    happened: list[str] = []
    start_worker, load_bundle = SnippetRunner._start_worker, validation.load_bundle

    def recorded_start(self: SnippetRunner) -> None:
        happened.append("worker")
        start_worker(self)

    def recorded_load(root: Path):  # type: ignore[no-untyped-def]
        happened.append("parse")
        return load_bundle(root)

    monkeypatch.setattr(SnippetRunner, "_start_worker", recorded_start)
    monkeypatch.setattr(validation, "load_bundle", recorded_load)
    return happened


@pytest.mark.parametrize("case", ["habit-skill-md-only", "habit-plain-references", "missing-sections-file"])
def test_a_bundle_with_nothing_to_run_starts_no_worker(tmp_path: Path, events: list[str], case: str) -> None:
    bundle = materialize(FIXTURES / "static" / case, tmp_path)
    _, report = validate_json(bundle)
    assert report["snippets"] == []
    assert events == ["parse"]


def test_a_bundle_with_examples_starts_the_worker_before_it_is_parsed(events: list[str], example_options: tuple[str, ...]) -> None:
    _, report = validate_json(FIXTURES / "_base", *example_options)
    assert len(report["snippets"]) == 2
    assert events == ["worker", "parse"]


def test_no_run_starts_no_worker(events: list[str]) -> None:
    validate_json(FIXTURES / "_base", "--no-run")
    assert events == ["parse"]


def test_with_nothing_to_run_the_text_report_has_no_ran_line(tmp_path: Path) -> None:
    bundle = materialize(FIXTURES / "static" / "habit-skill-md-only", tmp_path)
    _, output = run_cli("validate", str(bundle))
    assert "Ran 0 snippets" not in output
    assert "0 python snippets" in output


def test_the_precheck_never_misses_an_example_of_the_fixtures() -> None:
    """may_have_examples is only a guess, but a wrong False loses the overlap: every fixture with a runnable example says True."""
    from dbos_skill.bundle import load_bundle
    from dbos_skill.snippets import collect_snippets

    for bundle in sorted(FIXTURES.glob("run*")) + [FIXTURES / "_base"]:
        runnable = [s for s in collect_snippets(load_bundle(bundle).bundle) if s.expectation.kind != "skip"]
        assert validation.may_have_examples(bundle) == bool(runnable), bundle


def test_no_run_with_an_unreachable_postgres_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # With --no-run the URL is used to drop what killed runs left there, so it must work (issue 19).
    code, output = run_cli("validate", str(FIXTURES / "_base"), "--no-run", "--postgres-url", "postgresql://nobody@127.0.0.1:1/postgres")
    assert (code, output) == (2, "")
    assert capsys.readouterr().err.startswith("dbos-skill: error: cannot connect to postgresql://nobody@127.0.0.1:1/postgres: ")
