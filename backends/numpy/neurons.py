"""Time-step kernels of the standard neuron models for the numpy backend.

One kernel class per PyNN standard cell type, and ``NEURON_KERNELS`` mapping
the cell-type class name to its kernel. The engine calls exactly::

    kernel = Kernel(params, dt)          # params: name -> float64 array (n,), standard units; dt in ms
    spiked = kernel.step(state, spike_input, i_ext)

``step`` advances every cell from t to t + dt in place. ``spike_input`` has
one row per receptor type (excitatory, inhibitory) holding the summed weights
of the spikes arriving at time t; they act at the start of the step.
``i_ext`` (nA, or None) is the injected current, constant over the step.
``step`` returns a bool array of the cells that spiked at t + dt; those cells
have been reset. Kernels whose inputs are jumps of v (``inputs_at_step_end``)
are given the inputs arriving at t + dt instead, and add them at the end of the
step, before its threshold test, as NEST's iaf_psc_delta and izhikevich do.

Units: v in mV, currents in nA, conductances in µS, capacitances in nF, times
in ms, so that µS·mV = nA and nA/nF = mV/ms.

Timing matches NEST's: an input arriving at time T is added to the synaptic
state at T and acts on the membrane from T on; refractoriness lasts
ceil(tau_refrac/dt) whole steps after the step in which the spike occurred.

Every step is whole-array numpy arithmetic; the only Python loops are over
the Runge-Kutta substeps of the non-linear models (and over the few distinct
substep counts, when some cells need more: ``integrate_substeps``), never over
cells. A cell's result never depends on the other cells its kernel steps, so
that populations cut across MPI processes give one process's results.
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from pynnlite.errors import InvalidParameterValueError
from pynnlite.random import keyed_uniform

__all__ = [
    "NeuronKernel", "NEURON_KERNELS",
    "IFCurrExpKernel", "IFCurrAlphaKernel", "IFCurrDeltaKernel",
    "IFCondExpKernel", "IFCondAlphaKernel", "IFFacetsHardware1Kernel",
    "EIFCondExpKernel", "EIFCondAlphaKernel",
    "IzhikevichKernel", "HHCondExpKernel", "IFCondExpGsfaGrrKernel", "GIFCondExpKernel",
]

#: Largest argument passed to exp() in the non-linear models: keeps every value finite.
_MAX_EXP_ARG = 500.0
#: Largest Runge-Kutta substep (ms) of the AdEx and Hodgkin-Huxley kernels (NEST starts at 0.01 ms).
_MAX_SUBSTEP = 0.01
#: h·λ kept below this for the fastest decaying mode (RK4 is stable up to about 2.78).
_RK4_STABLE_HLAMBDA = 2.5
#: Most RK4 substeps a cell may need in one time step (h ≥ dt/1,000); more means conductances
#: or rates far outside any neuron's (e.g. nS given where µS is expected) and a run that would
#: take hours, so it is an error.
MAX_RK4_SUBSTEPS = 1_000


# -- exact integrals of exponentials, safe for equal time constants -------------

def _phi(x: np.ndarray) -> np.ndarray:
    """φ(x) = ∫₀¹ e^{xu} du = (e^x − 1)/x, φ(0) = 1; finite for every x ≤ 700."""
    x = np.asarray(x, dtype=float)
    if x.size and x.max() < 0.0:   # the usual case (positive total conductance): no special value
        out = np.expm1(x)
        out /= x
        return out
    zero = x == 0.0
    # no np.errstate (costly per step): 0 is divided by 1 instead and min(x, 700) cannot overflow
    out = np.expm1(np.minimum(x, 700.0)) / np.where(zero, 1.0, x)
    return np.where(zero, 1.0, out)


def _series(x: np.ndarray, coefficients: list[float]) -> np.ndarray:
    out = np.zeros_like(x)
    for c in reversed(coefficients):
        out = out * x + c
    return out


def _factorial(k: int) -> float:
    out = 1.0
    for i in range(2, k + 1):
        out *= i
    return out


#: ψ(x) = Σ x^k / (k! (k+2)),  χ(x) = Σ x^k / (k+2)!  (Taylor series near 0).
_PSI_SERIES = [1.0 / (_factorial(k) * (k + 2)) for k in range(12)]
_CHI_SERIES = [1.0 / _factorial(k + 2) for k in range(12)]


def _psi(x: np.ndarray) -> np.ndarray:
    """ψ(x) = ∫₀¹ u e^{xu} du = (e^x (x − 1) + 1)/x², ψ(0) = 1/2; for x ≤ 0."""
    x = np.maximum(np.asarray(x, dtype=float), -1e300)
    small = np.abs(x) < 0.2
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        closed = (np.exp(x) * (x - 1.0) + 1.0) / (x * x)
    return np.where(small, _series(np.where(small, x, 0.0), _PSI_SERIES), closed)


def _chi(x: np.ndarray) -> np.ndarray:
    """χ(x) = ∫₀¹ (1 − u) e^{xu} du = (e^x − 1 − x)/x², χ(0) = 1/2; for x ≤ 0."""
    x = np.maximum(np.asarray(x, dtype=float), -1e300)
    small = np.abs(x) < 0.2
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        closed = (np.expm1(x) - x) / (x * x)
    return np.where(small, _series(np.where(small, x, 0.0), _CHI_SERIES), closed)


def _exp_convolution(h: float, tau_m: np.ndarray, tau_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E = ∫₀ʰ e^{−(h−s)/τm} e^{−s/τs} ds and F = ∫₀ʰ e^{−(h−s)/τm} s e^{−s/τs} ds (ms, ms²).

    Written with the slower of the two decays factored out, so every
    exponential argument is ≤ 0: exact to rounding for any τm, τs > 0,
    including τm == τs.
    """
    p, q = 1.0 / tau_m, 1.0 / tau_s
    a = p - q
    membrane_slower = a <= 0.0                      # τm ≥ τs: factor out e^{-h/τm}
    x = np.where(membrane_slower, a * h, -a * h)    # ≤ 0 in both branches
    slow_decay = np.exp(-np.where(membrane_slower, p, q) * h)
    E = slow_decay * h * _phi(x)
    F = slow_decay * h * h * np.where(membrane_slower, _psi(x), _chi(x))
    return E, F


def _refractory_steps(tau_refrac: np.ndarray, dt: float) -> np.ndarray:
    """Whole steps of refractoriness, rounded as NEST does: tau_refrac to the nearest µs
    (NEST's tic), then up to a whole number of steps (e.g. 2.05 ms at dt = 0.1 ms -> 21 steps)."""
    tics = np.floor(np.asarray(tau_refrac, dtype=float) * 1000.0 + 0.5)
    return np.ceil(tics / (dt * 1000.0) - 1e-9)


def _shared(values: Any) -> Any:
    """``values`` as one float when every cell has the same value, else unchanged.

    For the constants a kernel uses every step, once they are computed from the
    full arrays: a step then streams fewer arrays through memory (the usual
    network has one value per population), and since element-wise arithmetic
    with a float gives the same bits as with an array of it, results do not change.
    Never fed back into exp() and the like, whose scalar and array paths may
    round differently."""
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.size > 1 \
            and values.dtype == np.float64 and (values == values[0]).all():
        return values[0]
    return values


def _share(kernel: Any, *names: str) -> None:
    """Make each named per-step constant of ``kernel`` ``_shared``."""
    for name in names:
        setattr(kernel, name, _shared(getattr(kernel, name)))


def _input_rows(spike_input: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    spike_input = np.asarray(spike_input, dtype=float)
    if spike_input.ndim != 2 or spike_input.shape[0] < 2 or spike_input.shape[1] != n:
        raise ValueError(f"spike_input must have shape (2, {n}), got {spike_input.shape}")
    return spike_input[0], spike_input[1]


class NeuronKernel:
    """Base of the neuron kernels: holds dt, the cell count and the parameters."""

    #: Per-cell state needed beyond the cell type's default_initial_values, name -> initial value.
    internal_state: ClassVar[dict[str, float]] = {}
    #: True when a step is the same per-cell arithmetic for any set of cells, so that the engine
    #: may step several populations with one kernel on concatenated arrays (batches.py). Not
    #: (yet) for the Runge-Kutta kernels, nor for kernels that keep per-cell data outside the
    #: parameter and state arrays.
    batchable: ClassVar[bool] = False
    #: True when the inputs are jumps of v added at the end of the step, before its threshold
    #: test (NEST's iaf_psc_delta, izhikevich): ``step`` is then given the inputs arriving at
    #: t + dt, so that a jump that reaches the threshold fires at its arrival and a negative
    #: jump arriving with a crossing cancels it, as in NEST.
    inputs_at_step_end: ClassVar[bool] = False
    #: True when a spike resets v (a jump of v): the gap junctions' extrapolation of v over a
    #: step (couplings.py) is not used across it. Hodgkin-Huxley cells spike without a reset.
    spike_resets_v: ClassVar[bool] = True

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        if not dt > 0:
            raise ValueError(f"dt must be > 0 ms, got {dt}")
        self.dt = float(dt)
        self.params = {name: np.asarray(value, dtype=float) for name, value in params.items()}
        sizes = {value.shape for value in self.params.values()}
        self.n = int(next(iter(self.params.values())).size) if self.params else 0
        if len(sizes) > 1:
            raise ValueError(f"all parameter arrays must have the same shape, got {sorted(sizes)}")

    def step(self, state: dict[str, np.ndarray], spike_input: np.ndarray,
             i_ext: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def for_cells(self, cells: np.ndarray) -> "NeuronKernel":
        """The same kernel for a subset of its cells (``integrate_substeps``); kernels built
        from more than (params, dt) override it."""
        return type(self)({name: values[cells] for name, values in self.params.items()}, self.dt)

    def _dc(self, i_ext: np.ndarray | None) -> np.ndarray:
        """i_offset + i_ext (nA), constant over the step."""
        i_offset = self.params["i_offset"]
        return i_offset if i_ext is None else i_offset + np.asarray(i_ext, dtype=float)


# -- current-based integrate-and-fire: exact integration -------------------------

class _LIFBase(NeuronKernel):
    """Leak, threshold, reset and NEST-style refractoriness shared by the LIF kernels."""

    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0}
    batchable: ClassVar[bool] = True

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(params, dt)
        p = self.params
        h = self.dt
        self.v_rest, self.v_reset, self.v_thresh = p["v_rest"], p["v_reset"], p["v_thresh"]
        self.cm, self.tau_m = p["cm"], p["tau_m"]
        self.P22 = np.exp(-h / self.tau_m)                 # membrane decay over one step
        self.P20 = -self.tau_m / self.cm * np.expm1(-h / self.tau_m)   # mV per nA of constant current
        self.n_refrac = _refractory_steps(p["tau_refrac"], h)
        _share(self, "v_rest", "v_reset", "v_thresh", "P22", "P20", "n_refrac")

    def _free_cells(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """Cells integrating this step; the others are refractory (clamped, countdown decremented)."""
        count = state["refrac_count"]
        free = count <= 0.0
        count -= 1.0                       # whole steps left, never below 0
        np.maximum(count, 0.0, out=count)
        return free

    def _threshold(self, state: dict[str, np.ndarray], free: np.ndarray) -> np.ndarray:
        v = state["v"]
        spiked = v >= self.v_thresh
        spiked &= free
        np.copyto(v, self.v_reset, where=spiked)
        np.copyto(state["refrac_count"], self.n_refrac, where=spiked)
        return spiked


class IFCurrExpKernel(_LIFBase):
    """IF_curr_exp — exact integration as NEST iaf_psc_exp.

    dv/dt = (v_rest − v)/τm + (I_exc + I_inh + i_offset + i_ext)/cm,  dI/dt = −I/τsyn.

    Scheme: the linear system is propagated exactly over each step with
    precomputed propagators: e^{−h/τm}, the constant-current term
    (τm/cm)(1 − e^{−h/τm}) and the synaptic term E/cm, E = ∫₀ʰ e^{−(h−s)/τm} e^{−s/τs} ds,
    written in a form that stays exact when τm == τs. The only error is
    floating-point rounding (≈1e-15 relative per step) plus the assumption that
    i_ext is constant over the step. A weight w (nA) arriving at t jumps I by w
    at t. Threshold checked at the end of each step (v ≥ v_thresh); then
    v = v_reset and v stays clamped for ceil(tau_refrac/dt) steps while the
    synaptic currents keep evolving.
    """

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(params, dt)
        h = self.dt
        p = self.params
        self.P11_exc = np.exp(-h / p["tau_syn_E"])
        self.P11_inh = np.exp(-h / p["tau_syn_I"])
        self.P21_exc = _exp_convolution(h, self.tau_m, p["tau_syn_E"])[0] / self.cm
        self.P21_inh = _exp_convolution(h, self.tau_m, p["tau_syn_I"])[0] / self.cm
        _share(self, "P11_exc", "P11_inh", "P21_exc", "P21_inh")

    def step(self, state, spike_input, i_ext):
        w_exc, w_inh = _input_rows(spike_input, self.n)
        i_exc, i_inh, v = state["isyn_exc"], state["isyn_inh"], state["v"]
        i_exc += w_exc
        i_inh += w_inh
        free = self._free_cells(state)
        v_new = (self.v_rest + (v - self.v_rest) * self.P22 + self._dc(i_ext) * self.P20
                 + self.P21_exc * i_exc + self.P21_inh * i_inh)
        v[...] = np.where(free, v_new, self.v_reset)
        i_exc *= self.P11_exc
        i_inh *= self.P11_inh
        return self._threshold(state, free)


class IFCurrAlphaKernel(_LIFBase):
    """IF_curr_alpha — exact integration as NEST iaf_psc_alpha.

    Each synaptic current is I(t) = w (t/τs) e^{1 − t/τs} after a spike of weight
    w (nA): it peaks at w at t = τs. State per receptor: I (``isyn_*``) and its
    driving term y (``disyn_*``, nA/ms) with dI/dt = −I/τs + y, dy/dt = −y/τs;
    a weight w arriving at t adds w·e/τs to y.

    Scheme: exact propagation of the linear system (v, I, y) over each step:
    I and y by their closed form, v with the exact integrals
    E = ∫₀ʰ e^{−(h−s)/τm} e^{−s/τs} ds and F = ∫₀ʰ e^{−(h−s)/τm} s e^{−s/τs} ds,
    evaluated with series near τm == τs so there is no cancellation or division
    by zero. Error: rounding only (i_ext constant over the step). Threshold,
    reset and refractoriness as IF_curr_exp.
    """

    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0, "disyn_exc": 0.0, "disyn_inh": 0.0}

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(params, dt)
        h = self.dt
        p = self.params
        self.syn = {}
        for receptor, tau in (("exc", p["tau_syn_E"]), ("inh", p["tau_syn_I"])):
            E, F = _exp_convolution(h, self.tau_m, tau)
            self.syn[receptor] = tuple(_shared(x) for x in (np.e / tau, np.exp(-h / tau), E / self.cm, F / self.cm))

    def step(self, state, spike_input, i_ext):
        inputs = dict(zip(("exc", "inh"), _input_rows(spike_input, self.n)))
        v = state["v"]
        free = self._free_cells(state)
        v_new = self.v_rest + (v - self.v_rest) * self.P22 + self._dc(i_ext) * self.P20
        for receptor, (kick, decay, e_over_c, f_over_c) in self.syn.items():
            current, drive = state["isyn_" + receptor], state["disyn_" + receptor]
            drive += inputs[receptor] * kick
            v_new = v_new + e_over_c * current + f_over_c * drive
            current[...] = (current + drive * self.dt) * decay
            drive *= decay
        v[...] = np.where(free, v_new, self.v_reset)
        return self._threshold(state, free)


class IFCurrDeltaKernel(_LIFBase):
    """IF_curr_delta — NEST iaf_psc_delta: synaptic inputs are jumps of v (weights in mV).

    Scheme: exact propagation of the leak and of i_offset + i_ext (constant over
    the step), error = rounding. As in NEST, the jumps arriving at t + dt (both
    receptor rows summed, signed) are added at the end of the step from t, then
    the threshold is tested once: a jump that reaches the threshold fires the cell
    at its arrival, and a negative jump arriving as v crosses by itself cancels
    the spike. Jumps arriving at the end of a refractory step are lost (NEST's
    default refractory_input = False), and those arriving with a spike are
    absorbed by its reset.
    """

    inputs_at_step_end: ClassVar[bool] = True

    def step(self, state, spike_input, i_ext):
        w_exc, w_inh = _input_rows(spike_input, self.n)
        v = state["v"]
        free = self._free_cells(state)
        v_new = self.v_rest + (v - self.v_rest) * self.P22 + self._dc(i_ext) * self.P20
        v_new += w_exc + w_inh
        v[...] = np.where(free, v_new, self.v_reset)
        return self._threshold(state, free)


# -- conductance-based integrate-and-fire ------------------------------------------

class _DecayCache:
    """e^{−s/τ} per receptor for the few step lengths s a kernel uses (dt, dt/2, RK substeps),
    and the step means of the conductance shapes, computed once instead of every step."""

    _MAX_ENTRIES = 32

    def __init__(self, tau_exc: np.ndarray, tau_inh: np.ndarray):
        self.tau = {"exc": tau_exc, "inh": tau_inh}
        self._cache: dict[tuple[str, str, float], Any] = {}

    def _store(self, key: tuple[str, str, float], value: Any) -> Any:
        if len(self._cache) >= self._MAX_ENTRIES:
            self._cache.clear()
        self._cache[key] = value
        return value

    def decay(self, receptor: str, s: float) -> np.ndarray:
        found = self._cache.get(("decay", receptor, s))   # every step: the lookup only
        if found is None:
            found = self._store(("decay", receptor, s), _shared(np.exp(-s / self.tau[receptor])))
        return found

    def step_means(self, receptor: str, h: float) -> tuple[np.ndarray, np.ndarray]:
        """The means over [0, h] of e^{−s/τ} and of s·e^{−s/τ}: φ(−h/τ) and h·ψ(−h/τ), cached."""
        found = self._cache.get(("means", receptor, h))
        if found is None:
            x = -h / self.tau[receptor]
            found = self._store(("means", receptor, h), (_shared(_phi(x)), _shared(h * _psi(x))))
        return found


class _ExpConductances(_DecayCache):
    """Exponentially decaying conductances: g(t+s) = g(t) e^{−s/τ}; a weight w (µS) adds w."""

    internal: ClassVar[dict[str, float]] = {}

    def receive(self, state, w_exc, w_inh):
        state["gsyn_exc"] += w_exc
        state["gsyn_inh"] += w_inh

    def at(self, state, receptor: str, s: float) -> np.ndarray:
        """Conductance s ms after the current state (µS), a new array."""
        return state["gsyn_" + receptor] * self.decay(receptor, s)

    def mean(self, state, receptor: str, h: float) -> np.ndarray:
        """Mean conductance over the next h ms (µS), a new array."""
        return state["gsyn_" + receptor] * self.step_means(receptor, h)[0]

    def upper_bound(self, state, receptor: str, h: float) -> np.ndarray:
        return state["gsyn_" + receptor]

    def advance(self, state, h: float) -> None:
        state["gsyn_exc"] *= self.decay("exc", h)
        state["gsyn_inh"] *= self.decay("inh", h)


class _AlphaConductances(_DecayCache):
    """Alpha-function conductances: g(t) = w (t/τ) e^{1 − t/τ} after a weight w (µS), peak w at t = τ.

    State: g (``gsyn_*``) and its driving term y (``dgsyn_*``, µS/ms) with
    dg/dt = −g/τ + y, dy/dt = −y/τ; closed form g(t+s) = (g + y s) e^{−s/τ}.
    """

    internal: ClassVar[dict[str, float]] = {"dgsyn_exc": 0.0, "dgsyn_inh": 0.0}

    def __init__(self, tau_exc: np.ndarray, tau_inh: np.ndarray):
        super().__init__(tau_exc, tau_inh)
        self.kick = {"exc": _shared(np.e / tau_exc), "inh": _shared(np.e / tau_inh)}

    def receive(self, state, w_exc, w_inh):
        state["dgsyn_exc"] += w_exc * self.kick["exc"]
        state["dgsyn_inh"] += w_inh * self.kick["inh"]

    def at(self, state, receptor: str, s: float) -> np.ndarray:
        g, y = state["gsyn_" + receptor], state["dgsyn_" + receptor]
        out = y * s
        out += g
        out *= self.decay(receptor, s)
        return out

    def mean(self, state, receptor: str, h: float) -> np.ndarray:
        """Mean conductance over the next h ms (µS), a new array: g φ(−h/τ) + y h ψ(−h/τ)."""
        of_g, of_y = self.step_means(receptor, h)
        out = state["dgsyn_" + receptor] * of_y
        out += state["gsyn_" + receptor] * of_g
        return out

    def upper_bound(self, state, receptor: str, h: float) -> np.ndarray:
        return state["gsyn_" + receptor] + np.abs(state["dgsyn_" + receptor]) * h

    def advance(self, state, h: float) -> None:
        for receptor in ("exc", "inh"):
            g, y = state["gsyn_" + receptor], state["dgsyn_" + receptor]
            decay = self.decay(receptor, h)
            g += y * h
            g *= decay
            y *= decay


class _IFCondKernel(_LIFBase):
    """IF_cond_* — conductances exact, membrane by exponential Euler with step-mean conductances.

    cm dv/dt = g_L (v_rest − v) + g_exc (e_rev_E − v) + g_inh (e_rev_I − v) + i_offset + i_ext,
    g_L = cm/τm.

    Scheme: the conductances are integrated exactly (see the synapse shape).
    Over a step h the membrane equation is solved exactly with the conductances
    frozen at their exact means over the step: with G = g_L + ḡ_exc + ḡ_inh and
    I(v) the total current at v, v(t+h) = v + (h/cm) I(v) φ(−hG/cm),
    φ(x) = (e^x − 1)/x. The membrane's decay over the step, e^{−∫G/cm}, is then
    exact for any conductance time course (the first Magnus term); exact when the
    conductances are constant; otherwise local error O(h³), global error O(h²)
    (halving dt quarters the error). Against the exact solution, one 0.1 µS input
    at dt = 0.1 ms: IF_cond_alpha (τ = 0.3 ms) 2.6e-4 mV, IF_cond_exp (τ = 0.2 ms)
    5e-4 mV — 100× and 50× less than with the mid-step values used before. Threshold, reset and
    refractoriness as NEST iaf_cond_*: v clamped at v_reset for
    ceil(tau_refrac/dt) steps while the conductances keep evolving.
    """

    synapse_class: ClassVar[type] = _ExpConductances

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(params, dt)
        p = self.params
        self.g_leak = self.cm / self.tau_m
        self.e_exc, self.e_inh = p["e_rev_E"], p["e_rev_I"]
        self.synapses = self.synapse_class(p["tau_syn_E"], p["tau_syn_I"])
        self.h_over_cm = self.dt / self.cm
        self.leak_drive = self.g_leak * self.v_rest + p["i_offset"]   # nA: g_L v_rest + i_offset
        _share(self, "g_leak", "e_exc", "e_inh", "h_over_cm", "leak_drive")

    def step(self, state, spike_input, i_ext):
        # v(t+h) = v + (h/cm) (D − G v) φ(−h G/cm): G the total conductance, D = Σ g e_rev + currents
        w_exc, w_inh = _input_rows(spike_input, self.n)
        synapses = self.synapses
        synapses.receive(state, w_exc, w_inh)
        h = self.dt
        g_exc = synapses.mean(state, "exc", h)   # new arrays, reused below
        g_inh = synapses.mean(state, "inh", h)
        v = state["v"]
        free = self._free_cells(state)
        total_g = g_exc + g_inh
        total_g += self.g_leak
        drive = g_exc
        drive *= self.e_exc
        g_inh *= self.e_inh
        drive += g_inh
        drive += self.leak_drive
        if i_ext is not None:
            drive += i_ext
        for g, e_rev in self._extra_conductances(state):   # e.g. adaptation (IF_cond_exp_gsfa_grr)
            total_g += g
            drive += g * e_rev
        factor = _phi(total_g * -self.h_over_cm)
        factor *= self.h_over_cm
        total_g *= v
        drive -= total_g                # the total current (nA)
        drive *= factor
        drive += v
        v[...] = np.where(free, drive, self.v_reset)
        synapses.advance(state, h)
        spiked = self._threshold(state, free)
        self._after_step(state, spiked)
        return spiked

    def _extra_conductances(self, state: dict[str, np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Further conductances (µS, their means over the step) and their reversal potentials (mV)."""
        return []

    def _after_step(self, state: dict[str, np.ndarray], spiked: np.ndarray) -> None:
        """Update further state after the threshold test (nothing for plain IF_cond_*)."""


class IFCondExpKernel(_IFCondKernel):
    __doc__ = _IFCondKernel.__doc__ + """
    Synapses: exponentially decaying conductances (NEST iaf_cond_exp); a weight
    w (µS) arriving at t adds w to gsyn at t.
    """
    synapse_class = _ExpConductances
    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0}


class IFFacetsHardware1Kernel(IFCondExpKernel):
    """IF_facets_hardware1 — IF_cond_exp (NEST iaf_cond_exp, as PyNN maps it) with the fixed values
    cm = 0.2 nF, tau_refrac = 1 ms, e_rev_E = 0 mV, i_offset = 0 and tau_m = cm/g_leak
    (g_leak in nS). Same scheme and accuracy as IF_cond_exp (see above).
    """

    #: The values PyNN fixes for this model (NEST: C_m = 200 pF, t_ref = 1 ms, E_ex = 0 mV).
    FIXED: ClassVar[dict[str, float]] = {"cm": 0.2, "tau_refrac": 1.0, "e_rev_E": 0.0, "i_offset": 0.0}

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(self.as_if_cond_exp(params), dt)

    @classmethod
    def as_if_cond_exp(cls, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """IF_cond_exp parameters of IF_facets_hardware1 parameters (passed through if already translated)."""
        if "g_leak" not in params:
            return params
        translated = {name: np.asarray(value, dtype=float) for name, value in params.items() if name != "g_leak"}
        g_leak = np.asarray(params["g_leak"], dtype=float) * 1e-3      # nS -> µS
        shape = g_leak.shape
        translated.update({name: np.full(shape, value) for name, value in cls.FIXED.items()})
        translated["tau_m"] = translated["cm"] / g_leak                 # nF/µS = ms
        return translated


class IFCondAlphaKernel(_IFCondKernel):
    __doc__ = _IFCondKernel.__doc__ + """
    Synapses: alpha-function conductances (NEST iaf_cond_alpha); a weight w (µS)
    gives a conductance peaking at w, τsyn after its arrival.
    """
    synapse_class = _AlphaConductances
    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0, **_AlphaConductances.internal}


class IFCondExpGsfaGrrKernel(_IFCondKernel):
    """IF_cond_exp_gsfa_grr — NEST iaf_cond_exp_sfa_rr (Muller et al. 2007).

    cm dv/dt = g_L (v_rest − v) + g_exc (e_rev_E − v) + g_inh (e_rev_I − v)
               + g_s (e_rev_sfa − v) + g_r (e_rev_rr − v) + i_offset + i_ext,
    dg_s/dt = −g_s/tau_sfa,  dg_r/dt = −g_r/tau_rr  (g_s, g_r in nS, converted to µS here).

    At every spike g_s += q_sfa and g_r += q_rr (at the spike, after the reset), as
    NEST. Scheme: that of IF_cond_exp (see above) with the two spike-triggered
    conductances treated like the synaptic ones: integrated exactly, frozen at their
    exact means over the step for the membrane (exact for constant conductances,
    global error O(h²) otherwise). Threshold, reset and
    refractoriness as IF_cond_exp (v clamped at v_reset while the conductances decay).
    """

    synapse_class = _ExpConductances
    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0}

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(params, dt)
        p, h = self.params, self.dt
        self.adaptation = []   # (state name, reversal, step mean in µS per nS, decay over h, jump in nS)
        for name, tau, e_rev, q in (("g_s", "tau_sfa", "e_rev_sfa", "q_sfa"), ("g_r", "tau_rr", "e_rev_rr", "q_rr")):
            self.adaptation.append((name, *(_shared(x) for x in (p[e_rev], 1e-3 * _phi(-h / p[tau]),
                                                                  np.exp(-h / p[tau]), p[q]))))

    def _extra_conductances(self, state):
        return [(state[name] * mean, e_rev)            # nS -> µS, the mean over the step
                for name, e_rev, mean, _, _ in self.adaptation]

    def _after_step(self, state, spiked):
        for name, _, _, full, jump in self.adaptation:
            state[name] *= full
            state[name] += np.where(spiked, jump, 0.0)


# -- adaptive exponential integrate-and-fire -----------------------------------------

def adex_membrane(kernel: Any, p: dict[str, np.ndarray]) -> None:
    """Set the membrane and adaptation constants of an AdEx kernel (NEST aeif_* semantics):
    cm, g_leak, potentials, ΔT (v_detect = v_spike, or v_thresh when ΔT = 0), a (µS), b, τw
    and the refractory steps."""
    kernel.cm = p["cm"]
    kernel.g_leak = p["cm"] / p["tau_m"]
    kernel.v_rest, kernel.v_reset, kernel.v_spike, kernel.v_thresh = p["v_rest"], p["v_reset"], p["v_spike"], p["v_thresh"]
    kernel.delta_T = p["delta_T"]
    has_exp = kernel.delta_T > 0.0
    kernel.safe_delta_T = np.where(has_exp, kernel.delta_T, 1.0)
    kernel.v_detect = np.where(has_exp, kernel.v_spike, kernel.v_thresh)
    kernel.a = p["a"] * 1e-3          # nS -> µS
    kernel.b, kernel.tau_w = p["b"], p["tau_w"]
    kernel.n_refrac = _refractory_steps(p["tau_refrac"], kernel.dt)
    kernel.w_rate = 1.0 / p["tau_w"]   # 1/ms: w's own decay, a floor of the substeps' stiffness
    _share(kernel, "cm", "g_leak", "v_rest", "v_reset", "v_spike", "v_thresh", "delta_T", "safe_delta_T",
           "v_detect", "a", "b", "tau_w", "n_refrac", "w_rate")


def adex_spike_and_reset(kernel: Any, v: np.ndarray, w: np.ndarray, count: np.ndarray,
                         clamped: np.ndarray, spiked: np.ndarray) -> np.ndarray:
    """After a sub-step (in place): clamp refractory cells at v_reset; cells crossing v_detect
    spike, reset, get the adaptation jump b and start their refractory period. Returns the
    new refractory mask (NEST aeif_cond_* semantics)."""
    v[...] = np.where(clamped, kernel.v_reset, v)
    crossing = ~clamped & (v >= kernel.v_detect)
    v[...] = np.where(crossing, kernel.v_reset, v)
    w += np.where(crossing, kernel.b, 0.0)
    spiked |= crossing
    starts_refractory = crossing & (kernel.n_refrac > 0)
    count[...] = np.where(starts_refractory, kernel.n_refrac + 1.0, count)
    return clamped | starts_refractory


def _rk4_substeps(dt: float, fastest_rate: np.ndarray) -> np.ndarray:
    """RK4 substeps of each cell: h ≤ 0.01 ms and h·λ ≤ 2.5 for the cell's fastest decay rate λ (1/ms)."""
    fewest = max(int(np.ceil(dt / _MAX_SUBSTEP - 1e-9)), 1)
    rate = np.asarray(fastest_rate, dtype=float)
    rate = np.where(np.isfinite(rate) & (rate > 0.0), rate, 0.0)
    counts = np.maximum(np.ceil(dt * rate / _RK4_STABLE_HLAMBDA), fewest).astype(np.int64)
    if counts.size and counts.max() > MAX_RK4_SUBSTEPS:
        raise InvalidParameterValueError(
            f"a cell's conductances or rates ({rate.max():.3g} per ms, from its weights, conductances, cm and "
            f"time constants) would need more than {MAX_RK4_SUBSTEPS} Runge-Kutta substeps per {dt} ms step; "
            "check their units (weights and conductances in µS, cm in nF, times in ms)")
    return counts


def integrate_substeps(kernel: Any, state: dict[str, np.ndarray], i_dc: np.ndarray,
                       counts: np.ndarray) -> np.ndarray:
    """Advance every cell by one step in its own number of substeps (``counts``), through
    ``kernel._integrate(state, i_dc, n_sub)``; returns what that returns (spiked cells).

    A cell's result depends on its own state only, not on which other cells share its
    kernel: the same on one process as on any number of them. Cells needing more substeps
    (very large conductances) are integrated apart, with a kernel for just those cells
    (``kernel.for_cells``), on copies of their state."""
    if counts.size == 0 or counts.min() == counts.max():
        return kernel._integrate(state, i_dc, int(counts[0]) if counts.size else 1)
    out = np.zeros(kernel.n, dtype=bool)
    i_dc = np.broadcast_to(i_dc, (kernel.n,))
    for n_sub in np.unique(counts).tolist():
        cells = np.flatnonzero(counts == n_sub)
        part = {name: values[cells] for name, values in state.items()}
        out[cells] = kernel.for_cells(cells)._integrate(part, i_dc[cells], n_sub)
        for name, values in part.items():
            state[name][cells] = values
    return out


class _AdExKernel(NeuronKernel):
    """EIF_cond_*_isfa_ista — adaptive exponential IF with NEST aeif_cond_* semantics.

    cm dv/dt = −g_L (v − v_rest) + g_L ΔT exp((v − v_thresh)/ΔT) − g_exc (v − e_rev_E)
               − g_inh (v − e_rev_I) − w + i_offset + i_ext
    τw dw/dt = a (v − v_rest) − w,        g_L = cm/τm, a in nS (converted to µS).

    As in NEST, the v used on the right-hand side is min(v, v_spike) (so the
    exponential cannot overflow; its argument is also capped at 500), and while
    refractory v is clamped at v_reset (dv/dt = 0) while w and the
    conductances evolve. A spike is detected after every substep when
    v ≥ v_spike (v ≥ v_thresh if ΔT = 0, which gives plain IF dynamics): v is
    reset to v_reset, w increases by b, and v stays clamped for the rest of the
    step and ceil(tau_refrac/dt) further steps.

    Scheme: classical RK4 on (v, w) with the conductances evaluated exactly at
    the stage times; n substeps per step with h = dt/n ≤ 0.01 ms (NEST's
    initial step) and h·(g_L + g_exc + g_inh)/cm ≤ 2.5 so stiff inputs stay
    stable. Error: O(h⁴) globally between spikes; spike times are resolved to
    one substep and reported on the step grid.
    """

    synapse_class: ClassVar[type] = _ExpConductances

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(params, dt)
        p = self.params
        adex_membrane(self, p)
        self.e_exc, self.e_inh = p["e_rev_E"], p["e_rev_I"]
        _share(self, "e_exc", "e_inh")
        self.synapses = self.synapse_class(p["tau_syn_E"], p["tau_syn_I"])

    def _derivatives(self, v, w, g_exc, g_inh, clamped, i_dc):
        V = np.where(clamped, self.v_reset, np.minimum(v, self.v_spike))
        exp_arg = np.minimum((V - self.v_thresh) / self.safe_delta_T, _MAX_EXP_ARG)
        spike_current = self.g_leak * self.delta_T * np.exp(exp_arg)   # 0 when ΔT = 0
        dv = (-self.g_leak * (V - self.v_rest) + spike_current - g_exc * (V - self.e_exc)
              - g_inh * (V - self.e_inh) - w + i_dc) / self.cm
        dw = (self.a * (V - self.v_rest) - w) / self.tau_w
        return np.where(clamped, 0.0, dv), dw

    def step(self, state, spike_input, i_ext):
        w_exc, w_inh = _input_rows(spike_input, self.n)
        syn = self.synapses
        syn.receive(state, w_exc, w_inh)
        stiffness = (self.g_leak + syn.upper_bound(state, "exc", self.dt)
                     + syn.upper_bound(state, "inh", self.dt)) / self.cm
        stiffness = np.maximum(stiffness, self.w_rate)   # w's own decay, for a tiny tau_w
        spiked = integrate_substeps(self, state, self._dc(i_ext), _rk4_substeps(self.dt, stiffness))
        count = state["refrac_count"]
        count[...] = np.maximum(count - 1.0, 0.0)
        return spiked

    def _integrate(self, state, i_dc, n_sub: int) -> np.ndarray:
        """n_sub RK4 substeps of every cell; the cells that spiked."""
        syn = self.synapses
        v, w, count = state["v"], state["w"], state["refrac_count"]
        clamped = count > 0.0
        h = self.dt / n_sub
        spiked = np.zeros(self.n, dtype=bool)
        for _ in range(n_sub):
            ge0, gi0 = syn.at(state, "exc", 0.0), syn.at(state, "inh", 0.0)
            ge1, gi1 = syn.at(state, "exc", 0.5 * h), syn.at(state, "inh", 0.5 * h)
            ge2, gi2 = syn.at(state, "exc", h), syn.at(state, "inh", h)
            k1v, k1w = self._derivatives(v, w, ge0, gi0, clamped, i_dc)
            k2v, k2w = self._derivatives(v + 0.5 * h * k1v, w + 0.5 * h * k1w, ge1, gi1, clamped, i_dc)
            k3v, k3w = self._derivatives(v + 0.5 * h * k2v, w + 0.5 * h * k2w, ge1, gi1, clamped, i_dc)
            k4v, k4w = self._derivatives(v + h * k3v, w + h * k3w, ge2, gi2, clamped, i_dc)
            v += h / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
            w += h / 6.0 * (k1w + 2.0 * k2w + 2.0 * k3w + k4w)
            syn.advance(state, h)
            clamped = adex_spike_and_reset(self, v, w, count, clamped, spiked)
        return spiked


class EIFCondExpKernel(_AdExKernel):
    __doc__ = _AdExKernel.__doc__ + """
    Synapses: exponentially decaying conductances (NEST aeif_cond_exp).
    """
    synapse_class = _ExpConductances
    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0}


class EIFCondAlphaKernel(_AdExKernel):
    __doc__ = _AdExKernel.__doc__ + """
    Synapses: alpha-function conductances peaking at the weight (NEST aeif_cond_alpha).
    """
    synapse_class = _AlphaConductances
    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0, **_AlphaConductances.internal}


# -- Izhikevich ---------------------------------------------------------------------

class IzhikevichKernel(NeuronKernel):
    """Izhikevich — NEST izhikevich (consistent_integration = True), as PyNN maps it.

    dv/dt = 0.04 v² + 5 v + 140 − u + I,  du/dt = a (b v − u),
    spike when v ≥ 30 mV: v ← c, u ← u + d. No refractory period.
    I = 1000·(i_offset + i_ext): PyNN passes i_offset (nA) to NEST's I_e (pA),
    and NEST adds the pA value to dv/dt (mV/ms) unchanged.
    Synaptic weights are jumps of v in mV (both receptor rows summed, signed).

    Scheme: forward Euler with step dt, exactly NEST's update
    v ← v + dt·f(v, u), u ← u + dt·a(b v_old − u_old); local error O(dt²),
    global O(dt) (NEST's numerics, kept for compatibility). As in NEST, the
    jumps arriving at t + dt are added to v at the end of the step from t, before
    its threshold test: a jump that reaches 30 mV fires the cell at its arrival, a
    negative one arriving as v crosses by itself cancels the spike, and jumps
    arriving with a spike are absorbed by its reset.
    v is kept ≥ −1e10 mV so that no value can overflow.
    """

    V_PEAK = 30.0
    #: nF: I enters dv/dt as 1000·I (mV/ms per nA), i.e. as through a 0.001 nF membrane
    cm: ClassVar[float] = 0.001
    batchable: ClassVar[bool] = True
    V_FLOOR = -1e10
    inputs_at_step_end: ClassVar[bool] = True

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(params, dt)
        p = self.params
        self.a, self.b, self.c, self.d = p["a"], p["b"], p["c"], p["d"]
        _share(self, "a", "b", "c", "d")

    def step(self, state, spike_input, i_ext):
        w_exc, w_inh = _input_rows(spike_input, self.n)
        v, u = state["v"], state["u"]
        v_old = np.maximum(v, self.V_FLOOR)
        u_old = u.copy()
        current = 1000.0 * self._dc(i_ext)
        v[...] = v_old + self.dt * (0.04 * v_old * v_old + 5.0 * v_old + 140.0 - u_old + current)
        v += w_exc + w_inh
        u[...] = u_old + self.dt * self.a * (self.b * v_old - u_old)
        crossing = v >= self.V_PEAK
        v[...] = np.where(crossing, self.c, v)
        u += np.where(crossing, self.d, 0.0)
        return crossing


# -- Hodgkin-Huxley (Traub & Miles) ------------------------------------------------------

def _x_over_expm1(z: np.ndarray) -> np.ndarray:
    """z/(e^z − 1), equal to 1 at z = 0, finite everywhere."""
    z = np.clip(z, -700.0, 700.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = z / np.expm1(z)
    return np.where(z == 0.0, 1.0, out)


def _traub_rates(v_rel: np.ndarray):
    """Gating rates (1/ms) of hh_cond_exp_traub at V = v − v_offset (mV)."""
    alpha_n = 0.16 * _x_over_expm1((15.0 - v_rel) / 5.0)
    beta_n = 0.5 * np.exp(np.clip((10.0 - v_rel) / 40.0, -700.0, 700.0))
    alpha_m = 1.28 * _x_over_expm1((13.0 - v_rel) / 4.0)
    beta_m = 1.4 * _x_over_expm1((v_rel - 40.0) / 5.0)
    alpha_h = 0.128 * np.exp(np.clip((17.0 - v_rel) / 18.0, -700.0, 700.0))
    beta_h = 4.0 / (1.0 + np.exp(np.clip((40.0 - v_rel) / 5.0, -700.0, 700.0)))
    return alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n


class HHCondExpKernel(NeuronKernel):
    """HH_cond_exp — NEST hh_cond_exp_traub (Traub & Miles 1991 channels).

    cm dv/dt = −gNa m³h (v − E_Na) − gK n⁴ (v − E_K) − g_leak (v − E_leak)
               − g_exc (v − e_rev_E) − g_inh (v − e_rev_I) + i_offset + i_ext,
    dx/dt = α_x(V) − (α_x(V) + β_x(V)) x for x = m, h, n, with V = v − v_offset
    and NEST's rate functions (removable singularities evaluated safely).

    Spikes as in NEST: no reset; a spike is emitted at t + dt when the cell is
    not refractory, v ≥ v_offset + 30 mV and v has started to fall
    (v(t) > v(t + dt)); then spike detection pauses for ceil(2 ms/dt) steps
    (NEST's t_ref default of 2 ms, which PyNN does not expose).

    Scheme: classical RK4 on (v, m, h, n) with the exponential conductances
    evaluated exactly at the stage times; n substeps with h = dt/n ≤ 0.01 ms
    and h·(gNa + gK + g_leak + g_exc + g_inh)/cm ≤ 2.5. Error O(h⁴) globally
    (NEST uses adaptive RKF45 with tolerance 1e-3).
    """

    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0}
    spike_resets_v: ClassVar[bool] = False
    T_REF = 2.0          # ms, NEST hh_cond_exp_traub default
    SPIKE_OFFSET = 30.0  # mV above v_offset

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        super().__init__(params, dt)
        p = self.params
        self.cm = p["cm"]
        self.g_na, self.g_k, self.g_leak = p["gbar_Na"], p["gbar_K"], p["g_leak"]
        self.e_na, self.e_k, self.e_leak = p["e_rev_Na"], p["e_rev_K"], p["e_rev_leak"]
        self.e_exc, self.e_inh = p["e_rev_E"], p["e_rev_I"]
        self.v_offset = p["v_offset"]
        _share(self, "cm", "g_na", "g_k", "g_leak", "e_na", "e_k", "e_leak", "e_exc", "e_inh", "v_offset")
        self.synapses = _ExpConductances(p["tau_syn_E"], p["tau_syn_I"])
        self.n_refrac = float(_refractory_steps(np.array(self.T_REF), self.dt))

    def _derivatives(self, v, m, h, n, g_exc, g_inh, i_dc):
        alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n = _traub_rates(v - self.v_offset)
        m3h = m * m * m * h
        n4 = (n * n) * (n * n)
        dv = (-self.g_na * m3h * (v - self.e_na) - self.g_k * n4 * (v - self.e_k)
              - self.g_leak * (v - self.e_leak) - g_exc * (v - self.e_exc)
              - g_inh * (v - self.e_inh) + i_dc) / self.cm
        dm = alpha_m - (alpha_m + beta_m) * m
        dh = alpha_h - (alpha_h + beta_h) * h
        dn = alpha_n - (alpha_n + beta_n) * n
        return dv, dm, dh, dn

    def step(self, state, spike_input, i_ext):
        w_exc, w_inh = _input_rows(spike_input, self.n)
        syn = self.synapses
        syn.receive(state, w_exc, w_inh)
        v_start = state["v"].copy()
        stiffness = (self.g_na + self.g_k + self.g_leak + syn.upper_bound(state, "exc", self.dt)
                     + syn.upper_bound(state, "inh", self.dt)) / self.cm
        integrate_substeps(self, state, self._dc(i_ext), _rk4_substeps(self.dt, stiffness))
        v, count = state["v"], state["refrac_count"]
        refractory = count > 0.0
        spiked = ~refractory & (v >= self.v_offset + self.SPIKE_OFFSET) & (v_start > v)
        count[...] = np.where(refractory, count - 1.0, np.where(spiked, self.n_refrac, 0.0))
        return spiked

    def _integrate(self, state, i_dc, n_sub: int) -> np.ndarray:
        """n_sub RK4 substeps of (v, m, h, n) and the conductances of every cell."""
        syn = self.synapses
        y = [state["v"], state["m"], state["h"], state["n"]]
        hs = self.dt / n_sub
        for _ in range(n_sub):
            g0 = (syn.at(state, "exc", 0.0), syn.at(state, "inh", 0.0))
            g1 = (syn.at(state, "exc", 0.5 * hs), syn.at(state, "inh", 0.5 * hs))
            g2 = (syn.at(state, "exc", hs), syn.at(state, "inh", hs))
            k1 = self._derivatives(*y, *g0, i_dc)
            k2 = self._derivatives(*[a + 0.5 * hs * k for a, k in zip(y, k1)], *g1, i_dc)
            k3 = self._derivatives(*[a + 0.5 * hs * k for a, k in zip(y, k2)], *g1, i_dc)
            k4 = self._derivatives(*[a + hs * k for a, k in zip(y, k3)], *g2, i_dc)
            for a, d1, d2, d3, d4 in zip(y, k1, k2, k3, k4):
                a += hs / 6.0 * (d1 + 2.0 * d2 + 2.0 * d3 + d4)
            syn.advance(state, hs)
        return np.zeros(self.n, dtype=bool)


# -- generalized integrate-and-fire (escape noise) -------------------------------------------

def _stack_sequences(values: np.ndarray, n: int, name: str) -> list[np.ndarray]:
    """Per-cell arrays of an array parameter (object array of Sequence, or a float array)."""
    values = np.asarray(values)
    if values.dtype == object:
        return [np.asarray(getattr(v, "value", v), dtype=float).ravel() for v in values]
    return [np.atleast_1d(np.asarray(v, dtype=float)) for v in values.reshape(n, -1)]


def _padded(taus: list[np.ndarray], jumps: list[np.ndarray], n: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(n, K) time constants and jumps, K the longest list; padding elements never change (jump 0)."""
    for k, (tau, jump) in enumerate(zip(taus, jumps)):
        if tau.size != jump.size:
            raise InvalidParameterValueError(
                f"{what}: the time constants and the jumps must have the same length "
                f"(cell {k}: {tau.size} time constants, {jump.size} jumps)")
    K = max((tau.size for tau in taus), default=0)
    tau_arr, jump_arr = np.ones((n, K)), np.zeros((n, K))
    for k, (tau, jump) in enumerate(zip(taus, jumps)):
        tau_arr[k, :tau.size] = tau
        jump_arr[k, :jump.size] = jump
    return tau_arr, jump_arr


class GIFCondExpKernel(NeuronKernel):
    """GIF_cond_exp — NEST gif_cond_exp (Mensi et al. 2012, Pozzorini et al. 2015).

    cm dv/dt = g_L (v_rest − v) + g_exc (e_rev_E − v) + g_inh (e_rev_I − v) − i_eta + i_offset + i_ext,
    i_eta = Σ η_k,  dη_k/dt = −η_k/tau_eta[k];   v_t = v_t_star + Σ γ_k,  dγ_k/dt = −γ_k/tau_gamma[k].

    Each step, in NEST's order: i_eta and v_t are taken from the elements at the
    start of the step (they are the values recorded for that step) and the elements
    decay by e^(−dt/τ); v is integrated over the step with i_eta constant; then a
    cell that is not refractory spikes with probability 1 − exp(−λ dt),
    λ = lambda0·exp((v − v_t)/delta_v) (lambda0 in Hz, i.e. /1000 per ms). At a
    spike η_k += a_eta[k], γ_k += a_gamma[k] and the cell is refractory for
    ceil(tau_refrac/dt) steps, in each of which v is set to v_reset (dv/dt = 0):
    as in NEST, v is not reset in the step of the spike itself, so the recorded v
    at a spike time is the pre-spike value, and tau_refrac = 0 means no reset.
    Initial values of v_t and i_eta are only the values at t = 0 (NEST computes
    both from the elements, which start at 0).

    Random numbers: keyed_uniform(stream, global cell index, step of the cell),
    so spike trains do not depend on the number of processes; the step counter
    restarts at reset(), as the trains of the spike sources do.

    Scheme: conductances exact; membrane by the exponential Euler of IF_cond_exp
    with step-mean conductances (exact for constant conductances, global error O(h²)); NEST uses
    RKF45 with tolerance 1e-3. The escape probability per step is exact for λ
    constant over the step, as NEST's.
    """

    internal_state: ClassVar[dict[str, float]] = {"refrac_count": 0.0, "gif_step": 0.0}
    ARRAY_PARAMETERS = ("tau_eta", "a_eta", "tau_gamma", "a_gamma")

    def __init__(self, params: dict[str, np.ndarray], dt: float):
        arrays = {name: params[name] for name in self.ARRAY_PARAMETERS}
        super().__init__({k: v for k, v in params.items() if k not in arrays}, dt)
        p, h, n = self.params, self.dt, self.n
        self.cm, self.g_leak = p["cm"], p["cm"] / p["tau_m"]
        self.v_rest, self.v_reset = p["v_rest"], p["v_reset"]
        self.e_exc, self.e_inh = p["e_rev_E"], p["e_rev_I"]
        self.delta_v, self.v_t_star = p["delta_v"], p["v_t_star"]
        self.lambda0 = p["lambda0"] / 1000.0                 # Hz -> 1/ms
        self.n_refrac = _refractory_steps(p["tau_refrac"], h)
        self.synapses = _ExpConductances(p["tau_syn_E"], p["tau_syn_I"])
        seq = {name: _stack_sequences(values, n, name) for name, values in arrays.items()}
        tau_eta, self.a_eta = _padded(seq["tau_eta"], seq["a_eta"], n, "tau_eta/a_eta")
        tau_gamma, self.a_gamma = _padded(seq["tau_gamma"], seq["a_gamma"], n, "tau_gamma/a_gamma")
        self.P_eta, self.P_gamma = np.exp(-h / tau_eta), np.exp(-h / tau_gamma)
        self.stream: int | None = None
        self.keys = np.arange(n, dtype=np.int64)

    def use_random_stream(self, stream: int, cell_keys: np.ndarray) -> None:
        """The engine's hook: the population's stream and the global index of each local cell."""
        self.stream = int(stream)
        self.keys = np.asarray(cell_keys, dtype=np.int64)

    @staticmethod
    def _elements(state, name: str, shape: tuple[int, int]) -> np.ndarray:
        """The (n, K) adaptation elements, created at 0 (or resized after a parameter change)."""
        old = state.get(name)
        if old is None or old.shape != shape:
            new = np.zeros(shape)
            if old is not None and old.ndim == 2:
                k = min(shape[1], old.shape[1])
                new[:, :k] = old[:, :k]
            state[name] = new
        return state[name]

    def step(self, state, spike_input, i_ext):
        w_exc, w_inh = _input_rows(spike_input, self.n)
        syn = self.synapses
        syn.receive(state, w_exc, w_inh)
        h = self.dt
        eta = self._elements(state, "eta_elements", self.P_eta.shape)
        gamma = self._elements(state, "gamma_elements", self.P_gamma.shape)
        i_eta = eta.sum(axis=1)
        v_t = self.v_t_star + gamma.sum(axis=1)
        state["i_eta"][...] = i_eta
        state["v_t"][...] = v_t
        eta *= self.P_eta
        gamma *= self.P_gamma
        v, count = state["v"], state["refrac_count"]
        free = count <= 0.0
        g_exc, g_inh = syn.mean(state, "exc", h), syn.mean(state, "inh", h)
        total_g = self.g_leak + g_exc + g_inh
        current = (self.g_leak * (self.v_rest - v) + g_exc * (self.e_exc - v) + g_inh * (self.e_inh - v)
                   - i_eta + self._dc(i_ext))
        v_new = v + (h / self.cm) * current * _phi(-h * total_g / self.cm)
        v[...] = np.where(free, v_new, self.v_reset)
        count[...] = np.where(free, 0.0, count - 1.0)
        syn.advance(state, h)
        exponent = np.minimum((v - v_t) / self.delta_v, _MAX_EXP_ARG)
        probability = -np.expm1(-self.lambda0 * np.exp(exponent) * h)
        counter = state["gif_step"]
        draws = keyed_uniform(0 if self.stream is None else self.stream, self.keys, counter.astype(np.int64))
        counter += 1.0
        spiked = free & (draws < probability)
        if spiked.any():
            eta += np.where(spiked[:, None], self.a_eta, 0.0)
            gamma += np.where(spiked[:, None], self.a_gamma, 0.0)
            count[...] = np.where(spiked, self.n_refrac, count)
        return spiked


#: Cell-type class name -> kernel class.
NEURON_KERNELS: dict[str, type[NeuronKernel]] = {
    "IF_curr_exp": IFCurrExpKernel,
    "IF_curr_alpha": IFCurrAlphaKernel,
    "IF_curr_delta": IFCurrDeltaKernel,
    "IF_cond_exp": IFCondExpKernel,
    "IF_cond_alpha": IFCondAlphaKernel,
    "IF_facets_hardware1": IFFacetsHardware1Kernel,
    "EIF_cond_exp_isfa_ista": EIFCondExpKernel,
    "EIF_cond_alpha_isfa_ista": EIFCondAlphaKernel,
    "Izhikevich": IzhikevichKernel,
    "HH_cond_exp": HHCondExpKernel,
    "IF_cond_exp_gsfa_grr": IFCondExpGsfaGrrKernel,
    "GIF_cond_exp": GIFCondExpKernel,
}
