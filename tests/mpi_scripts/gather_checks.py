"""PyNN gather semantics, write-once output, per-rank files, errors raised on every rank.

    mpiexec -n 3 python gather_checks.py <scratch folder>

Every rank prints ``rank <r> OK`` at the end; any failed check raises, which aborts the job.
"""
import glob
import os
import pickle
import sys

import numpy as np

import pynnlite.backends.mpi as sim
import pynnlite.utility
from pynnlite.errors import InvalidParameterValueError, NothingToWriteError

folder = sys.argv[1]
sim.setup(timestep=0.1, min_delay=0.5)
rank, size = sim.rank(), sim.num_processes()
assert size == int(os.environ.get("EXPECTED_SIZE", size)) and 0 <= rank < size

# -- NumpyRNG() without a seed: every rank must agree (rank 0's seed is broadcast)
seeds = sim.MPIComm().allgather_arrays(np.array([sim.NumpyRNG().seed], dtype=np.int64)) \
    if hasattr(sim, "MPIComm") else [np.array([0])]
assert len({int(s[0]) for s in seeds}) == 1, seeds

cells = sim.Population(10, sim.IF_curr_exp(i_offset=np.linspace(0.5, 1.4, 10)), label="cells")
# round-robin: global ID % size == rank
assert all(int(c) % size == rank for c in cells.local_cells)
assert cells.local_size == len(cells.local_cells) and all(c.local for c in cells.local_cells)
assert sum(sim.MPIComm().allgather_arrays(np.array([cells.local_size]))[r][0] for r in range(size)) == 10

# -- Population.get: gather=True → every value; gather=False → local values; bad gather → error
values = cells.get("i_offset", gather=True)
assert np.allclose(values, np.linspace(0.5, 1.4, 10))
local_values = cells.get("i_offset", gather=False)
assert np.allclose(local_values, np.linspace(0.5, 1.4, 10)[cells._mask_local])
for bad in ("yes", 2, None):
    try:
        cells.get("i_offset", gather=bad)
    except InvalidParameterValueError:
        pass
    else:
        raise AssertionError(f"gather={bad!r} accepted")

prj = sim.Projection(cells, cells, sim.AllToAllConnector(allow_self_connections=False),
                     sim.StaticSynapse(weight=0.01, delay=0.5))
n_all = 90
assert prj.size() == n_all and prj.size(gather="all") == n_all
local_n = prj.size(gather=False)
assert local_n == 9 * cells.local_size
everything = prj.get("weight", format="list", gather="all")
assert len(everything) == n_all
on_root = prj.get("weight", format="list", gather=True)
assert len(on_root) == (n_all if rank == 0 else local_n), (rank, len(on_root))
only_local = prj.get("weight", format="list", gather=False)
assert len(only_local) == local_n and all(cells[j].local for _, j, _ in only_local)
assert [tuple(c) for c in everything] == sorted(everything, key=lambda c: (c[0], c[1])), "(pre, post) order"
for bad in ("root", 1.5):
    for call in (lambda: prj.get("weight", format="list", gather=bad), lambda: prj.size(gather=bad)):
        try:
            call()
        except InvalidParameterValueError:
            pass
        else:
            raise AssertionError(f"gather={bad!r} accepted")
# bad input raised identically on every rank before any collective (no deadlock), then go on
try:
    sim.Projection(cells, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01, delay=0.2))
except InvalidParameterValueError as err:
    assert "min_delay" in str(err)
else:
    raise AssertionError("a delay below min_delay was accepted")

# -- save(gather=False): one file per rank, read back with FromFileConnector(distributed=True)
prj.set(weight=sim.RandomDistribution("uniform", (0.0, 0.1), rng=sim.NumpyRNG(seed=3)))
path = os.path.join(folder, "conn.txt")
if size > 1:
    prj.save(["weight", "delay"], path, gather=False)
prj.save(["weight", "delay"], path, gather=True)
sim.MPIComm().barrier()
per_rank = [f".{r}" for r in range(size)] if size > 1 else []   # as PyNN: no suffix on one process
assert sorted(os.path.basename(p) for p in glob.glob(path + "*")) == ["conn.txt"] + [f"conn.txt{s}" for s in per_rank]
copy = sim.Projection(cells, cells, sim.FromFileConnector(path, distributed=size > 1),
                      sim.StaticSynapse())
assert copy.get(["weight", "delay"], format="list", gather="all") == \
    prj.get(["weight", "delay"], format="list", gather="all")
whole = sim.Projection(cells, cells, sim.FromFileConnector(path), sim.StaticSynapse())
assert whole.get(["weight", "delay"], format="list", gather="all") == \
    prj.get(["weight", "delay"], format="list", gather="all")
arrays = prj.get("weight", format="array", gather="all")
assert np.isnan(np.diag(arrays)).all() and np.isfinite(arrays).sum() == n_all

# -- recording: get_data on rank 0 has every cell in index order; others their own
cells.record(["spikes", "v"])
sim.run(100.0)
block = cells.get_data(gather=True)
trains = block.segments[0].spiketrains
expected = list(range(10)) if rank == 0 else list(np.flatnonzero(cells._mask_local))
assert [t.annotations["source_index"] for t in trains] == expected, [t.annotations["source_index"] for t in trains]
signal = block.segments[0].analogsignals[0]
assert list(signal.array_annotations["channel_index"]) == expected and signal.shape == (1001, len(expected))
block_all = cells.get_data(gather="all")
assert len(block_all.segments[0].spiketrains) == 10
local_block = cells.get_data(gather=False)
assert [t.annotations["source_index"] for t in local_block.segments[0].spiketrains] == \
    list(np.flatnonzero(cells._mask_local))
counts = cells.get_spike_counts()
assert sorted(int(i) - cells.first_id for i in counts) == list(range(10))
assert sum(counts.values()) == sum(len(t) for t in block_all.segments[0].spiketrains) > 0
means = sim.MPIComm().allgather_arrays(np.array([cells.mean_spike_count()]))
assert len({float(m[0]) for m in means}) == 1
assert len(cells.get_spike_counts(gather=False)) == cells.local_size

# -- write_data: written once by rank 0 with every cell; gather=False: one file per rank
data_path = os.path.join(folder, "cells.pkl")
cells.write_data(data_path)
if size > 1:
    cells.write_data(data_path, gather=False)
sim.MPIComm().barrier()
assert sorted(os.path.basename(p) for p in glob.glob(data_path + "*")) == ["cells.pkl"] + [f"cells.pkl{s}" for s in per_rank]
with open(data_path, "rb") as f:
    written = pickle.load(f)
assert len(written.segments[0].spiketrains) == 10

# -- a population with one cell: with gather=False the processes without it write an empty
# Block (no error on some ranks only); with nothing recorded every rank raises
single = sim.Population(1, sim.IF_curr_exp(i_offset=1.0), label="single")
single.record("spikes")
silent = sim.Population(2, sim.IF_curr_exp(), label="silent")
sim.run(20.0)
single_path = os.path.join(folder, "single.pkl")
single.write_data(single_path, gather=False)
try:
    silent.write_data(os.path.join(folder, "silent.pkl"), gather=False)
    raise AssertionError("nothing was recorded: NothingToWriteError expected")
except NothingToWriteError:
    pass
# save_population gathers on every rank and writes once, from rank 0 (every cell's spikes)
pynnlite.utility.save_population(cells, os.path.join(folder, "cells_population.pkl"))
expected_counts = cells.get_spike_counts()
sim.MPIComm().barrier()
if size > 1:
    parts = [pickle.load(open(f"{single_path}.{r}", "rb")) for r in range(size)]
    assert [len(b.segments[0].spiketrains) for b in parts] == [1 if r == single.first_id % size else 0
                                                               for r in range(size)]
with open(os.path.join(folder, "cells_population.pkl"), "rb") as f:
    saved = pickle.load(f)
assert [len(t) for t in saved["spike_times"]] == [expected_counts[c] for c in cells.all_cells]

# -- a path that cannot be written: the same error on every rank (rank 0 alone writes)
unwritable = os.path.join(data_path, "cannot", "be", "here.txt")   # below a file
for write in (lambda: cells.write_data(unwritable), lambda: single.write_data(unwritable, gather=False)):
    try:
        write()
        raise AssertionError("expected an error for an unwritable path")
    except InvalidParameterValueError as error:
        assert "cannot write" in str(error), error

# -- reset and a second segment are gathered too
sim.reset()
sim.run(50.0)
block = cells.get_data(gather="all")
assert len(block.segments) == 2 and all(len(s.spiketrains) == 10 for s in block.segments)
sim.end()
print(f"rank {rank} OK", flush=True)
