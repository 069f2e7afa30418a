"""Declarations of the standard synapse types (PyNN 0.13 names, parameters and units)."""
from __future__ import annotations

from typing import ClassVar

from pynnlite.models.base import SynapseType


class StaticSynapse(SynapseType):
    """Fixed weight and delay.

    weight: nA for current-based, µS for conductance-based post cells; delay: ms
    (None means the simulation's min_delay).
    """

    default_parameters: ClassVar[dict] = {"weight": 0.0, "delay": None}
    units: ClassVar[dict] = {"delay": "ms"}
    constraints: ClassVar[dict] = {"delay": "positive"}
    description = "static synapse: fixed weight and delay"


from pynnlite.models.plasticity import *  # noqa: E402,F401,F403  (plastic synapse types)
from pynnlite.models.plasticity import __all__ as _plastic_names  # noqa: E402


class SimpleStochasticSynapse(SynapseType):
    """Each pre-synaptic spike is transmitted through each connection with probability ``p``
    (PyNN 0.13), independently; the draws come from streams keyed on the connection and the
    spike time, so they do not depend on the number of processes.

    weight: nA or µS; delay: ms; p: probability (dimensionless).
    """

    default_parameters: ClassVar[dict] = {"weight": 0.0, "delay": None, "p": 0.5}
    units: ClassVar[dict] = {"delay": "ms"}
    constraints: ClassVar[dict] = {"delay": "positive", "p": "probability"}
    #: handled by the engine's synapse-dynamics rules (weights themselves do not change)
    plastic = True
    rule = "stochastic"
    description = "stochastic synapse: each spike transmitted with probability p"


__all__ = ["StaticSynapse", "SimpleStochasticSynapse"] + list(_plastic_names)
