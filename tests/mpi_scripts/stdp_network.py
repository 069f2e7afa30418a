"""Poisson inputs onto an excitatory/inhibitory network through STDP synapses; rank 0 writes
the spikes and the learned weights (.npz) for a bitwise comparison with the numpy backend.

    python stdp_network.py numpy out.npz
    mpiexec -n 2 python stdp_network.py mpi out.npz
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1, min_delay=0.5)
rng = sim.NumpyRNG(seed=99)
inputs = sim.Population(60, sim.SpikeSourcePoisson(rate=20.0), label="inputs")
cells = sim.Population(120, sim.IF_cond_exp(tau_refrac=2.0), label="cells")
cells.initialize(v=sim.RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
stdp = sim.STDPMechanism(
    timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.012),
    weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.02),
    weight=sim.RandomDistribution("uniform", (0.004, 0.012), rng=rng), delay=1.0)
plastic = sim.Projection(inputs, cells, sim.FixedProbabilityConnector(0.3, rng=rng), stdp,
                         receptor_type="excitatory")
recurrent = sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.05, rng=rng),
                           sim.StaticSynapse(weight=0.002, delay=0.5), receptor_type="excitatory")
cells.record("spikes")
sim.run(300.0)
block = cells.get_data(gather=True)
trains = block.segments[0].spiketrains
results = {
    "ids": np.array([t.annotations["source_index"] for t in trains]),
    "counts": np.array([len(t) for t in trains]),
    "times": np.concatenate([t.magnitude for t in trains]),
    "plastic": np.array(plastic.get(["weight", "delay"], format="list"), dtype=float).reshape(-1, 4),
    "recurrent": np.array(recurrent.get("weight", format="list"), dtype=float).reshape(-1, 3),
}
if sim.rank() == 0:
    assert results["counts"].sum() > 0
    np.savez(out, **results)
sim.end()
