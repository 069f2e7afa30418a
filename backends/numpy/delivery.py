"""Spike delivery through static synapses: every static projection onto a stepping unit (a
cell group, or a batch of them: batches.py) merged into one table, so that a communication
slice costs one vectorised scatter per unit.

The table is a CSR keyed by the presynaptic cell's global id (spikes.py): the synapses of the
cell with id ``k`` are entries ``indptr[k]:indptr[k+1]``, ordered by projection (creation
order) and then by connection (creation order). Each entry is one 16-byte record of what a
spike needs: the flat target (receptor row × unit cells + column) and the weight (signed as
routed: a negative current-based weight goes to the inhibitory row as −|w|), so that a
spike's synapses are one contiguous run of memory (one gather instead of two: the lookups of
a slice's spikes miss the caches, and every MPI process makes them for every spike). The
delay in steps is one number when every entry has the same delay (the common case), else
an array beside the records.

Weights and delays are copied from the projections' columns when a column's version changed
since the last run (``refresh``), so static weights set between runs take effect, and the
scatter reads them contiguously instead of gathering from the connection tables.

The additions into each ring-buffer element happen in a fixed order — spikes in the exchanged
(canonical) order, by (step, global id), then the entries of each spike's key — which
does not depend on how many processes share the network, so results stay bitwise identical
across process counts.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from pynnlite.backends.numpy.spikes import pre_cells


def _index_dtype(limit: int) -> type:
    return np.int32 if limit < 2**31 else np.int64


#: One synapse of a GroupDelivery: flat target in the unit's ring-buffer slot, and weight.
ENTRY = np.dtype([("target", np.int64), ("weight", np.float64)])

_counting = np.arange(1024, dtype=np.int64)


def csr_entries(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the entries of CSR rows ``rows`` (concatenated, rows in the given order)
    and each row's entry count."""
    global _counting
    starts = indptr[rows]
    counts = indptr[rows + 1] - starts
    ends = np.cumsum(counts)
    total = int(ends[-1]) if ends.size else 0
    if _counting.size < total:
        _counting = np.arange(max(total, 2 * _counting.size), dtype=np.int64)
    shift = starts - ends
    shift += counts            # each row's start minus the entries before it
    entries = np.repeat(shift, counts)
    entries += _counting[:total]
    return entries, counts


STANDARD_RECEPTORS = ("excitatory", "inhibitory")


class StaticPart:
    """The static connections of one projection onto one cell group: connection ids, the local
    position of each one's post cell, and how its weights reach the receptors."""

    def __init__(self, projection: Any, group: Any, ids: np.ndarray, positions: np.ndarray,
                 pre_lookup: dict[Any, np.ndarray]):
        self.projection, self.table, self.group = projection, projection._table, group
        self.ids = ids.astype(_index_dtype(len(self.table)), copy=False)
        self.positions = np.asarray(positions).astype(_index_dtype(max(group.n, 1)), copy=False)
        self.pre_lookup = pre_lookup   # base population -> projection pre index per population index (-1: none)
        self.receptor_row, self.sign_routed, self.inhibitory_row = receptor_routing(projection, group)


def receptor_routing(projection: Any, group: Any) -> tuple[int, bool, int]:
    """(receptor row of the projection's receptor type, whether weights are routed by sign,
    the inhibitory row). Current-based cells with the standard receptors take a negative
    weight on the excitatory receptor as −|w| on the inhibitory one (PyNN semantics)."""
    receptors = group.receptors
    row = receptors.index(projection.receptor_type) if receptors else 0
    sign_routed = (not group.population.celltype.conductance_based
                   and projection.receptor_type in STANDARD_RECEPTORS and STANDARD_RECEPTORS[1] in receptors)
    return row, sign_routed, (receptors.index("inhibitory") if sign_routed else 0)


def rows_and_weights(routing: Any, weights: np.ndarray) -> tuple[Any, np.ndarray]:
    """Receptor row (a number, or one per weight) and the weight each synapse adds there, for
    an object with ``receptor_row``, ``sign_routed`` and ``inhibitory_row`` (receptor_routing)."""
    if not routing.sign_routed:
        return routing.receptor_row, weights
    if routing.receptor_row != routing.inhibitory_row and (weights.size == 0 or weights.min() >= 0.0):
        return 1 - routing.inhibitory_row, weights   # no negative weight: all through the excitatory row
    inhibitory = (weights < 0) | (routing.receptor_row == routing.inhibitory_row)
    rows = np.where(inhibitory, routing.inhibitory_row, 1 - routing.inhibitory_row)
    return rows, np.where(inhibitory, -np.abs(weights), weights)


class GroupDelivery:
    """The static synapses of every projection onto one stepping unit (see the module docstring)."""

    def __init__(self, unit: Any, parts: list[StaticPart], n_cells: int):
        self.unit = unit
        self.parts = parts
        n_keys = int(n_cells)
        key_type = _index_dtype(n_keys)
        keys = []
        for part in parts:
            pre_key = np.full(part.projection.pre.size, -1, dtype=key_type)
            for population, cells, pre in pre_cells(part.pre_lookup):
                pre_key[pre] = population.first_id + cells
            keys.append(pre_key[part.table.pre[part.ids]])
        key = np.concatenate(keys) if keys else np.empty(0, key_type)
        del keys
        order = np.argsort(key, kind="stable")     # by key, then projection, then connection order
        self.indptr = np.r_[0, np.cumsum(np.bincount(key, minlength=n_keys))].astype(np.int64)
        del key
        self.n = unit.n
        column_type = _index_dtype(max(len(unit.receptors), 1) * max(unit.n, 1))

        def merged(arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
            if not arrays:
                return np.empty(0, dtype)
            return np.concatenate([a.astype(dtype, copy=False) for a in arrays])[order]

        self.ids = merged([p.ids for p in parts], _index_dtype(max((len(p.table) for p in parts), default=0)))
        self.owner = merged([np.full(p.ids.size, k, dtype=np.min_scalar_type(len(parts))) for k, p in enumerate(parts)],
                            np.min_scalar_type(len(parts)))
        self.entries = np.zeros(self.ids.size, dtype=ENTRY)
        # column in the unit's arrays; the receptor row is added by refresh()
        self.entries["target"] = merged([p.positions.astype(column_type) + p.group.offset for p in parts],
                                        column_type)
        self.delay: np.ndarray | int = 0
        self._versions: list[int] | None = None

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def refresh(self) -> None:
        """Copy weights (signed, with their receptor row) and delays from the projections'
        columns if any changed since the last copy."""
        versions = [part.table.version for part in self.parts]
        if versions == self._versions:
            return
        delays = np.empty(self.ids.size, dtype=np.int32)
        single = len(self.parts) == 1
        for number, part in enumerate(self.parts):
            where = slice(None) if single else np.flatnonzero(self.owner == number)
            ids = self.ids[where]
            rows, weights = rows_and_weights(part, part.table.weight[ids])
            self.entries["weight"][where] = weights
            if self.n:
                targets = self.entries["target"]
                targets[where] = rows * self.n + targets[where] % self.n
            delays[where] = part.table.delay_steps[ids]
        if delays.size and delays.min() == delays.max():
            self.delay = int(delays[0])
        else:
            self.delay = delays
        self._versions = versions

    def deliver(self, gids: np.ndarray, steps: np.ndarray, ring_size: int) -> None:
        """Add the weights of the synapses of a slice's spikes (global ids and steps of every
        process, in the canonical order) to the unit's ring buffer at their arrival steps."""
        if gids.size == 0:
            return
        positions, counts = csr_entries(self.indptr, gids)
        if positions.size == 0:
            return
        entries = self.entries.take(positions)
        buffer = self.unit.buffer
        stride = buffer.shape[1] * self.n
        if isinstance(self.delay, int):
            slot = (steps + self.delay) % ring_size
            slot *= stride
            flat = np.repeat(slot, counts)
        else:
            flat = np.repeat(steps, counts)
            flat += self.delay.take(positions)
            flat %= ring_size
            flat *= stride
        flat += entries["target"]
        np.add.at(buffer.reshape(-1), flat, entries["weight"])


def group_deliveries(parts: list[StaticPart], n_cells: int) -> dict[Any, GroupDelivery]:
    """One GroupDelivery per stepping unit receiving these static connections (parts keep
    their order: projections in creation order)."""
    by_unit: dict[Any, list] = {}
    for part in parts:
        by_unit.setdefault(part.group.unit, []).append(part)
    return {unit: GroupDelivery(unit, members, n_cells) for unit, members in by_unit.items()}
