"""Columnar storage of a projection's connections and the lightweight Connection view.

One array per column, in creation order: ``pre`` and ``post`` indices (relative to the
projection's pre and post), ``weight``, ``delay_steps`` and one float array per
synapse parameter or state variable. No per-connection Python object exists unless
asked for (``prj[i]``, iteration).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.projections import Projection


def index_dtype(size: int) -> type:
    return np.int32 if size < 2**31 - 1 else np.int64


class ConnectionTable:
    """The connections of one projection on this process."""

    def __init__(self, pre: np.ndarray, post: np.ndarray, weight: np.ndarray, delay_steps: np.ndarray,
                 columns: dict[str, np.ndarray], may_repeat: bool, pre_size: int, post_size: int):
        self.pre = np.ascontiguousarray(pre, dtype=index_dtype(pre_size))
        self.post = np.ascontiguousarray(post, dtype=index_dtype(post_size))
        self.weight = np.ascontiguousarray(weight, dtype=float)
        self.delay_steps = np.ascontiguousarray(delay_steps, dtype=np.int32)
        self.columns = {name: np.ascontiguousarray(values, dtype=float) for name, values in columns.items()}
        self.may_repeat = may_repeat
        self.pre_size = pre_size
        self.post_size = post_size
        self._rank_cache: np.ndarray | None = None
        self._repeats: bool | None = None
        self.version = 0  # bumped whenever a value column changes

    def __len__(self) -> int:
        return self.pre.size

    @property
    def nbytes(self) -> int:
        return (self.pre.nbytes + self.post.nbytes + self.weight.nbytes + self.delay_steps.nbytes
                + sum(c.nbytes for c in self.columns.values()))

    def flat_index(self) -> np.ndarray:
        """Position of each connection in the row-major (pre, post) matrix."""
        return self.pre.astype(np.int64) * self.post_size + self.post

    @property
    def has_repeats(self) -> bool:
        """Whether some (pre, post) pair has more than one connection."""
        if self._repeats is None:
            if not self.may_repeat or len(self) < 2:
                self._repeats = False
            else:
                flat = np.sort(self.flat_index())
                self._repeats = bool(np.any(flat[1:] == flat[:-1]))
        return self._repeats

    def rank_within_post(self) -> np.ndarray:
        """For each connection, how many connections to the same post cell precede it."""
        if self._rank_cache is None:
            self._rank_cache = rank_within_groups(self.post)
        return self._rank_cache


def rank_within_groups(groups: np.ndarray) -> np.ndarray:
    """For each element, the number of earlier elements with the same value."""
    n = groups.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    if np.all(groups[1:] >= groups[:-1]):
        order = None
        sorted_groups = groups
    else:
        order = np.argsort(groups, kind="stable")
        sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    lengths = np.diff(np.r_[starts, n])
    ranks_sorted = np.arange(n, dtype=np.int64) - np.repeat(starts, lengths)
    if order is None:
        return ranks_sorted
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = ranks_sorted
    return ranks


class Connection:
    """A view of one connection of a projection (created on demand)."""

    __slots__ = ("projection", "index")

    def __init__(self, projection: "Projection", index: int):
        self.projection = projection
        self.index = index

    @property
    def presynaptic_index(self) -> int:
        return int(self.projection._table.pre[self.index])

    @property
    def postsynaptic_index(self) -> int:
        return int(self.projection._table.post[self.index])

    @property
    def presynaptic_cell(self):
        return self.projection.pre[self.presynaptic_index]

    @property
    def postsynaptic_cell(self):
        return self.projection.post[self.postsynaptic_index]

    #: PyNN+NEST's names: ``source``/``target`` (the cells' IDs), ``parent`` (the projection).
    source = presynaptic_cell
    target = postsynaptic_cell

    @property
    def parent(self) -> "Projection":
        return self.projection

    def _value(self, name: str) -> float:
        return float(self.projection._column(name, np.array([self.index]))[0])

    def _set_value(self, name: str, value: float) -> None:
        self.projection._set_connection_values(np.array([self.index]), {name: value})

    @property
    def weight(self) -> float:
        return self._value("weight")

    @weight.setter
    def weight(self, value: float) -> None:
        self._set_value("weight", value)

    @property
    def delay(self) -> float:
        return self._value("delay")

    @delay.setter
    def delay(self, value: float) -> None:
        self._set_value("delay", value)

    def __getattr__(self, name: str) -> Any:
        if name in self.projection.synapse_parameter_names() + self.projection.synapse_state_names():
            return self._value(name)
        raise AttributeError(f"connection has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__slots__ or name in ("weight", "delay"):
            object.__setattr__(self, name, value)
        elif name in self.projection.synapse_parameter_names():
            self._set_value(name, value)
        else:
            raise AttributeError(f"connection has no attribute {name!r}")

    def as_tuple(self, *attribute_names: str) -> tuple:
        """(pre index, post index, values...) or, for the names given, those values."""
        names = attribute_names or ("presynaptic_index", "postsynaptic_index", "weight", "delay")
        return tuple(getattr(self, name) for name in names)

    def __repr__(self) -> str:
        return (f"Connection({self.presynaptic_index} -> {self.postsynaptic_index}, "
                f"weight={self.weight}, delay={self.delay})")
