"""``python -m pynnlite ...`` is the ``pynnlite`` command (see ``pynnlite.cli``)."""
import sys

from pynnlite.cli import main

sys.exit(main())
