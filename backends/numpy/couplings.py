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
electrical synapses send current back to presynaptic cells. The potentials come
through ``NumpyEngine.coupling_pre_values`` (``comm.exchange_cell_values`` on
several processes); on one process the presynaptic currents go through
``coupling_pre_currents``, on several ``ElectricalCoupling.accumulate`` sums them
over all processes (``comm.allreduce_sum``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from pynnlite.backends.numpy.delivery import csr_entries
from pynnlite.backends.numpy.spikes import pre_lookup
from pynnlite.errors import CommunicationError, ConnectionError

if TYPE_CHECKING:  # pragma: no cover
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

    def accumulate(self, step, v_pre, v_all, current, conductance):
        comm = self.engine.sim.comm
        if not self.pre.size and comm.size == 1:
            return
        weight = self.table.weight
        difference = v_pre[self.pre] - v_all[self.post_slot]
        g = np.where(difference > 0.0, weight, 0.0) if self.projection.synapse_type.rectified else weight
        flow = g * difference       # pre → post
        n = self.rows.size
        current[self.rows] += np.bincount(self.row_of_connection, flow, minlength=n)
        conductance[self.rows] += np.bincount(self.row_of_connection, g, minlength=n)
        if comm.size > 1:
            # the junctions' other ends may be on other processes: every process sums the
            # presynaptic side over all junctions (one collective per step, on every process,
            # also those without junctions) and keeps its own cells' part
            n_pre = self.projection.pre.size
            both = np.concatenate([-np.bincount(self.pre, flow, minlength=n_pre),
                                   np.bincount(self.pre, g, minlength=n_pre)])
            both = np.asarray(comm.allreduce_sum(both))
            slots = self.pre_slot_of_index
            local = slots >= 0
            current[slots[local]] += both[:n_pre][local]
            conductance[slots[local]] += both[n_pre:][local]
            return
        m = self.pre_rows.size
        pre_current = -np.bincount(self.pre_row_of_connection, flow, minlength=m)
        pre_conductance = np.bincount(self.pre_row_of_connection, g, minlength=m)
        self.engine.coupling_pre_currents(self, self.pre_rows, pre_current, pre_conductance)


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
        for coupling in self.couplings:
            v_pre = self.engine.coupling_pre_values(coupling, v_all) if coupling.source != "spikes" else None
            coupling.accumulate(step, v_pre, v_all, self.current, self.conductance)
        inputs = {}
        for group in groups:
            offset = self.offset[group.population]
            inputs[group] = (self.current[offset:offset + group.n], self.conductance[offset:offset + group.n])
        return inputs

    @staticmethod
    def add_to(group: Any, i_ext: np.ndarray | None, current: np.ndarray, conductance: np.ndarray) -> np.ndarray:
        """i_ext plus the coupling current; kernels that integrate the coupling conductance
        exactly (a ``coupling_conductance`` attribute) receive it too."""
        if hasattr(group.kernel, "coupling_conductance"):
            group.kernel.coupling_conductance = conductance
        return current if i_ext is None else i_ext + current

    def pre_values(self, coupling: Coupling, v_all: np.ndarray, comm: Any) -> np.ndarray:
        """Start-of-step values of the coupling's source variable for every presynaptic cell.

        One process: read from ``v_all`` (or the groups' state for another variable). Several
        processes: the values of presynaptic cells on other processes are exchanged every step
        with ``comm.exchange_cell_values(population, local_values) -> values of all cells``,
        which the MPI communicator has to provide."""
        slots = coupling.pre_slot_of_index
        if coupling.source == "v" and comm.size == 1:
            return v_all[slots]
        # several processes: every process takes part in the exchange, whether or not its
        # own presynaptic cells are all local (a per-process choice would deadlock)
        exchange = getattr(comm, "exchange_cell_values", None) if comm.size > 1 else None
        if comm.size > 1 and exchange is None:
            raise CommunicationError("graded/electrical synapses across processes need a communicator "
                                     "with exchange_cell_values (the MPI backend's has it)")
        parts = []
        for pop, indices in coupling.projection.pre._segments():
            group = self.engine.groups[pop]
            local = group.state[coupling.source]
            if exchange is not None:
                parts.append(np.asarray(exchange(pop, local))[indices])
            else:
                parts.append(local[np.searchsorted(group.local_indices, indices)])
        return np.concatenate(parts) if parts else np.empty(0)

    def add_pre_currents(self, coupling: Coupling, rows: np.ndarray, current: np.ndarray,
                         conductance: np.ndarray, comm: Any) -> None:
        """Add the presynaptic side of electrical junctions per presynaptic slot (one process;
        under MPI ElectricalCoupling.accumulate sums it over all processes itself)."""
        local = rows >= 0
        self.current[rows[local]] += current[local]
        self.conductance[rows[local]] += conductance[local]

    # -- state ---------------------------------------------------------------------
    def reset(self) -> None:
        for coupling in self._by_projection.values():
            coupling.reset()

    def state_initialized(self, projection: Any, values: dict[str, np.ndarray]) -> None:
        coupling = self._by_projection.get(projection)
        if coupling is not None:
            coupling.state_initialized(values)
