"""Benchmark: validate the real bundle, and time a naive runner on the same snippets.

    python benchmarks/run_benchmark.py [--jobs N] [--skip-naive]

Ours: `dbos-skill validate` with snippet runs (fork server, parallel jobs).
Naive: one fresh `python` per snippet, serially, each finishing with a graceful
DBOS.destroy(). Peak memory is the largest total PSS of the validator and all
its descendant processes, sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from dbos_skill.bundle import copy_skill, load_bundle
from dbos_skill.run.pool import RunSettings
from dbos_skill.run.processes import descendants, process_table
from dbos_skill.snippets import collect_snippets, padded_source
from dbos_skill.validate import Options, validate

REPO = Path(__file__).resolve().parents[1]
SAMPLE_INTERVAL_S = 0.02
NAIVE_WRAPPER = """\
import runpy, sys
try:
    runpy.run_path(sys.argv[1], run_name="__main__")
finally:
    from dbos import DBOS
    DBOS.destroy()
"""


class TreeMemorySampler:
    """Samples the total proportional set size of this process and its descendants."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> "TreeMemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            me = os.getpid()
            tree = descendants(me, process_table()) | {me}
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in tree))
            self._stop.wait(SAMPLE_INTERVAL_S)


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_ours(bundle: Path, jobs: int | None) -> tuple[float, int, int, dict[str, int]]:
    with TreeMemorySampler() as sampler:
        started = time.monotonic()
        report = validate(bundle, Options(run=True, jobs=jobs))
        wall = time.monotonic() - started
    outcomes: dict[str, int] = {}
    for result in report.results or ():
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    executed = sum(n for outcome, n in outcomes.items() if outcome != "skipped")
    return wall, executed, sampler.peak_kib, outcomes


def run_naive(bundle: Path) -> tuple[float, int]:
    snippets = [s for s in collect_snippets(load_bundle(bundle).bundle) if s.expectation.kind != "skip"]
    started = time.monotonic()
    for index, snippet in enumerate(snippets):
        with tempfile.TemporaryDirectory() as directory:
            script = Path(directory) / f"snippet_{index}.py"
            script.write_text(padded_source(snippet.code_line, snippet.code))
            wrapper = Path(directory) / "naive.py"
            wrapper.write_text(NAIVE_WRAPPER)
            work = Path(directory) / "work"
            work.mkdir()
            env = dict(os.environ, DBOS_SYSTEM_DATABASE_URL=f"sqlite:///{directory}/dbos.sqlite")
            subprocess.run([sys.executable, str(wrapper), str(script)], cwd=work, env=env, capture_output=True, timeout=120)
    return time.monotonic() - started, len(snippets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=None, help="parallel snippets for our runner (default: the validator's default)")
    parser.add_argument("--skip-naive", action="store_true", help="only time our runner")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        bundle = copy_skill(REPO, Path(directory))
        wall, executed, peak_kib, outcomes = run_ours(bundle, args.jobs)
        print(f"cpus: {os.cpu_count()}, jobs: {args.jobs or RunSettings().parallelism}")
        print(f"snippets executed: {executed} ({', '.join(f'{n} {o}' for o, n in sorted(outcomes.items()))})")
        print(f"ours:  wall {wall:.2f} s, {wall / executed:.3f} s per executed snippet")
        print(f"peak memory (PSS of validator + workers + snippets): {peak_kib / 1024:.0f} MiB")
        if not args.skip_naive:
            naive_wall, naive_count = run_naive(bundle)
            print(f"naive: wall {naive_wall:.2f} s, {naive_wall / naive_count:.3f} s per snippet ({naive_count} snippets, serial, fresh interpreter, graceful destroy)")
            print(f"speed-up naive / ours: {naive_wall / wall:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
