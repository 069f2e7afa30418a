"""Connectors that make a fixed number of connections: per post cell, per pre cell, or in total.

Sampling is vectorised over cells and drawn from keyed streams
(``pynnlite.random.keyed_uniform``), so a network depends on the seed only, not
on how many processes build it:

* without replacement, a cell with ``m`` candidates and ``n`` connections to make
  first connects to every candidate ``n // m`` times (as PyNN documents: all
  possible single connections before any duplicate), then picks the remaining
  ``n % m`` distinct candidates at random: by taking the first distinct values
  of a keyed stream of uniform integers when few are needed, or the
  candidates with the smallest keyed uniforms when many are;
* with replacement, each connection draws its partner uniformly from the
  candidates.

A "candidate" is any cell of the other side, except the cell itself when
``allow_self_connections`` is False (recognised by cell ID, so views and
assemblies work too).
"""
from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np
from scipy import stats

from pynnlite.connectors.base import ConnectionArrays, ConnectionContext, Connector, check_allow_self, ranges
from pynnlite.connectors.probabilistic import CHUNK, check_rng, index_of_ids
from pynnlite.errors import ConnectionError, InvalidParameterValueError, InvalidTypeError, check_bool
from pynnlite.random import RandomDistribution, keyed_uniform

#: Distributions that can give a number of connections (non-negative integers).
INTEGER_DISTRIBUTIONS = ("binomial", "poisson", "uniform_int")

#: Above this fraction of the candidates, distinct picks rank all candidates
#: instead of drawing uniform integers and discarding repeats.
DENSE_FRACTION = 0.25

#: Counter of the keyed draws that split a total number over cells (the
#: per-cell draws use counters >= 0, so the two never share a value).
_SPLIT_COUNTER = -1
#: Key of the single row of draws that FixedTotalNumberConnector makes without replacement.
_TOTAL_KEY = -1


def _check_n(n: Any) -> Any:
    if isinstance(n, RandomDistribution):
        if n.name not in INTEGER_DISTRIBUTIONS:
            raise InvalidParameterValueError(
                f"n must be a non-negative int or a RandomDistribution of integers "
                f"({', '.join(INTEGER_DISTRIBUTIONS)}), got a {n.name!r} distribution")
        return n
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise InvalidTypeError(   # PyNN: TypeError (e.g. for 3.0)
            f"n must be a non-negative int or a RandomDistribution of integers, got {n!r}")
    if n < 0:
        raise InvalidParameterValueError(
            f"n must be a non-negative int or a RandomDistribution of integers, got {n!r}")
    return int(n)


def _n_stream(n: Any, context: ConnectionContext) -> int:
    """Keyed stream of the numbers drawn from a RandomDistribution ``n``: from its own rng, as in PyNN."""
    rng = getattr(n, "rng", None)
    if rng is not None and hasattr(rng, "stream_key"):
        return rng.stream_key()
    return int(keyed_uniform(context.stream, -2, _SPLIT_COUNTER) * 2 ** 52)


def _counts(n: Any, stream: int | None, keys: np.ndarray, what: str) -> np.ndarray:
    """The number of connections of each cell in ``keys``: ``n``, or drawn per cell from ``n``."""
    if not isinstance(n, RandomDistribution):
        return np.full(keys.size, n, dtype=np.int64)
    values = np.asarray(n.keyed_values(stream, keys, 0))
    if values.size and (values.min() < 0 or np.any(values != np.floor(values))):
        bad = values[(values < 0) | (values != np.floor(values))][0]
        raise InvalidParameterValueError(
            f"n: {n.name} distribution gave {bad!r} as the number of {what}; it must give non-negative integers")
    return values.astype(np.int64)


# ------------------------------------------------------------------ sampling

def _skip_excluded(values: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Map 0..m-1 onto 0..m minus the excluded index (-1: none excluded)."""
    return values + ((excluded >= 0) & (values >= excluded))


def _first_occurrences(group: np.ndarray, counter: np.ndarray, width: int, row_of_group: Callable,
                       starts: np.ndarray) -> np.ndarray:
    """Whether each element is the first occurrence of its group value within the draw order.

    Element e is at flat position ``starts[row] + counter[e]`` (counters < ``width``);
    ``row_of_group`` maps a group value back to its row."""
    first = np.zeros(group.size, dtype=bool)
    if group.size == 0:
        return first
    if int(group.max()) + 1 < 2 ** 62 // max(width, 1):    # one sort of a composite integer
        composite = np.sort(group * width + counter)
        head = composite // width
        firsts = composite[np.r_[True, head[1:] != head[:-1]]]
        first[starts[row_of_group(firsts // width)] + firsts % width] = True
        return first
    order = np.argsort(group, kind="stable")
    first[order[np.r_[True, group[order][1:] != group[order][:-1]]]] = True
    return first


def _first_distinct(stream: int, keys: np.ndarray, counts: np.ndarray, sizes: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """For each row r, the first ``counts[r]`` distinct values of floor(u * sizes[r]), u keyed on
    ``keys[r]`` with counters 0, 1, 2, ...: a uniformly random subset of range(sizes[r]).

    Needs counts[r] <= sizes[r] / 2 or so to be efficient. Returns (row, value), rows ascending.
    """
    rows_out, values_out = [], []
    pending = np.flatnonzero(counts > 0)
    c = counts.astype(float)
    m = sizes.astype(float)
    # expected draws to see c distinct values among m, plus a margin; rows short of c are redrawn longer
    expected = m * (np.log(m + 0.5) - np.log(np.maximum(m - c, 0) + 0.5))
    draws = np.ceil(np.maximum(expected, c) * 1.05 + 4.0 * np.sqrt(c) + 8.0).astype(np.int64)
    while pending.size:
        k = draws[pending]
        row = np.repeat(pending, k)
        counter = ranges(np.zeros(pending.size, dtype=np.int64), k)
        value = np.floor(keyed_uniform(stream, keys[row], counter) * sizes[row]).astype(np.int64)
        value = np.minimum(value, sizes[row] - 1)
        # first occurrence of each (row, value) in draw order
        local_row = np.repeat(np.arange(pending.size, dtype=np.int64), k)
        starts = np.r_[0, np.cumsum(k)[:-1]]
        m_max = int(sizes[pending].max())
        first = _first_occurrences(local_row * m_max + value, counter, int(k.max()),
                                   lambda g, m_max=m_max: g // m_max, starts)
        rank = np.cumsum(first)                               # distinct values seen so far, ...
        rank -= np.repeat(rank[starts] - first[starts], k)    # ... counted within each row
        found = np.bincount(local_row[first], minlength=pending.size)
        done = found >= counts[pending]
        keep = first & (rank <= counts[row]) & np.repeat(done, k)
        rows_out.append(row[keep])
        values_out.append(value[keep])
        pending = pending[~done]
        draws[pending] *= 2
    if not rows_out:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(rows_out), np.concatenate(values_out)


def _smallest_ranked(stream: int, keys: np.ndarray, counts: np.ndarray, universe: int,
                     excluded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row r, the ``counts[r]`` candidates (of range(universe) minus excluded[r]) with the
    smallest uniforms keyed on (keys[r], candidate). Returns (row, candidate)."""
    per_chunk = max(1, CHUNK // max(1, universe))
    rows_out, values_out = [], []
    for start in range(0, keys.size, per_chunk):
        sl = slice(start, start + per_chunk)
        u = keyed_uniform(stream, keys[sl, None], np.arange(universe, dtype=np.int64)[None, :])
        ex = excluded[sl]
        has = np.flatnonzero(ex >= 0)
        u[has, ex[has]] = 2.0                                  # never among the smallest
        order = np.argsort(u, axis=1, kind="stable")
        take = np.arange(universe)[None, :] < counts[sl, None]
        r, col = np.nonzero(take)
        rows_out.append(r + start)
        values_out.append(order[r, col])
    if not rows_out:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(rows_out), np.concatenate(values_out).astype(np.int64)


def choose(stream: int, keys: np.ndarray, counts: np.ndarray, universe: int, excluded: np.ndarray,
           with_replacement: bool, what: str = "cells") -> tuple[np.ndarray, np.ndarray]:
    """For each row r, ``counts[r]`` indices chosen from range(universe) minus ``excluded[r]`` (-1: none),
    drawn from streams keyed on ``keys[r]`` only.

    Returns (row, index) sorted by row, then index. Without replacement, every candidate is
    taken ``counts[r] // m`` times before the remaining ``counts[r] % m`` distinct ones are drawn.
    """
    keys = np.asarray(keys, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    excluded = np.asarray(excluded, dtype=np.int64)
    m = universe - (excluded >= 0).astype(np.int64)          # candidates per row
    empty = (m == 0) & (counts > 0)
    if empty.any():
        r = int(np.flatnonzero(empty)[0])
        error = ConnectionError(f"cannot make {counts[r]} connection(s) for cell {keys[r]}: it has no candidate {what}")
        error.order_key = (float(keys[r]),)   # rows come in ascending cells: the first such cell
        raise error
    rows_parts, value_parts = [], []
    if with_replacement:
        row = np.repeat(np.arange(keys.size, dtype=np.int64), counts)
        counter = ranges(np.zeros(keys.size, dtype=np.int64), counts)
        value = np.floor(keyed_uniform(stream, keys[row], counter) * m[row]).astype(np.int64)
        rows_parts.append(row)
        value_parts.append(_skip_excluded(np.minimum(value, m[row] - 1), excluded[row]))
    else:
        safe_m = np.maximum(m, 1)
        full, rest = counts // safe_m, counts % safe_m
        if full.any():                                            # every candidate, full times over
            total = full * m
            row = np.repeat(np.arange(keys.size, dtype=np.int64), total)
            value = ranges(np.zeros(keys.size, dtype=np.int64), total) % safe_m[row]
            rows_parts.append(row)
            value_parts.append(_skip_excluded(value, excluded[row]))
        dense = rest > DENSE_FRACTION * m
        sparse_rows = np.flatnonzero(~dense & (rest > 0))
        if sparse_rows.size:
            r, v = _first_distinct(stream, keys[sparse_rows], rest[sparse_rows], m[sparse_rows])
            rows_parts.append(sparse_rows[r])
            value_parts.append(_skip_excluded(v, excluded[sparse_rows[r]]))
        dense_rows = np.flatnonzero(dense)
        if dense_rows.size:
            r, v = _smallest_ranked(stream, keys[dense_rows], rest[dense_rows], universe, excluded[dense_rows])
            rows_parts.append(dense_rows[r])
            value_parts.append(v)
    if not rows_parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return _sorted_pairs(np.concatenate(rows_parts), np.concatenate(value_parts), keys.size, universe)


def _sorted_pairs(row: np.ndarray, value: np.ndarray, n_rows: int, universe: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(row, value) pairs sorted by row, then value."""
    if n_rows * max(universe, 1) < 2 ** 62:       # sort one composite integer: faster than lexsort
        composite = np.sort(row * universe + value)
        return composite // universe, composite % universe
    order = np.lexsort((value, row))
    return row[order], value[order]


def _post_major(pre: np.ndarray, post: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((pre, post))
    return pre[order], post[order]


# --------------------------------------------------------------- connectors

class _FixedNumberConnector(Connector):
    parameter_names = ("allow_self_connections", "n")

    def __init__(self, n: Any, allow_self_connections: bool, with_replacement: bool, location_selector: Any,
                 rng: Any, safe: bool, callback: Callable[[float], None] | None):
        super().__init__(location_selector, safe, callback)
        self.n = _check_n(n)
        self.allow_self_connections = check_allow_self(allow_self_connections)
        self.with_replacement = check_bool("with_replacement", with_replacement)
        self.rng = check_rng(rng)

    def _may_repeat(self, candidates: int) -> bool:
        """Whether a pair may be connected twice, knowing the smallest number of candidates of a cell."""
        if self.with_replacement or isinstance(self.n, RandomDistribution):
            return True
        return self.n > candidates


    def _draw_partners(self, context: ConnectionContext, cells: np.ndarray, partners: int,
                       excluded_all: np.ndarray, what: str, keep: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
        """(cell, partner) of every connection: ``n`` partners among ``partners`` candidates for
        each of ``cells``, drawn in chunks with streams keyed on the cell; ``keep``: a mask over
        the partners to retain (the others are drawn, then dropped)."""
        n_stream = _n_stream(self.n, context) if isinstance(self.n, RandomDistribution) else None
        typical = max(1, int(self.n) if not isinstance(self.n, RandomDistribution) else 64)
        per_chunk = max(1, CHUNK // typical)
        cell_parts, partner_parts = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
        for start in range(0, cells.size, per_chunk):
            chunk = cells[start:start + per_chunk]
            counts = _counts(self.n, n_stream, chunk, what)
            row, partner = choose(context.stream, chunk, counts, partners, excluded_all[chunk],
                                  self.with_replacement, what)
            if keep is not None:
                kept = keep[partner]
                row, partner = row[kept], partner[kept]
            cell_parts.append(chunk[row])
            partner_parts.append(partner)
            self.progress(min(1.0, (start + chunk.size) / cells.size))
        return np.concatenate(cell_parts), np.concatenate(partner_parts)


class FixedNumberPreConnector(_FixedNumberConnector):
    """Each post-synaptic cell receives connections from ``n`` pre-synaptic cells chosen at random.

    ``n``: an int, or a RandomDistribution of non-negative integers drawn once
    per post cell (keyed on the post index, from ``n.rng``'s streams).
    ``with_replacement=False`` (default): no pair is repeated unless ``n`` exceeds
    the number of candidates, in which case every candidate is connected
    ``n // candidates`` times before the remaining ones are drawn without
    replacement (PyNN's documented behaviour). ``with_replacement=True``: each of
    the ``n`` pre cells is drawn from all candidates, so pairs may repeat.
    All draws are keyed on the post index: each process builds only its own post
    cells' connections. Connections are post-major, pre ascending.
    """

    def __init__(self, n: Any, allow_self_connections: bool = True, with_replacement: bool = False,
                 location_selector: Any = None, rng: Any = None, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        super().__init__(n, allow_self_connections, with_replacement, location_selector, rng, safe, callback)

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        posts = np.asarray(context.post_local, dtype=np.int64)
        if self.allow_self_connections:
            excluded_all = np.full(context.post_size, -1, dtype=np.int64)
        else:
            excluded_all = index_of_ids(context.post_ids, context.pre_ids)
        post, pre = self._draw_partners(context, posts, context.pre_size, excluded_all, "pre-synaptic cells")
        fewest = context.pre_size - (0 if self.allow_self_connections else int((excluded_all >= 0).any()))
        return ConnectionArrays(pre, post, may_repeat=self._may_repeat(fewest))


class FixedNumberPostConnector(_FixedNumberConnector):
    """Each pre-synaptic cell connects to ``n`` post-synaptic cells chosen at random.

    ``n``: an int, or a RandomDistribution of non-negative integers drawn once
    per pre cell. ``with_replacement`` as for FixedNumberPreConnector (PyNN's
    default False: all candidates are connected once before any is repeated).
    The choice is made per pre cell, so draws are keyed on the pre index: every
    process draws the targets of every pre cell (work proportional to the total
    number of connections, independent of the number of processes) and keeps
    those onto its post cells. Connections are post-major, pre ascending.
    """

    def __init__(self, n: Any, allow_self_connections: bool = True, with_replacement: bool = False,
                 location_selector: Any = None, rng: Any = None, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        super().__init__(n, allow_self_connections, with_replacement, location_selector, rng, safe, callback)

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        pres = np.arange(context.pre_size, dtype=np.int64)
        if self.allow_self_connections:
            excluded_all = np.full(context.pre_size, -1, dtype=np.int64)
        else:
            excluded_all = index_of_ids(context.pre_ids, context.post_ids)
        local = np.zeros(context.post_size, dtype=bool)
        local[context.post_local] = True
        pre, post = self._draw_partners(context, pres, context.post_size, excluded_all, "post-synaptic cells",
                                        keep=local)
        pre, post = _post_major(pre, post)
        fewest = context.post_size - (0 if self.allow_self_connections else int((excluded_all >= 0).any()))
        return ConnectionArrays(pre, post, may_repeat=self._may_repeat(fewest))


class FixedTotalNumberConnector(_FixedNumberConnector):
    """``n`` connections in total, between pairs chosen at random among all pre/post pairs.

    ``with_replacement=True`` (PyNN's default): each connection is a pair drawn
    uniformly, so pairs may repeat. The numbers of connections per post cell
    (multinomial) are drawn by recursive binomial splits of ``n`` over halves of
    the post range, keyed on the tree node, and the pre cells of each post cell
    by draws keyed on the post index: a process draws only along the branches
    that lead to its own post cells, and the network does not depend on the
    number of processes.
    ``with_replacement=False``: ``n`` distinct pairs (if ``n`` exceeds the number
    of pairs, every pair ``n // pairs`` times, then distinct ones, as for the
    other fixed-number connectors). These are drawn from a single keyed
    stream that every process draws in full (work proportional to ``n``), each
    keeping the pairs onto its post cells.
    ``n`` may be a RandomDistribution of integers (one value drawn).
    Connections are post-major, pre ascending.
    """

    def __init__(self, n: Any, allow_self_connections: bool = True, with_replacement: bool = True,
                 location_selector: Any = None, rng: Any = None, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        super().__init__(n, allow_self_connections, with_replacement, location_selector, rng, safe, callback)

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        if isinstance(self.n, RandomDistribution):
            total = int(_counts(self.n, _n_stream(self.n, context), np.zeros(1, dtype=np.int64),
                                "connections")[0])
        else:
            total = self.n
        if self.allow_self_connections:
            excluded = np.full(context.post_size, -1, dtype=np.int64)
        else:
            excluded = index_of_ids(context.post_ids, context.pre_ids)
        candidates = context.pre_size - (excluded >= 0).astype(np.int64)   # pairs onto each post cell
        posts = np.asarray(context.post_local, dtype=np.int64)
        if total > 0 and candidates.sum() == 0:
            raise ConnectionError(f"FixedTotalNumberConnector cannot make {total} connection(s): "
                                  f"there is no pair of cells to connect")
        if self.with_replacement:
            counts = split_total(context.stream, total, candidates, posts)
            row, pre = choose(context.stream, posts, counts, context.pre_size, excluded[posts], True,
                              "pre-synaptic cells")
            post = posts[row]
            may_repeat = True
        else:
            pre, post = self._distinct_pairs(context, total, candidates, excluded, posts)
            may_repeat = isinstance(self.n, RandomDistribution) or total > candidates.sum()
        self.progress(1.0)
        return ConnectionArrays(pre, post, may_repeat=may_repeat)

    def _distinct_pairs(self, context: ConnectionContext, total: int, candidates: np.ndarray,
                        excluded: np.ndarray, posts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``total`` pairs without replacement, as flat indices into the allowed pairs (post-major)."""
        pairs = int(candidates.sum())
        end = np.cumsum(candidates)
        begin = end - candidates
        full, rest = (total // pairs, total % pairs) if pairs else (0, 0)
        # the rest: fewer than half the pairs are drawn as a distinct set; otherwise the pairs left out are
        take_complement = rest > pairs // 2
        size = pairs - rest if take_complement else rest
        _, flat = _first_distinct(context.stream, np.array([_TOTAL_KEY], dtype=np.int64),
                                  np.array([size], dtype=np.int64), np.array([max(pairs, 1)], dtype=np.int64))
        flat = np.sort(flat)
        local = np.zeros(context.post_size, dtype=bool)
        local[posts] = True
        if full == 0 and not take_complement:          # just the drawn pairs onto local post cells
            post = np.searchsorted(end, flat, side="right")
            keep = local[post]
            flat, post = flat[keep], post[keep]
            return _skip_excluded(flat - begin[post], excluded[post]), post
        # every local pair, full (+1 if drawn, or if not left out) times
        local_counts = candidates[posts]
        block = ranges(begin[posts], local_counts)                 # post-major, pre ascending
        block_post = np.repeat(posts, local_counts)
        drawn = np.zeros(block.size, dtype=bool)
        if flat.size and block.size:
            where = np.minimum(np.searchsorted(flat, block), flat.size - 1)
            drawn = flat[where] == block
        multiplicity = full + (~drawn if take_complement else drawn).astype(np.int64)
        block, post = np.repeat(block, multiplicity), np.repeat(block_post, multiplicity)
        return _skip_excluded(block - begin[post], excluded[post]), post


def split_total(stream: int, total: int, weights: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Multinomial split of ``total`` over cells with probabilities proportional to ``weights``,
    returning the counts of the (sorted) ``wanted`` cells.

    Drawn top-down over a binary tree of index ranges: a node's count is split
    between its halves by a binomial draw keyed on the node's heap number, so the
    count of a cell depends only on the seed, and only the nodes above wanted
    cells are drawn.
    """
    wanted = np.asarray(wanted, dtype=np.int64)
    result = np.zeros(wanted.size, dtype=np.int64)
    size = int(np.asarray(weights).size)
    if total == 0 or size == 0 or wanted.size == 0:
        return result
    cum = np.r_[0, np.cumsum(np.asarray(weights, dtype=np.float64))]
    start = np.array([0], dtype=np.int64)
    end = np.array([size], dtype=np.int64)
    count = np.array([total], dtype=np.int64)
    heap = np.array([1], dtype=np.int64)
    while start.size:
        leaf = end - start == 1
        if leaf.any():
            result[np.searchsorted(wanted, start[leaf])] = count[leaf]
        start, end, count, heap = start[~leaf], end[~leaf], count[~leaf], heap[~leaf]
        if not start.size:
            break
        mid = (start + end) // 2
        node_weight = cum[end] - cum[start]
        p_left = np.divide(cum[mid] - cum[start], node_weight, out=np.zeros(start.size), where=node_weight > 0)
        u = keyed_uniform(stream, heap, _SPLIT_COUNTER)
        left = stats.binom.ppf(u, count, np.clip(p_left, 0.0, 1.0))
        left = np.clip(np.nan_to_num(left), 0, count).astype(np.int64)
        start = np.concatenate([start, mid])
        end = np.concatenate([mid, end])
        count = np.concatenate([left, count - left])
        heap = np.concatenate([2 * heap, 2 * heap + 1])
        # follow only the nodes that hold connections and contain wanted cells
        has_wanted = np.searchsorted(wanted, end) > np.searchsorted(wanted, start)
        keep = has_wanted & (count > 0)
        start, end, count, heap = start[keep], end[keep], count[keep], heap[keep]
    return result
