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
        self.stream = population.simulation.default_rng.stream_key()
        self.reset_state()
        self.buffer = np.zeros((1, max(len(self.receptors), 1), self.n))
        self.injections: list[tuple[Any, np.ndarray, np.ndarray]] = []  # (source, local positions, keys)
        self.i_ext_window: np.ndarray | None = None

    def reset_state(self) -> None:
        values = self.population.local_initial_values()
        self.state = {name: np.array(v, dtype=float) for name, v in values.items()}
        for name, value in getattr(self.kernel_cls, "internal_state", {}).items():
            self.state[name] = np.full(self.n, float(value))
        self.kernel = None

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
        old = self.buffer
        if old.shape[0] == size:
            return
        new = np.zeros((size,) + old.shape[1:])
        keep = min(old.shape[0], size)
        absolute = step + np.arange(keep)
        new[absolute % size] = old[absolute % old.shape[0]]
        self.buffer = new

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
        n = self.post_group.n
        flat = ((arrival % ring_size) * self.n_rows + rows) * n + self.post_position[csr]
        np.add.at(self.post_group.buffer.reshape(-1), flat, weights)


class NumpyEngine:
    """Executes a Simulation's network with numpy on this process's cells."""

    def __init__(self, simulation: "Simulation"):
        self.sim = simulation
        self.groups: dict["Population", CellGroup] = {}
        self.routes: list[Route] = []   # routes with their own delivery: plastic, coupling events
        self.deliveries: dict[CellGroup, GroupDelivery] = {}   # static synapses, per post group
        self.routes_dirty = True
        self.ring_size = 1
        self._source_streams: dict[int, int] = {}
        self.injections_dirty = False
        self.couplings = CouplingSet(self)   # continuous projections (graded, electrical, ...)
        self.plasticity = PlasticityManager(self)   # plastic synapse types: plasticity.py

    # -- notifications from the description layer ----------------------------
    def add_population(self, population: "Population") -> None:
        self.groups[population] = CellGroup(population, self)

    def parameters_changed(self, population: "Population", names: list[str]) -> None:
        self.groups[population].kernel = None

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
        self.plasticity.attach(self.routes)
        # static synapses: merged per post-synaptic group (delivery.py); the routes kept are
        # those with their own delivery (plastic synapses, event routes of couplings)
        static = [r for r in self.routes if type(r) is Route and r.plasticity is None]
        self.deliveries = group_deliveries(static)
        self.routes = [r for r in self.routes if not (type(r) is Route and r.plasticity is None)]
        self.routes_dirty = False

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
        for group in self.groups.values():
            if group.kernel is None:
                group.build_kernel()
            if not group.is_source:
                group.resize_buffer(ring, first)
            group.prepare_injection(first, n_steps)
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
        while step < end:
            length = min(slice_len, end - step)
            spikes = {}
            for group in source_groups:
                spikes[group] = self._source_spikes(group, step, length, end, source_windows)
            for group in neuron_groups:
                spikes[group] = ([], [])
            for n in range(step, step + length):
                k = n - first
                coupled = self.couplings.inputs(n) if self.couplings.active else {}
                for group in neuron_groups:
                    slot = group.buffer[n % ring]   # the inputs arriving at step n, then emptied
                    i_ext = group.i_ext_window[k] if group.i_ext_window is not None else None
                    if group in coupled:  # graded/electrical currents from the start-of-step state
                        i_ext = self.couplings.add_to(group, i_ext, *coupled[group])
                    spiked = group.kernel.step(group.state, slot, i_ext)
                    slot.fill(0.0)
                    if spiked.any():
                        cells = np.flatnonzero(spiked)
                        spikes[group][0].append(cells)
                        spikes[group][1].append(np.full(cells.size, n + 1, dtype=np.int64))
                sim.step_count = n + 1
                self._sample(n + 1, plan)
            for group in neuron_groups:
                cells, steps = spikes[group]
                spikes[group] = ((np.concatenate(cells), np.concatenate(steps)) if cells
                                 else (np.empty(0, np.int64), np.empty(0, np.int64)))
            self._record_and_deliver(spikes)
            step += length
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

    def _record_and_deliver(self, spikes: dict[CellGroup, tuple[np.ndarray, np.ndarray]]) -> None:
        """Record local spikes, exchange them between processes and deliver them."""
        local: dict[Population, tuple[np.ndarray, np.ndarray]] = {}
        for group, (cells, steps) in spikes.items():
            population = group.population
            indices = group.local_indices[cells]
            mask = population.recorder.recorded.get("spikes")
            if mask is not None and indices.size:
                keep = mask[indices]
                population.recorder.add_spikes(indices[keep], steps[keep])
            local[population] = (indices, steps)
        exchanged = self._exchange_spikes(local)
        for delivery in self.deliveries.values():
            delivery.deliver(exchanged, self.ring_size)
        for route in self.routes:
            if getattr(route, "plasticity", None) is not None:  # learning, then delivery
                self.plasticity.deliver(route, exchanged, spikes, self.ring_size)
                continue
            pre_index, steps = pre_spikes_of(route.pre_lookup, exchanged)   # event routes of couplings
            if pre_index.size:
                route.deliver(pre_index, steps, self.ring_size)

    def _exchange_spikes(self, local: dict["Population", tuple[np.ndarray, np.ndarray]]
                         ) -> dict["Population", tuple[np.ndarray, np.ndarray]]:
        """Each population's spikes (index, step) of every process, sorted by (step, index);
        the MPI engine overrides this with one collective for all populations."""
        comm = self.sim.comm
        return {population: comm.exchange_spikes(indices, steps) for population, (indices, steps) in local.items()}

    def reset(self) -> None:
        for group in self.groups.values():
            group.reset_state()
            group.buffer[:] = 0.0
        for source in self.sim.current_sources:
            source.clear_recording()
        self.couplings.reset()
        self.plasticity.reset()  # synaptic state variables to their initial values; weights kept
