"""Groups of cells: Population, PopulationView, Assembly and the ID of one cell.

Every group is a sequence of *segments* ``(population, indices)`` into real
Populations, so views of views and assemblies of views all reduce to index
arrays. Parameter values live in the Population (arrays for the cells this
process owns); the engine holds the dynamic state.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from pynnlite import parameters as _parameters
from pynnlite import simulation as _simulation
from pynnlite.core import deprecated
from pynnlite.errors import (InvalidDimensionsError, InvalidIndexError, InvalidKeyError,
                             InvalidParameterValueError, InvalidTypeError,
                             NonExistentAttributeError, NonExistentParameterError,
                             NotLocalError, RecordingError, check_bool, check_name,
                             check_names)
from pynnlite.models.base import CellType, check_constraint
from pynnlite.random import check_rng, draws_undone_on_error
from pynnlite.recording import Recorder, add_spiketrains, check_output, write_gathered
from pynnlite.spike_trains import SortedSpikeTrainList
from pynnlite.units import to_standard


class ID(int):
    """The global identifier of one cell; an int with access to its parameters."""

    parent: "Population"

    def __new__(cls, value: int, parent: "Population"):
        obj = super().__new__(cls, value)
        obj.parent = parent
        return obj

    @property
    def index(self) -> int:
        return int(self) - self.parent.first_id

    @property
    def local(self) -> bool:
        return bool(self.parent._mask_local[self.index])

    @property
    def celltype(self) -> CellType:
        return self.parent.celltype

    @property
    def position(self) -> np.ndarray:
        return self.parent.positions[:, self.index]

    @position.setter
    def position(self, value: Iterable[float]) -> None:
        positions = self.parent.positions.copy()
        positions[:, self.index] = _point("position", value)
        self.parent.positions = positions

    def get_parameters(self) -> dict[str, Any]:
        return {name: self.parent._get_values(name, np.array([self.index]))[0]
                for name in self.parent.celltype.get_parameter_names()}

    def set_parameters(self, **parameters: Any) -> None:
        self.parent[self.index:self.index + 1].set(**parameters)

    def get_initial_value(self, variable: str) -> float:
        return self.parent._initial_values[variable][self.index]

    def set_initial_value(self, variable: str, value: float) -> None:
        self.parent[self.index:self.index + 1].initialize(**{variable: value})

    def inject(self, current_source: Any, location: Any = None) -> None:
        """Inject ``current_source`` into this cell (``location``: None, point neurons only)."""
        _check_locations("location", location)
        self.as_view().inject(current_source)

    def as_view(self) -> "PopulationView":
        """A PopulationView holding just this cell."""
        return self.parent[self.index:self.index + 1]

    @property
    def is_standard_cell(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        if name in ("parent",):
            raise AttributeError(name)
        celltype = self.parent.celltype
        if name in celltype.default_parameters:
            return self.parent._get_values(name, np.array([self.index]))[0]
        if name == "set":   # as PyNN: a hint rather than 'no parameter named set'
            raise AttributeError("For individual cells, set a parameter by name (population[0].tau_m = 20.0) "
                                 "or use set() on a view (population[0:1].set(tau_m=20.0))")
        raise NonExistentAttributeError(name, celltype.name, celltype.get_parameter_names())

    def __setattr__(self, name: str, value: Any) -> None:
        """``cell.tau_m = 20.0`` sets that cell's parameter, as in PyNN."""
        if name != "parent" and name in self.parent.celltype.default_parameters:
            self.set_parameters(**{name: value})
        else:
            super().__setattr__(name, value)

    def __reduce__(self):
        return int, (int(self),)


def _check_index_type(index: Any) -> None:
    """InvalidTypeError unless ``index`` can select cells (an int, a slice, or a list, tuple or
    array of them or of flags), as PyNN's TypeError: 'indices must be integers, ...'."""
    if not isinstance(index, (int, np.integer, slice, list, tuple, np.ndarray)):
        raise InvalidTypeError(f"indices must be integers, slices, lists, arrays or tuples, "
                               f"not {type(index).__name__} ({index!r})")
    if isinstance(index, slice):
        _check_slice(index)


def _check_slice(index: slice) -> None:
    """InvalidTypeError unless the bounds and step of ``index`` are ints or None; InvalidIndexError
    for a step of 0 (numpy's TypeError and ValueError)."""
    for part in (index.start, index.stop, index.step):
        if part is not None and (isinstance(part, (bool, np.bool_)) or not isinstance(part, (int, np.integer))):
            raise InvalidTypeError(f"slice bounds and step must be ints or None, got {index!r}")
    if index.step == 0:
        raise InvalidIndexError(f"a slice step cannot be zero, got {index!r}")


def _point(name: str, value: Any) -> np.ndarray:
    """``value`` as an array of three coordinates (µm); InvalidParameterValueError naming ``name``
    for anything else."""
    try:
        return np.asarray(value, dtype=float).reshape(3)
    except (TypeError, ValueError):
        raise InvalidParameterValueError(f"{name} must be three numbers (x, y, z in µm), got {value!r}") from None


def _check_locations(name: str, locations: Any) -> None:
    """PyNN 0.13's multicompartment ``location(s)`` arguments: pynnlite has point neurons only."""
    if locations is not None:
        raise InvalidParameterValueError(
            f"{name} must be None: pynnlite has point neurons only (no multicompartment locations), got {locations!r}")


def _check_annotations(annotations: Any) -> None:
    if annotations is not None and (not isinstance(annotations, Mapping)
                                    or not all(isinstance(key, str) for key in annotations)):
        raise InvalidParameterValueError(f"annotations must be a dict of name: value or None, got {annotations!r}")


def _check_gather(gather: Any) -> None:
    if isinstance(gather, str) and gather != "all" or gather not in (True, False, "all"):
        raise InvalidParameterValueError(f"gather must be True, False or 'all', got {gather!r}")


def _grid_of_shape(shape: tuple[int, ...]) -> Any:
    """PyNN's structure for a Population created with a 2-D or 3-D shape: a grid of that shape."""
    from pynnlite.space import Grid2D, Grid3D
    if len(shape) == 2:
        return Grid2D(shape[0] / shape[1])
    return Grid3D(shape[0] / shape[1], shape[0] / shape[2])


def _check_structure(structure: Any) -> None:
    if not hasattr(structure, "generate_positions"):
        raise InvalidParameterValueError(f"structure must be a pynnlite.space structure (e.g. Grid2D), got {structure!r}")


def _check_size(size: Any) -> tuple[int, ...]:
    """The shape of a Population of ``size``: an int, or a tuple (or list) of ints, each >= 0.
    As in PyNN, a bool is not a size and a shape has at least one dimension, each an int."""
    def is_int(value: Any) -> bool:
        return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))

    if is_int(size):
        shape = (int(size),)
    elif isinstance(size, (tuple, list)):
        if not size:
            raise InvalidDimensionsError(f"size: a shape needs at least one dimension, got {size!r}")
        bad = [s for s in size if not is_int(s)]
        if bad:
            raise InvalidDimensionsError(f"size: every dimension of a shape must be an int, got {bad[0]!r} in {size!r}")
        shape = tuple(int(s) for s in size)
    else:
        raise InvalidParameterValueError(f"size must be an int or a shape tuple of ints, got {size!r}")
    if any(s < 0 for s in shape):
        raise InvalidParameterValueError(f"size must be >= 0, got {size!r}")
    if len(shape) > 1 and 0 in shape:   # its grid's aspect ratio would be 0 or infinite
        raise InvalidDimensionsError(f"size: every dimension of a 2-D or 3-D shape must be >= 1, got {size!r}")
    return shape


def _merge_signals(groups: list[list[Any]], offsets: np.ndarray) -> list[Any]:
    """One AnalogSignal per variable over several populations' signals (an Assembly's):
    channels side by side; ``channel_index`` counts cells across the Assembly."""
    by_name: dict[str, list[tuple[Any, int]]] = {}
    for signals, offset in zip(groups, offsets):
        for signal in signals:
            by_name.setdefault(signal.name, []).append((signal, int(offset)))
    merged = []
    for name, items in by_name.items():
        first = items[0][0]
        if len(items) == 1 or any(s.shape[0] != first.shape[0] or s.sampling_period != first.sampling_period
                                  or s.t_start != first.t_start for s, _ in items):
            for s, off in items:   # one population's, or different sampling: kept apart
                s.array_annotate(channel_index=s.array_annotations["channel_index"] + off)
                merged.append(s)
            continue
        # as PyNN's merge: different population labels joined with ';'
        populations = list(dict.fromkeys(s.annotations.get("source_population") for s, _ in items))
        signal = first.__class__(np.hstack([s.magnitude for s, _ in items]) * first.units,
                                 t_start=first.t_start, sampling_period=first.sampling_period, name=name,
                                 source_population=";".join(str(label) for label in populations),
                                 channel_ids=np.concatenate([s.annotations["channel_ids"] for s, _ in items]))
        signal.array_annotate(
            channel_index=np.concatenate([s.array_annotations["channel_index"] + off for s, off in items]),
            source_ids=np.concatenate([s.array_annotations["source_ids"] for s, _ in items]))
        merged.append(signal)
    return merged


class BasePopulation:
    """What Population, PopulationView and Assembly have in common."""

    label: str
    simulation: "_simulation.Simulation"

    # -- structure: implemented by subclasses -------------------------------
    def _segments(self) -> list[tuple["Population", np.ndarray]]:
        raise NotImplementedError  # pragma: no cover - abstract

    @property
    def size(self) -> int:
        return sum(indices.size for _, indices in self._segments())

    def __len__(self) -> int:
        return self.size

    @property
    def all_cells(self) -> np.ndarray:
        """Object array of the ID of every cell, local or not."""
        parts = [pop._ids()[indices] for pop, indices in self._segments()]
        return np.concatenate(parts) if parts else np.empty(0, dtype=object)

    def id_array(self) -> np.ndarray:
        """The global ID of every cell as an int64 array (no ID objects made)."""
        parts = [pop.first_id + indices.astype(np.int64) for pop, indices in self._segments()]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    @property
    def _mask_local(self) -> np.ndarray:
        parts = [pop._local[indices] for pop, indices in self._segments()]
        return np.concatenate(parts) if parts else np.empty(0, dtype=bool)

    @property
    def local_cells(self) -> np.ndarray:
        return self.all_cells[self._mask_local]

    @property
    def local_size(self) -> int:
        return int(self._mask_local.sum())

    def __iter__(self) -> Iterator[ID]:
        """The local cells, as PyNN iterates."""
        return iter(self.local_cells)

    def all(self) -> Iterator[ID]:
        """Every cell, local or not."""
        return iter(self.all_cells)

    def __add__(self, other: "BasePopulation") -> "Assembly":
        if not isinstance(other, BasePopulation):
            raise InvalidTypeError(f"can only add a Population, PopulationView or Assembly, got {type(other).__name__}")
        return Assembly(self, other)

    def __contains__(self, cell_id: Any) -> bool:
        return any(isinstance(cell_id, (int, np.integer))
                   and pop.first_id <= cell_id <= pop.last_id
                   and np.any(indices == int(cell_id) - pop.first_id)
                   for pop, indices in self._segments())

    @property
    def positions(self) -> np.ndarray:
        """Cell positions, shape (3, size), µm."""
        parts = [pop.positions[:, indices] for pop, indices in self._segments()]
        return np.concatenate(parts, axis=1) if parts else np.empty((3, 0))

    @property
    def position_generator(self) -> Callable[[Any], np.ndarray]:
        """A function of cell index (or index array) giving that cell's position (x, y, z in µm),
        rows of shape (n, 3) for an index array, e.g. for ``set(p=lambda i: f(pop.position_generator(i)))``."""
        return lambda i: self.positions.T[i]

    @property
    def conductance_based(self) -> bool:
        return all(pop.celltype.conductance_based for pop, _ in self._segments())

    @property
    def receptor_types(self) -> tuple[str, ...]:
        types = [set(pop.celltype.receptor_types) for pop, _ in self._segments()]
        common = set.intersection(*types) if types else set()
        first = self._segments()[0][0].celltype.receptor_types if types else ()
        return tuple(r for r in first if r in common)

    def id_to_index(self, id: Any) -> Any:  # noqa: A002 - PyNN's argument name
        """Position(s) in this group of the given ID(s)."""
        cell_id = id
        ids = np.asarray(cell_id)
        all_ids = np.asarray(self.all_cells, dtype=np.int64)
        order = np.argsort(all_ids, kind="stable")
        pos = np.searchsorted(all_ids, ids, sorter=order)
        pos = np.minimum(pos, max(all_ids.size - 1, 0))
        found = all_ids.size > 0 and np.all(all_ids[order[pos]] == ids)
        if not found:
            raise InvalidIndexError(f"ID(s) {cell_id} not in {self.label}")
        result = order[pos]
        return int(result) if np.ndim(cell_id) == 0 else result

    def index_to_id(self, index: Any) -> Any:
        return self.all_cells[index]

    def id_to_local_index(self, id: Any) -> Any:  # noqa: A002 - PyNN's argument name
        """Position(s) among this process's cells of the given ID(s)."""
        cell_id = id
        local_ids = np.asarray(self.local_cells, dtype=np.int64)
        ids = np.asarray(cell_id)
        pos = np.searchsorted(local_ids, ids)
        if np.any(pos >= local_ids.size) or np.any(local_ids[np.minimum(pos, local_ids.size - 1)] != ids):
            raise NotLocalError(f"ID(s) {cell_id} not local on this process")
        return int(pos) if np.ndim(cell_id) == 0 else pos

    def is_local(self, id: Any) -> bool:  # noqa: A002 - PyNN's argument name
        return bool(self._mask_local[self.id_to_index(id)])

    def can_record(self, variable: str, location: Any = None) -> bool:
        """Whether every cell can record ``variable`` (``location``: None, point neurons only)."""
        _check_locations("location", location)
        return all(variable in pop.celltype.recordable for pop, _ in self._segments())

    @property
    def injectable(self) -> bool:
        """Whether current sources can be injected into every cell (not into spike sources)."""
        return all(pop.celltype.injectable for pop, _ in self._segments())

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (int, np.integer)):
            size = self.size
            if not -size <= index < size:
                raise InvalidIndexError(f"index {index} out of range for {self.label} of size {size}")
            return self.all_cells[index]
        _check_index_type(index)
        return PopulationView(self, index)

    def sample(self, n: int, rng: Any = None) -> "PopulationView":
        """A view of ``n`` cells chosen at random without replacement."""
        return PopulationView(self, self._sample_indices(n, rng))

    def _sample_indices(self, n: int, rng: Any) -> np.ndarray:
        """``n`` indices chosen at random, sorted: as PyNN, the first ``n`` of ``rng.permutation``
        (so a seeded NumpyRNG picks the cells it picks in PyNN)."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n <= self.size:
            raise InvalidParameterValueError(f"n must be in [0, {self.size}], got {n}")
        rng = check_rng(rng) or self.simulation.default_rng
        if hasattr(rng, "permutation"):
            indices = rng.permutation(np.arange(self.size))[:n]
        else:
            indices = np.argsort(rng.next(self.size, "uniform", {"low": 0.0, "high": 1.0}), kind="stable")[:n]
        return np.sort(indices)

    def nearest(self, position: Iterable[float]) -> ID:
        """The cell closest to ``position`` (µm)."""
        d = np.linalg.norm(self.positions - _point("position", position)[:, None], axis=0)
        return self.all_cells[int(np.argmin(d))]

    # -- parameters ---------------------------------------------------------
    @draws_undone_on_error()   # a set() that fails draws nothing from the RNGs
    def set(self, **parameters: Any) -> None:
        """Set cell parameters: scalars, arrays (one value per cell), RandomDistribution,
        Sequence, functions of the index, or quantities (converted to standard units)."""
        evaluated = self._evaluate_all(parameters, "default_parameters", "")
        self._apply(evaluated, "_parameters")
        for pop, _ in self._segments():
            pop._parameters_changed(list(evaluated))

    def get(self, parameter_names: str | Iterable[str], gather: bool = False,
            simplify: bool = True) -> Any:
        """Parameter values: one value if all cells share it (``simplify``), else an array;
        a sequence parameter (spike_times) gives one Sequence per cell unless there is one cell."""
        _check_gather(gather)
        check_names("parameter_names", parameter_names)
        single = isinstance(parameter_names, str)
        names = [parameter_names] if single else list(parameter_names)
        results = []
        for name in names:
            parts = []
            for pop, indices in self._segments():
                if name not in pop.celltype.default_parameters:
                    raise NonExistentParameterError(name, pop.celltype.name, pop.celltype.default_parameters)
                local = pop._local[indices]
                parts.append(pop._get_values(name, indices[local] if not gather else indices))
            values = np.concatenate(parts) if parts else np.empty(0)
            # as PyNN+NEST: Sequences (spike_times) stay one per cell, even when all are equal
            collapse = simplify and (values.dtype != object or values.size == 1)
            results.append(_parameters.simplify(values) if collapse else values)
        return results[0] if single else results

    @draws_undone_on_error()
    def initialize(self, **initial_values: Any) -> None:
        """Set the initial (and current) values of state variables."""
        evaluated = self._evaluate_all(initial_values, "default_initial_values", " state variables", check=False)
        self._apply(evaluated, "_initial_values")
        for pop, indices in self._segments():
            for name in evaluated:
                local = indices[pop._local[indices]]
                pop.simulation.engine.set_state(pop, name, pop._local_position(local),
                                                pop._initial_values[name][local])

    def _evaluate(self, name: str, value: Any, celltype: CellType, check: bool = True) -> np.ndarray:
        value = to_standard(value, celltype.units.get(name, "dimensionless"), name)
        sequence = name in celltype.sequence_parameters
        values = _parameters.evaluate(value, name, self.size, sequence=sequence, shape=getattr(self, "shape", None),
                                      flag=celltype.constraints.get(name) == "flag")
        if check:
            check_constraint(name, values, celltype.constraints.get(name))
        return values

    def _apply(self, evaluated: dict[str, np.ndarray], store: str) -> None:
        offset = 0
        for pop, indices in self._segments():
            n = indices.size
            for name, values in evaluated.items():
                target = getattr(pop, store)[name]
                if values.dtype == object and target.dtype != object:
                    target = target.astype(object)
                    getattr(pop, store)[name] = target
                target[indices] = values[offset:offset + n]
            offset += n

    def _evaluate_all(self, values: dict[str, Any], names: str, what: str, check: bool = True) -> dict[str, np.ndarray]:
        """Each of ``values`` for every cell of this group, checked against each cell type's
        ``names`` (its parameters or state variables) and constraints before anything changes.
        An Assembly's populations may have different cell types, as in PyNN, if every one has
        the name (in the same units); a value is evaluated once for the whole group."""
        segments = self._segments()
        celltypes: list[CellType] = []
        for pop, _ in segments:
            if not any(pop.celltype is c for c in celltypes):
                celltypes.append(pop.celltype)
        evaluated: dict[str, np.ndarray] = {}
        if not celltypes:    # an empty Assembly: nothing to set, as in PyNN
            return evaluated
        first = celltypes[0]
        for name, value in values.items():
            for celltype in celltypes:
                if name not in getattr(celltype, names):
                    raise NonExistentParameterError(name, celltype.name + what, getattr(celltype, names))

            def kind(c: CellType) -> tuple[Any, ...]:
                return (c.units.get(name, "dimensionless"), name in c.sequence_parameters,
                        c.constraints.get(name) == "flag")
            other = next((c for c in celltypes if kind(c) != kind(first)), None)
            if other is not None:
                raise InvalidParameterValueError(
                    f"{name} is in {kind(first)[0]} for {first.name} and in {kind(other)[0]} for {other.name}: "
                    "set it on each population of the Assembly")
            evaluated[name] = self._evaluate(name, value, first, check=check and len(celltypes) == 1)
            if check and len(celltypes) > 1:
                offset = 0
                for pop, indices in segments:
                    check_constraint(name, evaluated[name][offset:offset + indices.size],
                                     pop.celltype.constraints.get(name))
                    offset += indices.size
        return evaluated

    # -- recording ----------------------------------------------------------
    def record(self, variables: str | Iterable[str] | None, to_file: Any = None,
               sampling_interval: float | None = None, locations: Any = None) -> None:
        """Record ``variables`` ('spikes', 'v', ..., 'all', or None to stop) of every cell,
        every ``sampling_interval`` ms (default: every time step); with ``to_file``, those
        variables of these cells are written to that file at end(). ``locations``: None
        (point neurons only)."""
        _check_locations("locations", locations)
        if to_file is not None and to_file is not False:
            check_output(to_file, "to_file")
        self._check_record(variables, sampling_interval)
        for pop, indices in self._segments():
            pop.recorder.record(variables, indices, sampling_interval, to_file)
        if to_file is not None and variables is not None:
            self.simulation.write_on_end.append((self, variables, to_file, None))

    def _check_record(self, variables: str | Iterable[str] | None, sampling_interval: float | None = None) -> None:
        """Raise before anything changes unless every cell can record ``variables`` every
        ``sampling_interval`` ms (None: stop recording, always possible)."""
        if variables is not None:
            for pop, _ in self._segments():
                pop.recorder.check(variables, sampling_interval)

    def _readable_variables(self, variables: str | Iterable[str], among: list | None = None) -> list[Any]:
        """What ``get_data(variables)`` reads from each member population: ``variables``
        without the names its cell type cannot record (as PyNN, an Assembly of cells and their
        spike sources gives the cells' 'v'); a RecordingError for a name that no member (or no
        population of ``among``'s (population, indices) segments) can record."""
        check_names("variables", variables)
        segments = self._segments()
        among = segments if among is None else among
        if variables == "all" or not among:
            return [variables] * len(segments)
        names = [variables] if isinstance(variables, str) else list(variables)
        for name in names:
            if not any(name in pop.celltype.recordable for pop, _ in among):
                raise RecordingError(name, among[0][0].celltype)
        return [[name for name in names if name in pop.celltype.recordable] for pop, _ in segments]

    def record_v(self, to_file: Any = None) -> None:
        """Deprecated: use ``record('v')``."""
        warnings.warn("record_v() is deprecated, and will be removed in a future release. Use record('v') instead.",
                      DeprecationWarning, stacklevel=2)
        self.record("v", to_file=to_file if isinstance(to_file, str) else None)

    def record_gsyn(self, to_file: Any = None) -> None:
        """Deprecated: use ``record(['gsyn_exc', 'gsyn_inh'])``."""
        warnings.warn("record_gsyn() is deprecated, and will be removed in a future release. "
                      "Use record(['gsyn_exc', 'gsyn_inh']) instead.",
                      DeprecationWarning, stacklevel=2)
        self.record(["gsyn_exc", "gsyn_inh"], to_file=to_file if isinstance(to_file, str) else None)

    def get_data(self, variables: str | Iterable[str] = "all", gather: bool = True,
                 clear: bool = False, locations: Any = None, annotations: dict[str, Any] | None = None):
        """The recorded data as a neo.Block, one Segment per run between resets
        (``locations``: None, point neurons only).

        Under MPI, ``gather=True``: rank 0 gets the data of every cell (spike trains and
        signal channels in index order), the other processes their own cells'; ``'all'``:
        every process gets everything; ``False``: each process its own cells'."""
        _check_gather(gather)
        _check_locations("locations", locations)
        _check_annotations(annotations)
        clear = check_bool("clear", clear)
        return self._read(self._readable_variables(variables), gather, clear, annotations)

    def _read(self, wanted: list[Any], gather: Any, clear: bool, annotations: dict[str, Any] | None):
        """get_data's Block, once the arguments are checked: ``wanted`` the variables to read
        from each member population (``_readable_variables``)."""
        given = annotations or {}
        # as PyNN: each population's Block carries that population's annotate()s (those of a
        # view's parent, of an Assembly's members), then this object's and the ones given here
        blocks = [pop.recorder.get_data(names, indices, clear,
                                        {**pop.annotations, **self.annotations, **given}, gather)
                  for (pop, indices), names in zip(self._segments(), wanted)]
        if not isinstance(self, Assembly):
            return blocks[0]   # as PyNN, a view's Block is named after (and describes) its parent
        block = blocks[0]
        block.name = self.label
        block.description = self.describe()
        from neo.core.baseneo import merge_annotations
        # as PyNN's Block.merge: differing strings joined with ';', other differences 'MERGE CONFLICT'
        for other in blocks[1:]:
            block.annotations = merge_annotations(block.annotations, other.annotations)
        block.annotate(**self.annotations, **given)
        if len(blocks) == 1:
            return block
        offsets = np.cumsum([0] + [indices.size for _, indices in self._segments()])[:-1]
        for k, segment in enumerate(block.segments):
            parts = [b.segments[k] for b in blocks if k < len(b.segments)]
            joined = SortedSpikeTrainList.joined([part.spiketrains for part in parts])
            if joined is not None:   # still Neo's multiplexed list, unread
                joined.segment = segment
                segment.spiketrains = joined
            else:
                for part in parts[1:]:
                    add_spiketrains(segment, list(part.spiketrains))
            segment.analogsignals = _merge_signals([p.analogsignals for p in parts], offsets)
        return block

    def write_data(self, io: Any, variables: str | Iterable[str] = "all", gather: bool = True,
                   clear: bool = False, annotations: dict[str, Any] | None = None, locations: Any = None) -> None:
        """Write the recorded data with a Neo IO object or to a file name. Under MPI the
        data of every process are written once, by rank 0 (``gather=False``: each process
        writes its own cells' to ``<file name>.<rank>``, as PyNN, an empty Block where it has
        none). With nothing recorded on any process every process raises NothingToWriteError."""
        check_output(io)
        clear = check_bool("clear", clear)
        block = self.get_data(variables, gather, False, locations=locations, annotations=annotations)
        write_gathered(block, io, gather, self.simulation.comm)
        if clear:   # once written: a file that cannot be written loses no data
            self._clear_recorded()

    def _clear_recorded(self) -> None:
        """Forget the recorded data of the member populations (as ``get_data(clear=True)``)."""
        for pop in {id(pop): pop for pop, _ in self._segments()}.values():
            pop.recorder.clear()

    def _spike_counts(self, gather: Any) -> tuple[list[np.ndarray], np.ndarray]:
        """(population and index of each spike-recording cell, its spike count) in the
        current segment, as arrays (under MPI with ``gather``: every process's cells)."""
        _check_gather(gather)
        cells, counts = [], []
        for pop, indices in self._segments():
            spiking, _ = pop.recorder.current.spikes()
            comm = pop.simulation.comm
            if gather and comm.size > 1:
                spiking = np.concatenate(comm.allgather_arrays(np.asarray(spiking, dtype=np.int64)))
            per_cell = np.bincount(spiking, minlength=pop.size)
            mask = pop.recorder.recorded.get("spikes", np.zeros(pop.size, bool))
            if not gather:
                mask = mask & pop._local
            chosen = indices[mask[indices]]
            cells.append((pop, chosen))
            counts.append(per_cell[chosen])
        return cells, (np.concatenate(counts) if counts else np.empty(0, dtype=np.int64))

    def get_spike_counts(self, gather: bool = True) -> dict[ID, int]:
        """Number of recorded spikes of each cell in the current segment, by ID (under MPI:
        of every process's cells, on every process; ``gather=False``: this process's)."""
        cells, counts = self._spike_counts(gather)
        ids = [cell for pop, chosen in cells for cell in pop._ids()[chosen]]
        return dict(zip(ids, counts.tolist()))

    def mean_spike_count(self, gather: bool = True) -> float:
        """Mean number of recorded spikes per spike-recording cell in the current segment."""
        _, counts = self._spike_counts(gather)
        return float(counts.mean()) if counts.size else 0   # PyNN: the int 0 when no cell records spikes

    # -- PyNN's deprecated spellings ------------------------------------------------
    @deprecated("set(parametername=value_array)")
    def tset(self, parametername: str, value_array: Any) -> None:
        self.set(**{check_name("parametername", parametername): value_array})

    @deprecated("set(parametername=rand_distr)")
    def rset(self, parametername: str, rand_distr: Any) -> None:
        self.set(**{check_name("parametername", parametername): rand_distr})

    @deprecated("get_data('spikes')")
    def getSpikes(self, gather: bool = True, compatible_output: bool = True):
        return self.get_data("spikes", gather)

    @deprecated("get_data('v')")
    def get_v(self, gather: bool = True, compatible_output: bool = True):
        return self.get_data("v", gather)

    @deprecated("get_data(['gsyn_exc', 'gsyn_inh'])")
    def get_gsyn(self, gather: bool = True, compatible_output: bool = True):
        return self.get_data(["gsyn_exc", "gsyn_inh"], gather)

    @deprecated("write_data(file, 'spikes')")
    def printSpikes(self, file: Any, gather: bool = True, compatible_output: bool = True) -> None:
        self.write_data(file, "spikes", gather)

    @deprecated("write_data(file, 'v')")
    def print_v(self, file: Any, gather: bool = True, compatible_output: bool = True) -> None:
        self.write_data(file, "v", gather)

    @deprecated("write_data(file, ['gsyn_exc', 'gsyn_inh'])")
    def print_gsyn(self, file: Any, gather: bool = True, compatible_output: bool = True) -> None:
        self.write_data(file, ["gsyn_exc", "gsyn_inh"], gather)

    @deprecated("mean_spike_count()")
    def meanSpikeCount(self, gather: bool = True) -> float:
        return self.mean_spike_count(gather)

    def save_positions(self, file: Any) -> None:
        """Write one row ``index x y z`` (µm) per cell to ``file`` (a path, a text stream or a
        :mod:`pynnlite.file_formats` file object),
        under a ``# population = label`` header (``# assembly = ...`` for an Assembly)."""
        from pynnlite.file_formats import BaseFile
        from pynnlite.files import check_table_file, write_table
        if not isinstance(file, BaseFile):
            check_table_file(file)
        positions = self.positions
        kind = "assembly" if isinstance(self, Assembly) else "population"
        with _simulation.same_error_on_every_process(self.simulation.comm):
            if self.simulation.comm.rank == 0:
                columns, header = [np.arange(self.size), *positions], {kind: self.label}
                if isinstance(file, BaseFile):
                    file.write_columns(columns, header)
                else:
                    write_table(file, columns, header)

    def inject(self, current_source: Any) -> None:
        """Inject a current source into every cell of this group (spike sources refused)."""
        if not hasattr(current_source, "inject_into"):
            raise InvalidParameterValueError(f"current_source must be a current source (e.g. DCSource), got {current_source!r}")
        current_source.inject_into(self)

    def annotate(self, **annotations: Any) -> None:
        self.annotations.update(annotations)

    def find_units(self, variable: str) -> str:
        """The unit of a parameter or state variable of the cell type. An unknown name (or
        'spikes') is an error, as in PyNN (a KeyError on the cell type's units)."""
        celltype = self._segments()[0][0].celltype
        known = dict.fromkeys([*celltype.default_parameters, *celltype.default_initial_values,
                               *(name for name in celltype.recordable if name != "spikes")])
        if variable not in known:
            raise NonExistentParameterError(variable, f"{celltype.name} (parameters and state variables)", known)
        return celltype.variable_unit(variable)

    def describe(self, template: str | None = "population_default.txt", engine: str = "default"):
        from pynnlite import descriptions
        return descriptions.render(engine, template, self.describe_context())


class Population(BasePopulation):
    """A group of cells of one cell type."""

    _count = 0

    def __init__(self, size: int | tuple[int, ...], cellclass: Any, cellparams: dict | None = None,
                 structure: Any = None, initial_values: dict | None = None, label: str | None = None,
                 simulation: "_simulation.Simulation | None" = None):
        simulation = simulation or _simulation.current()
        shape = _check_size(size)
        n = int(np.prod(shape))
        if isinstance(cellclass, type):
            if not issubclass(cellclass, CellType):
                raise InvalidTypeError(f"cellclass must be a cell type, got {cellclass!r}")
            celltype = cellclass(**(cellparams or {}))
        elif isinstance(cellclass, CellType):
            if cellparams:
                raise InvalidParameterValueError("cellparams must be None when cellclass is a cell-type instance")
            celltype = cellclass
        else:
            raise InvalidTypeError(f"cellclass must be a cell type, got {cellclass!r}")
        self.simulation = simulation
        self.shape = shape
        self._size = n
        self.celltype = celltype
        if structure is not None:
            _check_structure(structure)
        if len(shape) > 1:
            if structure is not None:
                raise InvalidParameterValueError(
                    f"structure: a Population of shape {shape} is laid out on a grid of that shape; "
                    "give an int size to use another structure")
            if len(shape) > 3:
                raise InvalidDimensionsError(f"size: a shape has at most 3 dimensions, got {shape}")
            structure = _grid_of_shape(shape)
        self._positions: np.ndarray | None = None
        self._structure = structure        # None: not set, PyNN's default Line() is used
        self.annotations: dict[str, Any] = {}
        self._id_cache: np.ndarray | None = None
        self._position_of_index: np.ndarray | None = None
        # every value is evaluated and checked before the population takes IDs and a label number
        self._parameters: dict[str, np.ndarray] = {
            name: self._evaluate(name, value, celltype)
            for name, value in celltype.parameter_space.items()}
        if initial_values is not None and not isinstance(initial_values, Mapping):
            raise InvalidTypeError(f"initial_values must be a dict of state variable: value, got {initial_values!r}")
        values = dict(celltype.default_initial_values)
        values.update(celltype.initial_values)
        values.update(initial_values or {})
        for name in values:
            if name not in celltype.default_initial_values:
                raise NonExistentParameterError(name, celltype.name + " state variables",
                                                celltype.default_initial_values)
        self._initial_values: dict[str, np.ndarray] = {
            name: self._evaluate(name, value, celltype, check=False) for name, value in values.items()}
        Population._count += 1
        self.label = label or f"population{Population._count - 1}"   # PyNN's default label
        self.first_id = ID(simulation.allocate_ids(n), self)   # an ID, as PyNN's (celltype, local, ...)
        comm = simulation.comm
        self._local = (np.arange(self.first_id, self.first_id + n) % comm.size) == comm.rank
        self._local_indices = np.flatnonzero(self._local)
        self.recorder = Recorder(self)
        simulation.engine.add_population(self)
        simulation.populations.append(self)

    def _segments(self) -> list[tuple["Population", np.ndarray]]:
        return [(self, np.arange(self._size))]

    @property
    def size(self) -> int:
        return self._size

    @property
    def last_id(self) -> ID:
        return ID(self.first_id + self._size - 1, self)

    @property
    def _mask_local(self) -> np.ndarray:
        return self._local

    def _ids(self) -> np.ndarray:
        if self._id_cache is None:
            cache = np.empty(self._size, dtype=object)
            cache[:] = [ID(i, self) for i in range(self.first_id, self.first_id + self._size)]
            self._id_cache = cache
        return self._id_cache

    @property
    def all_cells(self) -> np.ndarray:
        return self._ids()

    def _local_position(self, indices: np.ndarray) -> np.ndarray:
        """Positions of (local) population indices among this process's cells: one gather
        from a table made once, instead of a binary search per index (a run's routes look up
        the post cell of every local connection)."""
        if self._position_of_index is None:
            self._position_of_index = np.cumsum(self._local, dtype=np.int64) - 1
        return self._position_of_index[indices]

    def _get_values(self, name: str, indices: np.ndarray) -> np.ndarray:
        return self._parameters[name][indices]

    def _parameters_changed(self, names: list[str]) -> None:
        self.simulation.engine.parameters_changed(self, names)

    def local_parameters(self) -> dict[str, np.ndarray]:
        """Parameter arrays of the cells on this process, in local order."""
        return {name: values[self._local_indices] for name, values in self._parameters.items()}

    def local_initial_values(self) -> dict[str, np.ndarray]:
        return {name: values[self._local_indices] for name, values in self._initial_values.items()}

    @property
    def structure(self) -> Any:
        """The spatial structure: the one given, else ``Line()`` (as PyNN); a Population created
        with a 2-D or 3-D shape is on a ``Grid2D``/``Grid3D`` of that shape."""
        if self._structure is None:
            from pynnlite.space import Line
            return Line()
        return self._structure

    @structure.setter
    def structure(self, structure: Any) -> None:
        _check_structure(structure)
        if structure != self._structure:
            self._positions = None        # as PyNN: a new structure means new positions
        self._structure = structure

    @property
    def positions(self) -> np.ndarray:
        if self._positions is None:
            self._positions = np.asarray(self.structure.generate_positions(self._size), dtype=float)
        return self._positions

    @positions.setter
    def positions(self, value: np.ndarray) -> None:
        try:
            value = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise InvalidParameterValueError(f"positions must be numbers (µm), got {value!r}") from None
        if value.shape != (3, self._size):
            raise InvalidDimensionsError(f"positions must have shape (3, {self._size}), got {value.shape}")
        if not np.isfinite(value).all():
            raise InvalidParameterValueError("positions must be finite numbers (µm), got NaN or infinity")
        self._positions = value

    @property
    def initial_values(self) -> dict[str, np.ndarray]:
        return self._initial_values

    def describe_context(self) -> dict[str, Any]:
        from pynnlite import descriptions
        context = {"label": self.label, "size": self.size, "shape": self.shape, "local_size": self.local_size,
                   "first_id": self.first_id, "last_id": self.last_id,
                   "celltype": self.celltype.describe_context(),
                   "structure": (self._structure.describe_context()
                                 if self._structure is not None and hasattr(self._structure, "describe_context")
                                 else None),
                   "annotations": dict(self.annotations), **descriptions.population_values(self)}
        # PyNN's names for templates written for PyNN: its annotations are top-level keys
        context.update(size_local=self.local_size, **{k: v for k, v in self.annotations.items() if k not in context})
        if self.local_size:   # (not local_cells[0]: that makes an ID object for every cell)
            first = ID(self.first_id + int(self._local_indices[0]), self)
            context.update(local_first_id=first, cell_parameters=first.get_parameters())
        return context

    def __repr__(self) -> str:
        return f"Population({self.size}, {self.celltype!r}, label={self.label!r})"


class _IDRange:
    """first_id and last_id of a group whose IDs need not be contiguous (views, assemblies)."""

    @property
    def first_id(self) -> ID:
        """The smallest ID of the cells."""
        return self._extreme_id(np.argmin, "first_id")

    @property
    def last_id(self) -> ID:
        """The largest ID of the cells."""
        return self._extreme_id(np.argmax, "last_id")

    def _extreme_id(self, position: Callable[[np.ndarray], Any], name: str) -> ID:
        """The ID at ``position`` (np.argmin or np.argmax) of the cells' IDs; an error naming
        ``name`` for a group without cells."""
        ids = self.id_array()
        if ids.size == 0:
            raise InvalidParameterValueError(f"{self.label} has no cells, so no {name}")
        return self.all_cells[int(position(ids))]


class PopulationView(_IDRange, BasePopulation):
    """A subset of the cells of a Population or another view, selected by slice,
    index array or boolean mask; changes act on the parent's cells."""

    def __init__(self, parent: BasePopulation, selector: Any, label: str | None = None):
        if not isinstance(parent, BasePopulation):
            raise InvalidTypeError(f"parent must be a Population, PopulationView or Assembly, got {type(parent).__name__}")
        self.parent = parent
        self.simulation = parent.simulation
        size = parent.size
        if isinstance(selector, slice):
            _check_slice(selector)
            indices = np.arange(size)[selector]
        else:
            selector = np.asarray(selector)
            if selector.dtype == bool:
                if selector.shape != (size,):
                    raise InvalidDimensionsError(f"a boolean mask for {parent.label} needs {size} entries")
                indices = np.flatnonzero(selector)
            elif selector.size == 0:
                indices = np.empty(0, dtype=np.int64)
            elif np.issubdtype(selector.dtype, np.integer):
                indices = selector.ravel().astype(np.int64)
                indices = np.where(indices < 0, indices + size, indices)
                if indices.size and (indices.min() < 0 or indices.max() >= size):
                    raise InvalidIndexError(f"index out of range for {parent.label} of size {size}")
                # PyNN keeps each cell once, in index order, whatever order the selector gives
                unique = np.unique(indices)
                if unique.size != indices.size:
                    warnings.warn(f"a view of {parent.label} holds each cell once; duplicate indices are dropped",
                                  stacklevel=2)
                indices = unique
            else:
                _check_index_type(selector.tolist() if selector.ndim == 0 else selector)
                raise InvalidIndexError(f"cells are selected by ints or a boolean mask, got {selector!r}")
        self.mask = indices
        self.annotations: dict[str, Any] = {}
        segments = parent._segments()
        if len(segments) != 1:
            raise InvalidParameterValueError("views of Assemblies are not supported; index the Assembly instead")
        self._grandparent, parent_indices = segments[0]
        self._indices = parent_indices[indices]
        self.label = label or f"view of '{parent.label}' with size {indices.size}"   # PyNN's default label

    @property
    def grandparent(self) -> Population:
        return self._grandparent

    @property
    def celltype(self) -> CellType:
        return self._grandparent.celltype

    @property
    def recorder(self) -> Recorder:
        return self._grandparent.recorder

    def _segments(self) -> list[tuple[Population, np.ndarray]]:
        return [(self._grandparent, self._indices)]

    def index_in_grandparent(self, indices: Any) -> np.ndarray:
        return self._indices[indices]

    def index_from_parent_index(self, indices: Any) -> Any:
        """Index (indices) in this view of the cell(s) at ``indices`` (ints) of the parent."""
        wanted = np.asarray(indices)
        if wanted.dtype == object or not np.issubdtype(wanted.dtype, np.integer) and wanted.size:
            raise InvalidParameterValueError(f"indices must be an int or ints (indices in the parent), got {indices!r}")
        pos = np.minimum(np.searchsorted(self.mask, wanted), max(self.mask.size - 1, 0))
        if self.mask.size == 0 or np.any(self.mask[pos] != wanted):
            raise InvalidIndexError(f"parent index(es) {indices} not in {self.label}")
        return int(pos) if wanted.ndim == 0 else pos

    @property
    def structure(self) -> Any:
        """The spatial structure of the parent."""
        return self.parent.structure

    def __eq__(self, other: Any) -> bool:
        """Views are equal when they have the same parent and the same cells (also a view
        and its whole parent), as in PyNN."""
        if isinstance(other, PopulationView):
            parent = other.parent
        elif isinstance(other, Population):
            parent = other
        else:
            return False
        return self.parent == parent and np.array_equal(self.id_array(), other.id_array())

    def __ne__(self, other: Any) -> bool:
        return not self == other

    __hash__ = BasePopulation.__hash__

    @property
    def initial_values(self) -> dict[str, np.ndarray]:
        return {name: values[self._indices] for name, values in self._grandparent._initial_values.items()}

    def describe_context(self) -> dict[str, Any]:
        from pynnlite import descriptions
        return {"label": self.label, "size": self.size, "parent": self.parent.label,
                "mask": self.mask.tolist() if self.size <= 20 else f"{self.size} indices",
                "celltype": self.celltype.describe_context(), **descriptions.population_values(self)}

    def describe(self, template: str | None = "populationview_default.txt", engine: str = "default"):
        return super().describe(template, engine)

    def __repr__(self) -> str:
        return f"PopulationView({self.parent.label}, size={self.size})"


class Assembly(_IDRange, BasePopulation):
    """An ordered group of Populations and/or views, addressed as one."""

    _count = 0

    def __init__(self, *populations: BasePopulation, label: str | None = None):
        for p in populations:
            if not isinstance(p, BasePopulation):
                raise InvalidTypeError(f"Assembly members must be populations, got {type(p).__name__}")
        self.populations: list[BasePopulation] = []
        for p in populations:
            self._insert(p)
        self.annotations: dict[str, Any] = {}
        Assembly._count += 1   # as PyNN: every Assembly takes a number, labelled or not
        self.label = label or f"assembly{Assembly._count - 1}"

    def _segments(self) -> list[tuple[Population, np.ndarray]]:
        return [segment for p in self.populations for segment in p._segments()]

    def _evaluate(self, name: str, value: Any, celltype: CellType, check: bool = True) -> np.ndarray:
        is_function = callable(value) and not hasattr(value, "lazily_evaluate")   # not a RandomDistribution
        if not is_function or not self.populations:
            return super()._evaluate(name, value, celltype, check)
        # a function: as PyNN (whose Assembly.set/initialize set each member), it is given each
        # cell's index in its member population, not in the Assembly
        values = np.concatenate([member._evaluate(name, value, celltype, check=False) for member in self.populations])
        if check:
            check_constraint(name, values, celltype.constraints.get(name))
        return values

    def sample(self, n: int, rng: Any = None) -> "Assembly":
        """``n`` cells chosen at random without replacement, as an Assembly (as PyNN)."""
        return self[self._sample_indices(n, rng)]

    @property
    def position_generator(self) -> Callable[[Any], np.ndarray]:
        """As a Population's, but giving columns (shape (3, n), µm) as PyNN's Assembly does."""
        return lambda i: self.positions[:, i]

    @property
    def simulation(self) -> "_simulation.Simulation":
        return self.populations[0].simulation if self.populations else _simulation.current()

    def _insert(self, element: BasePopulation) -> None:
        """Add ``element`` (an Assembly: each of its members) unless its cells are here already,
        as PyNN does (with a warning): a Population already a member, a view whose parent is a
        member or that shares cells with a member."""
        if isinstance(element, Assembly):
            for member in element.populations:
                self._insert(member)
            return
        if isinstance(element, PopulationView):
            if element.parent in self.populations:
                reason = f"its parent {element.parent.label} is a member"
            else:
                ids = element.id_array()
                reason = next((f"it shares cells with {p.label}" for p in self.populations
                               if np.intersect1d(p.id_array(), ids).size), "")
        else:
            reason = "it is a member already" if element in self.populations else ""
        if reason:
            warnings.warn(f"{element.label} is not added to the Assembly: {reason} (as in PyNN, an Assembly "
                          "holds each cell once)", stacklevel=3)
        else:
            self.populations.append(element)

    def __iadd__(self, other: BasePopulation) -> "Assembly":
        if not isinstance(other, BasePopulation):
            raise InvalidTypeError(f"can only add a Population, PopulationView or Assembly, got {type(other).__name__}")
        self._insert(other)
        return self

    def __getitem__(self, index: Any) -> Any:
        """One cell (ID) for an int; otherwise an Assembly of views of the selected cells
        of each member population, in member order (as PyNN)."""
        if isinstance(index, (int, np.integer)):
            return super().__getitem__(index)
        _check_index_type(index)
        selected = np.arange(self.size)[index] if isinstance(index, slice) else np.asarray(index)
        if selected.dtype != bool and selected.dtype.kind not in "iu":
            raise InvalidIndexError(f"cells are selected by ints or a boolean mask, got {index!r}")
        if selected.dtype == bool:
            if selected.shape != (self.size,):
                raise InvalidDimensionsError(f"a boolean mask for {self.label} needs {self.size} entries")
            selected = np.flatnonzero(selected)
        selected = np.where(selected < 0, selected + self.size, selected).astype(np.int64)
        if selected.size and (selected.min() < 0 or selected.max() >= self.size):
            raise InvalidIndexError(f"index out of range for {self.label} of size {self.size}")
        views, offset = [], 0
        for member in self.populations:
            inside = selected[(selected >= offset) & (selected < offset + member.size)] - offset
            if inside.size:
                views.append(PopulationView(member, inside))
            offset += member.size
        if not views:
            raise InvalidParameterValueError(f"the selection from {self.label} is empty")
        return Assembly(*views)

    def get_population(self, label: str) -> BasePopulation:
        for p in self.populations:
            if p.label == label:
                return p
        raise InvalidKeyError(f"no population labelled {label!r} in {self.label}")

    def id_to_index(self, id: Any) -> Any:  # noqa: A002 - PyNN's argument name
        return super().id_to_index(id)

    def get_data(self, variables: str | Iterable[str] = "all", gather: bool = True, clear: bool = False,
                 annotations: dict[str, Any] | None = None, locations: Any = None):
        """As a Population's get_data; an Assembly's fourth argument is ``annotations``, as in PyNN."""
        return super().get_data(variables, gather, clear, locations, annotations)

    def get_annotations(self, annotation_keys: str | Iterable[str], simplify: bool = True) -> dict[str, Any]:
        """The value of each annotation in each member population, as ``{key: [value, ...]}``
        (array annotations joined into one array; ``simplify``: one value if all are equal)."""
        check_names("annotation_keys", annotation_keys)
        simplify = check_bool("simplify", simplify)
        keys = (annotation_keys,) if isinstance(annotation_keys, str) else tuple(annotation_keys)
        result: dict[str, Any] = {}
        for key in keys:
            missing = [p.label for p in self.populations if key not in p.annotations]
            if missing:
                raise InvalidKeyError(f"annotation {key!r} is not set on {', '.join(missing)}")
            values = [p.annotations[key] for p in self.populations]
            if isinstance(values[-1], np.ndarray):
                values = np.hstack(values)
            result[key] = _parameters.simplify(np.array(values)) if simplify else values
        return result

    def describe_context(self) -> dict[str, Any]:
        return {"label": self.label, "size": self.size,
                "populations": [p.describe_context() for p in self.populations]}

    def describe(self, template: str | None = "assembly_default.txt", engine: str = "default"):
        return super().describe(template, engine)

    def __repr__(self) -> str:
        return f"Assembly({', '.join(p.label for p in self.populations)})"
