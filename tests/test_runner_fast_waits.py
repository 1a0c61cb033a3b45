"""The worker shortens DBOS's default waits: every one it means to, and nothing an example sets."""

from __future__ import annotations

import json
import subprocess
import sys

from dbos_skill.run import fast_waits

PROBE = """
import json
import dbos, dbos._client, dbos._core, dbos._dbos, dbos._queue, dbos._scheduler, dbos._sys_db, dbos._workflow_commands
from dbos_skill.run import fast_waits
print(json.dumps(fast_waits.apply()))
"""


def applied() -> list[str]:
    # In a process of its own: the shortened defaults must not leak into the test session.
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_every_kind_of_default_wait_is_shortened() -> None:
    changes = applied()
    for constant in fast_waits.MODULE_CONSTANTS:
        assert any(change.endswith("." + constant) for change in changes), constant
    for key in fast_waits.CONFIG_DEFAULTS:
        assert f"DBOSConfig {key} (when absent or None)" in changes
    assert "dbos._queue.queue_thread (literal 1 s wait)" in changes
    for method in ("dbos._core.WorkflowHandleFuture.get_result", "dbos._dbos.DBOS.register_queue", "dbos._sys_db.SystemDatabase.create"):
        assert any(change.startswith(method + "(") for change in changes), method
