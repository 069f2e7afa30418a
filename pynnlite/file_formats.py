"""PyNN's file objects for connection and position data (``pyNN.recording.files``).

Each class names one on-disk format and takes ``(filename, mode='rb')``; ``write(data,
metadata)`` stores a 2-D array (one row per connection or cell) with a metadata dict,
``read()`` returns the array and ``get_metadata()`` the dict. The formats are PyNN's, so
files written by PyNN are read here and the other way round:

- :class:`StandardTextFile`: ``# key = value`` header lines, then one row per line (the
  text format of :mod:`pynnlite.files`);
- :class:`PickleFile`: the pickled tuple ``(data, metadata)``, data as a list of row tuples;
- :class:`NumpyBinaryFile`: a NumPy ``.npz`` archive holding ``data`` and ``metadata`` (an
  object array of ``(name, value)`` rows);
- :class:`HDF5ArrayFile`: a PyTables array node ``data`` with the metadata as its
  attributes (needs the ``tables`` package).

Unlike PyNN, the file is opened only when it is written or read, so constructing a
writing file object on every MPI process does not truncate the file rank 0 writes.
"""
from __future__ import annotations

import ast
import os
import pickle
from typing import Any, Sequence

import numpy as np

from pynnlite.errors import ConnectionError, InvalidParameterValueError
from pynnlite.files import read_table, write_table

_MODES = ("r", "rb", "w", "wb")


class BaseFile:
    """A named file of one format; ``mode`` 'r'/'rb' to read, 'w'/'wb' to write."""

    modes: tuple[str, ...] = _MODES

    def __init__(self, filename: str | os.PathLike, mode: str = "rb"):
        if not isinstance(filename, (str, os.PathLike)):
            raise InvalidParameterValueError(f"filename must be a file name or a path, got {filename!r}")
        if mode not in self.modes:
            raise InvalidParameterValueError(
                f"mode must be one of {', '.join(map(repr, self.modes))}, got {mode!r}")
        self.name = os.fspath(filename)
        self.mode = mode

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, mode={self.mode!r})"

    # -- PyNN's API --------------------------------------------------------------
    def write(self, data: Any, metadata: dict[str, Any]) -> None:
        """Store ``data`` (rows × columns) and ``metadata``, replacing the file."""
        self._check_mode("write", writing=True)
        if not isinstance(metadata, dict):
            raise InvalidParameterValueError(f"metadata must be a dict, got {metadata!r}")
        rows = _rows(data)
        try:
            self._make_folder()
            self._write(rows, metadata)
        except OSError as error:
            raise InvalidParameterValueError(f"filename: cannot write {self.name!r}: {error}") from error

    def read(self) -> np.ndarray:
        """The stored rows as a float array of shape (rows, columns)."""
        return self._load()[0]

    def get_metadata(self) -> dict[str, Any]:
        """The stored metadata dict."""
        return self._load()[1]

    def close(self) -> None:
        """Nothing to do: the file is open only while it is written or read."""

    def rename(self, filename: str | os.PathLike) -> None:
        """Use another file name from now on (as PyNN, for per-process files)."""
        self.name = os.fspath(filename)

    # -- pynnlite's use ----------------------------------------------------------
    def with_name(self, filename: str) -> "BaseFile":
        """A file object of the same class and mode for another file name."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, name=filename)
        return copy

    def write_columns(self, columns: Sequence[np.ndarray], metadata: dict[str, Any]) -> None:
        """Write one array per column (how Projection.save and save_positions write)."""
        rows = np.column_stack([np.asarray(c, dtype=float) for c in columns]) if columns else np.empty((0, 0))
        self.write(rows, metadata)

    # -- per format ----------------------------------------------------------------
    def _write(self, rows: np.ndarray, metadata: dict[str, Any]) -> None:
        raise NotImplementedError

    def _read(self) -> tuple[Any, dict[str, Any]]:
        raise NotImplementedError

    def _load(self) -> tuple[np.ndarray, dict[str, Any]]:
        self._check_mode("read", writing=False)
        if not os.path.exists(self.name):
            raise ConnectionError(f"filename: file {self.name!r} does not exist ({self!r})")
        if not os.path.isfile(self.name):
            raise ConnectionError(f"filename: {self.name!r} is not a file ({self!r})")
        try:
            data, metadata = self._read()
            rows = _rows(data)
        except ConnectionError:
            raise
        except Exception as error:   # noqa: BLE001 - any decoding failure means "not this format"
            raise ConnectionError(
                f"filename: {self.name!r} is not a readable {type(self).__name__} "
                f"({type(error).__name__}: {error})") from None
        if not isinstance(metadata, dict):
            raise ConnectionError(f"filename: {self.name!r} holds no metadata dict ({type(self).__name__})")
        columns = metadata.get("columns")
        if rows.size == 0 and isinstance(columns, (list, tuple)):
            rows = rows.reshape(0, len(columns))
        return rows, metadata

    def _check_mode(self, action: str, writing: bool) -> None:
        if self.mode.startswith(("w", "a")) != writing:
            raise InvalidParameterValueError(
                f"mode: {self!r} was opened with mode={self.mode!r}, it cannot {action}; "
                f"use mode={'w' if writing else 'r'!r}")

    def _make_folder(self) -> None:
        folder = os.path.dirname(self.name)
        if folder:
            os.makedirs(folder, exist_ok=True)


def _rows(data: Any) -> np.ndarray:
    try:
        rows = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterValueError("data must be a 2-D array of numbers (one row per item)") from None
    if rows.size == 0:
        return rows.reshape(0, rows.shape[1] if rows.ndim == 2 else 0)
    if rows.ndim == 1:
        rows = rows[np.newaxis, :]
    if rows.ndim != 2:
        raise InvalidParameterValueError(f"data must be a 2-D array (rows × columns), got shape {rows.shape}")
    return rows


class StandardTextFile(BaseFile):
    """Text: ``# key = value`` header lines, then one whitespace-separated row per line."""

    def write_columns(self, columns: Sequence[np.ndarray], metadata: dict[str, Any]) -> None:
        self._check_mode("write", writing=True)
        write_table(self.name, columns, metadata)   # integer columns stay integers

    def _write(self, rows: np.ndarray, metadata: dict[str, Any]) -> None:
        write_table(self.name, list(rows.T), metadata)

    def _read(self) -> tuple[Any, dict[str, Any]]:
        try:
            return read_table(self.name)
        except ConnectionError as error:
            raise ConnectionError(f"filename: {error} (StandardTextFile)") from None


class PickleFile(BaseFile):
    """Python pickle of ``(data, metadata)``; data as a list of row tuples, as PyNN pickles it.
    Read only files you trust: unpickling can run code."""

    def _write(self, rows: np.ndarray, metadata: dict[str, Any]) -> None:
        with open(self.name, "wb") as handle:
            pickle.dump((list(map(tuple, rows.tolist())), metadata), handle)

    def _read(self) -> tuple[Any, dict[str, Any]]:
        with open(self.name, "rb") as handle:
            stored = pickle.load(handle)
        if not (isinstance(stored, tuple) and len(stored) == 2):
            raise ConnectionError(f"filename: {self.name!r} does not hold a pickled (data, metadata) pair")
        return stored


class NumpyBinaryFile(BaseFile):
    """NumPy ``.npz`` archive with arrays ``data`` and ``metadata`` ((name, value) rows).
    The name is used as given (no ``.npz`` is added). Reading unpickles the metadata."""

    def _write(self, rows: np.ndarray, metadata: dict[str, Any]) -> None:
        table = np.empty((len(metadata), 2), dtype=object)
        for row, (key, value) in enumerate(metadata.items()):
            table[row, 0], table[row, 1] = key, value
        with open(self.name, "wb") as handle:
            np.savez(handle, data=rows, metadata=table)

    def _read(self) -> tuple[Any, dict[str, Any]]:
        with np.load(self.name, allow_pickle=True) as archive:
            data, table = archive["data"], archive["metadata"]
        metadata = {}
        for key, value in table.reshape(-1, 2) if table.size else []:
            if isinstance(value, str):   # PyNN evaluates string values
                try:
                    value = ast.literal_eval(value)
                except (ValueError, SyntaxError):
                    pass
            metadata[str(key)] = value
        return data, metadata


class HDF5ArrayFile(BaseFile):
    """HDF5 (PyTables): array node ``data`` with the metadata as its attributes.
    Needs the ``tables`` package (``pip install tables``)."""

    modes = ("r", "w", "a")

    def __init__(self, filename: str | os.PathLike, mode: str = "r", title: str = "PyNN data file"):
        try:
            import tables  # noqa: F401
        except ImportError:
            raise InvalidParameterValueError(
                "HDF5ArrayFile needs the PyTables package: pip install tables "
                "(or use StandardTextFile, PickleFile or NumpyBinaryFile)") from None
        super().__init__(filename, mode)
        self.title = title

    def _write(self, rows: np.ndarray, metadata: dict[str, Any]) -> None:
        import tables
        with tables.open_file(self.name, mode=self.mode, title=self.title) as handle:
            node = handle.create_array(handle.root, "data", rows)
            for key, value in metadata.items():
                setattr(node.attrs, key, value)

    def _read(self) -> tuple[Any, dict[str, Any]]:
        import tables
        with tables.open_file(self.name, mode="r") as handle:
            node = handle.root.data
            return node.read(), {key: node.attrs[key] for key in node.attrs._f_list()}
