"""The hooks of .pre-commit-hooks.yaml, run by the real `pre-commit try-repo` on throwaway repositories:
each fails on a DBOS mistake, then passes once it is fixed.

The hook repository is a fresh git repository holding this checkout's files as a user would fetch
them, so the tests do not depend on what is committed here. dbos-skill-validate is a
`language: python` hook: its first run installs dbos-skill into pre-commit's cache (about half a
minute), shared by the whole session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import BASE, FIXTURES, REPO, materialize

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")

HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "SKILL.md", "references", "scripts")
CHECKER = REPO / "scripts" / "check.py"
needs_checker = pytest.mark.skipif(not CHECKER.exists(), reason="the checker (scripts/check.py) is not in this checkout yet")

APP_WITH_MISTAKE = 'from dbos import DBOS, Queue\n\nqueue = Queue("emails")\n'
APP_FIXED = textwrap.dedent(
    """\
    import os

    from dbos import DBOS, DBOSConfig


    def main() -> None:
        config: DBOSConfig = {"name": "app", "system_database_url": os.environ.get("DBOS_SYSTEM_DATABASE_URL", "sqlite:///app.sqlite")}
        DBOS(config=config)
        DBOS.launch()
        DBOS.register_queue("emails")


    if __name__ == "__main__":
        main()
    """
)


def git_env(pre_commit_home: Path) -> dict[str, str]:
    identity = {f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER") for what, value in (("NAME", "test"), ("EMAIL", "test@example.com"))}
    return dict(os.environ, PRE_COMMIT_HOME=str(pre_commit_home), **identity)


def git(*args: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, pre_commit_home: Path) -> Path:
    """This checkout's hook files, committed in a repository of their own."""
    repo = tmp_path_factory.mktemp("hooks")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in HOOK_REPO_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            shutil.copy2(source, repo / name)
    env = git_env(pre_commit_home)
    git("init", "-q", cwd=repo, env=env)
    git("add", "-A", cwd=repo, env=env)
    git("commit", "-q", "-m", "hooks", cwd=repo, env=env)
    return repo


def try_repo(hook_repo: Path, hook: str, app: Path, pre_commit_home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo HOOK_REPO HOOK` on the files staged in `app`."""
    env = git_env(pre_commit_home)
    git("add", "-A", cwd=app, env=env)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook], cwd=app, env=env, capture_output=True, text=True, timeout=600
    )


def new_repo(path: Path, pre_commit_home: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", cwd=path, env=git_env(pre_commit_home))
    return path


def test_the_hooks_file_declares_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"dbos-check", "dbos-skill-validate"}
    check, validate = hooks["dbos-check"], hooks["dbos-skill-validate"]
    assert (check["language"], check["entry"], check["types"]) == ("script", "scripts/check.py", ["python"])
    assert (validate["language"], validate["entry"], validate["pass_filenames"]) == ("python", "dbos-skill validate", False)
    assert 'dbos-skill = "dbos_skill.cli:main"' in (REPO / "pyproject.toml").read_text()


@needs_checker
def test_check_py_runs_as_a_script() -> None:
    """`language: script` executes the file itself: it needs a shebang and the executable bit."""
    assert CHECKER.read_text().startswith("#!/usr/bin/env python3\n"), "scripts/check.py must start with #!/usr/bin/env python3"
    assert os.access(CHECKER, os.X_OK), "scripts/check.py must be executable (git update-index --chmod=+x scripts/check.py)"


def test_dbos_skill_validate_fails_on_a_broken_skill_then_passes_once_fixed(tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    skill = materialize(FIXTURES / "static" / "impact-differs", tmp_path)  # a rule's impact differs from its section's
    new_repo(skill, pre_commit_home)
    failed = try_repo(hook_repo, "dbos-skill-validate", skill, pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "R002 impact HIGH differs from section Lifecycle's impact CRITICAL" in failed.stdout
    shutil.copy2(BASE / "references" / "lifecycle-example.md", skill / "references" / "lifecycle-example.md")
    passed = try_repo(hook_repo, "dbos-skill-validate", skill, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


@needs_checker
def test_dbos_check_fails_on_a_dbos_mistake_then_passes_once_fixed(tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    app = new_repo(tmp_path / "app", pre_commit_home)
    (app / "main.py").write_text(APP_WITH_MISTAKE)
    failed = try_repo(hook_repo, "dbos-check", app, pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "main.py:3:" in failed.stdout and "Queue(" in failed.stdout
    (app / "main.py").write_text(APP_FIXED)
    passed = try_repo(hook_repo, "dbos-check", app, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


@needs_checker
def test_dbos_check_sees_the_queues_the_unstaged_files_register(tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    """The hook passes only the staged files: a queue registered in a committed, unchanged file still counts."""
    app = new_repo(tmp_path / "app", pre_commit_home)
    env = git_env(pre_commit_home)
    (app / "pkg").mkdir()
    (app / "pkg" / "queues.py").write_text('from dbos import DBOS\n\n\ndef register() -> None:\n    DBOS.register_queue("reports")\n')
    jobs = (
        'from dbos import DBOS\n\n\n@DBOS.workflow()\ndef report() -> None:\n    pass\n\n\n'
        'def main() -> None:\n    DBOS.launch()\n    DBOS.register_queue("emails")\n    DBOS.enqueue_workflow("QUEUE", report)\n'
    )
    (app / "pkg" / "jobs.py").write_text(jobs.replace("QUEUE", "emails"))
    git("add", "-A", cwd=app, env=env)
    git("commit", "-q", "-m", "app", cwd=app, env=env)
    (app / "pkg" / "jobs.py").write_text(jobs.replace("QUEUE", "reports"))  # only jobs.py is staged
    passed = try_repo(hook_repo, "dbos-check", app, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    (app / "pkg" / "jobs.py").write_text(jobs.replace("QUEUE", "reprots"))
    failed = try_repo(hook_repo, "dbos-check", app, pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "pkg/jobs.py:12:5: DBOS501 this enqueues on queue `reprots`, which no file of the project registers" in failed.stdout
