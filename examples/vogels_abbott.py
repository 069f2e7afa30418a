"""The Vogels–Abbott balanced network (benchmarks 1 and 2 of Brette et al. 2007).

4000 integrate-and-fire cells (80 % excitatory) connected with probability 2 %,
conductance-based (COBA) or current-based (CUBA) exponential synapses, 0.2 ms delays.
COBA is kicked off by 20 Poisson sources firing at 100 Hz for 50 ms; CUBA cells rest
above threshold. Prints the mean firing rates and writes the spikes (Neo pickle).

    python examples/vogels_abbott.py                 # COBA, numpy backend, 1 s
    python examples/vogels_abbott.py --benchmark CUBA --tstop 500 --plot   # + raster PNG
    mpiexec -n 2 python examples/vogels_abbott.py --backend mpi
    pynnlite run -n 2 examples/vogels_abbott.py      # the same, mpiexec launched for you
"""
from __future__ import annotations

import argparse
import os
import time

from pynnlite import get_backend


def build_and_run(sim, benchmark: str = "COBA", n: int = 4000, tstop: float = 1000.0, seed: int = 98765,
                  record_v: bool = True):
    """Build the network with simulator module ``sim`` (any PyNN-compatible one), run it;
    returns (exc, inh, projections, timings)."""
    t0 = time.perf_counter()
    dt, delay = 0.1, 0.2
    sim.setup(timestep=dt, min_delay=delay, max_delay=delay)
    # membrane: 20000 µm² of 1 µF/cm² with a 5e-5 S/cm² leak → cm = 0.2 nF, tau_m = 20 ms
    cell_parameters = dict(tau_m=20.0, cm=0.2, tau_syn_E=5.0, tau_syn_I=10.0, v_thresh=-50.0,
                           v_reset=-60.0, tau_refrac=5.0,
                           v_rest=-60.0 if benchmark == "COBA" else -49.0)
    if benchmark == "COBA":
        celltype = sim.IF_cond_exp(e_rev_E=0.0, e_rev_I=-80.0, **cell_parameters)
        w_exc, w_inh = 4e-3, 51e-3                   # µS (4 nS, 51 nS)
    elif benchmark == "CUBA":
        celltype = sim.IF_curr_exp(**cell_parameters)
        v_mean = -60.0                               # mV, for the current-equivalent weights
        w_exc, w_inh = 0.27e-3 * (0.0 - v_mean), 4.5e-3 * (-80.0 - v_mean)   # nA
    else:
        raise ValueError(f"benchmark must be 'COBA' or 'CUBA', got {benchmark!r}")
    n_exc = int(round(n * 0.8))
    exc = sim.Population(n_exc, celltype, label="Excitatory_Cells")
    inh = sim.Population(n - n_exc, celltype, label="Inhibitory_Cells")
    rng = sim.NumpyRNG(seed=seed, parallel_safe=True)
    v_init = sim.RandomDistribution("uniform", (-60.0, -50.0), rng=rng)
    exc.initialize(v=v_init)
    inh.initialize(v=v_init)
    connector = sim.FixedProbabilityConnector(0.02, rng=rng)
    excitatory = sim.StaticSynapse(weight=w_exc, delay=delay)
    inhibitory = sim.StaticSynapse(weight=w_inh, delay=delay)
    projections = {
        "e2e": sim.Projection(exc, exc, connector, excitatory, receptor_type="excitatory"),
        "e2i": sim.Projection(exc, inh, connector, excitatory, receptor_type="excitatory"),
        "i2e": sim.Projection(inh, exc, connector, inhibitory, receptor_type="inhibitory"),
        "i2i": sim.Projection(inh, inh, connector, inhibitory, receptor_type="inhibitory"),
    }
    if benchmark == "COBA":
        stimulus = sim.Population(20, sim.SpikeSourcePoisson(rate=100.0, duration=50.0), label="expoisson")
        kick = sim.FixedProbabilityConnector(0.01, rng=rng)
        for name, target in (("ext2e", exc), ("ext2i", inh)):
            projections[name] = sim.Projection(stimulus, target, kick, sim.StaticSynapse(weight=0.1, delay=delay),
                                               receptor_type="excitatory")
    exc.record("spikes")
    inh.record("spikes")
    if record_v:
        exc[[0, 1]].record("v")
    t1 = time.perf_counter()
    sim.run(tstop)
    t2 = time.perf_counter()
    return exc, inh, projections, {"build": t1 - t0, "run": t2 - t1}


def plot(segment, benchmark: str, rates: tuple[float, float], path: str, n_cells: int = 200) -> None:
    """Raster of ``n_cells`` excitatory cells and the membrane potential of two (PNG; ``segment``:
    the excitatory cells' recorded data)."""
    from pynnlite.utility.plotting import Figure, Panel
    panels = [Panel(segment.spiketrains[:n_cells], yticks=True, markersize=1)]
    signals = segment.filter(name="v")
    if signals:
        panels.append(Panel(signals[0], ylabel="v (mV)", yticks=True))
    panels[-1].options.update(xticks=True, xlabel="Time (ms)")
    Figure(*panels, title=f"Vogels-Abbott {benchmark} network",
           annotations=f"excitatory {rates[0]:.2f} Hz, inhibitory {rates[1]:.2f} Hz").save(path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmark", choices=("COBA", "CUBA"), default="COBA")
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    parser.add_argument("--n", type=int, default=4000, help="number of cells")
    parser.add_argument("--tstop", type=float, default=1000.0, help="simulated time (ms)")
    parser.add_argument("--seed", type=int, default=98765)
    parser.add_argument("--output", default="results", help="folder for the spike files")
    parser.add_argument("--plot", action="store_true", help="also draw a raster and v traces (PNG)")
    args = parser.parse_args(argv)
    sim = get_backend(args.backend)
    exc, inh, projections, timings = build_and_run(sim, args.benchmark, args.n, args.tstop, args.seed)
    rate_exc = exc.mean_spike_count() * 1000.0 / args.tstop
    rate_inh = inh.mean_spike_count() * 1000.0 / args.tstop
    os.makedirs(args.output, exist_ok=True)
    stem = os.path.join(args.output, f"vogels_abbott_{args.benchmark}_np{sim.num_processes()}")
    exc.write_data(stem + "_exc.pkl")
    inh.write_data(stem + "_inh.pkl")
    sizes = "  ".join(f"{name}: {prj.size()}" for name, prj in projections.items())  # on every process
    segment = exc.get_data().segments[0] if args.plot else None                     # on every process
    if sim.rank() == 0:
        if args.plot:
            plot(segment, args.benchmark, (rate_exc, rate_inh), stem + ".png")
        print(f"Vogels-Abbott {args.benchmark} network, {args.n} cells, {args.tstop:g} ms, "
              f"backend {args.backend} on {sim.num_processes()} process(es)")
        print(f"Connections            : {sizes}")
        print(f"Excitatory rate        : {rate_exc:.2f} Hz")
        print(f"Inhibitory rate        : {rate_inh:.2f} Hz")
        print(f"Build time             : {timings['build']:.2f} s")
        print(f"Run time               : {timings['run']:.2f} s")
        print(f"Spikes written to      : {stem}_exc.pkl, {stem}_inh.pkl"
              + (f"; plot: {stem}.png" if args.plot else ""))
    sim.end()
    return {"rate_exc": rate_exc, "rate_inh": rate_inh, "timings": timings, "stem": stem}


if __name__ == "__main__":
    main()
