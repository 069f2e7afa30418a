"""Connectors that connect each pair of cells with some probability."""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

from pynnlite.connectors.base import (ConnectionArrays, ConnectionContext, Connector,
                                      check_allow_self, check_probability, pairs_for_posts)
from pynnlite.errors import InvalidParameterValueError
from pynnlite.expressions import distance_expression
from pynnlite.random import AbstractRNG, keyed_uniform

#: Most random numbers drawn at once while building (memory bound of the build).
CHUNK = 4_000_000


def check_rng(rng: Any) -> Any:
    """``rng`` must be None (the simulation's default) or a pynnlite.random RNG, as in PyNN."""
    if rng is not None and not isinstance(rng, AbstractRNG):
        raise InvalidParameterValueError(
            f"rng must be None or a random number generator such as NumpyRNG(seed=...), "
            f"got {type(rng).__name__}")
    return rng


def bernoulli_pre_indices(stream: int, posts: np.ndarray, pre_size: int, p: float
                          ) -> tuple[np.ndarray, np.ndarray]:
    """For each post cell, the pre indices connected with independent probability ``p``.

    Drawn by geometric skipping from a stream keyed on the post index, so the
    result for a post cell is the same whichever process draws it. Returns
    post-major (pre, post) arrays with pre ascending within each post.
    """
    posts = np.asarray(posts, dtype=np.int64)
    if p <= 0.0 or pre_size == 0 or posts.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    if p >= 1.0:
        return pairs_for_posts(pre_size, posts)
    expected = pre_size * p
    width = int(np.ceil(expected + 7.0 * np.sqrt(expected * (1.0 - p)) + 8))
    log_q = np.log1p(-p)
    pre_parts, post_parts = [], []
    pending = posts
    position = np.full(posts.size, -1, dtype=np.int64)  # last pre index reached per post
    counter0 = np.zeros(posts.size, dtype=np.int64)
    while pending.size:
        u = keyed_uniform(stream, pending[:, None], counter0[:, None] + np.arange(width)[None, :])
        gaps = np.floor(np.log(u) / log_q).astype(np.int64) + 1
        reached = position[:, None] + np.cumsum(gaps, axis=1)
        inside = reached < pre_size
        rows, cols = np.nonzero(inside)
        pre_parts.append(reached[rows, cols])
        post_parts.append(pending[rows])
        unfinished = inside[:, -1]
        pending, position = pending[unfinished], reached[unfinished, -1]
        counter0 = counter0[unfinished] + width
    pre, post = np.concatenate(pre_parts), np.concatenate(post_parts)
    if len(pre_parts) > 1:  # a second round appended: restore post-major order
        order = np.lexsort((pre, post))
        pre, post = pre[order], post[order]
    return pre, post


class FixedProbabilityConnector(Connector):
    """Connect each pre/post pair independently with probability ``p_connect``.

    ``allow_self_connections``: True, False, or 'NoMutual' (as PyNN: no self-connections and,
    of two cells, only the connection from the larger cell ID to the smaller, so a population
    onto itself gets p_connect·N(N − 1)/2 connections on average; compared by cell ID).
    """

    parameter_names = ("p_connect", "allow_self_connections")

    def __init__(self, p_connect: float, allow_self_connections: bool = True, location_selector: Any = None,
                 rng: Any = None, safe: bool = True, callback: Callable[[float], None] | None = None):
        super().__init__(location_selector, safe, callback)
        self.p_connect = check_probability("p_connect", p_connect)
        self.allow_self_connections = _check_allow_self_mutual(allow_self_connections)
        self.rng = check_rng(rng)

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        posts = context.post_local
        per_chunk = max(1, CHUNK // max(1, int(context.pre_size * self.p_connect * 1.5) + 16))
        pre_parts, post_parts = [], []
        for start in range(0, max(posts.size, 1), per_chunk):
            pre, post = bernoulli_pre_indices(context.stream, posts[start:start + per_chunk],
                                              context.pre_size, self.p_connect)
            if self.allow_self_connections == "NoMutual":
                keep = context.pre_ids[pre] > context.post_ids[post]
                pre, post = pre[keep], post[keep]
            elif not self.allow_self_connections:
                keep = ~context.is_self(pre, post)
                pre, post = pre[keep], post[keep]
            pre_parts.append(pre)
            post_parts.append(post)
            self.progress(min(1.0, (start + per_chunk) / max(posts.size, 1)))
        return ConnectionArrays(np.concatenate(pre_parts), np.concatenate(post_parts))


# --------------------------------------------------- probability given per pair

#: Probabilities up to this much above 1 (rounding) count as 1.
PROBABILITY_TOLERANCE = 1e-9


def index_of_ids(ids: np.ndarray, within: np.ndarray) -> np.ndarray:
    """For each cell ID in ``ids``, its index in ``within`` (the first, if repeated), or -1."""
    ids = np.asarray(ids)
    within = np.asarray(within)
    if within.size == 0:
        return np.full(ids.size, -1, dtype=np.int64)
    order = np.argsort(within, kind="stable")
    where = np.minimum(np.searchsorted(within[order], ids), within.size - 1)
    return np.where(within[order][where] == ids, order[where], -1).astype(np.int64)


def self_pre_index(context: ConnectionContext) -> np.ndarray:
    """For each post cell, the index in pre of the same cell (same ID), or -1."""
    return index_of_ids(context.post_ids, context.pre_ids)


def _check_allow_self_mutual(value: Any) -> Any:
    return check_allow_self(value, (True, False, "NoMutual"))


class _PairProbabilityConnector(Connector):
    """Base of connectors that give each (pre, post) pair its own probability.

    For each local post cell j the probabilities of all pre cells i are evaluated
    (a chunk of post cells at a time) and the pair is connected if
    ``keyed_uniform(stream, key=j, counter=i) < p(i, j)``. The draw for a pair
    depends only on the seed and on (i, j), so any split of the post cells
    between processes builds the same network. Output is post-major with pre
    indices ascending. ``allow_self_connections``: True, False, or 'NoMutual'
    (no self-connections and, of two cells, only the connection from the larger
    ID to the smaller), compared by cell ID.
    """

    #: name of the argument that defines the probability, for error messages
    _argument = "probability"

    def __init__(self, allow_self_connections: Any, location_selector: Any, rng: Any, safe: bool, callback: Any):
        super().__init__(location_selector, safe, callback)
        self.allow_self_connections = _check_allow_self_mutual(allow_self_connections)
        self.rng = check_rng(rng)

    def _probabilities(self, context: ConnectionContext, posts: np.ndarray) -> np.ndarray:
        """Probabilities, shape (posts.size, pre_size)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _describe_argument(self) -> str:
        return repr(getattr(self, self._argument))

    def _checked(self, p: Any, shape: tuple[int, ...], where: Callable[[tuple], str],
                 position: Callable[[tuple], int] | None = None) -> np.ndarray:
        """``p`` as a float array of ``shape``, all values in [0, 1] (else an error naming the
        argument and the first offending pair; ``position``: that pair's place in the post-major
        order of all pairs, the order of evaluation, for the error's order key with several
        processes: pynnlite.simulation.same_error_on_every_process)."""
        try:
            p = np.broadcast_to(np.asarray(p, dtype=float), shape)
        except (TypeError, ValueError):
            raise InvalidParameterValueError(
                f"{self._argument} must give one probability per pair: expected shape {shape}, "
                f"got {np.shape(p)}") from None
        bad = np.isnan(p) | (p < 0.0) | (p > 1.0 + PROBABILITY_TOLERANCE)
        if bad.any():
            k = tuple(int(x) for x in np.argwhere(bad)[0])
            error = InvalidParameterValueError(
                f"{self._argument} {self._describe_argument()} gives {float(p[k]):g} {where(k)}; "
                f"connection probabilities must be in [0, 1]")
            if position is not None:
                error.order_key = (float(position(k)),)
            raise error
        return p

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        posts = np.asarray(context.post_local, dtype=np.int64)
        per_chunk = max(1, CHUNK // max(1, context.pre_size))
        self_index = self_pre_index(context) if self.allow_self_connections is False else None
        pre_parts = [np.empty(0, dtype=np.int64)]
        post_parts = [np.empty(0, dtype=np.int64)]
        for start in range(0, posts.size, per_chunk):
            chunk = posts[start:start + per_chunk]
            p = self._probabilities(context, chunk)
            keep = p >= 1.0
            rows, cols = np.nonzero((p > 0.0) & ~keep)      # only uncertain pairs need a draw
            keep[rows, cols] = keyed_uniform(context.stream, chunk[rows], cols) < p[rows, cols]
            if self_index is not None:
                idx = self_index[chunk]
                has = np.flatnonzero(idx >= 0)
                keep[has, idx[has]] = False
            elif self.allow_self_connections == "NoMutual":
                keep &= context.pre_ids[None, :] > context.post_ids[chunk][:, None]
            rows, cols = np.nonzero(keep)
            pre_parts.append(cols.astype(np.int64))
            post_parts.append(chunk[rows])
            self.progress(min(1.0, (start + chunk.size) / posts.size))
        return ConnectionArrays(np.concatenate(pre_parts), np.concatenate(post_parts))


class DistanceDependentProbabilityConnector(_PairProbabilityConnector):
    """Connect each pre/post pair with a probability that is a function of their distance.

    ``d_expression``: an expression of the distance ``d`` (µm, measured in the
    Projection's ``space``), e.g. ``"exp(-d/100)"`` or ``"d < 3"``, parsed
    safely (numbers, ``d``, arithmetic, comparisons and numpy functions), never
    eval'd; a function of a distance array is also accepted. A probability
    outside [0, 1] is an error naming ``d_expression``: checked at d = 0 and
    d = 1e12 µm when the connector is created (PyNN checks the same two
    points) and for every pair when connecting.
    """

    parameter_names = ("allow_self_connections", "d_expression")
    _argument = "d_expression"

    def __init__(self, d_expression: Any, allow_self_connections: Any = True, location_selector: Any = None,
                 rng: Any = None, safe: bool = True, callback: Callable[[float], None] | None = None):
        super().__init__(allow_self_connections, location_selector, rng, safe, callback)
        if isinstance(d_expression, str):
            self.distance_function = distance_expression(d_expression, "d_expression")
        elif callable(d_expression):
            self.distance_function = d_expression
        else:
            raise InvalidParameterValueError(
                f"d_expression must be a string expression of the distance d (e.g. 'exp(-d/100)') "
                f"or a function of d, got {type(d_expression).__name__}")
        self.d_expression = d_expression
        probe = np.array([0.0, 1e12])
        with np.errstate(all="ignore"):
            values = self.distance_function(probe)
        self._checked(values, (2,), lambda k: f"at d = {probe[k]:g} µm")

    def _probabilities(self, context, posts):
        d = context.space.distance_matrix(context.pre_positions, context.post_positions[:, posts]).T
        with np.errstate(all="ignore"):
            p = self.distance_function(d)
        return self._checked(p, d.shape, lambda k: f"at d = {d[k]:g} µm (pre {k[1]}, post {posts[k[0]]})",
                             lambda k: posts[k[0]] * context.pre_size + k[1])


class IndexBasedProbabilityConnector(_PairProbabilityConnector):
    """Connect each pre/post pair (i, j) with probability ``index_expression(i, j)``.

    ``index_expression`` is called with two equal-length integer arrays of pre
    and post indices (all pre cells for a chunk of post cells) and returns one
    probability in [0, 1] per pair. PyNN's ``IndexBasedExpression`` objects and
    plain functions are accepted. An expression with a ``projection``
    attribute gets a copy whose ``projection`` is the projection being built
    (when the build context provides it), leaving the user's object unchanged
    as PyNN does.
    """

    parameter_names = ("allow_self_connections", "index_expression")
    _argument = "index_expression"

    def __init__(self, index_expression: Callable[[np.ndarray, np.ndarray], Any],
                 allow_self_connections: Any = True, location_selector: Any = None, rng: Any = None,
                 safe: bool = True, callback: Callable[[float], None] | None = None):
        super().__init__(allow_self_connections, location_selector, rng, safe, callback)
        if not callable(index_expression):
            raise InvalidParameterValueError(
                f"index_expression must be callable as f(i, j) on arrays of pre and post indices, "
                f"got {type(index_expression).__name__}")
        self.index_expression = index_expression

    def _describe_argument(self) -> str:
        return getattr(self.index_expression, "__name__", type(self.index_expression).__name__)

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        expression = self.index_expression
        projection = context.extra.get("projection")
        if projection is not None and hasattr(expression, "projection"):
            expression = copy.copy(expression)
            expression.projection = projection
        self._expression = expression
        try:
            return super().connect(context)
        finally:
            del self._expression

    def _probabilities(self, context, posts):
        pre, post = pairs_for_posts(context.pre_size, posts)
        p = self._checked(self._expression(pre, post), (pre.size,),
                          lambda k: f"for pre {pre[k[0]]}, post {post[k[0]]}",
                          lambda k: post[k[0]] * context.pre_size + pre[k[0]])
        return p.reshape(posts.size, context.pre_size)


class DisplacementDependentProbabilityConnector(_PairProbabilityConnector):
    """Connect each pre/post pair with probability ``disp_function(displacement)``.

    As in PyNN, the displacement is the post position minus the pre position
    (µm), passed as an array of shape (3, N) (rows x, y, z; one column per
    pair), and the Projection's ``space`` is not used. ``disp_function`` returns
    N probabilities in [0, 1].
    """

    parameter_names = ("allow_self_connections", "disp_function")
    _argument = "disp_function"

    def __init__(self, disp_function: Callable[[np.ndarray], Any], allow_self_connections: Any = True,
                 location_selector: Any = None, rng: Any = None, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        super().__init__(allow_self_connections, location_selector, rng, safe, callback)
        if not callable(disp_function):
            raise InvalidParameterValueError(
                f"disp_function must be a function of a (3, N) displacement array, "
                f"got {type(disp_function).__name__}")
        self.disp_function = disp_function

    def _describe_argument(self) -> str:
        return getattr(self.disp_function, "__name__", type(self.disp_function).__name__)

    def _probabilities(self, context, posts):
        pre, post = pairs_for_posts(context.pre_size, posts)
        displacement = context.post_positions[:, post] - context.pre_positions[:, pre]
        p = self._checked(self.disp_function(displacement), (pre.size,),
                          lambda k: f"for displacement {displacement[:, k[0]].tolist()} "
                                    f"(pre {pre[k[0]]}, post {post[k[0]]})",
                          lambda k: post[k[0]] * context.pre_size + pre[k[0]])
        return p.reshape(posts.size, context.pre_size)
