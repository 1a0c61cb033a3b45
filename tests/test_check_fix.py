"""`--fix`: only mechanical, safe rewrites; idempotent; the result parses; nothing changes without it."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from conftest import run_cli, snapshot

CASES = {
    "concurrency-renamed": (
        """\
        from dbos import DBOS
        DBOS.register_queue("orders", concurrency=5, worker_concurrency=2)
        """,
        """\
        from dbos import DBOS
        DBOS.register_queue("orders", global_concurrency=5, worker_concurrency=2)
        """,
    ),
    "concurrency-kept-beside-global": (
        """\
        from dbos import DBOS
        DBOS.register_queue("orders", concurrency=5, global_concurrency=5)
        """,
        None,
    ),
    "priority-removed-inline": (
        """\
        from dbos import DBOS
        DBOS.register_queue("orders", priority_enabled=True, polling_interval_sec=0.1)
        DBOS.register_queue("emails", priority_enabled=True)
        """,
        """\
        from dbos import DBOS
        DBOS.register_queue("orders", polling_interval_sec=0.1)
        DBOS.register_queue("emails")
        """,
    ),
    "priority-removed-own-line": (
        """\
        from dbos import DBOS
        DBOS.register_queue(
            "orders",  # the orders queue
            priority_enabled=True,  # was needed in 2.x
            worker_concurrency=1,
        )
        """,
        """\
        from dbos import DBOS
        DBOS.register_queue(
            "orders",  # the orders queue
            worker_concurrency=1,
        )
        """,
    ),
    "enable-patching-pins-the-version": (
        """\
        from dbos import DBOS, DBOSConfig
        config: DBOSConfig = {'name': 'orders-app', 'enable_patching': True}
        """,
        """\
        from dbos import DBOS, DBOSConfig
        config: DBOSConfig = {'name': 'orders-app', 'application_version': 'PATCHING_ENABLED'}
        """,
    ),
    "enable-patching-dropped-beside-a-version": (
        """\
        from dbos import DBOS
        DBOS(config={
            "name": "orders-app",
            "enable_patching": True,
            "application_version": "7",
        })
        """,
        """\
        from dbos import DBOS
        DBOS(config={
            "name": "orders-app",
            "application_version": "7",
        })
        """,
    ),
    "sync-calls-awaited": (
        """\
        from dbos import DBOS
        @DBOS.workflow()
        async def wf(dest: str) -> str:
            DBOS.sleep(1)
            DBOS.send(dest, DBOS.recv("in"))
            status = DBOS.get_workflow_status(dest).status
            total = sum(DBOS.get_event(dest, k) for k in "ab")
            handle = DBOS.retrieve_workflow(dest)
            return status
        """,
        """\
        from dbos import DBOS
        @DBOS.workflow()
        async def wf(dest: str) -> str:
            await DBOS.sleep_async(1)
            await DBOS.send_async(dest, await DBOS.recv_async("in"))
            status = (await DBOS.get_workflow_status_async(dest)).status
            total = sum(DBOS.get_event(dest, k) for k in "ab")
            handle = DBOS.retrieve_workflow(dest)
            return status
        """,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_rewrites_only_the_safe_part_once(tmp_path: Path, name: str) -> None:
    before, after = (textwrap.dedent(t) if t is not None else None for t in CASES[name])
    file = tmp_path / "app.py"
    file.write_text(before)

    run_cli("check", str(file), "--fix")
    fixed = file.read_text()
    assert fixed == (after if after is not None else before)
    ast.parse(fixed)

    run_cli("check", str(file), "--fix")
    assert file.read_text() == fixed, "a second --fix must change nothing"


def test_without_fix_nothing_is_written(tmp_path: Path) -> None:
    before = textwrap.dedent(CASES["sync-calls-awaited"][0])
    (tmp_path / "app.py").write_text(before)
    files = snapshot(tmp_path)
    code, output = run_cli("check", str(tmp_path))
    assert code == 1 and "(4 fixable with --fix)" in output
    assert snapshot(tmp_path) == files


def test_fix_reports_what_it_fixed_and_what_remains(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(textwrap.dedent(CASES["sync-calls-awaited"][0]))
    code, output = run_cli("check", str(tmp_path), "--fix")
    fixed = [line for line in output.splitlines() if line.startswith("fixed ")]
    assert code == 1  # get_event in a generator and retrieve_workflow stay: not mechanical
    assert len(fixed) == 4 and all(": DBOS301 " in line for line in fixed)
    assert output.splitlines()[-1] == "Checked 1 file: fixed 4 problems, 2 remaining."


def test_fix_respects_noqa_and_selection(tmp_path: Path) -> None:
    source = 'from dbos import DBOS\nDBOS.register_queue("a", concurrency=1)  # noqa: DBOS007\nDBOS.register_queue("b", concurrency=1)\n'
    file = tmp_path / "app.py"
    file.write_text(source)
    run_cli("check", str(file), "--fix", "--ignore", "DBOS007")
    assert file.read_text() == source
    run_cli("check", str(file), "--fix")
    assert file.read_text() == source.replace('"b", concurrency', '"b", global_concurrency')


def test_fix_keeps_the_file_encoding_and_newlines(tmp_path: Path) -> None:
    file = tmp_path / "app.py"
    file.write_bytes('# -*- coding: latin-1 -*-\r\nfrom dbos import DBOS\r\nname = "caf\u00e9"\r\nDBOS.register_queue(name, concurrency=1)\r\n'.encode("latin-1"))
    run_cli("check", str(file), "--fix")
    assert file.read_bytes() == '# -*- coding: latin-1 -*-\r\nfrom dbos import DBOS\r\nname = "caf\u00e9"\r\nDBOS.register_queue(name, global_concurrency=1)\r\n'.encode("latin-1")
