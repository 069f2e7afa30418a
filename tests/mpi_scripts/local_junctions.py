"""Gap junctions none of which crosses processes on 2 processes (a[i] and b[i] live on the same
one): the per-step exchange has nothing to carry. Rank 0 writes both populations' potentials
(.npz) for a bitwise comparison with the numpy backend.

    python local_junctions.py numpy out.npz
    mpiexec -n 2 python local_junctions.py mpi out.npz
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1)
a = sim.Population(4, sim.NonSpikingNeuron(cm=5.0, g_m=1.0, v_rest=0.0), label="a")
b = sim.Population(4, sim.NonSpikingNeuron(cm=5.0, g_m=1.0, v_rest=0.0), label="b")
a.initialize(v=np.array([1.0, 5.0, 9.0, 13.0]))
sim.Projection(a, b, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.3))
a.record("v")
b.record("v")
sim.run(5.0)
blocks = {label: population.get_data() for label, population in (("a", a), ("b", b))}
if sim.rank() == 0:
    np.savez(out, **{label: block.segments[0].analogsignals[0].magnitude for label, block in blocks.items()})
sim.end()
