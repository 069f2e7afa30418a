"""A methods-section report of a simulated network, written next to its results.

Builds the Vogels–Abbott balanced network (COBA, Brette et al. 2007) scaled down to
400 cells, runs it for 200 ms and writes

    <output>/report.md      the network description in Markdown
    <output>/report.html    the same as a stand-alone HTML page
    <output>/report.txt     the same as plain text
    <output>/spikes_exc.pkl, spikes_inh.pkl   the recorded spikes (Neo pickle)

The reports are deterministic (same network, same text), so they can be kept in
version control and diffed. Under MPI only rank 0 writes them.

    python examples/report_demo.py                       # numpy backend, results/ folder
    python examples/report_demo.py --output /tmp/run1 --n 800 --tstop 500
"""
from __future__ import annotations

import argparse
import os

from pynnlite import get_backend
from pynnlite.random import NumpyRNG, RandomDistribution


def build(sim, n: int, seed: int):
    """The COBA network of ``n`` cells (80 % excitatory) with a 50 ms Poisson kick."""
    delay = 0.2
    cell = sim.IF_cond_exp(tau_m=20.0, cm=0.2, tau_syn_E=5.0, tau_syn_I=10.0, v_thresh=-50.0,
                           v_reset=-60.0, tau_refrac=5.0, v_rest=-60.0, e_rev_E=0.0, e_rev_I=-80.0)
    n_exc = int(round(0.8 * n))
    exc = sim.Population(n_exc, cell, label="Excitatory")
    inh = sim.Population(n - n_exc, cell, label="Inhibitory")
    exc.annotate(role="pyramidal cells")
    inh.annotate(role="interneurons")
    rng = NumpyRNG(seed=seed, parallel_safe=True)
    v_init = RandomDistribution("uniform", (-60.0, -50.0), rng=rng)
    exc.initialize(v=v_init)
    inh.initialize(v=v_init)
    # connection probability scaled so that each cell gets as many inputs as in the 4000-cell network
    p_connect = min(1.0, 0.02 * 4000 / n)
    connector = sim.FixedProbabilityConnector(p_connect, allow_self_connections=False, rng=rng)
    excitatory = sim.StaticSynapse(weight=4e-3, delay=delay)     # µS
    inhibitory = sim.StaticSynapse(weight=51e-3, delay=delay)    # µS
    sim.Projection(exc, exc, connector, excitatory, receptor_type="excitatory", label="E→E")
    sim.Projection(exc, inh, connector, excitatory, receptor_type="excitatory", label="E→I")
    sim.Projection(inh, exc, connector, inhibitory, receptor_type="inhibitory", label="I→E")
    sim.Projection(inh, inh, connector, inhibitory, receptor_type="inhibitory", label="I→I")
    kick = sim.Population(20, sim.SpikeSourcePoisson(rate=100.0, duration=50.0), label="Poisson kick")
    kick_connector = sim.FixedProbabilityConnector(0.01 * 4000 / n if n > 400 else 0.1, rng=rng)
    for target in (exc, inh):
        sim.Projection(kick, target, kick_connector, sim.StaticSynapse(weight=0.1, delay=delay),
                       receptor_type="excitatory", label=f"kick→{target.label[0]}")
    exc.record("spikes")
    inh.record("spikes")
    exc[0:2].record("v", sampling_interval=1.0)
    return exc, inh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    parser.add_argument("--n", type=int, default=400, help="number of cells")
    parser.add_argument("--tstop", type=float, default=200.0, help="simulated time (ms)")
    parser.add_argument("--seed", type=int, default=98765)
    parser.add_argument("--output", default="results", help="folder for the report and the spikes")
    args = parser.parse_args()

    sim = get_backend(args.backend)
    sim.setup(timestep=0.1, min_delay=0.2, max_delay=0.2, rng_seed=args.seed)
    exc, inh = build(sim, args.n, args.seed)
    sim.run(args.tstop)

    from pynnlite import descriptions
    simulation = exc.simulation
    # every process takes part (global counts are reduced); only rank 0 gets the text
    reports = {ext: descriptions.describe_network(simulation, format=fmt)
               for ext, fmt in (("md", "markdown"), ("html", "html"), ("txt", "text"))}
    os.makedirs(args.output, exist_ok=True)
    exc.write_data(os.path.join(args.output, "spikes_exc.pkl"))    # collective: rank 0 writes
    inh.write_data(os.path.join(args.output, "spikes_inh.pkl"))
    rate = exc.mean_spike_count() * 1000.0 / args.tstop             # collective: every process counts
    if sim.rank() == 0:
        for ext, text in reports.items():
            with open(os.path.join(args.output, f"report.{ext}"), "w", encoding="utf-8") as f:
                f.write(text)
        print(f"Vogels-Abbott COBA, {args.n} cells, {args.tstop:g} ms: excitatory rate {rate:.2f} Hz")
        print("Wrote " + ", ".join(os.path.join(args.output, f"report.{ext}") for ext in reports))
    sim.end()


if __name__ == "__main__":
    main()
