"""Recording at scale: 10,000 IF_cond_exp cells driven by Poisson input, 1 s at dt 0.1 ms.

After a first run of 1 ms (the run's one-off setup), scenarios: nothing recorded, the spikes of all cells, v of 1,000 cells every step, v + gsyn_exc
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


def measure(python, simulator, scenario, args, skip="", pythonpath=None):
    env = dict(os.environ, PYTHONPATH=pythonpath) if pythonpath else None
    out = subprocess.run([python, WORKER, "--simulator", simulator, "--scenario", scenario,
                          "--n", str(args.n), "--n-signal", str(args.n_signal), "--tstop", str(args.tstop),
                          "--skip", skip],
                         capture_output=True, text=True, check=True, env=env).stdout
    return json.loads([ln for ln in out.splitlines() if ln.startswith("RESULT ")][-1][len("RESULT "):])


def per_sample(r, base):
    """Bytes of resident memory the timed run added per signal sample it recorded (8 bytes is
    the raw size), beyond what the same run without recording added (in another process)."""
    samples = r.get("signal_samples", 0) * r["steps"] // (r["steps"] + 10)   # (+ 10 untimed steps)
    return (r["rss_run_growth_mb"] - base["rss_run_growth_mb"]) * 2**20 / samples if samples else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pynn-python", help="interpreter with PyNN and nest-simulator installed")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--n-signal", type=int, default=1000)
    parser.add_argument("--tstop", type=float, default=1000.0)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--before", metavar="DIR",
                        help="also run pynnlite from this source tree (e.g. `git archive <commit> | tar -x -C DIR`), "
                             "as 'before', in the same run")
    parser.add_argument("--pynn-full", action="store_true",
                        help="also time PyNN+NEST's write_data and get_data(clear=True) of signals (each "
                             "another full get_data: about 80 s more)")
    args = parser.parse_args()
    start = time.perf_counter()
    scenarios = args.scenarios.split(",")
    if "none" not in scenarios:
        scenarios.insert(0, "none")
    sims = [("pynnlite", sys.executable, "pynnlite.backends.numpy", None)]
    if args.before:
        sims.append(("before", sys.executable, "pynnlite.backends.numpy", os.path.abspath(args.before)))
    if args.pynn_python:
        sims.append(("PyNN+NEST", args.pynn_python, "pyNN.nest", None))
    # PyNN+NEST's get_data of 10M-30M signal samples takes 7-30 s; write_data and get_data(clear=True)
    # repeat it, so they are left out unless asked for (to keep the script near 3 minutes)
    def skip(name, scenario):
        return "write_data,get_data_clear" if name == "PyNN+NEST" and scenario.startswith("v") \
            and not args.pynn_full else ""
    results = {name: {s: measure(python, module, s, args, skip(name, s), path) for s in scenarios}
               for name, python, module, path in sims}
    ours = results["pynnlite"]
    theirs = results.get("PyNN+NEST")
    before = results.get("before")
    steps = ours["none"]["steps"]
    print(f"Recording, {args.n:,} IF_cond_exp cells with Poisson input, {args.tstop:g} ms at dt 0.1 ms "
          f"({steps:,} steps), signals of {args.n_signal:,} cells; seconds unless marked")
    for scenario in scenarios:
        r = ours[scenario]
        t = theirs[scenario] if theirs else None
        what = (f"{r.get('spikes', 0):,} spikes in {r.get('trains', 0):,} trains, "
                f"{r.get('signal_samples', 0):,} signal samples") if scenario != "none" else "no recording"
        print(f"\n{scenario}: {what}")
        b = before[scenario] if before else None
        print(f"  {'operation':18} {'pynnlite':>10}" + (f" {'before':>10} {'after/before':>12}" if b else "")
              + (f" {'PyNN+NEST':>10} {'ratio':>7}" if t else ""))
        for op in OPERATIONS:
            if op not in r:
                continue
            line = f"  {op:18} {r[op]:10.4f}"
            if b:
                line += f" {b[op]:10.4f} {r[op] / b[op]:12.3f}" if op in b else f" {'':10} {'':12}"
            if t:
                line += f" {t[op]:10.4f} {r[op] / t[op]:7.3f}" if op in t else f" {'—':>10}"
            print(line)
        if scenario != "none":
            # (differences of whole runs in two processes: ± tens of µs per step on a busy machine)
            columns = [(ours, r, 10)] + ([(before, b, 23)] if b else []) + ([(theirs, t, 10)] if t else [])
            line = f"  {'overhead µs/step':18}"
            for runs, x, width in columns:
                line += f" {(x['run'] - runs['none']['run']) / steps * 1e6:{width}.1f}"
            print(line)
            line = f"  {'bytes/sample held':18}"
            for runs, x, width in columns:
                line += f" {per_sample(x, runs['none']):{width}.1f}"
            print(line)
            line = f"  {'pickle MB':18}"
            for runs, x, width in columns:
                line += f" {x['file_mb']:{width}.1f}" if "file_mb" in x else f" {'—':>{width}}"
            print(line)
        line = f"  {'peak RSS MB':18} {r['peak_rss_mb']:10.0f}"
        if b:
            line += f" {b['peak_rss_mb']:10.0f} {r['peak_rss_mb'] / b['peak_rss_mb']:12.3f}"
        if t:
            line += f" {t['peak_rss_mb']:10.0f} {r['peak_rss_mb'] / t['peak_rss_mb']:7.3f}"
        print(line)
    print(f"\n(whole benchmark {time.perf_counter() - start:.0f} s; load average "
          f"{os.getloadavg()[0]:.1f}; ratio < 1: pynnlite faster/smaller)")


if __name__ == "__main__":
    main()
