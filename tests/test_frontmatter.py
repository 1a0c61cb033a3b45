"""Frontmatter values reach messages cut short, whatever YAML aliases make of them."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import BASE, validate_json

LEVELS = 9


def test_a_value_nested_a_billion_items_deep_is_quoted_briefly(tmp_path: Path) -> None:
    bundle = tmp_path / "dbos-python"
    shutil.copytree(BASE, bundle)
    lines = ["---", "name: dbos-python", "description: d", "metadata:", '  a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"  a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, LEVELS)]
    lines += [f"license: *a{LEVELS - 1}", "---", "", "# Fixture skill"]
    (bundle / "SKILL.md").write_text("\n".join(lines) + "\n")

    code, report = validate_json(bundle, "--no-run")

    license_finding = next(d for d in report["diagnostics"] if d["code"] == "F007")
    assert (code, license_finding["line"], license_finding["col"]) == (1, 14, 1)
    assert len(license_finding["message"]) < 300
