"""sim.Network's output under MPI: written once by rank 0, per-rank files with gather=False,
and a bad file the same error on every rank (so a script that catches it goes on in step).

    mpiexec -n 3 python network_output.py <scratch folder>

Every rank prints ``rank <r> OK`` at the end; any failed check raises, which aborts the job.
"""
import glob
import os
import pickle
import sys

import pynnlite.backends.mpi as sim
from pynnlite.errors import InvalidParameterValueError, NothingToWriteError

folder = sys.argv[1]
sim.setup(timestep=0.1, min_delay=0.5)
rank, size = sim.rank(), sim.num_processes()
cells = sim.Population(7, sim.IF_curr_exp(i_offset=1.0), label="cells")
quiet = sim.Population(2, sim.IF_curr_exp(), label="quiet")
prj = sim.Projection(cells, quiet, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=0.5))
net = sim.Network(sim.Assembly(cells, label="all cells"), prj)
net.record(["spikes", "v"])
silent = sim.Network(sim.Assembly(quiet, label="nothing recorded"))
sim.run(20.0)


def names(pattern):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(folder, pattern)))


# gather=True: one file, by rank 0, with every cell's data
net.write_data(os.path.join(folder, "net.pkl"))
# gather=False: each process its own cells' part, in <file>.<rank> (as Population.write_data)
net.write_data(os.path.join(folder, "local.pkl"), gather=False)
sim.MPIComm().barrier()
assert names("net.pkl*") == ["net.pkl"], names("net.pkl*")
assert names("local.pkl*") == [f"local.pkl.{r}" for r in range(size)], names("local.pkl*")
with open(os.path.join(folder, "net.pkl"), "rb") as f:
    blocks = pickle.load(f)
assert [len(b.segments[0].spiketrains) for b in blocks] == [7]
with open(os.path.join(folder, f"local.pkl.{rank}"), "rb") as f:
    mine = pickle.load(f)
assert [len(b.segments[0].spiketrains) for b in mine] == [cells.local_size]

# missing folders are created (by rank 0)
net.write_data(os.path.join(folder, "new", "deeper", "net.pkl"))

# a path below a file cannot be written: the same error on every rank, nothing half-done
unwritable = os.path.join(folder, "net.pkl", "below", "a_file.pkl")
for gather in (True, False):
    try:
        net.write_data(unwritable, gather=gather)
        raise AssertionError("expected an error for an unwritable path")
    except InvalidParameterValueError as error:
        assert "cannot write" in str(error), error

# nothing recorded: NothingToWriteError on every rank
try:
    silent.write_data(os.path.join(folder, "silent.pkl"))
    raise AssertionError("expected NothingToWriteError")
except NothingToWriteError:
    pass

# the processes are still in step: a collective call works
assert net.count_connections() == 14
sim.MPIComm().barrier()
assert os.path.isfile(os.path.join(folder, "new", "deeper", "net.pkl"))
sim.end()
print(f"rank {rank} OK", flush=True)
