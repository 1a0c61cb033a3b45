#!/usr/bin/env python3
"""Check DBOS Python code against the dbos-python skill's rules: `python3 <skill>/scripts/check.py PATH ...`.

Needs only the Python standard library (3.10+). Same checker as `dbos-skill check`.

This file must keep parsing on any Python (2.7 and 3.x alike: no f-strings, no annotations), so
that an older interpreter gets a one-line error here instead of failing inside the package.
"""

import os
import sys

PROG = os.path.basename(sys.argv[0]) or "check.py"

if sys.version_info < (3, 10):
    sys.stderr.write(
        "%s: error: needs Python 3.10+, and this is Python %s (%s); run it with a newer python3\n"
        % (PROG, ".".join(str(part) for part in sys.version_info[:3]), sys.executable or "python")
    )
    sys.exit(2)

# The installed skill is a copy that `dbos-skill uninstall` removes file by file: bytecode
# caches written beside its modules would be files nobody installed. So none are written
# (compiling the checker costs about 0.1 s a run), unless PYTHONPYCACHEPREFIX puts them elsewhere.
if getattr(sys, "pycache_prefix", None) is None:
    sys.dont_write_bytecode = True

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dbos_skill.check.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], prog=PROG))
