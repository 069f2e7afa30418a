"""Numpy kernels of NonSpikingNeuron and of PointNeuron (a body with named receptor kinetics).

Same interface as ``neurons.py``: ``kernel.step(state, spike_input, i_ext)``
advances every cell by one step in place and returns the cells that spiked.
``spike_input`` has one row per receptor type, in ``celltype.receptor_types``
order. Two additions:

* ``PointNeuronKernel.for_celltype(celltype, params, dt)`` builds the kernel
  from the cell type's receptor declarations (the engine calls it when a kernel
  class has it);
* ``coupling_conductance``: before each step the engine may set it to the
  summed conductance (µS, one value per cell) of the continuous couplings
  (graded, electrical, per-synapse conductance) whose current it passes in
  ``i_ext``. These kernels then integrate that conductance exactly over the
  step (exponential Euler: the current is linear in v with slope −G), which
  keeps strong couplings stable. It is cleared after each step.

Membrane scheme (both kernels): with I(v) the total current at the start-of-step
v and G the total conductance (leak, receptors frozen at their exact mean over
the step, couplings, and for NMDA receptors the conductance of their linearised
blocked current, below),

    v(t + h) = v + (h/cm)·I(v)·φ(−h·G/cm),   φ(x) = (e^x − 1)/x,

exact when the conductances are constant over the step and no NMDA receptor
has Mg, second order otherwise; a steady state (I(v) = 0) is exact for any dt
whatever G, so that of a NonSpikingNeuron is, with NMDA too. With the step
means the membrane's decay over a step, e^{−∫G/cm}, is exact for any receptor
time course (the first Magnus term), as in the IF_cond_* kernels of
``neurons.py``; the mean of a receptor whose state is (g, y) is a·g + b·y with
a and b computed once (``_step_mean_factors``), the cost of the mid-step value
it replaces. Against scipy's solution (rtol 1e-12) for three inputs onto a
passive LIF body at dt = 0.1 ms the error in v went from 6.2e-2 to 1.4e-3 mV
(exponential, τ = 0.2 ms), 5.6e-2 to 3.9e-4 mV (alpha, τ = 0.3 ms) and 9.2e-2
to 3.6e-4 mV (beta, rise/decay 0.1/0.5 ms) when the receptors were frozen at
their mid-step values instead; slow receptors (τ ≥ 5 ms) stay below 1e-4 mV for
a few mV of depolarisation.

NMDA: the current I = g·B(v)·(E − v) (g the step mean) is linearised about the
start-of-step v: its conductance −dI/dv = g·B − S enters G (an exponential
Rosenbrock–Euler step), S = g·B′(v)·(E − v) = I·α·(1 − B), B′ = α·B·(1 − B)
being the exact derivative of ``mg_block`` (where mg_block clips its exponent
at 700 the true derivative is 0; this one is α·B·(1 − B) with B < 1e-304·β/mg
there). Below E, S > 0 (α > 0: the block opens as v rises), and below about −27
mV (mg = 1 mM) S exceeds g·B: the NMDA current's negative-resistance region,
where its conductance g·B − S goes down to −0.23·g (at −47 mV), so G may be
small or negative; φ is finite there (φ(0) = 1, x > 0 fine). S, summed over the
cell's NMDA receptors, enters as S/√(1 + (h·S/cm)²), which differs from S by a
relative (h·S/cm)²/2 (the scheme stays second order) and is always below cm/h,
so that h·G/cm > −1 (G without S is at least the leak): φ's argument stays
below 1. When h·S/cm ≫ 1 — the current's slope would change v more than e-fold
per step, which no step of this size resolves — the step tends to the one with
the block frozen at the start-of-step v, which ends between v and the
equilibrium of the frozen conductances; this step moves v by at most 1.3× the
distance to that equilibrium (with absurd inputs, weights up to 1e12 µS, v
overshot it by at most 83 mV from 300 mV away; with S unlimited it overflowed).
With mg = 0, S = 0 and the step is the linear one, bit for bit as before. The
block frozen at the start-of-step v (before) made NMDA first order: for three
inputs onto a passive LIF body at rest −50 mV (mg = 1 mM), the error at dt =
0.1 / 0.01 ms went from 3.5e-2 / 3.5e-3 to 3.8e-5 / 3.8e-7 mV (rise/decay 2/100
ms, 14 mV response) and from 3.7e-2 / 3.8e-3 to 1.5e-4 / 1.5e-6 mV (0.3/0.5 ms,
6 mV), for about 6 µs more per step (1000 LIF cells with AMPA, NMDA and two
more receptors: 59 → 66 µs; 1 cell: 42 → 48 µs).
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from pynnlite.backends.numpy.neurons import (_MAX_EXP_ARG, NeuronKernel, _exp_convolution, _phi,
                                             _refractory_steps, _rk4_substeps, adex_membrane, adex_spike_and_reset,
                                             integrate_substeps)
from pynnlite.models.receptors import beta_peak_shape, mg_block

__all__ = ["NonSpikingKernel", "PointNeuronKernel", "AdExpPointNeuronKernel", "RECEPTOR_NEURON_KERNELS"]


def _conductance_input(kernel: Any) -> np.ndarray | float:
    g = kernel.coupling_conductance
    kernel.coupling_conductance = None
    return 0.0 if g is None else g


class NonSpikingKernel(NeuronKernel):
    """NonSpikingNeuron: cm dv/dt = g_m(v_rest − v) + i_offset + i_ext; never spikes.

    Exact for constant inputs (exponential Euler); see the module documentation.
    """

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(params, dt)
        p = self.params
        self.cm, self.g_m, self.v_rest = p["cm"], p["g_m"], p["v_rest"]
        self.coupling_conductance: np.ndarray | None = None
        self._no_spikes = np.zeros(self.n, dtype=bool)

    def step(self, state, spike_input, i_ext):
        v = state["v"]
        h = self.dt
        current = self.g_m * (self.v_rest - v) + self._dc(i_ext)
        total = self.g_m + _conductance_input(self)
        v += (h / self.cm) * current * _phi(-h * total / self.cm)
        return self._no_spikes.copy()


def _step_mean_factors(h: float, tau_decay: np.ndarray, tau_rise: np.ndarray, rise: np.ndarray,
                       conv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) with a·g + b·y the exact mean over [0, h] of the conductance whose state is (g, y).

    g(s) = g e^{−s/τd} + y G(s), G(s) = ∫₀ˢ e^{−(s−u)/τd} e^{−u/τr} du (``conv`` = G(h));
    a = φ(−h/τd). G is symmetric in τd and τr and solves G′ = −G/τ₁ + e^{−s/τ₂} for either
    order, so ∫₀ʰ G = τ₁(h φ(−h/τ₂) − G(h)); with τ₁ the shorter time constant the difference
    loses at most about τ₁·ε of b (b ≈ h/2 for h ≪ τ), i.e. rounding of the weight in a·g + b·y.
    Cells without a rise (``rise`` False) get b = 0 (their y stays 0).
    """
    short, long_ = np.minimum(tau_decay, tau_rise), np.maximum(tau_decay, tau_rise)
    of_y = np.where(rise, short * (_phi(-h / long_) - conv / h), 0.0)
    return _phi(-h / tau_decay), of_y


class _Receptor:
    """Exact propagation of one receptor's state for steps h and h/2, and its mean over a step."""

    def __init__(self, name: str, kind: str, is_alpha: bool, params: dict[str, np.ndarray], h: float, n: int):
        self.name = name
        self.kind = kind
        p = {key.split(".", 1)[1]: value for key, value in params.items() if key.startswith(name + ".")}
        if kind == "curr_exp":
            tau = p["tau_syn"]
            self.decay = np.exp(-h / tau)
            self.mean = tau / h * -np.expm1(-h / tau)    # mean of e^(−s/τ) over the step
            return
        self.e_syn = p["e_syn"]
        if is_alpha:
            tau_rise = tau_decay = p["tau_syn"]
            normalize = np.ones(n, dtype=bool)
        elif "tau_rise" in p:
            tau_rise, tau_decay = p["tau_rise"], p["tau_decay"]
            normalize = p["normalize_peak"] != 0.0
        else:  # CondExp: instantaneous rise
            tau_decay = p["tau_syn"]
            tau_rise = np.zeros(n)
            normalize = np.ones(n, dtype=bool)
        rise = tau_rise > 0.0
        self.has_rise = bool(rise.any())
        safe_rise = np.where(rise, tau_rise, 1.0)
        self.kick_g = np.where(rise, 0.0, 1.0)
        peak = np.where(rise, beta_peak_shape(safe_rise, tau_decay), 1.0)
        self.kick_y = np.where(rise, np.where(normalize, 1.0 / peak, 1.0), 0.0)   # 1/ms when not normalised
        self.propagators = {}
        for label, step in (("full", h), ("half", 0.5 * h)):
            decay_g = np.exp(-step / tau_decay)
            decay_y = np.where(rise, np.exp(-step / safe_rise), 0.0)
            conv = np.where(rise, _exp_convolution(step, tau_decay, safe_rise)[0], 0.0)
            self.propagators[label] = (decay_g, decay_y, conv)
        self.step_mean = _step_mean_factors(h, tau_decay, safe_rise, rise, self.propagators["full"][2])
        if kind == "nmda":
            self.block = (p["mg"], p["alpha"], p["beta"], p["gamma"])

    def receive(self, state: dict[str, np.ndarray], w: np.ndarray) -> None:
        if self.kind == "curr_exp":
            state[self.name + ".isyn"] += w
            return
        state[self.name + ".gsyn"] += w * self.kick_g
        if self.has_rise:
            state[self.name + ".drive"] += w * self.kick_y

    def conductance_at(self, state: dict[str, np.ndarray], label: str) -> np.ndarray:
        g = state[self.name + ".gsyn"]
        decay_g, _, conv = self.propagators[label]
        if self.has_rise:
            return g * decay_g + state[self.name + ".drive"] * conv
        return g * decay_g

    def mean_conductance(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """The conductance's exact mean over the next step (µS), a new array."""
        of_g, of_y = self.step_mean
        out = state[self.name + ".gsyn"] * of_g
        if self.has_rise:
            out += state[self.name + ".drive"] * of_y
        return out

    def advance(self, state: dict[str, np.ndarray]) -> None:
        if self.kind == "curr_exp":
            state[self.name + ".isyn"] *= self.decay
            return
        decay_g, decay_y, conv = self.propagators["full"]
        g = state[self.name + ".gsyn"]
        if self.has_rise:
            y = state[self.name + ".drive"]
            g[...] = g * decay_g + y * conv
            y *= decay_y
        else:
            g *= decay_g


class PointNeuronKernel(NeuronKernel):
    """PointNeuron: LIF or non-spiking body plus receptors (exp/alpha/beta conductances, NMDA with
    Mg block, exponential currents). Receptor kinetics exact; membrane by exponential Euler with
    the conductances and currents of the receptors at their exact means over the step and the NMDA
    current linearised about the start-of-step v (see the module documentation). LIF bodies: threshold at the end of the
    step, reset, refractoriness of ceil(tau_refrac/dt) steps (v clamped at v_reset, receptors keep
    evolving), as the IF_cond_* kernels.
    """

    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0}

    @classmethod
    def for_celltype(cls, celltype: Any, params: dict[str, np.ndarray], dt: float) -> NeuronKernel:
        if celltype.body_kind == "adexp":
            return AdExpPointNeuronKernel(params, dt, celltype.receptor_kinetics)
        return cls(params, dt, celltype.body_kind, celltype.receptor_kinetics)

    def __init__(self, params: dict[str, np.ndarray], dt: float, body: str = "lif",
                 receptors: dict[str, tuple[str, bool]] | None = None):
        super().__init__(params, dt)
        p = self.params
        h = self.dt
        self.body = body
        self.cm, self.v_rest = p["cm"], p["v_rest"]
        if body == "lif":
            self.g_leak = self.cm / p["tau_m"]
            self.v_reset, self.v_thresh = p["v_reset"], p["v_thresh"]
            self.n_refrac = _refractory_steps(p["tau_refrac"], h)
        else:
            self.g_leak = p["g_m"]
        self.receptors = [_Receptor(name, kind, alpha, p, h, self.n)
                          for name, (kind, alpha) in (receptors or {}).items()]
        self.h_over_cm = h / self.cm
        self.coupling_conductance: np.ndarray | None = None

    def step(self, state, spike_input, i_ext):
        h = self.dt
        v = state["v"]
        spike_input = np.asarray(spike_input, dtype=float)
        for row, receptor in enumerate(self.receptors):
            receptor.receive(state, spike_input[row])
        total_g = self.g_leak + _conductance_input(self)
        current = self.g_leak * (self.v_rest - v) + self._dc(i_ext)
        slope = None    # S: the NMDA currents' slope in v beyond their conductance g·B
        for receptor in self.receptors:
            if receptor.kind == "curr_exp":
                current = current + state[receptor.name + ".isyn"] * receptor.mean
                continue
            g = receptor.mean_conductance(state)
            if receptor.kind == "nmda":
                # I = g·B(v)·(E − v) linearised about the start-of-step v: −dI/dv = g·B − S,
                # S = I·α·(1 − B) as B′ = α·B·(1 − B) (see the module documentation)
                block = mg_block(v, *receptor.block)
                g *= block
                nmda = g * (receptor.e_syn - v)
                current = current + nmda
                s = 1.0 - block
                s *= receptor.block[1]
                s *= nmda
                slope = s if slope is None else slope + s
            else:
                current = current + g * (receptor.e_syn - v)
            total_g = total_g + g
        if slope is not None:
            # S/√(1 + (h·S/cm)²): S to second order in h, and below cm/h
            limit = slope * self.h_over_cm
            limit *= limit
            limit += 1.0
            slope /= np.sqrt(limit, out=limit)
            total_g = total_g - slope
        v_new = v + (h / self.cm) * current * _phi(-h * total_g / self.cm)
        for receptor in self.receptors:
            receptor.advance(state)
        if self.body != "lif":
            v[...] = v_new
            return np.zeros(self.n, dtype=bool)
        count = state["refrac_count"]
        free = count <= 0.0
        count[...] = np.where(free, 0.0, count - 1.0)
        v[...] = np.where(free, v_new, self.v_reset)
        spiked = free & (v >= self.v_thresh)
        v[...] = np.where(spiked, self.v_reset, v)
        count[...] = np.where(spiked, self.n_refrac, count)
        return spiked


class AdExpPointNeuronKernel(NeuronKernel):
    """PointNeuron with an AdExp body (NEST aeif_cond_alpha/beta_multisynapse): the membrane and
    adaptation of EIF_cond_exp_isfa_ista driven by any number of receptors,

    cm dv/dt = −g_L (V − v_rest) + g_L ΔT exp((V − v_thresh)/ΔT) − Σ_r g_r(t)·[B(V)]·(V − e_syn_r)
               + Σ_r I_r(t) − w + i_offset + i_ext,   τw dw/dt = a (V − v_rest) − w,

    V = min(v, v_spike) (v_reset while refractory), B the Mg block of NMDA receptors,
    I_r the current-based receptors. Scheme, spike detection, reset and refractoriness
    exactly as the EIF_cond_*_isfa_ista kernels (``neurons._AdExKernel``): classical RK4
    on (v, w) in substeps h = dt/n ≤ 0.01 ms with h·(g_L + Σ bound of g_r)/cm ≤ 2.5, the
    receptor conductances and currents propagated exactly and taken at the exact stage
    times (the Mg block at the stage's V). With receptors ``excitatory``/``inhibitory``
    of CondExpPostSynapticResponse it computes what EIF_cond_exp_isfa_ista computes.
    """

    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0}

    def __init__(self, params: dict[str, np.ndarray], dt: float,
                 receptors: dict[str, tuple[str, bool]] | None = None):
        super().__init__(params, dt)
        adex_membrane(self, self.params)
        self.receptor_kinetics = dict(receptors or {})
        self._by_substeps: dict[int, list[_Receptor]] = {}
        self.receive_set = self._receptors(1)

    def _receptors(self, n_sub: int) -> list[_Receptor]:
        """The receptors with propagators for substeps of dt/n_sub (built once per n_sub)."""
        found = self._by_substeps.get(n_sub)
        if found is None:
            h = self.dt / n_sub
            found = [_Receptor(name, kind, alpha, self.params, h, self.n)
                     for name, (kind, alpha) in self.receptor_kinetics.items()]
            for receptor in found:
                if receptor.kind == "curr_exp":
                    receptor.half_decay = np.exp(-0.5 * h / self.params[receptor.name + ".tau_syn"])
            self._by_substeps[n_sub] = found
        return found

    def _stiffness(self, state) -> np.ndarray:
        total = np.full(self.n, self.g_leak)   # per cell, also when g_leak is one shared value
        for receptor in self.receive_set:
            if receptor.kind == "curr_exp":
                continue
            bound = state[receptor.name + ".gsyn"]
            if receptor.has_rise:
                bound = bound + np.abs(state[receptor.name + ".drive"]) * self.dt
            total = total + bound
        return np.maximum(total / self.cm, self.w_rate)   # w's own decay, for a tiny tau_w

    def _stage_inputs(self, state, receptors: list[_Receptor]) -> list[list[tuple]]:
        """Per stage time (0, h/2, h): (receptor, conductance or current) of every receptor."""
        stages: list[list[tuple]] = [[], [], []]
        for receptor in receptors:
            if receptor.kind == "curr_exp":
                i = state[receptor.name + ".isyn"]
                values = (i, i * receptor.half_decay, i * receptor.decay)
            else:
                values = (state[receptor.name + ".gsyn"], receptor.conductance_at(state, "half"),
                          receptor.conductance_at(state, "full"))
            for stage, value in zip(stages, values):
                stage.append((receptor, value))
        return stages

    def _derivatives(self, v, w, inputs, clamped, i_dc):
        V = np.where(clamped, self.v_reset, np.minimum(v, self.v_spike))
        exp_arg = np.minimum((V - self.v_thresh) / self.safe_delta_T, _MAX_EXP_ARG)
        spike_current = self.g_leak * self.delta_T * np.exp(exp_arg)   # 0 when ΔT = 0
        total = -self.g_leak * (V - self.v_rest) + spike_current
        for receptor, value in inputs:
            if receptor.kind == "curr_exp":
                total = total + value
            elif receptor.kind == "nmda":
                total = total - value * mg_block(V, *receptor.block) * (V - receptor.e_syn)
            else:
                total = total - value * (V - receptor.e_syn)
        dv = (total - w + i_dc) / self.cm
        dw = (self.a * (V - self.v_rest) - w) / self.tau_w
        return np.where(clamped, 0.0, dv), dw

    def for_cells(self, cells: np.ndarray) -> "AdExpPointNeuronKernel":
        """The same kernel for a subset of its cells (neurons.integrate_substeps)."""
        return type(self)({name: values[cells] for name, values in self.params.items()}, self.dt,
                          self.receptor_kinetics)

    def step(self, state, spike_input, i_ext):
        spike_input = np.asarray(spike_input, dtype=float)
        for row, receptor in enumerate(self.receive_set):
            receptor.receive(state, spike_input[row])
        counts = _rk4_substeps(self.dt, self._stiffness(state))
        spiked = integrate_substeps(self, state, self._dc(i_ext), counts)
        count = state["refrac_count"]
        count[...] = np.maximum(count - 1.0, 0.0)
        return spiked

    def _integrate(self, state, i_dc, n_sub: int) -> np.ndarray:
        """n_sub RK4 substeps of every cell; the cells that spiked."""
        v, w, count = state["v"], state["w"], state["refrac_count"]
        clamped = count > 0.0
        receptors = self._receptors(n_sub)
        h = self.dt / n_sub
        spiked = np.zeros(self.n, dtype=bool)
        for _ in range(n_sub):
            at_start, at_half, at_end = self._stage_inputs(state, receptors)
            k1v, k1w = self._derivatives(v, w, at_start, clamped, i_dc)
            k2v, k2w = self._derivatives(v + 0.5 * h * k1v, w + 0.5 * h * k1w, at_half, clamped, i_dc)
            k3v, k3w = self._derivatives(v + 0.5 * h * k2v, w + 0.5 * h * k2w, at_half, clamped, i_dc)
            k4v, k4w = self._derivatives(v + h * k3v, w + h * k3w, at_end, clamped, i_dc)
            v += h / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
            w += h / 6.0 * (k1w + 2.0 * k2w + 2.0 * k3w + k4w)
            for receptor in receptors:
                receptor.advance(state)
            clamped = adex_spike_and_reset(self, v, w, count, clamped, spiked)
        return spiked


#: Cell-type class name -> kernel class (merged into NEURON_KERNELS).
RECEPTOR_NEURON_KERNELS = {
    "NonSpikingNeuron": NonSpikingKernel,
    "PointNeuron": PointNeuronKernel,
}
