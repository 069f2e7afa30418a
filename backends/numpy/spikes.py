"""A communication slice's spikes: global cell ids and steps, in one canonical order.

Every cell has a global id (``population.first_id + index``, the same on every process).
A spike travels as one int64 key ``(step − slice start) << 32 | gid``; sorting the keys of
all processes gives the order (step, gid) whatever the number of processes, so deliveries
add into the ring buffers in the same order on 1 or N processes (bitwise-equal results).
Spike sources' spikes are exchanged one slice ahead, so a slice's keys hold steps up to two
slices after its start: far below the 2**16 steps the key leaves for the step.
"""
from __future__ import annotations

from typing import Any

import numpy as np

GID_BITS = 32
GID_MASK = (1 << GID_BITS) - 1
MAX_STEP_OFFSET = 1 << 16


def encode(gids: list[np.ndarray], steps: list[np.ndarray], base: int) -> np.ndarray:
    """Keys of the spikes given as parts (gid array, step array); ``base``: the slice's first step."""
    if not gids:
        return np.empty(0, dtype=np.int64)
    if len(gids) == 1:
        keys = np.subtract(steps[0], base, dtype=np.int64)
        gid = gids[0]
    else:
        keys = np.concatenate(steps).astype(np.int64, copy=False)
        keys -= base
        gid = np.concatenate(gids)
    keys <<= GID_BITS
    keys |= gid
    return keys


def decode(keys: np.ndarray, base: int) -> tuple[np.ndarray, np.ndarray]:
    """(gids, steps) of sorted keys."""
    gids = keys & GID_MASK
    steps = keys >> GID_BITS
    steps += base
    return gids, steps


class SliceSpikes:
    """The spikes of every process in one slice, sorted by (step, gid), with a per-population
    view for the consumers that work population by population (plastic and event routes)."""

    def __init__(self, gids: np.ndarray, steps: np.ndarray, populations: "PopulationIndex"):
        self.gids, self.steps = gids, steps
        self._index = populations
        self._by_population: dict | None = None

    def by_population(self) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
        """Population -> (indices, steps) sorted by (step, index); populations without spikes
        are absent."""
        if self._by_population is None:
            self._by_population = self._index.split(self.gids, self.steps)
        return self._by_population


class PopulationIndex:
    """Global id -> population, for splitting a slice's spikes by population."""

    def __init__(self, populations: list[Any]):
        ordered = sorted(populations, key=lambda p: p.first_id)
        self.populations = ordered
        self.starts = np.array([p.first_id for p in ordered], dtype=np.int64)

    def split(self, gids: np.ndarray, steps: np.ndarray) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
        if gids.size == 0:
            return {}
        number = np.searchsorted(self.starts, gids, side="right") - 1
        order = np.argsort(number, kind="stable")          # by population, (step, gid) kept within
        counts = np.bincount(number, minlength=len(self.populations))
        bounds = np.r_[0, np.cumsum(counts)].tolist()
        gids, steps = gids[order], steps[order]
        out = {}
        for k, population in enumerate(self.populations):
            if counts[k]:
                a, b = bounds[k], bounds[k + 1]
                out[population] = (gids[a:b] - population.first_id, steps[a:b])
        return out


def pre_lookup(projection: Any) -> dict[Any, Any]:
    """Base population -> the projection's pre index of each of its cells: an array (-1: not
    in pre), or, when a cell appears more than once in pre (an Assembly of overlapping views),
    a CSR (indptr, pre indices) giving each cell's pre indices in ascending order."""
    where: dict[Any, list] = {}
    offset = 0
    for pop, indices in projection.pre._segments():
        where.setdefault(pop, []).append((np.asarray(indices, dtype=np.int64), offset + np.arange(indices.size)))
        offset += indices.size
    lookup: dict[Any, Any] = {}
    for pop, parts in where.items():
        cells = np.concatenate([c for c, _ in parts])
        pre = np.concatenate([p for _, p in parts])
        counts = np.bincount(cells, minlength=pop.size)
        if counts.max(initial=0) <= 1:
            table = np.full(pop.size, -1, dtype=np.int64)
            table[cells] = pre
        else:
            order = np.lexsort((pre, cells))
            table = (np.r_[0, np.cumsum(counts)].astype(np.int64), pre[order])
        lookup[pop] = table
    return lookup


def pre_cells(pre_lookup: dict) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    """(population, cell index, pre index) of every pre cell, from a pre_lookup."""
    out = []
    for population, table in pre_lookup.items():
        if isinstance(table, tuple):
            indptr, pre = table
            out.append((population, np.repeat(np.arange(population.size), np.diff(indptr)), pre))
        else:
            cells = np.flatnonzero(table >= 0)
            out.append((population, cells, table[cells]))
    return out


def pre_spikes_of(pre_lookup: dict, exchanged: dict) -> tuple[np.ndarray, np.ndarray]:
    """The slice's spikes of a route's pre cells: (pre index, step), population by population
    in the exchanged (canonical) order (a cell in pre more than once: one entry per pre index,
    ascending). ``pre_lookup``: see pre_lookup."""
    parts = []
    for population, lookup in pre_lookup.items():
        indices, steps = exchanged.get(population, (None, None))
        if indices is None or indices.size == 0:
            continue
        if isinstance(lookup, tuple):
            from pynnlite.backends.numpy.delivery import csr_entries   # (delivery imports this module)
            indptr, pre = lookup
            entries, counts = csr_entries(indptr, indices)
            parts.append((pre[entries], np.repeat(steps, counts)))
            continue
        pre_index = lookup[indices]
        keep = pre_index >= 0
        parts.append((pre_index, steps) if keep.all() else (pre_index[keep], steps[keep]))
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
