"""Recording that changes between runs: get_data(clear=True) then reset(), and the cells
recording 'v' changing within a segment. Rank 0 writes every segment's spike trains and
signals (.npz) for a bitwise comparison with the numpy backend.

    python recording_changes.py numpy out.npz
    mpiexec -n 2 python recording_changes.py mpi out.npz
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1)
p = sim.Population(3, sim.IF_curr_exp(i_offset=[1.0, 0.0, 0.8]), label="p")   # cell 1 stays silent
q = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 2.0], [3.0, 4.0, 5.0]]), label="q")
p.record("spikes")
q.record("spikes")
p[0:1].record("v")
sim.run(50.0)
p.get_data(clear=True)
p[1:3].record("v")          # more cells record v within the segment
sim.run(30.0)
p[0:1].record(None)         # and fewer
sim.run(20.0)
sim.reset()
sim.run(20.0)
results = {}
for population in (p, q):
    block = population.get_data(gather=True)
    for k, segment in enumerate(block.segments):
        results[f"{population.label}{k}_spikes"] = np.array(
            [len(t) for t in segment.spiketrains] + [float(t.t_stop) for t in segment.spiketrains[:1]])
        if segment.spiketrains:
            results[f"{population.label}{k}_times"] = np.concatenate([t.magnitude for t in segment.spiketrains])
        for j, signal in enumerate(segment.analogsignals):
            results[f"{population.label}{k}_{signal.name}{j}"] = np.asarray(signal.magnitude)
            results[f"{population.label}{k}_{signal.name}{j}_start"] = np.array(
                [float(signal.t_start)] + list(signal.array_annotations["channel_index"]))
if sim.rank() == 0:
    assert {"p0_v0", "p0_v1", "p1_v0"} <= set(results), sorted(results)   # two sets of cells, then one
    np.savez(out, **results)
sim.end()
