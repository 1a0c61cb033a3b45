"""DBOS501 (a queue name no file registers) when the checked files are only part of their project.

The pre-commit hook passes only the staged files, so a file that enqueues on a queue another file of
the project registers must not be reported: before judging a name, the checker reads the rest of the
project (the git work tree holding the file, else the nearest directory with a pyproject.toml,
setup.py or setup.cfg, else the file's directory) for registrations. A typo is still reported.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import run_cli

QUEUES = textwrap.dedent(
    """\
    from dbos import DBOS


    def register() -> None:
        DBOS.register_queue("reports")
    """
)


def jobs(queue: str) -> str:
    return textwrap.dedent(
        f"""\
        from dbos import DBOS


        @DBOS.workflow()
        def report() -> None:
            pass


        def main() -> None:
            DBOS.launch()
            DBOS.register_queue("emails")
            DBOS.enqueue_workflow("{queue}", report)
        """
    )


def found(*args: str) -> tuple[int, list[tuple[str, int, int, str, str]]]:
    code, output = run_cli("check", "--format", "json", *args)
    return code, [(d["path"], d["line"], d["col"], d["code"], d["message"]) for d in json.loads(output)["diagnostics"]]


TYPO = "this enqueues on queue `reprots`, which no file of the project registers: workflows enqueued there stay ENQUEUED, since no worker dequeues it"


@pytest.mark.parametrize("layout", ["plain directory", "git work tree", "pyproject"])
def test_a_file_checked_alone_sees_the_registrations_of_the_rest_of_its_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    """The newcomer's case: pkg/queues.py registers "reports"; pkg/jobs.py registers "emails" and enqueues on "reports"."""
    project = tmp_path / "project"
    jobs_dir = project / "pkg" if layout == "plain directory" else project / "src" / "app"
    queues_file = project / "pkg" / "queues.py" if layout == "plain directory" else project / "workers" / "queues.py"
    jobs_dir.mkdir(parents=True)
    queues_file.parent.mkdir(parents=True, exist_ok=True)
    queues_file.write_text(QUEUES)
    (jobs_dir / "jobs.py").write_text(jobs("reports"))
    if layout == "git work tree":
        subprocess.run(["git", "init", "-q", str(project)], check=True)
    elif layout == "pyproject":
        (project / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    monkeypatch.chdir(project)
    shown = (jobs_dir / "jobs.py").relative_to(project).as_posix()
    assert found(shown) == (0, [])
    assert found(str(project)) == (0, [])
    (jobs_dir / "jobs.py").write_text(jobs("reprots"))
    assert found(shown) == (1, [(shown, 12, 5, "DBOS501", TYPO)])


def test_a_project_file_that_may_register_a_queue_but_does_not_parse_keeps_the_check_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "jobs.py").write_text(jobs("reprots"))
    (tmp_path / "pkg" / "queues.py").write_text('from dbos import DBOS\nDBOS.register_queue("reprots"\n')  # unclosed
    monkeypatch.chdir(tmp_path)
    assert found("pkg/jobs.py") == (0, [])
    (tmp_path / "pkg" / "queues.py").write_text('from dbos import DBOS\nDBOS.register_queue(name_from_config())\n')
    assert found("pkg/jobs.py") == (0, [])  # a name the checker cannot read: it cannot know the typo is one
    (tmp_path / "pkg" / "queues.py").write_text("import queue\nwork = queue.Queue()\n")  # a Queue, not a DBOS registration
    assert found("pkg/jobs.py") == (1, [("pkg/jobs.py", 12, 5, "DBOS501", TYPO)])


def test_files_the_walk_skips_are_not_read_for_registrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A virtual environment's or an ignored file's registrations are not the project's."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "jobs.py").write_text(jobs("reprots"))
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "other.py").write_text(QUEUES.replace("reports", "reprots"))
    (tmp_path / "pkg" / "generated.py").write_text(QUEUES.replace("reports", "reprots"))
    (tmp_path / ".gitignore").write_text("generated.py\n")
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    assert found("pkg/jobs.py") == (1, [("pkg/jobs.py", 12, 5, "DBOS501", TYPO)])
