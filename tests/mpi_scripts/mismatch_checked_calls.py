"""Rank 0 calls Population.save_positions while the other ranks call Projection.set: both end
in the collective that agrees on errors (same_error_on_every_process), so only the call labels
tell them apart. The mismatch is detected and names each rank's pynnlite call.

    mpiexec -n 2 python mismatch_checked_calls.py <scratch folder>
"""
import os
import sys

import pynnlite.backends.mpi as sim

sim.setup(timestep=0.1, min_delay=0.5)
cells = sim.Population(6, sim.IF_curr_exp())
prj = sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.001, delay=0.5))
if sim.rank() == 0:
    cells.save_positions(os.path.join(sys.argv[1], "positions.txt"))
else:
    prj.set(weight=0.002)
print("went on", flush=True)
sim.end()
