"""The AGENTS.md block: generated from SKILL.md by structure, at most 8 KB, written only between
its markers, the same on a second run, and refused (with nothing changed) when markers are broken."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from dbos_skill.agents_md import BEGIN, END, MAX_BYTES, BlockError, SkillIndex, read_index, remove, render_block, upsert

SKILL_MD = (REPO / "SKILL.md").read_text(encoding="utf-8")
USER_TEXT = "# My project\n\nUse tabs.\n\n## Testing\n\nRun `make test`.\n"

# A SKILL.md worded and laid out differently from the real one: only the structure matters.
FIXTURE = textwrap.dedent(
    """\
    ---
    name: dbos-python
    description: A fixture.
    ---

    # Fixture Skill

    Intro paragraph with a [link](references/ignored-in-prose.md).
    Lint with `<this skill's dir>/bin/lint`.

    ## Critical Rules

    * First rule, written over
      two lines.
    * Second rule:
      - with a nested point

    ## Where to look

    1. [alpha](references/alpha.md) — when alpha
    2. [beta](./references/beta-two.md): when beta,
       spanning a line
    3. Not a route: [gamma](https://example.com/gamma.md)
    """
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    return project


def dbos_skill(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=str(cwd), PYTHONPATH=str(REPO / "scripts"))
    return subprocess.run([sys.executable, "-m", "dbos_skill", *args], cwd=cwd, capture_output=True, text=True, env=env)


def critical_items(text: str) -> int:
    section = text.split("## Critical rules", 1)[1].split("\n## ", 1)[0]
    return len(re.findall(r"^- ", section, re.MULTILINE))


def test_the_real_skill_md_gives_every_critical_rule_and_every_routed_rule_file() -> None:
    index = read_index(SKILL_MD)
    routed = sorted(re.findall(r"^- \[[^\]]+\]\(references/([^)]+)\)", SKILL_MD, re.MULTILINE))
    assert len(index.critical) == critical_items(SKILL_MD) > 0
    assert sorted(re.match(r"- `([^`]+)`", r).group(1) for r in index.routes) == routed
    assert all((REPO / "references" / name).is_file() for name in routed)
    assert all(item in SKILL_MD for item in index.critical)  # verbatim, never a second copy


def test_the_real_block_fits_in_8_kb() -> None:
    block = render_block(read_index(SKILL_MD), "/home/someone/with/a/long/path/.claude/skills/dbos-python")
    assert len(block.encode("utf-8")) <= MAX_BYTES


def test_a_differently_written_skill_md_is_read_by_structure() -> None:
    index = read_index(FIXTURE)
    assert index == SkillIndex(
        title="Fixture Skill",
        intro="Intro paragraph with a [link](references/ignored-in-prose.md).\nLint with `<this skill's dir>/bin/lint`.",
        critical=("* First rule, written over\n  two lines.", "* Second rule:\n  - with a nested point"),
        routes=("1. `alpha.md` — when alpha", "2. `beta-two.md`: when beta,\n   spanning a line"),
    )


@pytest.mark.parametrize(
    "text, message",
    [
        (FIXTURE.replace("## Critical Rules", "## Rules that matter"), "no list under a `## Critical rules` heading"),
        (FIXTURE.replace("references/alpha.md", "docs/alpha.md").replace("./references/beta-two.md", "beta.md"), "no routing list"),
        (FIXTURE.replace("`<this skill's dir>/bin/lint`", "`bin/lint`"), "SKILL.md's introduction (between its title and its first section) does not name `<this skill's dir>`"),
    ],
)
def test_a_skill_md_without_the_structure_is_an_error(text: str, message: str) -> None:
    with pytest.raises(BlockError, match=re.escape(message)):
        read_index(text)


def test_an_oversized_block_is_refused() -> None:
    index = SkillIndex(title="T", critical=("- " + "x" * MAX_BYTES,), routes=("- `a.md`: a",))
    with pytest.raises(BlockError, match="over the limit of 8192"):
        render_block(index, "refs")


def block() -> str:
    return render_block(read_index(SKILL_MD), ".agents/skills/dbos-python")


def test_upsert_appends_leaves_the_text_around_it_alone_and_is_idempotent() -> None:
    once = upsert(USER_TEXT, block(), "AGENTS.md")
    assert once.startswith(USER_TEXT) and once.endswith(END + "\n")
    assert upsert(once, block(), "AGENTS.md") == once
    assert remove(once, "AGENTS.md") == USER_TEXT


def test_upsert_replaces_only_the_inside_of_the_markers() -> None:
    old = f"{USER_TEXT}\n{BEGIN}\nan older block\n{END}\n\n## After\n\nKeep me.\n"
    new = upsert(old, block(), "AGENTS.md")
    assert new == f"{USER_TEXT}\n{block()}\n\n## After\n\nKeep me.\n"


def test_crlf_files_stay_crlf() -> None:
    text = USER_TEXT.replace("\n", "\r\n")
    new = upsert(text, block(), "AGENTS.md")
    assert new.startswith(text) and "\n" not in new.replace("\r\n", "")
    assert remove(new, "AGENTS.md") == text


@pytest.mark.parametrize(
    "text, message",
    [
        (f"{USER_TEXT}{BEGIN}\nhalf a block\n", "line 8 opens the block"),
        (f"{USER_TEXT}half a block\n{END}\n", "line 9 closes the block"),
        (f"{END}\n{USER_TEXT}{BEGIN}\n", "comes before its begin marker"),
        (f"{BEGIN}\n{END}\n{BEGIN}\n{END}\n", "more than once"),
    ],
    ids=["begin-only", "end-only", "reversed", "twice"],
)
def test_broken_markers_are_an_error_not_a_guess(text: str, message: str) -> None:
    with pytest.raises(BlockError, match=message):
        upsert(text, block(), "AGENTS.md")
    with pytest.raises(BlockError, match=message):
        remove(text, "AGENTS.md")


def test_install_adds_the_block_pointing_at_the_installed_rule_files(project: Path) -> None:
    (project / "AGENTS.md").write_text(USER_TEXT)
    code, output = run_cli("install", "--agent", "codex", "--agents-md")
    text = (project / "AGENTS.md").read_text()
    assert code == 0 and output.splitlines()[-1].startswith("added the dbos-python block to AGENTS.md (")
    assert text.startswith(USER_TEXT)
    folder = re.search(r"### Rule files in `([^`]+)/`", text).group(1)
    assert folder == ".agents/skills/dbos-python/references"
    named = re.findall(r"^- `([^`]+\.md)`", text, re.MULTILINE)
    assert named and all((project / folder / name).is_file() for name in named)


def test_claude_md_points_at_claude_codes_copy(project: Path) -> None:
    code, _ = run_cli("install", "--agent", "all", "--agents-md", "CLAUDE.md")
    assert code == 0 and "### Rule files in `.claude/skills/dbos-python/references/`" in (project / "CLAUDE.md").read_text()


def test_the_block_can_point_at_a_copy_installed_earlier(project: Path) -> None:
    run_cli("install", "--agent", "claude-code", "--scope", "user")
    code, output = run_cli("install", "--agents-md")
    assert code == 0 and "### Rule files in `~/.claude/skills/dbos-python/references/`" in (project / "AGENTS.md").read_text()


def test_without_an_installed_copy_the_block_is_refused(project: Path) -> None:
    result = dbos_skill("install", "--agents-md", cwd=project)
    assert result.returncode == 2 and "no installed copy" in result.stderr
    assert not (project / "AGENTS.md").exists()


def test_broken_markers_stop_the_whole_install(project: Path) -> None:
    (project / "AGENTS.md").write_text(f"{USER_TEXT}{BEGIN}\n")
    result = dbos_skill("install", "--agent", "codex", "--agents-md", cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "AGENTS.md: line 8 opens the block" in result.stderr and "nothing was changed" in result.stderr
    assert sorted(p.name for p in project.iterdir()) == ["AGENTS.md"]
    assert (project / "AGENTS.md").read_text() == f"{USER_TEXT}{BEGIN}\n"


def test_uninstall_removes_the_block_and_only_the_block(project: Path) -> None:
    (project / "AGENTS.md").write_text(USER_TEXT)
    run_cli("install", "--agent", "codex", "--agents-md")
    code, output = run_cli("uninstall", "--agent", "codex", "--agents-md")
    assert code == 0 and output.splitlines()[-1] == "removed the dbos-python block from AGENTS.md"
    assert (project / "AGENTS.md").read_text() == USER_TEXT
    assert sorted(p.name for p in project.iterdir()) == ["AGENTS.md"]


def test_an_agents_md_that_held_only_the_block_is_removed(project: Path) -> None:
    run_cli("install", "--agent", "codex", "--agents-md")
    code, output = run_cli("uninstall", "--agent", "codex", "--agents-md")
    assert code == 0 and "removed AGENTS.md: it held only the dbos-python block" in output
    assert list(project.iterdir()) == []


# --- The checker in the block (the newcomer's item 10) -------------------------------------------


def test_the_intro_of_skill_md_is_the_blocks_with_the_installed_path() -> None:
    index = read_index(FIXTURE)
    block = render_block(index, "../.agents/skills/dbos-python")
    assert (
        "Intro paragraph with a [link](../.agents/skills/dbos-python/references/ignored-in-prose.md).\n"
        "Lint with `../.agents/skills/dbos-python/bin/lint`."
    ) in block
    assert "its paths are relative to this file's folder" in block


@pytest.mark.parametrize(
    "skill_dir, command",
    [
        ("my skills/dbos-python", "`'my skills/dbos-python'/bin/lint`"),
        ("~/my skills/dbos-python", "`~/'my skills/dbos-python'/bin/lint`"),
        ("~/.claude/skills/dbos-python", "`~/.claude/skills/dbos-python/bin/lint`"),
    ],
)
def test_the_installed_path_is_one_shell_word(skill_dir: str, command: str) -> None:
    block = render_block(read_index(FIXTURE), skill_dir)
    assert f"Lint with {command}." in block
    assert ("relative to this file's folder" in block) == (not skill_dir.startswith("~"))


def test_the_block_tells_agents_to_run_the_installed_checker(project: Path) -> None:
    code, _ = run_cli("install", "--agent", "codex", "--agents-md")
    text = (project / "AGENTS.md").read_text()
    assert code == 0 and "<this skill's dir>" not in text
    assert read_index(SKILL_MD).intro.replace("<this skill's dir>", ".agents/skills/dbos-python") in text
    assert "After writing DBOS code, run `python3 .agents/skills/dbos-python/scripts/check.py\n<your files>`" in text
    # The command as written runs the installed checker.
    (project / "app.py").write_text("import time\nfrom dbos import DBOS\n\n@DBOS.workflow()\ndef w() -> float:\n    return time.time()\n")
    command = re.search(r"run `python3 ([^`]+)`", text).group(1).replace("<your files>", "app.py").split()
    result = subprocess.run([sys.executable, *command], cwd=project, capture_output=True, text=True)
    assert result.returncode == 1 and result.stdout.startswith("app.py:6:12: DBOS101 "), result.stdout + result.stderr


# --- Paths that can be committed (the newcomer's item 21) ----------------------------------------


@pytest.mark.parametrize("home", ["elsewhere", "above the project"])
@pytest.mark.parametrize("earlier", [False, True], ids=["installed-now", "installed-earlier"])
def test_a_block_in_a_subfolder_names_the_project_copy_relative_to_it(home: str, earlier: bool, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if home == "above the project":  # the usual case: ~/code/project
        monkeypatch.setenv("HOME", str(project.parent))
    (project / "docs").mkdir()
    if earlier:
        run_cli("install", "--agent", "codex")
        code, _ = run_cli("install", "--agents-md", "docs")
    else:
        code, _ = run_cli("install", "--agent", "codex", "--agents-md", "docs")
    text = (project / "docs" / "AGENTS.md").read_text()
    assert code == 0 and str(project.parent) not in text and "~/" not in text
    assert "### Rule files in `../.agents/skills/dbos-python/references/`" in text
    assert "run `python3 ../.agents/skills/dbos-python/scripts/check.py" in text
    assert "its paths are relative to this file's folder" in text
    named = re.findall(r"^- `([^`]+\.md)`", text, re.MULTILINE)
    assert named and all((project / "docs" / "../.agents/skills/dbos-python/references" / name).is_file() for name in named)
