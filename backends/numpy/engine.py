"""The numpy execution engine: advances cell groups step by step and delivers spikes.

Time is cut into slices of ``L`` steps, ``L`` being the smallest delay in steps.
Within a slice each cell group is advanced with whole-array kernels; at the end
of a slice the spikes of every process are exchanged (a no-op on one process) and
delivered to ring buffers with one vectorised scatter per projection. A spike
emitted at step ``s`` with a delay of ``D`` steps is added to the ring-buffer slot
of step ``s + D`` and acts from time ``(s + D)·dt``, exactly ``delay`` after the
spike. Because ``D >= L``, a slice never needs spikes from within itself.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pynnlite.connectors.base import ranges
from pynnlite.errors import InvalidModelError, NoModelAvailableError
from pynnlite.random import keyed_uniform
from pynnlite.backends.numpy.batches import KernelBatch, _resized, form_units
from pynnlite.backends.numpy.couplings import CouplingSet, coupling_class
from pynnlite.backends.numpy.delivery import GroupDelivery, group_deliveries
from pynnlite.backends.numpy.neurons import NEURON_KERNELS
from pynnlite.backends.numpy.plasticity import PlasticityManager
from pynnlite.backends.numpy.receptor_kernels import RECEPTOR_NEURON_KERNELS
from pynnlite.backends.numpy.sources import SOURCE_KERNELS

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.populations import Population
    from pynnlite.projections import Projection
    from pynnlite.simulation import Simulation

STANDARD_RECEPTORS = ("excitatory", "inhibitory")
#: Longest communication slice (steps), whatever the delays: bounds the ring buffers.
MAX_SLICE_STEPS = 100


def kernel_class(celltype: Any, table: dict[str, type]) -> type | None:
    for cls in type(celltype).__mro__:
        if cls.__name__ in table:
            return table[cls.__name__]
    return None


def pre_spikes_of(pre_lookup: dict, exchanged: dict) -> tuple[np.ndarray, np.ndarray]:
    """The slice's spikes of a route's pre cells: (pre index, step), population by population
    in the exchanged (canonical) order. ``pre_lookup``: population index -> pre index (or -1)."""
    parts = []
    for population, lookup in pre_lookup.items():
        indices, steps = exchanged.get(population, (None, None))
        if indices is None or indices.size == 0:
            continue
        pre_index = lookup[indices]
        keep = pre_index >= 0
        parts.append((pre_index, steps) if keep.all() else (pre_index[keep], steps[keep]))
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _split_spikes(unit: Any, spiked: np.ndarray, first_step: int) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
    """(local cell, step) of the spikes of each member of a unit, in (step, cell) order, from the
    unit's (steps × cells) spike flags of a slice starting at ``first_step``."""
    flat = np.flatnonzero(spiked)
    if unit.n == 0:
        return {group: (flat, flat) for group in unit.members}
    steps, cells = np.divmod(flat, unit.n)
    steps += first_step
    members = unit.members
    if len(members) == 1:
        return {members[0]: (cells, steps)}
    member = np.searchsorted(unit.offsets, cells, side="right") - 1
    out = {}
    for number, group in enumerate(members):
        mine = member == number
        out[group] = (cells[mine] - group.offset, steps[mine])
    return out


class _Exchanged:
    """An exchange that was complete when it began (one process)."""

    def __init__(self, exchanged: dict):
        self.exchanged = exchanged

    def finish(self) -> dict:
        return self.exchanged


class CellGroup:
    """The cells of one population that live on this process: state, kernel, inputs."""

    def __init__(self, population: "Population", engine: "NumpyEngine"):
        self.population = population
        self.engine = engine
        celltype = population.celltype
        self.is_source = celltype.is_source
        table = SOURCE_KERNELS if self.is_source else {**NEURON_KERNELS, **RECEPTOR_NEURON_KERNELS}
        self.kernel_cls = kernel_class(celltype, table)
        if self.kernel_cls is None:
            raise NoModelAvailableError(f"the numpy backend has no kernel for {celltype.name}")
        self.local_indices = population._local_indices.astype(np.int64)
        self.n = self.local_indices.size
        self.receptors = tuple(celltype.receptor_types)
        self.kernel: Any = None
        self.state: dict[str, np.ndarray] = {}
        #: the stepping unit (batches.py): this group, or the KernelBatch it belongs to, and
        #: the group's first column in the unit's arrays
        self.unit: Any = self
        self.offset = 0
        self.stream = population.simulation.default_rng.stream_key()
        self.reset_state()
        self.buffer = np.zeros((1, max(len(self.receptors), 1), self.n))
        self.injections: list[tuple[Any, np.ndarray, np.ndarray]] = []  # (source, local positions, keys)
        self.i_ext_window: np.ndarray | None = None

    @property
    def members(self) -> list["CellGroup"]:
        return [self]

    @property
    def offsets(self) -> np.ndarray:
        return np.zeros(1, dtype=np.int64)

    def reset_state(self) -> None:
        values = self.population.local_initial_values()
        fresh = {name: np.array(v, dtype=float) for name, v in values.items()}
        for name, value in getattr(self.kernel_cls, "internal_state", {}).items():
            fresh[name] = np.full(self.n, float(value))
        if self.unit is self:
            self.state = fresh
        else:   # a batch member: its state arrays are views of the batch's
            for name, value in fresh.items():
                self.state[name][...] = value
        self.unit.kernel = None

    def build_kernel(self) -> None:
        params = self.population.local_parameters()
        dt = self.engine.sim.dt
        if self.is_source:
            self.kernel = self.kernel_cls(params, dt, self.stream, self.local_indices)
        else:
            # array parameters (one Sequence per cell, e.g. GIF_cond_exp's tau_eta) stay object arrays
            arrays = {k: (v if np.asarray(v).dtype == object else np.asarray(v, dtype=float))
                      for k, v in params.items()}
            for_celltype = getattr(self.kernel_cls, "for_celltype", None)  # kernels configured by the cell type
            self.kernel = (for_celltype(self.population.celltype, arrays, dt) if for_celltype is not None
                           else self.kernel_cls(arrays, dt))
            use_random_stream = getattr(self.kernel, "use_random_stream", None)  # stochastic neurons (GIF)
            if use_random_stream is not None:
                use_random_stream(self.stream, self.local_indices)

    def resize_buffer(self, size: int, step: int) -> None:
        """Ring buffer of ``size`` slots keeping the pending input for steps >= ``step``."""
        self.buffer = _resized(self.buffer, size, step)

    def prepare_injection(self, first_step: int, n_steps: int) -> None:
        """Injected current (nA) of each local cell for the steps of the coming run."""
        if not self.injections:
            self.i_ext_window = None
            return
        dt = self.engine.sim.dt
        times = (first_step + np.arange(n_steps)) * dt
        window = np.zeros((n_steps, self.n))
        for source, positions, keys in self.injections:
            amps = source.current_at(times, positions.size, self.engine.source_stream(source), keys)
            if amps.ndim == 1:
                window[:, positions] += amps[:, None]
            else:
                window[:, positions] += amps
        self.i_ext_window = window


class Route:
    """The connections of one projection that end on one post-synaptic population."""

    def __init__(self, projection: "Projection", post_group: CellGroup, connection_ids: np.ndarray,
                 post_positions: np.ndarray, pre_lookup: dict["Population", np.ndarray]):
        self.projection = projection
        self.table = projection._table
        self.post_group = post_group
        self.pre_lookup = pre_lookup  # base population -> projection pre index per population index (-1: none)
        pre = self.table.pre[connection_ids]
        order = np.argsort(pre, kind="stable")
        self.synapses = connection_ids[order]  # connection ids sorted by pre index (CSR)
        counts = np.bincount(pre, minlength=projection.pre.size)
        self.indptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
        self.post_position = post_positions[order].astype(np.int64)  # local position, in CSR order
        receptors = post_group.receptors
        self.receptor_row = receptors.index(projection.receptor_type) if receptors else 0
        celltype = post_group.population.celltype
        self.sign_routed = (not celltype.conductance_based and projection.receptor_type in STANDARD_RECEPTORS
                            and STANDARD_RECEPTORS[1] in receptors)
        self.inhibitory_row = receptors.index("inhibitory") if self.sign_routed else 0
        self.n_rows = max(len(receptors), 1)
        self.plasticity: Any = None  # the rule of a plastic synapse type (plasticity.py), set by the engine
        self.csr_delays = self.table.delay_steps[self.synapses]  # routes are rebuilt when delays change

    def pre_spikes(self, exchanged: dict) -> tuple[np.ndarray, np.ndarray]:
        return pre_spikes_of(self.pre_lookup, exchanged)

    def deliver(self, pre_index: np.ndarray, steps: np.ndarray, ring_size: int,
                weights: np.ndarray | None = None) -> None:
        """Add the weights of the synapses of spiking pre cells to the post cells' ring buffer
        (``weights``: one per (spike, synapse) in CSR order, from a plasticity rule)."""
        starts = self.indptr[pre_index]
        counts = self.indptr[pre_index + 1] - starts
        csr = ranges(starts, counts)
        if csr.size == 0:
            return
        arrival = np.repeat(steps, counts) + self.csr_delays[csr]
        if weights is None:
            weights = self.table.weight[self.synapses[csr]]
        if self.sign_routed and self.receptor_row != self.inhibitory_row and weights.min() >= 0.0:
            rows = 1 - self.inhibitory_row   # no negative weight: all through the excitatory row
        elif self.sign_routed:
            inhibitory = (weights < 0) | (self.receptor_row == self.inhibitory_row)
            rows = np.where(inhibitory, self.inhibitory_row, 1 - self.inhibitory_row)
            weights = np.where(inhibitory, -np.abs(weights), weights)
        else:
            rows = self.receptor_row
        unit = self.post_group.unit   # the group's cells are columns offset.. of its unit's buffer
        flat = ((arrival % ring_size) * self.n_rows + rows) * unit.n + (self.post_position[csr] + self.post_group.offset)
        np.add.at(unit.buffer.reshape(-1), flat, weights)


class NumpyEngine:
    """Executes a Simulation's network with numpy on this process's cells."""

    def __init__(self, simulation: "Simulation"):
        self.sim = simulation
        self.groups: dict["Population", CellGroup] = {}
        self.units: list[Any] = []   # neuron groups and batches of them, stepped one call each
        self.routes: list[Route] = []   # routes with their own delivery: plastic, coupling events
        self.deliveries: dict[CellGroup, GroupDelivery] = {}   # static synapses, per post group
        self.routes_dirty = True
        self.ring_size = 1
        self.slice_start = 0   # first step of the slice whose spikes are being exchanged
        self._held_sources: dict = {}   # sources' spikes exchanged ahead, for plastic routes
        self._source_populations: set = set()
        self._learn_early: list = []   # plastic routes learning at the end of a slice
        self._learn_late: list = []    # ... when the slice's exchange completes
        self._pipelined = True         # exchange completes after the next slice's first step
        self._source_streams: dict[int, int] = {}
        self.injections_dirty = False
        self.couplings = CouplingSet(self)   # continuous projections (graded, electrical, ...)
        self.plasticity = PlasticityManager(self)   # plastic synapse types: plasticity.py

    # -- notifications from the description layer ----------------------------
    def add_population(self, population: "Population") -> None:
        self.groups[population] = CellGroup(population, self)
        self.routes_dirty = True   # units are formed again with the routes

    def parameters_changed(self, population: "Population", names: list[str]) -> None:
        self.groups[population].unit.kernel = None

    def set_state(self, population: "Population", name: str, local_positions: np.ndarray,
                  values: np.ndarray) -> None:
        self.groups[population].state[name][local_positions] = values

    def recording_changed(self, population: "Population") -> None:
        pass

    def add_projection(self, projection: "Projection") -> None:
        post_cells = [pop for pop, _ in projection.post._segments()]
        for pop in post_cells:
            if pop.celltype.is_source:
                raise InvalidModelError(f"{pop.label} is a spike source and cannot receive connections")
        self.plasticity.projection_added(projection)
        self.routes_dirty = True

    def projection_changed(self, projection: "Projection", names: list[str]) -> None:
        if "delay" in names:
            self.routes_dirty = True

    def synapse_state_initialized(self, projection: "Projection", values: dict[str, np.ndarray]) -> None:
        self.couplings.state_initialized(projection, values)
        self.plasticity.state_initialized(projection, values)

    def current_sources_changed(self) -> None:
        self.injections_dirty = True

    def source_stream(self, source: Any) -> int:
        """The random stream of a current source or projection (noise, stochastic synapses).

        Derived from the simulation's seed and the object's creation index, not from the
        order in which processes first ask, so every process gets the same stream."""
        key = id(source)
        if key not in self._source_streams:
            if any(p is source for p in self.sim.projections):
                kind, index = 1, next(k for k, p in enumerate(self.sim.projections) if p is source)
            else:
                kind, index = 2, next(k for k, s in enumerate(self.sim.current_sources) if s is source)
            seed = int(self.sim.default_rng.seed) & (2**63 - 1)
            self._source_streams[key] = int(keyed_uniform(seed, kind, index) * 2.0**53)
        return self._source_streams[key]

    # -- building ------------------------------------------------------------
    def _build_routes(self) -> None:
        self.routes = []
        for projection in self.sim.projections:
            if coupling_class(projection.synapse_type) is not None:
                continue  # continuous couplings: self.couplings.build()
            pre_lookup: dict[Population, np.ndarray] = {}
            offset = 0
            for pop, indices in projection.pre._segments():
                lookup = pre_lookup.setdefault(pop, np.full(pop.size, -1, dtype=np.int64))
                lookup[indices] = offset + np.arange(indices.size)
                offset += indices.size
            post = projection._table.post.astype(np.int64)
            offset = 0
            for pop, indices in projection.post._segments():
                in_segment = (post >= offset) & (post < offset + indices.size)
                ids = np.flatnonzero(in_segment)
                base_index = indices[post[ids] - offset]
                group = self.groups[pop]
                positions = np.searchsorted(group.local_indices, base_index)
                self.routes.append(Route(projection, group, ids, positions, pre_lookup))
                offset += indices.size
        self.routes.extend(self.couplings.build())
        self._form_units()
        self.plasticity.attach(self.routes)
        # static synapses: merged per post-synaptic group (delivery.py); the routes kept are
        # those with their own delivery (plastic synapses, event routes of couplings)
        static = [r for r in self.routes if type(r) is Route and r.plasticity is None]
        self.deliveries = group_deliveries(static)
        self.routes = [r for r in self.routes if not (type(r) is Route and r.plasticity is None)]
        self.routes_dirty = False

    def _form_units(self) -> None:
        """Join batchable neuron groups into KernelBatches (batches.py); groups coupled by
        continuous projections stay lone."""
        for unit in self.units:
            if isinstance(unit, KernelBatch):
                unit.dissolve()
        neuron_groups = [g for g in self.groups.values() if not g.is_source]
        self.units = form_units(neuron_groups, set(self.couplings.groups))

    def _build_injections(self) -> None:
        for group in self.groups.values():
            group.injections = []
        for source in self.sim.current_sources:
            for target in source.targets:
                for pop, indices in target._segments():
                    group = self.groups[pop]
                    local = indices[pop._local[indices]]
                    positions = np.searchsorted(group.local_indices, local)
                    keys = pop.first_id + local.astype(np.int64)
                    group.injections.append((source, positions, keys))
        self.injections_dirty = False

    def smallest_delay_steps(self) -> int | None:
        """Smallest delay (steps) of the spike-transmitting connections of all processes; None if
        there are none."""
        delays = [int(p._table.delay_steps.min()) for p in self.sim.projections
                  if len(p._table) and getattr(p.synapse_type, "transmits_spikes", True)]
        smallest = min(delays, default=2**31 - 1)
        if self.sim.comm.size > 1:
            smallest = int(self.sim.comm.allreduce_min(smallest))
        return None if smallest == 2**31 - 1 else smallest

    def slice_steps(self) -> int:
        """Steps per communication slice: min_delay (or, with 'auto', the smallest delay) in
        steps, at most MAX_SLICE_STEPS.

        A slice may be shorter than the smallest delay (spikes are then exchanged more
        often than needed); it can never be longer. The cap bounds the ring buffers
        (max delay + slice length slots) when no projection limits the slice.
        """
        if self.sim.min_delay_setting != "auto":
            smallest = max(1, int(round(self.sim.min_delay / self.sim.dt)))
        else:
            smallest = self.smallest_delay_steps() or MAX_SLICE_STEPS
        return max(1, min(smallest, MAX_SLICE_STEPS))

    def max_delay_steps(self) -> int:
        largest = max((int(p._table.delay_steps.max()) for p in self.sim.projections
                       if len(p._table) and getattr(p.synapse_type, "transmits_spikes", True)), default=1)
        return largest

    # -- continuous couplings (graded, electrical, per-synapse conductance): couplings.py ----
    def coupling_pre_values(self, coupling: Any, v_all: np.ndarray) -> np.ndarray:
        """Start-of-step value of the coupling's source variable of every presynaptic cell, in the
        projection's pre order. MPI hook: one process reads the local arrays; with several
        processes the values of remote presynaptic cells must be exchanged every step through
        ``self.sim.comm`` (see CouplingSet.pre_values)."""
        return self.couplings.pre_values(coupling, v_all, self.sim.comm)

    def coupling_pre_currents(self, coupling: Any, rows: np.ndarray, current: np.ndarray,
                              conductance: np.ndarray) -> None:
        """Add the presynaptic side of electrical junctions. MPI hook: rows of -1 are junctions
        whose presynaptic cell is on another process (see CouplingSet.add_pre_currents)."""
        self.couplings.add_pre_currents(coupling, rows, current, conductance, self.sim.comm)

    # -- running -------------------------------------------------------------
    def run(self, n_steps: int) -> None:
        sim = self.sim
        if self.routes_dirty:
            self._build_routes()
        if self.injections_dirty:
            self._build_injections()
        slice_len = min(self.slice_steps(), n_steps)
        ring = self.max_delay_steps() + slice_len + 1
        first = sim.step_count
        neuron_groups = [g for g in self.groups.values() if not g.is_source]
        source_groups = [g for g in self.groups.values() if g.is_source]
        units = self.units
        for group in source_groups:
            if group.kernel is None:
                group.build_kernel()
        for unit in units:
            if unit.kernel is None:
                unit.build_kernel()
            unit.resize_buffer(ring, first)
            unit.prepare_injection(first, n_steps)
        # which cells spiked at each step of a slice, per unit: split per group once per slice
        spiked = {unit: np.zeros((slice_len, unit.n), dtype=bool) for unit in units}
        for source in self.sim.current_sources:
            source.record_window(first, n_steps, sim.dt, self.source_stream(source))
        self.ring_size = ring
        for delivery in self.deliveries.values():
            delivery.refresh()
        self.plasticity.begin_run(first)
        plan = self._sampling_plan()
        if first == 0:
            self._sample(0, plan)
        step = first
        end = first + n_steps
        source_windows: dict[CellGroup, tuple] = {}

        def source_spikes(start: int) -> dict:
            """Spikes of the source groups in the slice starting at ``start`` (none past the run)."""
            if start >= end:
                return {}
            length = min(slice_len, end - start)
            return {group: self._source_spikes(group, start, length, end, source_windows) for group in source_groups}

        # Spike sources are exchanged one slice ahead (their spikes are known in advance and may
        # act from the next slice's first step on), neurons' spikes at the end of their slice;
        # that exchange completes while the next slice's first step runs (see _record_and_exchange).
        self._held_sources = {}
        self._schedule_learning()
        self.slice_start = first
        if source_groups:
            self._deliver(*self._record_and_exchange(source_spikes(first), first), learn=False)
        pending = None
        while step < end:
            length = min(slice_len, end - step)
            for n in range(step, step + length):
                k = n - first
                coupled = self.couplings.inputs(n) if self.couplings.active else {}
                for unit in units:
                    slot = unit.buffer[n % ring]   # the inputs arriving at step n, then emptied
                    i_ext = unit.i_ext_window[k] if unit.i_ext_window is not None else None
                    if unit in coupled:  # graded/electrical currents from the start-of-step state
                        i_ext = self.couplings.add_to(unit, i_ext, *coupled[unit])
                    spiked[unit][n - step] = unit.kernel.step(unit.state, slot, i_ext)
                    slot.fill(0.0)
                sim.step_count = n + 1
                if plan:
                    self._sample(n + 1, plan)
                if pending is not None:   # the previous slice's spikes arrive at step n + 1 at the earliest
                    self._deliver(*pending)
                    pending = None
            # (local cell, step) per group: sources (next slice) first, then neurons, in creation order
            spikes = source_spikes(step + length)
            unit_spikes = {unit: _split_spikes(unit, spiked[unit][:length], step + 1) for unit in units}
            for group in neuron_groups:
                spikes[group] = unit_spikes[group.unit][group]
            self.slice_start = step
            pending = self._record_and_exchange(spikes, step + length)
            self._learn(self._learn_early, self._held_sources, spikes, step + length)
            if not self._pipelined:
                self._deliver(*pending)
                pending = None
            step += length
        if pending is not None:
            self._deliver(*pending)
        self.plasticity.end_run(sim.step_count)  # learned weights and state back into the columns

    #: Steps of source spikes generated per kernel call (the trains do not depend on how
    #: the steps are cut into windows, see sources.py), so that short slices stay cheap.
    SOURCE_WINDOW = 2000

    def _source_spikes(self, group: CellGroup, step: int, length: int, end: int,
                       windows: dict) -> tuple[np.ndarray, np.ndarray]:
        """Spikes (local cell, step) of a source group in steps [step, step + length)."""
        window = windows.get(group)
        if window is None or step + length > window[0]:
            stop = min(end, step + length * max(1, self.SOURCE_WINDOW // length))  # on a slice boundary
            cells, steps = group.kernel.spikes(group.state, step, stop - step)
            window = windows[group] = (stop, cells, steps)
        _, cells, steps = window
        if steps.size == 0:
            return cells, steps
        a, b = np.searchsorted(steps, (step, step + length))
        return cells[a:b], steps[a:b]

    def _sampling_plan(self) -> list[tuple[Any, int, list[tuple[str, np.ndarray, np.ndarray]]]]:
        """What to sample during a run, worked out once: per recording group, its recorder, its
        sampling interval in steps and (variable, population indices, local positions)."""
        plan = []
        for group in self.groups.values():
            recorder = group.population.recorder
            signals = []
            for variable in recorder.recorded:
                cells = recorder.recorded_indices(variable) if variable != "spikes" else np.empty(0)
                if cells.size:
                    signals.append((variable, cells, np.searchsorted(group.local_indices, cells)))
            if signals:
                plan.append((group, recorder, recorder.sample_every, signals))
        return plan

    def _sample(self, step: int, plan: list) -> None:
        for group, recorder, every, signals in plan:
            if step % every == 0:
                for variable, cells, positions in signals:
                    recorder.add_sample(variable, step, cells, group.state[variable][positions])

    def _record_and_exchange(self, spikes: dict[CellGroup, tuple[np.ndarray, np.ndarray]], last: int) -> tuple:
        """Record local spikes and start exchanging them between processes; returns what
        ``_deliver`` needs once the exchange is complete.

        ``spikes`` holds the neurons' spikes of the slice ending at step ``last`` (steps in
        (last − L, last]) and the sources' spikes of the next slice (steps in [last, last + L)).
        Their delivery may wait until the next slice's first step has run: with delays of at
        least L steps, none of them acts before step ``last`` + 1.
        """
        local: dict[Population, tuple[np.ndarray, np.ndarray]] = {}
        for group, (cells, steps) in spikes.items():
            population = group.population
            indices = group.local_indices[cells]
            mask = population.recorder.recorded.get("spikes")
            if mask is not None and indices.size:
                keep = mask[indices]
                population.recorder.add_spikes(indices[keep], steps[keep])
            local[population] = (indices, steps)
        return self._begin_exchange(local), spikes, last

    def _deliver(self, exchange: Any, spikes: dict, last: int, learn: bool = True) -> None:
        """Deliver spikes of every process: static synapses and coupling events at once, then the
        plastic routes fed by neurons learn from the slice ending at ``last``."""
        exchanged = exchange.finish()
        for delivery in self.deliveries.values():
            delivery.deliver(exchanged, self.ring_size)
        for route in self.routes:
            if getattr(route, "plasticity", None) is None:   # event routes of couplings
                pre_index, steps = pre_spikes_of(route.pre_lookup, exchanged)
                if pre_index.size:
                    route.deliver(pre_index, steps, self.ring_size)
        if not self._learn_late and not self._learn_early:
            return
        sources = self._source_populations
        this_slice = {p: v for p, v in exchanged.items() if p not in sources}
        this_slice.update(self._held_sources)     # the sources' spikes of the same slice
        self._held_sources = {p: v for p, v in exchanged.items() if p in sources}
        if learn:
            self._learn(self._learn_late, this_slice, spikes, last)

    def _learn(self, routes: list, exchanged: dict, spikes: dict, last: int) -> None:
        """Plastic routes: learning from one slice's spikes, then delivery of its pre spikes."""
        for route in routes:
            self.plasticity.deliver(route, exchanged, spikes, self.ring_size, last)

    def _schedule_learning(self) -> None:
        """When each plastic route learns. A rule needs a slice's pre, modulator and (local) post
        spikes together. Routes fed by spike sources only learn at the end of the slice (the
        sources' spikes were exchanged one slice ahead, and may act from the next step on);
        routes fed by neurons learn when the exchange completes, after the next slice's first
        step. A route fed by both would need the exchange before the next step: then the
        exchange is not overlapped with computation (``_pipelined`` False)."""
        self._source_populations = {g.population for g in self.groups.values() if g.is_source}
        self._learn_early, self._learn_late = [], []
        self._pipelined = True
        for route in self.routes:
            rule = getattr(route, "plasticity", None)
            if rule is None:
                continue
            feeding = set(route.pre_lookup) | {pop for pop, _ in getattr(rule, "modulator", ())}
            from_sources = bool(feeding & self._source_populations)
            from_neurons = bool(feeding - self._source_populations)
            if from_sources and not from_neurons:
                self._learn_early.append(route)
            else:
                self._learn_late.append(route)
                self._pipelined &= not from_sources

    def _begin_exchange(self, local: dict["Population", tuple[np.ndarray, np.ndarray]]) -> Any:
        """Start the exchange of a slice's spikes; ``.finish()`` gives each population's spikes
        (index, step) of every process, sorted by (step, index). The MPI engine overrides this
        with one non-blocking collective for all populations."""
        return _Exchanged(self._exchange_spikes(local))

    def _exchange_spikes(self, local: dict["Population", tuple[np.ndarray, np.ndarray]]
                         ) -> dict["Population", tuple[np.ndarray, np.ndarray]]:
        """Each population's spikes (index, step) of every process, sorted by (step, index);
        the MPI engine overrides this with one collective for all populations."""
        comm = self.sim.comm
        return {population: comm.exchange_spikes(indices, steps) for population, (indices, steps) in local.items()}

    def reset(self) -> None:
        for group in self.groups.values():
            group.reset_state()
        for unit in self.units:
            unit.buffer[:] = 0.0
        for source in self.sim.current_sources:
            source.clear_recording()
        self.couplings.reset()
        self.plasticity.reset()  # synaptic state variables to their initial values; weights kept
