"""Write every ```python block of a dbos-docs checkout's markdown as one .py file (the docs part of the corpus).

    python benchmarks/corpus/extract_docs.py GIT_DIR COMMIT OUT_DIR

Reads the markdown straight from git (no work tree needed), keeps each block's
first line number in its file name, and prints the number of blocks written.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\n`]*)$")


def blocks(text: str):
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match and match.group("info").split(" ")[0].strip().lower() in ("python", "py"):
            fence, indent, start = match.group("fence"), len(match.group("indent")), i + 1
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
                i += 1
            yield start + 1, "\n".join(body) + "\n"
        i += 1


def main(argv: list[str]) -> int:
    git_dir, commit, out = argv
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", commit, "docs"], capture_output=True, text=True, check=True).stdout.split()
    written = 0
    for name in sorted(n for n in names if n.endswith((".md", ".mdx"))):
        text = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{name}"], capture_output=True, text=True, check=True).stdout
        for line, code in blocks(text):
            if "dbos" not in code.lower():
                continue  # only blocks that use DBOS
            target = out_dir / (name.replace("/", "__").rsplit(".", 1)[0] + f"__L{line}.py")
            target.write_text(code)
            written += 1
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
