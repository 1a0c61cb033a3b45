"""`dbos-skill install` and `uninstall`: each agent's documented folder, one copy per shared folder,
a copy that validates clean, refusals that change nothing, and an uninstall that removes exactly
what was installed."""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli, snapshot
from dbos_skill.agents import AGENTS
from dbos_skill.bundle import INSTALLED_PATHS, SKILL_NAME, copy_skill, skill_files
from dbos_skill.install import MANIFEST, Target, apply, plan_install, plan_uninstall

# Each agent's folders as its own documentation gives them (README, "Install the skill").
DOCUMENTED = {
    "claude-code": (".claude/skills", ".claude/skills"),
    "codex": (".agents/skills", ".agents/skills"),
    "cursor": (".agents/skills", ".agents/skills"),
    "gemini-cli": (".agents/skills", ".agents/skills"),
    "github-copilot": (".agents/skills", ".agents/skills"),
    "opencode": (".agents/skills", ".agents/skills"),
    "amp": (".agents/skills", ".config/agents/skills"),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory as the current directory, with its own home directory."""
    home = tmp_path / "home"
    project = tmp_path / "project"
    home.mkdir()
    project.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    return project


def everything(root: Path) -> dict[str, bytes]:
    """Every file and folder under root (folders as b"<dir>"), to prove nothing changed."""
    state = snapshot(root)
    state.update({p.relative_to(root).as_posix(): b"<dir>" for p in root.rglob("*") if p.is_dir()})
    return state


def dbos_skill(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=str(home), PYTHONPATH=str(REPO / "scripts"))
    return subprocess.run([sys.executable, "-m", "dbos_skill", *args], cwd=cwd, capture_output=True, text=True, env=env)


def test_the_agent_table_is_the_documented_one() -> None:
    assert {name: (a.project, a.user) for name, a in AGENTS.items()} == DOCUMENTED


@pytest.mark.parametrize("agent", sorted(DOCUMENTED))
@pytest.mark.parametrize("scope", ["project", "user"])
def test_each_agent_gets_the_skill_in_its_documented_folder(agent: str, scope: str, project: Path) -> None:
    code, output = run_cli("install", "--agent", agent, "--scope", scope)
    base = project if scope == "project" else Path.home()
    folder = base / DOCUMENTED[agent][0 if scope == "project" else 1] / SKILL_NAME
    assert code == 0, output
    assert (folder / "SKILL.md").is_file() and (folder / "references").is_dir()
    assert f"for {agent}" in output


def test_agents_that_share_a_folder_get_one_copy(project: Path) -> None:
    code, output = run_cli("install", "--agent", "all")
    assert code == 0
    assert sorted(p.relative_to(project).as_posix() for p in project.glob("*/skills/*")) == [".agents/skills/dbos-python", ".claude/skills/dbos-python"]
    assert output.splitlines() == [
        "installed .claude/skills/dbos-python for claude-code: %d files" % len(skill_files(REPO)),
        "installed .agents/skills/dbos-python for codex, cursor, gemini-cli, github-copilot, opencode, amp: %d files" % len(skill_files(REPO)),
    ]


def test_user_scope_installs_under_home_only(project: Path) -> None:
    code, _ = run_cli("install", "--agent", "all", "--scope", "user")
    home = Path.home()
    assert code == 0
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob(SKILL_NAME)) == [
        ".agents/skills/dbos-python",
        ".claude/skills/dbos-python",
        ".config/agents/skills/dbos-python",
    ]
    assert list(project.iterdir()) == []


def test_dest_naming_an_agent_folder_is_the_same_copy(project: Path) -> None:
    code, output = run_cli("install", "--agent", "codex", "--dest", ".agents/skills")
    assert code == 0
    assert output.splitlines() == [f"installed .agents/skills/dbos-python for codex: {len(skill_files(REPO))} files"]


def test_the_installed_copy_is_the_installable_skill_and_a_manifest(project: Path) -> None:
    run_cli("install", "--dest", "skills")
    installed = project / "skills" / SKILL_NAME
    files = snapshot(installed)
    manifest = json.loads(files.pop(MANIFEST))
    assert files == {f: (REPO / f).read_bytes() for f in skill_files(REPO)}
    assert set(manifest["files"]) == set(files) and manifest["installed-by"] == "dbos-skill"
    assert all(f.startswith(INSTALLED_PATHS) for f in files)


def test_the_installed_copy_validates_clean(project: Path) -> None:
    run_cli("install", "--dest", ".")
    installed = project / SKILL_NAME
    code, output = run_cli("validate", str(installed), "--no-run", "--strict")
    assert code == 0, output
    agentskills = shutil.which("agentskills")
    if agentskills is None:  # skills-ref needs Python 3.11+
        pytest.skip("skills-ref is not installed (pip install -e '.[test]' on Python 3.11+)")
    result = subprocess.run([agentskills, "validate", str(installed)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dry_run_says_what_it_would_do_and_changes_nothing(project: Path) -> None:
    root = project.parent
    before = everything(root)
    code, output = run_cli("install", "--agent", "all", "--dry-run", "--agents-md")
    assert code == 0
    assert output.splitlines()[0].startswith("would install .claude/skills/dbos-python for claude-code")
    assert output.splitlines()[-1].startswith("would create AGENTS.md with the dbos-python block")
    assert everything(root) == before


def test_installing_again_changes_nothing(project: Path) -> None:
    run_cli("install", "--agent", "all", "--agents-md")
    before = everything(project)
    mtimes = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    code, output = run_cli("install", "--agent", "all", "--agents-md")
    assert code == 0
    assert all(line.startswith("up to date: ") for line in output.splitlines())
    assert everything(project) == before
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*")} == mtimes


def test_a_folder_it_did_not_install_is_refused_and_nothing_changes(project: Path) -> None:
    mine = project / ".agents" / "skills" / SKILL_NAME
    mine.mkdir(parents=True)
    (mine / "SKILL.md").write_text("my own skill\n")
    before = everything(project)
    result = dbos_skill("install", "--agent", "all", cwd=project, home=Path.home())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "a folder dbos-skill did not install is already there" in result.stderr and "--force" in result.stderr
    assert everything(project) == before  # not even claude-code's folder was installed


def test_force_replaces_a_folder_it_did_not_install(project: Path) -> None:
    # --force writes the skill's files and the manifest into the folder; a file that is not the
    # skill's is no longer deleted (it used to be): it stays, is named, and uninstall keeps it.
    mine = project / "skills" / SKILL_NAME
    mine.mkdir(parents=True)
    (mine / "stale.md").write_text("old\n")
    code, output = run_cli("install", "--dest", "skills", "--force")
    assert code == 0 and "which dbos-skill did not install" in output
    assert "  kept 1 files that are not part of the skill: stale.md" in output.splitlines()
    assert (mine / "stale.md").read_text() == "old\n" and (mine / MANIFEST).is_file()
    assert snapshot(mine).keys() == {*skill_files(REPO), MANIFEST, "stale.md"}


def test_changed_installed_files_are_not_overwritten_without_force(project: Path) -> None:
    run_cli("install", "--dest", "skills")
    edited = project / "skills" / SKILL_NAME / "references" / "step-basics.md"
    edited.write_text("my notes\n")
    result = dbos_skill("install", "--dest", "skills", cwd=project, home=Path.home())
    assert result.returncode == 2 and "references/step-basics.md" in result.stderr
    assert edited.read_text() == "my notes\n"
    code, output = run_cli("install", "--dest", "skills", "--force")
    assert code == 0 and output.startswith("updated skills/dbos-python: 1 files written, 0 removed")
    assert edited.read_bytes() == (REPO / "references" / "step-basics.md").read_bytes()


def test_an_update_writes_what_changed_removes_what_was_dropped_and_keeps_user_files(tmp_path: Path) -> None:
    source = copy_skill(REPO, tmp_path / "v1")
    target = Target(tmp_path / "agent" / SKILL_NAME, ("codex",))
    apply(plan_install(source, target, force=False), source)
    (target.directory / "my-notes.md").write_text("mine\n")
    (source / "references" / "step-basics.md").write_text((source / "references" / "step-basics.md").read_text() + "\nMore.\n")
    (source / "references" / "step-retries.md").unlink()
    (source / "references" / "step-new.md").write_text("new\n")
    step = plan_install(source, target, force=False)
    assert (step.kind, step.write, step.remove) == ("update", ["references/step-basics.md", "references/step-new.md"], ["references/step-retries.md"])
    apply(step, source)
    installed = snapshot(target.directory)
    manifest = json.loads(installed.pop(MANIFEST))
    assert installed.pop("my-notes.md") == b"mine\n"
    assert installed == snapshot(source) and set(manifest["files"]) == set(installed)


def test_uninstall_removes_exactly_what_it_installed(project: Path) -> None:
    other = project / ".agents" / "skills" / "other-skill"
    other.mkdir(parents=True)
    (other / "SKILL.md").write_text("another skill\n")
    before = everything(project)
    run_cli("install", "--agent", "all")
    code, output = run_cli("uninstall", "--agent", "all")
    assert code == 0
    assert output.splitlines() == [
        f"uninstalled .claude/skills/dbos-python for claude-code: {len(skill_files(REPO))} files",
        f"uninstalled .agents/skills/dbos-python for codex, cursor, gemini-cli, github-copilot, opencode, amp: {len(skill_files(REPO))} files",
    ]
    assert everything(project) == before  # .claude/ it created is gone; .agents/ it found stays


def test_uninstall_keeps_files_the_user_added(project: Path) -> None:
    run_cli("install", "--agent", "codex")
    added = project / ".agents" / "skills" / SKILL_NAME / "references" / "my-rule.md"
    added.write_text("mine\n")
    code, output = run_cli("uninstall", "--agent", "codex")
    assert code == 0 and "kept .agents/skills/dbos-python for the files you added: references/my-rule.md" in output
    assert everything(project) == {".agents": b"<dir>", ".agents/skills": b"<dir>", ".agents/skills/dbos-python": b"<dir>",
                                   ".agents/skills/dbos-python/references": b"<dir>", ".agents/skills/dbos-python/references/my-rule.md": b"mine\n"}


def test_uninstall_leaves_a_folder_it_did_not_install_alone(project: Path) -> None:
    mine = project / ".claude" / "skills" / SKILL_NAME
    mine.mkdir(parents=True)
    (mine / "SKILL.md").write_text("my own skill\n")
    result = dbos_skill("uninstall", "--agent", "claude-code", cwd=project, home=Path.home())
    assert result.returncode == 2 and "not installed by dbos-skill" in result.stderr and "Traceback" not in result.stderr
    assert (mine / "SKILL.md").read_text() == "my own skill\n"


def test_uninstall_of_nothing_installed_says_so(project: Path) -> None:
    code, output = run_cli("uninstall", "--agent", "cursor")
    assert code == 0 and output == "not installed: .agents/skills/dbos-python for cursor\n"


def test_uninstall_dry_run_changes_nothing(project: Path) -> None:
    run_cli("install", "--agent", "all", "--agents-md")
    before = everything(project)
    code, output = run_cli("uninstall", "--agent", "all", "--agents-md", "--dry-run")
    assert code == 0 and all(line.lstrip().startswith("would ") for line in output.splitlines())
    assert everything(project) == before


def test_changed_files_are_not_uninstalled_without_force(project: Path) -> None:
    run_cli("install", "--agent", "codex")
    (project / ".agents" / "skills" / SKILL_NAME / "SKILL.md").write_text("edited\n")
    assert plan_uninstall(Target(project / ".agents" / "skills" / SKILL_NAME, ()), force=True).kind == "uninstall"
    result = dbos_skill("uninstall", "--agent", "codex", cwd=project, home=Path.home())
    assert result.returncode == 2 and "SKILL.md" in result.stderr
    assert run_cli("uninstall", "--agent", "codex", "--force")[0] == 0
    assert list(project.iterdir()) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["install"], "nothing to install"),
        (["uninstall"], "nothing to uninstall"),
        (["install", "--agent", "vim"], "invalid choice"),
        (["install", "--agent", "codex", "--scope", "system"], "invalid choice"),
        (["install", "--agents-md", "no/such/folder/AGENTS.md"], "does not exist"),
    ],
)
def test_bad_arguments_exit_2_without_a_traceback(args: list[str], message: str, tmp_path: Path) -> None:
    result = dbos_skill(*args, cwd=tmp_path, home=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_file_where_a_folder_must_go_is_refused(project: Path) -> None:
    (project / ".agents").write_text("not a folder\n")
    result = dbos_skill("install", "--agent", "codex", cwd=project, home=Path.home())
    assert result.returncode == 2 and ".agents is not a folder" in result.stderr and "Traceback" not in result.stderr


def test_installing_over_the_source_itself_is_refused(tmp_path: Path) -> None:
    source = copy_skill(REPO, tmp_path)
    with pytest.raises(Exception, match="the skill's own source"):
        plan_install(source, Target(source, ()), force=True)


# --- Bytecode caches (the newcomer's item 6) --------------------------------------------------

APP = "import time\nfrom dbos import DBOS\n\n@DBOS.workflow()\ndef w() -> float:\n    return time.time()\n"


def shell_env() -> dict[str, str]:
    """A user's shell: Python writes bytecode caches beside the modules it imports."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONPATH")}


@pytest.mark.parametrize("prefix", [False, True], ids=["no-prefix", "PYTHONPYCACHEPREFIX"])
def test_the_installed_checker_writes_no_bytecode_caches_into_the_skill(prefix: bool, project: Path) -> None:
    run_cli("install", "--agent", "claude-code")
    installed = project / ".claude" / "skills" / SKILL_NAME
    (project / "app.py").write_text(APP)
    check = [sys.executable, str(installed / "scripts" / "check.py"), "app.py"]
    env = dict(shell_env(), PYTHONPYCACHEPREFIX=str(project.parent / "pycache")) if prefix else shell_env()
    result = subprocess.run(check, cwd=project, capture_output=True, text=True, env=env)
    assert result.returncode == 1 and result.stdout.startswith("app.py:6:12: DBOS101 "), result.stdout + result.stderr
    assert [p for p in installed.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"] == []
    # Caches the user sends elsewhere are still written there: no recompiling on every run.
    assert any((project.parent / "pycache").rglob("base*.pyc")) == prefix


def test_caches_written_by_importing_the_installed_modules_are_removed_with_them(project: Path) -> None:
    run_cli("install", "--agent", "claude-code")
    installed = project / ".claude" / "skills" / SKILL_NAME
    # What any other import of the installed package writes (an agent's script, a test runner).
    subprocess.run([sys.executable, "-c", "import dbos_skill.check.cli"], cwd=installed / "scripts", env=shell_env(), check=True)
    written = sorted(p.relative_to(installed).as_posix() for p in installed.rglob("*.pyc"))
    assert written and all(f.startswith("scripts/dbos_skill/") and "/__pycache__/" in f for f in written)
    assert run_cli("install", "--agent", "claude-code") == (0, "up to date: .claude/skills/dbos-python for claude-code\n")
    code, output = run_cli("uninstall", "--agent", "claude-code")
    assert code == 0 and output.splitlines() == [
        f"uninstalled .claude/skills/dbos-python for claude-code: {len(skill_files(REPO))} files",
        f"  removed {len(written)} bytecode caches (__pycache__) of the skill's modules",
    ]
    assert list(project.iterdir()) == []
    assert run_cli("install", "--agent", "claude-code")[0] == 0


def leave_caches_only(folder: Path) -> None:
    """What an uninstall before this fix left: the folders of the checker's caches, and the caches."""
    for name in ("scripts/dbos_skill/__pycache__/__init__.cpython-311.pyc", "scripts/dbos_skill/check/__pycache__/base.cpython-311.opt-1.pyc"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"\x00cache")


def test_a_folder_left_with_only_caches_is_installed_over(project: Path) -> None:
    folder = project / ".claude" / "skills" / SKILL_NAME
    leave_caches_only(folder)
    code, output = run_cli("install", "--agent", "claude-code")
    assert code == 0 and output.splitlines() == [
        f"installed .claude/skills/dbos-python for claude-code: {len(skill_files(REPO))} files",
        "  removed 2 bytecode caches (__pycache__) of the skill's modules",
    ]
    assert snapshot(folder).keys() == {*skill_files(REPO), MANIFEST}


def test_a_folder_left_with_only_caches_is_uninstalled(project: Path) -> None:
    folder = project / ".claude" / "skills" / SKILL_NAME
    leave_caches_only(folder)
    code, output = run_cli("uninstall", "--agent", "claude-code")
    assert code == 0 and output.splitlines() == [
        "uninstalled .claude/skills/dbos-python for claude-code: it held only bytecode caches of the skill's modules",
        "  removed 2 bytecode caches (__pycache__) of the skill's modules",
    ]
    assert not folder.exists() and (project / ".claude" / "skills").is_dir()  # its parents were not the install's


def test_caches_beside_a_file_of_the_user_leave_the_folder_someone_elses(project: Path) -> None:
    folder = project / ".claude" / "skills" / SKILL_NAME
    leave_caches_only(folder)
    (folder / "notes.md").write_text("mine\n")
    before = everything(project)
    result = dbos_skill("uninstall", "--agent", "claude-code", cwd=project, home=Path.home())
    assert result.returncode == 2 and "not installed by dbos-skill" in result.stderr
    result = dbos_skill("install", "--agent", "claude-code", cwd=project, home=Path.home())
    assert result.returncode == 2 and "a folder dbos-skill did not install is already there" in result.stderr
    assert everything(project) == before


# --- --force deletes nothing that is not the skill's (the newcomer's item 7) --------------------


def git(*args: str, cwd: Path) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@example.com", GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@example.com")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_force_never_writes_into_a_git_clone(project: Path) -> None:
    clone = copy_skill(REPO, project / ".claude" / "skills")
    git("init", "-q", cwd=clone)
    git("add", "-A", cwd=clone)
    git("commit", "-qm", "the skill", cwd=clone)
    (clone / "my-wip.md").write_text("wip\n")
    (clone / "SKILL.md").write_text((clone / "SKILL.md").read_text() + "\nMy uncommitted edit.\n")
    before = everything(project)
    for dry_run in (["--dry-run"], []):
        result = dbos_skill("install", "--agent", "claude-code", "--force", *dry_run, cwd=project, home=Path.home())
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr == (
            f"dbos-skill: error: nothing was changed: {clone}: a git work tree (.git) is there; dbos-skill writes into no git "
            "work tree, even with --force: update it with git, or move it away, then install again\n"
        )
        assert everything(project) == before


@pytest.mark.parametrize("where, refused", [(".git", True), ("references/.git", True), ("mystuff/.git", False)])
def test_a_git_work_tree_is_refused_where_the_skill_writes(where: str, refused: bool, project: Path) -> None:
    folder = project / "skills" / SKILL_NAME
    (folder / where).parent.mkdir(parents=True)
    (folder / where).write_text("gitdir: /somewhere/else\n")  # a worktree's or a submodule's .git is a file
    result = dbos_skill("install", "--dest", "skills", "--force", cwd=project, home=Path.home())
    assert (result.returncode, f"a git work tree ({where}) is there" in result.stderr) == ((2, True) if refused else (0, False))
    assert (folder / where).read_text() == "gitdir: /somewhere/else\n"


def test_force_keeps_what_is_not_the_skills_and_the_dry_run_names_every_file(project: Path) -> None:
    folder = project / ".claude" / "skills" / SKILL_NAME
    (folder / "mystuff").mkdir(parents=True)
    (folder / "references").mkdir()
    (folder / "mystuff" / "notes.txt").write_text("notes\n")
    (folder / "my-wip.md").write_text("wip\n")
    (folder / "SKILL.md").write_text("my own SKILL.md\n")
    shutil.copy2(REPO / "references" / "step-basics.md", folder / "references" / "step-basics.md")  # the skill's own: not listed
    count = len(skill_files(REPO))
    before = everything(project)
    result = dbos_skill("install", "--agent", "claude-code", cwd=project, home=Path.home())
    assert result.returncode == 2 and "(1 of its files would be overwritten, its 2 other files kept; --dry-run lists them)" in result.stderr
    code, output = run_cli("install", "--agent", "claude-code", "--force", "--dry-run")
    assert code == 0 and output.splitlines() == [
        f"would replace .claude/skills/dbos-python for claude-code, which dbos-skill did not install: {count} files",
        "  would overwrite 1 files that differ from the skill's: SKILL.md",
        "  would keep 2 files that are not part of the skill: my-wip.md, mystuff/notes.txt",
    ]
    assert everything(project) == before
    code, output = run_cli("install", "--agent", "claude-code", "--force")
    assert code == 0 and output.splitlines() == [
        f"replaced .claude/skills/dbos-python for claude-code, which dbos-skill did not install: {count} files",
        "  overwrote 1 files that differ from the skill's: SKILL.md",
        "  kept 2 files that are not part of the skill: my-wip.md, mystuff/notes.txt",
    ]
    installed = snapshot(folder)
    assert installed.pop("my-wip.md") == b"wip\n" and installed.pop("mystuff/notes.txt") == b"notes\n"
    assert set(json.loads(installed.pop(MANIFEST))["files"]) == set(skill_files(REPO))
    assert installed == {f: (REPO / f).read_bytes() for f in skill_files(REPO)}
    code, output = run_cli("uninstall", "--agent", "claude-code")
    assert code == 0 and "kept .claude/skills/dbos-python for the files you added: my-wip.md, mystuff/notes.txt" in output
    assert snapshot(folder) == {"my-wip.md": b"wip\n", "mystuff/notes.txt": b"notes\n"}


def make_outside(project: Path) -> Path:
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "keep.md").write_text("outside\n")
    return outside


@pytest.mark.parametrize(
    "layout, message",
    [
        ("file", "skills/dbos-python: a file is already there; dbos-skill deletes nothing of yours, even with --force"),
        ("references-file", "references is a file where the skill has a folder"),
        ("references-symlink", "references is a symlink where the skill has a folder"),
        ("skill-md-folder", "SKILL.md is a folder where the skill has a file"),
    ],
)
def test_force_deletes_nothing_to_make_room_and_writes_through_no_symlink(layout: str, message: str, project: Path) -> None:
    folder, outside = project / "skills" / SKILL_NAME, make_outside(project)
    folder.parent.mkdir()
    if layout == "file":
        folder.write_text("my notes\n")
    else:
        folder.mkdir()
        if layout == "references-file":
            (folder / "references").write_text("a file\n")
        elif layout == "references-symlink":
            (folder / "references").symlink_to(outside)
        else:
            (folder / "SKILL.md").mkdir()
            (folder / "SKILL.md" / "mine.md").write_text("mine\n")
    before = everything(project.parent)
    result = dbos_skill("install", "--dest", "skills", "--force", cwd=project, home=Path.home())
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert everything(project.parent) == before


def test_force_replaces_a_symlink_and_leaves_what_it_points_to_alone(project: Path) -> None:
    outside = make_outside(project)
    (project / "skills").mkdir()
    (project / "skills" / SKILL_NAME).symlink_to(outside)
    result = dbos_skill("install", "--dest", "skills", cwd=project, home=Path.home())
    assert result.returncode == 2 and f"a symlink (to {outside}) is already there" in result.stderr
    code, output = run_cli("install", "--dest", "skills", "--force")
    assert code == 0 and output == f"replaced skills/dbos-python, a symlink to {outside} (which is left alone): {len(skill_files(REPO))} files\n"
    assert not (project / "skills" / SKILL_NAME).is_symlink() and snapshot(outside) == {"keep.md": b"outside\n"}


def test_an_update_overwrites_a_file_the_user_put_where_the_skill_now_has_one_only_with_force(tmp_path: Path) -> None:
    from dbos_skill.commands.install import details
    from dbos_skill.install import InstallError

    source = copy_skill(REPO, tmp_path / "v1")
    target = Target(tmp_path / "agent" / SKILL_NAME, ("codex",))
    apply(plan_install(source, target, force=False), source)
    (target.directory / "references" / "step-new.md").write_text("mine\n")
    (source / "references" / "step-new.md").write_text("new\n")
    (source / "references" / "step-retries.md").unlink()
    with pytest.raises(InstallError, match=re.escape("files you added are where the skill now has its own (references/step-new.md); pass --force")):
        plan_install(source, target, force=False)
    step = plan_install(source, target, force=True)
    assert details(step, dry_run=True) == [
        "  would overwrite or remove 1 files changed since the install, or added: references/step-new.md",
        "  would remove 1 files no longer in the skill: references/step-retries.md",
    ]


def test_uninstall_force_names_the_changed_files_it_removes(project: Path) -> None:
    run_cli("install", "--agent", "codex")
    (project / ".agents" / "skills" / SKILL_NAME / "SKILL.md").write_text("edited\n")
    code, output = run_cli("uninstall", "--agent", "codex", "--force", "--dry-run")
    assert code == 0 and output.splitlines()[1:] == ["  would remove 1 files changed since the install: SKILL.md"]


# --- Empty option values (the newcomer's item 14) ------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["install", "--dest", ""], "--dest: the path is empty; name a folder (`--dest .` for ./dbos-python)"),
        (["install", "--agent", "codex", "--dest", "skills", "--dest", ""], "--dest: the path is empty; name a folder (`--dest .` for ./dbos-python)"),
        (["uninstall", "--dest", ""], "--dest: the path is empty; name a folder (`--dest .` for ./dbos-python)"),
        (["install", "--agent", "codex", "--agents-md", ""], "--agents-md: the path is empty; name a file, or give --agents-md alone for ./AGENTS.md"),
        (["uninstall", "--agents-md", ""], "--agents-md: the path is empty; name a file, or give --agents-md alone for ./AGENTS.md"),
    ],
)
def test_an_empty_path_is_a_usage_error(args: list[str], message: str, tmp_path: Path) -> None:
    result = dbos_skill(*args, cwd=tmp_path, home=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"dbos-skill: error: {message}\n")
    assert list(tmp_path.iterdir()) == []
