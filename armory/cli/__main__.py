"""``python -m armory.cli``: the same as the ``armory`` command."""

import sys

from armory.cli import main

sys.exit(main())
