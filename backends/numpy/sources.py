"""Spike-source kernels of the numpy backend.

One kernel class per PyNN spike source, and ``SOURCE_KERNELS`` mapping the
cell-type class name to its kernel. The engine calls exactly::

    kernel = Kernel(params, dt, stream, cell_keys)
    cells, steps, times = kernel.spikes_and_times(state, first_step, n_steps)

It returns the spikes of steps [first_step, first_step + n_steps) as (local
cell index, step index), sorted by step then cell, and each spike's own time t
(ms), in step s = floor(t/dt): the time the source records (as PyNN+NEST's
precise-time sources do), while the spike acts from its step (``spikes`` gives
the first two). Consecutive calls continue the same trains through the
per-cell ``state``. The engine may rebuild a kernel with new parameters
between runs and keep ``state``: a changed parameter takes effect from the
start of the next window.

Random trains are a pure function of (stream, cell key, parameters): every
random number is ``keyed_uniform(stream, cell_key, counter)`` with
counter = 4·(index of the interval in the cell's train) + j, so a process
that owns any subset of the cells, or that asks for the spikes in windows cut
differently, produces exactly the same spikes for them. Generation is
vectorised over cells and intervals; the work is proportional to the number
of spikes.
"""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from scipy.special import gammaincc, gammainccinv, gammaincinv

from pynnlite.errors import InvalidParameterValueError
from pynnlite.timegrid import grid_point, step_containing, time_of

try:  # the project's counter-based generator
    from pynnlite.random import keyed_uniform as _project_keyed_uniform
except ImportError:  # pragma: no cover - only while pynnlite.random is unavailable
    _project_keyed_uniform = None

__all__ = [
    "SourceKernel", "SOURCE_KERNELS", "keyed_uniform",
    "PoissonKernel", "GammaKernel", "PoissonRefractoryKernel", "InhGammaKernel", "SpikeArrayKernel",
]

#: Uniform numbers reserved per inter-spike interval (counter = 4·interval + j).
_DRAWS_PER_INTERVAL = 4
#: Upper bound on the intervals drawn at once (memory), over all cells of one pass.
_MAX_BATCH = 1 << 22


# -- keyed uniforms --------------------------------------------------------------------

_MASK64 = (1 << 64) - 1


def _splitmix_finalise(z: np.ndarray) -> np.ndarray:
    z = z ^ (z >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _fallback_keyed_uniform(stream: int, keys: Any, counters: Any) -> np.ndarray:
    """SplitMix64 hash of (stream, key, counter) -> float64 in (0, 1); used only without pynnlite.random."""
    k, c = np.broadcast_arrays(np.asarray(keys, dtype=np.int64), np.asarray(counters, dtype=np.int64))
    salt = _splitmix_finalise(np.array([int(stream) & _MASK64], dtype=np.uint64))
    z = k.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + salt
    z = _splitmix_finalise(z) + c.astype(np.uint64) * np.uint64(0xD1B54A32D192ED03)
    z = _splitmix_finalise(z)
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0 ** -53


def keyed_uniform(stream: int, keys: Any, counters: Any) -> np.ndarray:
    """Uniform floats in (0, 1), a pure function of each (stream, key, counter)."""
    if _project_keyed_uniform is not None:
        return _project_keyed_uniform(stream, keys, counters)
    return _fallback_keyed_uniform(stream, keys, counters)


# -- base --------------------------------------------------------------------------------

def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)


def _sorted_by_step(cells: list[np.ndarray], times: list[np.ndarray],
                    dt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cells, steps, times) of spikes drawn in continuous time (parts: cell arrays and time arrays
    in ms), sorted by step then cell; a time t goes in step floor(t/dt)."""
    if not cells:
        return _empty()
    cell = np.concatenate(cells).astype(np.int64)
    time = np.concatenate(times).astype(float)
    step = np.floor(time / dt).astype(np.int64)
    order = np.lexsort((cell, step))
    return cell[order], step[order], time[order]


class SourceKernel:
    """Base of the spike-source kernels."""

    #: Per-cell state the kernel keeps between calls, name -> initial value.
    internal_state: ClassVar[dict[str, float]] = {}

    def __init__(self, params: dict[str, np.ndarray], dt: float, stream: int, cell_keys: np.ndarray):
        if not dt > 0:
            raise ValueError(f"dt must be > 0 ms, got {dt}")
        self.dt = float(dt)
        self.stream = int(stream)
        self.cell_keys = np.asarray(cell_keys, dtype=np.int64).ravel()
        self.n = self.cell_keys.size
        self.params = {name: (value if np.asarray(value).dtype == object else np.asarray(value, dtype=float))
                       for name, value in params.items()}
        for name, value in self.params.items():
            if np.shape(value) != (self.n,):
                raise ValueError(f"parameter {name} must have shape ({self.n},), got {np.shape(value)}")

    def spikes(self, state: dict[str, np.ndarray], first_step: int,
               n_steps: int) -> tuple[np.ndarray, np.ndarray]:
        cells, steps, _ = self.spikes_and_times(state, first_step, n_steps)
        return cells, steps

    def spikes_and_times(self, state: dict[str, np.ndarray], first_step: int,
                         n_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``spikes`` and each spike's own time (ms), which the source records (it acts from the
        step containing it)."""
        raise NotImplementedError

    def _begin_window(self, state: dict[str, np.ndarray], first_step: int,
                      n_steps: int) -> tuple[int, float] | None:
        """(end step, end time in ms) of the window of ``n_steps`` steps from ``first_step``,
        after restarting the cells whose process starts again there (``_cells_to_restart``);
        None when the window is empty."""
        if self.n == 0 or n_steps <= 0:
            return None
        restart = self._cells_to_restart(state, first_step)
        if restart.size:
            self._restart(state, restart, first_step * self.dt)
        end_step = first_step + n_steps
        return end_step, end_step * self.dt


# -- renewal processes -----------------------------------------------------------------------

class _RenewalKernel(SourceKernel):
    """A stationary renewal spike train per cell in [start, start + duration).

    State per cell: ``next_time`` (ms, the next spike, already drawn),
    ``draws`` (intervals drawn so far: the counter base), ``phase``
    (0 = not started, 1 = running, 2 = silent) and a copy ``p_<name>`` of each
    parameter, so that a kernel rebuilt with changed parameters restarts the
    train of the affected cells at the current time.

    A train (re)starts at t0 = max(start, current time) in equilibrium: its
    first spike follows t0 by a forward-recurrence time of the process, so the
    rate is stationary from t0 on. Each following spike adds one
    interval drawn with counter 4·k (k = interval index). A spike at time t
    goes in step floor(t/dt); several spikes may share a step.
    """

    def _count_dispersion(self) -> np.ndarray:
        """Upper bound of the ratio of spike-count variance to mean (1 for Poisson), to size batches."""
        return np.ones(self.n)

    def _mean_rate(self) -> np.ndarray:
        """Mean spike rate per cell (1/ms)."""
        raise NotImplementedError

    def _intervals(self, cells: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Inter-spike intervals (ms) of ``cells`` (broadcast against ``u``) from uniforms ``u``."""
        raise NotImplementedError

    def _first_interval(self, cells: np.ndarray, u0: np.ndarray, u1: np.ndarray,
                        u2: np.ndarray) -> np.ndarray:
        """Time (ms) from a (re)start to the first spike: the process's forward-recurrence time."""
        raise NotImplementedError

    @classmethod
    def _state_names(cls, parameter_names) -> dict[str, float]:
        return {"next_time": 0.0, "draws": 0.0, "phase": 0.0,
                **{"p_" + name: 0.0 for name in parameter_names}}

    def __init__(self, params: dict[str, np.ndarray], dt: float, stream: int, cell_keys: np.ndarray):
        super().__init__(params, dt, stream, cell_keys)
        self.tracked = [name for name in self.params if "p_" + name in self.internal_state]
        self.start = self.params["start"]
        self.stop = self.params["start"] + self.params["duration"]
        rate = self._mean_rate()
        self.silent = ~(rate > 0.0)
        self.rate = np.where(self.silent, 0.0, rate)

    # -- state handling ----------------------------------------------------------
    def _restart(self, state: dict[str, np.ndarray], cells: np.ndarray, t0: float) -> None:
        for name in self.tracked:
            state["p_" + name][cells] = self.params[name][cells]
        silent = self.silent[cells]
        state["phase"][cells] = np.where(silent, 2.0, 1.0)
        live = cells[~silent]
        if live.size == 0:
            return
        draws = state["draws"][live].astype(np.int64)
        base = draws * _DRAWS_PER_INTERVAL
        keys = self.cell_keys[live]
        u0, u1, u2 = (keyed_uniform(self.stream, keys, base + j) for j in range(3))
        start = np.maximum(self.start[live], t0)
        state["next_time"][live] = start + self._first_interval(live, u0, u1, u2)
        state["draws"][live] = draws + 1

    def _cells_to_restart(self, state: dict[str, np.ndarray], first_step: int) -> np.ndarray:
        changed = state["phase"] == 0.0
        for name in self.tracked:
            changed |= state["p_" + name] != self.params[name]
        running = state["phase"] == 1.0
        behind = running & (np.floor(state["next_time"] / self.dt) < first_step)  # a skipped window
        return np.flatnonzero(changed | behind)

    # -- generation --------------------------------------------------------------
    def spikes_and_times(self, state, first_step, n_steps):
        window = self._begin_window(state, int(first_step), int(n_steps))
        if window is None:
            return _empty()
        end_step, t_end = window
        next_time = state["next_time"]
        cells_out: list[np.ndarray] = []
        times_out: list[np.ndarray] = []
        active = np.flatnonzero((state["phase"] == 1.0) & (np.floor(next_time / self.dt) < end_step)
                                & (next_time < self.stop))
        while active.size:
            # the pending spike of every active cell is in the window: emit it
            cells_out.append(active)
            times_out.append(next_time[active])
            block = self._block_sizes(active, next_time[active], t_end)
            still_active = []
            for size in np.unique(block):
                group = active[block == size]
                still_active.append(self._extend(state, group, int(size), end_step, cells_out, times_out))
            active = np.concatenate(still_active)
        return _sorted_by_step(cells_out, times_out, self.dt)

    def _block_sizes(self, cells: np.ndarray, t0: np.ndarray, t_end: float) -> np.ndarray:
        """Intervals to draw per cell: enough for the rest of the window with high probability,
        rounded up to a power of two (cells are grouped by block size)."""
        horizon = np.maximum(np.minimum(t_end, self.stop[cells]) - t0, 0.0)
        mean = self.rate[cells] * horizon
        wanted = mean + 4.0 * np.sqrt(mean * self._count_dispersion()[cells]) + 2.0
        cap = max(2, _MAX_BATCH // max(cells.size, 1))
        wanted = np.clip(wanted, 2, cap)
        return (2 ** np.ceil(np.log2(wanted))).astype(np.int64)

    def _extend(self, state, group, size, end_step, cells_out, times_out) -> np.ndarray:
        """Draw ``size`` intervals after the pending spike of each cell of ``group``; emit those in the
        window and make the first one outside it the new pending spike. Returns the cells whose
        block ran out inside the window (their new pending spike is in the window)."""
        draws = state["draws"][group].astype(np.int64)
        counters = (draws[:, None] + np.arange(size)[None, :]) * _DRAWS_PER_INTERVAL
        u = keyed_uniform(self.stream, self.cell_keys[group][:, None], counters)
        intervals = self._intervals(group[:, None], u)
        # sequential accumulation from the pending spike: identical however the windows are cut
        times = np.cumsum(np.concatenate([state["next_time"][group][:, None], intervals], axis=1), axis=1)[:, 1:]
        inside = (np.floor(times / self.dt) < end_step) & (times < self.stop[group][:, None])
        n_inside = inside.sum(axis=1)
        emitted = np.minimum(n_inside, size - 1)
        emit = np.arange(size)[None, :] < emitted[:, None]
        rows, cols = np.nonzero(emit)
        cells_out.append(group[rows])
        times_out.append(times[rows, cols])
        state["next_time"][group] = times[np.arange(group.size), emitted]
        state["draws"][group] = draws + emitted + 1
        return group[n_inside == size]


class PoissonKernel(_RenewalKernel):
    """SpikeSourcePoisson — homogeneous Poisson process of rate ``rate`` (Hz) in [start, start + duration).

    Intervals are exponential, −ln(u)/rate; the first spike after a (re)start
    at t0 follows t0 by an exponential time too (memorylessness), so a rate
    changed between runs takes effect exactly from the current time.
    """

    internal_state: ClassVar[dict[str, float]] = _RenewalKernel._state_names(("rate", "start", "duration"))

    def _mean_rate(self):
        return self.params["rate"] / 1000.0

    def _intervals(self, cells, u):
        return -np.log(u) / self.rate[cells]

    def _first_interval(self, cells, u0, u1, u2):
        return self._intervals(cells, u0)


class GammaKernel(_RenewalKernel):
    """SpikeSourceGamma — gamma renewal process: intervals ~ Gamma(shape alpha, rate beta (Hz)).

    Mean interval alpha/beta, mean rate beta/alpha (as PyNN documents and
    passes to NEST's gamma_sup_generator: gamma_shape = alpha, rate = beta/alpha).
    Intervals are drawn by inversion, gammaincinv(alpha, u)/beta, so any
    alpha > 0 works (NEST accepts integer shapes only). The first spike after a
    (re)start follows t0 by the stationary forward-recurrence time
    u'·Gamma(alpha + 1, beta) (NEST starts its n_proc = 1 generator in a
    non-stationary phase).
    """

    internal_state: ClassVar[dict[str, float]] = _RenewalKernel._state_names(("alpha", "beta", "start", "duration"))

    def __init__(self, params, dt, stream, cell_keys):
        super().__init__(params, dt, stream, cell_keys)
        self.alpha = self.params["alpha"]
        self.beta_ms = self.params["beta"] / 1000.0

    def _mean_rate(self):
        alpha = self.params["alpha"]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(alpha > 0, self.params["beta"] / 1000.0 / alpha, 0.0)

    def _count_dispersion(self):
        return np.maximum(1.0, 1.0 / self.params["alpha"])

    def _intervals(self, cells, u):
        return gammaincinv(self.alpha[cells], u) / self.beta_ms[cells]

    def _first_interval(self, cells, u0, u1, u2):
        return u1 * gammaincinv(self.alpha[cells] + 1.0, u0) / self.beta_ms[cells]


class PoissonRefractoryKernel(_RenewalKernel):
    """SpikeSourcePoissonRefractory — Poisson process with dead time, NEST ppd_sup_generator convention.

    Intervals are tau_refrac + Exp(λ) with 1/λ = 1000/rate − tau_refrac (ms), so
    the mean rate is ``rate`` (Hz); rate·tau_refrac must be < 1000 ms·Hz.
    After a (re)start at t0 the process is in equilibrium (as NEST initialises
    its age distribution): with probability rate·tau_refrac it is still dead
    for a uniform part of tau_refrac, then it fires after Exp(λ).
    """

    internal_state: ClassVar[dict[str, float]] = _RenewalKernel._state_names(
        ("rate", "tau_refrac", "start", "duration"))

    def __init__(self, params, dt, stream, cell_keys):
        super().__init__(params, dt, stream, cell_keys)
        rate, dead = self.params["rate"], self.params["tau_refrac"]
        too_fast = (rate > 0) & ~(rate * dead < 1000.0)
        if too_fast.any():
            i = int(np.flatnonzero(too_fast)[0])
            raise InvalidParameterValueError(
                f"SpikeSourcePoissonRefractory needs 1000/rate > tau_refrac (ms), "
                f"got rate={rate[i]} Hz, tau_refrac={dead[i]} ms")
        self.dead = dead
        with np.errstate(divide="ignore"):
            self.active_rate = np.where(self.silent, 0.0, 1.0 / (1000.0 / np.where(self.silent, 1.0, rate) - dead))

    def _mean_rate(self):
        return self.params["rate"] / 1000.0

    def _count_dispersion(self):
        return np.ones(self.n)  # dead time makes trains more regular than Poisson

    def _intervals(self, cells, u):
        return self.dead[cells] - np.log(u) / self.active_rate[cells]

    def _first_interval(self, cells, u0, u1, u2):
        still_dead = u2 < self.rate[cells] * self.dead[cells]
        residual = np.where(still_dead, u1 * self.dead[cells], 0.0)
        return residual - np.log(u0) / self.active_rate[cells]


# -- inhomogeneous gamma process -----------------------------------------------------------

#: Below this survival probability the conditional gamma draw uses the tail's exponential limit.
_TINY_SURVIVAL = 1e-280


class InhGammaKernel(SourceKernel):
    """SpikeSourceInhGamma — inhomogeneous gamma process with parameters constant per time bin.

    In bin k, [tbins[k], tbins[k+1]) (the last bin is open-ended), the hazard
    of the next spike at time t is that of Gamma(shape a[k], scale b[k]) at the
    age t − t_last (t_last: the cell's last spike, or ``start`` before the
    first); this is the process PyNN documents (Muller et al. 2007), there
    generated by thinning a Poisson process (which needs a bounded hazard,
    a ≥ 1). Here it is sampled exactly, without thinning, so any a > 0 works:
    inside a bin the intervals are Gamma(a, b) renewal intervals; on entering a
    bin at time s with age τ = s − t_last, the next spike is t_last + T with T
    drawn from Gamma(a[k], b[k]) conditioned on T > τ (inverse survival
    function); a draw that falls beyond the bin's end is discarded and the next
    bin is entered. b is in seconds (mean interval a·b s, rate 1/(a·b) Hz). No
    spikes before tbins[0] or outside [start, start + duration). A spike at
    time t goes in step floor(t/dt).

    Randomness: the i-th draw of a cell uses keyed_uniform(stream, key, 4·i),
    so trains do not depend on the cells a process owns nor on how windows are
    cut. Each window is generated with array operations: a loop over rounds,
    each either entering the next bin (one draw per cell) or drawing a block
    of intervals per cell, never over steps or single spikes.

    State: ``seg`` (current bin), ``entry`` (when the bin was entered),
    ``last`` (age origin), ``next_time`` (pending spike, NaN: the bin's entry
    draw is still to be made), ``draws``, ``phase`` (0 not started, 1 running,
    2 finished) and ``p_sig`` (checksum of the parameters: a kernel rebuilt
    with changed parameters re-enters the process at the current time, keeping
    the age).
    """

    internal_state: ClassVar[dict[str, float]] = {
        "seg": 0.0, "entry": 0.0, "last": 0.0, "next_time": 0.0, "draws": 0.0, "phase": 0.0, "p_sig": 0.0}

    def __init__(self, params, dt, stream, cell_keys):
        super().__init__(params, dt, stream, cell_keys)
        columns = {name: [np.asarray(getattr(v, "value", v), dtype=float).ravel() for v in self.params[name]]
                   or [np.empty(0)] for name in ("a", "b", "tbins")}
        lengths = np.array([[c.size for c in columns[name]][:self.n] for name in ("a", "b", "tbins")],
                           dtype=np.int64).reshape(3, self.n)
        bad = np.flatnonzero((lengths != lengths[2]).any(axis=0) | (lengths[2] == 0))
        if bad.size:
            i = int(bad[0])
            raise InvalidParameterValueError(
                f"SpikeSourceInhGamma: a, b and tbins must be non-empty and of the same length "
                f"(cell {i}: {lengths[0, i]}, {lengths[1, i]}, {lengths[2, i]})")
        self.start = self.params["start"]
        self.stop = self.params["start"] + self.params["duration"]
        length = lengths[2]
        width = int(length.max(initial=1))
        # bin k of cell i: [edges[i, k], edges[i, k+1]); the columns beyond a cell's bins are padding
        row = np.repeat(np.arange(self.n), length)
        column = np.arange(row.size) - np.repeat(np.cumsum(length) - length, length)
        self.edges = np.full((self.n, width + 1), np.inf)
        self.shape = np.ones((self.n, width))
        self.scale = np.ones((self.n, width))               # ms
        self.edges[row, column] = np.concatenate(columns["tbins"])
        self.shape[row, column] = np.concatenate(columns["a"])
        self.scale[row, column] = 1000.0 * np.concatenate(columns["b"])
        self.signature = self._signatures(row, column, length)

    def _signatures(self, row: np.ndarray, column: np.ndarray, length: np.ndarray) -> np.ndarray:
        """A checksum of each cell's parameters (its bins only, not the padding, so that it does
        not depend on other cells): a sum of the values' bits times a constant per place."""
        def bits(values: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)

        odd = np.uint64(0x9E3779B97F4A7C15)
        place = (np.arange(3 * column.max(initial=0) + 6, dtype=np.uint64) * np.uint64(2) + np.uint64(1)) * odd
        total = np.zeros(self.n, dtype=np.uint64)
        for k, values in enumerate((self.edges[row, column], self.shape[row, column], self.scale[row, column])):
            np.add.at(total, row, bits(values) * place[3 * column + k])
        for k, values in enumerate((self.start, self.stop, length.astype(np.float64))):
            total += bits(values) * place[k]
        return (total >> np.uint64(12)).astype(np.float64) + 1.0   # exact in a float64 state

    # -- state handling ----------------------------------------------------------
    def _enter(self, state, cells: np.ndarray, seg: np.ndarray, entry: np.ndarray) -> None:
        """Put ``cells`` in bin ``seg`` from time ``entry``, the entry draw pending (or finished)."""
        state["seg"][cells] = seg
        state["entry"][cells] = entry
        state["next_time"][cells] = np.nan
        done = ~(entry < self.stop[cells]) | ~np.isfinite(self.edges[cells, seg])
        state["phase"][cells] = np.where(done, 2.0, 1.0)

    def _restart(self, state, cells: np.ndarray, t_now: float) -> None:
        start = self.start[cells]
        t0 = np.maximum(start, t_now)
        fresh = (state["phase"][cells] == 0.0) | (start >= t_now)
        state["last"][cells] = np.where(fresh, start, state["last"][cells])
        state["p_sig"][cells] = self.signature[cells]
        seg = np.maximum((self.edges[cells] <= t0[:, None]).sum(axis=1) - 1, 0)
        self._enter(state, cells, seg, np.maximum(t0, self.edges[cells, seg]))

    def _uniforms(self, state, cells: np.ndarray, size: int | None = None) -> np.ndarray:
        draws = state["draws"][cells].astype(np.int64)
        if size is None:
            return keyed_uniform(self.stream, self.cell_keys[cells], draws * _DRAWS_PER_INTERVAL)
        counters = (draws[:, None] + np.arange(size)[None, :]) * _DRAWS_PER_INTERVAL
        return keyed_uniform(self.stream, self.cell_keys[cells][:, None], counters)

    def _bin_end(self, cells: np.ndarray, seg: np.ndarray) -> np.ndarray:
        return np.minimum(self.edges[cells, seg + 1], self.stop[cells])

    def _entry_draws(self, state, cells: np.ndarray) -> None:
        """The first spike after entering the current bin: T ~ Gamma(a, b) given T > age at entry."""
        seg = state["seg"][cells].astype(np.int64)
        shape, scale = self.shape[cells, seg], self.scale[cells, seg]
        last = state["last"][cells]
        age = np.maximum(state["entry"][cells] - last, 0.0) / scale
        u = self._uniforms(state, cells)
        survival = gammaincc(shape, age)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            x = np.maximum(gammainccinv(shape, u * survival), age)
        # far in the tail the hazard is 1/b: an exponential residual time
        x = np.where(survival > _TINY_SURVIVAL, x, age - np.log(u))
        candidate = np.maximum(last + scale * x, state["entry"][cells])
        state["draws"][cells] += 1.0
        inside = candidate < self._bin_end(cells, seg)
        state["next_time"][cells[inside]] = candidate[inside]
        out = cells[~inside]
        if out.size:
            nxt = seg[~inside] + 1
            self._enter(state, out, nxt, self.edges[out, nxt])

    def _block_sizes(self, state, cells: np.ndarray, t_end: float) -> np.ndarray:
        seg = state["seg"][cells].astype(np.int64)
        shape, scale = self.shape[cells, seg], self.scale[cells, seg]
        horizon = np.maximum(np.minimum(t_end, self._bin_end(cells, seg)) - state["next_time"][cells], 0.0)
        mean = horizon / (shape * scale)
        wanted = mean + 4.0 * np.sqrt(mean * np.maximum(1.0, 1.0 / shape)) + 2.0
        cap = max(2, _MAX_BATCH // max(cells.size, 1))
        wanted = np.clip(wanted, 2, cap)
        return (2 ** np.ceil(np.log2(wanted))).astype(np.int64)

    def _emit_and_extend(self, state, group: np.ndarray, size: int, end_step: int,
                         cells_out: list, times_out: list) -> None:
        """Emit the pending spike of each cell of ``group`` and the following ones of its bin inside
        the window (``size`` intervals drawn at once); leave the next spike pending, or the next bin's
        entry draw if the bin ends first."""
        cells_out.append(group)
        times_out.append(state["next_time"][group])
        seg = state["seg"][group].astype(np.int64)
        shape, scale = self.shape[group, seg], self.scale[group, seg]
        u = self._uniforms(state, group, size)
        with np.errstate(under="ignore"):
            intervals = scale[:, None] * gammainccinv(shape[:, None], u)
        times = np.cumsum(np.concatenate([state["next_time"][group][:, None], intervals], axis=1), axis=1)[:, 1:]
        inside = times < self._bin_end(group, seg)[:, None]
        emit = inside & (np.floor(times / self.dt) < end_step)
        n_emit = np.minimum(emit.sum(axis=1), size - 1)
        rows, cols = np.nonzero(np.arange(size)[None, :] < n_emit[:, None])
        cells_out.append(group[rows])
        times_out.append(times[rows, cols])
        rows = np.arange(group.size)
        state["last"][group] = np.where(n_emit > 0, times[rows, np.maximum(n_emit - 1, 0)], state["next_time"][group])
        state["draws"][group] += n_emit + 1
        pending = inside[rows, n_emit]
        state["next_time"][group] = np.where(pending, times[rows, n_emit], np.nan)
        crossed = group[~pending]
        if crossed.size:
            nxt = seg[~pending] + 1
            self._enter(state, crossed, nxt, self.edges[crossed, nxt])

    # -- generation --------------------------------------------------------------
    def _cells_to_restart(self, state: dict[str, np.ndarray], first_step: int) -> np.ndarray:
        return np.flatnonzero((state["phase"] == 0.0) | (state["p_sig"] != self.signature))

    def spikes_and_times(self, state, first_step, n_steps):
        first_step = int(first_step)
        window = self._begin_window(state, first_step, int(n_steps))
        if window is None:
            return _empty()
        end_step, t_end = window
        cells_out: list[np.ndarray] = []
        times_out: list[np.ndarray] = []
        while True:
            running = state["phase"] == 1.0
            pending = ~np.isnan(state["next_time"])
            entering = np.flatnonzero(running & ~pending & (state["entry"] < t_end))
            if entering.size:
                self._entry_draws(state, entering)
            due = np.flatnonzero(running & pending & (np.floor(state["next_time"] / self.dt) < end_step))
            if due.size:
                block = self._block_sizes(state, due, t_end)
                for size in np.unique(block):
                    self._emit_and_extend(state, due[block == size], int(size), end_step, cells_out, times_out)
            if entering.size == 0 and due.size == 0:
                break
        cell, step, time = _sorted_by_step(cells_out, times_out, self.dt)
        keep = step >= first_step   # spikes of steps before the window (a skipped window) are dropped
        return cell[keep], step[keep], time[keep]


# -- spike arrays -------------------------------------------------------------------------

class SpikeArrayKernel(SourceKernel):
    """SpikeSourceArray — each spike time t (ms) of a cell is emitted in the step that contains it.

    Step k is [k·dt, (k+1)·dt), so t goes in step floor(t/dt); a time within float noise of a grid
    point is on it (0.3/0.1 = 2.9999999999999996 is step 3; ``pynnlite.timegrid``). This is where
    PyNN+NEST's default (spike_precision='off_grid', precise spike times) lets a spike act: at
    dt = 0.1 ms, spikes at 2.04, 3.05 and 7.0995 ms first show in v of an IF_curr_exp target at the
    same sample as spikes at 2.0, 3.0 and 7.0 ms. With 'on_grid', NEST moves an off-grid time up to
    the next grid point (2.04 -> 2.1); Brian2's SpikeGeneratorGroup bins by floor, as here.

    Stateless: a window emits the spikes whose step lies in it, so spikes of
    steps already simulated (e.g. times set in the past between runs) are
    dropped and none is emitted twice. Times are concatenated over cells once;
    each window is found with one vectorised binary search per cell boundary.
    """

    def __init__(self, params, dt, stream, cell_keys):
        super().__init__(params, dt, stream, cell_keys)
        sequences = self.params["spike_times"]
        per_cell = [np.asarray(getattr(s, "value", s), dtype=float).ravel() for s in sequences]
        per_cell = [np.sort(t[np.isfinite(t)]) for t in per_cell]
        lengths = np.array([t.size for t in per_cell], dtype=np.int64)
        times = np.concatenate(per_cell) if per_cell else np.zeros(0)
        self.steps = step_containing(times, self.dt).astype(np.int64)
        # recorded as given (PyNN+NEST records 3.05 ms, not the step's 3.0), a time within
        # float noise of a grid point as that point's time (0.30000000000000004 -> 0.3)
        nearest, on_grid = grid_point(times, self.dt)
        self.times = np.where(on_grid, time_of(nearest, self.dt), times)
        self.owner = np.repeat(np.arange(self.n, dtype=np.int64), lengths)
        self.min_step = int(self.steps.min()) if self.steps.size else 0
        self.span = (int(self.steps.max()) - self.min_step + 2) if self.steps.size else 2
        self.composite = None
        if self.n * self.span < 2 ** 62:
            self.composite = self.owner * self.span + (self.steps - self.min_step)

    def _bound(self, step: int) -> np.ndarray:
        """Per cell, the index of its first spike with step ≥ ``step``."""
        offset = min(max(step - self.min_step, 0), self.span - 1)
        return np.searchsorted(self.composite, np.arange(self.n, dtype=np.int64) * self.span + offset)

    def spikes_and_times(self, state, first_step, n_steps):
        first_step, n_steps = int(first_step), int(n_steps)
        if self.steps.size == 0 or n_steps <= 0:
            return _empty()
        end_step = first_step + n_steps
        if self.composite is None:  # time range too wide for the composite keys: plain mask
            picked = np.flatnonzero((self.steps >= first_step) & (self.steps < end_step))
        else:
            lo, hi = self._bound(first_step), self._bound(end_step)
            counts = hi - lo
            total = int(counts.sum())
            if total == 0:
                return _empty()
            starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
            picked = starts + np.arange(total)
        cells, steps = self.owner[picked], self.steps[picked]
        order = np.lexsort((cells, steps))   # by step, then cell; a cell's times stay in order
        return cells[order], steps[order], self.times[picked][order]


#: Cell-type class name -> kernel class.
SOURCE_KERNELS: dict[str, type[SourceKernel]] = {
    "SpikeSourcePoisson": PoissonKernel,
    "SpikeSourceGamma": GammaKernel,
    "SpikeSourcePoissonRefractory": PoissonRefractoryKernel,
    "SpikeSourceInhGamma": InhGammaKernel,
    "SpikeSourceArray": SpikeArrayKernel,
}
