"""A bundle whose paths are not what they must be: one finding per path, never a crash.

Symlink loops (anywhere: SKILL.md, references/ itself, a rule file, a link target), broken
symlinks, `references` as a file or leaving the bundle, and markdown too big to read. The cases
are built in a temporary directory: a symlink loop committed under tests/ would trip up every
tool that walks the repository.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

from conftest import FIXTURES, copy_skill, materialize, run_cli, validate_json
from dbos_skill import bundle as bundle_module
from dbos_skill.source import MAX_MARKDOWN_BYTES

CLEAN = FIXTURES / "static" / "api-removed-declared"  # the base bundle, clean (test_base_bundle_is_clean)


def findings(bundle: Path, *options: str) -> tuple[int, set[str]]:
    """Exit code and `path:line:col: CODE message` of each diagnostic, paths relative to the bundle."""
    code, report = validate_json(bundle, "--no-run", *options)
    prefix = f"{bundle}/"
    return code, {f"{d['path'].removeprefix(prefix)}:{d['line']}:{d['col']}: {d['code']} {d['message']}" for d in report["diagnostics"]}


def route(bundle: Path, *paths: str) -> None:
    """Add SKILL.md routes to `paths` (so that a finding about them is not lost to I001)."""
    with open(bundle / "SKILL.md", "a", encoding="utf-8") as skill:
        for path in paths:
            skill.write(f"- [{Path(path).stem}]({path}): read when testing\n")


def rule_loops(bundle: Path) -> None:
    # The newcomer's input: a two-link cycle and a file linked to itself, one of them routed.
    references = bundle / "references"
    os.symlink("loop2.md", references / "lifecycle-loop1.md")
    os.symlink("lifecycle-loop1.md", references / "loop2.md")
    os.symlink("lifecycle-self.md", references / "lifecycle-self.md")
    route(bundle, "references/lifecycle-loop1.md", "references/lifecycle-self.md")


def skill_md_loop(bundle: Path) -> None:
    (bundle / "SKILL.md").unlink()
    os.symlink("SKILL.md", bundle / "SKILL.md")


def references_loop(bundle: Path) -> None:
    shutil.rmtree(bundle / "references")
    os.symlink("references", bundle / "references")


def sections_loop(bundle: Path) -> None:
    (bundle / "references" / "_sections.md").unlink()
    os.symlink("_sections.md", bundle / "references" / "_sections.md")


def broken_rule_link(bundle: Path) -> None:
    os.symlink("nowhere.md", bundle / "references" / "lifecycle-gone.md")
    route(bundle, "references/lifecycle-gone.md")


def references_is_a_file(bundle: Path) -> None:
    shutil.rmtree(bundle / "references")
    (bundle / "references").write_text("rules live elsewhere\n")


def link_target_loop(bundle: Path) -> None:
    (bundle / "docs").mkdir()
    os.symlink("notes.md", bundle / "docs" / "notes.md")
    os.symlink("gone.md", bundle / "docs" / "broken.md")
    with open(bundle / "SKILL.md", "a", encoding="utf-8") as skill:
        skill.write("\nSee [notes](docs/notes.md) and [more](docs/broken.md).\n")


LOOP_HELP = "point the symlink at a real file, or replace it with the file"

# case: (how the bundle is broken, exactly the findings)
CASES: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "rule-file-loops": (
        rule_loops,
        {
            "references/lifecycle-loop1.md:1:1: B004 symlink loop: `references/lifecycle-loop1.md -> loop2.md -> lifecycle-loop1.md` never reaches a file",
            "references/lifecycle-self.md:1:1: B004 symlink loop: `references/lifecycle-self.md -> lifecycle-self.md` never reaches a file",
            "references/loop2.md:1:1: B004 symlink loop: `references/loop2.md -> lifecycle-loop1.md -> loop2.md` never reaches a file",
        },
    ),
    "skill-md-loop": (skill_md_loop, {"SKILL.md:1:1: B004 symlink loop: `SKILL.md -> SKILL.md` never reaches a file"}),
    "references-loop": (references_loop, {"references:1:1: B004 symlink loop: `references -> references` never reaches a directory"}),
    "sections-file-loop": (
        sections_loop,
        {"references/_sections.md:1:1: B004 symlink loop: `references/_sections.md -> _sections.md` never reaches a file"},
    ),
    "broken-rule-symlink": (
        broken_rule_link,
        {"references/lifecycle-gone.md:1:1: B004 broken symlink: its target `nowhere.md` does not exist"},
    ),
    "references-is-a-file": (references_is_a_file, {"references:1:1: B004 expected a directory, found a regular file"}),
    "link-target-loop": (
        link_target_loop,
        {
            "SKILL.md:15:13: L001 link target `docs/notes.md` is a symlink loop",
            "SKILL.md:15:39: L001 link target `docs/broken.md` is a broken symlink",
        },
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_path_that_is_not_what_the_bundle_needs_is_one_finding(case: str, tmp_path: Path) -> None:
    breaking, expected = CASES[case]
    bundle = materialize(CLEAN, tmp_path)
    breaking(bundle)

    code, found = findings(bundle)

    assert (code, found) == (1, expected)


def test_a_symlink_loop_says_how_to_fix_it(tmp_path: Path) -> None:
    bundle = materialize(CLEAN, tmp_path)
    skill_md_loop(bundle)
    code, report = validate_json(bundle, "--no-run")
    assert code == 1
    assert [d["help"] for d in report["diagnostics"]] == [LOOP_HELP]


def test_a_looping_skill_md_marks_the_bundle_for_validate_without_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not "no SKILL.md in ... or any parent directory", nor a bundle further up.
    bundle = materialize(CLEAN, tmp_path)
    skill_md_loop(bundle)
    monkeypatch.chdir(bundle / "references")
    code, output = run_cli("validate", "--no-run")
    assert code == 1
    assert output.splitlines()[0] == f"{bundle}/SKILL.md:1:1: B004 symlink loop: `SKILL.md -> SKILL.md` never reaches a file"


def test_references_symlinked_outside_the_bundle_is_one_b005_not_one_l002_per_route(tmp_path: Path) -> None:
    # The newcomer's input, on the real skill: its SKILL.md routes to every rule file.
    bundle = copy_skill(tmp_path / "installed")
    outside = tmp_path / "elsewhere"
    shutil.move(bundle / "references", outside)
    os.symlink(outside, bundle / "references")

    code, found = findings(bundle)

    assert (code, found) == (1, {f"references:1:1: B005 symlink points outside the bundle: {outside}"})


def test_a_rule_file_over_the_size_limit_is_reported_and_never_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = materialize(CLEAN, tmp_path)
    rule = (bundle / "references" / "lifecycle-example.md").read_text()
    big = rule + "\n" + "x" * (MAX_MARKDOWN_BYTES - len(rule.encode()) - 1) + "\n"  # one byte over
    (bundle / "references" / "lifecycle-big.md").write_text(big)
    (bundle / "docs").mkdir()
    (bundle / "docs" / "notes.md").write_text(big)  # not a bundle document, but its anchors would be read
    route(bundle, "references/lifecycle-big.md")
    with open(bundle / "SKILL.md", "a", encoding="utf-8") as skill:
        skill.write("\nSee [notes](docs/notes.md#launch-before-running-workflows).\n")
    parsed: list[str] = []
    parse = bundle_module.parse_document
    monkeypatch.setattr(bundle_module, "parse_document", lambda path, *rest: parsed.append(path) or parse(path, *rest))

    code, found = findings(bundle)

    size = len(big.encode())
    assert size == MAX_MARKDOWN_BYTES + 1
    message = f"B009 file is {size:,} bytes, over the 1,048,576-byte (1 MiB) limit, so it is not read"
    assert (code, found) == (1, {f"references/lifecycle-big.md:1:1: {message}", f"docs/notes.md:1:1: {message}"})
    assert sorted(parsed) == ["SKILL.md", "references/_sections.md", "references/lifecycle-example.md"]


def test_a_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    bundle = materialize(CLEAN, tmp_path)
    rule = (bundle / "references" / "lifecycle-example.md").read_text()
    filler = "\n" + "x" * (MAX_MARKDOWN_BYTES - len(rule.encode()) - 2) + "\n"
    (bundle / "references" / "lifecycle-example.md").write_text(rule + filler)
    assert (bundle / "references" / "lifecycle-example.md").stat().st_size == MAX_MARKDOWN_BYTES

    code, found = findings(bundle)

    assert (code, found) == (0, set())
