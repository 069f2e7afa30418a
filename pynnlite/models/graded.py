"""Graded (non-spiking) transmission: the NonSpikingNeuron cell type, the GradedSynapse
synapse type with its nonlinearities and presets, and the per-synapse spiking
conductance synapse of synthetic nervous systems.

Units are PyNN's: mV, nA, µS, nF, ms (µS·mV = nA).

Graded transmission
-------------------
A projection whose synapse type is :class:`GradedSynapse` transmits the
presynaptic membrane potential continuously (``source='v'``, the default for
this synapse type) instead of spikes. Every connection i → j injects into the
post-synaptic membrane

    I_ij = weight_ij · f((V_i − v_th_ij) / delta_ij) · (e_rev_ij − V_j)

with ``weight`` the maximal conductance (µS) and ``f`` the nonlinearity:

* ``'clip'``    f(x) = min(max(x, 0), 1)    (sns-toolbox NonSpikingSynapse)
* ``'sigmoid'`` f(x) = 1/(1 + e^(−x))       (jaxley ConductanceSynapse, default)
* ``'relu'``    f(x) = max(x, 0)
* ``'tanh'``    f(x) = tanh(x)             (negative for x < 0, as in jaxley; this
  makes the conductance negative below threshold, use 'sigmoid' or 'relu' for a
  conductance that is never negative)
* any vectorised Python callable ``f(x)`` of a float array.

The sns parameter names are accepted as well: ``GradedSynapse(weight, e_rev,
e_lo=…, e_hi=…)`` is the same synapse with v_th = e_lo and delta = e_hi − e_lo,
and then ``e_lo``/``e_hi`` (not ``v_th``/``delta``) are its per-connection
parameters for get/set/save. ``NonSpikingSynapse(...)`` takes sns' own names and
defaults. All parameters (weight, e_rev, v_th/e_lo, delta/e_hi) are
per-connection columns: scalars, RandomDistributions, functions of distance,
pre × post arrays (sns matrix connections, transposed: sns matrices are
post × pre), or kernels of a structured connector.

Timing: the current of a step is computed from the membrane potentials at the
start of that step, for every projection at once (so results do not depend on
the order of populations). This is the same one-step lag as sns-toolbox
(``V_last``) and jaxley's explicit part. Graded synapses have no delay.

Reproducing the seeds
---------------------
* **sns population convention**: sns turns a synapse between populations of
  N_pre and N_post neurons into all-to-all connections with g_max/N_pre each.
  Write ``AllToAllConnector()`` with ``weight = g_max / N_pre``.
* **sns time factor**: sns advances non-spiking neurons with
  ``U += dt·G_m/C·(…)`` — a time constant C/G_m² instead of C/G_m (the two agree
  when G_m = 1 µS). pynnlite integrates the physical equation C dU/dt = …. To
  reproduce an sns network with G_m ≠ 1, use ``cm = C_sns / G_m`` (steady states
  are the same either way).
* **sns presets** assume a post-synaptic membrane conductance of 1 µS;
  :func:`transmission_synapse` and :func:`modulation_synapse` take the actual
  ``g_m`` (default 1 µS, which gives sns' numbers).
* **sns voltages** are relative to rest (rest = 0 by default). With
  ``NonSpikingNeuron(v_rest=0)`` (the default) the numbers carry over unchanged;
  for absolute potentials, pass ``pre_rest``/``post_rest`` to the presets.
* **jaxley** puts ``e_syn`` on the presynaptic compartment (Dale's law); in
  pynnlite e_rev is per connection — set it per source with a pre × post array
  or a function. jaxley's ``gS`` is the weight (µS). jaxley solves the voltage
  implicitly; pynnlite's NonSpikingNeuron and PointNeuron kernels integrate the
  synaptic conductance of a step exactly (exponential Euler with the
  conductance frozen at its start-of-step value), other cell types take the
  graded current as a constant current over the step.

Spiking conductance synapse
---------------------------
:class:`SpikingConductanceSynapse` (sns ``SpikingSynapse``) gives every
connection its own conductance state ``g`` (µS): g decays with the connection's
``tau_syn`` and a presynaptic spike arriving after ``delay`` raises it by
``min(g_increment, weight − g)``, an increment saturating at the maximal
conductance ``weight``. The default ``g_increment = inf`` resets g to ``weight``
on every spike, as sns does. The current into the post cell is
Σ g·(e_rev − V_post), with g averaged exactly over each step.
Delays are in ms: sns' ``transmission_delay = d`` steps is ``delay = d·dt`` for
d ≥ 1; sns' d = 0 (effect in the very next step) is one step earlier than the
smallest delay pynnlite allows (one time step), so use ``delay = dt`` and
expect the effect one step later than in sns.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar

import numpy as np
from scipy.special import expit

from pynnlite.errors import ConnectionError, InvalidParameterValueError
from pynnlite.models.base import CellType, SynapseType, at_connection

__all__ = ["NonSpikingNeuron", "GradedSynapse", "NonSpikingSynapse", "SpikingConductanceSynapse",
           "transmission_synapse", "modulation_synapse"]


class NonSpikingNeuron(CellType):
    """Leaky integrator without spikes (sns-toolbox NonSpikingNeuron):

        cm dv/dt = g_m (v_rest − v) + i_offset + I_graded + I_electrical + I_injected

    cm in nF, g_m in µS (time constant cm/g_m ms), v_rest in mV, i_offset in nA.
    Defaults are sns': cm = 5 nF, g_m = 1 µS, v_rest = 0 mV (sns voltages are
    relative to rest). The cell has no spike receptors; it receives graded,
    electrical and spiking-conductance synapses, current sources, and — wrapped
    in ``PointNeuron(NonSpikingNeuron(...), AMPA=..., ...)`` — receptor kinetics.
    Its membrane potential can drive graded synapses.
    """

    description = "Non-spiking leaky integrator (graded potential neuron)"
    default_parameters: ClassVar[dict[str, Any]] = {
        "cm": 5.0,        # nF, membrane capacitance
        "g_m": 1.0,       # uS, membrane (leak) conductance
        "v_rest": 0.0,    # mV, resting potential
        "i_offset": 0.0,  # nA, bias current
    }
    units = {"v": "mV", "cm": "nF", "g_m": "uS", "v_rest": "mV", "i_offset": "nA"}
    constraints = {"cm": "positive", "g_m": "non_negative"}
    default_initial_values = {"v": 0.0}
    recordable = ("v",)
    receptor_types = ()
    conductance_based = True
    spiking = False


# -- nonlinearities ------------------------------------------------------------------

def _clip(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 1.0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # 1/(1 + e^-x), computed without overflow for any x
    return expit(np.asarray(x, dtype=float))


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


#: Named nonlinearities f(x) of GradedSynapse, x = (V_pre − v_th)/delta.
NONLINEARITIES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "clip": _clip, "sigmoid": _sigmoid, "relu": _relu, "tanh": np.tanh,
}


def _check_nonlinearity(nonlinearity: Any) -> Any:
    if isinstance(nonlinearity, str):
        if nonlinearity not in NONLINEARITIES:
            raise InvalidParameterValueError(
                f"nonlinearity must be one of {', '.join(map(repr, NONLINEARITIES))} or a callable, "
                f"got {nonlinearity!r}")
        return nonlinearity
    if callable(nonlinearity):
        probe = np.asarray(nonlinearity(np.linspace(-2.0, 2.0, 5)), dtype=float)
        if probe.shape != (5,):
            raise InvalidParameterValueError(
                "nonlinearity must be vectorised: f(array of n floats) must return n floats, "
                f"got shape {probe.shape} for 5 inputs")
        _check_activations(probe, np.linspace(-2.0, 2.0, 5))
        return nonlinearity
    raise InvalidParameterValueError(f"nonlinearity must be a name or a callable, got {nonlinearity!r}")


def _check_activations(out: np.ndarray, x: np.ndarray) -> None:
    """InvalidParameterValueError unless a callable nonlinearity gave finite numbers ``out`` for ``x``."""
    finite = np.isfinite(out)
    if not finite.all():
        k = int(np.flatnonzero(~finite.ravel())[0])
        raise InvalidParameterValueError(
            f"nonlinearity must give finite numbers, got {out.ravel()[k]} for x = {np.ravel(x)[k]}")


def _check_projection_source(projection: Any, kind: str, allowed_sources: tuple[str, ...] | None) -> str:
    """Common checks of projections carrying continuous (non-spike) synapses; returns the source."""
    synapse_type = projection.synapse_type
    if synapse_type.plastic:
        raise ConnectionError(f"{kind} synapses cannot be plastic (synapse_type {synapse_type.name})")
    source = projection.source if projection.source is not None else "v"
    if allowed_sources is not None and source not in allowed_sources:
        raise ConnectionError(f"source must be one of {', '.join(map(repr, allowed_sources))} for "
                              f"{kind} synapses, got {source!r}")
    for pop, _ in projection.pre._segments():
        celltype = pop.celltype
        if celltype.is_source or source not in celltype.default_initial_values:
            raise ConnectionError(
                f"presynaptic_population {pop.label} ({celltype.name}) has no state variable {source!r} "
                f"(no membrane potential): {kind} synapses need presynaptic cells with a membrane "
                f"potential, not spike sources")
    projection.source = source   # what the projection transmits (reported by describe())
    return source


class GradedSynapse(SynapseType):
    """Graded chemical synapse driven by the presynaptic membrane potential.

    I = weight · f((V_pre − v_th)/delta) · (e_rev − V_post)

    weight: maximal conductance (µS); e_rev: reversal potential (mV); v_th:
    half-activation (sigmoid) or threshold (clip, relu) potential (mV); delta:
    voltage scale of the activation (mV, > 0); nonlinearity: 'sigmoid'
    (default), 'clip', 'relu', 'tanh' or a vectorised callable.

    With the sns names, ``GradedSynapse(weight, e_rev, e_lo=…, e_hi=…)``:
    v_th = e_lo, delta = e_hi − e_lo (must be > 0) and the nonlinearity defaults
    to 'clip'; e_lo and e_hi are then the per-connection parameters.
    Defaults (besides weight = 0, PyNN's convention) are jaxley's
    ConductanceSynapse ones: e_rev = 0 mV, v_th = −35 mV, delta = 10 mV.
    No delay: the synapse acts through the start-of-step potential.
    """

    description = "graded synapse: conductance a nonlinear function of the presynaptic membrane potential"
    default_parameters: ClassVar[dict[str, Any]] = {"weight": 0.0, "e_rev": 0.0, "v_th": -35.0, "delta": 10.0}
    units = {"weight": "uS", "e_rev": "mV", "v_th": "mV", "delta": "mV", "e_lo": "mV", "e_hi": "mV"}
    constraints = {"weight": "non_negative", "delta": "positive"}
    #: The weight is a conductance whatever the post-synaptic cell type.
    weight_unit: ClassVar[str] = "uS"
    #: Evaluated every step from the presynaptic state, not transmitted as spikes.
    continuous: ClassVar[bool] = True
    transmits_spikes: ClassVar[bool] = False
    coupling: ClassVar[str] = "graded"

    def __init__(self, nonlinearity: Any = None, **parameters: Any):
        sns_names = {"e_lo", "e_hi"} & set(parameters)
        jaxley_names = {"v_th", "delta"} & set(parameters)
        if sns_names and jaxley_names:
            raise InvalidParameterValueError(
                f"give either v_th/delta or the sns names e_lo/e_hi, not both (got {sorted(sns_names | jaxley_names)})")
        self.sns_form = bool(sns_names)
        if self.sns_form:
            self.default_parameters = {"weight": 0.0, "e_rev": 0.0, "e_lo": 0.0, "e_hi": 20.0}
        if nonlinearity is None:
            nonlinearity = "clip" if self.sns_form else "sigmoid"
        self.nonlinearity = _check_nonlinearity(nonlinearity)
        super().__init__(**parameters)
        if self.sns_form:
            self._check_sns_range(self.parameter_space["e_lo"], self.parameter_space["e_hi"])

    @staticmethod
    def _check_sns_range(e_lo: Any, e_hi: Any) -> None:
        try:
            lo = np.asarray(e_lo, dtype=float)
            hi = np.asarray(e_hi, dtype=float)
        except (TypeError, ValueError):
            return  # random distributions or functions: checked per connection at run time
        if lo.size and hi.size and np.any(np.broadcast_to(hi, np.broadcast(lo, hi).shape)
                                          <= np.broadcast_to(lo, np.broadcast(lo, hi).shape)):
            raise InvalidParameterValueError(f"e_hi must be > e_lo, got e_lo={e_lo!r}, e_hi={e_hi!r}")

    def check_columns(self, values: dict[str, np.ndarray], column: Callable[[str], Any]) -> None:
        """Projection hook before storing new columns: e_hi > e_lo for every connection."""
        if not self.sns_form or not ({"e_lo", "e_hi"} & set(values)):
            return
        lo = values.get("e_lo", None)
        hi = values.get("e_hi", None)
        lo = lo if lo is not None else column("e_lo")
        hi = hi if hi is not None else column("e_hi")
        if lo is None or hi is None:
            return
        lo, hi = np.broadcast_arrays(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
        bad = hi <= lo
        if bad.any():
            k = int(np.flatnonzero(bad.ravel())[0])
            raise at_connection(InvalidParameterValueError(
                f"e_hi must be > e_lo for every connection, got e_lo={lo.ravel()[k]}, e_hi={hi.ravel()[k]}"),
                k, bad.size)

    # -- what the engine reads ----------------------------------------------------
    def activation_columns(self, columns: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(v_th, delta) per connection from the projection's columns; checks e_hi > e_lo."""
        if self.sns_form:
            e_lo, e_hi = columns["e_lo"], columns["e_hi"]
            bad = e_hi <= e_lo
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise InvalidParameterValueError(
                    f"e_hi must be > e_lo for every connection, got e_lo={e_lo[k]}, e_hi={e_hi[k]} "
                    f"(connection {k})")
            return e_lo, e_hi - e_lo
        return columns["v_th"], columns["delta"]

    def activation(self, x: np.ndarray) -> np.ndarray:
        f = NONLINEARITIES[self.nonlinearity] if isinstance(self.nonlinearity, str) else self.nonlinearity
        out = np.asarray(f(x), dtype=float)
        if out.shape != np.shape(x):
            raise InvalidParameterValueError(
                f"nonlinearity returned shape {out.shape} for an input of shape {np.shape(x)}")
        if not isinstance(self.nonlinearity, str):
            _check_activations(out, x)
        return out

    def check_projection(self, projection: Any) -> None:
        """Called by Projection before connecting: a membrane potential source, no plasticity."""
        _check_projection_source(projection, "graded", None)

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        name = self.nonlinearity if isinstance(self.nonlinearity, str) else getattr(
            self.nonlinearity, "__name__", repr(self.nonlinearity))
        context["parameters"]["nonlinearity"] = name
        return context

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.parameter_space.items())
        return f"{self.name}({args}, nonlinearity={self.nonlinearity!r})"


def NonSpikingSynapse(max_conductance: Any = 1.0, reversal_potential: Any = 40.0, e_lo: Any = 0.0,
                      e_hi: Any = 20.0) -> GradedSynapse:
    """sns-toolbox's NonSpikingSynapse with its names and defaults (µS, mV):
    g = max_conductance · clip((V_pre − e_lo)/(e_hi − e_lo), 0, 1), I = g·(reversal_potential − V_post).
    Arrays are accepted for every argument (pre × post, i.e. the transpose of an sns matrix)."""
    return GradedSynapse(weight=max_conductance, e_rev=reversal_potential, e_lo=e_lo, e_hi=e_hi,
                         nonlinearity="clip")


def transmission_synapse(gain: float = 1.0, R: float = 20.0, e_rev: float = 40.0, e_lo: float = 0.0,
                         g_m: float = 1.0, pre_rest: float = 0.0, post_rest: float = 0.0) -> GradedSynapse:
    """sns NonSpikingTransmissionSynapse: a clip synapse designed so that the post cell's
    steady state is ``gain``·U_pre at U_pre = 0 and U_pre = R (voltages relative to rest).

    With post membrane conductance g_m (µS; sns assumes 1), steady state
    U_post = g·e_rev/(g_m + g) with g = g_max at U_pre = R gives
    g_max = g_m·gain·R/(e_rev − gain·R); e_hi = e_lo + R. gain and e_rev must have the
    same sign and |gain·R| < |e_rev|. Between 0 and R the response is concave
    (e.g. gain 1: U_pre 5 → 8 mV, 10 → 13.33 mV). ``pre_rest``/``post_rest`` shift
    e_lo/e_hi and e_rev to absolute potentials when the cells do not rest at 0 mV.
    """
    gain, R, e_rev = float(gain), float(R), float(e_rev)
    if not R > 0:
        raise InvalidParameterValueError(f"R must be > 0 mV, got {R}")
    if gain == 0 or np.sign(gain) != np.sign(e_rev):
        raise InvalidParameterValueError(
            f"gain and e_rev must be non-zero and of the same sign, got gain={gain}, e_rev={e_rev}")
    if abs(gain * R) >= abs(e_rev):
        raise InvalidParameterValueError(
            f"|gain·R| must be < |e_rev| (the synapse cannot drive the cell beyond e_rev), "
            f"got gain·R={gain * R}, e_rev={e_rev}")
    g_max = float(g_m) * gain * R / (e_rev - gain * R)
    lo = float(pre_rest) + float(e_lo)
    return GradedSynapse(weight=g_max, e_rev=float(post_rest) + e_rev, e_lo=lo, e_hi=lo + R,
                         nonlinearity="clip")


def modulation_synapse(ratio: float, R: float = 20.0, e_lo: float = 0.0, g_m: float = 1.0,
                       pre_rest: float = 0.0, post_rest: float = 0.0) -> GradedSynapse:
    """sns NonSpikingModulationSynapse: a shunting clip synapse (e_rev = rest) that scales the
    post cell's steady state by ``ratio`` (0 < ratio ≤ 1) when U_pre = R:
    g_max = g_m·(1/ratio − 1), e_hi = e_lo + R, e_rev = post_rest (sns: 0)."""
    ratio = float(ratio)
    if not 0 < ratio <= 1:
        raise InvalidParameterValueError(f"ratio must be in (0, 1], got {ratio}")
    if not float(R) > 0:
        raise InvalidParameterValueError(f"R must be > 0 mV, got {R}")
    lo = float(pre_rest) + float(e_lo)
    return GradedSynapse(weight=float(g_m) * (1.0 / ratio - 1.0), e_rev=float(post_rest), e_lo=lo,
                         e_hi=lo + float(R), nonlinearity="clip")


class SpikingConductanceSynapse(SynapseType):
    """Spike-triggered conductance with one state g per connection (sns-toolbox SpikingSynapse).

    g decays as dg/dt = −g/tau_syn; a presynaptic spike arriving after ``delay``
    raises g by min(g_increment, weight − g) (saturating at the maximal conductance
    ``weight``, µS). Current into the post cell: Σ g·(e_rev − V_post).
    ``g_increment = inf`` (default) resets g to ``weight`` on each spike, sns' default.
    ``g`` is a per-connection state variable: ``prj.get('g', ...)`` reads its current
    value, ``prj.initialize(g=...)`` sets it.
    """

    description = "per-synapse conductance, exponential decay, spike increment saturating at weight"
    default_parameters: ClassVar[dict[str, Any]] = {
        "weight": 0.0,            # uS, maximal conductance g_max
        "delay": None,            # ms
        "e_rev": 0.0,             # mV
        "tau_syn": 1.0,           # ms, decay time constant
        "g_increment": np.inf,    # uS, increment per spike (inf: reset to weight)
    }
    default_initial_values: ClassVar[dict[str, float]] = {"g": 0.0}
    units = {"weight": "uS", "delay": "ms", "e_rev": "mV", "tau_syn": "ms", "g_increment": "uS", "g": "uS"}
    constraints = {"weight": "non_negative", "delay": "positive", "tau_syn": "positive",
                   "g_increment": "non_negative"}
    infinite_allowed: ClassVar[frozenset[str]] = frozenset({"g_increment"})
    weight_unit: ClassVar[str] = "uS"
    continuous: ClassVar[bool] = True
    transmits_spikes: ClassVar[bool] = True
    coupling: ClassVar[str] = "spiking_conductance"

    def check_projection(self, projection: Any) -> None:
        if self.plastic:
            raise ConnectionError("SpikingConductanceSynapse cannot be plastic")
        if projection.source not in (None, "spikes"):
            raise ConnectionError(f"source must be 'spikes' for SpikingConductanceSynapse, got {projection.source!r}")
