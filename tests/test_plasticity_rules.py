"""Tsodyks-Markram, Vogels 2011, reward-modulated STDP and weight constraints, against closed
forms, published behaviour and direct numerical integration (not the code's own output)."""
import math
import os

import numpy as np
import pytest
from mpi_support import assert_mpi_equals_numpy
from scipy.integrate import quad
from scipy.linalg import expm

from pynnlite import errors


# -- Tsodyks-Markram ----------------------------------------------------------------------------

def tm_amplitudes(times, U, tau_rec, tau_facil, tau_psc, w):
    """PSC amplitudes of the three-state model (Tsodyks, Uziel & Markram 2000, as NEST's
    tsodyks_synapse): between spikes the linear system dx/dt = z/τrec, dy/dt = −y/τpsc,
    dz/dt = y/τpsc − z/τrec is solved with a matrix exponential; u decays with τfacil
    (to 0 at once if τfacil = 0); at a spike u += U(1 − u), the PSC is u·x·w, x −= u·x, y += u·x."""
    M = np.array([[0.0, 0.0, 1.0 / tau_rec], [0.0, -1.0 / tau_psc, 0.0], [0.0, 1.0 / tau_psc, -1.0 / tau_rec]])
    state = np.array([1.0, 0.0, 0.0])
    u, last, out = 0.0, 0.0, []
    for t in times:
        state = expm(M * (t - last)) @ state
        u = u * math.exp(-(t - last) / tau_facil) if tau_facil > 0 else 0.0
        u += U * (1.0 - u)
        release = u * state[0]
        state = state + np.array([-release, release, 0.0])
        out.append(release * w)
        last = t
    return np.array(out), u, state, last


@pytest.mark.parametrize("U, tau_rec, tau_facil", [(0.45, 180.0, 0.0), (0.1, 90.0, 600.0), (0.3, 3.0, 40.0)])
@pytest.mark.parametrize("receptor, tau_syn", [("excitatory", 3.0), ("inhibitory", 7.5)])
def test_tsodyks_markram_amplitude_sequence(sim, U, tau_rec, tau_facil, receptor, tau_syn):
    """A regular train through a TM synapse: the PSC amplitudes measured on the post cell's
    synaptic current (I jumps by the amplitude at the arrival, then decays with tau_syn;
    a sample at an arrival instant is the value just before the jump)."""
    spike_times = [10.0 + 25.0 * k for k in range(12)] + [420.0, 425.0, 800.0]
    delay, w, dt = 1.3, 2.5, 0.1
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=spike_times))
    post = sim.Population(1, sim.IF_curr_exp(v_thresh=1e6, tau_syn_E=3.0, tau_syn_I=7.5))
    tm = sim.TsodyksMarkramSynapse(U=U, tau_rec=tau_rec, tau_facil=tau_facil, weight=w, delay=delay)
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), tm, receptor_type=receptor)
    variable = "isyn_exc" if receptor == "excitatory" else "isyn_inh"
    post.record(variable)
    sim.run(500.0)
    sim.run(350.0)
    current = np.abs(post.get_data().segments[0].analogsignals[0].magnitude[:, 0])
    arrivals = np.rint((np.array(spike_times) + delay) / dt).astype(int)
    measured = current[arrivals + 1] * math.exp(dt / tau_syn) - current[arrivals]
    expected, u, state, last = tm_amplitudes(spike_times, U, tau_rec, tau_facil, tau_syn, w)
    np.testing.assert_allclose(measured, expected, rtol=1e-9, atol=1e-12)
    # the state read after the run is the state at the current time
    t_now = sim.get_current_time()
    x, y, _ = expm(np.array([[0, 0, 1 / tau_rec], [0, -1 / tau_syn, 0], [0, 1 / tau_syn, -1 / tau_rec]])
                   * (t_now - last)) @ state
    u_now = u * math.exp(-(t_now - last) / tau_facil) if tau_facil > 0 else 0.0
    got = prj.get(["u", "x", "y"], format="list", with_address=False)[0]
    np.testing.assert_allclose(got, [u_now, x, y], rtol=1e-9, atol=1e-12)


def test_tsodyks_markram_reset_restores_state_keeps_weights(sim):
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[5.0, 10.0, 15.0]))
    post = sim.Population(2, sim.IF_curr_exp(v_thresh=1e6))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.7, tau_facil=50.0))
    prj.initialize(x=0.9)
    sim.run(20.0)
    assert np.all(prj.get("x", format="array") < 0.9)
    prj.set(weight=0.3)
    sim.reset()
    np.testing.assert_array_equal(prj.get("x", format="array"), 0.9)
    np.testing.assert_array_equal(prj.get("u", format="array"), 0.0)
    np.testing.assert_array_equal(prj.get("weight", format="array"), 0.3)


@pytest.mark.parametrize("synapse", ["tm", "stdp"])
def test_plastic_projection_with_a_post_population_it_does_not_reach(sim, synapse):
    """A plastic projection onto an Assembly whose second population gets no connection (or,
    under MPI, a process holding none of its connections) runs, and its connection learns as
    the same projection onto the first population alone (it crashed in delivery before)."""
    def build(onto_assembly):
        sim.setup(timestep=0.1, min_delay=1.0)
        source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 12.0, 30.0, 31.0]))
        reached = sim.Population(1, sim.IF_curr_exp(i_offset=1.0))
        missed = sim.Population(2, sim.IF_curr_exp())
        if synapse == "tm":
            synapse_type = sim.TsodyksMarkramSynapse(U=0.5, tau_rec=100.0, weight=0.5, delay=1.0)
        else:
            synapse_type = sim.STDPMechanism(sim.SpikePairRule(), sim.AdditiveWeightDependence(w_max=1.0),
                                             weight=0.5, delay=1.0)
        post = reached + missed if onto_assembly else reached
        prj = sim.Projection(source, post, sim.FromListConnector([(0, 0)]), synapse_type)
        reached.record(["spikes", "isyn_exc"])
        sim.run(50.0)
        state = prj.get(["weight", "u", "x"] if synapse == "tm" else ["weight"], format="list")
        return state, reached.get_data().segments[0].analogsignals[0].magnitude
    state, current = build(onto_assembly=True)
    alone_state, alone_current = build(onto_assembly=False)
    assert state == alone_state
    np.testing.assert_array_equal(current, alone_current)
    assert current.max() > 0   # the input did arrive


@pytest.mark.parametrize("synapse", ["tm", "stdp"])
def test_plastic_state_carried_when_routes_are_rebuilt_between_runs(sim, synapse):
    """Adding a projection (zero weight) between two runs rebuilds the engine's routes: the
    plastic projection's state and pending events carry over, so its weights and state equal
    those of the same two runs without the extra projection (the rebuild crashed before)."""
    def build(add_between):
        sim.setup(timestep=0.1, min_delay=1.0)
        rng = sim.NumpyRNG(seed=5)
        source = sim.Population(20, sim.SpikeSourcePoisson(rate=40.0))
        cells = sim.Population(4, sim.IF_curr_exp(i_offset=0.5))
        if synapse == "tm":
            synapse_type = sim.TsodyksMarkramSynapse(U=0.5, tau_rec=100.0, tau_facil=50.0, weight=0.5, delay=1.0)
        else:
            synapse_type = sim.STDPMechanism(sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.05, A_minus=0.05),
                                             sim.AdditiveWeightDependence(w_max=2.0), weight=0.5, delay=1.5)
        prj = sim.Projection(source, cells, sim.FixedProbabilityConnector(0.5, rng=rng), synapse_type)
        sim.run(100.0)
        if add_between:
            sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.0, delay=2.0))
        sim.run(100.0)
        names = ["weight", "u", "x", "y"] if synapse == "tm" else ["weight"]
        return prj.get(names, format="list")
    assert build(add_between=True) == build(add_between=False)


# -- Vogels 2011 ---------------------------------------------------------------------------------

def vogels_network(sim, w_inh0, rho):
    """Cells driven by excitatory Poisson input, inhibited through Vogels-2011 synapses."""
    rng = sim.NumpyRNG(seed=11)
    exc = sim.Population(200, sim.SpikeSourcePoisson(rate=10.0))
    inh = sim.Population(50, sim.SpikeSourcePoisson(rate=10.0))
    cells = sim.Population(10, sim.IF_curr_exp(tau_refrac=2.0))
    sim.Projection(exc, cells, sim.FixedProbabilityConnector(0.8, rng=rng), sim.StaticSynapse(weight=0.15, delay=1.0))
    istdp = sim.STDPMechanism(sim.Vogels2011Rule(tau=20.0, eta=0.03, rho=rho),
                              sim.AdditiveWeightDependence(w_min=0.0, w_max=5.0), weight=w_inh0, delay=1.0)
    prj = sim.Projection(inh, cells, sim.FixedProbabilityConnector(0.8, rng=rng), istdp, receptor_type="inhibitory")
    cells.record("spikes")
    return cells, prj


def rates(cells, start, stop):
    trains = cells.get_data().segments[-1].spiketrains
    return np.mean([np.count_nonzero((st.magnitude >= start) & (st.magnitude < stop)) for st in trains]) \
        / ((stop - start) / 1000.0)


@pytest.mark.parametrize("w_inh0", [0.0, 0.5])
def test_vogels_rule_drives_the_post_rate_to_rho(sim, w_inh0):
    """Vogels et al. (2011): inhibitory plasticity moves the post-synaptic rate to the target rho,
    from above (no inhibition at first) and from below (too much inhibition at first), and the
    inhibitory weights to the same level from both sides."""
    rho = 8.0
    cells, prj = vogels_network(sim, w_inh0, rho)
    sim.run(8000.0)
    first, last = rates(cells, 0.0, 1000.0), rates(cells, 5000.0, 8000.0)
    assert abs(last - rho) < 0.25 * rho, (first, last)
    assert abs(first - rho) > 0.6 * rho, (first, last)
    w = prj.get("weight", format="array")
    mean = np.nanmean(w)
    assert (mean > w_inh0) == (first > rho)
    assert 0.25 < mean < 0.37       # the level reached from either side (about 0.31 nA here)


# -- reward-modulated STDP --------------------------------------------------------------------------

def rstdp_pair(sim, t_pre, t_drive, modulator=None, **params):
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[t_pre]))
    driver = sim.Population(1, sim.SpikeSourceArray(spike_times=[t_drive]))
    post = sim.Population(1, sim.IF_curr_exp(tau_refrac=500.0))
    sim.Projection(driver, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=1000.0, delay=0.1))
    syn = sim.RewardModulatedSTDP(modulator=modulator, weight=0.5, delay=1.0, **params)
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), syn)
    post.record("spikes")
    return post, prj


PARAMS = dict(tau_plus=20.0, tau_minus=20.0, A_plus=0.1, A_minus=0.12, tau_c=300.0, tau_d=100.0, w_min=0.0,
              w_max=1.0)


def test_reward_modulated_no_change_without_neuromodulator(sim):
    post, prj = rstdp_pair(sim, 10.0, 20.0, **PARAMS)
    sim.run(200.0)
    assert prj.get("weight", format="list", with_address=False)[0] == 0.5
    assert prj.get("c", format="list", with_address=False)[0] > 0     # eligible, but no dopamine


@pytest.mark.parametrize("t_pre, sign", [(10.0, 1.0), (35.0, -1.0)])
def test_reward_modulated_change_follows_eligibility_with_dopamine_set_between_runs(sim, t_pre, sign):
    """Eligibility c = ±A·exp(−|Δt|/τ) at the pairing, decaying with tau_c; d set by the user to d0
    at T0 then decaying with tau_d; Δw = ∫ c(t)·d(t) dt (b = 0), integrated numerically here."""
    post, prj = rstdp_pair(sim, t_pre, 20.0, **PARAMS)
    sim.run(60.0)
    t_post = post.get_data().segments[0].spiketrains[0].magnitude[0]
    if sign > 0:   # post event seen at t_post + d, pre trace from the spike at t_pre
        t_c, c0 = t_post + 1.0, 0.1 * math.exp(-(t_post + 1.0 - t_pre) / 20.0)
    else:          # pre event at t_pre sees the post trace from the post event at t_post + d
        t_c, c0 = t_pre, -0.12 * math.exp(-(t_pre - t_post - 1.0) / 20.0)
    c_at = lambda t: c0 * math.exp(-(t - t_c) / 300.0)   # noqa: E731
    assert prj.get("c", format="list", with_address=False)[0] == pytest.approx(c_at(60.0), rel=1e-12)
    prj.initialize(d=0.02)
    sim.run(150.0)
    dw, _ = quad(lambda t: c_at(t) * 0.02 * math.exp(-(t - 60.0) / 100.0), 60.0, 210.0, epsabs=1e-14)
    w = prj.get("weight", format="list", with_address=False)[0]
    assert np.sign(w - 0.5) == sign
    assert w - 0.5 == pytest.approx(dw, rel=1e-9)
    assert prj.get("d", format="list", with_address=False)[0] == pytest.approx(0.02 * math.exp(-1.5), rel=1e-12)


def test_reward_modulated_driven_by_a_modulator_population(sim):
    """Modulator spikes (a population, like NEST's volume transmitter) add 1/tau_d to d each;
    Δw = ∫ c·d dt with d the filtered modulator train, b = 0.05 subtracting a baseline."""
    dopa_times = [40.0, 40.0, 70.0, 130.0]
    dopamine = sim.Population(2, sim.SpikeSourceArray(spike_times=[[40.0, 130.0], [40.0, 70.0]]))
    post, prj = rstdp_pair(sim, 10.0, 20.0, modulator=dopamine, b=0.005, **PARAMS)
    sim.run(200.0)
    t_post = post.get_data().segments[0].spiketrains[0].magnitude[0]
    t_c, c0 = t_post + 1.0, 0.1 * math.exp(-(t_post + 1.0 - 10.0) / 20.0)

    def d(t):
        return sum(math.exp(-(t - s) / 100.0) / 100.0 for s in dopa_times if s <= t)

    def integrand(t):
        return c0 * math.exp(-(t - t_c) / 300.0) * (d(t) - 0.005)

    pieces = [t_c, 40.0, 70.0, 130.0, 200.0]
    dw = sum(quad(integrand, a, b, epsabs=1e-15)[0] for a, b in zip(pieces[:-1], pieces[1:]))
    w = prj.get("weight", format="list", with_address=False)[0]
    assert w - 0.5 == pytest.approx(dw, rel=1e-9)
    assert prj.get("d", format="list", with_address=False)[0] == pytest.approx(d(200.0), rel=1e-12)


def test_reward_modulated_bounds_and_reset(sim):
    pre = sim.Population(20, sim.SpikeSourcePoisson(rate=40.0))
    dopamine = sim.Population(5, sim.SpikeSourcePoisson(rate=20.0))
    post = sim.Population(4, sim.IF_curr_exp(i_offset=0.9, tau_refrac=2.0))
    syn = sim.RewardModulatedSTDP(modulator=dopamine, A_plus=0.5, A_minus=0.6, tau_c=100.0, tau_d=50.0,
                                  w_min=0.1, w_max=0.6, weight=0.3, delay=1.0)
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), syn)
    for _ in range(5):
        sim.run(100.0)
        w = prj.get("weight", format="array")
        assert w.min() >= 0.1 and w.max() <= 0.6
    assert np.ptp(w) > 0
    sim.reset()
    np.testing.assert_array_equal(prj.get("weight", format="array"), w)
    for name in ("c", "d", "pre_trace", "post_trace"):
        np.testing.assert_array_equal(prj.get(name, format="array"), 0.0)


def test_reward_modulated_bad_modulator(sim):
    with pytest.raises(errors.InvalidParameterValueError):
        sim.RewardModulatedSTDP(modulator="dopamine")


# -- weight constraints ------------------------------------------------------------------------------

def test_normalisation_holds_after_every_update(sim):
    """conex WeightNormalization: every post cell's incoming weights sum to the target."""
    pre = sim.Population(30, sim.SpikeSourcePoisson(rate=30.0))
    post = sim.Population(6, sim.IF_curr_exp(i_offset=0.85, tau_refrac=2.0))
    stdp = sim.STDPMechanism(sim.SpikePairRule(A_plus=0.05, A_minus=0.04), sim.AdditiveWeightDependence(0.0, 1.0),
                             weight=sim.RandomDistribution("uniform", (0.05, 0.3)), delay=0.5,
                             constraints=[sim.WeightNormalization(target=2.0)])
    prj = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.8, rng=sim.NumpyRNG(seed=1)), stdp)
    history = []
    for _ in range(40):
        sim.run(2.5)
        w = np.nan_to_num(prj.get("weight", format="array"), nan=0.0)
        np.testing.assert_allclose(w.sum(axis=0), 2.0, rtol=1e-12)
        history.append(w)
    assert not np.allclose(history[0], history[-1])


def test_normalisation_then_clip(sim):
    pre = sim.Population(10, sim.SpikeSourcePoisson(rate=50.0))
    post = sim.Population(3, sim.IF_curr_exp(i_offset=0.9))
    stdp = sim.STDPMechanism(sim.SpikePairRule(A_plus=0.2, A_minus=0.1), sim.AdditiveWeightDependence(0.0, 5.0),
                             weight=sim.RandomDistribution("uniform", (0.0, 1.0)), delay=1.0,
                             constraints=[sim.WeightNormalization(3.0), sim.WeightClip(0.05, 0.4)])
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp)
    for _ in range(10):
        sim.run(20.0)
        w = prj.get("weight", format="array")
        assert w.min() >= 0.05 and w.max() <= 0.4


# -- MPI: the same learning on any number of processes --------------------------------------------

def test_every_rule_on_mpi_is_bitwise_the_numpy_result(tmp_path):
    """Post cells and their synapses are spread over processes, every process receives every
    spike: learning, state and transmitted weights are those of one process, bit for bit."""
    assert_mpi_equals_numpy(os.path.join("plasticity_scripts", "rules_network.py"), tmp_path)
