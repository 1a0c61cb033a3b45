#!/usr/bin/env python3
"""Check DBOS Python code against the dbos-python skill's rules: `python3 <skill>/scripts/check.py PATH ...`.

Needs only the Python standard library (3.10+). Same checker as `dbos-skill check`.
"""

import os
import sys

# The installed skill is a copy that `dbos-skill uninstall` removes file by file: bytecode
# caches written beside its modules would be files nobody installed. So none are written
# (compiling the checker costs about 0.1 s a run), unless PYTHONPYCACHEPREFIX puts them elsewhere.
if getattr(sys, "pycache_prefix", None) is None:  # getattr: the version check comes later
    sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dbos_skill.check.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], prog=os.path.basename(sys.argv[0]) or "check.py"))
