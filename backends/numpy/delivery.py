"""Spike delivery through static synapses: every static projection onto a stepping unit (a
cell group, or a batch of them: batches.py) merged into one table, so that a communication
slice costs one vectorised scatter per unit.

The table is a CSR keyed by presynaptic cell: the cells of every population that projects
onto the group are numbered consecutively (``sources``: population -> first key), and the
synapses of key ``k`` are entries ``indptr[k]:indptr[k+1]``, ordered by projection (creation
order) and then by the projection's own pre-sorted order. Each entry holds, contiguously, what
a spike needs: the flat target (receptor row × unit cells + column), the weight (signed as
routed: a negative current-based weight goes to the inhibitory row as −|w|) and the delay in
steps (one number when every entry has the same delay, the common case).

Weights and delays are copied from the projections' columns when a column's version changed
since the last run (``refresh``), so static weights set between runs take effect, and the
scatter reads them contiguously instead of gathering from the connection tables.

The additions into each ring-buffer element happen in a fixed order — spikes in the exchanged
(canonical) order, population by population, then the entries of each spike's key — which
does not depend on how many processes share the network, so results stay bitwise identical
across process counts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pynnlite.connectors.base import ranges

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.backends.numpy.engine import Route


def _index_dtype(limit: int) -> type:
    return np.int32 if limit < 2**31 else np.int64


class GroupDelivery:
    """The static synapses of every projection onto one stepping unit (see the module docstring)."""

    def __init__(self, unit: Any, routes: list["Route"]):
        self.unit = unit
        self.routes = routes
        self.sources: dict[Any, int] = {}
        for route in routes:
            for population in route.pre_lookup:
                if population not in self.sources:
                    self.sources[population] = sum(p.size for p in self.sources)
        n_keys = sum(p.size for p in self.sources)
        keys, ids, owners = [], [], []
        for number, route in enumerate(routes):
            pre_key = np.full(route.projection.pre.size, -1, dtype=np.int64)
            for population, lookup in route.pre_lookup.items():
                members = np.flatnonzero(lookup >= 0)
                pre_key[lookup[members]] = self.sources[population] + members
            keys.append(np.repeat(pre_key, np.diff(route.indptr)))
            ids.append(route.synapses)
            owners.append(np.full(route.synapses.size, number, dtype=np.min_scalar_type(len(routes))))
        key = np.concatenate(keys) if keys else np.empty(0, np.int64)
        order = np.argsort(key, kind="stable")     # by key, then projection, then pre-sorted order
        self.indptr = np.r_[0, np.cumsum(np.bincount(key, minlength=n_keys))].astype(np.int64)
        columns = [r.post_position + r.post_group.offset for r in routes]
        positions = np.concatenate(columns)[order] if routes else np.empty(0, np.int64)
        self.ids = (np.concatenate(ids)[order] if routes else np.empty(0, np.int64)).astype(
            _index_dtype(max((len(r.table) for r in routes), default=0)))
        self.owner = np.concatenate(owners)[order] if routes else np.empty(0, np.uint8)
        self.n = unit.n
        stride_limit = max(len(unit.receptors), 1) * max(unit.n, 1)
        self.target = positions.astype(_index_dtype(stride_limit))   # rows added by refresh()
        self.weight = np.empty(self.ids.size)
        self.delay: np.ndarray | int = 0
        self._versions: list[int] | None = None

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def refresh(self) -> None:
        """Copy weights (signed, with their receptor row) and delays from the projections'
        columns if any changed since the last copy."""
        versions = [route.table.version for route in self.routes]
        if versions == self._versions:
            return
        position = self.target % self.n if self.n else self.target
        delays = np.empty(self.ids.size, dtype=np.int64)
        single = len(self.routes) == 1
        for number, route in enumerate(self.routes):
            where = slice(None) if single else np.flatnonzero(self.owner == number)
            ids = self.ids[where]
            weights = route.table.weight[ids]
            if route.sign_routed:
                inhibitory = (weights < 0) | (route.receptor_row == route.inhibitory_row)
                rows = np.where(inhibitory, route.inhibitory_row, 1 - route.inhibitory_row)
                weights = np.where(inhibitory, -np.abs(weights), weights)
            else:
                rows = route.receptor_row
            self.weight[where] = weights
            self.target[where] = rows * self.n + position[where]
            delays[where] = route.table.delay_steps[ids]
        if delays.size and delays.min() == delays.max():
            self.delay = int(delays[0])
        else:
            self.delay = delays.astype(np.int32)
        self._versions = versions

    def deliver(self, exchanged: dict, ring_size: int) -> None:
        """Add the weights of the synapses of this slice's spikes (``exchanged``: population ->
        (indices, steps)) to the unit's ring buffer at their arrival steps."""
        keys, steps = [], []
        for population, first in self.sources.items():
            indices, spike_steps = exchanged.get(population, (None, None))
            if indices is not None and indices.size:
                keys.append(indices + first if first else indices)
                steps.append(spike_steps)
        if not keys:
            return
        if len(keys) > 1:
            key, step = np.concatenate(keys), np.concatenate(steps)
        else:
            key, step = keys[0], steps[0]
        starts = self.indptr[key]
        counts = self.indptr[key + 1] - starts
        entries = ranges(starts, counts)
        if entries.size == 0:
            return
        buffer = self.unit.buffer
        stride = buffer.shape[1] * self.n
        if isinstance(self.delay, int):
            slot = (step + self.delay) % ring_size
            slot *= stride
            flat = np.repeat(slot, counts)
        else:
            flat = np.repeat(step, counts)
            flat += self.delay[entries]
            flat %= ring_size
            flat *= stride
        flat += self.target[entries]
        np.add.at(buffer.reshape(-1), flat, self.weight[entries])


def group_deliveries(routes: list["Route"]) -> dict[Any, GroupDelivery]:
    """One GroupDelivery per stepping unit receiving these static routes (routes keep their order)."""
    by_unit: dict[Any, list] = {}
    for route in routes:
        by_unit.setdefault(route.post_group.unit, []).append(route)
    return {unit: GroupDelivery(unit, members) for unit, members in by_unit.items()}
