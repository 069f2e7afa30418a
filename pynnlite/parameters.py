"""Parameter values for many cells at once: scalars, arrays, random distributions,
functions of the cell index and `Sequence` values, evaluated lazily with lazyarray
so that a process only materialises the cells it owns."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
from lazyarray import larray

from pynnlite.errors import InvalidDimensionsError, InvalidParameterValueError, check_finite, is_boolean


class Sequence:
    """A sequence of values held by one cell as a single parameter (e.g. spike times in ms)."""

    def __init__(self, value: Iterable[float]):
        try:
            self.value = np.asarray(value, dtype=float).ravel()
        except (TypeError, ValueError):
            raise InvalidParameterValueError(f"a Sequence holds numbers, got {value!r}") from None
        if np.isnan(self.value).any():
            raise InvalidParameterValueError("Sequence values must not be NaN")

    def __len__(self) -> int:
        return self.value.size

    def __iter__(self):
        return iter(self.value)

    def __getitem__(self, item):
        return self.value[item]

    def __eq__(self, other: object) -> Any:
        """Equal values; against an array of Sequences, one bool per element (as PyNN)."""
        if isinstance(other, Sequence):
            return self.value.shape == other.value.shape and bool(np.all(self.value == other.value))
        if isinstance(other, np.ndarray) and other.size and isinstance(other.flat[0], Sequence):
            return np.array([self == seq for seq in other])
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value.tobytes())

    def __repr__(self) -> str:
        return f"Sequence({self.value.tolist()!r})"

    def _apply(self, operation: Any, val: Any) -> Any:
        """``operation`` of the values and a number; with a list or 1-D array ``val``, an object
        array holding one Sequence per element of ``val`` (as PyNN, e.g. one per cell)."""
        if np.ndim(val) == 0:
            return type(self)(operation(self.value, val))
        result = np.empty(len(val), dtype=object)
        result[:] = [type(self)(operation(self.value, x)) for x in val]
        return result

    def __add__(self, val: Any) -> Any:
        return self._apply(np.add, val)

    def __sub__(self, val: Any) -> Any:
        return self._apply(np.subtract, val)

    def __mul__(self, val: Any) -> Any:
        return self._apply(np.multiply, val)

    __rmul__ = __mul__

    def __truediv__(self, val: Any) -> Any:
        return self._apply(np.true_divide, val)

    def max(self) -> float:
        return float(self.value.max()) if self.value.size else float("nan")


class ArrayParameter(Sequence):
    """PyNN's name for a fixed-length array held by one cell as a single parameter (e.g. the
    time constants of GIF_cond_exp); evaluated and stored as a Sequence."""

    def __repr__(self) -> str:
        return f"ArrayParameter({self.value.tolist()!r})"


def _is_sequence_list(value: Any) -> bool:
    return (isinstance(value, (list, tuple, np.ndarray))
            and len(value) > 0 and all(isinstance(v, (Sequence, list, tuple, np.ndarray)) for v in value))


def evaluate(value: Any, name: str, size: int, indices: np.ndarray | None = None,
             sequence: bool = False, shape: tuple[int, ...] | None = None, flag: bool = False) -> np.ndarray:
    """Values of one parameter for the cells ``indices`` (default: all) of a group of ``size``.

    ``value`` may be a number, a 1-D array or list of length ``size`` (or an array of the
    population's ``shape``, in the order of its cells), a RandomDistribution, a function of
    the cell index, or (for sequence parameters) a Sequence or one Sequence per cell.
    True/False only for a ``flag`` parameter (a switch stored as 1.0/0.0).
    Returns a float array, or an object array of Sequence for sequence parameters.
    """
    if indices is None:
        indices = np.arange(size)
    if sequence:
        return _evaluate_sequence(value, name, size, indices)
    if isinstance(value, Sequence):
        raise InvalidParameterValueError(f"{name} takes numbers, not a Sequence")
    if not flag and is_boolean(value):
        raise InvalidParameterValueError(f"{name}: expected numbers, got True/False ({value!r})")
    if isinstance(value, np.ndarray) and value.ndim == 0:   # a number
        value = value[()]
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise InvalidParameterValueError(f"{name}: expected numbers, got {value!r}") from None
    if isinstance(value, np.ndarray):
        if value.shape not in ((size,), shape):
            expected = f"({size},)" + (f" or {shape}" if shape not in (None, (size,)) else "")
            raise InvalidDimensionsError(f"{name}: an array of shape {expected} was expected, got shape {value.shape}")
        if not np.issubdtype(value.dtype, np.number) and value.dtype != bool:
            raise InvalidParameterValueError(f"{name}: expected numbers, got dtype {value.dtype}")
        result = value.reshape(size)[indices].astype(float)
    elif isinstance(value, (int, float, np.integer, np.floating, bool, np.bool_)):
        result = np.full(indices.size, float(value))
    elif callable(value) or hasattr(value, "lazily_evaluate"):
        try:
            result = np.asarray(larray(value, shape=(size,))[indices], dtype=float)
        except (TypeError, ValueError) as error:
            raise InvalidParameterValueError(f"{name}: the function or distribution did not give numbers ({error})") from None
        result = broadcast_values(name, result, indices.shape, "cell index")
    else:
        raise InvalidParameterValueError(
            f"{name}: expected a number, array, RandomDistribution or function, got {type(value).__name__}")
    check_finite(name, result)
    return result


def broadcast_values(name: str, values: np.ndarray, shape: tuple[int, ...], per: str) -> np.ndarray:
    """A copy of what a function gave for ``name`` (one value, or one per ``per`` it was given),
    as an array of ``shape``; InvalidDimensionsError naming ``name`` for any other shape."""
    try:
        return np.broadcast_to(values, shape).copy()
    except ValueError:
        raise InvalidDimensionsError(f"{name}: the function must give one number, or one per {per} "
                                     f"it is given, got shape {values.shape}") from None


def _evaluate_sequence(value: Any, name: str, size: int, indices: np.ndarray) -> np.ndarray:
    result = np.empty(indices.size, dtype=object)
    if isinstance(value, Sequence):
        result[:] = [value] * indices.size
    elif _is_sequence_list(value):
        if len(value) != size:
            raise InvalidDimensionsError(f"{name}: expected {size} sequences, got {len(value)}")
        for k, i in enumerate(indices):
            v = value[i]
            result[k] = v if isinstance(v, Sequence) else Sequence(v)
    elif isinstance(value, (list, tuple, np.ndarray, range)):
        seq = Sequence(value)
        result[:] = [seq] * indices.size
    elif callable(value):
        batch = _call_with_indices(value, indices)    # PyNN calls it with the index array
        for k, i in enumerate(indices):
            v = batch[k] if batch is not None else value(i)
            result[k] = v if isinstance(v, Sequence) else Sequence(v)
    else:
        raise InvalidParameterValueError(
            f"{name}: expected a Sequence, a list of times or one Sequence per cell, got {type(value).__name__}")
    return result


def _call_with_indices(function: Any, indices: np.ndarray) -> list | None:
    """``function(indices)`` if it gives one sequence per index (as for PyNN, which calls
    it with the index array), else None (then it is called with one index at a time)."""
    try:
        batch = function(indices)
    except Exception:  # noqa: BLE001 - a function of one index: called per cell instead
        return None
    if _is_sequence_list(batch) and len(batch) == indices.size and not isinstance(batch, Sequence):
        return list(batch)
    return None


def simplify(value: Any) -> Any:
    """A single value when all entries of the array ``value`` are equal (PyNN's
    ``simplify=True``; a numpy scalar, e.g. np.float64, as PyNN returns), else the array;
    anything else passes through."""
    if not isinstance(value, np.ndarray) or value.ndim == 0 or value.size == 0:
        return value
    if value.dtype == object:
        first = value[0]
        return first if all(v == first for v in value) else value
    if np.all(value == value[0]):
        return value[0]
    return value
