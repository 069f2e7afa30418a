"""IF_curr_delta and Izhikevich cells (they add the jumps arriving at the end of a step, so their
spikes caused by arriving jumps occur at the arrival, often at a communication slice's end,
and the next slice needs them at its first step) with recurrent and input STDP of
dendritic_delay_fraction 1 and 0, delays equal to min_delay; rank 0 writes the spikes and the
learned weights (.npz) for a bitwise comparison with the numpy backend.

    python jump_spike_network.py numpy out.npz
    mpiexec -n 2 python jump_spike_network.py mpi out.npz
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1, min_delay=0.5)
rng = sim.NumpyRNG(seed=17)
inputs = sim.Population(40, sim.SpikeSourcePoisson(rate=40.0), label="inputs")
delta = sim.Population(50, sim.IF_curr_delta(tau_refrac=1.0, tau_m=10.0, v_thresh=-57.0), label="delta")
izh = sim.Population(20, sim.Izhikevich(i_offset=0.005), label="izh")
delta.initialize(v=sim.RandomDistribution("uniform", (-65.0, -58.0), rng=rng))


def stdp(f, rule):
    dependence = (sim.AdditiveWeightDependence(0.0, 1.5) if rule == "additive"
                  else sim.MultiplicativeWeightDependence(0.0, 1.5))
    return sim.STDPMechanism(sim.SpikePairRule(15.0, 25.0, 0.03, 0.035), dependence, dendritic_delay_fraction=f,
                             weight=sim.RandomDistribution("uniform", (0.6, 1.2), rng=rng), delay=0.5)


projections = {
    "in_delta_f1": sim.Projection(inputs, delta, sim.FixedProbabilityConnector(0.4, rng=rng), stdp(1.0, "additive")),
    "in_delta_f0": sim.Projection(inputs, delta, sim.FixedProbabilityConnector(0.3, rng=rng), stdp(0.0, "multiplicative")),
    "delta_delta_f0": sim.Projection(delta, delta, sim.FixedProbabilityConnector(0.1, rng=rng), stdp(0.0, "additive")),
    "delta_izh_f1": sim.Projection(delta, izh, sim.FixedProbabilityConnector(0.3, rng=rng), stdp(1.0, "multiplicative")),
    "in_izh": sim.Projection(inputs, izh, sim.FixedProbabilityConnector(0.2, rng=rng),
                             sim.StaticSynapse(weight=6.0, delay=0.5)),
}
delta.record("spikes")
izh.record("spikes")
for chunk in (83.7, 116.3):
    sim.run(chunk)
results = {}
for population in (delta, izh):
    trains = population.get_data(gather=True).segments[0].spiketrains
    results[population.label + "_counts"] = np.array([len(t) for t in trains])
    results[population.label + "_times"] = np.concatenate([t.magnitude for t in trains])
for name, projection in projections.items():
    results[name] = np.array(projection.get("weight", format="list"), dtype=float).reshape(-1, 3)
if sim.rank() == 0:
    assert results["delta_counts"].sum() > 20 and results["izh_counts"].sum() > 5, results
    np.savez(out, **results)
sim.end()
