"""Graded transmission on a 2-D grid: 100×100 NonSpikingNeurons, a 5×5 graded kernel
projection onto a second 100×100 layer (~240k synapses, 'same' zero padding), 1 s at
dt = 0.1 ms (10,000 steps). Target: run < 30 s on one core.

    python benchmarks/graded_grid.py [--size 100] [--kernel 5] [--tstop 1000] [--nonlinearity sigmoid]
                                     [--per-connection]

``--per-connection`` gives every connection its own threshold, which disables the
per-presynaptic-cell fast path (activation once per presynaptic cell + sparse
mat-vec) and measures the generic gather/bincount path.
"""
import argparse
import json
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--kernel", type=int, default=5)
    parser.add_argument("--tstop", type=float, default=1000.0)
    parser.add_argument("--dt", type=float, default=0.1)
    parser.add_argument("--nonlinearity", default="sigmoid", choices=["sigmoid", "clip", "relu", "tanh"])
    parser.add_argument("--per-connection", action="store_true")
    args = parser.parse_args()

    import pynnlite.backends.numpy as sim

    t0 = time.perf_counter()
    sim.setup(timestep=args.dt)
    n = args.size
    rng = np.random.default_rng(1)
    drive = rng.uniform(0.0, 20.0, n * n)
    retina = sim.Population((n, n), sim.NonSpikingNeuron(cm=5.0, g_m=1.0, i_offset=drive), label="retina")
    layer = sim.Population((n, n), sim.NonSpikingNeuron(cm=5.0, g_m=1.0), label="layer")
    k = args.kernel
    yy, xx = np.mgrid[:k, :k] - k // 2
    kernel = 0.2 * np.exp(-(xx ** 2 + yy ** 2) / 4.0)          # µS, Gaussian centre
    e_rev = np.where(xx ** 2 + yy ** 2 <= 1, 40.0, -40.0)     # excitatory centre, inhibitory surround
    synapse = sim.GradedSynapse(v_th=10.0, delta=5.0, nonlinearity=args.nonlinearity)
    prj = sim.Projection(retina, layer, sim.KernelConnector(kernel, padding="same", e_rev=e_rev), synapse)
    if args.per_connection:
        prj.set(v_th=sim.RandomDistribution("uniform", (9.0, 11.0)))
    layer.record("v", sampling_interval=10.0)
    build = time.perf_counter() - t0

    t1 = time.perf_counter()
    sim.run(args.tstop)
    run = time.perf_counter() - t1
    v = layer.get_data().segments[0].analogsignals[0]
    result = {"cells": 2 * n * n, "synapses": len(prj), "steps": int(round(args.tstop / args.dt)),
              "build_s": round(build, 3), "run_s": round(run, 3),
              "us_per_step": round(1e6 * run / max(1, round(args.tstop / args.dt)), 1),
              "mean_v_end": float(np.mean(np.asarray(v)[-1])),
              "path": "per-connection" if args.per_connection else "per-presynaptic-cell"}
    sim.end()
    print(f"graded grid {n}x{n}, {k}x{k} kernel, {result['synapses']} synapses, "
          f"{result['steps']} steps ({result['path']} activation): build {build:.2f} s, run {run:.2f} s "
          f"({result['us_per_step']} µs/step); target run < 30 s: {'OK' if run < 30 else 'MISSED'}")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
