"""The couplings' per-step communication on several processes (``CellExchange``).

Each step every process needs the start-of-step potential of the presynaptic cells of its
couplings (graded and electrical synapses), and electrical junctions send current back to
their presynaptic cells. ``CellExchange`` plans both once per (re)build of the couplings:
per step one Allgatherv of the potentials (with electrical junctions, each followed by its
cell's Δ = v(t) − v(t − h) for the junctions' extrapolation, see ``couplings.py``) of the
cells other processes read and, with electrical junctions across processes, one of the
presynaptic sides of those junctions; without headers, on persistent requests
(``comm.fixed_allgatherv``). Sums into a cell are formed in the one-process order, so results
equal the numpy backend's.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from pynnlite.backends.numpy.couplings import Coupling, CouplingSet, ElectricalCoupling
from pynnlite.errors import CommunicationError

__all__ = ["CellExchange"]


_KEY = np.int64(1) << 32   # (index, cell) keys of the exchange plans: index·2³² + cell


def _owners(cells: Any, size: int) -> tuple[np.ndarray, np.ndarray, list, np.ndarray]:
    """Per index of a Population/View/Assembly: owning process and index within its population;
    the populations of its segments, and the segment of each index."""
    pops, segment, within = [], [], []
    for k, (pop, indices) in enumerate(cells._segments()):
        pops.append(pop)
        segment.append(np.full(indices.size, k, dtype=np.int64))
        within.append(np.asarray(indices, dtype=np.int64))
    segment = np.concatenate(segment) if segment else np.empty(0, dtype=np.int64)
    within = np.concatenate(within) if within else np.empty(0, dtype=np.int64)
    first = np.array([p.first_id for p in pops], dtype=np.int64)
    owner = (first[segment] + within) % size if within.size else within
    return owner, within, pops, segment


class CellExchange:
    """The per-step communication of the couplings on several processes, planned once per
    (re)build: at most two collectives per step for all couplings together, without headers,
    on buffers allocated once.

    * Presynaptic values: one Allgatherv of the source values (``v``, ...) of exactly the
      cells some other process's couplings read, every process's part in a fixed layout
      (known to all from one exchange of the needed cells when planned). The values are
      copied, never computed with, so graded synapses stay bitwise equal to one process.
    * Electrical junctions: the presynaptic side of junctions whose presynaptic cell is on
      another process, one Allgatherv of (current, conductance) per such cell and process,
      summed on the cell's process in rank order (as the former ``allreduce_sum``).
    """

    def __init__(self, couplings: CouplingSet, comm: Any):
        if not hasattr(comm, "fixed_allgatherv"):
            raise CommunicationError("graded/electrical synapses across processes need a communicator "
                                     "with fixed_allgatherv (the MPI backend's has it)")
        self.couplings, self.comm = couplings, comm
        rank, size = comm.rank, comm.size
        engine = couplings.engine
        # -- presynaptic values -------------------------------------------------
        self.pairs: dict[tuple[Any, str], int] = {}
        self.layout: dict[Any, list[tuple[int, np.ndarray]]] = {}   # coupling -> (pair, indices) per segment
        needed = []
        for coupling in couplings.couplings:
            if coupling.source == "spikes":
                continue
            owner, within, pops, segment = _owners(coupling.projection.pre, size)
            pair_of_segment = []
            for pop in pops:
                pair_of_segment.append(self.pairs.setdefault((pop, coupling.source), len(self.pairs)))
            self.layout[coupling] = [(pair_of_segment[k], idx) for k, (_, idx)
                                     in enumerate(coupling.projection.pre._segments())]
            used = np.unique(coupling.pre)
            remote = used[owner[used] != rank]
            pair = np.asarray(pair_of_segment, dtype=np.int64)[segment[remote]]
            needed.append(pair * _KEY + within[remote])
        needed = np.unique(np.concatenate(needed)) if needed else np.empty(0, dtype=np.int64)
        everyone = np.unique(np.concatenate(comm.allgather_arrays(needed)))   # the same on all processes
        pair_list = list(self.pairs)
        first = np.array([pop.first_id for pop, _ in pair_list], dtype=np.int64)
        key_pair, key_cell = everyone // _KEY, everyone % _KEY
        key_owner = (first[key_pair] + key_cell) % size if everyone.size else everyone
        layout = np.lexsort((everyone, key_owner))       # by owning process, then key
        key_pair, key_cell, key_owner = key_pair[layout], key_cell[layout], key_owner[layout]
        # with electrical junctions every value is followed (after this process's values) by its
        # cell's Δ = v(t) − v(t − h) as the owning process knows it (0 after a reset: see
        # CouplingSet.deltas), so that no process needs another's spikes to extrapolate
        self.with_deltas = any(isinstance(c, ElectricalCoupling) for c in couplings.couplings)
        width = 2 if self.with_deltas else 1
        n_mine = int(np.count_nonzero(key_owner == rank))
        self.values_plan = comm.fixed_allgatherv(width * n_mine) if everyone.size else None
        self.n_mine = n_mine
        self.values = {}   # pair -> every cell's value of the population (only needed ones kept current)
        self.deltas = {}   # pair -> every cell's Δ (with_deltas)
        self.sends, self.receives, self.locals = [], [], []
        mine = key_owner == rank
        offset = 0
        counts = np.bincount(key_owner, minlength=size) if everyone.size else np.zeros(size, np.int64)
        starts = np.r_[0, np.cumsum(counts)][:-1]
        for p, (pop, source) in enumerate(pair_list):
            group = engine.groups[pop]
            self.values[p] = np.zeros(pop.size)
            self.deltas[p] = np.zeros(pop.size)
            self.locals.append((group, source, group.local_indices))
            cells = key_cell[mine & (key_pair == p)]
            positions = np.searchsorted(group.local_indices, cells)
            self.sends.append((group, source, positions, slice(offset, offset + cells.size)))
            offset += cells.size
            theirs = np.flatnonzero(~mine & (key_pair == p))
            cells_theirs = key_cell[theirs]
            if self.with_deltas:   # rank r's part is its values, then their Δs
                owner_theirs = key_owner[theirs]
                theirs = theirs + starts[owner_theirs]
                self.receives.append((p, cells_theirs, theirs, theirs + counts[owner_theirs]))
            else:
                self.receives.append((p, cells_theirs, theirs, None))
        # -- electrical junctions -------------------------------------------------
        self.electrical = [c for c in couplings.couplings if isinstance(c, ElectricalCoupling)]
        self.staged: dict[Any, tuple] = {}
        keys, self.remote, self.send_start = [], {}, {}
        for e, coupling in enumerate(self.electrical):
            is_local = coupling.pre_slot >= 0
            own_targets, own_rows = np.unique(coupling.pre_slot[is_local], return_inverse=True)
            remote_cells, remote_rows = np.unique(coupling.pre[~is_local], return_inverse=True)
            self.remote[coupling] = (np.flatnonzero(is_local), own_targets, own_rows,
                                     np.flatnonzero(~is_local), remote_cells, remote_rows)
            self.send_start[coupling] = sum(k.size for k in keys)
            keys.append(e * _KEY + remote_cells)
        keys = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
        all_keys = comm.allgather_arrays(keys) if self.electrical else []
        total = sum(k.size for k in all_keys)
        self.currents_plan = comm.fixed_allgatherv(3 * keys.size) if total else None
        self.n_keys = keys.size
        # per electrical coupling, worked out once: every process's parts for this process's
        # cells laid out in rank order (this process's own part at its rank), so that one
        # bincount per step sums each cell's parts in rank order
        self.incoming: dict[Any, tuple] = {}
        offsets = self.currents_plan.offsets if self.currents_plan is not None else np.zeros(size + 1, np.int64)
        for e, coupling in enumerate(self.electrical):
            owner, _, _, _ = _owners(coupling.projection.pre, size)
            slots_of = coupling.pre_slot_of_index
            own_targets = self.remote[coupling][1]
            targets, recv_current, recv_conductance, recv_slope = [], [], [], []
            own = slice(0, 0)
            length = 0
            for r, k in enumerate(all_keys):
                if r == rank:
                    cells_slots = own_targets
                    own = slice(length, length + own_targets.size)
                else:
                    hit = np.flatnonzero(k // _KEY == e)
                    cells = k[hit] % _KEY
                    take = owner[cells] == rank
                    hit, cells_slots = hit[take], slots_of[cells[take]]
                    recv_current.append(int(offsets[r]) + hit)
                    recv_conductance.append(int(offsets[r]) + k.size + hit)
                    recv_slope.append(int(offsets[r]) + 2 * k.size + hit)
                targets.append(cells_slots)
                length += cells_slots.size
            targets = np.concatenate(targets)
            union = np.unique(targets)
            others = np.r_[0:own.start, own.stop:length]
            self.incoming[coupling] = (union, np.searchsorted(union, targets), own, others,
                                       np.concatenate(recv_current), np.concatenate(recv_conductance),
                                       np.concatenate(recv_slope))

    def free(self) -> None:
        for plan in (self.values_plan, self.currents_plan):
            if plan is not None:
                plan.free()

    # -- presynaptic values ------------------------------------------------------------
    def exchange_pre_values(self, d_all: np.ndarray | None = None) -> None:
        """The presynaptic values (and, with electrical junctions, the Δs ``d_all`` per slot)."""
        plan = self.values_plan
        offsets = self.couplings.offset
        if plan is not None:
            n_mine = self.n_mine
            for group, source, positions, where in self.sends:
                np.take(group.state[source], positions, out=plan.send[where])
                if self.with_deltas:
                    start = offsets.get(group.population)
                    if source == "v" and start is not None:
                        np.take(d_all, start + positions, out=plan.send[where.start + n_mine:where.stop + n_mine])
                    else:
                        plan.send[where.start + n_mine:where.stop + n_mine] = 0.0
            plan.exchange()
        for p, (group, source, local_indices) in enumerate(self.locals):
            self.values[p][local_indices] = group.state[source]
            if self.with_deltas:
                start = offsets.get(group.population)
                if source == "v" and start is not None:
                    self.deltas[p][local_indices] = d_all[start:start + group.n]
        if plan is not None:
            recv = plan.recv
            for p, cells, positions, delta_positions in self.receives:
                self.values[p][cells] = recv[positions]
                if delta_positions is not None:
                    self.deltas[p][cells] = recv[delta_positions]

    def pre_values(self, coupling: Coupling, deltas: bool = False) -> np.ndarray:
        parts = []
        for p, indices in self.layout[coupling]:
            values = self.deltas[p] if deltas else self.values[p]
            parts.append(values if indices.size == values.size and np.array_equal(indices, np.arange(values.size))
                         else values[indices])
        return parts[0] if len(parts) == 1 else (np.concatenate(parts) if parts else np.empty(0))

    # -- electrical junctions -------------------------------------------------------------
    def stage_pre_currents(self, coupling: Coupling, flow: np.ndarray, g: np.ndarray, s_pre: np.ndarray) -> None:
        own_conn, own_targets, own_rows, remote_conn, remote_cells, remote_rows = self.remote[coupling]
        m = own_targets.size
        self.staged[coupling] = (-np.bincount(own_rows, flow[own_conn], minlength=m),
                                 np.bincount(own_rows, g[own_conn], minlength=m),
                                 np.bincount(own_rows, s_pre[own_conn], minlength=m))
        if remote_cells.size:
            start = self.send_start[coupling]
            n = remote_cells.size
            k = self.n_keys
            send = self.currents_plan.send
            send[start:start + n] = -np.bincount(remote_rows, flow[remote_conn], minlength=n)
            send[k + start:k + start + n] = np.bincount(remote_rows, g[remote_conn], minlength=n)
            send[2 * k + start:2 * k + start + n] = np.bincount(remote_rows, s_pre[remote_conn], minlength=n)

    def exchange_pre_currents(self) -> None:
        """The staged presynaptic sides of every process (one collective, if any crosses)."""
        if self.currents_plan is not None:
            self.currents_plan.exchange()

    def add_pre_currents(self, coupling: Coupling, current: np.ndarray, conductance: np.ndarray,
                         slope: np.ndarray, junction: np.ndarray) -> None:
        """Add the presynaptic side of ``coupling``'s junctions onto this process's cells, each
        cell's parts of every process summed in rank order."""
        union, rows, own, others, recv_current, recv_conductance, recv_slope = self.incoming[coupling]
        if not union.size:
            return
        own_current, own_conductance, own_slope = self.staged[coupling]
        for targets, own_part, recv_index in (((current,), own_current, recv_current),
                                              ((conductance, junction), own_conductance, recv_conductance),
                                              ((slope,), own_slope, recv_slope)):
            parts = np.empty(rows.size)
            parts[own] = own_part
            if others.size:
                parts[others] = self.currents_plan.recv[recv_index]
            summed = np.bincount(rows, parts, minlength=union.size)
            for target in targets:
                target[union] += summed
