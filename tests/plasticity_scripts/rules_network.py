"""Every plasticity rule in one network, run with a given backend; rank 0 writes the learned
weights and state (.npz) for a bitwise comparison of the MPI backend with the numpy backend.

    python rules_network.py numpy out.npz
    mpiexec -n 3 python rules_network.py mpi out.npz
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1, min_delay=0.5)
rng = sim.NumpyRNG(seed=5)
inputs = sim.Population(40, sim.SpikeSourcePoisson(rate=25.0), label="inputs")
inhibitory = sim.Population(20, sim.SpikeSourcePoisson(rate=20.0), label="inh")
dopamine = sim.Population(4, sim.SpikeSourcePoisson(rate=15.0), label="dopamine")
cells = sim.Population(30, sim.IF_curr_exp(tau_refrac=2.0, i_offset=0.3), label="cells")
cells.initialize(v=sim.RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
delays = sim.RandomDistribution("uniform", (0.5, 2.5), rng=rng)
connect = sim.FixedProbabilityConnector(0.5, rng=rng)
projections = {
    "tm": sim.Projection(inputs, cells, connect, sim.TsodyksMarkramSynapse(U=0.3, tau_rec=200.0, tau_facil=50.0,
                                                                             weight=0.4, delay=delays)),
    "stdp": sim.Projection(inputs, cells, connect, sim.STDPMechanism(
        sim.SpikePairRule(A_plus=0.02, A_minus=0.021), sim.GutigWeightDependence(0.0, 0.5, 0.3, 0.6),
        dendritic_delay_fraction=0.5, weight=sim.RandomDistribution("uniform", (0.1, 0.4), rng=rng), delay=delays,
        constraints=[sim.WeightNormalization(3.0)])),
    "vogels": sim.Projection(inhibitory, cells, connect, sim.STDPMechanism(
        sim.Vogels2011Rule(eta=0.01, rho=5.0), sim.AdditiveWeightDependence(0.0, 2.0), weight=0.2, delay=1.0),
        receptor_type="inhibitory"),
    "rstdp": sim.Projection(inputs, cells, connect, sim.RewardModulatedSTDP(
        modulator=dopamine, A_plus=0.5, A_minus=0.55, tau_c=200.0, tau_d=50.0, b=0.01, w_min=0.0, w_max=0.5,
        weight=0.2, delay=1.0)),
}
cells.record("spikes")
sim.run(150.0)
projections["rstdp"].initialize(d=0.05)
sim.run(150.0)
results = {"spike_count": np.array([len(t) for t in cells.get_data(gather=True).segments[0].spiketrains])}
for name, prj in projections.items():
    names = ["weight"] + prj.synapse_state_names()
    results[name] = np.array(prj.get(names, format="list"), dtype=float)
if sim.rank() == 0:
    assert results["spike_count"].sum() > 0
    np.savez(out, **results)
sim.end()
