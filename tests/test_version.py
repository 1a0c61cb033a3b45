"""`dbos-skill --version`: this tool's version and the installed dbos, or "not installed", never a traceback."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from conftest import REPO
from dbos_skill import __version__


def test_version_names_the_tool_and_the_installed_dbos() -> None:
    result = subprocess.run([sys.executable, "-m", "dbos_skill", "--version"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout == f"dbos-skill {__version__} (dbos {metadata.version('dbos')})\n"


def test_version_without_dbos_says_not_installed() -> None:
    # -I -S: no site-packages, so neither dbos nor its metadata can be found.
    code = f"import sys; sys.path.insert(0, {str(REPO / 'scripts')!r}); from dbos_skill.cli import main; main(['--version'])"
    result = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"dbos-skill {__version__} (dbos not installed)\n"
    assert result.stderr == ""


def test_the_package_version_is_read_from_dbos_skill() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and 'version = { attr = "dbos_skill.__version__" }' in pyproject
