"""Every standard neuron model on its own: 10,000 unconnected cells driven by a constant current,
200 ms, pynnlite's numpy backend vs PyNN+NEST (one thread), run time per model and the ratio.

    python benchmarks/cell_models.py                                   # pynnlite only
    python benchmarks/cell_models.py --pynn-python /tmp/nestvenv/bin/python --repeats 3

The network benchmarks measure a model inside a network; this one shows what each neuron
model's time step costs, where the integration schemes differ most: pynnlite's exact or
exponential-Euler LIF steps and its fixed-substep RK4 (AdEx, HH: h <= 0.01 ms) against NEST's
exact propagators and GSL's adaptive RKF45. The mean firing rates of both are printed beside
the times, so that a model that does less work (e.g. stays silent) shows.
"""
from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time

#: model -> constant current (nA) that makes the default cell fire
MODELS = {
    "IF_curr_exp": 1.0, "IF_curr_alpha": 1.0, "IF_curr_delta": 1.0,
    "IF_cond_exp": 1.0, "IF_cond_alpha": 1.0, "IF_cond_exp_gsfa_grr": 1.0,
    "EIF_cond_exp_isfa_ista": 1.0, "EIF_cond_alpha_isfa_ista": 1.0,
    "Izhikevich": 0.01, "HH_cond_exp": 1.0,
}


def worker(simulator: str, n: int, tstop: float, models: list[str]) -> None:
    sim = importlib.import_module(simulator)
    for name in models:
        sim.setup(timestep=0.1, min_delay=0.1)
        try:
            started = time.perf_counter()
            cells = sim.Population(n, getattr(sim, name)(i_offset=MODELS[name]))
            cells.record("spikes")
            built = time.perf_counter()
            sim.run(tstop)
            ran = time.perf_counter()
        except Exception as error:   # e.g. PyNN 0.13 + NEST 3.10 cannot create IF_cond_exp_gsfa_grr
            print("RESULT " + json.dumps(dict(model=name, error=f"{type(error).__name__}: {error}")), flush=True)
            continue
        counts = cells.get_spike_counts()
        rate = sum(counts.values()) / n * 1000.0 / tstop
        print("RESULT " + json.dumps(dict(model=name, build=built - started, run=ran - built, rate=rate)),
              flush=True)
        sim.end()


def measure(python: str, simulator: str, args) -> dict[str, dict]:
    """Best run per model over ``args.repeats`` worker processes."""
    best: dict[str, dict] = {}
    for _ in range(args.repeats):
        out = subprocess.run([python, __file__, "--worker", simulator, "--n", str(args.n),
                              "--tstop", str(args.tstop), "--models", *args.models],
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"{simulator} worker failed:\n{out.stdout}\n{out.stderr}")
        for line in out.stdout.splitlines():
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT "):])
                known = best.get(result["model"])
                if known is None or "error" in known or result.get("run", float("inf")) < known["run"]:
                    best[result["model"]] = result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--pynn-python", help="interpreter with PyNN and nest-simulator")
    parser.add_argument("--n", type=int, default=10000, help="cells per model")
    parser.add_argument("--tstop", type=float, default=200.0, help="simulated time (ms)")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--repeats", type=int, default=1, help="best of this many runs per model")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.n, args.tstop, args.models)
        return
    ours = measure(sys.executable, "pynnlite.backends.numpy", args)
    nest = measure(args.pynn_python, "pyNN.nest", args) if args.pynn_python else {}
    steps = args.tstop / 0.1
    print(f"{args.n} unconnected cells per model, constant current, {args.tstop:g} ms at dt = 0.1 ms, "
          f"best of {args.repeats}; run time, and per step per 1,000 cells")
    print(f"{'model':26} {'pynnlite s':>10} {'µs/step/1k':>10} {'Hz':>6}" +
          (f" {'NEST s':>8} {'µs/step/1k':>10} {'Hz':>6} {'ratio':>7}" if nest else ""))
    for name in args.models:
        r = ours[name]
        line = f"{name:26} {r['run']:10.3f} {r['run'] / steps / args.n * 1e9:10.1f} {r['rate']:6.1f}"
        q = nest.get(name)
        if q is not None and "error" in q:
            line += f"  PyNN+NEST fails: {q['error'][:60]}"
        elif q is not None:
            line += (f" {q['run']:8.3f} {q['run'] / steps / args.n * 1e9:10.1f} {q['rate']:6.1f}"
                     f" {r['run'] / q['run']:7.2f}")
        print(line)
    if nest:
        print("ratio: pynnlite run time / PyNN+NEST run time (< 1: pynnlite faster)")
    else:
        print("PyNN+NEST not measured: pass --pynn-python with an interpreter that has "
              "`pip install PyNN nest-simulator \"numpy<2.4\"`.")


if __name__ == "__main__":
    main()
