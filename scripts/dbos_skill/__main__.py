"""`python -m dbos_skill` runs the `dbos-skill` command."""

import sys

from .cli import main

sys.exit(main())
