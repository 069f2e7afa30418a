"""Recording at scale: 10,000 IF_cond_exp cells driven by Poisson input, 1 s at dt 0.1 ms.

Scenarios: nothing recorded, the spikes of all cells, v of 1,000 cells every step, v + gsyn_exc
+ gsyn_inh of 1,000 cells. Times the run (with recording against the run without), reading
the data (``get_data()``, its first pass over every SpikeTrain, ``get_data('spikes')``,
``get_spike_counts()``, ``mean_spike_count()``), ``write_data`` to a pickle file,
``get_data(clear=True)`` and a run after it, and the memory held per recorded sample. Each
scenario runs in its own process (``benchmarks/recording_worker.py``); with ``--pynn-python``
the same worker runs under PyNN+NEST in the same run and the ratios are printed (NEST's
``write_data`` and ``get_data(clear=True)`` of signals only with ``--pynn-full``).

    python benchmarks/recording.py
    python benchmarks/recording.py --pynn-python /tmp/nestvenv/bin/python
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "recording_worker.py")
SCENARIOS = ("none", "spikes", "v", "v_gsyn")
OPERATIONS = ("build", "run", "get_spike_counts", "mean_spike_count", "get_data", "get_data_trains",
              "get_data_spikes", "write_data", "get_data_clear", "run_again")


def measure(python, simulator, scenario, args, skip=""):
    out = subprocess.run([python, WORKER, "--simulator", simulator, "--scenario", scenario,
                          "--n", str(args.n), "--n-signal", str(args.n_signal), "--tstop", str(args.tstop),
                          "--skip", skip],
                         capture_output=True, text=True, check=True).stdout
    return json.loads([ln for ln in out.splitlines() if ln.startswith("RESULT ")][-1][len("RESULT "):])


def per_sample(r, base):
    """Bytes of resident memory the run added per recorded sample (8 bytes is the raw size),
    beyond what the same run without recording added."""
    samples = r.get("signal_samples", 0) + r.get("spikes", 0)
    return (r["rss_run_growth_mb"] - base["rss_run_growth_mb"]) * 2**20 / samples if samples else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pynn-python", help="interpreter with PyNN and nest-simulator installed")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--n-signal", type=int, default=1000)
    parser.add_argument("--tstop", type=float, default=1000.0)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--pynn-full", action="store_true",
                        help="also time PyNN+NEST's write_data and get_data(clear=True) of signals (each "
                             "another full get_data: about 80 s more)")
    args = parser.parse_args()
    start = time.perf_counter()
    scenarios = args.scenarios.split(",")
    if "none" not in scenarios:
        scenarios.insert(0, "none")
    sims = [("pynnlite", sys.executable, "pynnlite.backends.numpy")]
    if args.pynn_python:
        sims.append(("PyNN+NEST", args.pynn_python, "pyNN.nest"))
    # PyNN+NEST's get_data of 10M-30M signal samples takes 7-30 s; write_data and get_data(clear=True)
    # repeat it, so they are left out unless asked for (to keep the script near 3 minutes)
    def skip(name, scenario):
        return "write_data,get_data_clear" if name != "pynnlite" and scenario.startswith("v") \
            and not args.pynn_full else ""
    results = {name: {s: measure(python, module, s, args, skip(name, s)) for s in scenarios}
               for name, python, module in sims}
    ours = results["pynnlite"]
    theirs = results.get("PyNN+NEST")
    steps = ours["none"]["steps"]
    print(f"Recording, {args.n:,} IF_cond_exp cells with Poisson input, {args.tstop:g} ms at dt 0.1 ms "
          f"({steps:,} steps), signals of {args.n_signal:,} cells; seconds unless marked")
    for scenario in scenarios:
        r = ours[scenario]
        t = theirs[scenario] if theirs else None
        what = (f"{r.get('spikes', 0):,} spikes in {r.get('trains', 0):,} trains, "
                f"{r.get('signal_samples', 0):,} signal samples") if scenario != "none" else "no recording"
        print(f"\n{scenario}: {what}")
        print(f"  {'operation':18} {'pynnlite':>10}" + (f" {'PyNN+NEST':>10} {'ratio':>7}" if t else ""))
        for op in OPERATIONS:
            if op not in r:
                continue
            line = f"  {op:18} {r[op]:10.4f}"
            if t and op in t:
                line += f" {t[op]:10.4f} {r[op] / t[op]:7.3f}"
            print(line)
        if scenario != "none":
            extra = (r["run"] - ours["none"]["run"]) / steps * 1e6
            line = f"  {'overhead µs/step':18} {extra:10.1f}"
            if t:
                line += f" {(t['run'] - theirs['none']['run']) / steps * 1e6:10.1f}"
            print(line)
            line = f"  {'bytes/sample held':18} {per_sample(r, ours['none']):10.1f}"
            if t:
                line += f" {per_sample(t, theirs['none']):10.1f}"
            print(line)
            if "file_mb" in r:
                print(f"  {'pickle MB':18} {r['file_mb']:10.1f}" + (f" {t['file_mb']:10.1f}" if t else ""))
        line = f"  {'peak RSS MB':18} {r['peak_rss_mb']:10.0f}"
        if t:
            line += f" {t['peak_rss_mb']:10.0f} {r['peak_rss_mb'] / t['peak_rss_mb']:7.3f}"
        print(line)
    print(f"\n(whole benchmark {time.perf_counter() - start:.0f} s; load average "
          f"{os.getloadavg()[0]:.1f}; ratio < 1: pynnlite faster/smaller)")


if __name__ == "__main__":
    main()
