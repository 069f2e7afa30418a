"""Synchronous bursts: more spikes per process in one communication slice than the inline part
of the slice's exchange carries (256 keys), so the rest travels in a second collective and the
inline capacity grows. Rank 0 writes spikes, membrane traces and weights (.npz) for a bitwise
comparison with the numpy backend.

    python burst_network.py numpy out.npz
    mpiexec -n 2 python burst_network.py mpi out.npz
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1, min_delay=0.5)
rng = sim.NumpyRNG(seed=11)
# 1,500 sources firing together three times; 1,000 cells answering together
times = [[5.0, 5.2, 20.0] for _ in range(1500)]
sources = sim.Population(1500, sim.SpikeSourceArray(spike_times=times), label="sources")
cells = sim.Population(1000, sim.IF_curr_exp(tau_refrac=2.0), label="cells")
cells.initialize(v=sim.RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
drive = sim.Projection(sources, cells, sim.FixedProbabilityConnector(0.05, rng=rng),
                       sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.5, 1.5), rng=rng), delay=0.5),
                       receptor_type="excitatory")
recurrent = sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.02, rng=rng),
                           sim.StaticSynapse(weight=-0.2, delay=0.5), receptor_type="inhibitory")
cells.record(["spikes", "v"])
sources.record("spikes")
sim.run(30.0)
block = (sources + cells).get_data(gather=True)
trains = block.segments[0].spiketrains
results = {
    "ids": np.array([t.annotations["source_index"] for t in trains]),
    "counts": np.array([len(t) for t in trains]),
    "times": np.concatenate([t.magnitude for t in trains]),
    "drive": np.array(drive.get("weight", format="list"), dtype=float),
    "recurrent": np.array(recurrent.get("weight", format="list"), dtype=float),
}
v = cells.get_data("v", gather=True).segments[0].filter(name="v")
if sim.rank() == 0:
    results["v"] = np.asarray(v[0].magnitude)
    assert results["counts"][1500:].sum() >= 1000   # the cells do burst
    np.savez(out, **results)
sim.end()
