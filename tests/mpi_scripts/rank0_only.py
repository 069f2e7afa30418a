"""Rank 0 alone makes one communicating call of the PyNN 0.13 additions (argv[1]) while the
other ranks go on to end(): detected as a CommunicationError naming the calls, not a hang.

    mpiexec -n 2 python rank0_only.py <call> <scratch folder>
"""
import os
import sys
import warnings

import pynnlite.backends.mpi as sim

warnings.simplefilter("ignore", DeprecationWarning)
call, folder = sys.argv[1], sys.argv[2]
sim.setup(timestep=0.1)   # min_delay='auto': get_min_delay/get_max_delay are collective
cells = sim.Population(5, sim.IF_cond_exp(i_offset=1.0), label="cells")
prj = sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.5))
net = sim.Network(sim.Assembly(cells), prj)
net.record(["spikes"])
sim.run(10.0)
calls = {
    "getSpikes": lambda: cells.getSpikes(),
    "printSpikes": lambda: cells.printSpikes(os.path.join(folder, "spikes.pkl")),
    "meanSpikeCount": lambda: cells.meanSpikeCount(),
    "save_positions": lambda: cells.save_positions(os.path.join(folder, "positions.txt")),
    "Network.count_connections": lambda: net.count_connections(),
    "Network.write_data": lambda: net.write_data(os.path.join(folder, "net.pkl")),
    "weightHistogram": lambda: prj.weightHistogram(),
    "getSynapseDynamics": lambda: prj.getSynapseDynamics("weight"),
    "get_max_delay": lambda: sim.get_max_delay(),
    "run_for": lambda: sim.run_for(1.0),
}
if sim.rank() == 0:
    print("result:", calls[call](), flush=True)
sim.end()
