"""A child Python an example starts on its own file behaves as `python FILE ARGS` would, only warm."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dbos_skill.run import warm_python

pytestmark = pytest.mark.skipif(not warm_python.available(), reason="warm child interpreters are Linux-only")

PARENT = textwrap.dedent(
    """
    import os, signal, subprocess, sys
    import dbos
    from dbos_skill.run import warm_python

    here = os.path.dirname(os.path.abspath(__file__))
    child = os.path.join(here, "child.py")
    warm_python.install()
    report = {}

    done = subprocess.run([sys.executable, child, "hello"], capture_output=True, text=True, input="from stdin", env={**os.environ, "GREETING": "hi"})
    report["output"] = done.stdout.splitlines()
    report["warm"] = done.stdout.splitlines()[-1] == "warm True"
    report["exit"] = subprocess.run([sys.executable, child, "exit"]).returncode
    failed = subprocess.run([sys.executable, child, "raise"], capture_output=True, text=True)
    report["raise"] = (failed.returncode, failed.stderr.strip().splitlines()[-1])
    report["killed"] = subprocess.run([sys.executable, child, "kill"]).returncode
    slow = subprocess.Popen([sys.executable, child, "sleep"], stdout=subprocess.PIPE)
    try:
        slow.wait(timeout=0.2)
        report["timeout"] = "no"
    except subprocess.TimeoutExpired:
        report["timeout"] = "yes"
    slow.kill()
    report["after_kill"] = slow.wait()
    report["cwd"] = subprocess.run([sys.executable, "child.py", "cwd"], cwd=here, capture_output=True, text=True).stdout.strip() == os.path.realpath(here)
    report["shell_not_warm"] = subprocess.run(f"{sys.executable} -c 'import sys; print(\\"dbos\\" in sys.modules)'", shell=True, capture_output=True, text=True).stdout.strip()
    warm_python.close()
    print(report)
    """
)

CHILD = textwrap.dedent(
    """
    import os, signal, sys, time
    warm = "dbos" in sys.modules  # a fresh interpreter has not imported it yet
    if sys.argv[1] == "hello":
        print(sys.argv, os.environ["GREETING"], sys.stdin.read(), __name__)
        print("warm", warm)
    elif sys.argv[1] == "exit":
        sys.exit(3)
    elif sys.argv[1] == "raise":
        raise ValueError("boom")
    elif sys.argv[1] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif sys.argv[1] == "sleep":
        time.sleep(60)
    elif sys.argv[1] == "cwd":
        print(os.getcwd())
    """
)


def test_a_warm_child_gets_arguments_streams_environment_and_exit_status(tmp_path: Path) -> None:
    (tmp_path / "parent.py").write_text(PARENT)
    (tmp_path / "child.py").write_text(CHILD)
    done = subprocess.run([sys.executable, str(tmp_path / "parent.py")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = eval(done.stdout.strip().splitlines()[-1])
    assert report["output"][0] == f"['{tmp_path / 'child.py'}', 'hello'] hi from stdin __main__"
    assert report["warm"] is True
    assert report["exit"] == 3
    assert report["raise"] == (1, "ValueError: boom")
    assert report["killed"] == -9
    assert report["timeout"] == "yes" and report["after_kill"] == -9
    assert report["cwd"] is True
    assert report["shell_not_warm"] == "False"
