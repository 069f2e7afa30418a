"""Bad values in some connections only (on one process's post cells): every process must raise
the same error and keep the same network. Each process writes the errors it saw (class, message)
and its projection count as JSON to ``out.<rank>``.

    python local_errors.py numpy out
    mpiexec -n 3 python local_errors.py mpi out
"""
import json
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1, min_delay=1.0)
p = sim.Population(6, sim.IF_cond_exp())
q = sim.Population(6, sim.IF_cond_exp())
seen = []


def attempt(build):
    try:
        build()
        seen.append(None)
    except Exception as error:   # pynnlite's, and a user's function's own
        seen.append([type(error).__name__, str(error)])


# each bad value sits on post cell 4 only (one process of 2 or 3)
attempt(lambda: sim.Projection(p, q, sim.FromListConnector([(0, 1, 0.1, 1.0), (2, 4, 0.1, 0.3)]), sim.StaticSynapse()))
attempt(lambda: sim.Projection(p, q, sim.FromListConnector([(0, 1, 0.1, 1.0), (2, 4, -0.1, 1.0)]), sim.StaticSynapse()))
attempt(lambda: sim.Projection(p, q, sim.IndexBasedProbabilityConnector(lambda i, j: np.where(j == 4, 2.0, 0.5)),
                               sim.StaticSynapse(weight=0.1, delay=1.0)))
attempt(lambda: sim.Projection(p, q, sim.FromListConnector([(0, 4, 0.1, 1.0, 1.5), (0, 0, 0.1, 1.0, 0.5)],
                                                           column_names=["weight", "delay", "U"]),
                               sim.TsodyksMarkramSynapse()))
# errors whose message depends on which connections a process holds: every process must
# raise the error one process raises for the whole projection (the check that comes first,
# the smallest offending delay, the first offending connection in (pre, post) order)
rng = sim.NumpyRNG(seed=11, parallel_safe=True)
attempt(lambda: sim.Projection(p, q, sim.AllToAllConnector(),
                               sim.StaticSynapse(weight=0.1, delay=sim.RandomDistribution("uniform", (0.2, 3.0), rng=rng))))
attempt(lambda: sim.Projection(p, q, sim.FromListConnector([(0, 1, -0.1, 1.0), (2, 4, 0.1, 0.3)]), sim.StaticSynapse()))
attempt(lambda: sim.Projection(p, q, sim.IndexBasedProbabilityConnector(
    lambda i, j: np.where((j == 3) & (i == 5), 1.5, np.where((j == 4) & (i == 0), 3.0, 0.5))),
    sim.StaticSynapse(weight=0.1, delay=1.0)))
attempt(lambda: sim.Projection(p, q, sim.FromListConnector([(1, 0, 0.1, 1.0, 1.7), (0, 5, 0.1, 1.0, 1.5)],
                                                           column_names=["weight", "delay", "U"]),
                               sim.TsodyksMarkramSynapse()))


def fails_for_post_cell_4(i, j):
    if np.any(np.asarray(j) == 4):
        raise ZeroDivisionError("the user's function fails for post cell 4")
    return np.full(np.broadcast(i, j).shape, 0.5)


# a user's function failing on one process's cells only: its own error on every process
attempt(lambda: sim.Projection(p, q, sim.IndexBasedProbabilityConnector(fails_for_post_cell_4),
                               sim.StaticSynapse(weight=0.1, delay=1.0)))
good = sim.Projection(p, q, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=2.0))
delays = np.full((6, 6), 2.0)
delays[1, 4] = 0.2
attempt(lambda: good.set(delay=delays))
attempt(lambda: good.set(weight=sim.RandomDistribution("normal", (0.0, 1.0), rng=rng)))
# a 1D array with one value per connection of the whole projection, in get(format='list') order
# ((pre, post), a pair's connections in list order), at creation, in set() and in initialize():
# the same on any number of processes
pairs = [(3, 1), (0, 4), (0, 1), (5, 0), (0, 1), (2, 5), (1, 2)]
n_pairs = len(pairs)
tm = sim.TsodyksMarkramSynapse(weight=np.linspace(0.1, 0.7, n_pairs), delay=1.0)
arrays = sim.Projection(p, q, sim.FromListConnector(pairs), tm)
arrays.set(delay=np.arange(1.0, 1.0 + n_pairs))
arrays.initialize(u=np.linspace(0.0, 0.6, n_pairs))
by_array = [list(c) for c in arrays.get(["weight", "delay", "u"], format="list", gather="all")]
# a shared kernel reads back exactly the kernel set; untied by one connection, an element is
# the mean of its connections, summed in the projection's order on any number of processes
grid_in = sim.Population((1, 4, 4), sim.SpikeSourceArray(spike_times=[1.0]))
grid_out = sim.Population((1, 4, 4), sim.IF_curr_exp())
conv = sim.Projection(grid_in, grid_out, sim.KernelConnector(np.full((3, 3), 0.1)), sim.StaticSynapse(delay=1.0))
kernels = [conv.kernel.ravel().tolist()]
conv.kernel = np.full((3, 3), 0.7)
kernels.append(conv.kernel.ravel().tolist())
untied = np.full(conv.size(), 0.7)
untied[::3] = [0.1 * k for k in range(untied[::3].size)]
conv.set(weight=untied)
kernels.append(conv.kernel.ravel().tolist())
sim.run(5.0)
result = {"errors": seen, "projections": len(p.simulation.projections), "by_array": by_array, "kernels": kernels,
          "delays": sorted(set(np.asarray(good.get("delay", format="list", gather="all"))[:, 2].tolist()))}
with open(f"{out}.{sim.rank()}", "w") as f:
    json.dump(result, f)
sim.end()
