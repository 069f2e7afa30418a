"""Run one Vogels–Abbott network with one simulator and print its timings as JSON.

Runs under pynnlite or under PyNN (e.g. ``--simulator pyNN.nest`` with an interpreter
that has PyNN and NEST), so both are measured by the same script on the same machine.
"""
import argparse
import importlib
import importlib.util
import json
import os
import resource
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_example():
    path = os.path.join(HERE, os.pardir, "examples", "vogels_abbott.py")
    spec = importlib.util.spec_from_file_location("vogels_abbott_example", path)
    module = importlib.util.module_from_spec(spec)
    # the example imports pynnlite.get_backend at top level; provide a stand-in under PyNN
    if importlib.util.find_spec("pynnlite") is None:
        import types
        sys.modules["pynnlite"] = types.SimpleNamespace(get_backend=importlib.import_module)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--simulator", default="pynnlite.backends.numpy")
    parser.add_argument("--benchmark", choices=("COBA", "CUBA"), default="COBA")
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--tstop", type=float, default=1000.0)
    args = parser.parse_args()
    sim = importlib.import_module(args.simulator)
    example = load_example()
    exc, inh, projections, timings = example.build_and_run(sim, args.benchmark, args.n, args.tstop,
                                                           record_v=False)
    result = dict(simulator=args.simulator, benchmark=args.benchmark, n=args.n, tstop=args.tstop,
                  build=timings["build"], run=timings["run"],
                  rate_exc=exc.mean_spike_count() * 1000.0 / args.tstop,
                  rate_inh=inh.mean_spike_count() * 1000.0 / args.tstop,
                  synapses=int(sum(p.size() for p in projections.values())),
                  peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    sim.end()
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
