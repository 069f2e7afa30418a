"""Connectors whose result does not involve chance: all-to-all and one-to-one."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from pynnlite.connectors.base import (ConnectionArrays, ConnectionContext, Connector,
                                      check_allow_self, pairs_for_posts)


class AllToAllConnector(Connector):
    """Connect every pre cell to every post cell.

    ``allow_self_connections``: True, False, or 'NoMutual' (no self-connections and,
    of each pair of cells connected both ways, only the one from the cell with the
    larger ID to the smaller).
    """

    parameter_names = ("allow_self_connections",)

    def __init__(self, allow_self_connections: bool | str = True, location_selector: Any = None,
                 safe: bool = True, callback: Callable[[float], None] | None = None):
        super().__init__(location_selector, safe, callback)
        self.allow_self_connections = check_allow_self(allow_self_connections, (True, False, "NoMutual"))

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        pre, post = pairs_for_posts(context.pre_size, context.post_local)
        if self.allow_self_connections is not True:
            pre_ids, post_ids = context.pre_ids[pre], context.post_ids[post]
            keep = pre_ids != post_ids
            if self.allow_self_connections == "NoMutual":
                keep &= pre_ids > post_ids
            pre, post = pre[keep], post[keep]
        self.progress(1.0)
        return ConnectionArrays(pre, post)


class OneToOneConnector(Connector):
    """Connect pre cell i to post cell i. Of populations of different sizes, as in PyNN 0.13,
    the first min(pre size, post size) cells of each are connected."""

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        post = context.post_local.astype(np.int64)
        post = post[post < context.pre_size]
        self.progress(1.0)
        return ConnectionArrays(post.copy(), post)

    def get_parameters(self) -> dict[str, Any]:
        return {}
