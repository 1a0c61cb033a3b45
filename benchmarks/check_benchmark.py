"""How much the checker costs over `ast.parse` alone, on the same files, in one run.

    PYTHONPATH=scripts python benchmarks/check_benchmark.py [--corpus DIR ...] [--repeat N]

For each target (the installed dbos package's source tree, and each --corpus directory,
by default /work/corpus/files when it exists) the files are read once, then timed
N times each, interleaved, in CPU time of this process: `ast.parse` of every file, and the
full checker (parse, module model, every default check, noqa, the project-wide queue
check) on the same texts.
Prints the medians, files per second and the ratio; the goal is at most 1.5x. The checker
pauses the cyclic garbage collector while it works (its models hold no cycles), so the last
columns compare it with `ast.parse` under the same pause too. It also times the whole
command (walking, reading, rendering) for reference.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import importlib.util
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from dbos_skill.check.cli import main as check_main  # noqa: E402
from dbos_skill.check.engine import Checker, read_source  # noqa: E402
from dbos_skill.check.files import discover  # noqa: E402
from dbos_skill.check.registry import select  # noqa: E402

DEFAULT_CORPUS = Path("/work/corpus/files")


def dbos_source_tree() -> Path:
    spec = importlib.util.find_spec("dbos")
    if spec is None or spec.origin is None:
        raise SystemExit("dbos is not installed: pip install dbos")
    return Path(spec.origin).parent


def load(root: Path) -> list[tuple[str, str]]:
    texts = []
    for file, shown in discover([str(root)], []):
        source, _ = read_source(file)
        if source is not None:
            texts.append((shown, source))
    return texts


def parse_all(texts: list[tuple[str, str]]) -> None:
    for path, source in texts:
        try:
            ast.parse(source, filename=path)
        except (SyntaxError, ValueError):
            pass


def parse_all_paused(texts: list[tuple[str, str]]) -> None:
    """ast.parse with the cyclic collector paused, as the checker runs: the stricter baseline."""
    gc.disable()
    try:
        parse_all(texts)
    finally:
        gc.enable()


def check_all(texts: list[tuple[str, str]], codes: frozenset[str]) -> int:
    checker = Checker(codes)
    found = 0
    for path, source in texts:
        found += len(checker.check_source(path, source).findings)
    return found + len(checker.finish())


def timed(function) -> float:
    """CPU seconds of this process: on a shared machine, wall time mostly measures the neighbours."""
    started = time.process_time()
    function()
    return time.process_time() - started


def command(root: Path) -> float:
    with contextlib.redirect_stdout(io.StringIO()):
        return timed(lambda: check_main([str(root), "--format", "json"]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", type=Path, help="a directory of DBOS code (repeatable)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    corpora = args.corpus or ([DEFAULT_CORPUS] if DEFAULT_CORPUS.is_dir() else [])
    codes = select(None)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median CPU time of {args.repeat} runs each, interleaved")
    print(f"{'target':<34} {'files':>6} {'lines':>7} {'ast.parse':>10} {'checker':>9} {'ratio':>6} {'files/s':>8} {'command':>8} {'parse, gc paused':>17} {'ratio':>6}")
    worst = 0.0
    for label, root in [("dbos package (site-packages/dbos)", dbos_source_tree())] + [(f"corpus {c}", c) for c in corpora]:
        texts = load(root)
        lines = sum(source.count("\n") + 1 for _, source in texts)
        parse_times, check_times, paused_times = [], [], []
        check_all(texts, codes)  # warm the imports and caches
        for _ in range(args.repeat):
            parse_times.append(timed(lambda: parse_all(texts)))
            check_times.append(timed(lambda: check_all(texts, codes)))
            paused_times.append(timed(lambda: parse_all_paused(texts)))
        parse_s, check_s, paused_s = (statistics.median(t) for t in (parse_times, check_times, paused_times))
        command_s = statistics.median(command(root) for _ in range(3))
        ratio = check_s / parse_s
        worst = max(worst, ratio)
        print(
            f"{label[:34]:<34} {len(texts):>6} {lines:>7} {parse_s:>9.3f}s {check_s:>8.3f}s {ratio:>5.2f}x {len(texts) / check_s:>8.0f} {command_s:>7.3f}s"
            f" {paused_s:>16.3f}s {check_s / paused_s:>5.2f}x"
        )
    print(f"worst ratio {worst:.2f}x (goal: at most 1.50x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
