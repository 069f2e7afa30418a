"""Corners of PyNN 0.13's API found by comparing scripts on PyNN 0.13 + NEST 3.10 with pynnlite
(2026-11-23); each test states what PyNN+NEST gave."""
import numpy as np
import pytest

from pynnlite import errors


def test_assembly_get_data_reads_a_variable_from_the_members_that_record_it(sim):
    # PyNN+NEST: (cells + noise).get_data('v') has the cells' v; with 'spikes' too, every train
    cells = sim.Population(3, sim.IF_cond_exp(i_offset=1.0), label="cells")
    noise = sim.Population(2, sim.SpikeSourcePoisson(rate=200.0), label="noise")
    net = cells + noise
    net.record("spikes")
    cells.record("v")
    sim.run(20.0)
    signals = net.get_data("v").segments[0].analogsignals
    assert [(s.name, s.shape) for s in signals] == [("v", (201, 3))]
    segment = net.get_data(["v", "spikes"]).segments[0]
    assert len(segment.analogsignals) == 1 and len(segment.spiketrains) == 5
    with pytest.raises(errors.RecordingError, match="'v'"):   # no member can: a mistake, said so
        noise.get_data("v")


def test_assembly_signal_channel_index_counts_cells_across_the_assembly(sim):
    # PyNN+NEST: gsyn_exc recorded in B only has channel_index [3, 4]; v of A and B is 'A;B'
    a = sim.Population(3, sim.IF_cond_exp(), label="A")
    b = sim.Population(2, sim.IF_cond_exp(), label="B")
    a.record("v")
    b.record(["v", "gsyn_exc"])
    sim.run(1.0)
    signals = {s.name: s for s in (a + b).get_data().segments[0].analogsignals}
    assert list(signals["gsyn_exc"].array_annotations["channel_index"]) == [3, 4]
    assert list(signals["v"].array_annotations["channel_index"]) == [0, 1, 2, 3, 4]
    assert signals["v"].annotations["source_population"] == "A;B"


def test_one_sampling_interval_per_population(sim):
    # PyNN+NEST: ValueError "All neurons in a population must be recorded with the same
    # sampling interval", v keeps its 1 ms; an interval given with spikes alone sets nothing
    p = sim.Population(4, sim.IF_cond_exp())
    p.record("v", sampling_interval=1.0)
    with pytest.raises(ValueError, match="same sampling interval"):
        p[0:2].record("gsyn_exc", sampling_interval=0.5)
    p.record("gsyn_exc", sampling_interval=1.0)
    q = sim.Population(2, sim.IF_cond_exp())
    q.record("spikes", sampling_interval=2.0)
    q.record("v")
    sim.run(10.0)
    v = p.get_data().segments[0].filter(name="v")[0]
    assert v.shape == (11, 4) and float(v.sampling_period) == 1.0
    assert q.get_data().segments[0].filter(name="v")[0].shape == (101, 2)


def test_assembly_functions_get_the_index_within_each_member(sim):
    # PyNN+NEST (Assembly.set/initialize set each member): B's i_offset [0, 0.1, 0.2], v [-70, -69, -68]
    a = sim.Population(3, sim.IF_curr_exp())
    b = sim.Population(3, sim.IF_curr_exp())
    (a + b).set(i_offset=lambda i: 0.1 * i)
    (a + b).initialize(v=lambda i: -70.0 + i)
    assert np.allclose(b.get("i_offset"), [0.0, 0.1, 0.2])
    assert list(b.initial_values["v"]) == [-70.0, -69.0, -68.0]
    (a[1:] + b[::2]).set(tau_m=lambda i: 10.0 + i)    # a view's own index, as its set() gives
    assert list(a.get("tau_m")) == [20.0, 10.0, 11.0] and list(b.get("tau_m")) == [10.0, 20.0, 11.0]


@pytest.mark.parametrize("name, parameters", [("DCSource", {"amplitude"}), ("ACSource", {"offset", "amplitude"}),
                                              ("NoisyCurrentSource", {"mean"})])
def test_current_source_random_distribution_draws_one_value(sim, name, parameters):
    # PyNN+NEST: DCSource(amplitude=RandomDistribution(...)) reads back and injects one drawn value
    draws = sim.NumpyRNG(seed=3).uniform(0.1, 0.5, size=len(parameters))
    rd = sim.RandomDistribution("uniform", (0.1, 0.5), rng=sim.NumpyRNG(seed=3))
    source = getattr(sim, name)(**{parameter: rd for parameter in sorted(parameters)})
    assert [getattr(source, parameter) for parameter in sorted(parameters)] == pytest.approx(list(draws))
    source.set_parameters(start=sim.RandomDistribution("uniform", (1.0, 1.0)))
    assert source.start == 1.0
    cell = sim.Population(1, sim.IF_cond_exp())
    source.inject_into(cell)
    source.record()
    sim.run(5.0)    # ran (before: a TypeError from inside the engine)
    if name == "DCSource":
        assert source.get_data().magnitude[-1, 0] == pytest.approx(draws[0])


@pytest.mark.parametrize("sizes", [(5, 4), (3, 5)])
def test_one_to_one_between_populations_of_different_sizes(sim, sizes):
    # PyNN+NEST: 5 -> 4 cells gives (0,0) ... (3,3)
    pre, post = (sim.Population(n, sim.IF_cond_exp()) for n in sizes)
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01))
    pairs = sorted((int(i), int(j)) for i, j, _ in prj.get("weight", format="list"))
    assert pairs == [(k, k) for k in range(min(sizes))]


def test_flags_take_pynns_one_and_zero(sim):
    # PyNN takes any truth value; pynnlite the integers 1 and 0 besides True/False
    p = sim.Population(2, sim.IF_cond_exp())
    p.record("v")
    sim.run(1.0)
    assert p.get_data(clear=1).segments[0].analogsignals
    assert not any(s.analogsignals for s in p.get_data(clear=0).segments)   # cleared by clear=1
    with pytest.raises(errors.InvalidParameterValueError, match="clear"):
        p.get_data(clear=2)
