"""The standard synapse types (PyNN's ``pyNN.standardmodels.synapses``); declared in ``pynnlite.models.synapses``."""
from pynnlite.models.synapses import *  # noqa: F401,F403
from pynnlite.models.synapses import __all__  # noqa: F401
from pynnlite.standardmodels import StandardSynapseType  # noqa: F401
