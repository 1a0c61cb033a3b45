#!/usr/bin/env python3
"""Check DBOS Python code against the dbos-python skill's rules: `python3 <skill>/scripts/check.py PATH ...`.

Needs only the Python standard library (3.10+). Same checker as `dbos-skill check`.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dbos_skill.check.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], prog=os.path.basename(sys.argv[0]) or "check.py"))
