"""Continuous couplings of the numpy engine: graded, electrical and per-synapse conductance synapses.

A coupling is the set of connections of one projection whose effect is a
current evaluated every time step (not a weight added to a receptor's ring
buffer). Before the neuron groups are stepped, the engine gathers the
membrane potentials of every coupled cell at the start of the step into one
vector (``v_all``, indexed by *slot*), and each coupling adds, per slot,

* a current I (nA) evaluated at those start-of-step potentials, and
* its conductance G = −∂I/∂v_own (µS),

into the accumulators ``current`` and ``conductance``. The engine passes I
into the kernels' ``i_ext`` and G to kernels that integrate it exactly
(``coupling_conductance``). Because everything is computed from the
start-of-step state before any group moves, results do not depend on the order
of populations or projections.

Each coupling is one vectorised pass over its connections per step: sparse
matrix-vector products over the connections sorted by output row (graded
synapses; the activation evaluated once per presynaptic cell when its
connections share their activation parameters) or gathers plus ``np.bincount``
over compact output rows.

MPI: the couplings need every presynaptic cell's potential each step, and
electrical synapses send current back to presynaptic cells. On one process the
potentials come through ``NumpyEngine.coupling_pre_values`` and the presynaptic
currents go through ``CouplingSet.add_pre_side``. On several processes ``CellExchange``
(``coupling_exchange.py``) does both for all couplings together: per step one Allgatherv of the potentials of the
cells other processes read and, with electrical synapses, one of the presynaptic
sides of junctions across processes, without headers, on persistent requests
(``comm.fixed_allgatherv``, which a several-process communicator must provide).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from pynnlite.backends.numpy.delivery import csr_entries
from pynnlite.backends.numpy.spikes import pre_lookup
from pynnlite.errors import ConnectionError

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.backends.numpy.coupling_exchange import CellExchange
    from pynnlite.backends.numpy.engine import NumpyEngine
    from pynnlite.projections import Projection

__all__ = ["Coupling", "GradedCoupling", "ElectricalCoupling", "SpikingConductanceCoupling",
           "COUPLINGS", "coupling_class", "CouplingSet"]


class Coupling:
    """The connections of one continuous projection on this process."""

    def __init__(self, projection: "Projection", engine: "NumpyEngine"):
        if projection.synapse_type.plastic:
            raise ConnectionError(f"{projection.label}: {type(self).__name__.replace('Coupling', '').lower()} "
                                  "synapses cannot be plastic")
        self.projection = projection
        self.engine = engine
        self.table = projection._table
        self.source = projection.source if projection.source not in (None, "spikes") else "v"
        self._version = -1
        self.rebuild()

    # -- structure ---------------------------------------------------------------
    def rebuild(self) -> None:
        """Slots of the connections' post (and pre) cells among the engine's coupled cells."""
        engine = self.engine
        self.post_slot = engine.couplings.slots_of(self.projection.post)[self.table.post.astype(np.int64)]
        self.pre_slot_of_index = engine.couplings.slots_of(self.projection.pre)
        self.pre = self.table.pre.astype(np.int64)
        self.rows, self.row_of_connection = np.unique(self.post_slot, return_inverse=True)
        self._version = -1

    def groups(self) -> list[Any]:
        """Population objects whose cells this coupling reads or writes (pre and post)."""
        pops = [pop for pop, _ in self.projection.post._segments()]
        if self.source == "v":
            pops += [pop for pop, _ in self.projection.pre._segments()]
        return pops

    def routes(self) -> list[Any]:
        """Spike routes feeding this coupling (none for voltage-driven couplings)."""
        return []

    def _refresh(self) -> None:
        if self._version != self.table.version:
            self._parameters_changed()
            self._version = self.table.version

    def _parameters_changed(self) -> None:  # pragma: no cover - overridden
        pass

    def column(self, name: str) -> np.ndarray:
        return self.table.weight if name == "weight" else self.table.columns[name]

    def accumulate(self, step: int, v_pre: np.ndarray, v_all: np.ndarray, current: np.ndarray,
                   conductance: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def reset(self) -> None:
        pass

    def state_initialized(self, values: dict[str, np.ndarray]) -> None:
        pass


class GradedCoupling(Coupling):
    """GradedSynapse: I_j = Σ_i w_ij·f((V_i − v_th_ij)/delta_ij)·(e_rev_ij − V_j)."""

    def _parameters_changed(self) -> None:
        synapse = self.projection.synapse_type
        v_th, delta = synapse.activation_columns(self.table.columns)
        weight = self.table.weight
        e_rev = self.table.columns["e_rev"]
        n_pre = self.projection.pre.size
        order = np.argsort(self.row_of_connection, kind="stable")   # by output row, creation order within
        self.sorted_pre = self.pre[order]
        # Fast path: activation parameters shared by all (local) connections of each presynaptic
        # cell, so f is evaluated once per presynaptic cell; otherwise once per connection.
        pre_v_th = np.zeros(n_pre)
        pre_delta = np.ones(n_pre)
        pre_v_th[self.pre] = v_th
        pre_delta[self.pre] = delta
        self.per_pre = bool(np.array_equal(pre_v_th[self.pre], v_th) and np.array_equal(pre_delta[self.pre], delta))
        if self.per_pre:
            self.pre_v_th, self.pre_inv_delta = pre_v_th, 1.0 / pre_delta
            columns, width = self.sorted_pre, n_pre
        else:
            self.v_th, self.inv_delta = v_th[order], 1.0 / delta[order]
            columns, width = np.arange(order.size), order.size
        # Either way each row is summed by one sparse mat-vec, entry by entry in creation order
        # (built from indptr, so a presynaptic cell connected twice stays two entries), of w·a
        # and (w·e_rev)·a with the same activation a per connection: the path a process takes
        # (decided from its own connections) cannot change the results.
        indptr = np.r_[0, np.cumsum(np.bincount(self.row_of_connection, minlength=self.rows.size))]
        shape = (self.rows.size, width)
        self.g_matrix = sparse.csr_matrix((weight[order], columns, indptr), shape=shape)
        self.ge_matrix = sparse.csr_matrix((weight[order] * e_rev[order], columns, indptr), shape=shape)

    def accumulate(self, step, v_pre, v_all, current, conductance):
        self._refresh()
        if not self.rows.size:
            return
        synapse = self.projection.synapse_type
        if self.per_pre:
            activation = synapse.activation((v_pre - self.pre_v_th) * self.pre_inv_delta)
        else:
            x = v_pre[self.sorted_pre]
            x -= self.v_th
            x *= self.inv_delta
            activation = synapse.activation(x)
        g_rows = self.g_matrix @ activation
        ge_rows = self.ge_matrix @ activation
        current[self.rows] += ge_rows - v_all[self.rows] * g_rows
        conductance[self.rows] += g_rows


class ElectricalCoupling(Coupling):
    """ElectricalSynapse: I_post += g·(V_pre − V_post), I_pre −= the same (rectified: only V_pre > V_post)."""

    def rebuild(self) -> None:
        super().rebuild()
        self.pre_slot = self.pre_slot_of_index[self.pre]
        local_pre = self.pre_slot >= 0
        if not np.all(local_pre) and self.engine.sim.comm.size == 1:  # pragma: no cover - defensive
            raise ConnectionError("electrical synapse with a presynaptic cell outside the simulation")
        self.pre_rows, self.pre_row_of_connection = np.unique(np.where(local_pre, self.pre_slot, -1),
                                                              return_inverse=True)
        # where the per-row sums go, worked out once: a slice when the rows are consecutive slots
        self.post_target = _as_slice(self.rows)
        local_rows = self.pre_rows >= 0
        self.pre_local = None if local_rows.all() else local_rows
        self.pre_target = _as_slice(self.pre_rows[local_rows])
        self._g_sums: tuple | None = None

    def conductance_sums(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Σ g per post row and per pre row; kept while the weights do not change when the
        junctions are not rectified (g is then the weights)."""
        if self.projection.synapse_type.rectified:
            return (np.bincount(self.row_of_connection, g, minlength=self.rows.size),
                    np.bincount(self.pre_row_of_connection, g, minlength=self.pre_rows.size))
        cached = self._g_sums
        if cached is None or cached[0] != self.table.version:
            cached = self._g_sums = (self.table.version,
                                     np.bincount(self.row_of_connection, g, minlength=self.rows.size),
                                     np.bincount(self.pre_row_of_connection, g, minlength=self.pre_rows.size))
        return cached[1], cached[2]

    def flows(self, v_pre: np.ndarray, v_all: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per junction: the current pre → post (nA) and its conductance (µS)."""
        weight = self.table.weight
        difference = v_pre[self.pre] - v_all[self.post_slot]
        g = np.where(difference > 0.0, weight, 0.0) if self.projection.synapse_type.rectified else weight
        return g * difference, g

    def slopes(self, g: np.ndarray, d_pre: np.ndarray, d_all: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per junction: g·Δ/2 of the other side, into post (Δ of pre) and into pre (Δ of post),
        Δ = v(t) − v(t − h) (CouplingSet: 0 without a usable previous value)."""
        half = 0.5 * g
        return half * d_pre[self.pre], half * d_all[self.post_slot]

    def add_post(self, flow: np.ndarray, g: np.ndarray, s_post: np.ndarray, couplings: "CouplingSet") -> None:
        """The postsynaptic side of the junctions, into the CouplingSet's per-slot sums."""
        n = self.rows.size
        target = self.post_target
        couplings.current[target] += np.bincount(self.row_of_connection, flow, minlength=n)
        g_rows = self.conductance_sums(g)[0]
        couplings.conductance[target] += g_rows
        couplings.slope[target] += np.bincount(self.row_of_connection, s_post, minlength=n)
        couplings.junction[target] += g_rows

    def accumulate_junctions(self, v_pre: np.ndarray, v_all: np.ndarray, d_all: np.ndarray,
                             couplings: "CouplingSet") -> None:
        """Both sides of the junctions on one process (several: CouplingSet.inputs with
        CellExchange); ``d_all``: Δ = v(t) − v(t − h) per slot."""
        if not self.pre.size:
            return
        flow, g = self.flows(v_pre, v_all)
        s_post, s_pre = self.slopes(g, d_all[self.pre_slot_of_index], d_all)
        self.add_post(flow, g, s_post, couplings)
        m = self.pre_rows.size
        couplings.add_pre_side(self, -np.bincount(self.pre_row_of_connection, flow, minlength=m),
                               self.conductance_sums(g)[1],
                               np.bincount(self.pre_row_of_connection, s_pre, minlength=m))


def _as_slice(rows: np.ndarray) -> Any:
    """Sorted distinct indices as a slice when they are consecutive (the same element-wise
    updates without fancy indexing), else themselves."""
    if rows.size and int(rows[-1]) - int(rows[0]) + 1 == rows.size:
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


class EventRoute:
    """Spike route of a SpikingConductanceCoupling: queues (arrival step, synapse) events."""

    def __init__(self, coupling: "SpikingConductanceCoupling", pre_lookup: dict[Any, np.ndarray]):
        self.coupling = coupling
        self.projection = coupling.projection
        self.pre_lookup = pre_lookup
        table = coupling.table
        pre = table.pre.astype(np.int64)
        order = np.argsort(pre, kind="stable")
        self.synapses = order
        counts = np.bincount(pre, minlength=coupling.projection.pre.size)
        self.indptr = np.r_[0, np.cumsum(counts)].astype(np.int64)

    def deliver(self, pre_index: np.ndarray, steps: np.ndarray, ring_size: int) -> None:
        csr, counts = csr_entries(self.indptr, pre_index)
        if csr.size == 0:
            return
        synapses = self.synapses[csr]
        arrival = np.repeat(steps, counts) + self.coupling.table.delay_steps[synapses]
        self.coupling.queue(arrival, synapses)


class SpikingConductanceCoupling(Coupling):
    """SpikingConductanceSynapse: per-connection g, saturating spike increments, exact exponential decay."""

    def __init__(self, projection, engine):
        self.pending: dict[int, list[np.ndarray]] = {}
        super().__init__(projection, engine)
        self.source = "spikes"
        self.initial_g = self.table.columns["g"].copy()

    def groups(self) -> list[Any]:
        return [pop for pop, _ in self.projection.post._segments()]

    def routes(self) -> list[Any]:
        return [EventRoute(self, pre_lookup(self.projection))]

    def queue(self, arrival: np.ndarray, synapses: np.ndarray) -> None:
        order = np.argsort(arrival, kind="stable")
        arrival, synapses = arrival[order], synapses[order]
        starts = np.flatnonzero(np.r_[True, arrival[1:] != arrival[:-1]])
        for start, stop in zip(starts, np.r_[starts[1:], arrival.size]):
            self.pending.setdefault(int(arrival[start]), []).append(synapses[start:stop])

    def _parameters_changed(self) -> None:
        h = self.engine.sim.dt
        tau = self.table.columns["tau_syn"]
        self.decay = np.exp(-h / tau)
        self.mean = tau / h * -np.expm1(-h / tau)   # exact mean of e^(−s/τ) over a step

    def _apply_arrivals(self, step: int) -> None:
        arrived = self.pending.pop(step, None)
        if not arrived:
            return
        synapses = np.concatenate(arrived)
        g = self.table.columns["g"]
        g_max = self.table.weight
        increment = self.table.columns["g_increment"]
        while synapses.size:   # one pass per spike of the same synapse in this step, in order
            unique, first = np.unique(synapses, return_index=True)
            g[unique] += np.maximum(np.minimum(increment[unique], g_max[unique] - g[unique]), 0.0)
            keep = np.ones(synapses.size, dtype=bool)
            keep[first] = False
            synapses = synapses[keep]

    def accumulate(self, step, v_pre, v_all, current, conductance):
        self._refresh()
        self._apply_arrivals(step)
        if not self.rows.size:
            return
        g = self.table.columns["g"]
        g_mean = g * self.mean
        n = self.rows.size
        g_rows = np.bincount(self.row_of_connection, g_mean, minlength=n)
        ge_rows = np.bincount(self.row_of_connection, g_mean * self.table.columns["e_rev"], minlength=n)
        current[self.rows] += ge_rows - v_all[self.rows] * g_rows
        conductance[self.rows] += g_rows
        g *= self.decay

    def reset(self) -> None:
        self.pending.clear()
        self.table.columns["g"][:] = self.initial_g

    def state_initialized(self, values: dict[str, np.ndarray]) -> None:
        if "g" in values:
            self.initial_g = self.table.columns["g"].copy()


#: SynapseType.coupling -> coupling class.
COUPLINGS: dict[str, type[Coupling]] = {
    "graded": GradedCoupling,
    "electrical": ElectricalCoupling,
    "spiking_conductance": SpikingConductanceCoupling,
}


def coupling_class(synapse_type: Any) -> type[Coupling] | None:
    """The coupling class of a continuous synapse type, None for spike-transmitting ones."""
    kind = getattr(synapse_type, "coupling", None)
    return COUPLINGS.get(kind) if kind is not None else None


class CouplingSet:
    """All couplings of an engine, the slots of the cells they touch and the per-step inputs.

    A slot is a cell's position in ``v_all``: the start-of-step membrane potentials of every
    coupled population (post populations, and pre populations of voltage-driven couplings),
    concatenated in a fixed order. Coupling objects persist across rebuilds of the routes
    (they hold per-synapse state and pending spike events).
    """

    def __init__(self, engine: "NumpyEngine"):
        self.engine = engine
        self.couplings: list[Coupling] = []
        self._by_projection: dict[Any, Coupling] = {}
        self.groups: list[Any] = []
        self.offset: dict[Any, int] = {}
        self.current = np.zeros(0)
        self.conductance = np.zeros(0)
        self.slope = np.zeros(0)      # Σ g·Δ_other/2 of the electrical junctions, per slot
        self.junction = np.zeros(0)   # Σ g of the electrical junctions, per slot
        self.electrical = False
        self._v_previous: np.ndarray | None = None   # v_all of the previous step
        self._recent = np.zeros(0)    # steps for which a slot's Δ is not used (after a reset of v)
        self._exchange: Any = None   # coupling_exchange.CellExchange, on several processes

    @property
    def exchange(self) -> "CellExchange":
        """The per-step exchange plan of several processes, built (collectively) at the first
        step after the couplings were (re)built."""
        if self._exchange is None:
            from pynnlite.backends.numpy.coupling_exchange import CellExchange   # it builds on this module
            self._exchange = CellExchange(self, self.engine.sim.comm)
        return self._exchange

    @property
    def active(self) -> bool:
        return bool(self.couplings)

    def __iter__(self):
        return iter(self.couplings)

    def __len__(self) -> int:
        return len(self.couplings)

    # -- building ----------------------------------------------------------------
    def build(self) -> list[Any]:
        """(Re)build the couplings of the simulation's continuous projections; returns the
        spike routes that feed them (per-synapse conductance synapses)."""
        engine = self.engine
        continuous = [p for p in engine.sim.projections if coupling_class(p.synapse_type) is not None]
        groups: list[Any] = []
        for projection in continuous:
            sides = [projection.post] + ([projection.pre] if projection.source in (None, "v") else [])
            for side in sides:
                for pop, _ in side._segments():
                    group = engine.groups[pop]
                    if not group.is_source and "v" in group.state and group not in groups:
                        groups.append(group)
        self.groups = groups
        self.offset = {}
        total = 0
        for group in groups:
            self.offset[group.population] = total
            total += group.n
        self.current = np.zeros(total)
        self.conductance = np.zeros(total)
        self.slope = np.zeros(total)
        self.junction = np.zeros(total)
        self._recent = np.zeros(total)
        self.forget_history()
        couplings, routes = [], []
        for projection in continuous:
            coupling = self._by_projection.get(projection)
            if coupling is None:
                coupling = coupling_class(projection.synapse_type)(projection, engine)
                self._by_projection[projection] = coupling
            else:
                coupling.rebuild()
            couplings.append(coupling)
            routes.extend(coupling.routes())
        self.couplings = couplings
        self.electrical = any(isinstance(c, ElectricalCoupling) for c in couplings)
        if self._exchange is not None:
            self._exchange.free()
            self._exchange = None
        return routes

    def slots_of(self, cells: Any) -> np.ndarray:
        """Slot of each cell of a Population/View/Assembly, in its index order (-1: not coupled
        or not on this process)."""
        parts = []
        for pop, indices in cells._segments():
            group = self.engine.groups[pop]
            offset = self.offset.get(pop)
            if offset is None or group.n == 0:
                parts.append(np.full(indices.size, -1, dtype=np.int64))
                continue
            positions = np.minimum(np.searchsorted(group.local_indices, indices), group.n - 1)
            local = group.local_indices[positions] == indices
            parts.append(np.where(local, offset + positions, -1))
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    # -- per step ----------------------------------------------------------------
    def inputs(self, step: int) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
        """Current (nA) and conductance (µS) of every coupled cell group for this step, all
        computed from the membrane potentials at the start of the step."""
        groups = self.groups
        v_all = np.concatenate([g.state["v"] for g in groups]) if groups else np.empty(0)
        self.current.fill(0.0)
        self.conductance.fill(0.0)
        d_all = None
        if self.electrical:
            d_all = self.deltas(v_all)
            self.slope.fill(0.0)
            self.junction.fill(0.0)
        if self.engine.sim.comm.size > 1:
            # the electrical junctions' presynaptic sides are exchanged first, then every
            # coupling adds its parts in the one-process order (post side, then pre side, coupling
            # by coupling), so that the sums into a cell are formed as on one process
            exchange = self.exchange
            exchange.exchange_pre_values(d_all)
            v_pre = {c: exchange.pre_values(c) if c.source != "spikes" else None for c in self.couplings}
            flows = {}
            for c in exchange.electrical:
                flow, g = c.flows(v_pre[c], v_all)
                flows[c] = (flow, g, *c.slopes(g, exchange.pre_values(c, deltas=True), d_all))
            for coupling, (flow, g, _, s_pre) in flows.items():
                exchange.stage_pre_currents(coupling, flow, g, s_pre)
            exchange.exchange_pre_currents()
            for coupling in self.couplings:
                if coupling in flows:
                    flow, g, s_post, _ = flows[coupling]
                    coupling.add_post(flow, g, s_post, self)
                    exchange.add_pre_currents(coupling, self.current, self.conductance, self.slope, self.junction)
                else:
                    coupling.accumulate(step, v_pre[coupling], v_all, self.current, self.conductance)
        else:
            for coupling in self.couplings:
                v_pre = self.engine.coupling_pre_values(coupling, v_all) if coupling.source != "spikes" else None
                if isinstance(coupling, ElectricalCoupling):
                    coupling.accumulate_junctions(v_pre, v_all, d_all, self)
                else:
                    coupling.accumulate(step, v_pre, v_all, self.current, self.conductance)
        inputs = {}
        for group in groups:
            offset = self.offset[group.population]
            part = slice(offset, offset + group.n)
            if self.electrical:
                self._extrapolate(group, part, d_all)
            inputs[group] = (self.current[part], self.conductance[part])
        return inputs

    #: θ of the junctions' bound on the extrapolation (``_extrapolate``): half the weight at
    #: which the two-step recurrence of a stiff junction reaches its stability limit.
    STABILITY_MARGIN = 0.5

    def _extrapolate(self, group: Any, part: slice, d_all: np.ndarray) -> None:
        """Second order for gap junctions: add w·(Σ g·Δ_other/2 [− G_j·Δ_own/2]) to the cells'
        coupling current, Δ = v(t) − v(t − h), i.e. take each side's potential at its linear
        extrapolation over the step, whose mean is v(t) + Δ/2, instead of v(t).

        Kernels that integrate the coupling conductance exactly (``coupling_conductance``) keep
        their own potential inside the step: only the other side is extrapolated; the others
        take the current constant over the step, so their own side is extrapolated too.
        w ∈ [0, 1] bounds the extrapolation where a junction is stiff (x = h·G/cm large, G the
        cell's coupling conductance): the two-step recurrence of the junctions' difference mode
        is stable for w < 2/(e^x − 1) (exact own side) or w < 1/x − 1 (explicit; the frozen,
        first-order w = 0 needs x < 1 there), whatever the leak; w is θ times that bound, at
        most 1, so 1 for x ≤ ln(1 + 2θ) (exact) or x ≤ θ/(1 + θ) (explicit), and → 1 as h → 0
        (second order kept)."""
        slope = self.slope[part]
        if not slope.any() and not d_all[part].any():
            return
        kernel = group.kernel
        theta = self.STABILITY_MARGIN
        x = self.conductance[part] * (self.engine.sim.dt / kernel.cm)
        if hasattr(kernel, "coupling_conductance"):
            w = (2.0 * theta) / np.maximum(np.expm1(x), 2.0 * theta)
            extra = slope
        else:
            knee = theta / (1.0 + theta)
            w = np.clip(theta * (1.0 - x) / np.maximum(x, knee), 0.0, 1.0)
            extra = slope - 0.5 * self.junction[part] * d_all[part]
        self.current[part] += w * extra

    # -- history of v for the junctions' extrapolation ----------------------------------
    def deltas(self, v_all: np.ndarray) -> np.ndarray:
        """Δ = v(t) − v(t − h) per slot; 0 at the first step, after reset()/initialize() or a
        change of the network (no previous value) and for two steps after a cell's spike reset
        its v (``fired``; two: a GIF cell's v is reset one step after its spike)."""
        previous = self._v_previous
        self._v_previous = v_all
        if previous is None or previous.size != v_all.size:
            return np.zeros(v_all.size)
        delta = v_all - previous
        recent = self._recent
        if recent.any():
            delta[recent > 0.0] = 0.0
            np.maximum(recent - 1.0, 0.0, out=recent)
        return delta

    def fired(self, group: Any, cells: np.ndarray) -> None:
        """The engine's report of the cells of a coupled group that fired in a step."""
        if not self.electrical or not group.kernel.spike_resets_v or not cells.any():
            return
        offset = self.offset.get(group.population)
        if offset is not None:
            self._recent[offset:offset + group.n][cells] = 2.0

    def forget_history(self) -> None:
        self._v_previous = None
        self._recent.fill(0.0)

    @staticmethod
    def add_to(group: Any, i_ext: np.ndarray | None, current: np.ndarray, conductance: np.ndarray) -> np.ndarray:
        """i_ext plus the coupling current; kernels that integrate the coupling conductance
        exactly (a ``coupling_conductance`` attribute) receive it too."""
        if hasattr(group.kernel, "coupling_conductance"):
            group.kernel.coupling_conductance = conductance
        return current if i_ext is None else i_ext + current

    def pre_values(self, coupling: Coupling, v_all: np.ndarray) -> np.ndarray:
        """Start-of-step values of the coupling's source variable for every presynaptic cell, on
        one process (several processes: ``CellExchange.pre_values``)."""
        if coupling.source == "v":
            return v_all[coupling.pre_slot_of_index]
        parts = []
        for pop, indices in coupling.projection.pre._segments():
            group = self.engine.groups[pop]
            parts.append(group.state[coupling.source][np.searchsorted(group.local_indices, indices)])
        return np.concatenate(parts) if parts else np.empty(0)

    def add_pre_side(self, coupling: "ElectricalCoupling", current: np.ndarray, conductance: np.ndarray,
                     slope: np.ndarray) -> None:
        """Add the presynaptic side of electrical junctions, per presynaptic row of the coupling
        (one process; under MPI CellExchange.add_pre_currents sums it over all processes)."""
        local, target = coupling.pre_local, coupling.pre_target   # rows on this process, where they go
        if local is not None:
            current, conductance, slope = current[local], conductance[local], slope[local]
        self.current[target] += current
        self.conductance[target] += conductance
        self.slope[target] += slope
        self.junction[target] += conductance

    # -- state ---------------------------------------------------------------------
    def reset(self) -> None:
        self.forget_history()
        for coupling in self._by_projection.values():
            coupling.reset()

    def state_initialized(self, projection: Any, values: dict[str, np.ndarray]) -> None:
        coupling = self._by_projection.get(projection)
        if coupling is not None:
            coupling.state_initialized(values)
