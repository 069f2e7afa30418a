"""Spike delivery through static synapses (backends/numpy/delivery.py), checked against the
closed form of IF_curr_exp's synaptic currents: I(t) = Σ w·e^(−(t − arrival)/τs) over the
spikes that arrived before t (a sample at an arrival instant is the value before the jump)."""
import numpy as np
import pytest

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
    # as PyNN, the view is cells 1 and 3 in that order: row 0 of the weights is cell 1's
    np.testing.assert_allclose(exc[:, 0], expected(t, [(2.5, 0.5), (4.5, 0.25)]), atol=1e-12)


def jump_steps(current, dt=0.1):
    """Sample indices where the current jumps up (the sample after an arrival)."""
    rise = np.diff(current) > 1e-12
    return np.flatnonzero(rise) + 1


def test_neuron_spikes_arrive_exactly_one_min_delay_later(sim):
    # the exchange of a slice's spikes completes during the next slice: a spike in the last
    # step of a slice, with delay == min_delay, must still act exactly on time
    sim.setup(timestep=0.1, min_delay=1.0)
    driver = sim.Population(3, sim.IF_curr_exp(i_offset=[2.0, 2.7, 3.9], v_thresh=-55.0, tau_refrac=2.0))
    target = sim.Population(3, sim.IF_curr_exp(tau_syn_E=TAU_S, v_thresh=1e6))
    sim.Projection(driver, target, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1, delay=1.0))
    driver.record("spikes")
    target.record("isyn_exc")
    sim.run(40.0)
    trains = driver.get_data().segments[0].spiketrains
    t, exc = currents(target, "isyn_exc")
    for cell, train in enumerate(trains):
        spikes = train.magnitude
        assert spikes.size > 3
        np.testing.assert_allclose(exc[:, cell], expected(t, [(s + 1.0, 0.1) for s in spikes]), atol=1e-12)
        # spikes fall on every position within a 10-step slice across the three cells
    steps = np.round(np.concatenate([tr.magnitude for tr in trains]) / 0.1).astype(int)
    assert len(set(steps % 10)) >= 5


def tm_first_responses(sim, pre, weight=0.5, U=0.5):
    cell = sim.Population(1, sim.IF_curr_exp(tau_syn_E=TAU_S, v_thresh=1e6))
    sim.Projection(pre, cell, sim.AllToAllConnector(),
                   sim.TsodyksMarkramSynapse(U=U, tau_rec=800.0, tau_facil=0.0, weight=weight, delay=1.0))
    cell.record("isyn_exc")
    return cell


def test_plastic_synapses_from_sources_act_on_time(sim):
    # a spike source's spikes are exchanged a slice ahead; a plastic route fed by sources
    # learns at the end of each slice: the first TM response is U·w exactly at t + delay
    sim.setup(timestep=0.1, min_delay=1.0)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    cell = tm_first_responses(sim, source)
    sim.run(15.0)
    t, exc = currents(cell, "isyn_exc")
    np.testing.assert_allclose(exc[:, 0], expected(t, [(6.0, 0.25)]), atol=1e-12)


def test_plastic_synapses_fed_by_sources_and_neurons_act_on_time(sim):
    # an Assembly of a source and a neuron population feeding one plastic projection: the
    # exchange is then completed before the next slice (no overlap), and both act on time
    sim.setup(timestep=0.1, min_delay=1.0)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    neuron = sim.Population(1, sim.IF_curr_exp(i_offset=1.0, v_thresh=-55.0, tau_refrac=50.0))
    neuron.record("spikes")
    cell = tm_first_responses(sim, source + neuron)
    sim.run(30.0)
    spike = float(neuron.get_data().segments[0].spiketrains[0].magnitude[0])
    t, exc = currents(cell, "isyn_exc")
    np.testing.assert_allclose(exc[:, 0], expected(t, [(6.0, 0.25), (spike + 1.0, 0.25)]), atol=1e-12)


@pytest.mark.parametrize("synapse", ["static", "tm"])
def test_a_view_sharing_cells_with_an_assembly_member_is_left_out(sim, synapse):
    """pre = src[[0]] + src[[0, 1]]: as PyNN's Assembly (measured with PyNN 0.13 + NEST), the
    second view, which shares cell 0 with the first, is left out with a warning, so the post
    cell gets cell 0's spikes through one connection, as from src[[0]] alone (pynnlite once
    kept cell 0 twice and delivered through both connections)."""
    def current(pre_of, weight):
        sim.setup(timestep=0.1, min_delay=1.0)
        src = sim.Population(2, sim.SpikeSourceArray(spike_times=[[2.0, 9.0], [5.0]]))
        post = sim.Population(1, sim.IF_curr_exp(v_thresh=1e6))
        if synapse == "static":
            synapse_type = sim.StaticSynapse(weight=weight, delay=1.0)
        else:
            synapse_type = sim.TsodyksMarkramSynapse(U=0.5, tau_rec=50.0, weight=weight, delay=1.0)
        sim.Projection(pre_of(src), post, sim.AllToAllConnector(), synapse_type)
        post.record("isyn_exc")
        sim.run(15.0)
        return post.get_data().segments[0].analogsignals[0].magnitude[:, 0]
    with pytest.warns(UserWarning, match="shares cells with"):
        added = current(lambda src: src[[0]] + src[[0, 1]], [[1.0]])
    once = current(lambda src: src[[0]], [[1.0]])
    np.testing.assert_array_equal(added, once)
    assert once.max() > 0
