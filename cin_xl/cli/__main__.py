"""``python -m cin_xl.cli``: the same as the ``cin-xl`` command."""

import sys

from cin_xl.cli import main

sys.exit(main())
