"""Files at the edges of what Python and the checker can read: one of them never ends the run.

A 3,000-term sum or a 3,000-link attribute chain makes `ast.parse` raise RecursionError on
Python 3.11 and 3.12 (3.10 and 3.13 parse both), and 3,000 nested lambdas overflow the parser's
stack (MemoryError) on every version. Such a file is a DBOS999 finding of its own; every other
file is still checked. The model builder and the checks walk trees without recursing, so a deep
tree that does parse is checked like any other; a walk that still recursed too deeply would cost
only its own file.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO
from dbos_skill.check import determinism, registry
from dbos_skill.check.engine import Checker
from dbos_skill.check.model import build_module, source_text

CHECK_PY = REPO / "scripts" / "check.py"
APP = "import time\nfrom dbos import DBOS\n@DBOS.workflow()\ndef w():\n    return time.time()\n"
DEEP = {
    "gen.py": "x = " + " + ".join(["1"] * 3000) + "\n",  # the newcomer's input
    "chain.py": "x = a" + ".b" * 3000 + "\n",
    "lambdas.py": "x = " + "lambda: " * 3000 + "1\n",
}
VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


def parser_failure(source: str) -> str | None:
    """What `ast.parse` raises on `source` in a fresh interpreter like the checker's, or None when it parses."""
    probe = "import ast, sys\ntry:\n    ast.parse(sys.stdin.read())\nexcept (RecursionError, MemoryError) as e:\n    print(str(e) or type(e).__name__)\n"
    result = subprocess.run([sys.executable, "-c", probe], input=source, capture_output=True, text=True, check=True)
    return result.stdout.strip() or None


def test_a_file_too_deep_to_parse_is_a_finding_and_every_other_file_is_still_checked(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    for name, source in DEEP.items():
        (tmp_path / name).write_text(source)
    result = subprocess.run([sys.executable, str(CHECK_PY), "--format", "json", "."], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    found = [(d["path"], d["line"], d["col"], d["code"], d["message"]) for d in report["diagnostics"]]
    expected = [("app.py", 5, 12, "DBOS101")]
    for name, source in DEEP.items():
        failure = parser_failure(source)
        if failure is not None:
            expected.append((name, 1, 1, "DBOS999", f"the file does not parse with Python {VERSION}'s parser: an expression nests too deeply ({failure})"))
    assert any(name == "lambdas.py" for name, *_ in expected)  # the parser's stack overflows on every supported version
    assert [f[:4] for f in found] == sorted(e[:4] for e in expected)
    assert [f for f in found if f[3] == "DBOS999"] == sorted(e for e in expected if e[3] == "DBOS999")
    assert report["summary"]["files"] == 4


def _deep_sum(depth: int, leaf: ast.expr, at: ast.AST) -> ast.expr:
    """`leaf + 1 + 1 + ...` nested `depth` deep, built directly (no parser limit applies), placed at `at`."""
    node = leaf
    for _ in range(depth):
        node = ast.BinOp(left=node, op=ast.Add(), right=ast.Constant(1))
        ast.copy_location(node, at)
    return node


def test_trees_deeper_than_the_recursion_limit_are_walked_without_recursing() -> None:
    source = textwrap.dedent(
        """\
        import time
        from dbos import DBOS


        @DBOS.workflow()
        def w():
            x = PLACEHOLDER
            return x


        async def a():
            return CHAIN()
        """
    )
    tree = ast.parse(source)
    assign = tree.body[2].body[0]
    assign.value = _deep_sum(5 * sys.getrecursionlimit(), assign.value, assign.value)
    time_call = ast.parse("time.time()", mode="eval").body
    for node in ast.walk(time_call):
        ast.copy_location(node, assign.value)
    innermost = assign.value
    while isinstance(innermost.left, ast.BinOp):
        innermost = innermost.left
    innermost.left = time_call
    module = build_module("deep.py", source, tree)
    module.codes = registry.select(["ALL"])
    found = [f for family in registry.MODULE_FAMILIES for f in family.run(module)]
    assert [(f.code, f.line) for f in found] == [("DBOS101", 7)]


def test_a_long_chain_is_shown_by_its_names_when_unparse_would_recurse() -> None:
    node: ast.expr = ast.Name("client")
    for _ in range(5 * sys.getrecursionlimit()):
        node = ast.Attribute(value=node, attr="b")
    node = ast.Attribute(value=node, attr="send")
    assert source_text(node) == "client" + ".b" * (5 * sys.getrecursionlimit()) + ".send"
    assert source_text(ast.Attribute(value=ast.Call(func=node, args=[], keywords=[]), attr="send")) == "....send"
    assert source_text(ast.parse("DBOS.start_workflow", mode="eval").body) == "DBOS.start_workflow"


def test_a_check_that_recursed_too_deeply_costs_only_its_own_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's last guard: a RecursionError in the model or a check is that file's DBOS999, and the
    project-wide queue check, which may have missed a registration in it, judges no queue name."""
    real_run = determinism.run

    def run(module):
        if module.path == "deep.py":
            raise RecursionError("maximum recursion depth exceeded")
        return real_run(module)

    monkeypatch.setattr(determinism, "run", run)
    checker = Checker(registry.select(None))
    queues = 'from dbos import DBOS\nDBOS.launch()\nDBOS.register_queue("orders")\nDBOS.enqueue_workflow("typo", w)\n'
    deep = checker.check_source("deep.py", 'from dbos import DBOS\nDBOS.register_queue("typo")\n').findings
    app = checker.check_source("app.py", APP).findings
    other = checker.check_source("queues.py", queues).findings
    assert [(f.path, f.line, f.col, f.code, f.message) for f in deep] == [
        ("deep.py", 1, 1, "DBOS999", f"the file nests too deeply for the checker to analyse on Python {VERSION} (maximum recursion depth exceeded), so no check ran on it")
    ]
    assert [(f.path, f.line, f.code) for f in app] == [("app.py", 5, "DBOS101")]
    assert other == [] and checker.finish() == []


def test_a_directory_tree_deeper_than_the_recursion_limit_is_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deepest = tmp_path / "tree"
    deepest.mkdir()
    for _ in range(sys.getrecursionlimit() + 200):
        deepest = deepest / "a"
        deepest.mkdir()
    (deepest / "app.py").write_text('from dbos import Queue\n\nq = Queue("x")\n')
    monkeypatch.chdir(tmp_path)
    try:
        result = subprocess.run([sys.executable, str(CHECK_PY), "--format", "json", "tree"], capture_output=True, text=True)
        assert (result.returncode, result.stderr) == (1, "")
        shown = (deepest / "app.py").relative_to(tmp_path).as_posix()
        assert [(d["path"], d["line"], d["col"], d["code"]) for d in json.loads(result.stdout)["diagnostics"]] == [(shown, 3, 5, "DBOS001")]
    finally:  # shutil.rmtree recurses per level: remove the tree bottom up, so pytest's clean-up never meets it
        (deepest / "app.py").unlink()
        while deepest != tmp_path:
            deepest.rmdir()
            deepest = deepest.parent
