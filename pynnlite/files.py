"""Text files of connections: a header of ``# key = value`` lines, then one row per connection.

Values are written with Python's shortest round-trip float repr, so a file read back
gives bit-identical numbers and a save → load → save round trip is byte-identical.
"""
from __future__ import annotations

import ast
import os
from typing import Any, Sequence

import numpy as np

from pynnlite.errors import ConnectionError, InvalidParameterValueError


def _format_column(values: np.ndarray) -> list[str]:
    if np.issubdtype(values.dtype, np.integer):
        return list(map(str, values.tolist()))
    return list(map(repr, values.astype(float).tolist()))


def check_table_file(file: Any, name: str = "file") -> None:
    """InvalidParameterValueError naming ``name`` unless ``file`` is a path or a text stream."""
    if not isinstance(file, (str, os.PathLike)) and not callable(getattr(file, "write", None)):
        raise InvalidParameterValueError(f"{name} must be a file name, a path or a text stream, got {file!r}")


def write_table(file: Any, columns: Sequence[np.ndarray], metadata: dict[str, Any]) -> None:
    """Write the columns as rows under a metadata header. ``file`` is a path (missing folders
    are created, as PyNN does) or a text stream."""
    check_table_file(file)
    header = "".join(f"# {key} = {value!r}\n" for key, value in metadata.items())
    formatted = [_format_column(np.asarray(c)) for c in columns]
    body = "\n".join(map(" ".join, zip(*formatted))) if formatted and len(formatted[0]) else ""
    text = header + body + ("\n" if body else "")
    if not isinstance(file, (str, os.PathLike)):
        try:
            file.write(text)
        except (OSError, TypeError, ValueError) as error:   # closed, binary, read-only ...
            raise InvalidParameterValueError(f"file: cannot write to the stream {file!r}: {error}") from error
    else:
        try:
            folder = os.path.dirname(os.fspath(file))
            if folder:
                os.makedirs(folder, exist_ok=True)
            with open(os.fspath(file), "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            raise InvalidParameterValueError(f"file: cannot write {os.fspath(file)!r}: {error.strerror}") from error


def read_table(path: Any) -> tuple[np.ndarray, dict[str, Any]]:
    """Read a file written by ``write_table`` (or PyNN's StandardTextFile).

    Returns the data as a float array of shape (rows, columns) and the header metadata.
    Errors name the file and the line.
    """
    name = os.fspath(path)
    if not os.path.exists(name):
        raise ConnectionError(f"connection file {name!r} does not exist")
    if not os.path.isfile(name):
        raise ConnectionError(f"connection file {name!r} is not a file")
    metadata: dict[str, Any] = {}
    rows: list[list[float]] = []
    width = None
    try:
        with open(name, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except UnicodeDecodeError as error:
        raise ConnectionError(f"connection file {name!r} is not a text file (byte {error.start} is not "
                              "UTF-8); a binary file is read with a file object, e.g. NumpyBinaryFile") from None
    data_lines = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if "=" in stripped:
                key, _, value = stripped[1:].partition("=")
                try:
                    metadata[key.strip()] = ast.literal_eval(value.strip())
                except (ValueError, SyntaxError):
                    metadata[key.strip()] = value.strip()
            continue
        data_lines.append((number, stripped))
    if data_lines:
        try:
            table = np.array([line.split() for _, line in data_lines], dtype=float)
        except ValueError:
            for number, line in data_lines:
                fields = line.split()
                if width is None:
                    width = len(fields)
                if len(fields) != width:
                    raise ConnectionError(
                        f"{name}, line {number}: expected {width} columns, got {len(fields)}") from None
                try:
                    [float(f) for f in fields]
                except ValueError:
                    raise ConnectionError(f"{name}, line {number}: not a number in {line!r}") from None
            raise
        if table.ndim != 2:
            raise ConnectionError(f"{name}: rows have different numbers of columns")
    else:
        columns = metadata.get("columns")
        table = np.empty((0, len(columns) if isinstance(columns, (list, tuple)) else 2))
    del rows
    return table, metadata


def check_columns(metadata: dict[str, Any], width: int, path: Any) -> list[str] | None:
    columns = metadata.get("columns")
    if columns is None:
        return None
    if not isinstance(columns, (list, tuple)) or len(columns) != width:
        raise InvalidParameterValueError(
            f"{os.fspath(path)}: header names {columns!r} but rows have {width} columns")
    return list(columns)
