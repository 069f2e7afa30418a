"""The standard current sources (PyNN's ``pyNN.standardmodels.electrodes``); declared in ``pynnlite.current_sources``."""
from pynnlite.current_sources import *  # noqa: F401,F403
from pynnlite.current_sources import __all__  # noqa: F401
from pynnlite.standardmodels import StandardCurrentSource  # noqa: F401
