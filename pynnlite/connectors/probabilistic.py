"""Connectors that connect each pair of cells with some probability."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from pynnlite.connectors.base import (ConnectionArrays, ConnectionContext, Connector,
                                      check_allow_self, check_probability, pairs_for_posts)
from pynnlite.random import keyed_uniform

#: Most random numbers drawn at once while building (memory bound of the build).
CHUNK = 4_000_000


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
    """Connect each pre/post pair independently with probability ``p_connect``."""

    parameter_names = ("p_connect", "allow_self_connections")

    def __init__(self, p_connect: float, allow_self_connections: bool = True, rng: Any = None,
                 safe: bool = True, callback: Callable[[float], None] | None = None):
        super().__init__(safe, callback)
        self.p_connect = check_probability("p_connect", p_connect)
        self.allow_self_connections = check_allow_self(allow_self_connections)
        self.rng = rng

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        posts = context.post_local
        per_chunk = max(1, CHUNK // max(1, int(context.pre_size * self.p_connect * 1.5) + 16))
        pre_parts, post_parts = [], []
        for start in range(0, max(posts.size, 1), per_chunk):
            pre, post = bernoulli_pre_indices(context.stream, posts[start:start + per_chunk],
                                              context.pre_size, self.p_connect)
            if not self.allow_self_connections:
                keep = ~context.is_self(pre, post)
                pre, post = pre[keep], post[keep]
            pre_parts.append(pre)
            post_parts.append(post)
            self.progress(min(1.0, (start + per_chunk) / max(posts.size, 1)))
        return ConnectionArrays(np.concatenate(pre_parts), np.concatenate(post_parts))
