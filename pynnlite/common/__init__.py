"""The backend-independent API objects, under the names PyNN scripts import from ``pyNN.common``.

pynnlite's classes are shared by every backend (a backend supplies an engine, not
subclasses), so ``pyNN.common.Population`` is the very class that ``sim.Population`` is.
"""
from pynnlite.common.control import (DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP,  # noqa: F401
                                     SimulatorControl)
from pynnlite.common.populations import (Assembly, BasePopulation, IDMixin, Population,  # noqa: F401
                                         PopulationView, is_conductance)
from pynnlite.common.procedural_api import initialize, set  # noqa: F401,A004
from pynnlite.common.projections import Connection, Projection  # noqa: F401

__all__ = ["IDMixin", "BasePopulation", "Population", "PopulationView", "Assembly", "is_conductance",
           "Projection", "Connection", "set", "initialize", "SimulatorControl",
           "DEFAULT_TIMESTEP", "DEFAULT_MIN_DELAY", "DEFAULT_MAX_DELAY"]
