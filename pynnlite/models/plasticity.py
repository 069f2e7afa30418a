"""Declarations of the plastic synapse types: short-term plasticity, STDP, reward-modulated
STDP, and the per-projection weight constraints.

Everything here is data (PyNN 0.13 names, defaults, units, range checks); the numpy
engine's ``backends/numpy/plasticity.py`` reads these declarations. Units: times in ms,
rates in Hz, weights and weight bounds in the weight's unit (nA for current-based,
µS for conductance-based post cells), everything else dimensionless.

Conventions shared by every spike-timing rule (they are NEST's, see each class):

* A pre-synaptic spike emitted at ``t_pre`` reaches the synapse at
  ``t_pre + (1 − f)·d`` and a post-synaptic spike emitted at ``t_post`` is seen by the
  synapse at ``t_post + f·d``, ``d`` being the connection's delay and
  ``f = dendritic_delay_fraction`` (PyNN+NEST accept only f = 1). So a pair is timed by
  ``Δt = (t_post + f·d) − (t_pre + (1 − f)·d)``.
* Traces are per connection and event driven. With all-to-all pairing (the default)
  every spike adds 1 to its trace, which decays as exp(−t/τ); with nearest-neighbour
  pairing a spike sets its trace to 1 (NEST's ``stdp_nn_symm_synapse``).
* A pre-synaptic event depresses with the post-synaptic trace taken just before it,
  a post-synaptic event potentiates with the pre-synaptic trace taken just before it.
  Events at the same instant: the post-synaptic one is processed first, and neither
  sees the other (Δt = 0 changes nothing), as in NEST.
* Every update is applied when the event happens, so ``get('weight')`` after ``run``
  shows all learning up to the current time (NEST applies potentiation lazily, at the
  next pre-synaptic spike).
"""
from __future__ import annotations

from typing import Any, ClassVar, Iterable

import numpy as np

from pynnlite.errors import (InvalidModelError, InvalidParameterValueError, NoModelAvailableError, check_bool,
                             is_finite_number)
from pynnlite.expressions import distance_expression
from pynnlite.models.base import ModelType, SynapseType, at_connection, check_constraint

__all__ = [
    "TsodyksMarkramSynapse", "STDPMechanism", "RewardModulatedSTDP",
    "SpikePairRule", "Vogels2011Rule",
    "AdditiveWeightDependence", "MultiplicativeWeightDependence",
    "AdditivePotentiationMultiplicativeDepression", "GutigWeightDependence", "SoftBoundWeightDependence",
    "WeightNormalization", "WeightClip",
]


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if np.isnan(value):
        raise InvalidParameterValueError(f"{name}: NaN is not a valid value")
    return value


def _columns(values: dict[str, Any], current: Any, names: tuple[str, ...]) -> list[np.ndarray] | None:
    """The per-connection values of ``names`` (float arrays broadcast together), each from
    ``values`` or else ``current(name)``; None when ``values`` holds none of them or one is not
    known as numbers (no ``current``, or e.g. a RandomDistribution still to be drawn)."""
    if not any(name in values for name in names):
        return None
    found = [values[name] if name in values else current(name) if current is not None else None
             for name in names]
    if any(value is None for value in found):
        return None
    return list(np.broadcast_arrays(*(np.asarray(value, dtype=float) for value in found)))


def _raise_at_first(bad: np.ndarray, message: Any) -> None:
    """An InvalidParameterValueError naming the first connection where ``bad`` holds,
    ``message(k)`` its text for that (flat) index k."""
    bad = bad.ravel()
    if np.any(bad):
        first = int(np.flatnonzero(bad)[0])
        raise at_connection(InvalidParameterValueError(message(first)), first, bad.size)


def _bounds_check(values: dict[str, Any], current: Any = None, where: str = "", mirrored: bool = False) -> None:
    """w_min <= w_max for every connection (``values`` may hold one of them: the other
    comes from ``current(name)``). With ``mirrored`` (STDP weight dependences), also
    w_max < w_min <= 0: negative weights learning on their magnitude (see mirrored_bounds)."""
    found = _columns(values, current, ("w_min", "w_max"))
    if found is None:
        return
    lo, hi = (a.ravel() for a in found)
    bad = lo > hi
    if mirrored:
        bad &= lo > 0
    also = " (or, for negative weights, w_max < w_min <= 0 as NEST's negative Wmax)" if mirrored else ""
    _raise_at_first(bad, lambda k: f"w_min must be <= w_max{also}{where}, got w_min={lo[k]} > w_max={hi[k]}")


def mirrored_bounds(w_min: Any, w_max: Any) -> Any:
    """Where an STDP weight dependence's bounds are mirrored: w_max < w_min (<= 0).

    NEST's ``stdp_synapse`` learns on w/Wmax, so a negative Wmax (PyNN+NEST's way of giving
    current-based inhibitory synapses, whose weights are negative, plasticity) makes the
    rule act on the weight's magnitude: potentiation makes the weight more negative, up to
    Wmax, depression brings it towards 0. pynnlite does the same for w_max < w_min: the rule
    runs on −w with bounds [−w_min, −w_max]."""
    return np.asarray(w_max) < np.asarray(w_min)


def _weight_above_w_min(values: dict[str, Any], current: Any) -> None:
    """weight >= w_min for every connection of an STDPMechanism (weight <= w_min where the
    bounds are mirrored). A depression only clips at w_min, so a weight beyond it would
    jump to w_min at its first depression; NEST's stdp_synapse refuses such a weight (with
    w_min = 0, a weight of the other sign than Wmax: "Weight and Wmax must have same sign"),
    and so does pynnlite."""
    found = _columns(values, current, ("weight", "w_min", "w_max"))
    if found is None:
        return
    w, lo, hi = (a.ravel() for a in found)
    mirrored = mirrored_bounds(lo, hi)

    def message(k: int) -> str:
        if mirrored[k]:
            return (f"STDP weights must be <= w_min when w_max < w_min (negative weights), got "
                    f"weight={w[k]} > w_min={lo[k]}")
        return (f"STDP weights must be >= w_min, got weight={w[k]} < w_min={lo[k]} "
                "(NEST refuses a weight of the other sign than its bounds; for negative weights give a "
                "negative w_max, as NEST's Wmax, or use receptor_type='inhibitory' with positive weights)")
    _raise_at_first(np.where(mirrored, w > lo, w < lo), message)


#: Every timing rule's traces are sums of decaying jumps of +1 (or set to 1): never negative.
_TRACE_CONSTRAINTS = {"pre_trace": "non_negative", "post_trace": "non_negative"}


def _check_normalization(constraints: Iterable["WeightConstraint"], values: dict[str, Any]) -> None:
    """Weights of the sign of every WeightNormalization target: scaling a cell's weights to
    sum to a target of the other sign would flip their sign (e.g. make conductances negative)."""
    if "weight" not in values:
        return
    for constraint in constraints:
        if isinstance(constraint, WeightNormalization) and constraint.target != 0:
            check_constraint(f"weight (normalised to sum to {constraint.target:g} by WeightNormalization)",
                             values["weight"], "non_negative" if constraint.target > 0 else "non_positive")


def _scalar_values(model: ModelType) -> dict[str, Any]:
    return {k: v for k, v in model.parameter_space.items() if isinstance(v, (int, float, np.ndarray, list))}


# -- short-term plasticity ----------------------------------------------------------------

class TsodyksMarkramSynapse(SynapseType):
    """Short-term depression and facilitation, the three-state model of Tsodyks, Uziel &
    Markram (2000) as NEST's ``tsodyks_synapse`` (used by PyNN+NEST).

    Resources are recovered (x), active (y) or inactive (z = 1 − x − y); ``u`` is the
    release probability. Between pre-synaptic spikes (exact solution)::

        dx/dt = z/tau_rec,   dy/dt = −y/τ_psc,   dz/dt = y/τ_psc − z/tau_rec,
        du/dt = −u/tau_facil            (u → 0 at once when tau_facil = 0)

    At a pre-synaptic spike, in this order: u ← u + U·(1 − u); the spike transmits
    u·x·weight; x ← x − u·x; y ← y + u·x. τ_psc is the post-synaptic cell's synaptic
    time constant of the receptor the weight goes to (``tau_syn_E`` or ``tau_syn_I``),
    as PyNN+NEST sets it; with a post cell that has no synaptic time constant
    (delta synapses) the limit τ_psc → 0 is used.

    Parameters: ``U`` (use, in [0, 1]), ``tau_rec`` (ms, > 0), ``tau_facil`` (ms, >= 0),
    ``weight``, ``delay``. State variables (``get``, ``initialize``): ``u`` (initially 0,
    as NEST), ``x`` (1), ``y`` (0). Values read after ``run`` are those at the current time.
    """

    default_parameters: ClassVar[dict] = {"weight": 0.0, "delay": None, "U": 0.5, "tau_rec": 100.0,
                                          "tau_facil": 0.0}
    units: ClassVar[dict] = {"delay": "ms", "tau_rec": "ms", "tau_facil": "ms"}
    constraints: ClassVar[dict] = {"delay": "positive", "U": "probability", "tau_rec": "positive",
                                   "tau_facil": "non_negative"}
    default_initial_values: ClassVar[dict] = {"u": 0.0, "x": 1.0, "y": 0.0}
    plastic = True
    rule = "tsodyks_markram"
    description = "Tsodyks-Markram short-term depression and facilitation"

    def check_columns(self, values: dict[str, np.ndarray], current: Any) -> None:
        """Cross-variable checks of per-connection values before they are stored (each check
        a stage of its own: the order of the errors, see simulation.same_error_on_every_process)."""
        from pynnlite.simulation import check_stage
        for stage, name in enumerate(("u", "x", "y")):
            if name in values:
                with check_stage(stage):
                    check_constraint(name, values[name], "probability")
        if "x" in values or "y" in values:
            x = values["x"] if "x" in values else current("x")
            y = values["y"] if "y" in values else current("y")
            if x is not None and y is not None:
                bad = (np.asarray(x, dtype=float) + np.asarray(y, dtype=float) > 1.0 + 1e-12).ravel()
                if np.any(bad):
                    with check_stage(3):
                        raise at_connection(InvalidParameterValueError("x + y must be <= 1 for every connection"),
                                            int(np.flatnonzero(bad)[0]), bad.size)

    def check_projection(self, projection: Any) -> None:
        _check_spiking_projection(self, projection, needs_post_spikes=False)


# -- STDP components ----------------------------------------------------------------------

class _PerConnectionParameters(ModelType):
    """A component whose parameters become per-connection columns of an STDPMechanism: as
    for a synapse type's parameters (and as in PyNN), a distance expression such as
    ``w_max="0.01*d"`` is a value, evaluated per connection by the projection."""

    def check_value(self, name: str, value: Any) -> Any:
        if isinstance(value, str):
            distance_expression(value, name)   # a clear error for anything but an expression of d
            return value
        return super().check_value(name, value)


class STDPTimingDependence(_PerConnectionParameters):
    """Base of the timing dependences: how spike pairs make weight changes."""

    #: Per-connection state variables (the traces) and their initial values.
    default_initial_values: ClassVar[dict] = {"pre_trace": 0.0, "post_trace": 0.0}
    rule: ClassVar[str] = ""

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context["kind"] = "timing dependence"
        return context


class STDPWeightDependence(_PerConnectionParameters):
    """Base of the weight dependences: how a change depends on the weight, and its bounds."""

    default_parameters: ClassVar[dict] = {"w_min": 0.0, "w_max": 1.0}
    #: No state variables of its own (as in PyNN).
    default_initial_values: ClassVar[dict] = {}
    dependence: ClassVar[str] = ""

    def __init__(self, **parameters: Any):
        super().__init__(**parameters)
        _bounds_check(_scalar_values(self), where=f" in {self.name}", mirrored=True)

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context["kind"] = "weight dependence"
        return context


class SpikePairRule(STDPTimingDependence):
    """Pair-based STDP (Song, Miller & Abbott 2000; NEST ``stdp_synapse``).

    A post-synaptic event potentiates with amount ``A_plus·x_pre`` and a pre-synaptic
    event depresses with amount ``A_minus·x_post``, x_pre and x_post being traces with
    time constants ``tau_plus`` and ``tau_minus`` (ms); the weight dependence turns an
    amount into a weight change. For one pair with additive weights:
    Δw = w_max·A_plus·exp(−Δt/tau_plus) for Δt > 0 and −w_max·A_minus·exp(Δt/tau_minus)
    for Δt < 0 (Δt as in the module docstring; Δt = 0: no change).

    ``nearest=False`` pairs every pre spike with every post spike (all-to-all, as
    ``stdp_synapse``); ``nearest=True`` pairs each spike only with the latest spike of the
    other side (symmetric nearest-neighbour, NEST ``stdp_nn_symm_synapse``).
    """

    default_parameters: ClassVar[dict] = {"tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 0.01, "A_minus": 0.01}
    units: ClassVar[dict] = {"tau_plus": "ms", "tau_minus": "ms"}
    constraints: ClassVar[dict] = {"tau_plus": "positive", "tau_minus": "positive", "A_plus": "non_negative",
                                   "A_minus": "non_negative"}
    rule = "spike_pair"
    description = "pair-based STDP"

    def __init__(self, tau_plus: Any = 20.0, tau_minus: Any = 20.0, A_plus: Any = 0.01, A_minus: Any = 0.01,
                 nearest: bool = False):
        nearest = check_bool("nearest", nearest)
        super().__init__(tau_plus=tau_plus, tau_minus=tau_minus, A_plus=A_plus, A_minus=A_minus)
        self.nearest = nearest

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context["pairing"] = "nearest-neighbour" if self.nearest else "all-to-all"
        return context


class Vogels2011Rule(STDPTimingDependence):
    """Inhibitory STDP of Vogels, Sprekeler, Zenke, Clopath & Gerstner (2011), as NEST's
    ``vogels_sprekeler_synapse``: symmetric potentiation with constant depression.

    Both traces have time constant ``tau`` (ms) and all-to-all pairing. A post-synaptic
    event changes the weight by ``+eta·x_pre``; a pre-synaptic event by
    ``+eta·x_post`` and then ``−eta·α`` with α = 2·rho·tau/1000 (``rho``: target post
    rate in Hz). ``eta`` is in the weight's unit (with AdditiveWeightDependence the
    changes above are the weight changes; other weight dependences scale eta/w_max as
    they scale A_plus). Bounds come from the weight dependence. Below the target
    rate the depression wins and the (inhibitory) weight shrinks; above it, it grows.
    """

    default_parameters: ClassVar[dict] = {"tau": 20.0, "eta": 1e-10, "rho": 3.0}
    units: ClassVar[dict] = {"tau": "ms", "rho": "Hz"}
    constraints: ClassVar[dict] = {"tau": "positive", "eta": "non_negative", "rho": "non_negative"}
    rule = "vogels2011"
    description = "Vogels et al. (2011) inhibitory STDP"


class AdditiveWeightDependence(STDPWeightDependence):
    """Changes independent of the weight: Δw+ = w_max·a+, Δw− = −w_max·a− (a = A·trace),
    then clipped to [w_min, w_max] (NEST ``stdp_synapse`` with mu_plus = mu_minus = 0)."""

    constraints: ClassVar[dict] = {}
    dependence = "additive"
    description = "additive weight dependence with hard bounds"

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0):
        super().__init__(w_min=w_min, w_max=w_max)


class MultiplicativeWeightDependence(STDPWeightDependence):
    """Soft bounds: Δw+ = a+·(w_max − w), Δw− = −a−·(w − w_min) (NEST ``stdp_synapse``
    with mu_plus = mu_minus = 1)."""

    dependence = "multiplicative"
    description = "multiplicative weight dependence (soft bounds)"

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0):
        super().__init__(w_min=w_min, w_max=w_max)


class AdditivePotentiationMultiplicativeDepression(STDPWeightDependence):
    """Δw+ = w_max·a+ (clipped at w_max), Δw− = −a−·(w − w_min) (NEST ``stdp_synapse``
    with mu_plus = 0, mu_minus = 1)."""

    dependence = "additive_potentiation_multiplicative_depression"
    description = "additive potentiation, multiplicative depression"

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0):
        super().__init__(w_min=w_min, w_max=w_max)


class GutigWeightDependence(STDPWeightDependence):
    """Gütig et al. (2003): Δw+ = a+·w_max·((w_max − w)/w_max)^mu_plus and
    Δw− = −a−·w_max·((w − w_min)/w_max)^mu_minus, clipped to [w_min, w_max]. With
    w_min = 0 this is NEST's ``stdp_synapse`` (whose PyNN translation drops
    mu_plus/mu_minus; here they are honoured). mu = 0 gives the additive and mu = 1 the
    multiplicative dependence. Needs w_max > 0 (or w_max < w_min <= 0: mirrored bounds)."""

    default_parameters: ClassVar[dict] = {"w_min": 0.0, "w_max": 1.0, "mu_plus": 0.5, "mu_minus": 0.5}
    constraints: ClassVar[dict] = {"mu_plus": "non_negative", "mu_minus": "non_negative"}
    dependence = "gutig"
    description = "Gütig power-law weight dependence"

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0, mu_plus: Any = 0.5, mu_minus: Any = 0.5):
        super().__init__(w_min=w_min, w_max=w_max, mu_plus=mu_plus, mu_minus=mu_minus)
        self.check_columns(_scalar_values(self), None)

    @staticmethod
    def check_columns(values: dict[str, Any], current: Any) -> None:
        """w_max > 0, or w_max < 0 with mirrored bounds (w_max < w_min): the rule divides by
        the distance from 0 to w_max."""
        found = _columns(values, current, ("w_min", "w_max"))
        if found is None:
            if "w_max" in values:   # w_min not known as numbers: no mirrored bounds to allow for
                check_constraint("w_max (GutigWeightDependence)", values["w_max"], "positive")
            return
        lo, hi = (a.ravel() for a in found)
        _raise_at_first((hi <= 0) & ~mirrored_bounds(lo, hi), lambda k: (
            f"w_max (GutigWeightDependence) must be positive, or below w_min <= 0 for negative weights, "
            f"got w_max={hi[k]} with w_min={lo[k]}"))


class SoftBoundWeightDependence(STDPWeightDependence):
    """Soft bounds with the same factor on both terms (conex ``soft_bound``, beyond PyNN):
    Δw± = ±a±·(w − w_min)·(w_max − w). The factor has the weight's unit squared, so
    A_plus/A_minus are per weight unit. A weight at a bound stays there."""

    dependence = "soft_bound"
    description = "soft-bound weight dependence (w − w_min)(w_max − w)"

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0):
        super().__init__(w_min=w_min, w_max=w_max)


# -- weight constraints -------------------------------------------------------------------

class WeightConstraint:
    """A rule applied to a projection's weights after each learning update."""

    name = "WeightConstraint"

    def describe_context(self) -> dict[str, Any]:
        return {"name": type(self).__name__, "parameters": dict(vars(self))}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class WeightNormalization(WeightConstraint):
    """Scale the incoming weights (within the projection) of every post-synaptic cell
    whose weights changed, so that they sum to ``target`` (conex ``WeightNormalization``).
    Applied at the start of each run to every cell and after each learning update; a
    cell whose weights sum to 0 is left unchanged. ``target`` has the sign of the weights
    (negative for the negative weights of current-based inhibitory synapses): the
    projection's weights are checked against it."""

    def __init__(self, target: Any = 1.0):
        if not is_finite_number(target):
            raise InvalidParameterValueError(f"target must be a finite number, got {target!r}")
        self.target = float(target)


class WeightClip(WeightConstraint):
    """Clip weights to [w_min, w_max] after each learning update (and after a
    normalisation listed before it)."""

    def __init__(self, w_min: Any = 0.0, w_max: Any = 1.0):
        self.w_min = _number("w_min", w_min)
        self.w_max = _number("w_max", w_max)
        if self.w_min > self.w_max:
            raise InvalidParameterValueError(f"WeightClip: w_min must be <= w_max, got {self.w_min} > {self.w_max}")


def _check_constraints(constraints: Any) -> tuple[WeightConstraint, ...]:
    if constraints is None:
        return ()
    if isinstance(constraints, WeightConstraint):
        return (constraints,)
    if not isinstance(constraints, (list, tuple)):
        raise InvalidParameterValueError(
            f"constraints must be a list of WeightNormalization/WeightClip, got {type(constraints).__name__}")
    for c in constraints:
        if not isinstance(c, WeightConstraint):
            raise InvalidParameterValueError(
                f"constraints must hold WeightNormalization or WeightClip objects, got {type(c).__name__}")
    return tuple(constraints)


def _check_fraction(value: Any) -> float:
    value = _number("dendritic_delay_fraction", value)
    if not 0.0 <= value <= 1.0:
        raise InvalidParameterValueError(f"dendritic_delay_fraction must be in [0, 1], got {value}")
    return value


def _check_spiking_projection(synapse_type: SynapseType, projection: Any, needs_post_spikes: bool) -> None:
    """Plastic synapses are driven by spikes: no graded (``source=``) transmission, no
    electrical coupling, spiking cells on both sides."""
    name = synapse_type.name
    if projection.source not in (None, "spikes"):
        raise InvalidModelError(
            f"{name} is spike-driven and cannot be used on a graded projection (source={projection.source!r})")
    if "electrical" in str(projection.receptor_type).lower() or "gap" in str(projection.receptor_type).lower():
        raise InvalidModelError(f"{name} cannot be used on an electrical projection")
    sides = [("pre", projection.pre)] + ([("post", projection.post)] if needs_post_spikes else [])
    for side, cells in sides:
        for pop, _ in cells._segments():
            if not getattr(pop.celltype, "spiking", True):
                raise InvalidModelError(
                    f"{name} needs spiking {side}-synaptic cells; {pop.label} ({pop.celltype.name}) does not spike")


# -- STDP mechanism -------------------------------------------------------------------------

class STDPMechanism(SynapseType):
    """Spike-timing-dependent plasticity: a timing dependence combined with a weight
    dependence (PyNN's ``STDPMechanism``).

    Every parameter of both components is a per-connection column: ``prj.set(A_plus=...)``,
    ``prj.get('tau_plus', format='array')``. The traces are per-connection state variables
    ``pre_trace`` and ``post_trace`` (``initialize``-able; values at the current time).

    ``dendritic_delay_fraction`` f in [0, 1]: see the module docstring (PyNN+NEST: f = 1
    only). A spike transmits the weight its synapse has at the spike's emission time,
    after every plasticity event up to then (with f = 1 this includes the spike's own
    depression, as in NEST).

    ``constraints`` (pynnlite extension): a list of ``WeightNormalization`` /
    ``WeightClip`` applied, in order, to the projection's weights after each learning
    update (at the end of each min-delay communication slice in which weights changed);
    the weight a spike transmits is then the weight after that slice's constraints.
    """

    plastic = True
    description = "spike-timing-dependent plasticity"

    def __init__(self, timing_dependence: STDPTimingDependence | None = None,
                 weight_dependence: STDPWeightDependence | None = None, voltage_dependence: Any = None,
                 dendritic_delay_fraction: Any = 1.0, weight: Any = 0.0, delay: Any = None,
                 constraints: Iterable[WeightConstraint] | None = None):
        if timing_dependence is None:
            raise InvalidModelError(
                "STDPMechanism needs a timing_dependence (e.g. SpikePairRule()); "
                + ("a weight dependence alone does not define a learning rule" if weight_dependence is not None
                   else "none was given"))
        if not isinstance(timing_dependence, STDPTimingDependence):
            raise InvalidModelError(
                f"timing_dependence must be a timing dependence such as SpikePairRule(), "
                f"got {type(timing_dependence).__name__}")
        if weight_dependence is None:
            raise InvalidModelError(
                "STDPMechanism needs a weight_dependence (e.g. AdditiveWeightDependence(w_min, w_max))")
        if not isinstance(weight_dependence, STDPWeightDependence):
            raise InvalidModelError(
                f"weight_dependence must be a weight dependence such as AdditiveWeightDependence(), "
                f"got {type(weight_dependence).__name__}")
        if voltage_dependence is not None:
            raise NoModelAvailableError("voltage-dependent STDP is not available in pynnlite")
        clash = set(timing_dependence.parameter_space) & set(weight_dependence.parameter_space)
        if clash:  # pragma: no cover - no standard components clash
            raise InvalidModelError(f"timing and weight dependences both define {', '.join(sorted(clash))}")
        self.timing_dependence = timing_dependence
        self.weight_dependence = weight_dependence
        self.voltage_dependence = None
        self.dendritic_delay_fraction = _check_fraction(dendritic_delay_fraction)
        self.weight_constraints = _check_constraints(constraints)
        # the union of the components' declarations, for this instance
        self.default_parameters = {"weight": 0.0, "delay": None, **timing_dependence.default_parameters,
                                   **weight_dependence.default_parameters}
        self.units = {"delay": "ms", **timing_dependence.units, **weight_dependence.units}
        self.constraints = {"delay": "positive", **_TRACE_CONSTRAINTS, **timing_dependence.constraints,
                            **weight_dependence.constraints}
        self.default_initial_values = dict(timing_dependence.default_initial_values)
        super().__init__(weight=weight, delay=delay)
        self.parameter_space.update(timing_dependence.parameter_space)
        self.parameter_space.update(weight_dependence.parameter_space)
        w_max = _scalar_values(weight_dependence).get("w_max")
        if isinstance(timing_dependence, Vogels2011Rule) and w_max is not None:
            check_constraint("w_max (with Vogels2011Rule)", w_max, "positive")

    @property
    def rule(self) -> str:
        return self.timing_dependence.rule

    def has_parameter(self, name: str) -> bool:  # type: ignore[override]
        return name in self.default_parameters

    def check_columns(self, values: dict[str, np.ndarray], current: Any) -> None:
        """Cross-parameter checks of per-connection values before they are stored (each check
        a stage of its own: the order of the errors, see simulation.same_error_on_every_process)."""
        from pynnlite.simulation import check_stage
        with check_stage(0):
            _bounds_check(values, current, mirrored=True)
        with check_stage(1):
            _check_normalization(self.weight_constraints, values)
        check = getattr(self.weight_dependence, "check_columns", None)
        if check is not None:
            with check_stage(2):
                check(values, current)
        if isinstance(self.timing_dependence, Vogels2011Rule) and "w_max" in values:
            with check_stage(3):
                check_constraint("w_max (with Vogels2011Rule)", values["w_max"], "positive")
        with check_stage(4):
            _weight_above_w_min(values, current)

    def check_projection(self, projection: Any) -> None:
        _check_spiking_projection(self, projection, needs_post_spikes=True)

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context.update(timing_dependence=self.timing_dependence.describe_context(),
                       weight_dependence=self.weight_dependence.describe_context(),
                       dendritic_delay_fraction=self.dendritic_delay_fraction,
                       weight_constraints=[c.describe_context() for c in self.weight_constraints])
        return context

    def __repr__(self) -> str:
        return (f"STDPMechanism(timing_dependence={self.timing_dependence!r}, "
                f"weight_dependence={self.weight_dependence!r}, "
                f"dendritic_delay_fraction={self.dendritic_delay_fraction!r}, "
                f"weight={self.parameter_space['weight']!r}, delay={self.parameter_space['delay']!r})")


# -- reward-modulated STDP ------------------------------------------------------------------

class RewardModulatedSTDP(SynapseType):
    """Reward-modulated (three-factor) STDP with an eligibility trace (Izhikevich 2007;
    NEST ``stdp_dopamine_synapse``). Not a PyNN standard type.

    Spike pairs do not change the weight but the eligibility ``c`` (per connection):
    a post-synaptic event adds ``A_plus·x_pre``, a pre-synaptic event subtracts
    ``A_minus·x_post`` (traces and timing as in SpikePairRule, all-to-all). Between
    events, exactly::

        dc/dt = −c/tau_c,    dd/dt = −d/tau_d,    dw/dt = c·(d − b)

    and w is clipped to [w_min, w_max] at every update. ``d`` is the neuromodulator
    (e.g. dopamine) concentration, a per-connection state variable. It is driven

    * by spikes: ``modulator=`` a Population (or view/Assembly) of modulatory neurons;
      each of their spikes adds 1/tau_d to d at the spike's time (NEST's volume
      transmitter, without its delay). The modulator need not be connected otherwise.
    * or by the user between runs: ``prj.initialize(d=level)`` sets d (it then decays
      with tau_d; a large tau_d keeps it nearly constant).

    With d = b = 0 weights never change; with d > b a weight moves in the direction of
    its eligibility. Units: tau_* in ms, d in 1/ms, c in weight units.
    Parameters: tau_plus, tau_minus, A_plus, A_minus, tau_c, tau_d, b, w_min, w_max,
    weight, delay; state: c, d, pre_trace, post_trace. ``constraints`` as in STDPMechanism.
    """

    default_parameters: ClassVar[dict] = {
        "weight": 0.0, "delay": None, "tau_plus": 20.0, "tau_minus": 20.0, "A_plus": 0.01, "A_minus": 0.01,
        "tau_c": 1000.0, "tau_d": 200.0, "b": 0.0, "w_min": 0.0, "w_max": 1.0}
    units: ClassVar[dict] = {"delay": "ms", "tau_plus": "ms", "tau_minus": "ms", "tau_c": "ms", "tau_d": "ms",
                             "b": "/ms", "d": "/ms"}
    constraints: ClassVar[dict] = {"delay": "positive", "tau_plus": "positive", "tau_minus": "positive",
                                   "A_plus": "non_negative", "A_minus": "non_negative", "tau_c": "positive",
                                   "tau_d": "positive", "b": "non_negative", **_TRACE_CONSTRAINTS}
    default_initial_values: ClassVar[dict] = {"c": 0.0, "d": 0.0, "pre_trace": 0.0, "post_trace": 0.0}
    plastic = True
    rule = "reward_modulated"
    description = "reward-modulated STDP with eligibility trace"

    def __init__(self, modulator: Any = None, dendritic_delay_fraction: Any = 1.0,
                 constraints: Iterable[WeightConstraint] | None = None, **parameters: Any):
        if modulator is not None:
            from pynnlite.populations import BasePopulation
            if not isinstance(modulator, BasePopulation):
                raise InvalidParameterValueError(
                    f"modulator must be a Population, PopulationView or Assembly, got {type(modulator).__name__}")
        self.modulator = modulator
        self.dendritic_delay_fraction = _check_fraction(dendritic_delay_fraction)
        self.weight_constraints = _check_constraints(constraints)
        super().__init__(**parameters)
        _bounds_check(_scalar_values(self))

    def check_columns(self, values: dict[str, np.ndarray], current: Any) -> None:
        from pynnlite.simulation import check_stage
        with check_stage(0):
            _bounds_check(values, current)
        with check_stage(1):
            _check_normalization(self.weight_constraints, values)

    def check_projection(self, projection: Any) -> None:
        _check_spiking_projection(self, projection, needs_post_spikes=True)
        if self.modulator is not None and self.modulator.simulation is not projection.simulation:
            raise InvalidModelError("the modulator population belongs to another simulation")

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context.update(modulator=getattr(self.modulator, "label", None),
                       dendritic_delay_fraction=self.dendritic_delay_fraction,
                       weight_constraints=[c.describe_context() for c in self.weight_constraints])
        return context
