"""Repeatability under load: validate the bundle N times with K CPU hogs running, count failures per example.

    python benchmarks/load_test.py [--runs 10] [--hogs 2] [--postgres-url URL | --no-postgres] [--no-sqlite] [--jobs N]

Runs `dbos-skill validate` on a copy of the repository's bundle N times on
SQLite, then N times on PostgreSQL (--postgres-url, else a throwaway server
when Debian's postgresql binaries are there), while K processes spin on the
CPU. Prints every example that failed at least once with how often and its
first message, and exits 1 if any run had a failure. An example whose outcome
depends on the machine's speed shows up here long before it flakes in CI.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "tests"))

from postgres_server import start_throwaway  # noqa: E402

from dbos_skill.bundle import copy_skill  # noqa: E402


def _spin() -> None:
    while True:
        pass


def validate_once(bundle: Path, cache: Path, options: list[str]) -> tuple[int, list[tuple[str, str]], float]:
    """Exit code, (example, first message) per failure, wall seconds."""
    env = dict(os.environ, DBOS_SKILL_CACHE_DIR=str(cache), PYTHONPATH=str(REPO / "scripts"))
    result = subprocess.run(
        [sys.executable, "-m", "dbos_skill", "validate", str(bundle), "--format", "json", *options],
        capture_output=True,
        text=True,
        env=env,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        return result.returncode, [("(the validator itself)", result.stderr.strip()[-300:])], 0.0
    prefix = f"{bundle}/"
    failures = [
        (f"{d['path'].removeprefix(prefix)}:{d['line']}", f"{d['code']} {' '.join(d['message'].split())[:160]}")
        for d in report["diagnostics"]
        if d["code"].startswith("X")
    ]
    return result.returncode, failures, report["summary"].get("wall_s", 0.0)


def series(name: str, bundle: Path, cache: Path, runs: int, options: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    walls = []
    for run in range(1, runs + 1):
        code, failures, wall = validate_once(bundle, cache, options)
        walls.append(wall)
        for example, message in failures:
            counts[example] += 1
            first.setdefault(example, message)
        print(f"{name} run {run}/{runs}: exit {code}, {len(failures)} failed, {wall:.1f} s, load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"{name}: {sum(counts.values())} failures in {runs} runs; walls {min(walls):.1f}-{max(walls):.1f} s")
    for example, count in counts.most_common():
        print(f"  {count}/{runs}  {example}  {first[example]}")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="validations per database (default: 10)")
    parser.add_argument("--hogs", type=int, default=2, help="processes spinning on the CPU meanwhile (default: 2)")
    parser.add_argument("--postgres-url", help="PostgreSQL server (default: a throwaway server if the binaries exist)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--jobs", type=int, help="passed to validate --jobs")
    args = parser.parse_args()
    options = ["--jobs", str(args.jobs)] if args.jobs else []
    hogs = [multiprocessing.get_context("spawn").Process(target=_spin, daemon=True) for _ in range(args.hogs)]
    for hog in hogs:
        hog.start()
    server = None
    try:
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            bundle = copy_skill(REPO, root)
            print(f"{args.runs} runs per database, {args.hogs} CPU hogs, {os.cpu_count()} CPUs", flush=True)
            failed = 0
            if not args.no_sqlite:
                failed += sum(series("SQLite", bundle, root / "cache", args.runs, options).values())
            url: Optional[str] = None if args.no_postgres else args.postgres_url
            if url is None and not args.no_postgres:
                server = start_throwaway()
                url = server.url if server else None
                if url is None:
                    print("PostgreSQL: skipped (no --postgres-url and no postgresql binaries)")
            if url:
                failed += sum(series("PostgreSQL", bundle, root / "cache", args.runs, [*options, "--postgres-url", url]).values())
    finally:
        if server is not None:
            server.remove()
        for hog in hogs:
            hog.kill()
            hog.join()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
