"""The base of the numpy engine's plasticity rules (plasticity.py): one plastic route's synapse
columns copied in at the start of a run and out at its end, their storage order (CSR by pre
cell or CSC by post cell) and the weight constraints (clipping, normalisation)."""
from __future__ import annotations

from typing import Any

import numpy as np

from pynnlite.backends.numpy.weight_dependences import uniform as _uniform
from pynnlite.connectors.base import ranges
from pynnlite.models.plasticity import WeightClip, WeightNormalization


# -- base -------------------------------------------------------------------------------------

class RulePlasticity:
    """The plastic synapses of one route: columns copied in and out, storage order, constraints.

    Per-synapse arrays (weights ``w``, per-connection parameters, per-synapse state) are kept
    in a *storage order*: CSR (by pre cell, the route's own order) or, when a rule prefers
    contiguous columns, CSC (by post cell); ``order`` maps storage to CSR positions.
    """

    #: per-connection parameter names this rule reads (besides weight and delay)
    parameter_names: tuple[str, ...] = ()
    #: per-connection state variables (columns of the projection)
    state_names: tuple[str, ...] = ()

    def __init__(self, route: Any, engine: Any):
        self.route = route
        self.engine = engine
        self.projection = route.projection
        self.synapse_type = self.projection.synapse_type
        self.table = route.table
        self.ids = route.synapses.astype(np.int64)
        self.n = self.ids.size
        self.indptr = route.indptr
        self.post_position = route.post_position
        self.pre_csr = self.table.pre[self.ids].astype(np.int64)
        self.n_pre = self.projection.pre.size
        self.n_post = route.post_group.n
        self.dt = engine.sim.dt
        self.csc_order = np.argsort(self.post_position, kind="stable")
        self.csc_indptr = np.r_[0, np.cumsum(np.bincount(self.post_position, minlength=self.n_post))
                                ].astype(np.int64)
        self.constraints = tuple(getattr(self.synapse_type, "weight_constraints", ()))
        self.order: np.ndarray | None = None        # storage position -> CSR position
        self.csr2store: np.ndarray | None = None    # CSR position -> storage position
        self.w = np.empty(0)
        self.p: dict[str, Any] = {}
        self.pending: dict[int, list] = {}
        self.pending_format = "synapse"
        self.last_T = 0
        self.loaded = False
        self._carry: tuple[dict, dict] | None = None
        self._clean: tuple | None = None     # (table version, post kernel) when this run ended

    # -- columns ------------------------------------------------------------------------------
    def _column(self, name: str) -> np.ndarray:
        """A column in CSR order."""
        if name == "weight":
            return self.table.weight[self.ids]
        if name == "delay":
            return self.table.delay_steps[self.ids].astype(float)
        return self.table.columns[name][self.ids]

    def _store_column(self, name: str, csr_values: np.ndarray) -> None:
        if name == "weight":
            self.table.weight[self.ids] = csr_values
        else:
            self.table.columns[name][self.ids] = csr_values

    def _stored(self, csr_values: np.ndarray) -> np.ndarray:
        return csr_values if self.order is None else csr_values[self.order]

    def _to_csr(self, stored: np.ndarray) -> np.ndarray:
        return stored if self.order is None else stored[self.csr2store]

    def _use_csc_storage(self) -> None:
        self.order = self.csc_order
        self.csr2store = np.empty(self.n, dtype=np.int64)
        self.csr2store[self.order] = np.arange(self.n)
        self.w = self.w[self.order]
        self.p = {k: (v if np.ndim(v) == 0 else v[self.order]) for k, v in self.p.items()}

    def begin_run(self, first: int) -> None:
        if self._clean is not None and self._clean == (self.table.version, self.route.post_group.unit.kernel):
            self.loaded = True      # nothing changed since the last run: go on with the arrays as they are
            self._carry = None
            self.last_T = first
            return
        self.order = self.csr2store = None
        self.w = self._column("weight").copy()
        self.p = {name: _uniform(self._column(name)) for name in self.parameter_names}
        self.p["delay"] = _uniform(self._column("delay"))
        self.last_T = first
        self.load_state(first)
        self.loaded = True
        if self.constraints:
            self._apply_constraints(None)

    def end_run(self, last: int) -> None:
        """Weights and the state at time ``last`` back into the columns. The internal state
        (values at each synapse's last event) is kept, and used again by the next run if the
        columns are still those written here, so that runs can be split exactly."""
        if not self.loaded:
            return
        self.sync(last)
        self._store_column("weight", self._to_csr(self.w))
        state = self.state_at(last)
        for name, values in state.items():
            self._store_column(name, values)
        self._carry = (self.snapshot(), {name: values.copy() for name, values in state.items()})
        self.table.version += 1
        self._clean = (self.table.version, self.route.post_group.unit.kernel)
        self.loaded = False

    def reset(self) -> None:
        self.pending = {}
        self.last_T = 0
        self.loaded = False
        self._carry = None
        self._clean = None

    def _carried(self, columns: dict[str, np.ndarray]) -> dict | None:
        """The internal state kept by the last run, if the state columns were not changed since."""
        if self._carry is None:
            return None
        snapshot, written = self._carry
        self._carry = None
        for name, values in columns.items():
            if name not in written or not np.array_equal(values, written[name]):
                return None
        return snapshot

    def inherit(self, previous: "RulePlasticity") -> None:
        """Carry over from ``previous`` (same projection, rebuilt routes) the internal state its
        last run kept, when the synapses are the same (so that runs split around a rebuild
        exactly as without one: see end_run), and the events still pending."""
        if np.array_equal(previous.ids, self.ids):
            self._carry = previous._carry
        if not previous.pending:
            return
        if previous.pending_format == "neuron":     # neuron indices do not depend on the routes
            self.pending = {k: list(v) for k, v in previous.pending.items()}
            self.pending_format = "neuron"
            return
        position = np.full(len(self.table), -1, dtype=np.int64)
        position[self.ids] = np.arange(self.n)
        for key, entries in previous.pending.items():
            for syn, t, kind in entries:
                new = position[previous.ids[syn]]
                keep = new >= 0
                if keep.any():
                    self.pending.setdefault(key, []).append((new[keep], t[keep], kind[keep]))

    # rule hooks
    def load_state(self, first: int) -> None:  # pragma: no cover - overridden
        pass

    def state_at(self, T: int) -> dict[str, np.ndarray]:  # pragma: no cover - overridden
        """The state columns (CSR order) at time T, internal state left as it is."""
        return {}

    def snapshot(self) -> dict:
        return {}

    def sync(self, T: int) -> None:
        """Bring what must be current at the end of a run (weights) to time T."""

    # -- constraints -----------------------------------------------------------------------------
    def _columns(self, cells: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Storage positions of the synapses of post cells ``cells`` (None: all), grouped by
        cell, and the start of each non-empty group."""
        if cells is None:
            cells = np.arange(self.n_post)
        counts = self.csc_indptr[cells + 1] - self.csc_indptr[cells]
        counts = counts[counts > 0]
        cells = cells[self.csc_indptr[cells + 1] > self.csc_indptr[cells]]
        csc = ranges(self.csc_indptr[cells], counts)
        idx = csc if self.order is not None else self.csc_order[csc]
        return idx, np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)

    def _apply_constraints(self, changed: np.ndarray | None) -> None:
        """Weight constraints after an update of the synapses at storage positions ``changed``
        (None: all synapses)."""
        touched = changed
        for constraint in self.constraints:
            if isinstance(constraint, WeightNormalization):
                cells = None if changed is None else np.unique(self._post_of_stored(changed))
                idx, starts = self._columns(cells)
                if idx.size == 0:
                    continue
                sums = np.add.reduceat(self.w[idx], starts)
                with np.errstate(divide="ignore", invalid="ignore"):
                    scale = np.where(sums != 0.0, constraint.target / sums, 1.0)
                self.w[idx] *= np.repeat(scale, np.diff(np.r_[starts, idx.size]))
                touched = idx
            elif isinstance(constraint, WeightClip):
                if touched is None:
                    np.clip(self.w, constraint.w_min, constraint.w_max, out=self.w)
                else:
                    self.w[touched] = np.clip(self.w[touched], constraint.w_min, constraint.w_max)

    def _post_of_stored(self, S: np.ndarray) -> np.ndarray:
        return self.post_position[S] if self.order is None else self.post_position[self.order[S]]

    # -- per slice --------------------------------------------------------------------------------
    def transmit(self, pre_index: np.ndarray, pre_steps: np.ndarray, post_cells: np.ndarray,
                 post_steps: np.ndarray, modulator: tuple[np.ndarray, np.ndarray] | None,
                 T: int) -> np.ndarray | None:
        """Process the slice ending at step T; return the weight of every (spike, synapse)
        of the pre spikes in Route.deliver's order (CSR ranges of the spikes)."""
        raise NotImplementedError
