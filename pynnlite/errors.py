"""Exceptions raised by pynnlite, with the names PyNN 0.13 scripts catch.

Every error raised for bad user input names the argument and what was expected,
and is raised before any state is changed.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np


class PynnliteError(Exception):
    """Base class of every pynnlite error."""


class InvalidParameterValueError(PynnliteError, ValueError):
    """A parameter value is of the wrong type, dimension, shape or range."""


class NonExistentParameterError(PynnliteError, KeyError):
    """A parameter name that the model does not have.

    The message lists the valid names.
    """

    def __init__(self, parameter_name: str, model_name: str = "",
                 valid_parameter_names: Iterable[str] = ()):
        self.parameter_name = parameter_name
        self.model_name = model_name
        self.valid_parameter_names = sorted(valid_parameter_names)
        super().__init__(parameter_name)

    def __str__(self) -> str:
        where = f" of {self.model_name}" if self.model_name else ""
        return (f"'{self.parameter_name}' is not a parameter{where}; "
                f"valid names are: {', '.join(self.valid_parameter_names)}")


class NonExistentAttributeError(NonExistentParameterError, AttributeError):
    """A missing attribute of a cell (``pop[0].nonexistent``): PyNN raises
    NonExistentParameterError (a KeyError) there; this is also an AttributeError, so that
    ``hasattr()`` and ``getattr(cell, name, default)`` work."""


class InvalidTypeError(InvalidParameterValueError, TypeError):
    """An argument of the wrong type where PyNN raises TypeError (``except TypeError`` still
    catches it)."""


class InvalidKeyError(InvalidParameterValueError, KeyError):
    """An unknown or missing name where PyNN raises KeyError (``RandomDistribution('foo')``, a
    distribution's missing parameter, a label not in an Assembly): a KeyError, so ``except
    KeyError`` in a PyNN script still catches it, and a ValueError as pynnlite's other bad
    arguments are. The message is shown as given (a KeyError would quote it)."""

    def __str__(self) -> str:
        return Exception.__str__(self)


class InvalidIndexError(InvalidParameterValueError, IndexError):
    """A cell or connection index out of range or not an index, or an ID not in the group, where
    PyNN raises IndexError (numpy's): ``except IndexError`` still catches it. Also a ValueError,
    as pynnlite's other bad arguments are (PyNN's ``Population.id_to_index`` raises ValueError)."""


class InvalidDimensionsError(PynnliteError, ValueError):
    """An array or shape argument has the wrong dimensions."""


class ConnectionError(PynnliteError):  # noqa: A001 - PyNN's name
    """Connections could not be created or addressed as asked."""


class InvalidWeightError(ConnectionError, ValueError):
    """A weight has the wrong sign or value for its receptor type."""


class InvalidModelError(PynnliteError):
    """A model cannot be used in the way requested."""


class NoModelAvailableError(PynnliteError):
    """The backend does not provide this model."""


class RecordingError(PynnliteError):
    """A variable cannot be recorded, or recorded data are unavailable."""

    def __init__(self, variable: str = "", cell_type: object = None, message: str = ""):
        self.variable = variable
        self.cell_type = cell_type
        if not message:
            recordable = getattr(cell_type, "recordable", ())
            name = type(cell_type).__name__ if cell_type is not None else "this cell type"
            message = (f"cannot record '{variable}' from {name}; "
                       f"recordable variables are: {', '.join(recordable)}")
        super().__init__(message)


class NothingToWriteError(PynnliteError, OSError):
    """There is no recorded data to write (an OSError/IOError, as in PyNN)."""


class NotLocalError(PynnliteError):
    """The cell is not on this MPI process."""


class SimulationNotSetUpError(PynnliteError, RuntimeError):
    """An API call needs setup() to have been called first."""


class BackendNotFoundError(PynnliteError, LookupError):
    """No backend of that name is installed."""


class TemplateError(PynnliteError):
    """A describe() template is missing or failed to render."""


class MPINotAvailableError(PynnliteError, ImportError):
    """The MPI backend needs mpi4py and an MPI runtime (``pip install "pynnlite[mpi]"``)."""


class CommunicationError(PynnliteError, RuntimeError):
    """The MPI processes disagree: they made different communicating calls."""


class NumericalInstabilityError(PynnliteError, ArithmeticError):
    """A run made the state of some cells NaN or infinite: parameters outside the stable range
    of the model's integration (e.g. Izhikevich with a·dt ≥ 2, a huge reversal potential)."""


class RoundingWarning(UserWarning):
    """A value was rounded to the simulation time grid."""


def check_choice(argument: str, value: object, choices: Iterable[object]) -> None:
    """Raise ValueError naming ``argument`` unless ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise InvalidParameterValueError(
            f"{argument}={value!r} is not valid; expected one of {', '.join(map(repr, choices))}")


def check_names(argument: str, value: object) -> None:
    """Raise InvalidParameterValueError unless ``value`` is a name or an iterable of names."""
    if isinstance(value, str):
        return
    try:
        names = list(value)  # type: ignore[call-overload]
    except TypeError:
        names = None
    if names is None or not all(isinstance(n, str) for n in names):
        raise InvalidParameterValueError(f"{argument} must be a name or a list of names, got {value!r}")


def check_name(argument: str, value: object) -> str:
    """``value``, or InvalidParameterValueError naming ``argument`` unless it is one name (a str)."""
    if not isinstance(value, str):
        raise InvalidParameterValueError(f"{argument} must be a name (a str), got {value!r}")
    return value


def check_bool(argument: str, value: object) -> bool:
    """``value`` as a bool; InvalidParameterValueError naming ``argument`` unless it is True or
    False (numpy's too) or the integer 1 or 0 (older PyNN scripts' flags, which PyNN takes):
    a flag given as text or another number is a mistake, not a truth value."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and value in (0, 1):
        return bool(value)
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterValueError(f"{argument} must be True or False, got {value!r}")
    return bool(value)


def is_boolean(value: object) -> bool:
    """True/False (numpy's too), or a list or array of them: flags where a number is expected
    (e.g. a mask given as parameter values)."""
    if isinstance(value, (bool, np.bool_)):
        return True
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            return np.asarray(value).dtype == bool
        except (TypeError, ValueError):
            return False
    return False


def is_finite_number(value: object) -> bool:
    """A finite int or float (numpy's too), not a bool."""
    return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and bool(np.isfinite(value)))


def check_finite(name: str, values: np.ndarray, may_be_infinite: bool = False) -> None:
    """Raise InvalidParameterValueError if any of ``values`` is NaN, or infinite unless
    ``may_be_infinite`` (a model's ``infinite_allowed`` parameter)."""
    finite = np.isfinite(values)
    if not finite.all() and (not may_be_infinite or np.isnan(values).any()):
        raise InvalidParameterValueError(f"{name}: NaN or infinity is not a valid value")
