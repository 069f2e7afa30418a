"""Simulation control defaults and the per-backend control object (PyNN's ``pyNN.common.control``)."""
from pynnlite.control import SimulatorControl

#: setup() defaults (ms; 'auto': the time step, as in PyNN 0.13).
DEFAULT_TIMESTEP = 0.1
DEFAULT_MIN_DELAY = "auto"
DEFAULT_MAX_DELAY = "auto"

__all__ = ["SimulatorControl", "DEFAULT_TIMESTEP", "DEFAULT_MIN_DELAY", "DEFAULT_MAX_DELAY"]
