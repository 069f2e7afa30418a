"""The last rank raises while the others are in the middle of a run: the job must end at once,
non-zero, with that rank's message (no process left waiting in a collective).

    mpiexec -n 2 python fail_rank.py
"""
import pynnlite.backends.mpi as sim

sim.setup(timestep=0.1, min_delay=0.5)
cells = sim.Population(20, sim.IF_curr_exp(i_offset=1.0))
sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.001, delay=0.5))
sim.run(10.0)
if sim.rank() == sim.num_processes() - 1:
    raise RuntimeError(f"deliberate failure on rank {sim.rank()}")
sim.run(1e6)  # the other ranks would wait here forever for the failed one
