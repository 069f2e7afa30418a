"""PyNN 0.13 calls added to pynnlite, on a small network: the deprecated Population and
Projection methods, Network, Assembly.get_data(annotations), save_positions, run_for,
max_delay='auto', NumpyRNG.normal_clipped, delays half-way between steps, off-grid
SpikeSourceArray times, current sources starting within float noise of a grid point and
signals sampled every 0.3 ms.

    python pynn013_additions.py numpy <out.npz>
    mpiexec -n 3 python pynn013_additions.py mpi <out.npz>

Saves rank 0's results (gather=True) and the files written, next to <out.npz>; under MPI it
checks that gather='all' gives every rank the same data and that each file is written once.
"""
import hashlib
import importlib
import os
import pickle
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore", DeprecationWarning)
backend, out = sys.argv[1], sys.argv[2]
sim = importlib.import_module(f"pynnlite.backends.{backend}")
from pynnlite.space import Cuboid, RandomStructure  # noqa: E402

folder = os.path.splitext(out)[0] + "_files"
os.makedirs(folder, exist_ok=True)
sim.setup(timestep=0.1, min_delay="auto", max_delay="auto")
rank = sim.rank()
saved = {"delays_before": [sim.get_min_delay(), sim.get_max_delay()]}

exc = sim.Population(7, sim.IF_cond_exp(i_offset=0.6), label="exc",
                     structure=RandomStructure(Cuboid(100, 100, 10), rng=sim.NumpyRNG(seed=11)))
inh = sim.Population(4, sim.IF_cond_exp(), label="inh")
stim = sim.Population(3, sim.SpikeSourceArray(spike_times=[[0.3 / 0.1, 3.05, 7.0995], [0.0, 2.04, 15.0],
                                                            [sum([0.1] * 100)]]), label="stim")
noise = sim.Population(5, sim.SpikeSourcePoisson(rate=200.0, start=1.0), label="noise")
exc.tset("tau_m", np.linspace(10, 20, 7))
inh.rset("tau_m", sim.RandomDistribution("uniform", (10.0, 20.0), rng=sim.NumpyRNG(seed=5)))
inh.rset("v_rest", sim.RandomDistribution("normal_clipped", (-65.0, 3.0, -68.0, -62.0), rng=sim.NumpyRNG(seed=6)))
saved["inh_tau_m"] = inh.get("tau_m", gather=True)
saved["inh_v_rest"] = inh.get("v_rest", gather=True)
p1 = sim.Projection(stim, exc, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.02, delay=0.15))
p2 = sim.Projection(noise, exc, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=3)),
                    sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.001, 0.02), rng=sim.NumpyRNG(seed=4)),
                                      delay=sim.RandomDistribution("uniform", (0.1, 2.5), rng=sim.NumpyRNG(seed=8))))
p3 = sim.Projection(exc, inh, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=2.5))
p4 = sim.Projection(inh, exc, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.01, delay=1.0),
                    receptor_type="inhibitory")
saved["delays_built"] = [sim.get_min_delay(), sim.get_max_delay()]
p3.setSynapseDynamics("weight", 0.015)
p4.setSynapseDynamics("U", 0.3)
p4.randomizeSynapseDynamics("tau_rec", sim.RandomDistribution("uniform", (50.0, 150.0), rng=sim.NumpyRNG(seed=9)))
everywhere = {   # gather='all': the same on every rank
    "p4_tau_rec": np.array(p4.getSynapseDynamics("tau_rec", gather="all")),
    "p4_U_array": p4.getSynapseDynamics("U", format="array", gather="all"),
    "p2_weight_delay": np.array(p2.get(["weight", "delay"], format="list", gather="all")),
    "p1_delay": np.array(p1.get("delay", format="list", gather="all")),
}
saved["p2_weights"] = np.array(p2.getSynapseDynamics("weight", gather=True))
counts, edges = p2.weightHistogram(nbins=5)
saved["histogram"], saved["histogram_edges"] = counts, edges
saved["histogram_limits"] = p2.weightHistogram(0.0, 0.05, 4)[0]
rng = sim.NumpyRNG(seed=21)
saved["normal_clipped"] = rng.normal_clipped(0.0, 1.0, -0.5, 0.5, size=6)
saved["normal_clipped_to_boundary"] = rng.normal_clipped_to_boundary(0.0, 1.0, -0.5, 0.5, size=6)
sim.DCSource(amplitude=0.3, start=1.1 + 3.2, stop=20.04).inject_into(exc[1:4])
view = exc[[1, 3, 5]]
saved["view"] = [int(view.first_id), int(view.last_id), view == exc[[1, 3, 5]], view == exc,
                 *view.index_from_parent_index([3, 5])]
assembly = sim.Assembly(exc, inh, label="assembly")
net = sim.Network(assembly, view, p1, p2, p3, p4, stim, noise)
saved["network_counts"] = [net.count_neurons(), net.count_connections()]
net.record(["spikes"])
exc.record(["v", "gsyn_exc", "gsyn_inh"], sampling_interval=0.3)
sim.run_for(30.0)
sim.run(20.0)
saved["delays_after"] = [sim.get_min_delay(), sim.get_max_delay()]
saved["mean_spike_counts"] = [exc.meanSpikeCount(), assembly.meanSpikeCount(), stim.meanSpikeCount()]


def flatten(prefix, blocks, into):
    """Spike times, signals, their times and channels of one or more Neo blocks, as arrays."""
    for b, block in enumerate(blocks if isinstance(blocks, list) else [blocks]):
        for s, segment in enumerate(block.segments):
            for train in segment.spiketrains:
                key = f"{prefix}{b}_{s}_train{train.annotations['source_id']}"
                into[key] = np.asarray(train.magnitude)
                into[key + "_times"] = [float(train.t_start), float(train.t_stop)]
            for signal in segment.analogsignals:
                key = f"{prefix}{b}_{s}_{signal.name}"
                into[key] = np.asarray(signal.magnitude)
                into[key + "_times"] = [float(signal.t_start), float(signal.sampling_period)]
                into[key + "_channels"] = signal.array_annotations["channel_index"]


for name, get in [("spikes", lambda g: exc.getSpikes(gather=g)), ("v", lambda g: exc.get_v(gather=g)),
                  ("gsyn", lambda g: exc.get_gsyn(gather=g)),
                  ("assembly", lambda g: assembly.get_data(gather=g, annotations={"trial": 1})),
                  ("network", lambda g: net.get_data(gather=g))]:
    flatten(name, get(True), saved)
    flatten(name, get("all"), everywhere)
saved["assembly_annotation"] = [assembly.get_data(annotations={"trial": 1}).annotations["trial"]]

exc.printSpikes(os.path.join(folder, "spikes.pkl"))
exc.print_v(os.path.join(folder, "v.pkl"))
exc.print_gsyn(os.path.join(folder, "gsyn.pkl"))
exc.save_positions(os.path.join(folder, "positions.txt"))
assembly.save_positions(os.path.join(folder, "assembly_positions.txt"))
net.write_data(os.path.join(folder, "network.pkl"))
if hasattr(sim, "MPIComm") and sim.num_processes() > 1:
    digest = hashlib.sha256(pickle.dumps(sorted((k, np.asarray(v).tolist()) for k, v in everywhere.items())))
    digests = sim.MPIComm().allgather_arrays(np.frombuffer(digest.digest(), dtype=np.uint8))
    assert all(np.array_equal(d, digests[0]) for d in digests), "gather='all' differs between ranks"
    sim.MPIComm().barrier()
sim.end()

if rank == 0:
    saved.update(everywhere)
    saved["files"] = np.array(sorted(os.listdir(folder)))
    for name in ("positions.txt", "assembly_positions.txt"):
        with open(os.path.join(folder, name)) as f:
            saved[name] = np.array(f.read().splitlines())
    for name in ("spikes.pkl", "v.pkl", "gsyn.pkl", "network.pkl"):
        with open(os.path.join(folder, name), "rb") as f:
            flatten(name.replace(".", "_"), pickle.load(f), saved)
    np.savez(out, **{k: np.asarray(v) for k, v in saved.items()})
