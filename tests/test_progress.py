"""Progress while examples run: on stderr when it is a terminal, and nothing of it in a pipe or in CI.

The runs here put stderr on a pseudo-terminal (`os.openpty`) or a pipe, stdout
always on a pipe, and compare what each shows.
"""

from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO
from dbos_skill.progress import wanted

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs pseudo-terminals")

RUN_BUNDLE = FIXTURES / "run"  # 24 examples, 11 of them fail
FRAME = re.compile(r"examples (\d+)/(\d+), (\d+) failed \|")
# Report whether the progress library was ever imported, after running the command.
RUN_AND_TELL = "import sys; from dbos_skill.cli import main; code = main(sys.argv[1:]); print('tqdm imported:', 'tqdm' in sys.modules); sys.exit(code)"


def environment(**changes: str | None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "CI"}  # a developer's shell, not CI
    for name, value in changes.items():
        env.pop(name, None) if value is None else env.__setitem__(name, value)
    return env


def run(*args: str, stderr_on: str, columns: int = 100, env: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    """Run dbos-skill with stdout on a pipe and stderr on a terminal (`tty`) or a pipe; (exit code, stdout, stderr)."""
    command = [sys.executable, "-c", RUN_AND_TELL, *args]
    if stderr_on == "pipe":
        done = subprocess.run(command, cwd=REPO, capture_output=True, env=env or environment(), timeout=300)
        return done.returncode, done.stdout.decode(), done.stderr
    import fcntl
    import termios

    terminal, child_side = os.openpty()
    fcntl.ioctl(child_side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=child_side, env=env or environment())
    os.close(child_side)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # EIO: the last holder of the terminal's other side has gone
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    stdout = process.stdout.read().decode()
    process.stdout.close()
    return process.wait(timeout=300), stdout, bytes(shown)


def comparable(report: str) -> list[str]:
    """The report less what differs from run to run: the wall time, and the pids of processes an example left."""
    return [re.sub(r"pid \d+", "pid N", line) for line in report.splitlines() if not line.startswith("Ran ")]


@pytest.fixture(scope="module")
def on_terminal(example_options: tuple[str, ...]) -> tuple[int, str, bytes]:
    return run("validate", str(RUN_BUNDLE), *example_options, stderr_on="tty")


@pytest.fixture(scope="module")
def piped(example_options: tuple[str, ...]) -> tuple[int, str, bytes]:
    return run("validate", str(RUN_BUNDLE), *example_options, stderr_on="pipe")


def test_on_a_terminal_a_run_shows_examples_done_of_total_and_failures_so_far(on_terminal) -> None:
    code, stdout, shown = on_terminal
    frames = [tuple(map(int, f)) for f in FRAME.findall(shown.decode())]
    assert code == 1, shown
    assert frames and frames[0] == (0, 24, 0), shown
    assert {total for _, total, _ in frames} == {24}
    assert [done for done, _, _ in frames] == sorted(done for done, _, _ in frames)
    assert [failed for _, _, failed in frames] == sorted(failed for _, _, failed in frames)
    assert any(failed for _, _, failed in frames) and all(failed <= done for done, _, failed in frames)
    assert re.search(rb"\r +\r$", shown), f"the progress line is cleared at the end: {shown[-300:]!r}"
    assert "tqdm imported: True" in stdout


def test_the_report_is_the_same_with_and_without_progress(on_terminal, piped) -> None:
    shown, unshown = on_terminal[1], piped[1]
    assert comparable(shown)[:-1] == comparable(unshown)[:-1]  # the last line says whether tqdm was imported
    assert re.match(r"Ran 24 snippets in [\d.]+ s: 8 passed, 3 proven, 1 runs-but-wrong, 1 skipped, 11 failed\.", shown.splitlines()[-3])


def test_a_terminal_that_does_not_say_its_size_still_shows_progress(example_options: tuple[str, ...]) -> None:
    _, _, shown = run("validate", str(RUN_BUNDLE), *example_options, stderr_on="tty", columns=0)
    assert FRAME.search(shown.decode())


def test_in_a_pipe_there_is_no_progress_and_no_progress_library(piped) -> None:
    code, stdout, errors = piped
    assert (code, errors) == (1, b"")
    assert "tqdm imported: False" in stdout


def test_in_ci_there_is_no_progress_even_on_a_terminal(example_options: tuple[str, ...]) -> None:
    code, stdout, shown = run("validate", str(RUN_BUNDLE), *example_options, stderr_on="tty", env=environment(CI="true"))
    assert (code, shown) == (1, b"")
    assert "tqdm imported: False" in stdout


def test_static_checks_alone_show_no_progress_and_import_no_progress_library() -> None:
    code, stdout, shown = run("validate", str(RUN_BUNDLE), "--no-run", stderr_on="tty")
    assert (code, shown) == (0, b"")
    assert "tqdm imported: False" in stdout


def test_progress_is_wanted_only_on_a_terminal_outside_ci(tmp_path: Path) -> None:
    terminal, other_side = os.openpty()
    with open(other_side, "w") as tty:
        assert wanted(tty, {})
        assert wanted(tty, {"CI": ""})  # set but empty: not CI
        assert not wanted(tty, {"CI": "true"})
    os.close(terminal)
    assert not wanted(io.StringIO(), {})
    with open(tmp_path / "log", "w") as file:
        assert not wanted(file, {})
    closed = open(tmp_path / "log")
    closed.close()
    assert not wanted(closed, {})
