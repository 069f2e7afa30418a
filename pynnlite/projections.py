"""Projection: the connections of one synapse type between two groups of cells.

Connections are held in a columnar ``ConnectionTable``; ``get``/``set``/``save``/
``initialize`` are one vectorised expression per call over those columns.
"""
from __future__ import annotations

import gc
import warnings
import os
from contextlib import contextmanager
from functools import partial
from typing import Any, Iterable, Iterator

import numpy as np
import quantities as pq

from pynnlite import expressions
from pynnlite import simulation as _simulation
from pynnlite.connections import Connection, ConnectionTable
from pynnlite.connectors.base import ConnectionContext, Connector
from pynnlite.errors import (ConnectionError, InvalidDimensionsError, InvalidIndexError,
                             InvalidParameterValueError, InvalidTypeError, InvalidWeightError,
                             NonExistentParameterError, check_bool, check_finite, check_name,
                             check_names, is_finite_number)
from pynnlite.file_formats import BaseFile
from pynnlite.files import write_table
from pynnlite.models.base import SynapseType, check_constraint, connection_positions
from pynnlite.models.synapses import StaticSynapse
from pynnlite.parameters import broadcast_values
from pynnlite.populations import BasePopulation
from pynnlite.random import draws_undone_on_error
from pynnlite.space import Space
from pynnlite.timegrid import time_of
from pynnlite.units import to_standard

MULTI_SYNAPSE_OPERATIONS = ("sum", "first", "last", "min", "max")
FORMATS = ("list", "array")
GATHER_VALUES = (True, False, "all")


def _number(name: str, value: Any) -> float:
    """``value`` (the attribute ``name`` of one connection) as a float; InvalidParameterValueError
    unless it is a number (NaN is left to the finiteness check)."""
    if np.ndim(value) == 0 and not isinstance(value, (str, bytes, bool, np.bool_)):
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    raise InvalidParameterValueError(f"{name} of a connection must be a number, got {value!r}")


class Projection:
    """A set of connections of one synapse type from ``presynaptic_population`` to
    ``postsynaptic_population``, made by ``connector``."""

    MULTI_SYNAPSE_OPERATIONS = MULTI_SYNAPSE_OPERATIONS
    _count = 0

    @draws_undone_on_error()   # a Projection that fails draws nothing from the RNGs
    def __init__(self, presynaptic_population: BasePopulation, postsynaptic_population: BasePopulation,
                 connector: Connector, synapse_type: SynapseType | None = None, source: str | None = None,
                 receptor_type: str | None = None, space: Any = None, label: str | None = None):
        for arg, value in (("presynaptic_population", presynaptic_population),
                           ("postsynaptic_population", postsynaptic_population)):
            if not isinstance(value, BasePopulation):
                raise InvalidParameterValueError(
                    f"{arg} must be a Population, PopulationView or Assembly, got {type(value).__name__}")
            if value.simulation is not _simulation._current:
                raise InvalidParameterValueError(
                    f"{arg}: {value.label} belongs to a simulation that has ended (end() or a later "
                    "setup()); a population is used in the simulation it was made in")
        if not isinstance(connector, Connector):
            raise InvalidTypeError(f"connector must be a Connector, got {type(connector).__name__}")
        synapse_type = synapse_type if synapse_type is not None else StaticSynapse()
        if not isinstance(synapse_type, SynapseType):
            raise InvalidTypeError(
                f"synapse_type must be a synapse type such as StaticSynapse(), got {type(synapse_type).__name__}")
        if space is not None and not isinstance(space, Space):
            raise InvalidParameterValueError(f"space must be a pynnlite.space.Space (e.g. Space(axes='xy')), got {space!r}")
        self.simulation = presynaptic_population.simulation
        self.pre = presynaptic_population
        self.post = postsynaptic_population
        self.connector = connector
        self.synapse_type = synapse_type
        self.source = source
        valid = self.post.receptor_types
        if getattr(synapse_type, "continuous", False):  # graded/electrical: current into the membrane
            valid = ("membrane",)
        receptor_type = receptor_type if receptor_type is not None else (valid[0] if valid else "excitatory")
        if receptor_type not in valid:
            raise ConnectionError(
                f"receptor_type {receptor_type!r} is not a receptor of {self.post.label}; "
                f"valid receptor types are: {', '.join(valid) or 'none'}")
        self.receptor_type = receptor_type
        check_projection = getattr(synapse_type, "check_projection", None)
        if check_projection is not None:  # e.g. plastic synapses need spiking cells
            check_projection(self)
        if not getattr(synapse_type, "continuous", False) and source not in (None, "spikes"):
            # (graded and electrical synapse types check the source they transmit themselves)
            raise ConnectionError(
                f"source must be 'spikes' (or None) for {synapse_type.name}, a spike-driven synapse, got {source!r}")
        self.space = space if space is not None else Space()
        self.label = label if label is not None else f"{self.pre.label}→{self.post.label}"
        self.annotations: dict[str, Any] = {}
        self.rng = getattr(connector, "rng", None) or self.simulation.default_rng
        Projection._count += 1

        # connections and their values are made and checked per process (its post cells):
        # an error found on one process is raised on all of them
        with _simulation.same_error_on_every_process(self.simulation.comm):
            with _simulation.check_stage(0):
                context = self._context()
                arrays = connector.connect(context).in_creation_order(self.post.size)
            pre = np.asarray(arrays.pre, dtype=np.int64)
            post = np.asarray(arrays.post, dtype=np.int64)
            n = pre.size
            self._table = ConnectionTable(pre, post, np.zeros(n), np.ones(n, dtype=np.int32), {},
                                          arrays.may_repeat, self.pre.size, self.post.size)
        given = [self.synapse_type.parameter_space[name] for name in self.synapse_parameter_names()]
        positions = self._global_positions(given + list(self.synapse_type.initial_values.values()))
        with _simulation.same_error_on_every_process(self.simulation.comm), self._checking_connections():
            values = self._initial_columns(arrays.values, positions)
        self._store(values)
        self._kernel = getattr(arrays, "kernel", None)  # shared kernel of a structured connector
        if self._kernel is not None:
            self._kernel.bind(self)
        self.simulation.engine.add_projection(self)
        self.simulation.projections.append(self)

    # -- building -----------------------------------------------------------
    def _context(self) -> ConnectionContext:
        sim = self.simulation
        post_local = np.flatnonzero(self.post._mask_local)
        return ConnectionContext(
            pre_size=self.pre.size, post_size=self.post.size, post_local=post_local,
            pre_ids=self.pre.id_array(), post_ids=self.post.id_array(),
            pre_positions_fn=lambda: self.pre.positions, post_positions_fn=lambda: self.post.positions,
            space=self.space, stream=self.rng.stream_key(), rng=self.rng, timestep=sim.dt,
            rank=sim.comm.rank, num_processes=sim.comm.size, extra={"projection": self})

    def synapse_parameter_names(self) -> list[str]:
        """Names of the per-connection parameters (weight, delay, model parameters)."""
        return list(self.synapse_type.parameter_space)

    def synapse_state_names(self) -> list[str]:
        return list(self.synapse_type.initial_values)

    def _initial_columns(self, explicit: dict[str, np.ndarray], positions: Any = None) -> dict[str, np.ndarray]:
        """Every parameter and state column, evaluated and checked, before anything is stored."""
        names = self.synapse_parameter_names() + self.synapse_state_names()
        for name in explicit:
            if name not in names:
                raise NonExistentParameterError(name, self.synapse_type.name, names)
        values = {}
        stage = 0
        for stage, name in enumerate(self.synapse_parameter_names(), start=1):   # in this order
            with _simulation.check_stage(stage):
                if name in explicit:
                    values[name] = self._checked(name, np.asarray(explicit[name], dtype=float))
                else:
                    value = self.synapse_type.parameter_space[name]
                    if name == "delay" and value is None:
                        value = self.simulation.delay_lower_bound  # PyNN: min_delay ('auto': the time step)
                    values[name] = self._checked(name, self._evaluate(name, value, positions))
        with _simulation.check_stage(stage + 1):
            for name in self.synapse_state_names():
                value = explicit.get(name, self.synapse_type.initial_values[name])
                values[name] = self._checked(name, self._evaluate(name, value, positions))
        with _simulation.check_stage(stage + 2):
            self._check_columns(values)
        return values

    @contextmanager
    def _checking_connections(self) -> Iterator[None]:
        """While checking values of this process's connections: their (pre, post) positions,
        for errors that name the first offending connection (models.base.connection_positions)."""
        token = connection_positions.set(self._table.flat_index)
        try:
            yield
        finally:
            connection_positions.reset(token)

    def _check_columns(self, values: dict[str, np.ndarray], index: np.ndarray | None = None) -> None:
        """The synapse type's checks across columns (e.g. w_min <= w_max), before storing
        (``index``: the connections ``values`` are for, default all)."""
        check = getattr(self.synapse_type, "check_columns", None)
        if check is not None:
            table = self._table
            sel = slice(None) if index is None else index
            check(values, lambda name: self._column(name, sel) if name in table.columns or name == "weight" else None)

    def _store(self, values: dict[str, np.ndarray], index: np.ndarray | None = None) -> None:
        """Write checked values into the columns (in place, so the engine sees them)."""
        table = self._table
        sel = slice(None) if index is None else index
        for name, column in values.items():
            if name == "weight":
                table.weight[sel] = column
            elif name == "delay":
                table.delay_steps[sel] = self.simulation.delay_steps(column)
            else:
                if name not in table.columns:
                    table.columns[name] = np.zeros(len(table))
                table.columns[name][sel] = column
        table.version += 1
        self.simulation.engine.projection_changed(self, list(values))

    # -- value evaluation -----------------------------------------------------
    def _unit(self, name: str) -> str:
        if name == "weight":
            fixed = getattr(self.synapse_type, "weight_unit", None)
            if isinstance(fixed, str):  # e.g. graded/electrical synapses: always a conductance
                return fixed
            units = {pop.celltype.weight_unit() for pop, _ in self.post._segments()}
            if len(units) > 1:
                raise InvalidParameterValueError(
                    f"weights onto {self.post.label} are in different units ({', '.join(sorted(units))}) for "
                    "its populations; give plain numbers")
            return units.pop() if units else "nA"
        if name == "delay":
            return "ms"
        return self.synapse_type.units.get(name, "dimensionless")

    def _distances(self) -> np.ndarray:
        return self.space.pair_distances(self.pre.positions, self.post.positions,
                                         self._table.pre, self._table.post)

    def _global_positions(self, values: Iterable[Any]) -> tuple[np.ndarray, int] | None:
        """With several processes, when one of ``values`` is a 1D array: the position of each of
        this process's connections in the whole projection's (pre, post) order (the order of
        ``get(format='list')``) and the number of connections, found with one collective, so
        that a 1D array with one value per connection of the projection is read as on one
        process. None otherwise. Every process must call it with the same values."""
        comm = self.simulation.comm
        if comm.size == 1 or not any(isinstance(v, (list, tuple, np.ndarray)) and np.ndim(v) == 1 for v in values):
            return None
        flat = self._table.flat_index()      # this process's connections are in (pre, post) order
        everyone = np.sort(np.concatenate(comm.allgather_arrays(flat)), kind="stable")
        # a pair's connections are all on one process: their places follow the local order
        within_pair = np.arange(flat.size) - np.searchsorted(flat, flat, side="left")
        return np.searchsorted(everyone, flat, side="left") + within_pair, int(everyone.size)

    def _evaluate(self, name: str, value: Any, positions: tuple[np.ndarray, int] | None = None) -> np.ndarray:
        """One value per local connection from any of the value kinds PyNN accepts
        (``positions``: from _global_positions, for 1D arrays over the whole projection)."""
        table = self._table
        n = len(table)
        if isinstance(value, pq.Quantity):
            value = to_standard(value, self._unit(name), name)
        if isinstance(value, (int, float, np.integer, np.floating)):
            return np.full(n, float(value))
        if hasattr(value, "keyed_values"):  # RandomDistribution
            return np.asarray(value.keyed_values(value.rng.stream_key(), table.post.astype(np.int64),
                                                 table.rank_within_post()), dtype=float)
        if isinstance(value, str):
            return np.broadcast_to(expressions.distance_expression(value, name)(self._distances()), (n,)).astype(float)
        if callable(value):
            try:
                given = np.asarray(value(self._distances()), dtype=float)
            except (TypeError, ValueError):
                raise InvalidParameterValueError(f"{name}: the function of distance must give numbers") from None
            return broadcast_values(name, given, (n,), "distance")
        if isinstance(value, (list, tuple, np.ndarray)):
            try:
                array = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise InvalidParameterValueError(f"{name}: expected numbers, got {value!r:.80}") from None
            if array.ndim == 2:
                if array.shape != self.shape:
                    raise InvalidDimensionsError(
                        f"{name}: a 2D array must have shape {self.shape} (pre × post), got {array.shape}")
                return array[table.pre, table.post]
            if array.ndim == 1:
                if positions is not None and array.size == positions[1]:   # the whole projection's
                    return array[positions[0]]
                if array.size != n:   # (else, as PyNN under MPI, one value per local connection)
                    expected = f"{n}" if positions is None else f"{positions[1]}, or {n} on this process"
                    raise InvalidDimensionsError(
                        f"{name}: a 1D array needs one value per connection ({expected}), got {array.size}")
                return array.copy()
            raise InvalidDimensionsError(f"{name}: expected a scalar, 1D or 2D array, got {array.ndim}D")
        raise InvalidParameterValueError(
            f"{name}: expected a number, RandomDistribution, array, function of distance or "
            f"distance expression, got {type(value).__name__}")

    def _checked(self, name: str, values: np.ndarray) -> np.ndarray:
        """``values`` of attribute ``name`` after the checks, in this order (order keys:
        see pynnlite.simulation.same_error_on_every_process)."""
        with _simulation.check_stage(0):
            check_finite(name, values, name in self.synapse_type.infinite_allowed)
        if name == "delay":
            self.simulation.check_delays(values)
            return values
        with _simulation.check_stage(1):
            check_constraint(name, values, self.synapse_type.constraints.get(name))
        if name == "weight" and self.post.conductance_based and values.size and values.min() < 0:
            smallest = float(values.min())
            raise _simulation.ordered(InvalidWeightError(
                f"weights on conductance-based cells are conductances and must be >= 0 µS "
                f"(use receptor_type='inhibitory' for inhibition), got {smallest}"), 2, smallest)
        return values

    # -- reading --------------------------------------------------------------
    def _column(self, name: str, index: np.ndarray | slice = slice(None)) -> np.ndarray:
        table = self._table
        if name == "weight":
            return table.weight[index]
        if name == "delay":
            return time_of(table.delay_steps[index], self.simulation.dt)
        if name in table.columns:
            return table.columns[name][index]
        raise NonExistentParameterError(name, self.synapse_type.name, self._attribute_names())

    def _attribute_names(self) -> list[str]:
        return ["weight", "delay"] + [n for n in self.synapse_parameter_names() + self.synapse_state_names()
                                      if n not in ("weight", "delay")]

    def _names(self, attribute_names: str | Iterable[str]) -> tuple[list[str], bool]:
        check_names("attribute_names", attribute_names)
        single = isinstance(attribute_names, str) and attribute_names != "all"
        if attribute_names == "all":
            names = self._attribute_names()
        else:
            names = [attribute_names] if isinstance(attribute_names, str) else list(attribute_names)
        valid = self._attribute_names()
        for name in names:
            if name not in valid:
                raise NonExistentParameterError(name, f"{self.synapse_type.name} connections", valid)
        return names, single

    def _collected(self, names: list[str], gather: Any) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        if gather not in GATHER_VALUES:
            raise InvalidParameterValueError(f"gather must be True, False or 'all', got {gather!r}")
        columns = [self._table.pre, self._table.post] + [self._column(name) for name in names]
        order = self._table.flat_index() if self.simulation.comm.size > 1 else None  # (pre, post) order
        columns = self.simulation.comm.collect_columns(columns, gather, self._table.post, order)
        return columns[0], columns[1], columns[2:]

    def get(self, attribute_names: str | Iterable[str], format: str, gather: Any = True,
            with_address: bool = True, multiple_synapses: str = "sum") -> Any:
        """Connection attribute values as a list of tuples or as pre × post arrays.

        ``format='list'``: tuples (pre index, post index, values...) in creation order
        (values only with ``with_address=False``; plain values for a single name).
        ``format='array'``: one array per name (a list of them for a list of names), NaN where
        there is no connection, several connections between one pair reduced by
        ``multiple_synapses``.
        Units: weight nA or µS, delay ms, other parameters in their standard units.
        """
        names, single = self._names(attribute_names)
        with_address = check_bool("with_address", with_address)
        if format not in FORMATS:
            raise InvalidParameterValueError(f"format must be 'list' or 'array', got {format!r}")
        if multiple_synapses not in MULTI_SYNAPSE_OPERATIONS:
            raise InvalidParameterValueError(f"multiple_synapses must be one of {', '.join(MULTI_SYNAPSE_OPERATIONS)}, "
                                             f"got {multiple_synapses!r}")
        pre, post, values = self._collected(names, gather)
        if format == "list":
            with _no_gc():  # millions of tuples: the cyclic GC would rescan them repeatedly
                columns = [c.tolist() for c in values]
                if with_address:
                    columns = [pre.tolist(), post.tolist()] + columns
                elif single:
                    return columns[0]
                return list(zip(*columns))
        arrays = [self._to_array(pre, post, v, multiple_synapses) for v in values]
        return arrays[0] if single else arrays    # a list, as PyNN returns (its docstring says tuple)

    def _to_array(self, pre: np.ndarray, post: np.ndarray, values: np.ndarray, operation: str) -> np.ndarray:
        n_pre, n_post = self.shape
        result = np.full((n_pre, n_post), np.nan)
        if values.size == 0:
            return result
        flat = pre.astype(np.int64) * n_post + post
        gathered = self.simulation.comm.size > 1  # other processes' repeats are not in _table
        if not (self._table.may_repeat if gathered else self._table.has_repeats):
            result.ravel()[flat] = values
            return result
        order = np.argsort(flat, kind="stable")
        flat_sorted, values_sorted = flat[order], values[order]
        starts = np.flatnonzero(np.r_[True, flat_sorted[1:] != flat_sorted[:-1]])
        targets = flat_sorted[starts]
        if operation == "first":
            reduced = values_sorted[starts]
        elif operation == "last":
            reduced = values_sorted[np.r_[starts[1:], flat_sorted.size] - 1]
        else:
            ufunc = {"sum": np.add, "min": np.minimum, "max": np.maximum}[operation]
            reduced = ufunc.reduceat(values_sorted, starts)
        result.ravel()[targets] = reduced
        return result

    # -- writing --------------------------------------------------------------
    @draws_undone_on_error()
    def set(self, **attributes: Any) -> None:
        """Set connection attributes of the local connections: a number, a RandomDistribution,
        a pre × post array, a 1D array in connection order, a function of distance (µm) or a
        distance expression string. All connections between one pair get the same value
        from a 2D array. Units: weight nA or µS, delay ms (rounded to the time step)."""
        values = self._new_values(attributes, self.synapse_parameter_names(), "connections")
        self._store(values)

    def _new_values(self, given: dict[str, Any], names: list[str], kind: str) -> dict[str, np.ndarray]:
        """The values of this process's connections for ``given`` attributes (among ``names``),
        evaluated and checked, in the order given. An error on any process is raised on every
        process, before anything is stored."""
        values = {}
        positions = self._global_positions(given.values())
        with _simulation.same_error_on_every_process(self.simulation.comm), self._checking_connections():
            for stage, (name, value) in enumerate(given.items(), start=1):
                if name not in names:
                    raise NonExistentParameterError(name, f"{self.synapse_type.name} {kind}", names)
                with _simulation.check_stage(stage):
                    values[name] = self._checked(name, self._evaluate(name, value, positions))
            with _simulation.check_stage(len(given) + 1):
                self._check_columns(values)
        return values

    def _set_connection_values(self, index: np.ndarray, values: dict[str, Any]) -> None:
        """Set parameters of the connections ``index`` (e.g. through ``prj[i].weight = w``)."""
        names = self.synapse_parameter_names()
        checked = {}
        for name, value in values.items():
            if name not in names:
                raise NonExistentParameterError(name, f"{self.synapse_type.name} connections", names)
            value = to_standard(value, self._unit(name), name) if isinstance(value, pq.Quantity) else value
            checked[name] = self._checked(name, np.full(index.size, _number(name, value)))
        self._check_columns(checked, index)   # e.g. the sign of a normalised projection's weights
        self._store(checked, index)

    # -- PyNN's deprecated spellings ---------------------------------------------------------
    def _deprecated(self, new: str) -> None:
        warnings.warn(f"this Projection method is deprecated; use {new}", DeprecationWarning, stacklevel=3)

    def setWeights(self, w: Any) -> None:
        self._deprecated("set(weight=...)")
        self.set(weight=w)

    def randomizeWeights(self, rand_distr: Any) -> None:
        self._deprecated("set(weight=rand_distr)")
        self.set(weight=rand_distr)

    def setDelays(self, d: Any) -> None:
        self._deprecated("set(delay=...)")
        self.set(delay=d)

    def randomizeDelays(self, rand_distr: Any) -> None:
        self._deprecated("set(delay=rand_distr)")
        self.set(delay=rand_distr)

    def getWeights(self, format: str = "list", gather: Any = True) -> Any:
        self._deprecated("get('weight', format, gather)")
        return self.get("weight", format=format, gather=gather, with_address=False)

    def getDelays(self, format: str = "list", gather: Any = True) -> Any:
        self._deprecated("get('delay', format, gather)")
        return self.get("delay", format=format, gather=gather, with_address=False)

    def saveConnections(self, file: Any, gather: Any = True, compatible_output: bool = True) -> None:
        self._deprecated("save('all', file, format='list', gather=gather)")
        self.save("all", file, format="list", gather=gather)

    def printWeights(self, file: Any, format: str = "list", gather: Any = True) -> None:
        self._deprecated("save('weight', file, format, gather)")
        self.save("weight", file, format=format, gather=gather)

    def printDelays(self, file: Any, format: str = "list", gather: Any = True) -> None:
        self._deprecated("save('delay', file, format, gather)")
        self.save("delay", file, format=format, gather=gather)

    def setSynapseDynamics(self, parameter_name: str, value: Any) -> None:
        self._deprecated("set(parameter_name=value)")
        self.set(**{check_name("parameter_name", parameter_name): value})

    def randomizeSynapseDynamics(self, parameter_name: str, rand_distr: Any) -> None:
        self._deprecated("set(parameter_name=rand_distr)")
        self.set(**{check_name("parameter_name", parameter_name): rand_distr})

    def getSynapseDynamics(self, parameter_name: str, format: str = "list", gather: Any = True) -> Any:
        self._deprecated("get(parameter_name, format, gather)")
        return self.get(parameter_name, format=format, gather=gather, with_address=False)

    def weightHistogram(self, min: float | None = None, max: float | None = None,  # noqa: A002 - PyNN's names
                        nbins: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """(counts, bin edges) of the weights (nA or µS) in ``nbins`` equal bins from ``min``
        to ``max`` (default: the smallest and largest weight)."""
        self._deprecated("np.histogram()")
        if isinstance(nbins, bool) or not isinstance(nbins, (int, np.integer)) or nbins < 1:
            raise InvalidParameterValueError(f"nbins must be a whole number >= 1, got {nbins!r}")
        for name, limit in (("min", min), ("max", max)):
            if limit is not None and not is_finite_number(limit):
                raise InvalidParameterValueError(f"{name} must be None or a finite number (nA or µS), got {limit!r}")
        # every process histograms all the weights (and agrees on the error below)
        weights = np.asarray(self.get("weight", format="list", gather="all", with_address=False), dtype=float)
        if weights.size == 0 and (min is None or max is None):
            raise InvalidParameterValueError("weightHistogram of a projection without connections needs min and max")
        low = weights.min() if min is None else min
        high = weights.max() if max is None else max
        if not high >= low:
            raise InvalidParameterValueError(f"weightHistogram needs min <= max, got min={low}, max={high}")
        return np.histogram(weights, np.linspace(low, high, nbins + 1))

    @draws_undone_on_error()
    def initialize(self, **initial_values: Any) -> None:
        """Set the values of synaptic state variables (e.g. ``u``, ``x``), with the same
        value kinds as ``set``."""
        values = self._new_values(initial_values, self.synapse_state_names(), "state variables")
        self._store(values)
        self.simulation.engine.synapse_state_initialized(self, values)

    def save(self, attribute_names: str | Iterable[str], file: Any, format: str = "list",
             gather: Any = True, with_address: bool = True) -> None:
        """Write attribute values to ``file`` (a path, a text stream or a file object of
        :mod:`pynnlite.file_formats`, e.g. ``NumpyBinaryFile('c.npz', mode='wb')``) with a
        header naming the columns; full float precision. Array format writes 0 where there is
        no connection. Under MPI, ``gather=True`` or ``'all'``: rank 0 writes every connection;
        ``False``: each process writes its own to ``file + '.<rank>'`` (a file object to
        ``file.name + '.<rank>'``; as PyNN; FromFileConnector(distributed=True) reads those)."""
        with_address = check_bool("with_address", with_address)
        if isinstance(attribute_names, str) and attribute_names in ("all", "connections"):
            # as PyNN: the synapse type's parameters, not its state variables (u, traces ...)
            attribute_names = ["weight", "delay"] + [n for n in self.synapse_parameter_names()
                                                     if n not in ("weight", "delay")]
        names, _ = self._names(attribute_names)
        if format not in FORMATS:
            raise InvalidParameterValueError(f"format must be 'list' or 'array', got {format!r}")
        pre, post, values = self._collected(names, gather)
        comm = self.simulation.comm
        if not gather and comm.size > 1:
            if isinstance(file, (str, os.PathLike)):
                file = f"{os.fspath(file)}.{comm.rank}"
            elif isinstance(file, BaseFile):
                file = file.with_name(f"{file.name}.{comm.rank}")
        write = file.write_columns if isinstance(file, BaseFile) else partial(write_table, file)
        with _simulation.same_error_on_every_process(comm):   # e.g. a folder that cannot be made
            if gather and comm.rank != 0:
                return
            if format == "list":
                columns = ([pre, post] if with_address else []) + values
                header = {"columns": (["i", "j"] if with_address else []) + names}
                with _no_gc():
                    write(columns, header)
                return
            blocks = [np.nan_to_num(self._to_array(pre, post, v, "sum"), nan=0.0) for v in values]
            matrix = np.vstack(blocks) if blocks else np.empty((0, self.shape[1]))
            header = {"attributes": names, "shape": list(self.shape)}
            write(list(matrix.T), header)

    # -- sizes and access -------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return (self.pre.size, self.post.size)

    def __len__(self) -> int:
        return len(self._table)

    def size(self, gather: Any = True) -> int:
        """Number of connections: all processes' (gather True or 'all') or this process's."""
        if gather not in GATHER_VALUES:
            raise InvalidParameterValueError(f"gather must be True, False or 'all', got {gather!r}")
        n = len(self._table)
        return int(self.simulation.comm.allreduce_sum(n)) if gather else n

    def __getitem__(self, i: int | slice) -> Connection | list[Connection]:
        """The ``i``-th connection on this process; a slice gives a list of them (as PyNN+NEST)."""
        n = len(self._table)
        if isinstance(i, slice):
            return [Connection(self, j) for j in range(n)[i]]
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise InvalidTypeError(f"a connection index must be an int or a slice, got {i!r}")
        if not -n <= i < n:
            raise InvalidIndexError(f"connection index {i} out of range ({n} connections)")
        return Connection(self, i % n if n else i)

    def __iter__(self) -> Iterator[Connection]:
        return (Connection(self, i) for i in range(len(self._table)))

    @property
    def connections(self) -> Iterator[Connection]:
        return iter(self)

    @property
    def synapse_dynamics(self) -> SynapseType:
        return self.synapse_type

    @property
    def target(self) -> str:
        return self.receptor_type

    # -- shared kernels of structured connectors (pynnlite.connectors.structured) --------
    @property
    def kernel(self) -> np.ndarray:
        """The weight kernel shared by this projection's connections (Kernel/Conv2d/Local2d
        connectors); assigning it updates every connection that uses each element."""
        return self.get_kernel("weight")

    @kernel.setter
    def kernel(self, values: Any) -> None:
        self.set_kernel(weight=values)

    def get_kernel(self, name: str = "weight") -> np.ndarray:
        """The kernel of a connection parameter (e.g. 'weight', 'e_rev'), read from the connections."""
        from pynnlite.connectors.structured import projection_kernel
        return projection_kernel(self).get(name)

    def set_kernel(self, **kernels: Any) -> None:
        """Set parameters kernel-wise: every connection takes its kernel element's value."""
        from pynnlite.connectors.structured import projection_kernel
        projection_kernel(self).set(kernels)

    def annotate(self, **annotations: Any) -> None:
        self.annotations.update(annotations)

    def describe(self, template: str | None = "projection_default.txt", engine: str = "default"):
        from pynnlite import descriptions
        return descriptions.render(engine, template, self.describe_context())

    def describe_context(self) -> dict[str, Any]:
        from pynnlite import descriptions
        unit = descriptions.weight_unit(self)
        return {"label": self.label, "pre": self.pre.describe_context(), "post": self.post.describe_context(),
                "pre_label": self.pre.label, "post_label": self.post.label,
                "receptor_type": self.receptor_type, "source": self.source or "spikes",
                "connector": self.connector.describe_context(),
                "synapse_type": self.synapse_type.describe_context(),
                "size": self.size(gather=True), "local_size": len(self._table),
                "size_local": len(self._table), "plasticity": self.synapse_type.describe_context(),   # PyNN's names
                "weight_unit": unit,
                "weights": descriptions.connection_stats(self, "weight", unit),
                "delays": descriptions.connection_stats(self, "delay", "ms"),
                "annotations": dict(self.annotations)}

    def __repr__(self) -> str:
        return f"Projection({self.label!r}, {len(self)} connections)"


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

