"""GIF_cond_exp (escape noise), IF_cond_exp_gsfa_grr and an AdExp PointNeuron driven through
StochasticTsodyksMarkramSynapse and MultiQuantalSynapse projections; rank 0 writes the spikes
and the synaptic state (.npz) for a bitwise comparison with the numpy backend.

    python more_models_network.py numpy out.npz
    mpiexec -n 2 python more_models_network.py mpi out.npz
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1, min_delay=0.5)
rng = sim.NumpyRNG(seed=5)
inputs = sim.Population(20, sim.SpikeSourcePoisson(rate=40.0), label="inputs")
gif = sim.Population(15, sim.GIF_cond_exp(v_t_star=-52.0, tau_refrac=2.0, a_eta=(0.05, 0.01, 0.0),
                                          a_gamma=(2.0, 1.0, 0.5)), label="gif")
sfa = sim.Population(10, sim.IF_cond_exp_gsfa_grr(tau_refrac=1.0), label="sfa")
adexp = sim.Population(10, sim.PointNeuron(sim.AdExp(i_offset=0.2),
                                           AMPA=sim.AlphaPSR(tau_syn=2.0, e_syn=0.0),
                                           GABA=sim.CondExpPostSynapticResponse(tau_syn=5.0, e_syn=-80.0)),
                       label="adexp")
projections = [
    sim.Projection(inputs, gif, sim.FixedProbabilityConnector(0.5, rng=rng),
                   sim.StochasticTsodyksMarkramSynapse(U=0.5, tau_rec=80.0, tau_facil=20.0, weight=0.02, delay=1.0),
                   receptor_type="excitatory"),
    sim.Projection(inputs, sfa, sim.FixedProbabilityConnector(0.5, rng=rng),
                   sim.MultiQuantalSynapse(n=4, U=0.4, tau_rec=100.0, weight=0.008, delay=0.5),
                   receptor_type="excitatory"),
    sim.Projection(inputs, adexp, sim.FixedProbabilityConnector(0.5, rng=rng),
                   sim.MultiQuantalSynapse(n=3, U=0.5, tau_rec=60.0, tau_facil=50.0, weight=0.004, delay=0.5),
                   receptor_type="AMPA"),
    sim.Projection(gif, adexp, sim.AllToAllConnector(),
                   sim.StochasticTsodyksMarkramSynapse(U=0.6, weight=0.01, delay=0.5), receptor_type="GABA"),
]
cells = gif + sfa + adexp
cells.record("spikes")
sim.run(150.0)
sim.run(150.0)
block = cells.get_data(gather=True)
trains = block.segments[0].spiketrains
results = {
    "ids": np.array([t.annotations["source_index"] for t in trains]),
    "counts": np.array([len(t) for t in trains]),
    "times": np.concatenate([t.magnitude for t in trains]),
}
for k, prj in enumerate(projections):
    names = ["weight", "u", "R"] if "Stochastic" in prj.synapse_type.name else ["weight", "u", "a"]
    results[f"prj{k}"] = np.array(prj.get(names, format="list"), dtype=float).reshape(-1, 5)
if sim.rank() == 0:
    assert results["counts"].sum() > 0
    np.savez(out, **results)
sim.end()
