"""Projection API at 1M and 5M synapses (10,000 → 10,000, FixedProbabilityConnector 0.01 / 0.05).

Times building, ``get`` (array and list formats), ``set`` (random distribution, 2-D array)
and ``save``, with peak memory and bytes per synapse held; with ``--pynn-python`` the same
worker runs under PyNN+NEST in the same run and the ratios are printed. PyNN+NEST's set()
takes minutes at 1M synapses: limit its operations with ``--pynn-operations``.

    python benchmarks/projection_api.py
    python benchmarks/projection_api.py --pynn-python /path/to/venv/bin/python --pynn-p 0.01
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "projection_worker.py")
OPERATIONS = ("build", "get_array_first", "get_array", "get_list", "set_random", "set_array", "save")
TARGETS_1M = {"build": 0.3, "get_array_first": 0.2, "get_array": 0.2, "get_list": 0.5, "set_random": 0.2, "set_array": 0.2, "save": 2.0}


def measure(python, simulator, n, p, operations):
    out = subprocess.run([python, WORKER, "--simulator", simulator, "--n", str(n), "--p", str(p),
                          "--operations", ",".join(operations)], capture_output=True, text=True, check=True).stdout
    return json.loads([ln for ln in out.splitlines() if ln.startswith("RESULT ")][-1][7:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--p", type=float, nargs="+", default=[0.01, 0.05])
    parser.add_argument("--pynn-python", help="interpreter with PyNN and nest-simulator installed")
    parser.add_argument("--pynn-p", type=float, nargs="+", default=[0.01])
    parser.add_argument("--pynn-operations", default="build,get_array,get_list,save")
    args = parser.parse_args()
    results = []
    for p in args.p:
        ours = measure(sys.executable, "pynnlite.backends.numpy", args.n, p, OPERATIONS)
        theirs = None
        if args.pynn_python and p in args.pynn_p:
            theirs = measure(args.pynn_python, "pyNN.nest", args.n, p, args.pynn_operations.split(","))
        results.append((p, ours, theirs))
    print(f"Projection API, {args.n} → {args.n} cells, FixedProbabilityConnector")
    for p, ours, theirs in results:
        print(f"\np = {p}: {ours['synapses']:,} synapses; pynnlite holds {ours['bytes_per_synapse_held']:.1f} "
              f"bytes per synapse, peak RSS {ours['peak_rss_mb']:.0f} MB "
              f"(build grew RSS by {ours['rss_after_build_mb'] - ours['rss_before_build_mb']:.0f} MB)")
        print(f"  {'operation':12} {'pynnlite s':>11} {'target s':>9}" + (f" {'PyNN+NEST s':>12} {'ratio':>7}" if theirs else ""))
        scale = ours["synapses"] / 1e6
        for op in OPERATIONS:
            if op not in ours:
                continue
            line = f"  {op:12} {ours[op]:11.3f} {TARGETS_1M[op] * scale:9.2f}"
            if theirs and op in theirs:
                line += f" {theirs[op]:12.2f} {ours[op] / theirs[op]:7.3f}"
            print(line)
        if theirs:
            print(f"  peak RSS: pynnlite {ours['peak_rss_mb']:.0f} MB, PyNN+NEST {theirs['peak_rss_mb']:.0f} MB "
                  f"(ratio {ours['peak_rss_mb'] / theirs['peak_rss_mb']:.2f})")
    if len(results) > 1:
        first, last = results[0][1], results[-1][1]
        growth = last["synapses"] / first["synapses"]
        for op in OPERATIONS:
            if op in first and op in last:
                print(f"scaling {op}: ×{last[op] / first[op]:.1f} time for ×{growth:.1f} synapses")


if __name__ == "__main__":
    main()
