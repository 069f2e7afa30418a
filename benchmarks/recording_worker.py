"""Time recording and reading recorded data in one scenario with one simulator; print JSON.

10,000 IF_cond_exp cells, each driven by its own Poisson source (one-to-one), run for
``--tstop`` ms at dt 0.1 ms, recording one of: nothing, the spikes of all cells, v of 1,000
cells every step, or v, gsyn_exc and gsyn_inh of 1,000 cells. Runs under pynnlite or PyNN
(``--simulator pyNN.nest``), so both are measured by the same code.
"""
import argparse
import importlib
import json
import os
import resource
import tempfile
import time

SCENARIOS = {"none": (), "spikes": ("spikes",), "v": ("v",), "v_gsyn": ("v", "gsyn_exc", "gsyn_inh")}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mb() -> float:
    """Resident memory now (MB)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(results: dict, key: str, call):
    t = time.perf_counter()
    value = call()
    results[key] = time.perf_counter() - t
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--simulator", default="pynnlite.backends.numpy")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="spikes")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--n-signal", type=int, default=1000, help="cells whose signals are recorded")
    parser.add_argument("--tstop", type=float, default=1000.0)
    parser.add_argument("--skip", default="", help="operations not to time (comma-separated)")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    variables = SCENARIOS[args.scenario]
    sim = importlib.import_module(args.simulator)
    r = {"simulator": args.simulator, "scenario": args.scenario}
    t = time.perf_counter()
    sim.setup(timestep=0.1, min_delay=1.0)
    cells = sim.Population(args.n, sim.IF_cond_exp(tau_refrac=2.0))
    noise = sim.Population(args.n, sim.SpikeSourcePoisson(rate=500.0))
    # exc and inh inputs from the same sources: gsyn_exc and gsyn_inh both move
    sim.Projection(noise, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.006, delay=1.0),
                   receptor_type="excitatory")
    sim.Projection(noise, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.001, delay=1.0),
                   receptor_type="inhibitory")
    if "spikes" in variables:
        cells.record("spikes")
    signals = [v for v in variables if v != "spikes"]
    if signals:
        cells[:args.n_signal].record(signals)
    r["build"] = time.perf_counter() - t
    # one min_delay first: the run's one-off setup (and its memory) stays out of what is measured
    sim.run(1.0)
    rss0 = rss_mb()
    timed(r, "run", lambda: sim.run(args.tstop))
    r["rss_run_growth_mb"] = rss_mb() - rss0
    steps = int(round(args.tstop / 0.1))   # timed steps
    if args.scenario != "none":
        counts = timed(r, "get_spike_counts", lambda: cells.get_spike_counts()) if "spikes" in variables else {}
        r["spikes"] = int(sum(counts.values())) if counts else 0
        if "spikes" in variables:
            timed(r, "mean_spike_count", cells.mean_spike_count)
        before = rss_mb()
        block = timed(r, "get_data", cells.get_data)
        r["get_data_rss_growth_mb"] = rss_mb() - before
        segment = block.segments[0]
        r["signal_samples"] = int(sum(s.shape[0] * s.shape[1] for s in segment.analogsignals))
        r["trains"] = len(segment.spiketrains)
        r["spikes"] = int(sum(len(s) for s in segment.spiketrains))
        del block, segment
        if "spikes" in variables:
            # a fresh Block and a pass over its SpikeTrains (PyNN builds them on first access)
            timed(r, "get_data_trains",
                  lambda: sum(train.size for train in cells.get_data().segments[0].spiketrains))
            timed(r, "get_data_spikes", lambda: cells.get_data("spikes"))
        if "write_data" not in skip:
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "data.pkl")
                timed(r, "write_data", lambda: cells.write_data(path))
                r["file_mb"] = os.path.getsize(path) / 2**20
        if "get_data_clear" not in skip:   # (skipped: the next run continues the recording)
            timed(r, "get_data_clear", lambda: cells.get_data(clear=True))
        # after clearing, a shorter run: does the next run pay for the data cleared?
        timed(r, "run_again", lambda: sim.run(args.tstop / 10))
    r["steps"] = steps
    r["peak_rss_mb"] = peak_mb()
    sim.end()
    print("RESULT " + json.dumps(r))


if __name__ == "__main__":
    main()
