"""A small PyNN script, written for PyNN+NEST and run unchanged by the pynnlite tests
with ``pynnlite run --as-pynn balanced_network.py [OUTPUT.json]``.

400 conductance-based cells driven by Poisson input, with random recurrent excitation
and inhibition; writes the mean rates (Hz) and the number of connections as JSON.
"""
import json
import sys

import pyNN.nest as sim
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.utility import Timer

output = sys.argv[1] if len(sys.argv) > 1 else "balanced_network.json"
timer = Timer()
sim.setup(timestep=0.1, min_delay=1.0, max_delay=5.0, threads=1)

rng = NumpyRNG(seed=2718)
cells = sim.IF_cond_exp(tau_m=20.0, cm=0.2, v_rest=-65.0, v_thresh=-50.0, v_reset=-65.0,
                        tau_refrac=2.0, tau_syn_E=5.0, tau_syn_I=10.0)
exc = sim.Population(320, cells, label="exc")
inh = sim.Population(80, cells, label="inh")
noise = sim.Population(400, sim.SpikeSourcePoisson(rate=20.0), label="noise")
for population in (exc, inh):
    population.initialize(v=RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
    population.record("spikes")

connector = sim.FixedProbabilityConnector(0.1, rng=rng)
delays = RandomDistribution("uniform", (1.0, 3.0), rng=rng)
sim.Projection(exc, exc + inh, connector, sim.StaticSynapse(weight=0.001, delay=delays),
               receptor_type="excitatory")
sim.Projection(inh, exc + inh, connector, sim.StaticSynapse(weight=0.03, delay=delays),
               receptor_type="inhibitory")
drive = sim.Projection(noise, exc + inh, sim.FixedNumberPreConnector(40, rng=rng),
                       sim.StaticSynapse(weight=0.0025, delay=1.0), receptor_type="excitatory")
build_time = timer.diff()

tstop = 500.0
sim.run(tstop)
rates = {p.label: p.mean_spike_count() * 1000.0 / tstop for p in (exc, inh)}
connections = drive.size()
if sim.rank() == 0:  # under MPI every process runs this script; one writes the results
    with open(output, "w") as handle:
        json.dump({"rates": rates, "drive_connections": connections, "time": sim.get_current_time(),
                   "build_time": build_time, "run_time": timer.diff()}, handle)
    print("rates (Hz):", rates)
sim.end()
