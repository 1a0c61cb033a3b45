"""Agreement with the Agent Skills reference validator (`agentskills validate`, PyPI skills-ref).

Both validators judge SKILL.md; where ours is deliberately stricter, the case says so.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, copy_skill, materialize, missing_test_package, validate_json

AGENTSKILLS = shutil.which("agentskills")
pytestmark = pytest.mark.skipif(
    AGENTSKILLS is None, reason=missing_test_package("skills-ref", "the Agent Skills reference validator (agentskills)")
)

SKILL_MD_CODES = {"B001", "B007", "F001", "F002", "F003", "F004", "F005", "F006", "F007"} | {f"S00{i}" for i in range(1, 8)}

# Cases where our verdict is "invalid" and the reference validator's is "valid", on purpose.
STRICTER = {
    "skill-description-angle-brackets": "the spec forbids < and > in the description; skills-ref 0.1 does not check it",
    "skill-body-too-long": "we enforce the spec's advice of a body under 500 lines",
    "skill-body-too-many-tokens": "we enforce the spec's advice of a body under 5,000 tokens",
    "skill-metadata-not-strings": "the spec says metadata maps strings to strings; skills-ref converts other values",
    "skill-allowed-tools-not-strings": "allowed-tools names tools: a string or a list of strings; skills-ref does not check its type",
}
# Cases where our verdict is "valid" and the reference validator's is "invalid", on purpose.
LAXER = {
    "skill-allowed-tools-flow-list": "skills-ref 0.1 reads YAML with strictyaml, which refuses flow style ([a, b]); YAML allows it",
}
# Cases both accept.
VALID = ["skill-allowed-tools-list"]
SKILL_CASES = sorted(
    [
        "missing-skill-md",
        "bom",
        "skill-unknown-key",
        "skill-bad-name",
        "skill-name-differs",
        "skill-description-too-long",
        "skill-allowed-tools-not-strings",
        *STRICTER,
        *LAXER,
        *VALID,
    ]
)


def reference_verdict(bundle: Path) -> bool:
    return subprocess.run([AGENTSKILLS, "validate", str(bundle)], capture_output=True, text=True).returncode == 0


def our_verdict(bundle: Path) -> bool:
    # --strict: the reference validator treats a name that differs from the directory as an error.
    _, report = validate_json(bundle, "--no-run", "--strict")
    return not any(d["code"] in SKILL_MD_CODES for d in report["diagnostics"])


def test_both_accept_the_real_skill(tmp_path: Path) -> None:
    bundle = copy_skill(tmp_path)
    assert reference_verdict(bundle) and our_verdict(bundle)


@pytest.mark.parametrize("case", SKILL_CASES)
def test_verdicts_agree_except_where_we_are_stricter(case: str, tmp_path: Path) -> None:
    bundle = materialize(FIXTURES / "static" / case, tmp_path)
    ours, theirs = our_verdict(bundle), reference_verdict(bundle)
    if case in STRICTER:
        assert (ours, theirs) == (False, True), STRICTER[case]
    elif case in LAXER:
        assert (ours, theirs) == (True, False), LAXER[case]
    elif case in VALID:
        assert ours == theirs == True
    else:
        assert ours == theirs == False


def test_both_accept_the_base_fixture(tmp_path: Path) -> None:
    bundle = materialize(FIXTURES / "static" / "api-removed-declared", tmp_path)
    assert reference_verdict(bundle) and our_verdict(bundle)
