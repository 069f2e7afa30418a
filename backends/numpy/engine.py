"""The numpy execution engine: advances cell groups step by step and delivers spikes.

Time is cut into slices of ``L`` steps, ``L`` being the smallest delay in steps.
Within a slice every stepping unit (a population's local cells, or a batch of
populations sharing a kernel: batches.py) is advanced with whole-array kernels.
At the end of a slice the spikes of every process are exchanged as (step, global
id) keys (spikes.py; a sort on one process) and delivered to ring buffers with
one vectorised scatter per unit for all static synapses (delivery.py). A spike
emitted at step ``s`` with a delay of ``D`` steps is added to the ring-buffer slot
of step ``s + D`` and acts from time ``(s + D)·dt``, exactly ``delay`` after the
spike. Because ``D >= L`` and a neuron's spikes of a slice are stamped at least one
step into it, a slice never needs spikes from within itself, and the exchange of a
slice's spikes can complete while the next slice's first step runs; spike sources,
whose spikes are known in advance, are exchanged one slice ahead. Cells whose inputs are
jumps of v (``inputs_at_step_end`` kernels: IF_curr_delta, Izhikevich) take the inputs
arriving at the end of each step, before its threshold test, as NEST does: a slice's first
step then needs the spikes of the previous slice's first step (a delay of min_delay), so
the exchange completes before the next slice.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pynnlite.errors import (InvalidModelError, InvalidParameterValueError, NoModelAvailableError,
                             NumericalInstabilityError)
from pynnlite.random import keyed_uniform
from pynnlite.timegrid import time_of
from pynnlite.backends.numpy.batches import KernelBatch, _resized, form_units
from pynnlite.backends.numpy.couplings import CouplingSet, EventRoute, coupling_class
from pynnlite.backends.numpy.delivery import (GroupDelivery, StaticPart, csr_entries, group_deliveries,
                                               receptor_routing, rows_and_weights)
from pynnlite.backends.numpy.neurons import NEURON_KERNELS
from pynnlite.backends.numpy.plasticity import PlasticityManager
from pynnlite.backends.numpy.spikes import (GID_MASK, MAX_STEP_OFFSET, PopulationIndex, SliceSpikes, decode, encode,
                                            pre_lookup, pre_spikes_of)
from pynnlite.backends.numpy.receptor_kernels import RECEPTOR_NEURON_KERNELS
from pynnlite.backends.numpy.sources import SOURCE_KERNELS

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.populations import Population
    from pynnlite.projections import Projection
    from pynnlite.simulation import Simulation

_EMPTY = np.empty(0, dtype=np.int64)
#: Longest communication slice (steps), whatever the delays: bounds the ring buffers.
MAX_SLICE_STEPS = 100


def kernel_class(celltype: Any, table: dict[str, type]) -> type | None:
    for cls in type(celltype).__mro__:
        if cls.__name__ in table:
            return table[cls.__name__]
    return None


def _split_columns(unit: Any, columns: np.ndarray, steps: np.ndarray) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
    """(local cell, step) of each member group of a unit, from spikes given as unit columns
    (``steps``: any array beside the columns, e.g. the spikes' times)."""
    members = unit.members
    if len(members) == 1:
        return {members[0]: (columns, steps)}
    member = np.searchsorted(unit.offsets, columns, side="right") - 1
    out = {}
    for number, group in enumerate(members):
        mine = member == number
        out[group] = (columns[mine] - group.offset, steps[mine])
    return out


class SpikeRecord:
    """Spikes to record, kept per unit during a run and handed to the populations' recorders
    at its end (one split per run instead of one per slice)."""

    def __init__(self, units: list, source_groups: list, dt: float):
        self.dt = dt
        self.chunks: dict[Any, list] = {}
        for unit in list(units) + list(source_groups):
            if any(g.population.recorder.recorded.get("spikes") is not None for g in unit.members):
                self.chunks[unit] = []

    def add(self, unit: Any, columns: np.ndarray, steps: np.ndarray, times: np.ndarray | None = None) -> None:
        """Spikes of a unit (columns, steps); ``times``: the time each is recorded with, for spike
        sources (units of one group), whose spikes have their own times; else the steps' times."""
        chunks = self.chunks.get(unit)
        if chunks is not None:
            chunks.append((columns, steps, times))

    def flush(self) -> None:
        for unit, chunks in self.chunks.items():
            if not chunks:
                continue
            columns = np.concatenate([c for c, _, _ in chunks])
            if chunks[0][2] is None:   # neurons: a spike at the end of its step, timed as PyNN reports times
                times = time_of(np.concatenate([s for _, s, _ in chunks]), self.dt)
            else:                      # spike sources: their spikes' own times
                times = np.concatenate([t for _, _, t in chunks])
            for group, (cells, cell_times) in _split_columns(unit, columns, times).items():
                mask = group.population.recorder.recorded.get("spikes")
                if mask is not None and cells.size:
                    indices = group.local_indices[cells]
                    keep = mask[indices]
                    group.population.recorder.add_spikes(indices[keep], cell_times[keep])
        self.chunks = {unit: [] for unit in self.chunks}


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
        self.gids = population.first_id + self.local_indices   # global id of each local cell
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
    """The connections of a plastic projection that end on one post-synaptic population (static
    projections are merged per unit: delivery.py)."""

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
        self.receptor_row, self.sign_routed, self.inhibitory_row = receptor_routing(projection, post_group)
        self.n_rows = max(len(post_group.receptors), 1)
        self.plasticity: Any = None  # the rule of a plastic synapse type (plasticity.py), set by the engine
        self.csr_delays = self.table.delay_steps[self.synapses]  # routes are rebuilt when delays change

    def pre_spikes(self, exchanged: dict) -> tuple[np.ndarray, np.ndarray]:
        return pre_spikes_of(self.pre_lookup, exchanged)

    def deliver(self, pre_index: np.ndarray, steps: np.ndarray, ring_size: int, weights: np.ndarray) -> None:
        """Add the weights of the synapses of spiking pre cells to the post cells' ring buffer
        (``weights``: one per (spike, synapse) in CSR order, from the plasticity rule)."""
        csr, counts = csr_entries(self.indptr, pre_index)
        if csr.size == 0:
            return
        arrival = np.repeat(steps, counts) + self.csr_delays[csr]
        rows, weights = rows_and_weights(self, weights)
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
        self._source_groups: list[CellGroup] = []
        self._source_windows: dict = {}
        self._spike_record: Any = None
        self._population_index: Any = None
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
        self.couplings.forget_history()   # v may have jumped: no extrapolation over it

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
        static_parts: list[StaticPart] = []
        for projection in self.sim.projections:
            if coupling_class(projection.synapse_type) is not None:
                continue  # continuous couplings: self.couplings.build()
            lookup = pre_lookup(projection)
            static = not getattr(projection.synapse_type, "plastic", False)
            for group, ids, positions in self._post_segments(projection):
                if static:   # merged per stepping unit below (delivery.py)
                    static_parts.append(StaticPart(projection, group, ids, positions, lookup))
                elif ids.size:   # (no connections onto this group here: nothing to learn or deliver)
                    self.routes.append(Route(projection, group, ids, positions, lookup))
        self.routes.extend(self.couplings.build())
        self._form_units()
        self.plasticity.attach(self.routes)
        self.deliveries = group_deliveries(static_parts, self.sim.next_id)
        self.routes_dirty = False

    def _post_segments(self, projection: "Projection") -> list[tuple[CellGroup, np.ndarray, np.ndarray]]:
        """(group, connection ids, local position of each connection's post cell) for each
        post-synaptic population of the projection (the connections held on this process)."""
        post = projection._table.post
        segments = projection.post._segments()
        out = []
        offset = 0
        for pop, indices in segments:
            group = self.groups[pop]
            if len(segments) == 1:
                ids = np.arange(post.size, dtype=np.int64)
                identity = indices.size == pop.size and np.array_equal(indices, np.arange(pop.size))
                base_index = post if identity else indices[post]
            else:
                ids = np.flatnonzero((post >= offset) & (post < offset + indices.size))
                base_index = indices[post[ids] - offset]
            if group.n == pop.size:
                positions = np.asarray(base_index)   # every cell local: position = index
            else:
                positions = pop._local_position(base_index)
            out.append((group, ids, positions))
            offset += indices.size
        return out

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
                    positions = pop._local_position(local)
                    keys = pop.first_id + local.astype(np.int64)
                    group.injections.append((source, positions, keys))
        self.injections_dirty = False

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
            found = self.sim.delay_steps_range()
            smallest = found[0] if found else MAX_SLICE_STEPS
        return max(1, min(smallest, MAX_SLICE_STEPS))

    def max_delay_steps(self) -> int:
        largest = max((int(p._table.delay_steps.max()) for p in self.sim.projections
                       if len(p._table) and getattr(p.synapse_type, "transmits_spikes", True)), default=1)
        return largest

    # -- continuous couplings (graded, electrical, per-synapse conductance): couplings.py ----
    def coupling_pre_values(self, coupling: Any, v_all: np.ndarray) -> np.ndarray:
        """Start-of-step value of the coupling's source variable of every presynaptic cell, in the
        projection's pre order, on one process (several processes exchange them: couplings.py's
        CellExchange)."""
        return self.couplings.pre_values(coupling, v_all)

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
        source_groups = self._source_groups = [g for g in self.groups.values() if g.is_source]
        units = self.units
        if sim.next_id > GID_MASK + 1 or 2 * slice_len >= MAX_STEP_OFFSET:
            raise InvalidParameterValueError("network too large for the spike keys (at most 2**32 cells)")
        self._population_index = PopulationIndex(list(self.groups))
        for group in source_groups:
            if group.kernel is None:
                group.build_kernel()
        for unit in units:
            if unit.kernel is None:
                unit.build_kernel()
            unit.resize_buffer(ring, first)
            unit.prepare_injection(first, n_steps)
        # which cells spiked at each step of a slice, per unit
        spiked = {unit: np.zeros((slice_len, unit.n), dtype=bool) for unit in units}
        # the ring-buffer slot a unit reads at step n: n, or n + 1 for kernels that add the
        # inputs arriving at the end of the step (inputs_at_step_end)
        read_ahead = {unit: int(unit.kernel.inputs_at_step_end) for unit in units}
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
        self._source_windows = {}
        self._spike_record = SpikeRecord(units, source_groups, sim.dt)
        self._held_sources = {}
        self._schedule_learning()
        # Spike sources are exchanged one slice ahead (their spikes are known in advance and may
        # act from the next slice's first step on), neurons' spikes at the end of their slice;
        # that exchange completes while the next slice's first step runs (_deliver).
        if source_groups:
            self._deliver(*self._exchange(first, {}, [], step_range=(first, slice_len, end)), learn=False)
        pending = None
        while step < end:
            length = min(slice_len, end - step)
            for n in range(step, step + length):
                k = n - first
                coupled = self.couplings.inputs(n) if self.couplings.active else {}
                for unit in units:
                    slot = unit.buffer[(n + read_ahead[unit]) % ring]   # the inputs it takes, then emptied
                    i_ext = unit.i_ext_window[k] if unit.i_ext_window is not None else None
                    if unit in coupled:  # graded/electrical currents from the start-of-step state
                        i_ext = self.couplings.add_to(unit, i_ext, *coupled[unit])
                    fired = spiked[unit][n - step] = unit.kernel.step(unit.state, slot, i_ext)
                    if unit in coupled:   # no extrapolation of v across a reset (couplings.py)
                        self.couplings.fired(unit, fired)
                    slot.fill(0.0)
                sim.step_count = n + 1
                if plan:
                    self._sample(n + 1, plan)
                if pending is not None:   # the previous slice's spikes arrive at step n + 1 at the earliest
                    self._deliver(*pending)
                    pending = None
            neuron_spikes = {}   # unit -> (columns, steps) of this slice's spikes
            for unit in units:
                flat = np.flatnonzero(spiked[unit][:length])
                if flat.size:
                    steps, columns = np.divmod(flat, unit.n)
                    steps += step + 1   # a spike in step n occurs at the step's end, (n + 1)·dt
                    neuron_spikes[unit] = (columns, steps)
            pending = self._exchange(step, neuron_spikes, units, step_range=(step + length, slice_len, end))
            if self._learn_early:
                self._learn(self._learn_early, self._held_sources, pending[1], step + length)
            if not self._pipelined:
                self._deliver(*pending)
                pending = None
            step += length
        if pending is not None:
            self._deliver(*pending)
        self._spike_record.flush()
        self.plasticity.end_run(sim.step_count)  # learned weights and state back into the columns
        self._check_finite(units)

    def _check_finite(self, units: list) -> None:
        """After a run, the same error on every process if some cells' state became NaN or
        infinite (instead of NaN in the recordings): once per run, not per step."""
        bad = [g.population for unit in units
               if not all(np.isfinite(values).all() for values in unit.state.values()
                          if isinstance(values, np.ndarray) and values.dtype.kind == "f")
               for g in unit.members]
        populations = self.sim.populations
        if not self.sim.comm.allreduce_sum(len(bad)):
            return
        mine = np.array(sorted({populations.index(p) for p in bad}), dtype=np.int64)
        where = np.unique(np.concatenate(self.sim.comm.allgather_arrays(mine)))
        labels = ", ".join(f"{populations[i].label} ({populations[i].celltype.name})" for i in where.tolist())
        raise NumericalInstabilityError(
            f"the state of some cells of {labels} became NaN or infinite during the run, by "
            f"t = {time_of(self.sim.step_count, self.sim.dt)} ms: parameters outside the stable range of "
            "the model's integration at this time step (e.g. Izhikevich a·dt ≥ 2, a huge reversal "
            "potential or rate); a smaller time step or other parameters")

    #: Steps of source spikes generated per kernel call (the trains do not depend on how
    #: the steps are cut into windows, see sources.py), so that short slices stay cheap.
    SOURCE_WINDOW = 2000

    def _source_spikes(self, group: CellGroup, step: int, length: int, end: int,
                       windows: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Spikes (local cell, step) of a source group in steps [step, step + length), and their
        own times (ms), which the source records."""
        window = windows.get(group)
        if window is None or step + length > window[0]:
            stop = min(end, step + length * max(1, self.SOURCE_WINDOW // length))  # on a slice boundary
            window = windows[group] = (stop, *group.kernel.spikes_and_times(group.state, step, stop - step))
        _, cells, steps, times = window
        if steps.size == 0:
            return cells, steps, times
        a, b = np.searchsorted(steps, (step, step + length))
        return cells[a:b], steps[a:b], times[a:b]

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
                    signals.append((variable, cells, group.population._local_position(cells)))
            if signals:
                plan.append((group, recorder, recorder.sample_every, signals))
        return plan

    def _sample(self, step: int, plan: list) -> None:
        for group, recorder, every, signals in plan:
            if step % every == 0:
                for variable, cells, positions in signals:
                    recorder.add_sample(variable, step, cells, group.state[variable][positions])

    def _exchange(self, base: int, neuron_spikes: dict, units: list, step_range: tuple) -> tuple:
        """Record this process's spikes and start exchanging them: the neurons' spikes of the
        slice starting at ``base`` (unit -> (columns, steps)) and the sources' spikes of the
        next slice (``step_range``: its first step, the slice length and the run's end).
        Returns what ``_deliver`` needs once the exchange is complete: none of these spikes
        acts before the step after the slice (delays are at least one slice)."""
        gids, steps = [], []
        record = self._spike_record
        for unit, (columns, unit_steps) in neuron_spikes.items():
            gids.append(unit.gids[columns])
            steps.append(unit_steps)
            record.add(unit, columns, unit_steps)
        start, slice_len, end = step_range
        if start < end:
            length = min(slice_len, end - start)
            for group in self._source_groups:
                cells, source_steps, times = self._source_spikes(group, start, length, end, self._source_windows)
                if cells.size:
                    gids.append(group.gids[cells])
                    steps.append(source_steps)
                    record.add(group, cells, source_steps, times)
        exchange = self.sim.comm.begin_spike_exchange(encode(gids, steps, base), tag=base)
        post = None
        if self._learn_early or self._learn_late:   # local post spikes per group, for learning
            post = {}
            for unit in units:
                columns, unit_steps = neuron_spikes.get(unit, (_EMPTY, _EMPTY))
                post.update(_split_columns(unit, columns, unit_steps))
        return exchange, post, start, base

    def _deliver(self, exchange: Any, post: dict | None, last: int, base: int, learn: bool = True) -> None:
        """Deliver spikes of every process: static synapses and coupling events at once, then the
        plastic routes fed by neurons learn from the slice ending at ``last``."""
        gids, steps = decode(exchange.finish(), base)
        for delivery in self.deliveries.values():
            delivery.deliver(gids, steps, self.ring_size)
        spikes = SliceSpikes(gids, steps, self._population_index)
        for route in self.routes:
            if isinstance(route, EventRoute) and gids.size:   # spike-triggered couplings
                pre_index, pre_steps = pre_spikes_of(route.pre_lookup, spikes.by_population())
                if pre_index.size:
                    route.deliver(pre_index, pre_steps, self.ring_size)
        if not self._learn_late and not self._learn_early:
            return
        exchanged = spikes.by_population()
        sources = self._source_populations
        this_slice = {p: v for p, v in exchanged.items() if p not in sources}
        this_slice.update(self._held_sources)     # the sources' spikes of the same slice
        self._held_sources = {p: v for p, v in exchanged.items() if p in sources}
        if learn:
            self._learn(self._learn_late, this_slice, post, last)

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
        exchange is not overlapped with computation (``_pipelined`` False); so too when a kernel
        takes the inputs arriving at the end of its step (``inputs_at_step_end``): the next
        slice's first step takes those of a spike at the slice's first step."""
        self._source_populations = {g.population for g in self.groups.values() if g.is_source}
        self._learn_early, self._learn_late = [], []
        self._pipelined = not any(unit.kernel.inputs_at_step_end for unit in self.units)
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

    def reset(self) -> None:
        for group in self.groups.values():
            group.reset_state()
        for unit in self.units:
            unit.buffer[:] = 0.0
        for source in self.sim.current_sources:
            source.clear_recording()
        self.couplings.reset()
        self.plasticity.reset()  # synaptic state variables to their initial values; weights kept
