"""Small-world connectivity: a local lattice in space whose connections are randomly rewired."""
from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np

from pynnlite.connectors.base import (ConnectionArrays, ConnectionContext, Connector, check_allow_self,
                                      check_probability)
from pynnlite.connectors.probabilistic import CHUNK, check_rng, index_of_ids
from pynnlite.errors import InvalidParameterValueError
from pynnlite.random import keyed_uniform


class SmallWorldConnector(Connector):
    """Connect cells so as to create a small-world network (Watts & Strogatz style).

    PyNN 0.13 documents this connector but does not implement it; this follows
    its documented parameters:

    * ``degree``: the region length (µm): each pre-synaptic cell first connects
      to every post-synaptic cell at a distance ``d < degree`` (PyNN's
      ``d_expression = "d < degree"``), distances measured in the Projection's
      ``space``;
    * ``n_connections``: if given, the number of efferent connections per
      (pre-synaptic) neuron: each pre cell connects to its ``n_connections``
      nearest post cells (ties by lower index) instead of those within
      ``degree``;
    * ``rewiring``: the probability of rewiring each edge: the post-synaptic end
      of each of these connections is, with that probability, moved to a post
      cell drawn uniformly at random (as PyNN 0.7 and sPyNNaker do). A rewired
      connection may duplicate another one;
    * ``allow_self_connections``: if False, no cell is connected to itself,
      neither in the lattice nor by rewiring (cells recognised by ID).

    The rewiring of a connection is drawn from the stream keyed on its pre
    index, so each process computes the lattice and rewiring of every pre cell
    (work proportional to pre × post, in chunks) and keeps the connections onto
    its own post cells; the network does not depend on the number of processes.
    Connections are post-major, pre ascending. Works for a population onto
    itself as well as between two populations.
    """

    parameter_names = ("allow_self_connections", "degree", "rewiring", "n_connections")

    def __init__(self, degree: float, rewiring: float, allow_self_connections: bool = True,
                 n_connections: int | None = None, location_selector: Any = None, rng: Any = None,
                 safe: bool = True, callback: Callable[[float], None] | None = None):
        super().__init__(location_selector, safe, callback)
        if isinstance(degree, bool) or not isinstance(degree, numbers.Real) or not degree >= 0:
            raise InvalidParameterValueError(f"degree must be a distance >= 0 (µm), got {degree!r}")
        self.degree = float(degree)
        self.rewiring = check_probability("rewiring", rewiring)
        self.allow_self_connections = check_allow_self(allow_self_connections)
        if n_connections is not None and (isinstance(n_connections, bool)
                                          or not isinstance(n_connections, numbers.Integral)
                                          or n_connections < 0):
            raise InvalidParameterValueError(
                f"n_connections must be None or a non-negative int, got {n_connections!r}")
        self.n_connections = None if n_connections is None else int(n_connections)
        self.d_expression = f"d < {self.degree:g}"
        self.rng = check_rng(rng)

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        n_pre, n_post = context.pre_size, context.post_size
        if self.allow_self_connections:
            self_post = np.full(n_pre, -1, dtype=np.int64)
        else:
            self_post = index_of_ids(context.pre_ids, context.post_ids)   # the pre cell's own index in post
        if self.n_connections is not None:
            fewest = n_post - int((self_post >= 0).any())
            if self.n_connections > fewest:
                raise InvalidParameterValueError(
                    f"n_connections={self.n_connections} is more than the {fewest} post-synaptic cells "
                    f"a pre-synaptic cell can connect to")
        local = np.zeros(n_post, dtype=bool)
        local[context.post_local] = True
        per_chunk = max(1, CHUNK // max(1, n_post))
        pre_parts, post_parts = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
        for start in range(0, n_pre, per_chunk):
            pres = np.arange(start, min(n_pre, start + per_chunk), dtype=np.int64)
            d = context.space.distance_matrix(context.pre_positions[:, pres], context.post_positions)
            has_self = np.flatnonzero(self_post[pres] >= 0)
            if self.n_connections is None:
                lattice = d < self.degree
                lattice[has_self, self_post[pres][has_self]] = False
                rows, post = np.nonzero(lattice)
            else:
                d[has_self, self_post[pres][has_self]] = np.inf
                order = np.argsort(d, axis=1, kind="stable")[:, :self.n_connections]
                rows = np.repeat(np.arange(pres.size), self.n_connections)
                post = order.ravel()
            pre = pres[rows]
            post = post.astype(np.int64)
            # rewiring: keyed on the pre index; counter = original post (decision) or n_post + post (new target)
            rewired = np.flatnonzero(keyed_uniform(context.stream, pre, post) < self.rewiring)
            if rewired.size:
                own = self_post[pre[rewired]]
                choices = n_post - (own >= 0)
                target = np.floor(keyed_uniform(context.stream, pre[rewired], n_post + post[rewired])
                                  * choices).astype(np.int64)
                target = np.minimum(target, choices - 1)
                post[rewired] = target + ((own >= 0) & (target >= own))
            keep = local[post]
            pre_parts.append(pre[keep])
            post_parts.append(post[keep])
            self.progress(min(1.0, (start + pres.size) / max(n_pre, 1)))
        pre, post = np.concatenate(pre_parts), np.concatenate(post_parts)
        order = np.lexsort((pre, post))
        return ConnectionArrays(pre[order], post[order], may_repeat=self.rewiring > 0)
