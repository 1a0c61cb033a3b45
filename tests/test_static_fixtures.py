"""Each fixture bundle under tests/fixtures/static breaks one rule of the format.

A case directory holds the files it changes relative to tests/fixtures/_base,
an optional REMOVE list, and EXPECTED: one `path:line:col: CODE` per diagnostic.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, materialize, snapshot, validate_json

CASES = sorted(p for p in (FIXTURES / "static").iterdir() if p.is_dir())


def expected_diagnostics(case: Path) -> set[str]:
    return {line.strip() for line in (case / "EXPECTED").read_text().splitlines() if line.strip()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_reports_exactly_its_diagnostics(case: Path, tmp_path: Path) -> None:
    bundle = materialize(case, tmp_path)
    before = snapshot(bundle)

    code, report = validate_json(bundle, "--no-run")

    prefix = f"{bundle}/"
    found = {f"{d['path'].removeprefix(prefix)}:{d['line']}:{d['col']}: {d['code']}" for d in report["diagnostics"]}
    assert found == expected_diagnostics(case)
    has_errors = any(d["severity"] == "error" for d in report["diagnostics"])
    assert code == (1 if has_errors else 0)
    assert snapshot(bundle) == before, "validation must not modify the bundle"


def test_base_bundle_is_clean(tmp_path: Path) -> None:
    code, report = validate_json(materialize(FIXTURES / "static" / "api-removed-declared", tmp_path), "--no-run")
    assert (code, report["diagnostics"]) == (0, [])


def test_a_broken_link_is_quoted_as_written_not_percent_encoded(tmp_path: Path) -> None:
    bundle = materialize(FIXTURES / "static" / "broken-link-not-ascii", tmp_path)
    _, report = validate_json(bundle, "--no-run")
    assert [d["message"] for d in report["diagnostics"]] == [
        "link target `missing-é.md` does not exist",
        "link target `missing é.md` does not exist",
        "link target `missing%C3%A9-too.md` does not exist",
    ]
