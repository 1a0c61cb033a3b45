"""Each file under tests/check_files is a spec: a line that must be reported ends with
`# error: DBOSnnn` (several codes comma-separated); every other line must stay clean.
The near misses (the correct variant beside each mistake) are the lines without a comment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbos_skill.check.engine import check_snippet
from dbos_skill.check.registry import select

CHECK_FILES = Path(__file__).parent / "check_files"
CASES = sorted(CHECK_FILES.glob("*.py"))
_EXPECTED = re.compile(r"#\s*error:\s*(?P<codes>DBOS\d{3}(?:\s*,\s*DBOS\d{3})*)")


def expected(path: Path) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = _EXPECTED.search(line)
        if match:
            found |= {(number, code.strip()) for code in match.group("codes").split(",")}
    return found


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_file_reports_exactly_its_annotated_lines(path: Path) -> None:
    findings = check_snippet(path.name, path.read_text(), select(["ALL"]))
    assert {(f.line, f.code) for f in findings} == expected(path)


def test_every_check_has_a_flagged_case() -> None:
    flagged = {code for path in CASES for _, code in expected(path)}
    assert flagged >= {code for code in select(["ALL"]) if code not in ("DBOS998", "DBOS999")}


def _flagged_lines() -> list[tuple[Path, int, str]]:
    return [(path, line, code) for path in CASES for line, code in sorted(expected(path))]


FLAGGED = _flagged_lines()
ONE_PER_CODE = list({code: (path, line, code) for path, line, code in FLAGGED}.values())


@pytest.mark.parametrize("path, line, code", ONE_PER_CODE, ids=[c for _, _, c in ONE_PER_CODE])
def test_each_check_obeys_select_ignore_and_noqa(path: Path, line: int, code: str) -> None:
    source = path.read_text()
    at_line = lambda findings: {f.code for f in findings if f.line == line}  # noqa: E731
    assert code in at_line(check_snippet(path.name, source, select([code])))
    assert code not in at_line(check_snippet(path.name, source, select(["ALL"], [code])))
    lines = source.splitlines()
    lines[line - 1] = _EXPECTED.sub(f"# noqa: {code}", lines[line - 1])
    assert code not in at_line(check_snippet(path.name, "\n".join(lines) + "\n", select(["ALL"])))
