"""Checks across a connection's columns (w_min <= w_max, the sign of normalised weights, a
weight dependence's own checks, e_hi > e_lo, TM's u/x/y) with offending connections on two
processes: every process must raise the error the numpy backend raises (the check that comes
first, then the first offending connection in (pre, post) order). Each process writes the errors
it saw as JSON to ``out.<rank>``.

    python column_check_order.py numpy out
    mpiexec -n 3 python column_check_order.py mpi out
"""
import json
import sys

import numpy as np

import pynnlite

backend, out = sys.argv[1], sys.argv[2]
sim = pynnlite.get_backend(backend)
sim.setup(timestep=0.1, min_delay=1.0)
pre = sim.Population(12, sim.SpikeSourceArray(spike_times=[1.0]))
post = sim.Population(12, sim.IF_curr_exp())
ns = sim.Population(12, sim.NonSpikingNeuron())
seen = []


def attempt(call):
    try:
        call()
        seen.append(None)
    except pynnlite.errors.PynnliteError as error:
        seen.append([type(error).__name__, str(error)])


def at(bad, base):
    """12 values (3 pre x 4 post, all to all): ``bad`` {connection: value}, else ``base``."""
    return np.array([bad.get(k, base) for k in range(12)])


# connection 1 = (pre 0, post 1) is on process 1, connection 4 = (pre 1, post 0) on process 0
A2A = sim.AllToAllConnector


def stdp(dependence, timing=None):
    return sim.STDPMechanism(timing or sim.SpikePairRule(), dependence, weight=0.5, delay=1.0,
                             constraints=[sim.WeightNormalization(1.0)])


gutig = sim.Projection(pre[0:3], post[0:4], A2A(), stdp(sim.GutigWeightDependence(w_min=-2.0, w_max=1.0)))
attempt(lambda: gutig.set(weight=at({4: -0.3}, 0.5), w_max=at({1: -1.0}, 1.0)))   # normalisation first
additive = sim.Projection(pre[0:3], post[0:4], A2A(), stdp(sim.AdditiveWeightDependence(w_min=-2.0, w_max=1.0)))
attempt(lambda: additive.set(w_min=at({1: 3.0, 4: 5.0}, 0.0)))                     # connection 1's bounds
attempt(lambda: additive.set(weight=at({1: -0.3}, 0.5), w_min=at({4: 5.0}, -2.0)))  # bounds first
vogels = sim.Projection(pre[0:3], post[0:4], A2A(), stdp(sim.AdditiveWeightDependence(w_min=-2.0, w_max=1.0),
                                                         sim.Vogels2011Rule()))
attempt(lambda: vogels.set(weight=at({4: -0.3}, 0.5), w_max=at({1: -1.0}, 1.0)))   # normalisation first
rstdp = sim.Projection(pre[0:3], post[0:4], A2A(), sim.RewardModulatedSTDP(weight=0.5, delay=1.0))
attempt(lambda: rstdp.set(w_max=at({1: -3.0, 4: -5.0}, 1.0)))                      # connection 1's bounds
graded = sim.Projection(ns[0:3], ns[0:4], A2A(), sim.GradedSynapse(weight=0.1, e_lo=0.0, e_hi=10.0))
attempt(lambda: graded.set(e_hi=at({1: -3.0, 4: -5.0}, 10.0)))                     # connection 1's e_hi
tm = sim.Projection(pre[0:3], post[0:4], A2A(), sim.TsodyksMarkramSynapse(weight=0.1, delay=1.0))
attempt(lambda: tm.initialize(u=at({4: 1.5}, 0.0), x=at({1: 0.9}, 0.5), y=0.3))     # u before x + y
attempt(lambda: tm.initialize(x=at({1: 0.9, 4: 0.8}, 0.5), y=0.3))
with open(f"{out}.{sim.rank()}", "w") as f:
    json.dump({"errors": seen}, f)
sim.end()
