"""Declarations of the standard synapse types (PyNN 0.13 names, parameters and units)."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from pynnlite.errors import InvalidParameterValueError
from pynnlite.models.base import SynapseType, check_constraint


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
from pynnlite.models.plasticity import _check_spiking_projection, _scalar_values  # noqa: E402


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


#: Most release sites of a MultiQuantalSynapse (the draws of a spike are numbered by site).
MAX_RELEASE_SITES = 1 << 16


def _check_integers(name: str, values: Any, minimum: int) -> None:
    arr = np.asarray(values, dtype=float)
    good = (arr == np.round(arr)) & (arr >= minimum) & (arr <= MAX_RELEASE_SITES)
    if arr.size and not np.all(good):
        raise InvalidParameterValueError(
            f"{name} must be an integer in [{minimum}, {MAX_RELEASE_SITES}], got {arr[~good].ravel()[0]}")


class StochasticTsodyksMarkramSynapse(SynapseType):
    """Stochastic Tsodyks-Markram synapse (Fuhrmann et al. 2002), as PyNN+NEST's
    ``stochastic_stp_synapse``: one release site that is either recovered (R = 1) or not.

    At each pre-synaptic spike (time t, previous spike at t'), in this order:
    u ← u·exp(−(t − t')/tau_facil) + U·(1 − u)  (u ← U when tau_facil = 0); an unrecovered
    site recovers with probability 1 − exp(−(t − t_s)/tau_rec), t_s being the last time its
    recovery was tested (or its last release); a recovered site then releases with
    probability u: the spike transmits the whole weight and R ← 0; otherwise nothing is
    transmitted. Each release is all-or-none; averaged over many synapses the transmitted
    weight follows the deterministic Tsodyks-Markram model (with instantaneous
    inactivation, i.e. τ_psc → 0).

    Draws: keyed on the connection (post index, rank among its connections) and the spike
    step, so they do not depend on the number of processes.
    Parameters: ``U`` (in [0, 1]), ``tau_rec`` (ms, > 0), ``tau_facil`` (ms, >= 0), weight,
    delay. State (``get``/``initialize``): ``u`` (initially 0, as NEST) and ``R`` (1).
    """

    default_parameters: ClassVar[dict] = {"weight": 0.0, "delay": None, "U": 0.5, "tau_rec": 100.0,
                                          "tau_facil": 0.0}
    units: ClassVar[dict] = {"delay": "ms", "tau_rec": "ms", "tau_facil": "ms"}
    constraints: ClassVar[dict] = {"delay": "positive", "U": "probability", "tau_rec": "positive",
                                   "tau_facil": "non_negative"}
    default_initial_values: ClassVar[dict] = {"u": 0.0, "R": 1.0}
    plastic = True
    rule = "stochastic_tsodyks_markram"
    description = "stochastic Tsodyks-Markram synapse (single release site, all-or-none)"

    def check_columns(self, values: dict[str, np.ndarray], current: Any) -> None:
        if "u" in values:
            check_constraint("u", values["u"], "probability")
        if "R" in values:
            arr = np.asarray(values["R"], dtype=float)
            if arr.size and not np.all((arr == 0.0) | (arr == 1.0)):
                raise InvalidParameterValueError("R (recovered state) must be 0 or 1")

    def check_projection(self, projection: Any) -> None:
        _check_spiking_projection(self, projection, needs_post_spikes=False)


class MultiQuantalSynapse(SynapseType):
    """Multi-quantal stochastic release with short-term plasticity (Fuhrmann et al. 2002,
    Loebel et al. 2009), as NEST's ``quantal_stp_synapse`` used by PyNN+NEST.

    ``n`` release sites, ``a`` of them available. At each pre-synaptic spike except the
    first, with h the time since the previous spike: u ← U + u·(1 − U)·exp(−h/tau_facil)
    (u ← U when tau_facil = 0), and each of the n − a depleted sites recovers with
    probability 1 − exp(−h/tau_rec). Then each available site releases with probability
    u; the spike transmits (number released)·weight and a decreases by that number. So
    the mean transmitted weight of the first spike is a·u·weight (n·U·weight with the
    initial values below) and, over many synapses, later spikes follow the deterministic
    Tsodyks-Markram sequence scaled by n·weight.

    Parameters: ``U`` (in [0, 1]), ``n`` (integer >= 1), ``tau_rec`` (ms, > 0),
    ``tau_facil`` (ms, >= 0), weight (per site), delay. State (``get``/``initialize``):
    ``u`` (initially U) and ``a`` (initially n), NEST's documented defaults; when U or n
    are random, initialise u and a explicitly (otherwise they start at 0.5 and 1).
    Draws as for StochasticTsodyksMarkramSynapse.
    """

    default_parameters: ClassVar[dict] = {"weight": 0.0, "delay": None, "U": 0.5, "n": 1, "tau_rec": 800.0,
                                          "tau_facil": 0.0}
    units: ClassVar[dict] = {"delay": "ms", "tau_rec": "ms", "tau_facil": "ms"}
    constraints: ClassVar[dict] = {"delay": "positive", "U": "probability", "n": "positive",
                                   "tau_rec": "positive", "tau_facil": "non_negative"}
    default_initial_values: ClassVar[dict] = {"u": 0.5, "a": 1.0}
    plastic = True
    rule = "multiquantal"
    description = "multi-quantal stochastic release with short-term depression and facilitation"

    def __init__(self, **parameters: Any):
        super().__init__(**parameters)
        for state, parameter in (("u", "U"), ("a", "n")):
            value = self.parameter_space[parameter]
            if isinstance(value, (int, float, np.integer, np.floating, np.ndarray, list, tuple)):
                self.initial_values[state] = value
        self.check_columns(dict(_scalar_values(self)), None)

    def check_columns(self, values: dict[str, np.ndarray], current: Any) -> None:
        if "u" in values:
            check_constraint("u", values["u"], "probability")
        if "n" in values:
            _check_integers("n", values["n"], 1)
        if "a" in values:
            _check_integers("a", values["a"], 0)

    def check_projection(self, projection: Any) -> None:
        _check_spiking_projection(self, projection, needs_post_spikes=False)


__all__ = ["StaticSynapse", "SimpleStochasticSynapse", "StochasticTsodyksMarkramSynapse",
           "MultiQuantalSynapse"] + list(_plastic_names)
