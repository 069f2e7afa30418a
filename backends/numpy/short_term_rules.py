"""Short-term and stochastic plasticity rules of the numpy engine (plasticity.py): Tsodyks-Markram
(NEST tsodyks_synapse), stochastic transmission, stochastic Tsodyks-Markram and multi-quantal
release. A slice's spikes are processed in rounds that touch each synapse at most once."""
from __future__ import annotations

from typing import Any

import numpy as np

from pynnlite.backends.numpy.delivery import csr_entries
from pynnlite.backends.numpy.plastic_rule import RulePlasticity
from pynnlite.backends.numpy.weight_dependences import sub as _sub, uniform as _uniform
from pynnlite.random import keyed_uniform


# -- Tsodyks-Markram --------------------------------------------------------------------------

class TsodyksMarkramPlasticity(RulePlasticity):
    """NEST tsodyks_synapse: exact propagation of (u, x, y) between a synapse's spikes."""

    parameter_names = ("U", "tau_rec", "tau_facil")
    state_names = ("u", "x", "y")

    def load_state(self, first: int) -> None:
        columns = {name: self._column(name) for name in self.state_names}
        carried = self._carried(columns)
        if carried is not None:
            self.u, self.x, self.y, self.t_last = carried["u"], carried["x"], carried["y"], carried["t"]
        else:
            self.u, self.x, self.y = (columns[name].copy() for name in self.state_names)
            self.t_last = np.full(self.n, float(first))
        self.tau_psc = self._tau_psc()
        self._mark_pre = np.full(self.n_pre, -1, dtype=np.int64)

    def snapshot(self) -> dict:
        return {"u": self.u, "x": self.x, "y": self.y, "t": self.t_last}

    def state_at(self, T: int) -> dict[str, np.ndarray]:
        kept = (self.u.copy(), self.x.copy(), self.y.copy(), self.t_last.copy())
        self._advance(slice(None), float(T))
        state = {"u": self.u, "x": self.x, "y": self.y}
        self.u, self.x, self.y, self.t_last = kept
        return state

    def _tau_psc(self) -> Any:
        """τ_psc of each synapse: the post cell's tau_syn_E or tau_syn_I (0 if it has none)."""
        route = self.route
        params = route.post_group.population.local_parameters()
        receptors = route.post_group.receptors
        pos = self.post_position

        def pick(name: str) -> np.ndarray:
            taus = params.get(name)
            return np.zeros(self.n) if taus is None else np.asarray(taus, dtype=float)[pos]

        if route.sign_routed:
            inhibitory = (self.w < 0) | (route.receptor_row == route.inhibitory_row)
            tau = np.where(inhibitory, pick("tau_syn_I"), pick("tau_syn_E"))
        else:
            receptor = receptors[route.receptor_row] if receptors else "excitatory"
            tau = pick("tau_syn_I" if receptor == "inhibitory" else "tau_syn_E")
        return _uniform(tau)

    def _advance(self, S: Any, t: Any) -> None:
        """Propagate u, x, y of synapses S from their last spike to time t (steps), exactly."""
        h = (t - self.t_last[S]) * self.dt
        tau_rec = _sub(self.p["tau_rec"], S)
        tau_facil = _sub(self.p["tau_facil"], S)
        tau_psc = _sub(self.tau_psc, S)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            Puu = np.where(tau_facil > 0.0, np.exp(-h / np.where(tau_facil > 0.0, tau_facil, 1.0)), 0.0)
            Pzz = np.exp(-h / tau_rec)
            Pyy = np.where(tau_psc > 0.0, np.exp(-h / np.where(tau_psc > 0.0, tau_psc, 1.0)), 0.0)
            diff = tau_psc - tau_rec
            close = np.abs(diff) <= 1e-9 * tau_rec
            # part of y that has gone back to x through z: 1 − (τp·Pyy − τr·Pzz)/(τp − τr)
            Pxy = np.where(close, 1.0 - Pzz * (1.0 + h / tau_rec),
                           1.0 - (tau_psc * Pyy - tau_rec * Pzz) / np.where(close, 1.0, diff))
        u, x, y = self.u[S], self.x[S], self.y[S]
        z = 1.0 - x - y
        self.u[S] = u * Puu
        self.x[S] = x + Pxy * y + (1.0 - Pzz) * z
        self.y[S] = y * Pyy
        self.t_last[S] = t

    def transmit(self, pre_index, pre_steps, post_cells, post_steps, modulator, T):
        self.last_T = T
        k = pre_index.size
        if k == 0:
            return None
        csr, counts = csr_entries(self.indptr, pre_index)
        out = np.empty(csr.size)
        # several spikes of one pre cell within the slice: in time order, one round each
        for S, t, sel in _spike_rounds(pre_index, pre_steps, counts, csr, self._mark_pre):
            self._advance(S, t)
            u = self.u[S]
            u = u + _sub(self.p["U"], S) * (1.0 - u)
            released = u * self.x[S]
            self.u[S] = u
            self.x[S] -= released
            self.y[S] += released
            out[sel] = released * self.w[S]
        return out


def _spike_rounds(pre_index: np.ndarray, pre_steps: np.ndarray, counts: np.ndarray, csr: np.ndarray,
                  mark: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, Any]]:
    """The (synapse, spike) pairs of a slice as rounds (CSR positions, spike step, selector into
    the output): round r holds the r-th spike of each pre cell, so each round touches a synapse
    at most once and the rounds are in time order for every synapse."""
    k = pre_index.size
    t_all = np.repeat(pre_steps.astype(np.int64), counts)
    spike = np.arange(k)
    mark[pre_index] = spike
    if np.array_equal(mark[pre_index], spike):
        return [(csr, t_all, slice(None))]
    by_cell = np.lexsort((pre_steps, pre_index))
    cells = pre_index[by_cell]
    first = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
    rank = np.empty(k, dtype=np.int64)
    rank[by_cell] = spike - np.repeat(first, np.diff(np.r_[first, k]))
    syn_rank = np.repeat(rank, counts)
    return [(csr[sel], t_all[sel], sel) for sel in (syn_rank == r for r in range(int(rank.max()) + 1))]


def _draw_counter(steps: np.ndarray, phase: int, site: int = 0) -> np.ndarray:
    """Counter of a synapse's draw at a spike step: phase 0 recovery, 1 release; site < 2**16."""
    return (steps.astype(np.int64) << 17) | (phase << 16) | site


class _StochasticRelease(RulePlasticity):
    """Shared parts of the stochastic short-term plasticity rules: draws keyed on the connection
    (post index, rank among the post cell's connections) and the spike step, so that every process
    count draws the same; per-synapse times of the last spike kept across runs (until reset())."""

    def __init__(self, route: Any, engine: Any):
        super().__init__(route, engine)
        self.t_last: np.ndarray | None = None

    def load_state(self, first: int) -> None:
        table = self.table
        self.keys = (table.post[self.ids].astype(np.int64) << 32) | table.rank_within_post()[self.ids]
        self.stream = self.engine.source_stream(self.projection)
        self.state = {name: self._column(name).copy() for name in self.state_names}
        if self.t_last is None or self.t_last.size != self.n:
            self.new_synapses()
        self._mark_pre = np.full(self.n_pre, -1, dtype=np.int64)

    def new_synapses(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def state_at(self, T: int) -> dict[str, np.ndarray]:
        """The state columns: values as left by each synapse's last spike (as NEST reports them)."""
        return {name: values.copy() for name, values in self.state.items()}

    def reset(self) -> None:
        super().reset()
        self.t_last = None

    def release(self, S: np.ndarray, t: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        """Update synapses S at their spikes at steps t; return the transmitted weights."""
        raise NotImplementedError

    def transmit(self, pre_index, pre_steps, post_cells, post_steps, modulator, T):
        self.last_T = T
        if pre_index.size == 0:
            return None
        csr, counts = csr_entries(self.indptr, pre_index)
        out = np.empty(csr.size)
        for S, t, sel in _spike_rounds(pre_index, pre_steps, counts, csr, self._mark_pre):
            out[sel] = self.release(S, t)
            self.t_last[S] = t
        return out


class StochasticTransmission(_StochasticRelease):
    """SimpleStochasticSynapse: a spike passes each synapse with probability p (no state)."""

    parameter_names = ("p",)

    def new_synapses(self) -> None:
        self.t_last = np.zeros(self.n)

    def release(self, S: np.ndarray, t: np.ndarray) -> np.ndarray:
        passed = keyed_uniform(self.stream, self.keys[S], _draw_counter(t, 1)) < _sub(self.p["p"], S)
        return np.where(passed, self.w[S], 0.0)


class StochasticTsodyksMarkramPlasticity(_StochasticRelease):
    """StochasticTsodyksMarkramSynapse (PyNN+NEST stochastic_stp_synapse): one site, recovered or
    not; u facilitates as in Tsodyks-Markram; recovery tested at spikes (Poisson with rate
    1/tau_rec since the last test), release with probability u, all-or-none."""

    parameter_names = ("U", "tau_rec", "tau_facil")
    state_names = ("u", "R")

    def new_synapses(self) -> None:
        self.t_last = np.zeros(self.n, dtype=np.int64)    # NEST: last spike and last test at t = 0
        self.t_surv = np.zeros(self.n, dtype=np.int64)

    def release(self, S, t):
        dt = self.dt
        u, R = self.state["u"][S], self.state["R"][S]
        tau_facil = _sub(self.p["tau_facil"], S)
        facilitating = tau_facil > 1e-10
        decay = np.where(facilitating, np.exp(-(t - self.t_last[S]) * dt / np.where(facilitating, tau_facil, 1.0)),
                         0.0)
        u = u * decay
        u = u + _sub(self.p["U"], S) * (1.0 - u)
        keys = self.keys[S]
        unrecovered = R == 0.0
        p_survive = np.exp(-(t - self.t_surv[S]) * dt / _sub(self.p["tau_rec"], S))
        recovers = unrecovered & (keyed_uniform(self.stream, keys, _draw_counter(t, 0)) > p_survive)
        t_surv = np.where(unrecovered & ~recovers, t, self.t_surv[S])
        R = np.where(recovers, 1.0, R)
        released = (R == 1.0) & (keyed_uniform(self.stream, keys, _draw_counter(t, 1)) < u)
        self.state["R"][S] = np.where(released, 0.0, R)
        self.t_surv[S] = np.where(released, t, t_surv)
        self.state["u"][S] = u
        return np.where(released, self.w[S], 0.0)


class MultiQuantalPlasticity(_StochasticRelease):
    """MultiQuantalSynapse (NEST quantal_stp_synapse): n sites, a available; at each spike after a
    synapse's first, u ← U + u(1 − U)e^(−h/tau_facil) and each depleted site recovers with
    probability 1 − e^(−h/tau_rec); then each available site releases with probability u and the
    spike transmits (number released)·weight. Python loops run over release sites, not synapses."""

    parameter_names = ("U", "n", "tau_rec", "tau_facil")
    state_names = ("u", "a")

    def new_synapses(self) -> None:
        self.t_last = np.full(self.n, -1, dtype=np.int64)   # no spike yet

    def release(self, S, t):
        dt = self.dt
        u, a = self.state["u"][S], self.state["a"][S]
        U = _sub(self.p["U"], S)
        seen = self.t_last[S] >= 0
        h = (t - self.t_last[S]) * dt
        tau_facil = _sub(self.p["tau_facil"], S)
        facilitating = tau_facil >= 1e-10
        u_decay = np.where(facilitating, np.exp(-h / np.where(facilitating, tau_facil, 1.0)), 0.0)
        u = np.where(seen, U + u * (1.0 - U) * u_decay, u)
        keys = self.keys[S]
        depleted = np.where(seen, np.maximum(_sub(self.p["n"], S) - a, 0.0), 0.0)
        p_recover = -np.expm1(-h / _sub(self.p["tau_rec"], S))
        recovered = np.zeros(S.size)
        for site in range(int(depleted.max(initial=0.0))):
            draw = keyed_uniform(self.stream, keys, _draw_counter(t, 0, site))
            recovered += (site < depleted) & (draw < p_recover)
        a = a + recovered
        released = np.zeros(S.size)
        for site in range(int(a.max(initial=0.0))):
            draw = keyed_uniform(self.stream, keys, _draw_counter(t, 1, site))
            released += (site < a) & (draw < u)
        self.state["u"][S] = u
        self.state["a"][S] = a - released
        return released * self.w[S]
