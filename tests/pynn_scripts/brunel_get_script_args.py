"""An old-style PyNN script: ``get_script_args`` and ``from pyNN.<simulator> import *``."""
from pyNN.utility import get_script_args, Timer, ProgressBar

simulator_name = get_script_args(1)[0]
exec("from pyNN.%s import *" % simulator_name)
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: E402

timer = Timer()
setup(timestep=0.1, max_delay=2.0)
rng = NumpyRNG(seed=1234)
cells = Population(200, IF_curr_exp(tau_m=20.0, v_thresh=-50.0, v_reset=-65.0, v_rest=-65.0), label="cells")
cells.initialize(v=RandomDistribution("uniform", low=-65.0, high=-50.0, rng=rng))
noise = Population(200, SpikeSourcePoisson(rate=1000.0), label="noise")
bar = ProgressBar(width=20)
Projection(noise, cells, OneToOneConnector(callback=bar), StaticSynapse(weight=0.3, delay=0.1))
Projection(cells, cells, FixedProbabilityConnector(0.1, rng=rng, callback=bar), StaticSynapse(weight=-0.2, delay=1.5))
cells.record("spikes")
run(200.0)
print()
print("Mean rate: %.2f Hz" % (cells.mean_spike_count() * 1000.0 / 200.0))
print("Build + run: %s" % timer.elapsed_time(format="long"))
end()
