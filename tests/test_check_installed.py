"""The checker runs from an installed copy of the skill with nothing but the standard library."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, copy_skill

FORBIDDEN = ("yaml", "markdown_it", "dbos", "sqlalchemy", "pydantic", "fastapi", "pytest")
APP = textwrap.dedent(
    """\
    import time
    from dbos import DBOS


    @DBOS.workflow()
    def checkout() -> float:
        return time.time()
    """
)
# Runs check.py as __main__ with the non-stdlib packages made unimportable, then reports
# every top-level module that got imported and is not in the standard library.
RUNNER = textwrap.dedent(
    """\
    import json, runpy, sys
    for name in {forbidden!r}:
        sys.modules[name] = None
    sys.argv = [{script!r}] + {args!r}
    try:
        runpy.run_path({script!r}, run_name="__main__")
    except SystemExit as exit:
        code = exit.code
    else:
        code = None
    imported = sorted({{m.split(".")[0] for m, v in sys.modules.items() if v is not None}} - set(sys.stdlib_module_names) - {{"dbos_skill", "__main__"}})
    print(json.dumps({{"code": code, "imported": imported}}), file=sys.stderr)
    """
)


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """What `dbos-skill install` copies (bundle.INSTALLED_PATHS), and nothing else."""
    return copy_skill(tmp_path)


def run_isolated(skill: Path, args: list[str], cwd: Path) -> tuple[dict, str]:
    script = str(skill / "scripts" / "check.py")
    code = RUNNER.format(forbidden=FORBIDDEN, script=script, args=args)
    result = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=cwd, capture_output=True, text=True)
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stderr.strip().splitlines()[-1]), result.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_installed_checker_runs_on_the_standard_library_alone(installed: Path, tmp_path: Path, fmt: str) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text(APP)
    status, stdout = run_isolated(installed, ["--format", fmt, "app"], cwd=tmp_path)
    assert status == {"code": 1, "imported": []}
    assert "DBOS101" in stdout


def test_installed_checker_names_the_installed_rule_file(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(APP)
    _, stdout = run_isolated(installed, ["main.py"], cwd=tmp_path)
    assert f"  rule: {installed}/references/workflow-determinism.md" in stdout.splitlines() or "  rule: dbos-python/references/workflow-determinism.md" in stdout.splitlines()


def test_installed_checker_fixes_files(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text('from dbos import DBOS\nDBOS.register_queue("q", concurrency=2)\n')
    status, _ = run_isolated(installed, ["--fix", "main.py"], cwd=tmp_path)
    assert status == {"code": 0, "imported": []}
    assert "global_concurrency=2" in (tmp_path / "main.py").read_text()


def test_the_package_init_imports_nothing() -> None:
    source = (REPO / "scripts" / "dbos_skill" / "__init__.py").read_text()
    assert "import" not in source


def test_check_py_and_the_console_script_agree(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(APP)
    standalone = subprocess.run([sys.executable, str(REPO / "scripts" / "check.py"), "--format", "json", "main.py"], cwd=tmp_path, capture_output=True, text=True)
    console = subprocess.run([sys.executable, "-m", "dbos_skill", "check", "--format", "json", "main.py"], cwd=tmp_path, capture_output=True, text=True,
                             env={"PYTHONPATH": str(REPO / "scripts"), "PATH": "/usr/bin:/bin"})
    assert (standalone.returncode, standalone.stdout) == (console.returncode, console.stdout)
    assert standalone.returncode == 1


def test_installed_checker_lists_its_checks_with_the_installed_rule_files(installed: Path, tmp_path: Path) -> None:
    status, stdout = run_isolated(installed, ["--list-checks"], cwd=tmp_path)
    assert status == {"code": 0, "imported": []}
    assert f"| DBOS101 | workflow-clock | {installed}/references/workflow-determinism.md | a workflow reads the clock outside a step |  |" in stdout.splitlines() or (
        "| DBOS101 | workflow-clock | dbos-python/references/workflow-determinism.md | a workflow reads the clock outside a step |  |" in stdout.splitlines()
    )


def _old_pythons() -> list[str]:
    """Interpreters older than 3.10 on this machine (on PATH, or installed by pyenv), one per version."""
    import os
    import shutil

    found: dict[str, str] = {}
    names = [shutil.which(f"python{v}") for v in ("2.7", "3.6", "3.7", "3.8", "3.9")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    names += [str(p) for p in sorted(pyenv.glob("*/bin/python"))] if pyenv.is_dir() else []
    for name in filter(None, names):
        probe = subprocess.run([name, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True)
        version = probe.stdout.strip()
        if probe.returncode == 0 and version and tuple(int(n) for n in version.split(".")) < (3, 10):
            found.setdefault(version, name)
    return [found[v] for v in sorted(found)]


OLD_PYTHONS = _old_pythons()


@pytest.mark.skipif(not OLD_PYTHONS, reason="no Python older than 3.10 on this machine")
@pytest.mark.parametrize("python", OLD_PYTHONS)
def test_check_py_on_an_old_python_says_which_python_it_needs(python: str, installed: Path, tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(APP)
    result = subprocess.run([python, str(installed / "scripts" / "check.py"), "main.py"], cwd=tmp_path, capture_output=True, text=True)
    version = subprocess.run([python, "-c", "import sys; print('.'.join(map(str, sys.version_info[:3])))"], capture_output=True, text=True).stdout.strip()
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"check.py: error: needs Python 3.10+, and this is Python {version} ({python}); run it with a newer python3\n"


def test_check_py_refuses_an_old_python_before_importing_the_package(tmp_path: Path) -> None:
    """The same gate without an old interpreter: check.py run as Python 3.8 would see itself."""
    script = str(REPO / "scripts" / "check.py")
    code = (
        "import runpy, sys\n"
        "sys.version_info = (3, 8, 18, 'final', 0)\n"
        f"sys.argv = [{script!r}, 'main.py']\n"
        "try:\n"
        f"    runpy.run_path({script!r}, run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    print(exit.code, any(m.startswith('dbos_skill') for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout == "2 False\n"
    assert result.stderr == f"check.py: error: needs Python 3.10+, and this is Python 3.8.18 ({sys.executable}); run it with a newer python3\n"
