"""Connectors that take explicit connections: from a list, a file, a matrix or another projection."""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np

from pynnlite.connectors.base import ConnectionArrays, ConnectionContext, Connector
from pynnlite.errors import ConnectionError, InvalidDimensionsError, InvalidParameterValueError, check_bool
from pynnlite.file_formats import BaseFile
from pynnlite.files import read_table

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
        if table.shape[1] not in DEFAULT_COLUMNS:
            raise InvalidParameterValueError(
                f"{source}: {table.shape[1]} columns need column_names for the {n_values} value columns")
        names = DEFAULT_COLUMNS[table.shape[1]]
    else:
        names = tuple(column_names)
        if len(names) != n_values:
            raise InvalidDimensionsError(
                f"{source}: column_names {names} name {len(names)} value columns, but rows have {n_values}")
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InvalidParameterValueError(
                f"{source}: column_names must name each value column once, got {list(names)} "
                f"({', '.join(map(repr, repeated))} repeated)")
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

    def __init__(self, conn_list: Any, column_names: Sequence[str] | None = None, location_selector: Any = None,
                 safe: bool = True, callback: Callable[[float], None] | None = None):
        super().__init__(location_selector, safe, callback)
        self.table, self.column_names = connection_table_from_list(conn_list, column_names)
        self.conn_list = conn_list

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        return arrays_from_table(self.table, self.column_names, context, "conn_list")

    def get_parameters(self) -> dict[str, Any]:
        return {"conn_list": f"{self.table.shape[0]} connections", "column_names": list(self.column_names)}


def arrays_from_table(table: np.ndarray, names: Sequence[str], context: ConnectionContext,
                      source: str, per_rank: bool = False) -> ConnectionArrays:
    """The rows of a validated table whose post cell is local, in row order (the projection
    then orders them by pre and post index, rows of one pair keeping their order; ``per_rank``:
    the table is this process's own file, e.g. written by ``save(gather=False)``)."""
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


class FromFileConnector(Connector):
    """Connections read from a text file of (pre index, post index[, values...]) rows.

    The format is the one ``Projection.save(..., format='list')`` writes (and
    PyNN's StandardTextFile): ``# key = value`` header lines, then one row per
    connection. A header ``# columns = ['i', 'j', 'weight', 'delay', ...]``
    names the columns ('i' and 'j' being the indices); without it, a third
    column is the weight and a fourth the delay, as in PyNN. ``file`` is a
    path, an open text file with a ``name``, or a :mod:`pynnlite.file_formats` object
    (``StandardTextFile``, ``PickleFile``, ``NumpyBinaryFile``, ``HDF5ArrayFile``) in a
    reading mode, read in its own format.
    With ``distributed=True`` each MPI process reads ``file + '.' + str(rank)``
    (PyNN's naming), e.g. ``conn.txt.0``, when connecting; on one process, where
    ``Projection.save(gather=False)`` writes ``file`` itself (as PyNN), ``file`` is
    read when there is no ``file.0``. The file is read when connecting, as in PyNN, so
    it may be written after the connector is made. A missing file or malformed line is a
    ``ConnectionError`` naming the file and line.
    """

    parameter_names = ("file", "distributed")

    def __init__(self, file: Any, distributed: bool = False, location_selector: Any = None, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        super().__init__(location_selector, safe, callback)
        self.path = _file_name(file)
        self.file = file
        self.distributed = check_bool("distributed", distributed)

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        if self.distributed:
            path = f"{self.path}.{context.rank}"
            if context.num_processes == 1 and not os.path.exists(path) and os.path.exists(self.path):
                path = self.path   # what save(gather=False) writes on one process
            file = self.file.with_name(path) if isinstance(self.file, BaseFile) else path
        else:
            path, file = self.path, self.file
        table, names = _read_connection_file(file, path)
        arrays = arrays_from_table(table, names, context, f"connection file {path!r}", self.distributed)
        self.progress(1.0)
        return arrays

    def get_parameters(self) -> dict[str, Any]:
        return {"file": self.path, "distributed": self.distributed}


def _file_name(file: Any) -> str:
    if isinstance(file, (str, os.PathLike)):
        return os.fspath(file)
    name = getattr(file, "name", None)
    if isinstance(name, (str, os.PathLike)):
        return os.fspath(name)
    raise InvalidParameterValueError(
        f"file must be a file name or a file object with a name, got {type(file).__name__}")


def _read_connection_file(file: Any, path: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Rows and value-column names of a connection file: a
    :mod:`pynnlite.file_formats` object, else the text file at ``path`` (errors name the file)."""
    if isinstance(file, BaseFile):
        table, metadata = file.read(), file.get_metadata()
    else:
        table, metadata = read_table(path)
    source = f"connection file {path!r}"
    columns = metadata.get("columns")
    if columns is None and "shape" in metadata:
        raise ConnectionError(f"{source} holds a connection matrix (Projection.save(format='array')); "
                              f"FromFileConnector reads list-format files (rows of i, j, values...)")
    if columns is not None:
        if not isinstance(columns, (list, tuple)) or not all(isinstance(c, str) for c in columns):
            raise ConnectionError(f"{source}: the 'columns' header must be a list of names, got {columns!r}")
        if len(columns) != table.shape[1]:
            raise ConnectionError(
                f"{source}: the header names {len(columns)} columns {list(columns)} but rows have "
                f"{table.shape[1]}")
        if list(columns[:2]) != ["i", "j"]:
            raise ConnectionError(
                f"{source}: the first two columns must be 'i' and 'j' (pre and post index), "
                f"got header columns {list(columns)}")
        names: Sequence[str] | None = [c for c in columns if c not in ("i", "j")]
    else:
        names = None
    try:
        return connection_table_from_list(table, names, source)
    except (InvalidParameterValueError, InvalidDimensionsError) as err:
        raise ConnectionError(str(err)) from None


class ArrayConnector(Connector):
    """Connections given by a boolean matrix of shape (pre size, post size): True (or 1)
    where pre cell i connects to post cell j. Connections are post-major, pre ascending."""

    parameter_names = ("array",)

    def __init__(self, array: Any, location_selector: Any = None, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        super().__init__(location_selector, safe, callback)
        try:
            matrix = np.asarray(array)
        except (TypeError, ValueError):
            raise InvalidParameterValueError("array must be a 2D boolean (or 0/1) array, pre × post") from None
        if matrix.ndim != 2:
            raise InvalidDimensionsError(
                f"array must be 2D, of shape (pre size, post size), got shape {matrix.shape}")
        if matrix.dtype != bool:
            if not (np.issubdtype(matrix.dtype, np.number) and np.isin(matrix, (0, 1)).all()):
                raise InvalidParameterValueError(
                    "array must be boolean or contain only 0 and 1 (True where cells connect)")
            matrix = matrix.astype(bool)
        self.array = array
        self._matrix = matrix

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        if self._matrix.shape != (context.pre_size, context.post_size):
            raise InvalidDimensionsError(
                f"ArrayConnector: array has shape {self._matrix.shape}, but the projection is "
                f"{context.pre_size} pre × {context.post_size} post cells")
        posts = np.asarray(context.post_local, dtype=np.int64)
        rows, pre = np.nonzero(self._matrix[:, posts].T)
        self.progress(1.0)
        return ConnectionArrays(pre.astype(np.int64), posts[rows])

    def get_parameters(self) -> dict[str, Any]:
        return {"array": f"{self._matrix.shape[0]}×{self._matrix.shape[1]} array, "
                         f"{int(self._matrix.sum())} connections"}


class CloneConnector(Connector):
    """The connectivity of an existing projection between the same pre and post cells.

    Each connected (pre, post) pair of ``reference_projection`` is connected once
    (as in PyNN, which copies the pattern of the reference's connection matrix),
    in (pre, post) order. Pre and post must be the same cells, in the same
    order, as the reference's; otherwise a ``ConnectionError``.
    """

    parameter_names = ("reference_projection",)

    def __init__(self, reference_projection: Any, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        super().__init__(None, safe, callback)
        if not all(hasattr(reference_projection, a) for a in ("_table", "pre", "post")):
            raise InvalidParameterValueError(
                f"reference_projection must be a Projection, got {type(reference_projection).__name__}")
        self.reference_projection = reference_projection

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        ref = self.reference_projection
        for side, ids in (("pre", context.pre_ids), ("post", context.post_ids)):
            ref_ids = np.asarray(getattr(ref, side).all_cells, dtype=np.int64)
            if ref_ids.shape != np.shape(ids) or not np.array_equal(ref_ids, ids):
                raise ConnectionError(
                    f"CloneConnector: the {side}synaptic cells ({np.size(ids)}) must be those of the "
                    f"reference projection {getattr(ref, 'label', '')!r} ({ref_ids.size}), in the same order")
        table = ref._table
        flat = np.unique(np.asarray(table.post, dtype=np.int64) * context.pre_size
                         + np.asarray(table.pre, dtype=np.int64))           # post-major, no repeats
        post, pre = np.divmod(flat, max(context.pre_size, 1))
        local = np.zeros(context.post_size, dtype=bool)
        local[context.post_local] = True
        keep = local[post]
        self.progress(1.0)
        return ConnectionArrays(pre[keep], post[keep])

    def get_parameters(self) -> dict[str, Any]:
        return {"reference_projection": getattr(self.reference_projection, "label", repr(self.reference_projection))}
