"""The standard cell types (PyNN's ``pyNN.standardmodels.cells``); declared in ``pynnlite.models.cells``,
and the composable cell of PyNN 0.12+ (``PointNeuron`` with an ``LIF`` or ``AdExp`` body) from
``pynnlite.models.receptors``."""
from pynnlite.models.cells import *  # noqa: F401,F403
from pynnlite.models.cells import __all__ as _cell_types
from pynnlite.models.receptors import LIF, AdExp, PointNeuron  # noqa: F401
from pynnlite.standardmodels import StandardCellType  # noqa: F401

__all__ = [*_cell_types, "LIF", "AdExp", "PointNeuron"]
