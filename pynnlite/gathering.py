"""Recorded data of every MPI process, merged as one process would have recorded them.

Used by ``Recorder.get_data`` when the simulation's communicator has more than one
process. Only arrays travel (through the communicator's ``gather_arrays`` /
``allgather_arrays``), never Neo objects; every process makes the same calls in the
same order (variables in the order of ``Recorder.recorded``, which is the same on
every process).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pynnlite.errors import RecordingError

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.recording import Recorder, SampleBlock, _SegmentData


def gather_segment(recorder: "Recorder", data: "_SegmentData", gather: Any) -> "_SegmentData | None":
    """The data of ``data``'s segment from every process: on rank 0 (``gather=True``) or on
    every process (``'all'``); None on the processes that do not receive them."""
    from pynnlite.recording import _SegmentData
    comm = recorder.population.simulation.comm
    everywhere = gather == "all"

    def collect(array: np.ndarray) -> list[np.ndarray] | None:
        return comm.allgather_arrays(array) if everywhere else comm.gather_arrays(array, root=0)

    cells, times = data.spikes()   # cell indices travel as floats beside the times (exact below 2**53)
    spikes = collect(np.concatenate([np.asarray(cells, dtype=float), np.asarray(times, dtype=float)]))
    signals: dict[str, list] = {}
    for variable in recorder.recorded:
        if variable == "spikes":
            continue
        blocks = {block.epoch: block for block in data.signals.get(variable, ())}
        # one round per set of recorded cells (epoch), the same number on every process
        for epoch in range(recorder.epochs.get(variable, 0) + 1):
            merged_block = _gather_block(variable, epoch, blocks.get(epoch), collect)
            if merged_block is not None:
                signals.setdefault(variable, []).append(merged_block)
    if spikes is None:
        return None
    merged = _SegmentData()
    flat = [p.reshape(2, -1) for p in spikes if p.size]
    if flat:
        both = np.concatenate(flat, axis=1)
        merged.spike_cells, merged.spike_times = [both[0].astype(np.int64)], [both[1]]
    merged.signals = signals
    merged.t_stop_step = data.t_stop_step
    merged.cleared_at = data.cleared_at
    merged.spikes_stopped = data.spikes_stopped
    merged.annotations = dict(data.annotations)
    return merged


def _gather_block(variable: str, epoch: int, block: "SampleBlock | None", collect: Any) -> "SampleBlock | None":
    """One block of samples (one set of recorded cells) from every process, cells in index
    order; None where nothing is received or no process sampled in this block."""
    from pynnlite.recording import SampleBlock
    if block is not None and len(block):
        local_cells, sample_steps, values = block.cells, np.asarray(block.steps, np.int64), block.matrix()
    else:
        local_cells, sample_steps = np.empty(0, np.int64), np.empty(0, np.int64)
        values = np.empty((0, 0))
    parts_cells = collect(np.asarray(local_cells, dtype=np.int64))
    parts_steps = collect(sample_steps)
    parts_values = collect(np.ascontiguousarray(values.T, dtype=float).reshape(-1))
    if parts_cells is None:
        return None
    filled = [r for r, c in enumerate(parts_cells) if c.size]
    if not filled:
        return None
    reference = parts_steps[filled[0]]
    for r in filled:
        if not np.array_equal(parts_steps[r], reference):
            raise RecordingError(message=f"'{variable}' was sampled at different times on different "
                                         f"MPI processes; cannot merge the signals")
    merged_cells = np.concatenate([parts_cells[r] for r in filled])
    # each process sent its (cells × samples) matrix: rows are cells
    merged_values = np.concatenate([parts_values[r].reshape(parts_cells[r].size, reference.size)
                                    for r in filled])
    order = np.argsort(merged_cells, kind="stable")
    # (samples × cells): a transposed view, copied once when a Neo signal is made of it
    return SampleBlock.from_matrix(epoch, merged_cells[order], reference.tolist(), merged_values[order].T)
