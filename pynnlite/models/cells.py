"""Standard cell types of PyNN 0.13, declared as data.

Each class states its parameters with PyNN's names, defaults and units
(mV, nA, ms, µS, nF, Hz; ``a`` of the AdEx models in nS as in PyNN), its
state variables with their initial values, what can be recorded and which
receptors it has. Nothing here computes anything: the backends read these
declarations and provide the dynamics (see ``backends/numpy/neurons.py`` and
``backends/numpy/sources.py``).

Unit names follow PyNN's ``units`` dictionaries; three of them ('nS', '/ms',
'mV/ms') are PyNN's own spelling for quantities that only these models use.
"""
from __future__ import annotations

from typing import Any, ClassVar

from pynnlite.models.base import CellType
from pynnlite.parameters import ArrayParameter, Sequence

__all__ = [
    "IF_curr_exp", "IF_curr_alpha", "IF_curr_delta",
    "IF_cond_exp", "IF_cond_alpha", "IF_cond_exp_gsfa_grr", "IF_facets_hardware1",
    "EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista",
    "Izhikevich", "HH_cond_exp", "GIF_cond_exp",
    "SpikeSourcePoisson", "SpikeSourceArray", "SpikeSourceGamma",
    "SpikeSourcePoissonRefractory", "SpikeSourceInhGamma",
]

_NEURON_RECEPTORS = ("excitatory", "inhibitory")

# -- shared pieces of the integrate-and-fire declarations ---------------------

_LIF_PARAMETER_UNITS = {
    "v_rest": "mV", "cm": "nF", "tau_m": "ms", "tau_refrac": "ms",
    "i_offset": "nA", "v_reset": "mV", "v_thresh": "mV",
}
_LIF_CONSTRAINTS = {"cm": "positive", "tau_m": "positive", "tau_refrac": "non_negative"}
_SYN_TAU_UNITS = {"tau_syn_E": "ms", "tau_syn_I": "ms"}
_SYN_TAU_CONSTRAINTS = {"tau_syn_E": "positive", "tau_syn_I": "positive"}
_REVERSAL_UNITS = {"e_rev_E": "mV", "e_rev_I": "mV"}
_GSYN_UNITS = {"gsyn_exc": "uS", "gsyn_inh": "uS"}
_ISYN_UNITS = {"isyn_exc": "nA", "isyn_inh": "nA"}


class IF_curr_exp(CellType):
    """Leaky integrate-and-fire neuron, fixed threshold, exponentially decaying synaptic currents."""

    description = "Leaky integrate-and-fire neuron with exponentially decaying post-synaptic currents"
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0,      # mV, resting membrane potential
        "cm": 1.0,            # nF, membrane capacitance
        "tau_m": 20.0,        # ms, membrane time constant
        "tau_refrac": 0.1,    # ms, refractory period
        "tau_syn_E": 5.0,     # ms, decay time of the excitatory synaptic current
        "tau_syn_I": 5.0,     # ms, decay time of the inhibitory synaptic current
        "i_offset": 0.0,      # nA, offset current
        "v_reset": -65.0,     # mV, reset potential after a spike
        "v_thresh": -50.0,    # mV, spike threshold
    }
    units = {"v": "mV", **_ISYN_UNITS, **_LIF_PARAMETER_UNITS, **_SYN_TAU_UNITS}
    constraints = {**_LIF_CONSTRAINTS, **_SYN_TAU_CONSTRAINTS}
    default_initial_values = {"v": -65.0, "isyn_exc": 0.0, "isyn_inh": 0.0}
    recordable = ("spikes", "v", "isyn_exc", "isyn_inh")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = False


class IF_curr_alpha(CellType):
    """Leaky integrate-and-fire neuron, fixed threshold, alpha-function synaptic currents."""

    description = "Leaky integrate-and-fire neuron with alpha-function-shaped post-synaptic currents"
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0,      # mV
        "cm": 1.0,            # nF
        "tau_m": 20.0,        # ms
        "tau_refrac": 0.1,    # ms
        "tau_syn_E": 0.5,     # ms, rise time of the excitatory alpha function
        "tau_syn_I": 0.5,     # ms, rise time of the inhibitory alpha function
        "i_offset": 0.0,      # nA
        "v_reset": -65.0,     # mV
        "v_thresh": -50.0,    # mV
    }
    units = {"v": "mV", **_ISYN_UNITS, **_LIF_PARAMETER_UNITS, **_SYN_TAU_UNITS}
    constraints = {**_LIF_CONSTRAINTS, **_SYN_TAU_CONSTRAINTS}
    default_initial_values = {"v": -65.0, "isyn_exc": 0.0, "isyn_inh": 0.0}
    recordable = ("spikes", "v", "isyn_exc", "isyn_inh")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = False


class IF_curr_delta(CellType):
    """Leaky integrate-and-fire neuron whose synaptic inputs are steps of the membrane potential (weights in mV)."""

    description = "Leaky integrate-and-fire neuron with delta-function synapses (voltage jumps, weights in mV)"
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0,      # mV
        "cm": 1.0,            # nF
        "tau_m": 20.0,        # ms
        "tau_refrac": 0.1,    # ms
        "i_offset": 0.0,      # nA
        "v_reset": -65.0,     # mV
        "v_thresh": -50.0,    # mV
    }
    units = {"v": "mV", **_LIF_PARAMETER_UNITS}
    constraints = dict(_LIF_CONSTRAINTS)
    default_initial_values = {"v": -65.0}
    recordable = ("spikes", "v")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = False
    #: PyNN's flag: synaptic weights are voltage jumps in mV.
    voltage_based_synapses: ClassVar[bool] = True


class IF_cond_exp(CellType):
    """Leaky integrate-and-fire neuron, fixed threshold, exponentially decaying synaptic conductances."""

    description = "Leaky integrate-and-fire neuron with exponentially decaying post-synaptic conductances"
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0,      # mV
        "cm": 1.0,            # nF
        "tau_m": 20.0,        # ms
        "tau_refrac": 0.1,    # ms
        "tau_syn_E": 5.0,     # ms, decay time of the excitatory conductance
        "tau_syn_I": 5.0,     # ms, decay time of the inhibitory conductance
        "e_rev_E": 0.0,       # mV, excitatory reversal potential
        "e_rev_I": -70.0,     # mV, inhibitory reversal potential
        "v_thresh": -50.0,    # mV
        "v_reset": -65.0,     # mV
        "i_offset": 0.0,      # nA
    }
    units = {"v": "mV", **_GSYN_UNITS, **_LIF_PARAMETER_UNITS, **_SYN_TAU_UNITS, **_REVERSAL_UNITS}
    constraints = {**_LIF_CONSTRAINTS, **_SYN_TAU_CONSTRAINTS}
    default_initial_values = {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = True


class IF_cond_alpha(CellType):
    """Leaky integrate-and-fire neuron, fixed threshold, alpha-function synaptic conductances."""

    description = "Leaky integrate-and-fire neuron with alpha-function-shaped post-synaptic conductances"
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0,      # mV
        "cm": 1.0,            # nF
        "tau_m": 20.0,        # ms
        "tau_refrac": 0.1,    # ms
        "tau_syn_E": 0.3,     # ms, rise time of the excitatory alpha function
        "tau_syn_I": 0.5,     # ms, rise time of the inhibitory alpha function
        "e_rev_E": 0.0,       # mV
        "e_rev_I": -70.0,     # mV
        "v_thresh": -50.0,    # mV
        "v_reset": -65.0,     # mV
        "i_offset": 0.0,      # nA
    }
    units = {"v": "mV", **_GSYN_UNITS, **_LIF_PARAMETER_UNITS, **_SYN_TAU_UNITS, **_REVERSAL_UNITS}
    constraints = {**_LIF_CONSTRAINTS, **_SYN_TAU_CONSTRAINTS}
    default_initial_values = {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = True


class IF_cond_exp_gsfa_grr(CellType):
    """IF_cond_exp plus two spike-triggered conductances (Muller et al. 2007; NEST iaf_cond_exp_sfa_rr).

    At every spike the spike-frequency-adaptation conductance ``g_s`` jumps by
    ``q_sfa`` and the relative-refractory conductance ``g_r`` by ``q_rr`` (nS);
    they decay with ``tau_sfa`` and ``tau_rr`` and pull v towards ``e_rev_sfa``
    and ``e_rev_rr``.
    """

    description = ("Leaky integrate-and-fire neuron with exponential post-synaptic conductances, "
                   "spike-frequency adaptation and relative refractoriness (conductance-based)")
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0,      # mV
        "cm": 1.0,            # nF
        "tau_m": 20.0,        # ms
        "tau_refrac": 0.1,    # ms
        "tau_syn_E": 5.0,     # ms
        "tau_syn_I": 5.0,     # ms
        "e_rev_E": 0.0,       # mV
        "e_rev_I": -70.0,     # mV
        "v_thresh": -50.0,    # mV
        "v_reset": -65.0,     # mV
        "i_offset": 0.0,      # nA
        "tau_sfa": 100.0,     # ms, decay time of the adaptation conductance
        "e_rev_sfa": -75.0,   # mV, reversal potential of the adaptation conductance
        "q_sfa": 15.0,        # nS, increment of the adaptation conductance at each spike
        "tau_rr": 2.0,        # ms, decay time of the relative-refractory conductance
        "e_rev_rr": -75.0,    # mV, reversal potential of the relative-refractory conductance
        "q_rr": 3000.0,       # nS, increment of the relative-refractory conductance at each spike
    }
    units = {"v": "mV", "g_r": "nS", "g_s": "nS", **_GSYN_UNITS, **_LIF_PARAMETER_UNITS, **_SYN_TAU_UNITS,
             **_REVERSAL_UNITS, "tau_sfa": "ms", "e_rev_sfa": "mV", "q_sfa": "nS",
             "tau_rr": "ms", "e_rev_rr": "mV", "q_rr": "nS"}
    constraints = {**_LIF_CONSTRAINTS, **_SYN_TAU_CONSTRAINTS, "tau_sfa": "positive", "tau_rr": "positive"}
    default_initial_values = {"v": -65.0, "g_r": 0.0, "g_s": 0.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    recordable = ("spikes", "v", "g_r", "g_s", "gsyn_exc", "gsyn_inh")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = True


class IF_facets_hardware1(CellType):
    """LIF neuron with exponential conductances and fixed threshold, as on the FACETS stage-1 hardware.

    The dynamics of IF_cond_exp with the values PyNN fixes for a software
    simulation of the chip (PyNN+NEST: iaf_cond_exp with C_m = 200 pF, t_ref = 1 ms,
    E_ex = 0 mV): cm = 0.2 nF, tau_refrac = 1 ms, e_rev_E = 0 mV, no offset current,
    and a leak given as a conductance ``g_leak`` (nS), so tau_m = cm/g_leak
    (5 ms by default).
    """

    description = ("Leaky integrate-and-fire neuron with exponentially decaying post-synaptic conductances "
                   "(FACETS hardware stage 1: cm 0.2 nF, tau_refrac 1 ms, e_rev_E 0 mV)")
    default_parameters: ClassVar[dict[str, Any]] = {
        "g_leak": 40.0,       # nS, leak conductance
        "tau_syn_E": 30.0,    # ms
        "tau_syn_I": 30.0,    # ms
        "v_reset": -80.0,     # mV
        "e_rev_I": -80.0,     # mV
        "v_rest": -65.0,      # mV
        "v_thresh": -55.0,    # mV
    }
    units = {"v": "mV", **_GSYN_UNITS, "g_leak": "nS", **_SYN_TAU_UNITS,
             "v_reset": "mV", "e_rev_I": "mV", "v_rest": "mV", "v_thresh": "mV"}
    constraints = {"g_leak": "positive", **_SYN_TAU_CONSTRAINTS}
    default_initial_values = {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = True


# -- adaptive exponential integrate-and-fire (Brette & Gerstner 2005) --------

_ADEX_DEFAULTS: dict[str, Any] = {
    "cm": 0.281,          # nF, membrane capacitance
    "tau_refrac": 0.1,    # ms, refractory period
    "v_spike": -40.0,     # mV, spike detection threshold
    "v_reset": -70.6,     # mV, reset value of v after a spike
    "v_rest": -70.6,      # mV, resting (leak reversal) potential
    "tau_m": 9.3667,      # ms, membrane time constant
    "i_offset": 0.0,      # nA, offset current
    "a": 4.0,             # nS, subthreshold adaptation conductance
    "b": 0.0805,          # nA, spike-triggered adaptation increment
    "delta_T": 2.0,       # mV, slope factor
    "tau_w": 144.0,       # ms, adaptation time constant
    "v_thresh": -50.4,    # mV, spike initiation threshold
    "e_rev_E": 0.0,       # mV, excitatory reversal potential
    "tau_syn_E": 5.0,     # ms, excitatory synaptic time constant
    "e_rev_I": -80.0,     # mV, inhibitory reversal potential
    "tau_syn_I": 5.0,     # ms, inhibitory synaptic time constant
}
_ADEX_UNITS = {
    "v": "mV", "w": "nA", **_GSYN_UNITS,
    "cm": "nF", "tau_refrac": "ms", "v_spike": "mV", "v_reset": "mV", "v_rest": "mV",
    "tau_m": "ms", "i_offset": "nA", "a": "nS", "b": "nA", "delta_T": "mV",
    "tau_w": "ms", "v_thresh": "mV", "e_rev_E": "mV", "tau_syn_E": "ms",
    "e_rev_I": "mV", "tau_syn_I": "ms",
}
_ADEX_CONSTRAINTS = {
    **_LIF_CONSTRAINTS, **_SYN_TAU_CONSTRAINTS,
    "tau_w": "positive", "delta_T": "non_negative",
}
_ADEX_INITIAL = {"v": -70.6, "w": 0.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}


class EIF_cond_exp_isfa_ista(CellType):
    """Adaptive exponential integrate-and-fire neuron with exponentially decaying conductances."""

    description = ("Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005) "
                   "with exponentially decaying post-synaptic conductances")
    default_parameters: ClassVar[dict[str, Any]] = dict(_ADEX_DEFAULTS)
    units = dict(_ADEX_UNITS)
    constraints = dict(_ADEX_CONSTRAINTS)
    default_initial_values = dict(_ADEX_INITIAL)
    recordable = ("spikes", "v", "w", "gsyn_exc", "gsyn_inh")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = True


class EIF_cond_alpha_isfa_ista(CellType):
    """Adaptive exponential integrate-and-fire neuron with alpha-function conductances."""

    description = ("Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005) "
                   "with alpha-function-shaped post-synaptic conductances")
    default_parameters: ClassVar[dict[str, Any]] = dict(_ADEX_DEFAULTS)
    units = dict(_ADEX_UNITS)
    constraints = dict(_ADEX_CONSTRAINTS)
    default_initial_values = dict(_ADEX_INITIAL)
    recordable = ("spikes", "v", "w", "gsyn_exc", "gsyn_inh")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = True


class Izhikevich(CellType):
    """Izhikevich (2003) quadratic model: dv/dt = 0.04 v² + 5 v + 140 − u + I, du/dt = a (b v − u).

    Synaptic inputs are voltage jumps (weights in mV). ``i_offset`` is in nA and
    enters the equation for v as 1000·i_offset (NEST's I_e in pA, as PyNN maps it).
    """

    description = "Izhikevich (2003) quadratic integrate-and-fire model with recovery variable u"
    default_parameters: ClassVar[dict[str, Any]] = {
        "a": 0.02,        # 1/ms, time scale of the recovery variable
        "b": 0.2,         # 1/ms, sensitivity of the recovery variable
        "c": -65.0,       # mV, reset value of v after a spike
        "d": 2.0,         # mV/ms, increment of u after a spike
        "i_offset": 0.0,  # nA, offset current
    }
    units = {"v": "mV", "u": "mV/ms", "a": "/ms", "b": "/ms", "c": "mV", "d": "mV/ms", "i_offset": "nA"}
    constraints: ClassVar[dict[str, str]] = {}
    default_initial_values = {"v": -70.0, "u": -14.0}
    recordable = ("spikes", "v", "u")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = False
    #: PyNN's flag: synaptic weights are voltage jumps in mV.
    voltage_based_synapses: ClassVar[bool] = True


class HH_cond_exp(CellType):
    """Single-compartment Hodgkin-Huxley neuron (Traub & Miles 1991) with exponential conductances."""

    description = ("Single-compartment Hodgkin-Huxley neuron (Traub & Miles 1991) "
                   "with exponentially decaying post-synaptic conductances")
    default_parameters: ClassVar[dict[str, Any]] = {
        "gbar_Na": 20.0,      # uS, maximal sodium conductance
        "gbar_K": 6.0,        # uS, maximal potassium conductance
        "g_leak": 0.01,       # uS, leak conductance
        "cm": 0.2,            # nF
        "v_offset": -63.0,    # mV, shifts the gating functions (threshold near -50 mV)
        "e_rev_Na": 50.0,     # mV
        "e_rev_K": -90.0,     # mV
        "e_rev_leak": -65.0,  # mV
        "e_rev_E": 0.0,       # mV
        "e_rev_I": -80.0,     # mV
        "tau_syn_E": 0.2,     # ms
        "tau_syn_I": 2.0,     # ms
        "i_offset": 0.0,      # nA
    }
    units = {
        "v": "mV", **_GSYN_UNITS, "h": "dimensionless", "m": "dimensionless", "n": "dimensionless",
        "gbar_Na": "uS", "gbar_K": "uS", "g_leak": "uS", "cm": "nF", "v_offset": "mV",
        "e_rev_Na": "mV", "e_rev_K": "mV", "e_rev_leak": "mV", "e_rev_E": "mV", "e_rev_I": "mV",
        "tau_syn_E": "ms", "tau_syn_I": "ms", "i_offset": "nA",
    }
    constraints = {
        "cm": "positive", **_SYN_TAU_CONSTRAINTS,
        "gbar_Na": "non_negative", "gbar_K": "non_negative", "g_leak": "non_negative",
    }
    default_initial_values = {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0, "h": 1.0, "m": 0.0, "n": 0.0}
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = True


class GIF_cond_exp(CellType):
    """Generalized integrate-and-fire neuron (Mensi et al. 2012; Pozzorini et al. 2015; NEST gif_cond_exp).

    A leaky membrane with exponential conductances, a spike-triggered current
    ``i_eta`` (sum of exponentials with time constants ``tau_eta`` and jumps
    ``a_eta``), a moving threshold ``v_t = v_t_star + Σ γ_k`` (time constants
    ``tau_gamma``, jumps ``a_gamma``) and stochastic spike emission with firing
    intensity ``lambda0·exp((v − v_t)/delta_v)``. ``tau_eta``, ``a_eta``,
    ``tau_gamma`` and ``a_gamma`` are array parameters: one sequence per cell
    (``tau_eta=(1.0, 10.0, 100.0)`` for every cell, or a list of one tuple per cell).
    """

    description = ("Generalized integrate-and-fire neuron with spike-triggered current, moving threshold "
                   "and stochastic (escape-rate) spike emission")
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0,      # mV
        "cm": 1.0,            # nF
        "tau_m": 20.0,        # ms
        "tau_refrac": 4.0,    # ms
        "tau_syn_E": 5.0,     # ms
        "tau_syn_I": 5.0,     # ms
        "e_rev_E": 0.0,       # mV
        "e_rev_I": -70.0,     # mV
        "v_reset": -65.0,     # mV
        "i_offset": 0.0,      # nA
        "delta_v": 0.5,       # mV, sharpness of the escape-rate threshold
        "v_t_star": -48.0,    # mV, baseline of the moving threshold
        "lambda0": 1.0,       # Hz, firing intensity at threshold
        "tau_eta": ArrayParameter([1.0, 10.0, 100.0]),    # ms, time constants of the spike-triggered current
        "tau_gamma": ArrayParameter([1.0, 10.0, 100.0]),  # ms, time constants of the moving threshold
        "a_eta": ArrayParameter([1.0, 1.0, 1.0]),         # nA, jumps of the spike-triggered current
        "a_gamma": ArrayParameter([1.0, 1.0, 1.0]),       # mV, jumps of the moving threshold
    }
    units = {
        "v": "mV", **_GSYN_UNITS, "i_eta": "nA", "v_t": "mV",
        **_LIF_PARAMETER_UNITS, **_SYN_TAU_UNITS, **_REVERSAL_UNITS,
        "delta_v": "mV", "v_t_star": "mV", "lambda0": "Hz",
        "tau_eta": "ms", "tau_gamma": "ms", "a_eta": "nA", "a_gamma": "mV",
    }
    del units["v_thresh"]
    constraints = {**_LIF_CONSTRAINTS, **_SYN_TAU_CONSTRAINTS, "delta_v": "positive", "lambda0": "non_negative",
                   "tau_eta": "each_positive", "tau_gamma": "each_positive"}
    sequence_parameters = ("tau_eta", "tau_gamma", "a_eta", "a_gamma")
    default_initial_values = {"v": -65.0, "v_t": -48.0, "i_eta": 0.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    recordable = ("spikes", "v", "gsyn_exc", "gsyn_inh", "i_eta", "v_t")
    receptor_types = _NEURON_RECEPTORS
    conductance_based = True


# -- spike sources -------------------------------------------------------------

class _SpikeSource(CellType):
    """Common declarations of spike sources: no membrane, no input, nothing to inject."""

    recordable = ("spikes",)
    receptor_types = ()
    injectable = False
    is_source = True


class SpikeSourcePoisson(_SpikeSource):
    """Homogeneous Poisson spike train of mean rate ``rate`` from ``start`` for ``duration``."""

    description = "Spike source emitting a homogeneous Poisson spike train"
    default_parameters: ClassVar[dict[str, Any]] = {
        "rate": 1.0,        # Hz, mean spike rate
        "start": 0.0,       # ms, start time
        "duration": 1e10,   # ms, duration of the spike train
    }
    units = {"rate": "Hz", "start": "ms", "duration": "ms"}
    constraints = {"rate": "non_negative", "duration": "non_negative"}


class SpikeSourcePoissonRefractory(_SpikeSource):
    """Poisson spike train with dead time ``tau_refrac``; the mean rate is ``rate`` (rate·tau_refrac < 1)."""

    description = "Spike source emitting a Poisson spike train with a dead time after each spike"
    default_parameters: ClassVar[dict[str, Any]] = {
        "rate": 1.0,        # Hz, mean spike rate (dead time included)
        "tau_refrac": 0.0,  # ms, minimum time between spikes
        "start": 0.0,       # ms
        "duration": 1e10,   # ms
    }
    units = {"rate": "Hz", "tau_refrac": "ms", "start": "ms", "duration": "ms"}
    constraints = {"rate": "non_negative", "tau_refrac": "non_negative", "duration": "non_negative"}


class SpikeSourceGamma(_SpikeSource):
    """Gamma-renewal spike train: inter-spike intervals ~ Gamma(shape alpha, rate beta); mean rate beta/alpha."""

    description = "Spike source emitting a gamma renewal spike train (mean inter-spike interval alpha/beta)"
    default_parameters: ClassVar[dict[str, Any]] = {
        "alpha": 2.0,       # dimensionless, shape (order) of the gamma distribution
        "beta": 1.0,        # Hz, rate parameter of the gamma distribution
        "start": 0.0,       # ms
        "duration": 1e10,   # ms
    }
    units = {"alpha": "dimensionless", "beta": "Hz", "start": "ms", "duration": "ms"}
    constraints = {"alpha": "positive", "beta": "non_negative", "duration": "non_negative"}


class SpikeSourceInhGamma(_SpikeSource):
    """Inhomogeneous gamma process (Muller et al. 2007): piecewise-constant gamma parameters per time bin.

    From ``tbins[k]`` (ms) to ``tbins[k+1]`` (the last bin: to the end) the
    hazard of the next spike is that of a gamma distribution of shape ``a[k]``
    (dimensionless) and scale ``b[k]`` (seconds), evaluated at the time since
    the cell's last spike (or since ``start``): with constant parameters the
    train is a gamma renewal process of rate 1/(a·b) Hz and ISI CV 1/√a. No
    spikes before ``tbins[0]``, nor outside [start, start + duration).
    ``a``, ``b`` and ``tbins`` are sequences of equal length (one per cell, or
    one for every cell); ``tbins`` increasing.
    """

    description = "Spike source emitting an inhomogeneous gamma process (gamma parameters per time bin)"
    default_parameters: ClassVar[dict[str, Any]] = {
        "a": Sequence([1.0]),      # dimensionless, gamma shape per time bin
        "b": Sequence([1.0]),      # s, gamma scale per time bin
        "tbins": Sequence([0.0]),  # ms, start time of each bin
        "start": 0.0,              # ms
        "duration": 1e10,          # ms
    }
    units = {"a": "dimensionless", "b": "s", "tbins": "ms", "start": "ms", "duration": "ms"}
    constraints = {"a": "each_positive", "b": "each_positive", "tbins": "increasing",
                   "duration": "non_negative"}
    sequence_parameters = ("a", "b", "tbins")


class SpikeSourceArray(_SpikeSource):
    """Spikes at the times (ms) given, per cell, by the sequence parameter ``spike_times``."""

    description = "Spike source emitting spikes at given times"
    default_parameters: ClassVar[dict[str, Any]] = {
        "spike_times": Sequence([]),  # ms, the spike times of each cell
    }
    units = {"spike_times": "ms"}
    constraints = {"spike_times": ("each_non_negative", "increasing")}   # (a spike before t = 0 never happens)
    sequence_parameters = ("spike_times",)
