"""Gap junctions, graded synapses, a noise current and stochastic synapses across processes;
rank 0 writes the membrane potentials of every cell to an .npz for comparison with numpy.

    python continuous_couplings.py numpy out.npz
    mpiexec -n 2 python continuous_couplings.py mpi out.npz
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1)
rng = sim.NumpyRNG(seed=7)
cells = sim.Population(30, sim.IF_curr_exp(v_thresh=100.0, i_offset=0.0), label="cells")
graded = sim.Population(12, sim.NonSpikingNeuron(cm=5.0, g_m=1.0, v_rest=0.0), label="graded")
cells.initialize(v=sim.RandomDistribution("uniform", (-70.0, -60.0), rng=rng))
graded.initialize(v=sim.RandomDistribution("uniform", (0.0, 20.0), rng=rng))
sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.2, allow_self_connections=False, rng=rng),
               sim.ElectricalSynapse(weight=0.002))
sim.Projection(graded, graded, sim.FixedProbabilityConnector(0.3, rng=rng),
               sim.GradedSynapse(weight=0.5, e_rev=40.0, v_th=5.0, delta=5.0, nonlinearity="sigmoid"))
# each of three graded cells reaches both readout cells with different thresholds: a process
# holding one readout cell sees one threshold per presynaptic cell, one process sees two
readout = sim.Population(2, sim.NonSpikingNeuron(cm=5.0, g_m=1.0, v_rest=0.0), label="readout")
sim.Projection(graded[0:3], readout, sim.AllToAllConnector(),
               sim.GradedSynapse(weight=0.5, e_rev=30.0, delta=2.0,
                                 v_th=np.array([[1.0, 5.0], [2.0, 6.0], [3.0, 7.0]])))
# cells that take graded and electrical input in one step: their sums must be formed in the
# one-process order, coupling by coupling (each junction's presynaptic side has at most two
# parts across processes here, so they agree bitwise)
pair = sim.Population(2, sim.NonSpikingNeuron(cm=5.0, g_m=1.0, v_rest=0.0), label="pair")
mixed = sim.Population(3, sim.NonSpikingNeuron(cm=5.0, g_m=1.0, v_rest=0.0), label="mixed")
pair.initialize(v=np.array([3.0, 17.0]))
mixed.initialize(v=np.array([11.0, 2.0, 25.0]))
sim.Projection(mixed, pair, sim.AllToAllConnector(),
               sim.GradedSynapse(weight=0.4, e_rev=35.0, v_th=8.0, delta=4.0))
sim.Projection(pair, mixed, sim.FromListConnector([(0, 0), (0, 2), (1, 1)]), sim.ElectricalSynapse(weight=0.3))
sim.Projection(mixed, pair, sim.AllToAllConnector(),   # after the junctions, onto their presynaptic cells
               sim.GradedSynapse(weight=0.2, e_rev=-10.0, v_th=10.0, delta=3.0))
pair.record("v")
mixed.record("v")
noise = sim.NoisyCurrentSource(mean=0.1, stdev=0.3, dt=1.0)
cells[0:10].inject(noise)
drive = sim.Population(5, sim.SpikeSourcePoisson(rate=200.0), label="drive")
sim.Projection(drive, cells, sim.AllToAllConnector(), sim.SimpleStochasticSynapse(p=0.4, weight=0.3, delay=0.5))
cells.record("v")
graded.record("v")
readout.record("v")
sim.run(100.0)
blocks = {label: population.get_data()   # collective: the whole Block on rank 0
          for label, population in (("cells", cells), ("graded", graded), ("readout", readout),
                                    ("pair", pair), ("mixed", mixed))}
if sim.rank() == 0:
    np.savez(out, **{label: block.segments[0].analogsignals[0].magnitude for label, block in blocks.items()})
sim.end()
