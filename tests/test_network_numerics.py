"""Whole-API numerics checked against closed forms (not against the code's own output)."""
import numpy as np


def psp(t, w, tau_m, tau_s, cm):
    """Closed-form PSP of IF_curr_exp for a current jump w (nA) at t=0:
    v(t) - v_rest = w·τm·τs/(cm·(τs − τm))·(e^(−t/τs) − e^(−t/τm))."""
    return w * tau_m * tau_s / (cm * (tau_s - tau_m)) * (np.exp(-t / tau_s) - np.exp(-t / tau_m))


def test_spike_arrives_exactly_after_delay_and_psp_matches_closed_form(sim):
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=20.0, tau_syn_E=5.0, cm=1.0, v_thresh=0.0))
    sim.Projection(source, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=1.5))
    cell.record("v")
    sim.run(60.0)
    signal = cell.get_data().segments[0].analogsignals[0]
    t = signal.times.rescale("ms").magnitude
    v = signal.magnitude[:, 0]
    arrival = 10.0 + 1.5
    before = t <= arrival + 1e-9
    assert np.all(v[before] == -65.0)
    after = t > arrival + 1e-9
    expected = -65.0 + psp(t[after] - arrival, 0.5, 20.0, 5.0, 1.0)
    np.testing.assert_allclose(v[after], expected, rtol=0, atol=1e-9)


def test_spike_at_zero_with_auto_min_delay_is_not_late(sim):
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.0, 2.0]))
    cell = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0))
    sim.Projection(source, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=0.1))
    cell.record("isyn_exc")
    sim.run(5.0)
    i = cell.get_data().segments[0].analogsignals[0].magnitude[:, 0]
    # The current jumps by w at t = 0.1 ms and 2.1 ms exactly. A sample at an arrival instant is
    # the value just before the jump, so the closed form I(t) = w·e^(−(t − 0.1)/τs) holds from index 2.
    t = np.arange(i.size) * 0.1
    expected = np.where(t > 0.1 + 1e-9, np.exp(-(t - 0.1) / 5.0), 0.0) \
        + np.where(t > 2.1 + 1e-9, np.exp(-(t - 2.1) / 5.0), 0.0)
    np.testing.assert_allclose(i, expected, rtol=0, atol=1e-12)


def test_dc_source_charging_closed_form(sim):
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=10.0, cm=0.25, v_thresh=100.0))
    sim.DCSource(amplitude=0.5, start=5.0, stop=1e9).inject_into(cell)
    cell.record("v")
    sim.run(50.0)
    signal = cell.get_data().segments[0].analogsignals[0]
    t = signal.times.rescale("ms").magnitude
    v = signal.magnitude[:, 0]
    R = 10.0 / 0.25
    expected = np.where(t <= 5.0, -65.0, -65.0 + R * 0.5 * (1 - np.exp(-(t - 5.0) / 10.0)))
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-9)


def test_first_spike_time_and_refractory_period(sim):
    tau_m, cm, i_dc, theta, tau_refrac = 20.0, 1.0, 1.0, -50.0, 2.0
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=tau_m, cm=cm, i_offset=i_dc, v_thresh=theta,
                                             tau_refrac=tau_refrac, v_reset=-65.0))
    cell.record("spikes")
    sim.run(100.0)
    spikes = cell.get_data().segments[0].spiketrains[0].magnitude
    R = tau_m / cm
    first = tau_m * np.log(R * i_dc / (R * i_dc - (theta + 65.0)))
    assert abs(spikes[0] - first) <= 0.1
    # after the refractory period the cell charges again from v_reset: same interval + tau_refrac
    assert np.all(np.abs(np.diff(spikes) - (first + tau_refrac)) <= 0.1 + 1e-9)


def test_poisson_rate_within_three_sigma(sim):
    rate, duration, n = 20.0, 2000.0, 500
    sources = sim.Population(n, sim.SpikeSourcePoisson(rate=rate))
    sources.record("spikes")
    sim.run(duration)
    counts = np.array([len(st) for st in sources.get_data().segments[0].spiketrains])
    expected = rate * duration / 1000.0 * n
    assert abs(counts.sum() - expected) < 3 * np.sqrt(expected)


def test_reset_starts_new_segment_and_restores_state(sim):
    cell = sim.Population(1, sim.IF_curr_exp(i_offset=1.0))
    cell.record(["spikes", "v"])
    sim.run(50.0)
    first = cell.get_data().segments[0].spiketrains[0].magnitude.copy()
    sim.reset()
    assert sim.get_current_time() == 0.0
    sim.run(50.0)
    block = cell.get_data()
    assert len(block.segments) == 2
    np.testing.assert_array_equal(block.segments[1].spiketrains[0].magnitude, first)
