"""Vogels–Abbott COBA and CUBA (4,000 cells, 2 % connectivity, 1 s): pynnlite vs PyNN+NEST.

Each network runs in its own process (so peak memory is per network) with
``benchmarks/va_worker.py``; PyNN+NEST (and Brian2's PyNN backend, if asked) run the very
same network through the same script with another interpreter, in the same run, and the
report gives ratios, since absolute times on shared machines are noisy.

    python benchmarks/vogels_abbott.py                               # pynnlite only
    python benchmarks/vogels_abbott.py --pynn-python /path/to/venv/bin/python
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "va_worker.py")


def measure(python, simulator, benchmark, n, tstop, repeats):
    best = None
    for _ in range(repeats):
        out = subprocess.run([python, WORKER, "--simulator", simulator, "--benchmark", benchmark,
                              "--n", str(n), "--tstop", str(tstop)],
                             capture_output=True, text=True, check=True).stdout
        line = [ln for ln in out.splitlines() if ln.startswith("RESULT ")][-1]
        result = json.loads(line[len("RESULT "):])
        if best is None or result["build"] + result["run"] < best["build"] + best["run"]:
            best = result
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pynn-python", help="interpreter with PyNN and nest-simulator installed")
    parser.add_argument("--brian2-python", help="interpreter with PyNN and brian2 installed")
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--tstop", type=float, default=1000.0)
    parser.add_argument("--repeats", type=int, default=1, help="best of this many runs per entry")
    args = parser.parse_args()
    rows = []
    for benchmark in ("COBA", "CUBA"):
        ours = measure(sys.executable, "pynnlite.backends.numpy", benchmark, args.n, args.tstop, args.repeats)
        others = {}
        if args.pynn_python:
            others["PyNN+NEST"] = measure(args.pynn_python, "pyNN.nest", benchmark, args.n, args.tstop,
                                          args.repeats)
        if args.brian2_python:
            others["PyNN+Brian2"] = measure(args.brian2_python, "pyNN.brian2", benchmark, args.n, args.tstop,
                                            args.repeats)
        rows.append((benchmark, ours, others))
    print(f"Vogels–Abbott networks, {args.n} cells, {args.tstop:g} ms, best of {args.repeats}")
    header = f"{'network':8} {'simulator':12} {'build s':>8} {'run s':>8} {'total s':>8} {'peak MB':>8} " \
             f"{'exc Hz':>7} {'inh Hz':>7}"
    print(header)
    for benchmark, ours, others in rows:
        for name, r in [("pynnlite", ours)] + list(others.items()):
            print(f"{benchmark:8} {name:12} {r['build']:8.2f} {r['run']:8.2f} {r['build'] + r['run']:8.2f} "
                  f"{r['peak_rss_mb']:8.0f} {r['rate_exc']:7.2f} {r['rate_inh']:7.2f}")
        for name, r in others.items():
            total = (ours["build"] + ours["run"]) / (r["build"] + r["run"])
            memory = ours["peak_rss_mb"] / r["peak_rss_mb"]
            print(f"{benchmark:8} ratio pynnlite/{name}: total time {total:.2f} (target ≤ 0.5), "
                  f"peak memory {memory:.2f} (target < 1)")
    if not args.pynn_python:
        print("PyNN+NEST not measured: pass --pynn-python with an interpreter that has "
              "`pip install PyNN nest-simulator \"numpy<2.4\"`.")


if __name__ == "__main__":
    main()
