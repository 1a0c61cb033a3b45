"""S003 and the checkout: a source checkout is validated under any name, an installed copy is not.

A bundle at the root of a git work tree (`.git` a directory, or a file in a
worktree or submodule) is where the skill is developed; its directory name is
whatever it was cloned as. A copy without `.git` is an installed skill, whose
directory must be named as the skill.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BASE, REPO, validate_json


def bundle_named(tmp_path: Path, name: str) -> Path:
    bundle = tmp_path / name
    shutil.copytree(BASE, bundle)
    return bundle


def codes(bundle: Path, *options: str) -> tuple[int, list[str]]:
    code, report = validate_json(bundle, "--no-run", *options)
    return code, [f"{d['line']}:{d['col']}: {d['code']}" for d in report["diagnostics"]]


def test_an_installed_copy_under_another_name_is_caught(tmp_path: Path) -> None:
    bundle = bundle_named(tmp_path, "main")
    assert codes(bundle) == (0, ["2:7: S003"])
    assert codes(bundle, "--strict") == (1, ["2:7: S003"])


@pytest.mark.parametrize("git", ["directory", "file"])
def test_a_checkout_validates_clean_under_any_name(tmp_path: Path, git: str) -> None:
    bundle = bundle_named(tmp_path, "repo")
    if git == "directory":
        (bundle / ".git").mkdir()
    else:
        (bundle / ".git").write_text("gitdir: /elsewhere/.git/worktrees/repo\n")
    assert codes(bundle, "--strict") == (0, [])


def test_a_skill_installed_inside_a_git_repository_is_still_an_installed_copy(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    bundle = bundle_named(tmp_path / ".claude" / "skills", "python-dbos")
    assert codes(bundle, "--strict") == (1, ["2:7: S003"])


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs git and a git checkout")
def test_a_fresh_clone_of_the_repository_validates_clean_in_strict_mode(tmp_path: Path) -> None:
    clone = tmp_path / "main"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(clone)], check=True)
    code, report = validate_json(clone, "--no-run", "--strict")
    assert (code, report["diagnostics"]) == (0, [])
