"""Copy the Python files that import dbos out of fetched repository snapshots, and write the manifest.

    python benchmarks/corpus/collect.py OUT_DIR GIT_DIR[=REGEX] [...]  > MANIFEST.tsv

Each GIT_DIR is a bare snapshot (`.../owner+name/repo`); files are read from its HEAD.
A file is kept when a line starts with `from dbos` or `import dbos` (not `dbos_...`),
and, when `=REGEX` is given, its path matches it. A snapshot that holds the library itself
(`dbos/_dbos.py`: dbos-transact-py or a fork) keeps nothing under `dbos/`, `tests/` or
`chaos-tests/` unless REGEX asks for it: library code is not application code.
The manifest lines are `repo<TAB>commit<TAB>path`. The corpus itself stays outside the
repository: fetched code is never committed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

IMPORTS_DBOS = re.compile(r"^\s*(from\s+dbos(\.\w+)*\s+import\b|import\s+dbos\b)", re.MULTILINE)


def git(git_dir: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, text=True, check=True, errors="replace").stdout


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    for argument in argv[1:]:
        git_dir, _, pattern = argument.partition("=")
        wanted = re.compile(pattern) if pattern else None
        repo = Path(git_dir).parent.name.replace("+", "/", 1)
        commit = git(git_dir, "rev-parse", "HEAD").strip()
        paths = git(git_dir, "ls-tree", "-r", "--name-only", commit).splitlines()
        library = "dbos/_dbos.py" in paths
        for path in paths:
            if not path.endswith(".py"):
                continue
            if wanted is not None and not wanted.search(path):
                continue
            if wanted is None and library and path.startswith(("dbos/", "tests/", "chaos-tests/")):
                continue
            text = git(git_dir, "show", f"{commit}:{path}")
            if not IMPORTS_DBOS.search(text):
                continue
            target = out / repo.replace("/", "__") / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            print(f"{repo}\t{commit}\t{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
