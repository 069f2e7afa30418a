"""Receptor kinetics on point neurons: PyNN 0.13's ``PointNeuron(body, **receptors)``.

A cell type is composed from a body (``LIF``, ``AdExp`` or ``NonSpikingNeuron``) and any
number of named post-synaptic responses::

    celltype = PointNeuron(LIF(tau_m=20.0, v_rest=-70.0),
                           excitatory=CondExpPostSynapticResponse(e_syn=0.0, tau_syn=5.0),
                           inhibitory=CondExpPostSynapticResponse(e_syn=-70.0, tau_syn=10.0),
                           AMPA=AMPA(tau_rise=0.5, tau_decay=2.0),
                           NMDA=NMDA(tau_rise=2.0, tau_decay=100.0, mg=1.0))
    Projection(pre, post, connector, StaticSynapse(weight=0.002), receptor_type="NMDA")

The receptor names (keyword names) are the cell type's ``receptor_types``,
sorted by name as in PyNN; the first is a projection's default. Parameters and state
variables of a receptor are named ``'<receptor>.<name>'`` (``pop.set(**{
'NMDA.mg': 1.2})``, ``pop.get('AMPA.tau_decay')``, ``pop.record('NMDA.gsyn')``),
as in PyNN 0.13; the body's keep their plain names (``v``, ``tau_m``, …).
A receptor type a cell does not declare is rejected by Projection with the
list of valid ones.

Conductance kinetics (weights in µS; a spike of weight w at t = 0):

* decay only (``tau_rise = 0``): g(t) = w·e^(−t/τd)                 (CondExp, AMPA default)
* rise and decay: g = two-state linear system dg/dt = −g/τd + y, dy/dt = −y/τr,
  a spike adds to y. With ``normalize_peak`` (default) the peak of g is w
  (NEST/PyNN beta-synapse convention; neurai's ``scale_g=True``):
      g(t) = w·(e^(−t/τd) − e^(−t/τr)) / (e^(−tp/τd) − e^(−tp/τr)),  tp = τdτr·ln(τd/τr)/(τd − τr).
  Without it (neurai's default ``scale_g=False``), y jumps by w per ms:
      g(t) = w·τdτr/(τd − τr)·(e^(−t/τd) − e^(−t/τr)) / (1 ms).
  τr = τd is allowed (alpha function; ``CondAlphaPostSynapticResponse`` is the
  normalised case, peak w at t = τ).
* NMDA: the same kinetics; the current is g·B(V)·(e_syn − V) with the
  Jahr–Stevens magnesium block B(V) = 1/(1 + mg·exp(−alpha·(V + gamma))/beta)
  (mg in mM, alpha in 1/mV, beta in mM, gamma in mV; defaults 1 mM, 0.062 /mV,
  3.57 mM, 0 mV).
* ``CurrExpPostSynapticResponse``: an exponentially decaying current (nA).

A PointNeuron must have only conductance-based or only current-based
receptors (the unit of the weights follows). Integration (numpy backend): the
kinetics are integrated exactly; the membrane by exponential Euler with the
conductances frozen at their exact mean over the step and the NMDA current
linearised about the start-of-step V, the slope of its Mg block included (see
``backends/numpy/receptor_kernels.py``). An ``AdExp``
body is integrated as EIF_cond_exp_isfa_ista (RK4 substeps, receptor
conductances exact at the stage times).

neurai/dendrify translation: neurai's AMPA(g, w, t_rise, t_decay, scale_g) onto a
compartment is a receptor ``AMPA(tau_rise=t_rise or 0, tau_decay=t_decay,
normalize_peak=scale_g)`` with weight g·w (µS); NMDA(Mg, alpha, beta, gamma)
likewise. Their ``E_AMPA = E_NMDA = 0 mV`` are ``e_syn``. A soma and a dendrite
coupled by MCConn are two populations joined by an ``ElectricalSynapse``
(weight = the coupling conductance), see ``examples/ampa_nmda_dendrite.py``.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from pynnlite.errors import InvalidParameterValueError
from pynnlite.models.base import CellType, ModelType

__all__ = ["LIF", "AdExp", "PointNeuron", "CurrExpPostSynapticResponse", "CondExpPostSynapticResponse",
           "CondAlphaPostSynapticResponse", "CondBetaPostSynapticResponse", "AMPAPostSynapticResponse",
           "NMDAPostSynapticResponse", "AMPA", "NMDA", "AlphaPSR", "BetaPSR", "ExpPSR"]


class LIF(ModelType):
    """Leaky integrate-and-fire body for PointNeuron (PyNN 0.13 ``LIF``): no synapses of its own.

    cm dv/dt = (cm/tau_m)(v_rest − v) + i_offset + synaptic and injected currents;
    threshold v_thresh, reset v_reset, refractory period tau_refrac.
    """

    description = "leaky integrate-and-fire membrane (body of a PointNeuron)"
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 0.1,
        "i_offset": 0.0, "v_reset": -65.0, "v_thresh": -50.0,
    }
    units = {"v": "mV", "v_rest": "mV", "cm": "nF", "tau_m": "ms", "tau_refrac": "ms", "i_offset": "nA",
             "v_reset": "mV", "v_thresh": "mV"}
    constraints = {"cm": "positive", "tau_m": "positive", "tau_refrac": "non_negative"}
    default_initial_values: ClassVar[dict[str, float]] = {"v": -65.0}
    recordable: ClassVar[list[str]] = ["spikes", "v"]
    injectable: ClassVar[bool] = True
    spiking: ClassVar[bool] = True


class AdExp(ModelType):
    """Adaptive exponential integrate-and-fire body for PointNeuron (PyNN 0.13 ``AdExp``; Brette &
    Gerstner 2005; NEST aeif_cond_alpha/beta_multisynapse): EIF_cond_exp_isfa_ista's membrane
    without its own synapses.

    cm dv/dt = g_L (v_rest − v) + g_L·delta_T·exp((v − v_thresh)/delta_T) − w + i_offset + receptor
    and injected currents, g_L = cm/tau_m;  tau_w dw/dt = a (v − v_rest) − w.
    At v ≥ v_spike: v ← v_reset, w ← w + b, refractory for tau_refrac.
    """

    description = "adaptive exponential integrate-and-fire membrane (body of a PointNeuron)"
    default_parameters: ClassVar[dict[str, Any]] = {
        "cm": 0.281,          # nF
        "tau_refrac": 0.1,    # ms
        "v_spike": -40.0,     # mV, spike detection threshold
        "v_reset": -70.6,     # mV
        "v_rest": -70.6,      # mV, leak reversal potential
        "tau_m": 9.3667,      # ms
        "i_offset": 0.0,      # nA
        "a": 4.0,             # nS, subthreshold adaptation conductance
        "b": 0.0805,          # nA, spike-triggered adaptation increment
        "delta_T": 2.0,       # mV, slope factor
        "tau_w": 144.0,       # ms, adaptation time constant
        "v_thresh": -50.4,    # mV, spike initiation threshold
    }
    units = {"v": "mV", "w": "nA", "cm": "nF", "tau_refrac": "ms", "v_spike": "mV", "v_reset": "mV",
             "v_rest": "mV", "tau_m": "ms", "i_offset": "nA", "a": "nS", "b": "nA", "delta_T": "mV",
             "tau_w": "ms", "v_thresh": "mV"}
    constraints = {"cm": "positive", "tau_m": "positive", "tau_refrac": "non_negative", "tau_w": "positive",
                   "delta_T": "non_negative"}
    default_initial_values: ClassVar[dict[str, float]] = {"v": -70.6, "w": 0.0}
    recordable: ClassVar[list[str]] = ["spikes", "v", "w"]
    injectable: ClassVar[bool] = True
    spiking: ClassVar[bool] = True


class PostSynapticResponse(ModelType):
    """Base of the receptor declarations: parameters, state variables and the kinetics kind."""

    default_initial_values: ClassVar[dict[str, float]] = {}
    #: State variables that can be recorded.
    recordable: ClassVar[list[str]] = []
    conductance_based: ClassVar[bool] = True
    #: 'curr_exp' | 'cond' | 'nmda' — what the numpy kernel integrates.
    kinetics: ClassVar[str] = "cond"


class CurrExpPostSynapticResponse(PostSynapticResponse):
    """Exponentially decaying current: a spike of weight w (nA) adds w to isyn, dI/dt = −I/tau_syn."""

    description = "current-based receptor with exponential decay"
    default_parameters: ClassVar[dict[str, Any]] = {"tau_syn": 5.0}
    units = {"tau_syn": "ms", "isyn": "nA"}
    constraints = {"tau_syn": "positive"}
    default_initial_values = {"isyn": 0.0}
    recordable = ["isyn"]
    conductance_based = False
    kinetics = "curr_exp"


class CondExpPostSynapticResponse(PostSynapticResponse):
    """Conductance with instantaneous rise and exponential decay: a spike of weight w (µS) adds w to gsyn."""

    description = "conductance-based receptor with exponential decay"
    default_parameters: ClassVar[dict[str, Any]] = {"e_syn": 0.0, "tau_syn": 5.0}
    units = {"e_syn": "mV", "tau_syn": "ms", "gsyn": "uS"}
    constraints = {"tau_syn": "positive"}
    default_initial_values = {"gsyn": 0.0}
    recordable = ["gsyn"]


class CondAlphaPostSynapticResponse(PostSynapticResponse):
    """Alpha-function conductance g(t) = w·(t/tau_syn)·e^(1 − t/tau_syn): peak w (µS) at t = tau_syn."""

    description = "conductance-based receptor with alpha-function kinetics"
    default_parameters: ClassVar[dict[str, Any]] = {"e_syn": 0.0, "tau_syn": 5.0}
    units = {"e_syn": "mV", "tau_syn": "ms", "gsyn": "uS", "drive": "uS/ms"}
    constraints = {"tau_syn": "positive"}
    default_initial_values = {"gsyn": 0.0, "drive": 0.0}
    recordable = ["gsyn"]


class CondBetaPostSynapticResponse(PostSynapticResponse):
    """Difference-of-exponentials conductance (rise tau_rise, decay tau_decay, ms).

    ``normalize_peak`` (default True): the conductance peaks at the weight (µS).
    False: neurai's unnormalised form, the rise variable jumps by weight/ms.
    ``tau_rise = 0`` gives an instantaneous rise (pure exponential decay).
    """

    description = "conductance-based receptor with rise and decay (beta function)"
    default_parameters: ClassVar[dict[str, Any]] = {"e_syn": 0.0, "tau_rise": 0.2, "tau_decay": 1.7,
                                                    "normalize_peak": 1.0}
    units = {"e_syn": "mV", "tau_rise": "ms", "tau_decay": "ms", "normalize_peak": "dimensionless",
             "gsyn": "uS", "drive": "uS/ms"}
    constraints = {"tau_rise": "non_negative", "tau_decay": "positive", "normalize_peak": "flag"}
    default_initial_values = {"gsyn": 0.0, "drive": 0.0}
    recordable = ["gsyn"]


class AMPAPostSynapticResponse(CondBetaPostSynapticResponse):
    """AMPA receptor: e_syn 0 mV, decay-only by default (tau_rise = 0), tau_decay 2 ms."""

    description = "AMPA receptor (conductance, optional rise, normalised peak)"
    default_parameters: ClassVar[dict[str, Any]] = {"e_syn": 0.0, "tau_rise": 0.0, "tau_decay": 2.0,
                                                    "normalize_peak": 1.0}


class NMDAPostSynapticResponse(CondBetaPostSynapticResponse):
    """NMDA receptor: beta kinetics (tau_rise 2 ms, tau_decay 100 ms) times the Mg²⁺ block
    B(V) = 1/(1 + mg·exp(−alpha·(V + gamma))/beta)."""

    description = "NMDA receptor (conductance with rise and decay, Jahr-Stevens Mg2+ block)"
    default_parameters: ClassVar[dict[str, Any]] = {
        "e_syn": 0.0, "tau_rise": 2.0, "tau_decay": 100.0, "normalize_peak": 1.0,
        "mg": 1.0,        # mM, extracellular magnesium concentration
        "alpha": 0.062,   # 1/mV, voltage sensitivity of the block
        "beta": 3.57,     # mM, magnesium dissociation constant
        "gamma": 0.0,     # mV, voltage offset of the block
    }
    units = {**CondBetaPostSynapticResponse.units, "mg": "mM", "alpha": "/mV", "beta": "mM", "gamma": "mV"}
    constraints = {**CondBetaPostSynapticResponse.constraints, "mg": "non_negative", "beta": "positive"}
    kinetics = "nmda"


AMPA = AMPAPostSynapticResponse
NMDA = NMDAPostSynapticResponse
AlphaPSR = CondAlphaPostSynapticResponse
BetaPSR = CondBetaPostSynapticResponse
ExpPSR = CondExpPostSynapticResponse


def mg_block(v: Any, mg: Any = 1.0, alpha: Any = 0.062, beta: Any = 3.57, gamma: Any = 0.0) -> np.ndarray:
    """Jahr–Stevens magnesium block B(V) = 1/(1 + mg·exp(−alpha·(V + gamma))/beta), V in mV."""
    x = np.minimum(-np.asarray(alpha, dtype=float) * (np.asarray(v, dtype=float) + gamma), 700.0)
    return 1.0 / (1.0 + np.asarray(mg, dtype=float) * np.exp(x) / beta)


def beta_peak_time(tau_rise: Any, tau_decay: Any) -> np.ndarray:
    """Time (ms) of the peak of e^(−t/τd) − e^(−t/τr): τdτr·ln(τd/τr)/(τd − τr) (τ when equal, 0 if τr = 0)."""
    tr = np.asarray(tau_rise, dtype=float)
    td = np.asarray(tau_decay, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(td / tr) / (td - tr)
        # ln(td/tr)/(td − tr) → 1/τ as tr → td
        near = np.abs(td - tr) <= 1e-9 * td
        ratio = np.where(near, 1.0 / np.where(near, td, 1.0), ratio)
        tp = td * tr * ratio
    return np.where(tr > 0, tp, 0.0)


def beta_peak_shape(tau_rise: Any, tau_decay: Any) -> np.ndarray:
    """∫₀^tp e^(−(tp−u)/τd) e^(−u/τr) du (ms): the peak of g per unit jump of its drive y
    (= τdτr/(τd − τr)·(e^(−tp/τd) − e^(−tp/τr)), τ/e when τr = τd)."""
    tr = np.asarray(tau_rise, dtype=float)
    td = np.asarray(tau_decay, dtype=float)
    tp = beta_peak_time(tr, td)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        near = np.abs(td - tr) <= 1e-9 * td
        safe_tr = np.where(tr > 0, tr, 1.0)
        general = td * safe_tr / (td - safe_tr) * (np.exp(-tp / td) - np.exp(-tp / safe_tr))
        alpha = td / math.e
    return np.where(tr > 0, np.where(near, alpha, general), 0.0)


# -- composition -------------------------------------------------------------------

_BODIES = {"LIF": "lif", "NonSpikingNeuron": "nonspiking", "AdExp": "adexp"}


def _body_kind(neuron: Any) -> str:
    for cls in type(neuron).__mro__:
        if cls.__name__ in _BODIES:
            return _BODIES[cls.__name__]
    raise InvalidParameterValueError(
        f"PointNeuron's body must be LIF(...), AdExp(...) or NonSpikingNeuron(...), got {type(neuron).__name__}")


def _component_initial_values(component: ModelType) -> dict[str, Any]:
    values = dict(getattr(component, "default_initial_values", {}))
    values.update(getattr(component, "initial_values", {}) or {})
    return values


def _declarations(neuron: ModelType, receptors: dict[str, PostSynapticResponse]) -> dict[str, Any]:
    kind = _body_kind(neuron)
    receptors = dict(sorted(receptors.items()))   # PyNN sorts the receptor names
    for name, psr in receptors.items():
        if not isinstance(psr, PostSynapticResponse):
            raise InvalidParameterValueError(
                f"receptor {name!r} must be a post-synaptic response such as CondExpPostSynapticResponse(), "
                f"got {type(psr).__name__}")
        if "." in name or not name.isidentifier():
            raise InvalidParameterValueError(f"receptor names must be identifiers without dots, got {name!r}")
    kinds = {psr.conductance_based for psr in receptors.values()}
    if len(kinds) > 1:
        raise InvalidParameterValueError(
            "all receptors of a PointNeuron must be conductance-based or all current-based "
            f"(got {', '.join(f'{n}: {type(p).__name__}' for n, p in receptors.items())})")
    defaults = dict(type(neuron).default_parameters)
    units = dict(type(neuron).units)
    constraints = dict(type(neuron).constraints)
    initial = {k: v for k, v in type(neuron).default_initial_values.items()}
    recordable = list(getattr(type(neuron), "recordable", None)
                      or (["spikes"] if getattr(neuron, "spiking", True) else []) + ["v"])
    kinetics = {}
    for name, psr in receptors.items():
        cls = type(psr)
        defaults.update({f"{name}.{p}": v for p, v in cls.default_parameters.items()})
        units.update({f"{name}.{p}": u for p, u in cls.units.items()})
        constraints.update({f"{name}.{p}": c for p, c in cls.constraints.items()})
        initial.update({f"{name}.{s}": v for s, v in cls.default_initial_values.items()})
        recordable += [f"{name}.{s}" for s in cls.recordable]
        kinetics[name] = (cls.kinetics, cls is CondAlphaPostSynapticResponse)
    return {
        "default_parameters": defaults, "units": units, "constraints": constraints,
        "default_initial_values": initial, "recordable": tuple(recordable),
        "receptor_types": tuple(receptors), "conductance_based": kinds != {False},
        "spiking": bool(getattr(neuron, "spiking", True)), "body_kind": kind,
        "receptor_kinetics": kinetics,
    }


class PointNeuron(CellType):
    """A cell type composed of a body (``LIF``, ``AdExp`` or ``NonSpikingNeuron``) and named receptors.

    ``PointNeuron(LIF(tau_m=10.0), AMPA=AMPA(), NMDA=NMDA(mg=1.2))``: see the module
    documentation for names, kinetics and units.
    """

    description = "point neuron with named receptor types"
    body_kind: ClassVar[str] = "lif"
    receptor_kinetics: ClassVar[dict[str, tuple[str, bool]]] = {}

    def __new__(cls, neuron: Any = None, **receptors: Any):
        if neuron is None:
            raise InvalidParameterValueError("PointNeuron needs a body: PointNeuron(LIF(...), NAME=receptor, ...)")
        declarations = _declarations(neuron, receptors)
        declarations["description"] = (f"{type(neuron).__name__} point neuron with receptors "
                                       f"{', '.join(receptors) or '(none)'}")
        sub = type("PointNeuron", (PointNeuron,), declarations)
        return super().__new__(sub)

    def __init__(self, neuron: Any = None, **receptors: Any):
        self.neuron = neuron
        self.receptors = dict(receptors)
        parameters = dict(neuron.parameter_space)
        for name, psr in receptors.items():
            parameters.update({f"{name}.{p}": v for p, v in psr.parameter_space.items()})
        super().__init__(**parameters)
        self.initial_values.update(_component_initial_values(neuron))

    def __reduce__(self):
        return (_rebuild_point_neuron, (self.neuron, self.receptors, dict(self.parameter_space),
                                        dict(self.initial_values)))

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context["body"] = type(self.neuron).__name__
        context["receptors"] = {name: type(psr).__name__ for name, psr in self.receptors.items()}
        return context

    def __repr__(self) -> str:
        receptors = ", ".join(f"{n}={p!r}" for n, p in self.receptors.items())
        return f"PointNeuron({self.neuron!r}{', ' if receptors else ''}{receptors})"


def _rebuild_point_neuron(neuron, receptors, parameters, initial_values):
    cell = PointNeuron(neuron, **receptors)
    cell.parameter_space.update(parameters)
    cell.initial_values.update(initial_values)
    return cell

