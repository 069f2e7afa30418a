"""SpikeSourceInhGamma cells (per-cell bins, parameters changed between runs) driving
IF_facets_hardware1 cells. Rank 0 writes the spikes and a membrane trace (.npz) for a bitwise
comparison with the numpy backend.

    python inh_gamma_network.py numpy out.npz
    mpiexec -n 2 python inh_gamma_network.py mpi out.npz
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1, min_delay=0.5)
n = 37
a = [sim.Sequence([0.5 + 0.1 * k, 3.0, 1.0]) for k in range(n)]
b = [sim.Sequence([0.02, 0.004 + 0.0002 * k, 0.05]) for k in range(n)]
tbins = [sim.Sequence([10.0 + k, 120.0, 200.0 + 2 * k]) for k in range(n)]
sources = sim.Population(n, sim.SpikeSourceInhGamma(a=a, b=b, tbins=tbins, start=5.0), label="sources")
cells = sim.Population(11, sim.IF_facets_hardware1(g_leak=20.0), label="cells")
sim.Projection(sources, cells, sim.FixedProbabilityConnector(0.4, rng=sim.NumpyRNG(seed=5)),
               sim.StaticSynapse(weight=0.003, delay=0.5), receptor_type="excitatory")
sources.record("spikes")
cells.record(["spikes", "v"])
sim.run(150.0)
sources.set(a=sim.Sequence([2.0, 0.7]), b=sim.Sequence([0.005, 0.01]), tbins=sim.Sequence([0.0, 220.0]))
sim.run(150.0)
block = (sources + cells).get_data(gather=True)
trains = block.segments[0].spiketrains
results = {
    "ids": np.array([t.annotations["source_index"] for t in trains]),
    "counts": np.array([len(t) for t in trains]),
    "times": np.concatenate([t.magnitude for t in trains]),
}
v = cells.get_data("v", gather=True).segments[0].filter(name="v")
if sim.rank() == 0:
    results["v"] = np.asarray(v[0].magnitude)
    assert results["counts"][:n].sum() > 500 and results["counts"][n:].sum() > 0
    np.savez(out, **results)
sim.end()
