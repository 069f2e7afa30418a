"""A PyNN script in the style of PyNN's own examples: the simulator comes from the
command line (``get_simulator``), results go to ``normalized_filename``, plots to PNG.

    python get_simulator_script.py nest --plot-figure --output-dir Results
"""
import json
import os

from pyNN.utility import get_simulator, init_logging, normalized_filename, Timer, SimulationProgressBar
from pyNN.random import NumpyRNG, RandomDistribution
from pyNN.parameters import Sequence

sim, options = get_simulator(("--plot-figure", "Plot the results to a PNG file", {"action": "store_true"}),
                             ("--output-dir", "Folder for the results", {"default": "Results"}),
                             ("--debug", "Print debugging information", {"action": "store_true"}))
init_logging(None, debug=options.debug)
timer = Timer()

sim.setup(timestep=0.1)
rng = NumpyRNG(seed=42)
inputs = sim.Population(5, sim.SpikeSourceArray(spike_times=Sequence([10.0, 30.0, 50.0, 70.0])), label="inputs")
cells = sim.Population(10, sim.IF_curr_exp(tau_m=10.0, i_offset=RandomDistribution("uniform", (0.5, 1.5), rng=rng)),
                       label="cells")
cells.record(["spikes", "v"])
sim.Projection(inputs, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
tstop = 100.0
sim.run(tstop, callbacks=[SimulationProgressBar(10.0, tstop)])
print()

filename = normalized_filename(options.output_dir, "get_simulator_script", "pkl", options.simulator,
                               sim.num_processes())
cells.write_data(filename)
block = cells.get_data()
summary = {"simulator": options.simulator, "spike_counts": [len(st) for st in block.segments[0].spiketrains],
           "data_file": filename, "elapsed": timer.elapsed_time()}
if options.plot_figure:
    from pyNN.utility.plotting import Figure, Panel
    segment = block.segments[0]
    figure_file = filename.replace(".pkl", ".png")
    Figure(Panel(segment.filter(name="v")[0], ylabel="Membrane potential (mV)", yticks=True),
           Panel(segment.spiketrains, xlabel="Time (ms)", xticks=True),
           title="get_simulator script", annotations=f"Simulated with {options.simulator}").save(figure_file)
    summary["figure_file"] = figure_file
with open(os.path.join(options.output_dir, "summary.json"), "w") as handle:
    json.dump(summary, handle)
sim.end()
