"""pynnlite: PyNN-compatible description of spiking neural networks with pluggable backends.

Use a backend as a PyNN simulator module::

    import pynnlite.backends.numpy as sim
"""
from __future__ import annotations

import os as _os

__version__ = "0.1.0"

# setup.cfg installs backends/ and templates/ as pynnlite.backends and pynnlite.templates.
# When this package is imported from a source checkout instead (e.g. a script run from the
# repository root), let those two folders be found beside it, so the checkout behaves like
# the installed package.
_checkout = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if (not _os.path.isdir(_os.path.join(__path__[0], "backends"))
        and _os.path.isfile(_os.path.join(_checkout, "setup.cfg"))
        and _os.path.isfile(_os.path.join(_checkout, "backends", "__init__.py"))):
    __path__.append(_checkout)

from pynnlite.backend_registry import get_backend, list_backends  # noqa: E402,F401
