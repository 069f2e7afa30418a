"""Recording of spikes and state variables of one population, returned as Neo objects."""
from __future__ import annotations

import os
import pickle
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable

import neo
import numpy as np
import quantities as pq
from neo.core.spiketrainlist import SpikeTrainList

from pynnlite.errors import (InvalidParameterValueError, NothingToWriteError, RecordingError, check_names,
                             is_finite_number)
from pynnlite.spike_trains import SortedSpikeTrainList
from pynnlite.timegrid import time_of
from pynnlite.units import as_quantity

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.populations import Population


class SampleBlock:
    """Samples of one variable from one set of cells (one epoch, see Recorder.epochs): a row
    of values per sample step, a column per cell. Rows are written into preallocated chunks
    (no array object per sample) and read back with a single copy."""

    #: rows of the first chunk; each next chunk doubles, up to CHUNK_BYTES
    FIRST_ROWS = 64
    CHUNK_BYTES = 4 * 2**20

    def __init__(self, epoch: int, cells: np.ndarray) -> None:
        self.epoch = epoch
        self.cells = cells                      # population indices, one per column
        self.steps: list[int] = []              # the step of each row
        self._chunks: list[np.ndarray] = []
        self._used = 0                          # rows filled in the last chunk

    @classmethod
    def from_matrix(cls, epoch: int, cells: np.ndarray, steps: list[int], matrix: np.ndarray) -> "SampleBlock":
        """A block holding ``matrix`` (samples × cells) as it is (no copy)."""
        block = cls(epoch, cells)
        block.steps = list(steps)
        if len(block.steps):
            block._chunks, block._used = [matrix], len(matrix)
        return block

    def __len__(self) -> int:
        return len(self.steps)

    def append(self, step: int, values: np.ndarray) -> None:
        """Add the values (one per cell) sampled at ``step``."""
        chunks = self._chunks
        if not chunks or self._used == len(chunks[-1]):
            rows = min(2 * len(chunks[-1]) if chunks else self.FIRST_ROWS,
                       max(self.FIRST_ROWS, self.CHUNK_BYTES // max(values.nbytes, 1)))
            chunks.append(np.empty((rows, values.size), dtype=values.dtype))
            self._used = 0
        elif values.dtype != chunks[-1].dtype:   # (not seen in practice) keep one dtype, as vstack would
            dtype = np.result_type(chunks[-1].dtype, values.dtype)
            self._chunks = chunks = [c.astype(dtype) for c in chunks]
        chunks[-1][self._used] = values
        self._used += 1
        self.steps.append(step)

    def matrix(self, keep: np.ndarray | None = None) -> np.ndarray:
        """A new (samples × cells) array of the values, each cell's samples contiguous (Fortran
        order, as numpy's ``values[:, keep]`` gave before); ``keep``: a bool mask of the columns
        to include (all if None)."""
        chunks = self._chunks
        columns = chunks[0].shape[1] if chunks else 0
        selected = columns if keep is None else int(np.count_nonzero(keep))
        dtype = np.result_type(*[c.dtype for c in chunks]) if chunks else float
        out = np.empty((len(self.steps), selected), dtype=dtype, order="F")
        row = 0
        for number, chunk in enumerate(chunks):
            part = chunk[:self._used] if number == len(chunks) - 1 else chunk
            if keep is None or selected == columns:
                out[row:row + len(part)] = part
            else:
                np.compress(keep, part, axis=1, out=out[row:row + len(part)])
            row += len(part)
        return out


class _SegmentData:
    """What was recorded between two resets."""

    def __init__(self) -> None:
        self.spike_cells: list[np.ndarray] = []
        self.spike_times: list[np.ndarray] = []   # ms
        #: variable -> blocks of samples, one per set of recorded cells, in time order
        self.signals: dict[str, list[SampleBlock]] = {}
        self.t_stop_step = 0
        self.cleared_at: int | None = None   # the step of get_data(clear=True): the segment starts there
        self.spikes_stopped: np.ndarray | None = None   # cells whose spike recording stopped here
        self.annotations: dict[str, Any] = {}

    def spikes(self) -> tuple[np.ndarray, np.ndarray]:
        """(cell indices, spike times in ms) of the recorded spikes."""
        if not self.spike_cells:
            return np.empty(0, np.int64), np.empty(0, float)
        return np.concatenate(self.spike_cells), np.concatenate(self.spike_times)


class Recorder:
    """Which cells of a population record which variables, and the data recorded so far.

    Cell indices are global indices within the population; only cells local to
    this process produce data.

    When the cells recording a variable change during a segment (``record`` on
    more cells, ``record(None)`` on some), the samples before the change are
    kept: the segment then holds one AnalogSignal of that name per set of cells,
    in time order. ``epochs`` counts these changes per variable; it is the same
    on every MPI process (``record`` is called by all), so blocks of samples are
    merged across processes by epoch.
    """

    def __init__(self, population: "Population"):
        self.population = population
        self.recorded: dict[str, np.ndarray] = {}       # variable -> bool mask over the population
        self.sampling_interval: float | None = None     # ms
        self.current = _SegmentData()
        self.segments: list[tuple[_SegmentData, int]] = []  # closed segments with their index
        self.epochs: dict[str, int] = {}                # variable -> changes of its recorded cells

    # -- what to record ---------------------------------------------------
    def record(self, variables: str | Iterable[str] | None, indices: np.ndarray,
               sampling_interval: float | None = None, to_file: Any = None) -> None:
        if variables is None:  # PyNN: record(None) stops recording
            for variable, mask in self.recorded.items():
                if mask[indices].any():
                    # their trains stay in this segment if it has run since they started recording
                    # (as PyNN, record(None) before any run leaves no trains)
                    ran = self.population.simulation.step_count > (self.current.cleared_at or 0)
                    if variable == "spikes" and ran:
                        stopped = self.current.spikes_stopped
                        self.current.spikes_stopped = mask.copy() if stopped is None else stopped | mask
                    mask[indices] = False
                    self.epochs[variable] = self.epochs.get(variable, 0) + 1
            return
        variables = self.check(variables, sampling_interval)
        if sampling_interval is not None and any(name != "spikes" for name in variables):
            self.sampling_interval = float(sampling_interval)   # as PyNN: not set by spikes alone
        size = self.population.size
        for variable in variables:
            mask = self.recorded.setdefault(variable, np.zeros(size, dtype=bool))
            if not mask[indices].all():
                mask[indices] = True
                self.epochs[variable] = self.epochs.get(variable, 0) + 1
        self.population.simulation.engine.recording_changed(self.population)

    def check(self, variables: str | Iterable[str], sampling_interval: float | None = None) -> list[str]:
        """The names of ``variables`` ('all': every recordable one); an error, before anything
        changes, if one is not recordable or ``sampling_interval`` (ms) is not a whole number of
        time steps, or differs from the one of the signals recorded (as PyNN) or being recorded
        in this segment."""
        celltype = self.population.celltype
        check_names("variables", variables)
        if isinstance(variables, str):
            variables = celltype.recordable if variables == "all" else [variables]
        variables = list(variables)
        for variable in variables:
            if variable not in celltype.recordable:
                raise RecordingError(variable, celltype)
        dt = self.population.simulation.dt
        if sampling_interval is not None:
            if not is_finite_number(sampling_interval):
                raise InvalidParameterValueError(
                    f"sampling_interval must be a positive multiple of the time step ({dt} ms), got {sampling_interval!r}")
            if sampling_interval < dt - 1e-12 or abs(round(sampling_interval / dt) * dt - sampling_interval) > 1e-9:
                raise InvalidParameterValueError(
                    f"sampling_interval must be a positive multiple of the time step ({dt} ms), got {sampling_interval}")
            analog = [name for name, mask in self.recorded.items() if name != "spikes" and mask.any()]
            if analog and int(round(sampling_interval / dt)) != self.sample_every:
                # as PyNN: one sampling interval per population (spikes have none)
                raise InvalidParameterValueError(
                    f"sampling_interval: all cells of {self.population.label} must be recorded with the same "
                    f"sampling interval; {', '.join(analog)} every {self.sample_every * dt:g} ms, "
                    f"asked for {sampling_interval} ms")
            if self.sampling_interval not in (None, sampling_interval) and self.current.signals:
                raise InvalidParameterValueError(
                    "sampling_interval cannot change while signals are being recorded in this segment")
        return variables

    @property
    def sample_every(self) -> int:
        dt = self.population.simulation.dt
        return max(1, int(round((self.sampling_interval or dt) / dt)))

    def recorded_indices(self, variable: str) -> np.ndarray:
        mask = self.recorded.get(variable)
        if mask is None:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(mask & self.population._mask_local)

    # -- data written by the engine ---------------------------------------
    def add_spikes(self, cells: np.ndarray, times: np.ndarray) -> None:
        """Spikes of ``cells`` (population indices) at ``times`` (ms)."""
        if cells.size:
            self.current.spike_cells.append(cells)
            self.current.spike_times.append(np.asarray(times, dtype=float))

    def add_sample(self, variable: str, step: int, cells: np.ndarray, values: np.ndarray) -> None:
        """The ``values`` of ``variable`` in ``cells`` (population indices) at ``step``."""
        blocks = self.current.signals.setdefault(variable, [])
        epoch = self.epochs.get(variable, 0)
        if not blocks or blocks[-1].epoch != epoch:   # the recorded cells changed: a new block
            blocks.append(SampleBlock(epoch, cells))
        blocks[-1].append(step, values)

    def new_segment(self, annotations: dict[str, Any], t_stop_step: int) -> None:
        """Close the current segment at ``t_stop_step`` and start a new one (after reset())."""
        self.current.t_stop_step = t_stop_step
        # as PyNN (Recorder.store_to_cache): reset()'s annotations go to the segment it closes
        self.current.annotations.update(annotations)
        # a segment emptied by get_data(clear=True) is kept if the simulation ran after that
        # (the same decision on every MPI process, whatever each recorded)
        cleared_at = self.current.cleared_at
        if cleared_at is None or t_stop_step > cleared_at:
            self.segments.append((self.current, len(self.segments)))
        self.current = _SegmentData()

    def clear(self) -> None:
        """Forget the recorded data (get_data(clear=True)); an emptied segment is not kept."""
        self.segments = []
        annotations = self.current.annotations
        self.current = _SegmentData()
        self.current.annotations = annotations
        self.current.cleared_at = self.population.simulation.step_count

    # -- Neo output ---------------------------------------------------------
    def _variables(self, variables: str | Iterable[str]) -> list[str]:
        """``variables`` as a list of names ('all': every recorded one), checked by the caller
        (``BasePopulation._readable_variables``: names this cell type can record)."""
        if variables == "all":
            return list(self.recorded)
        return [variables] if isinstance(variables, str) else list(variables)

    def segment(self, data: _SegmentData, index: int, variables: list[str], indices: np.ndarray,
                t_stop_step: int, description: str | None = None) -> neo.Segment:
        """A Neo Segment with the data of cells ``indices`` (population indices)."""
        population = self.population
        dt = population.simulation.dt
        segment = neo.Segment(name=f"segment{index:03d}", index=index, rec_datetime=datetime.now(),
                              description=description)
        segment.annotate(**data.annotations)
        t_stop = t_stop_step * dt * pq.ms
        wanted = np.zeros(population.size, dtype=bool)
        wanted[indices] = True
        if "spikes" in variables and "spikes" in self.recorded:
            cells, times = data.spikes()
            # the cells recording spikes now, and those that stopped in this segment (record(None):
            # their trains are kept, as samples of signals are)
            recorded = self.recorded["spikes"].copy()
            if data.spikes_stopped is not None:
                recorded |= data.spikes_stopped
            recorded &= wanted
            rec = np.flatnonzero(recorded)
            keep = recorded[cells]
            cells, times = cells[keep], times[keep]
            order = np.lexsort((times, cells))
            cells, times = cells[order], times[order]
            ids = (population.first_id + rec).tolist()
            trains = SortedSpikeTrainList.from_sorted(
                times, population.first_id + cells, ids,
                np.searchsorted(cells, rec, side="left").tolist(), np.searchsorted(cells, rec, side="right").tolist(),
                t_start=(data.cleared_at or 0) * dt * pq.ms, t_stop=t_stop,
                source_population=population.label, source_id=ids, source_index=rec.tolist())
            trains.segment = segment
            segment.spiketrains = trains
        for variable in variables:
            if variable == "spikes":
                continue
            for block in data.signals.get(variable, ()):
                cells, sample_steps = block.cells, block.steps
                keep = wanted[cells]
                if not keep.any() or not sample_steps:
                    continue
                matrix = block.matrix(keep)
                unit = population.celltype.variable_unit(variable)
                every = sample_steps[1] - sample_steps[0] if len(sample_steps) > 1 else self.sample_every
                # rounded as PyNN rounds the time: 3 steps of 0.1 ms are 0.3 ms, not 0.30000000000000004
                signal = neo.AnalogSignal(as_quantity(matrix, unit), t_start=time_of(sample_steps[0], dt) * pq.ms,
                                          sampling_period=time_of(every, dt) * pq.ms, name=variable,
                                          source_population=population.label,
                                          source_ids=(population.first_id + cells[keep]),
                                          channel_ids=(population.first_id + cells[keep]))
                signal.array_annotate(channel_index=cells[keep], source_ids=population.first_id + cells[keep])
                segment.analogsignals.append(signal)
        return segment

    def get_data(self, variables: str | Iterable[str], indices: np.ndarray, clear: bool,
                 annotations: dict[str, Any] | None, gather: Any = True) -> neo.Block:
        variables = self._variables(variables)
        population = self.population
        # as PyNN: the Block and each Segment are described by population.describe()
        description = population.describe()
        block = neo.Block(name=population.label, description=description, rec_datetime=datetime.now())
        self.current.t_stop_step = population.simulation.step_count
        segments = list(self.segments)
        if population.simulation.step_count > 0 or not segments:
            # as PyNN: the segment opened by reset() appears once the simulation has run in it
            segments.append((self.current, len(self.segments)))
        for data, index in segments:
            segment_indices = indices
            if population.simulation.comm.size > 1:  # MPI: other processes' cells, or only ours
                from pynnlite.gathering import gather_segment
                merged = gather_segment(self, data, gather) if gather else None
                if merged is None:
                    segment_indices = indices[population._local[indices]]
                else:
                    data = merged
            block.segments.append(self.segment(data, index, variables, segment_indices, data.t_stop_step,
                                               description))
        block.annotate(size=population.size, first_index=0, last_index=population.size,   # as PyNN
                       first_id=int(population.first_id), last_id=int(population.last_id), label=population.label,
                       simulator=f"pynnlite.backends.{population.simulation.backend}",
                       dt=population.simulation.dt, mpi_processes=population.simulation.comm.size)
        block.annotate(**(annotations or {}))
        if clear:
            self.clear()
        return block


def add_spiketrains(segment: neo.Segment, trains: list[neo.SpikeTrain]) -> None:
    """Append new ``trains`` to ``segment``, as ``segment.spiketrains.extend`` does, without
    Neo's check that each is not already there (a scan of the whole list per train)."""
    for train in trains:
        train.segment = segment
    segment.spiketrains = SpikeTrainList(items=list(segment.spiketrains) + trains, parent=segment)


def has_recorded_data(block: neo.Block) -> bool:
    return any(seg.spiketrains or seg.analogsignals for seg in block.segments)


def write_block(block: neo.Block | list[neo.Block], io: Any, suffix: str = "", allow_empty: bool = False) -> None:
    """Write ``block`` (or a list of blocks) with a Neo IO object or to a file name (pickle,
    .nix, .h5, .mat, ...); ``suffix`` (e.g. '.1', per MPI rank) is appended to a file name after
    choosing its format. A block without data is an error unless ``allow_empty`` (a process's
    empty part)."""
    if not allow_empty and not any(map(has_recorded_data, block if isinstance(block, list) else [block])):
        raise NothingToWriteError("no recorded data to write")
    check_output(io)
    if isinstance(io, os.PathLike):
        io = os.fspath(io)
    try:
        _write(block, io, suffix)
    except OSError as error:
        raise InvalidParameterValueError(f"io: cannot write {io!r}: {error.strerror or error}") from error
    except (IndexError, KeyError, AttributeError, TypeError, ValueError) as error:   # from inside Neo's writer
        raise InvalidParameterValueError(
            f"io: Neo could not write this recorded data to {io!r} ({type(error).__name__}: {error}); "
            "a .pkl or .mat file holds spikes and signals alike") from error


def write_gathered(data: neo.Block | list[neo.Block], io: Any, gather: Any, comm: Any) -> None:
    """Write what ``get_data(gather=...)`` returned on this process (a block or a list of
    blocks). Every process calls it: with ``gather`` rank 0 writes everything once; with
    ``gather=False`` each process writes its own part to ``<file>.<rank>`` (on one process to
    ``<file>``), an empty one where it has none. Nothing recorded on any process is a
    NothingToWriteError, and a file that cannot be written an error, on every process."""
    from pynnlite.simulation import same_error_on_every_process
    anything = any(map(has_recorded_data, data if isinstance(data, list) else [data]))
    if comm.size > 1:   # rank 0 holds everything with gather; else any process's part counts
        anything = bool(comm.bcast(anything, root=0)) if gather else comm.allreduce_sum(int(anything)) > 0
    with same_error_on_every_process(comm):
        if not anything:
            raise NothingToWriteError("no recorded data to write")
        if comm.rank == 0 or not gather:
            write_block(data, io, f".{comm.rank}" if not gather and comm.size > 1 else "", allow_empty=True)


def _writable_extensions() -> list[str]:
    """File name extensions of the formats Neo writes (PickleIO's first)."""
    extensions = ["pkl", "pickle"]
    for io_class in neo.io.iolist:
        if io_class.is_writable:
            extensions.extend(e for e in io_class.extensions if e not in extensions)
    return extensions


def check_output(io: Any, name: str = "io") -> None:
    """A Neo IO object (with write_block), or a file name or path whose extension names a
    format Neo writes and that is not a folder: else InvalidParameterValueError naming ``name``."""
    if not isinstance(io, (str, os.PathLike)):
        if not hasattr(io, "write_block"):
            raise InvalidParameterValueError(f"{name} must be a file name or a Neo IO object, got {io!r}")
        return
    path = os.fspath(io)
    if not isinstance(path, str):
        raise InvalidParameterValueError(f"{name} must be a file name or a Neo IO object, got {io!r}")
    if os.path.isdir(path):
        raise InvalidParameterValueError(f"{name}: {path!r} is a folder; give a file name")
    base = os.path.basename(path)
    extension = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    writable = _writable_extensions()
    if extension not in writable:
        raise InvalidParameterValueError(
            f"{name}: the extension of {path!r} names no format Neo writes; use one of "
            + ", ".join("." + e for e in writable))


class PickleIO(neo.io.PickleIO):
    """Neo's PickleIO, writing with pickle protocol 5: each array goes to the file as it is,
    where protocol 4 (Neo's default) first copies it into a bytes object. Read back the same."""

    def write_block(self, block: neo.Block | list[neo.Block]) -> None:
        with open(self.filename, "wb") as fp:
            pickle.dump(block, fp, protocol=5)


def _write(block: neo.Block | list[neo.Block], io: Any, suffix: str) -> None:
    if isinstance(io, str):
        if os.path.dirname(io):
            os.makedirs(os.path.dirname(io), exist_ok=True)   # as PyNN: missing folders are created
        if suffix:
            name = io.replace("\\", "/").rsplit("/", 1)[-1]
            extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            formats = [c for c in neo.io.iolist if c.is_writable and extension in c.extensions]
            io = (PickleIO if extension in ("pkl", "pickle") or not formats else formats[0])(io + suffix)
        else:
            io = neo.get_io(io) if not io.endswith((".pkl", ".pickle")) else PickleIO(io)
    if isinstance(block, list) and not isinstance(io, neo.io.PickleIO) and hasattr(io, "write_all_blocks"):
        io.write_all_blocks(block)
    else:
        io.write_block(block)    # (PickleIO pickles a list of blocks as it is)
