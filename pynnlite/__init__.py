"""pynnlite: PyNN-compatible description of spiking neural networks with pluggable backends.

Use a backend as a PyNN simulator module::

    import pynnlite.backends.numpy as sim
"""
from __future__ import annotations

__version__ = "0.1.0"

from pynnlite.backend_registry import get_backend, list_backends  # noqa: E402,F401
