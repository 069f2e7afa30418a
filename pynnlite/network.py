"""Network: a container of populations, views, assemblies and projections (PyNN 0.13's
``pyNN.network.Network``, exported by every backend module as ``sim.Network``)."""
from __future__ import annotations

import importlib
from itertools import chain
from types import ModuleType
from typing import Any, Iterable

from pynnlite import simulation as _simulation
from pynnlite.errors import InvalidParameterValueError, InvalidTypeError, check_bool, check_names
from pynnlite.models.base import CellType
from pynnlite.populations import (Assembly, BasePopulation, Population, PopulationView, _check_annotations,
                                  _check_gather)
from pynnlite.projections import Projection
from pynnlite.recording import check_output, write_gathered

__all__ = ["Network"]


class Network:
    """A set of network components. Adding a view also adds its parent; adding an Assembly
    also adds its populations."""

    def __init__(self, *components: Any):
        # dicts as ordered sets: every process iterates the components in the order they were
        # added, so that the collective calls of get_data/write_data match under MPI
        self._populations: dict[BasePopulation, None] = {}
        self._views: dict[PopulationView, None] = {}
        self._assemblies: dict[Assembly, None] = {}
        self._projections: dict[Projection, None] = {}
        self.add(*components)

    @property
    def populations(self) -> frozenset:
        return frozenset(self._populations)

    @property
    def views(self) -> frozenset:
        return frozenset(self._views)

    @property
    def assemblies(self) -> frozenset:
        return frozenset(self._assemblies)

    @property
    def projections(self) -> frozenset:
        return frozenset(self._projections)

    @property
    def sim(self) -> ModuleType:
        """The backend module the components were built with (e.g. ``pynnlite.backends.numpy``)."""
        if not self._populations:
            raise InvalidParameterValueError("this Network has no population, so no backend yet")
        backend = next(iter(self._populations)).simulation.backend
        return importlib.import_module(f"pynnlite.backends.{backend}")

    def count_neurons(self) -> int:
        return sum(p.size for p in self._populations)

    def count_connections(self) -> int:
        return sum(prj.size() for prj in self._projections)

    def _simulation(self) -> "_simulation.Simulation":
        """The simulation of the components (the current one while there are none)."""
        for component in chain(self._populations, self._projections):
            return component.simulation
        return _simulation.current()

    def add(self, *components: Any) -> None:
        """Add populations, views (and their parents), assemblies (and their members) or projections."""
        for component in components:   # every one checked before any is added
            if not isinstance(component, (Population, PopulationView, Assembly, Projection)):
                raise InvalidTypeError(f"components of a Network must be populations, views, assemblies or "
                                       f"projections, got {type(component).__name__}")
        for component in components:
            if isinstance(component, Population):
                self._populations[component] = None
            elif isinstance(component, PopulationView):
                self._views[component] = None
                self._populations[component.parent] = None
            elif isinstance(component, Assembly):
                self._assemblies[component] = None
                self._populations.update(dict.fromkeys(component.populations))
            else:
                self._projections[component] = None

    def get_component(self, label: str) -> Any:
        """The component with this label, or None."""
        for component in chain(self._populations, self._views, self._assemblies, self._projections):
            if component.label == label:
                return component
        return None

    def filter(self, cell_types: str | Iterable[type] | None = None) -> Assembly:
        """An Assembly of the populations whose cell type is one of ``cell_types`` (cell-type
        classes, e.g. ``[sim.IF_cond_exp]``); ``'all'``: of every population that takes current
        sources (not spike sources), as PyNN."""
        if isinstance(cell_types, str) and cell_types == "all":
            chosen = [p for p in self._populations if p.celltype.injectable]
        else:
            kinds = tuple(cell_types) if not isinstance(cell_types, str) and isinstance(cell_types, Iterable) else None
            if kinds is None or not all(isinstance(k, type) and issubclass(k, CellType) for k in kinds):
                raise InvalidParameterValueError(
                    f"cell_types must be 'all' or a list of cell-type classes (e.g. [sim.IF_cond_exp]), got {cell_types!r}")
            chosen = [p for p in self._populations if type(p.celltype) in kinds]
        if not chosen:
            raise InvalidParameterValueError(f"no population of this Network has a cell type in cell_types={cell_types!r}")
        return Assembly(*chosen)

    def record(self, variables: Any, to_file: Any = None, sampling_interval: float | None = None,
               include_spike_source: bool = True) -> None:
        """Record ``variables`` from every population and assembly (spike sources only if
        ``include_spike_source``) every ``sampling_interval`` ms; checked for every group
        before any starts recording."""
        include_spike_source = check_bool("include_spike_source", include_spike_source)
        groups = [group for group in chain(self._populations, self._assemblies)
                  if include_spike_source or group.injectable]
        if to_file is not None and to_file is not False:
            check_output(to_file, "to_file")
        for group in groups:
            group._check_record(variables, sampling_interval)
        for group in groups:
            group.record(variables, to_file=to_file, sampling_interval=sampling_interval)

    def get_data(self, variables: Any = "all", gather: bool = True, clear: bool = False,
                 annotations: dict[str, Any] | None = None) -> list:
        """One neo.Block per assembly of the network, in the order they were added (as PyNN's
        Network); under MPI as ``Population.get_data``."""
        _check_gather(gather)
        check_names("variables", variables)
        clear = check_bool("clear", clear)
        _check_annotations(annotations)
        # checked before any assembly is cleared: a name no population of the network can record
        # is an error; an assembly whose cells cannot record it gives no signal of it (as PyNN)
        segments = [segment for assembly in self._assemblies for segment in assembly._segments()]
        wanted = [assembly._readable_variables(variables, among=segments) for assembly in self._assemblies]
        return [assembly._read(names, gather, clear, annotations) for assembly, names in zip(self._assemblies, wanted)]

    def write_data(self, io: Any, variables: Any = "all", gather: bool = True, clear: bool = False,
                   annotations: dict[str, Any] | None = None) -> None:
        """Write the list of blocks of ``get_data`` with a Neo IO object or to a file name (a
        .pkl file holds the pickled list; missing folders are created). Under MPI as
        ``Population.write_data``: rank 0 writes everything once; ``gather=False``: each process
        its own cells' to ``<file>.<rank>``; nothing recorded: NothingToWriteError everywhere."""
        check_output(io)
        clear = check_bool("clear", clear)
        blocks = self.get_data(variables, gather, False, annotations)
        write_gathered(blocks, io, gather, self._simulation().comm)
        if clear:   # once written: a file that cannot be written loses no data
            for assembly in self._assemblies:
                assembly._clear_recorded()
