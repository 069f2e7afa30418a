"""Rank 0 alone calls Projection.size() (a collective) and the others go on to end(): the
processes' calls no longer match, which is detected and ends the job (no hang).

    mpiexec -n 2 python mismatch.py
"""
import pynnlite.backends.mpi as sim

sim.setup(timestep=0.1)
cells = sim.Population(20, sim.IF_curr_exp(i_offset=1.0))
prj = sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.001, delay=0.5))
sim.run(5.0)
if sim.rank() == 0:
    print("connections:", prj.size())
sim.end()
