"""Declarative base classes for cell types, synapse types and other models.

A model is plain data: ``default_parameters`` (PyNN standard units), ``units``,
``constraints`` and, for cells, ``default_initial_values``, ``recordable`` and
``receptor_types``. Validation, unit conversion, ``describe()``, ``get``/``set``
and the engine all read these declarations.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Callable, ClassVar

import numpy as np

from pynnlite import units as _units
from pynnlite.expressions import distance_expression
from pynnlite.errors import InvalidParameterValueError, NonExistentParameterError, check_finite, is_boolean

#: Range checks that a declaration can ask for, by name.
CONSTRAINTS = {
    "positive": (lambda v: v > 0, "> 0"),
    "non_negative": (lambda v: v >= 0, ">= 0"),
    "non_positive": (lambda v: v <= 0, "<= 0"),
    "probability": (lambda v: (v >= 0) & (v <= 1), "in [0, 1]"),
    # a switch stored as a number: the only parameters that may be given True/False
    "flag": (lambda v: (v == 0) | (v == 1), "True or False"),
}


#: While a projection checks its connections' values: a function giving each connection's
#: position in the projection's (pre, post) order, the same on every process, so that a
#: constraint error can tell which offending connection comes first (order_key, see
#: pynnlite.simulation.same_error_on_every_process).
connection_positions: ContextVar[Callable[[], np.ndarray] | None] = ContextVar("connection_positions",
                                                                                default=None)


def _sequences(values: Any, name: str) -> list[np.ndarray]:
    """Each cell's Sequence of parameter ``name`` as a float array (an error naming ``name``
    for values that are not numbers)."""
    from pynnlite.parameters import Sequence
    if isinstance(values, Sequence):
        return [values.value]
    items = values.ravel() if isinstance(values, np.ndarray) and values.dtype == object else values
    try:
        return [item.value if isinstance(item, Sequence) else np.asarray(item, dtype=float) for item in items]
    except (TypeError, ValueError):
        raise InvalidParameterValueError(f"{name} must be numbers (a Sequence or a list of them), "
                                         f"got {values!r}") from None


def check_constraint(name: str, values: Any, constraint: str | tuple[str, ...] | None) -> None:
    """Raise InvalidParameterValueError if any of ``values`` breaks ``constraint`` (a tuple:
    each of its constraints, in order)."""
    if constraint is None:
        return
    if isinstance(constraint, tuple):
        for part in constraint:
            check_constraint(name, values, part)
        return
    if constraint == "increasing":  # each cell's Sequence (e.g. spike times) in order
        for k, sequence in enumerate(_sequences(values, name)):
            if sequence.size > 1 and np.any(np.diff(sequence) < 0):
                raise InvalidParameterValueError(
                    f"{name} must be in increasing order (cell {k}: {sequence.tolist()})")
        return
    if constraint.startswith("each_"):  # every element of each cell's Sequence (array parameters)
        test, text = CONSTRAINTS[constraint[len("each_"):]]
        for k, sequence in enumerate(_sequences(values, name)):
            if sequence.size and not np.all(test(sequence)):
                raise InvalidParameterValueError(
                    f"every element of {name} must be {text} (cell {k}: {sequence.tolist()})")
        return
    test, text = CONSTRAINTS[constraint]
    arr = np.asarray(values, dtype=float)
    if arr.size and not np.all(test(arr)):
        first = int(np.flatnonzero(~test(arr).ravel())[0])
        raise at_connection(InvalidParameterValueError(f"{name} must be {text}, got {arr.ravel()[first]}"),
                            first, arr.size)


def at_connection(error: Exception, first: int, n_values: int) -> Exception:
    """``error`` (about the value at ``first`` of ``n_values``) with the order key of that
    connection when the values are one per connection of a projection being checked
    (connection_positions), so that every process reports the first offending connection."""
    positions = connection_positions.get()
    if positions is not None:
        positions = positions()
        if positions.size == n_values:
            error.order_key = (float(positions[first]),)
    return error


def is_scalar_or_array(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating, np.ndarray, list, tuple))


class _ClassOrInstanceNames:
    """``get_parameter_names()`` of a synapse type: on the class (as PyNN's classmethod) the
    declared parameters; on an instance those of its parameter space (an STDPMechanism's
    include its components')."""

    def __get__(self, obj: Any, owner: type) -> Callable[[], list[str]]:
        if obj is None:
            return lambda: list(owner.default_parameters)
        return lambda: list(obj.parameter_space)


class ModelType:
    """A model declared as data; instances hold the user's parameter values."""

    #: Parameter name -> default value, in the unit given by ``units``.
    default_parameters: ClassVar[dict[str, Any]] = {}
    #: Parameter or state-variable name -> unit name (a key of ``pynnlite.units.STANDARD_UNITS``).
    units: ClassVar[dict[str, str]] = {}
    #: Parameter name -> 'positive' | 'non_negative' | 'probability' | 'flag' (True/False);
    #: for sequence parameters 'increasing' or 'each_<one of those>'; or a tuple of them.
    constraints: ClassVar[dict[str, str | tuple[str, ...]]] = {}
    #: Parameters that may be +/-infinity (all others must be finite numbers).
    infinite_allowed: ClassVar[frozenset[str]] = frozenset()
    #: Parameters holding a ``Sequence`` per cell rather than a number.
    sequence_parameters: ClassVar[tuple[str, ...]] = ()
    #: A one-line description for reports.
    description: ClassVar[str] = ""

    def __init__(self, **parameters: Any):
        self.parameter_space: dict[str, Any] = dict(self.default_parameters)
        self.parameter_space.update(self.check_parameters(parameters))

    # -- declarations ---------------------------------------------------
    @classmethod
    def get_parameter_names(cls) -> list[str]:
        return list(cls.default_parameters)

    @classmethod
    def has_parameter(cls, name: str) -> bool:
        return name in cls.default_parameters

    @property
    def name(self) -> str:
        return type(self).__name__

    def get_schema(self) -> dict[str, type]:
        return {name: (object if name in self.sequence_parameters else float)
                for name in self.default_parameters}

    # -- validation -----------------------------------------------------
    def check_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """Names checked, quantities converted, scalar/array ranges checked; returns the values."""
        checked = {}
        for name, value in parameters.items():
            if name not in self.default_parameters:
                raise NonExistentParameterError(name, self.name, self.default_parameters)
            checked[name] = self.check_value(name, value)
        return checked

    def check_value(self, name: str, value: Any) -> Any:
        value = _units.to_standard(value, self.units.get(name, "dimensionless"), name)
        default = self.default_parameters.get(name)
        if isinstance(value, str) and isinstance(default, (int, float)) and not isinstance(default, bool):
            raise InvalidParameterValueError(f"{name}: expected a number, got {value!r}")
        if name not in self.sequence_parameters and is_scalar_or_array(value):
            if self.constraints.get(name) != "flag" and is_boolean(value):
                raise InvalidParameterValueError(f"{name}: expected numbers, got True/False ({value!r})")
            try:
                arr = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise InvalidParameterValueError(f"{name}: expected numbers, got {value!r}") from None
            check_finite(name, arr, name in self.infinite_allowed)
            check_constraint(name, arr, self.constraints.get(name))
        elif name in self.sequence_parameters:
            # numbers only here; the constraints (e.g. increasing spike_times) are checked when
            # a Population is made of the cell type, where PyNN raises (PyNN's test_issue511)
            from pynnlite.parameters import Sequence, _is_sequence_list
            if isinstance(value, (Sequence, list, tuple, np.ndarray)):   # one sequence, or one per cell
                _sequences(value if _is_sequence_list(value) else [value], name)
        return value

    # -- reports --------------------------------------------------------
    def describe(self, template: str | None = "modeltype_default.txt", engine: str = "default"):
        from pynnlite import descriptions
        return descriptions.render(engine, template, self.describe_context())

    def describe_context(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "parameters": {k: v for k, v in self.parameter_space.items()},
                "default_parameters": dict(self.default_parameters), "units": dict(self.units)}

    def __repr__(self) -> str:
        given = {k: v for k, v in self.parameter_space.items()
                 if not (is_scalar_or_array(v) and np.isscalar(v) and v == self.default_parameters.get(k))}
        args = ", ".join(f"{k}={v!r}" for k, v in given.items())
        return f"{self.name}({args})"


class CellType(ModelType):
    """A neuron or spike-source model."""

    #: State variable name -> initial value (standard units).
    default_initial_values: ClassVar[dict[str, float]] = {}
    #: Variables that can be recorded ('spikes' plus state variables): a list, as in PyNN; each
    #: instance gets its own copy (see __init__), so adding to one does not change the others.
    recordable: ClassVar[list[str]] = ["spikes"]
    #: Receptor names in the order the engine stores their inputs.
    receptor_types: ClassVar[tuple[str, ...]] = ()
    #: Whether synaptic weights are conductances (µS) rather than currents (nA).
    conductance_based: ClassVar[bool] = False
    #: Whether current sources may be injected.
    injectable: ClassVar[bool] = True
    #: Whether the model is a spike source (no membrane, no synaptic input).
    is_source: ClassVar[bool] = False
    #: Whether the model emits spikes (False for graded, non-spiking cells).
    spiking: ClassVar[bool] = True
    #: Whether a synaptic weight is a jump of the membrane potential (mV), as for IF_curr_delta.
    voltage_based_synapses: ClassVar[bool] = False

    @classmethod
    def weight_unit(cls) -> str:
        """Unit of synaptic weights onto this cell type: 'uS', 'mV' or 'nA'."""
        if cls.conductance_based:
            return "uS"
        return "mV" if cls.voltage_based_synapses else "nA"

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("recordable"), tuple):   # declared as a tuple: PyNN's list
            cls.recordable = list(cls.__dict__["recordable"])

    def __init__(self, **parameters: Any):
        super().__init__(**parameters)
        self.initial_values: dict[str, Any] = dict(self.default_initial_values)
        self.recordable = list(type(self).recordable)   # type: ignore[misc]

    @classmethod
    def variable_unit(cls, variable: str) -> str:
        return cls.units.get(variable, "dimensionless")

    def can_record(self, variable: str, location: Any = None) -> bool:
        """Whether ``variable`` can be recorded (``location``: None, point neurons only)."""
        if location is not None:
            raise InvalidParameterValueError(
                f"location must be None: pynnlite has point neurons only, got {location!r}")
        return variable in self.recordable

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context.update(initial_values=dict(self.initial_values), default_initial_values=dict(self.default_initial_values),
                       recordable=list(self.recordable),
                       receptor_types=list(self.receptor_types),
                       conductance_based=self.conductance_based, weight_unit=self.weight_unit())
        return context


class SynapseType(ModelType):
    """A synapse model; ``weight`` and ``delay`` are always parameters."""

    default_parameters: ClassVar[dict[str, Any]] = {"weight": 0.0, "delay": None}
    #: Per-connection state variable name -> initial value.
    default_initial_values: ClassVar[dict[str, float]] = {}
    #: Whether synaptic weights change during a run.
    plastic: ClassVar[bool] = False

    def __init__(self, **parameters: Any):
        super().__init__(**parameters)
        self.initial_values: dict[str, Any] = dict(self.default_initial_values)

    def check_value(self, name: str, value: Any) -> Any:
        if name == "delay" and value is None:
            return None
        if isinstance(value, str):   # a function of distance, as PyNN: weight="1/(1+d)"
            distance_expression(value, name)   # a clear error for anything but an expression of d
            return value
        return super().check_value(name, value)

    get_parameter_names = _ClassOrInstanceNames()   # type: ignore[assignment]

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context.update(initial_values=dict(self.initial_values), default_initial_values=dict(self.default_initial_values),
                       plastic=self.plastic)
        return context
