"""The Connector interface: a connector turns a build context into connection index arrays.

Connectors work in the index space of the projection's ``pre`` and ``post``
(a Population, PopulationView or Assembly: indices relative to them, as PyNN).
They build only the connections whose post-synaptic cell is in
``context.post_local`` and, for random connectors, draw from streams keyed on
the post-synaptic index (``pynnlite.random.keyed_uniform``) so that the network
for a seed does not depend on how many processes build it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, ClassVar

import numpy as np

from pynnlite.errors import InvalidParameterValueError


@dataclass
class ConnectionContext:
    """What a connector needs to know to build its connections."""

    pre_size: int
    post_size: int
    #: post indices (sorted) whose connections this process builds
    post_local: np.ndarray
    #: global cell IDs of the pre and post cells, to recognise self-connections
    pre_ids: np.ndarray
    post_ids: np.ndarray
    #: functions returning positions (3, N) in µm, evaluated only when needed
    pre_positions_fn: Callable[[], np.ndarray]
    post_positions_fn: Callable[[], np.ndarray]
    space: Any
    #: 64-bit key of this build's random stream
    stream: int
    rng: Any
    timestep: float
    #: number of processes and this process's rank (for per-rank files)
    rank: int = 0
    num_processes: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def pre_positions(self) -> np.ndarray:
        return self.pre_positions_fn()

    @cached_property
    def post_positions(self) -> np.ndarray:
        return self.post_positions_fn()

    def distances(self, pre_index: np.ndarray, post_index: np.ndarray) -> np.ndarray:
        """Distances (µm, through ``space``) of the given pairs."""
        return self.space.pair_distances(self.pre_positions, self.post_positions, pre_index, post_index)

    def is_self(self, pre_index: np.ndarray, post_index: np.ndarray) -> np.ndarray:
        """Which of the given pairs connect a cell to itself."""
        return self.pre_ids[pre_index] == self.post_ids[post_index]


@dataclass
class ConnectionArrays:
    """Connections in creation order; ``values`` holds per-connection values that the
    connector itself defines (e.g. the weight column of a FromListConnector)."""

    pre: np.ndarray
    post: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)
    #: whether the same (pre, post) pair may appear more than once
    may_repeat: bool = False
    #: whether the connector's order is final (otherwise the projection puts the connections
    #: in (pre index, post index) order, the order in which PyNN+NEST lists them)
    ordered: bool = False

    def take(self, permutation: np.ndarray) -> "ConnectionArrays":
        """The same connections in the order ``permutation``."""
        self.pre, self.post = self.pre[permutation], self.post[permutation]
        self.values = {name: values[permutation] for name, values in self.values.items()}
        return self

    def in_creation_order(self, post_size: int) -> "ConnectionArrays":
        """Sort by pre index then post index (stable: connections between one pair keep the
        connector's order, which ``multiple_synapses='first'/'last'`` refer to)."""
        if self.ordered or self.pre.size < 2:
            return self
        permutation = pre_major_permutation(self.pre, self.post, post_size)
        return self if permutation is None else self.take(permutation)


def pre_major_permutation(pre: np.ndarray, post: np.ndarray, post_size: int) -> np.ndarray | None:
    """Stable permutation putting connections in (pre, post) order; None if they already are."""
    flat = pre.astype(np.int64) * post_size + post
    if np.all(flat[1:] >= flat[:-1]):
        return None
    if np.all(post[1:] >= post[:-1]):  # post-major (what most connectors build): sort by pre only
        keys = pre.astype(np.uint16) if pre.size and int(pre.max()) < 2**16 else pre  # radix sort
        return np.argsort(keys, kind="stable")
    return np.argsort(flat, kind="stable")


class Connector:
    """Base class of connectors. Subclasses implement ``connect(context)``."""

    #: Parameter name -> default, as PyNN's connectors take them (for describe()).
    parameter_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, location_selector: Any = None, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        """``location_selector``: PyNN 0.13's choice of post-synaptic compartments; pynnlite has
        point neurons only, so it must be None. ``callback``: a function of the fraction done."""
        if location_selector is not None:
            raise InvalidParameterValueError(
                "location_selector must be None: pynnlite has point neurons only (no multicompartment "
                f"locations), got {location_selector!r}")
        self.location_selector = None
        self.safe = safe
        if callback is not None and not callable(callback):
            raise InvalidParameterValueError("callback must be a function of the fraction done (0..1)")
        self.callback = callback

    def connect(self, context: ConnectionContext) -> ConnectionArrays:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.connect")

    def progress(self, fraction: float) -> None:
        """Report build progress (0..1) to the user's callback, if any."""
        if self.callback is not None:
            self.callback(fraction)

    def get_parameters(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.parameter_names}

    def describe(self, template: str | None = "connector_default.txt", engine: str = "default"):
        from pynnlite import descriptions
        return descriptions.render(engine, template, self.describe_context())

    def describe_context(self) -> dict[str, Any]:
        return {"name": type(self).__name__, "parameters": self.get_parameters()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        return f"{type(self).__name__}({args})"


def check_probability(name: str, p: float) -> float:
    if not isinstance(p, (int, float, np.integer, np.floating)) or not 0.0 <= float(p) <= 1.0:
        raise InvalidParameterValueError(f"{name} must be a probability in [0, 1], got {p!r}")
    return float(p)


def check_allow_self(value: Any, allowed: tuple = (True, False)) -> Any:
    if value not in allowed and not (isinstance(value, str) and value in allowed):
        raise InvalidParameterValueError(
            f"allow_self_connections must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value


def pairs_for_posts(pre_size: int, posts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (pre, post) pair for the given posts, post-major (all pres of posts[0] first)."""
    pre = np.tile(np.arange(pre_size, dtype=np.int64), posts.size)
    post = np.repeat(posts.astype(np.int64), pre_size)
    return pre, post


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + c) for each (s, c), without a Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(np.asarray(starts, dtype=np.int64) - np.cumsum(counts) + counts, counts)
    return offsets + np.arange(total, dtype=np.int64)
