"""Spike delivery through static synapses (backends/numpy/delivery.py), checked against the
closed form of IF_curr_exp's synaptic currents: I(t) = Σ w·e^(−(t − arrival)/τs) over the
spikes that arrived before t (a sample at an arrival instant is the value before the jump)."""
import numpy as np

TAU_S = 5.0


def currents(cell, name):
    for signal in cell.get_data().segments[-1].analogsignals:
        if signal.name == name:
            return signal.times.rescale("ms").magnitude, signal.magnitude
    raise AssertionError(name)


def expected(t, arrivals_weights):
    out = np.zeros_like(t)
    for arrival, weight in arrivals_weights:
        out += np.where(t > arrival + 1e-9, weight * np.exp(-(t - arrival) / TAU_S), 0.0)
    return out


def test_projections_onto_one_population_sum_with_their_own_delays_and_rows(sim):
    # two projections from one source and one from another onto the same cells:
    # uniform delays, mixed delays, and a negative current weight on the excitatory receptor
    a = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0], [3.0]]))
    b = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    cells = sim.Population(2, sim.IF_curr_exp(tau_syn_E=TAU_S, tau_syn_I=TAU_S, v_thresh=1e6))
    sim.Projection(a, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    sim.Projection(a, cells, sim.FromListConnector([(0, 1, 0.25, 0.5), (1, 1, 0.125, 2.0)]),
                   sim.StaticSynapse())
    sim.Projection(b, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.75, delay=0.3))
    cells.record(["isyn_exc", "isyn_inh"])
    sim.run(12.0)
    t, exc = currents(cells, "isyn_exc")
    _, inh = currents(cells, "isyn_inh")
    np.testing.assert_allclose(exc[:, 0], expected(t, [(2.0, 0.5)]), atol=1e-12)
    np.testing.assert_allclose(exc[:, 1], expected(t, [(4.0, 0.5), (1.5, 0.25), (5.0, 0.125)]), atol=1e-12)
    for column in (0, 1):   # the negative weight acts through the inhibitory receptor as −|w|
        np.testing.assert_allclose(inh[:, column], expected(t, [(2.3, -0.75)]), atol=1e-12)


def test_weights_and_delays_set_between_runs_take_effect(sim):
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 11.0, 21.0]))
    cell = sim.Population(1, sim.IF_curr_exp(tau_syn_E=TAU_S, v_thresh=1e6))
    projection = sim.Projection(source, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    cell.record("isyn_exc")
    sim.run(10.0)
    projection.set(weight=2.0)
    sim.run(10.0)
    projection.set(delay=3.0)
    sim.run(10.0)
    t, exc = currents(cell, "isyn_exc")
    arrivals = [(2.0, 0.5), (12.0, 2.0), (24.0, 2.0)]
    np.testing.assert_allclose(exc[:, 0], expected(t, arrivals), atol=1e-12)


def test_view_as_source_delivers_only_its_cells(sim):
    sources = sim.Population(4, sim.SpikeSourceArray(spike_times=[[1.0], [2.0], [3.0], [4.0]]))
    cell = sim.Population(1, sim.IF_curr_exp(tau_syn_E=TAU_S, v_thresh=1e6))
    sim.Projection(sources[[3, 1]], cell, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=[[0.5], [0.25]], delay=0.5))
    cell.record("isyn_exc")
    sim.run(10.0)
    t, exc = currents(cell, "isyn_exc")
    np.testing.assert_allclose(exc[:, 0], expected(t, [(4.5, 0.5), (2.5, 0.25)]), atol=1e-12)
