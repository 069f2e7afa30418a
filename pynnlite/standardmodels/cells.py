"""The standard cell types (PyNN's ``pyNN.standardmodels.cells``); declared in ``pynnlite.models.cells``."""
from pynnlite.models.cells import *  # noqa: F401,F403
from pynnlite.models.cells import __all__  # noqa: F401
from pynnlite.standardmodels import StandardCellType  # noqa: F401
