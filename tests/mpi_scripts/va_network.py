"""A reduced Vogels–Abbott COBA network, run with a given backend; rank 0 writes an .npz of
everything the MPI tests compare bitwise with the numpy backend's run.

    python va_network.py numpy out.npz [n] [tstop]
    mpiexec -n 3 python va_network.py mpi out.npz [n] [tstop]
"""
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 600
tstop = float(sys.argv[4]) if len(sys.argv) > 4 else 250.0
sim = pynnlite.get_backend(backend)

dt, delay = 0.1, 0.2
sim.setup(timestep=dt, min_delay=delay, max_delay=2.0)
celltype = sim.IF_cond_exp(tau_m=20.0, cm=0.2, tau_syn_E=5.0, tau_syn_I=10.0, v_thresh=-50.0, v_reset=-60.0,
                           tau_refrac=5.0, v_rest=-60.0, e_rev_E=0.0, e_rev_I=-80.0)
n_exc = int(round(0.8 * n))
exc = sim.Population(n_exc, celltype, label="exc")
inh = sim.Population(n - n_exc, celltype, label="inh")
rng = sim.NumpyRNG(seed=2024)
v_init = sim.RandomDistribution("uniform", (-60.0, -50.0), rng=rng)
exc.initialize(v=v_init)
inh.initialize(v=v_init)
p = 40.0 / n  # ~40 synapses per cell: the network stays active at this size
connector = sim.FixedProbabilityConnector(p, rng=rng)
w_exc = sim.RandomDistribution("normal_clipped", mu=6e-3, sigma=1e-3, low=0.0, high=1.0, rng=rng)
projections = {
    "e2e": sim.Projection(exc, exc, connector, sim.StaticSynapse(weight=w_exc, delay=delay), receptor_type="excitatory"),
    "e2i": sim.Projection(exc, inh, connector, sim.StaticSynapse(weight=6e-3, delay=0.3), receptor_type="excitatory"),
    "i2e": sim.Projection(inh, exc, connector, sim.StaticSynapse(weight=67e-3, delay=delay), receptor_type="inhibitory"),
    "i2i": sim.Projection(inh, inh, connector, sim.StaticSynapse(weight=67e-3, delay=delay), receptor_type="inhibitory"),
}
stimulus = sim.Population(20, sim.SpikeSourcePoisson(rate=100.0, duration=50.0), label="stim")
projections["stim2e"] = sim.Projection(stimulus, exc, sim.FixedProbabilityConnector(0.1, rng=rng),
                                       sim.StaticSynapse(weight=0.1, delay=delay), receptor_type="excitatory")
# a FromListConnector whose list order is not post-major, with repeated pairs and varied delays
list_rng = np.random.RandomState(7)
rows = [(int(i), int(j), float(w), float(d)) for i, j, w, d in
        zip(list_rng.randint(0, 20, 300), list_rng.randint(0, n - n_exc, 300),
            list_rng.uniform(0.01, 0.05, 300), list_rng.choice([0.2, 0.5, 1.3], 300))]
rows += rows[:10]
projections["stim2i_list"] = sim.Projection(stimulus, inh, sim.FromListConnector(rows),
                                            sim.StaticSynapse(), receptor_type="excitatory")
exc.record("spikes")
inh.record("spikes")
exc[[0, 1, 2, 5, 8]].record("v")
sim.run(tstop)

results = {}
for name, population in (("exc", exc), ("inh", inh)):
    block = population.get_data(gather=True)
    trains = block.segments[0].spiketrains
    results[f"{name}_ids"] = np.array([t.annotations["source_index"] for t in trains])
    results[f"{name}_counts"] = np.array([len(t) for t in trains])
    results[f"{name}_times"] = (np.concatenate([t.magnitude for t in trains]) if trains else np.empty(0))
    for signal in block.segments[0].analogsignals:
        results[f"{name}_{signal.name}"] = signal.magnitude
        results[f"{name}_{signal.name}_channels"] = np.asarray(signal.array_annotations["channel_index"])
for name, projection in projections.items():
    values = projection.get(["weight", "delay"], format="list", gather=True)
    results[f"prj_{name}"] = np.array(values, dtype=float).reshape(-1, 4)
    results[f"size_{name}"] = np.array(projection.size())
results["mean_spike_count_exc"] = np.array(exc.mean_spike_count())
if sim.rank() == 0:
    np.savez(out, **results)
    print(f"{sim.num_processes()} process(es): {int(results['exc_counts'].sum())} exc spikes, "
          f"{int(results['inh_counts'].sum())} inh spikes")
sim.end()
