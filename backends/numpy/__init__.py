"""The numpy reference backend: ``import pynnlite.backends.numpy as sim``.

Runs the whole network in one process with whole-array numpy kernels.
"""
from pynnlite.api import *  # noqa: F401,F403
from pynnlite.api import __all__ as _api_names
from pynnlite.backends.numpy.engine import NumpyEngine
from pynnlite.control import SimulatorControl
from pynnlite.simulation import set_default_setup

_control = SimulatorControl("numpy", NumpyEngine)
globals().update(_control.functions())
set_default_setup(_control.setup)   # a network built before setup() gets this backend's defaults

__all__ = list(_api_names) + list(_control.functions())
