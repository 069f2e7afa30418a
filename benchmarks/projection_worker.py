"""Time the Projection API on one FixedProbabilityConnector network with one simulator; print JSON.

Runs under pynnlite or PyNN (``--simulator pyNN.nest``), so both are measured by the same code.
"""
import argparse
import importlib
import json
import os
import resource
import tempfile
import time

import numpy as np


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--simulator", default="pynnlite.backends.numpy")
    parser.add_argument("--n", type=int, default=10000, help="cells in each of pre and post")
    parser.add_argument("--p", type=float, default=0.01, help="connection probability")
    parser.add_argument("--operations", default="build,get_array,get_list,set_random,set_array,save")
    args = parser.parse_args()
    operations = args.operations.split(",")
    sim = importlib.import_module(args.simulator)
    sim.setup(timestep=0.1)
    pre = sim.Population(args.n, sim.IF_curr_exp())
    post = sim.Population(args.n, sim.IF_curr_exp())
    rng = sim.NumpyRNG(seed=1234)
    result = {"simulator": args.simulator, "n": args.n, "p": args.p, "rss_before_build_mb": rss_mb()}
    t = time.perf_counter()
    prj = sim.Projection(pre, post, sim.FixedProbabilityConnector(args.p, rng=rng),
                         sim.StaticSynapse(weight=0.1, delay=1.0))
    result["build"] = time.perf_counter() - t
    result["synapses"] = int(prj.size())
    result["rss_after_build_mb"] = rss_mb()
    table = getattr(prj, "_table", None)
    if table is not None:
        result["bytes_per_synapse_held"] = table.nbytes / max(len(table), 1)
    matrix = np.full((args.n, args.n), 0.2)
    timings = {}
    if "get_array" in operations:
        # the first call pays the kernel's first-touch cost of a fresh N_pre × N_post array;
        # the second shows the cost of the operation itself
        for key in ("get_array_first", "get_array"):
            t = time.perf_counter()
            prj.get("weight", format="array")
            timings[key] = time.perf_counter() - t
    if "get_list" in operations:
        t = time.perf_counter()
        prj.get(["weight", "delay"], format="list")
        timings["get_list"] = time.perf_counter() - t
    if "set_random" in operations:
        distribution = sim.RandomDistribution("uniform", (0.0, 0.2), rng=rng)
        t = time.perf_counter()
        prj.set(weight=distribution)
        timings["set_random"] = time.perf_counter() - t
    if "set_array" in operations:
        t = time.perf_counter()
        prj.set(weight=matrix)
        timings["set_array"] = time.perf_counter() - t
    if "save" in operations:
        with tempfile.TemporaryDirectory() as folder:
            t = time.perf_counter()
            prj.save("all", os.path.join(folder, "connections.txt"), format="list")
            timings["save"] = time.perf_counter() - t
    result.update(timings)
    result["peak_rss_mb"] = rss_mb()
    sim.end()
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
