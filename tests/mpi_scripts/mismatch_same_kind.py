"""Rank 0 calls Projection.get(gather=True) while the other ranks call Population.get_data():
both gather arrays of the same row width, so only the call labels in the headers tell them
apart. The mismatch is detected, names each rank's call and ends the job (no mixed-up data).

    mpiexec -n 2 python mismatch_same_kind.py
"""
import pynnlite.backends.mpi as sim

sim.setup(timestep=0.1)
cells = sim.Population(20, sim.IF_curr_exp(i_offset=1.0))
cells.record("spikes")
prj = sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.001, delay=0.5))
sim.run(5.0)
if sim.rank() == 0:
    print("weights:", prj.get("weight", format="list", gather=True)[:2])
else:
    print("data:", cells.get_data())
sim.end()
