"""STDP network: 1,000 Poisson inputs at 10 Hz → 100 IF_curr_exp, all-to-all (100,000 plastic
synapses), SpikePairRule + AdditiveWeightDependence, 10 s of biological time.

Times the build, the run and reading the 100,000 weights back (``get('weight', format='array')``)
on pynnlite and, when available, on PyNN+NEST, each in its own process, and prints the ratios.
PyNN+NEST is used if ``pyNN.nest`` imports in this interpreter or in ``--pynn-python``.

    python benchmarks/stdp_network.py
    python benchmarks/stdp_network.py --pynn-python /tmp/nestvenv/bin/python
    python benchmarks/stdp_network.py --delay 0.1          # min_delay = one step: 100,000 slices

The same network code runs on every simulator (``network()`` below, PyNN's API only).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.abspath(__file__)


def network(simulator, tstop, delay, seed):
    """Build and run the network on ``simulator`` (a module name); return timings and results."""
    import importlib

    import numpy as np
    sim = importlib.import_module(simulator)
    t0 = time.perf_counter()
    sim.setup(timestep=0.1, min_delay=delay)
    rng = sim.NumpyRNG(seed=seed)
    inputs = sim.Population(1000, sim.SpikeSourcePoisson(rate=10.0), label="inputs")
    cells = sim.Population(100, sim.IF_curr_exp(), label="cells")
    w_max = 0.05  # nA
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.0105),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=w_max),
        weight=sim.RandomDistribution("uniform", (0.0, w_max), rng=rng), delay=delay)
    prj = sim.Projection(inputs, cells, sim.AllToAllConnector(), stdp, receptor_type="excitatory")
    cells.record("spikes")
    t1 = time.perf_counter()
    sim.run(tstop)
    t2 = time.perf_counter()
    weights = prj.get("weight", format="array")
    t3 = time.perf_counter()
    spikes = cells.get_data().segments[0].spiketrains
    rate = sum(len(st) for st in spikes) / len(spikes) / (tstop / 1000.0)
    sim.end()
    w = np.asarray(weights, dtype=float)
    return {"build": t1 - t0, "run": t2 - t1, "read": t3 - t2, "rate": rate, "w_mean": float(np.mean(w)),
            "w_std": float(np.std(w)), "at_w_max": float(np.mean(w > 0.99 * w_max)),
            "at_w_min": float(np.mean(w < 0.01 * w_max)), "n_weights": int(w.size)}


def measure(python, simulator, tstop, delay, seed):
    out = subprocess.run([python, HERE, "--worker", simulator, "--tstop", str(tstop), "--delay", str(delay),
                          "--seed", str(seed)], capture_output=True, text=True)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{simulator} failed:\n{out.stderr[-2000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def has_pynn_nest(python):
    probe = subprocess.run([python, "-c", "import pyNN.nest"], capture_output=True, text=True)
    return probe.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tstop", type=float, default=10000.0, help="ms of biological time")
    parser.add_argument("--delay", type=float, default=1.0, help="synaptic delay = min_delay (ms)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--pynn-python", help="interpreter with PyNN and nest-simulator installed")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print("RESULT " + json.dumps(network(args.worker, args.tstop, args.delay, args.seed)), flush=True)
        return
    results = {"pynnlite": measure(sys.executable, "pynnlite.backends.numpy", args.tstop, args.delay, args.seed)}
    nest_python = args.pynn_python or (sys.executable if has_pynn_nest(sys.executable) else None)
    if nest_python and has_pynn_nest(nest_python):
        results["PyNN+NEST"] = measure(nest_python, "pyNN.nest", args.tstop, args.delay, args.seed)
    print(f"STDP network: 1000 Poisson (10 Hz) → 100 IF_curr_exp, all-to-all, {args.tstop / 1000:g} s, "
          f"delay = min_delay = {args.delay:g} ms, dt = 0.1 ms")
    print(f"{'simulator':10} {'build s':>8} {'run s':>8} {'read s':>8} {'total s':>8} {'rate Hz':>8} "
          f"{'w mean':>8} {'w std':>8} {'@w_max':>7} {'@w_min':>7}")
    for name, r in results.items():
        total = r["build"] + r["run"] + r["read"]
        print(f"{name:10} {r['build']:8.3f} {r['run']:8.3f} {r['read']:8.4f} {total:8.3f} {r['rate']:8.2f} "
              f"{r['w_mean']:8.4f} {r['w_std']:8.4f} {r['at_w_max']:7.3f} {r['at_w_min']:7.3f}")
    ours = results["pynnlite"]
    print(f"pynnlite: reading {ours['n_weights']} weights took {ours['read']:.4f} s (target < 0.05 s)")
    if "PyNN+NEST" in results:
        nest = results["PyNN+NEST"]
        for key in ("build", "run", "read"):
            print(f"ratio pynnlite/PyNN+NEST {key}: {ours[key] / nest[key]:.3f}")
        total = (ours["build"] + ours["run"] + ours["read"]) / (nest["build"] + nest["run"] + nest["read"])
        print(f"ratio pynnlite/PyNN+NEST total: {total:.3f} (target <= 1)")
    else:
        print("PyNN+NEST was not available (no pyNN.nest here; pass --pynn-python with an interpreter that "
              "has `pip install PyNN nest-simulator \"numpy<2.4\"`): pynnlite figures only.")


if __name__ == "__main__":
    main()
