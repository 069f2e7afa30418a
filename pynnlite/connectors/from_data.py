"""Connectors that take explicit connections: from a list of tuples or an array."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from pynnlite.connectors.base import ConnectionArrays, ConnectionContext, Connector
from pynnlite.errors import ConnectionError, InvalidDimensionsError, InvalidParameterValueError

#: Column names PyNN assumes when a list has 3 or 4 columns and no names are given.
DEFAULT_COLUMNS = {2: (), 3: ("weight",), 4: ("weight", "delay")}


def connection_table_from_list(conn_list: Any, column_names: Sequence[str] | None,
                               source: str = "conn_list") -> tuple[np.ndarray, tuple[str, ...]]:
    """Validate a list/array of (i, j, values...) rows; return a float (N, k) array and value names."""
    try:
        table = np.asarray(conn_list, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterValueError(f"{source}: rows must be tuples of numbers") from None
    if table.size == 0:
        table = table.reshape(0, 2 + len(column_names or ()))
    if table.ndim != 2 or table.shape[1] < 2:
        raise InvalidDimensionsError(
            f"{source}: expected rows of (pre index, post index, values...), got shape {table.shape}")
    n_values = table.shape[1] - 2
    if column_names is None:
        if n_values not in DEFAULT_COLUMNS:
            raise InvalidParameterValueError(
                f"{source}: {table.shape[1]} columns need column_names for the {n_values} value columns")
        names = DEFAULT_COLUMNS[n_values]
    else:
        names = tuple(column_names)
        if len(names) != n_values:
            raise InvalidDimensionsError(
                f"{source}: column_names {names} name {len(names)} value columns, but rows have {n_values}")
    if np.isnan(table).any():
        row = int(np.argwhere(np.isnan(table))[0, 0])
        raise InvalidParameterValueError(f"{source}: NaN in row {row}")
    return table, names


class FromListConnector(Connector):
    """Connections given as a list of (pre index, post index[, values...]) tuples.

    ``column_names`` names the value columns; without it, a third column is the
    weight and a fourth the delay (ms), as in PyNN.
    """

    parameter_names = ("conn_list", "column_names")

    def __init__(self, conn_list: Any, safe: bool = True, column_names: Sequence[str] | None = None,
                 callback: Callable[[float], None] | None = None):
        super().__init__(safe, callback)
        self.table, self.column_names = connection_table_from_list(conn_list, column_names)
        self.conn_list = conn_list

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        return arrays_from_table(self.table, self.column_names, context, "conn_list")

    def get_parameters(self) -> dict[str, Any]:
        return {"conn_list": f"{self.table.shape[0]} connections", "column_names": list(self.column_names)}


def arrays_from_table(table: np.ndarray, names: Sequence[str], context: ConnectionContext,
                      source: str) -> ConnectionArrays:
    """The rows of a validated table whose post cell is local, in row order."""
    pre = table[:, 0]
    post = table[:, 1]
    for label, idx, size in (("pre", pre, context.pre_size), ("post", post, context.post_size)):
        if idx.size and (idx.min() < 0 or idx.max() >= size or np.any(idx != np.floor(idx))):
            bad = int(np.flatnonzero((idx < 0) | (idx >= size) | (idx != np.floor(idx)))[0])
            raise ConnectionError(
                f"{source}: row {bad} has {label} index {idx[bad]!r}, outside 0..{size - 1}")
    pre = pre.astype(np.int64)
    post = post.astype(np.int64)
    local = np.zeros(context.post_size, dtype=bool)
    local[context.post_local] = True
    keep = local[post]
    values = {name: table[keep, 2 + k].copy() for k, name in enumerate(names)}
    return ConnectionArrays(pre[keep], post[keep], values, may_repeat=True)
