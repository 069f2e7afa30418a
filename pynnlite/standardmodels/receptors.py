"""The post-synaptic response types of ``PointNeuron`` (PyNN's ``pyNN.standardmodels.receptors``);
declared in ``pynnlite.models.receptors``."""
from pynnlite.models.receptors import (CondAlphaPostSynapticResponse, CondBetaPostSynapticResponse,  # noqa: F401
                                       CondExpPostSynapticResponse, CurrExpPostSynapticResponse)

__all__ = ["CurrExpPostSynapticResponse", "CondExpPostSynapticResponse", "CondAlphaPostSynapticResponse",
           "CondBetaPostSynapticResponse"]
