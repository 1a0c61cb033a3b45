"""Examples inside block quotes and list items run with the container's prefix stripped."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, materialize, validate_json

RULE = "references/lifecycle-example.md"


def test_examples_in_containers_run_and_map_their_lines(tmp_path: Path, example_options: tuple[str, ...]) -> None:
    bundle = materialize(FIXTURES / "containers", tmp_path)

    code, report = validate_json(bundle, "--timeout", "120", *example_options)

    outcomes = {s["line"]: s["outcome"] for s in report["snippets"]}
    assert outcomes == {14: "proven", 24: "passed", 34: "failed"}
    found = [(d["path"].removeprefix(f"{bundle}/"), d["line"], d["code"]) for d in report["diagnostics"]]
    assert (code, found) == (1, [(RULE, 37, "X001")])
