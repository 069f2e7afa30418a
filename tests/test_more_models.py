"""IF_cond_exp_gsfa_grr, GIF_cond_exp, StochasticTsodyksMarkramSynapse, MultiQuantalSynapse and the
AdExp body of PointNeuron, checked against closed forms, direct numerical integration and the
documented behaviour of the NEST models PyNN 0.13 maps them to (iaf_cond_exp_sfa_rr, gif_cond_exp,
PyNN's stochastic_stp_synapse, quantal_stp_synapse, aeif_cond_*_multisynapse) — never against the
code's own earlier output. Statistical checks use many independent synapses or cells and a 4σ band."""
import math

import numpy as np
import pytest
from mpi_support import assert_mpi_equals_numpy
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from pynnlite import errors


# -- declarations: PyNN 0.13's names, defaults and units ------------------------------------------

def test_declarations_follow_pynn(sim):
    """Names, defaults, units, recordables and initial values as in PyNN 0.13's standardmodels."""
    sfa = sim.IF_cond_exp_gsfa_grr
    assert sfa.default_parameters == {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 0.1, "tau_syn_E": 5.0, "tau_syn_I": 5.0,
        "e_rev_E": 0.0, "e_rev_I": -70.0, "v_thresh": -50.0, "v_reset": -65.0, "i_offset": 0.0,
        "tau_sfa": 100.0, "e_rev_sfa": -75.0, "q_sfa": 15.0, "tau_rr": 2.0, "e_rev_rr": -75.0, "q_rr": 3000.0}
    assert sfa.recordable == ["spikes", "v", "g_r", "g_s", "gsyn_exc", "gsyn_inh"]
    assert sfa.default_initial_values == {"v": -65.0, "g_r": 0.0, "g_s": 0.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    assert (sfa.units["q_sfa"], sfa.units["g_s"], sfa.units["gsyn_exc"]) == ("nS", "nS", "uS")

    gif = sim.GIF_cond_exp
    scalars = {k: v for k, v in gif.default_parameters.items() if k not in gif.sequence_parameters}
    assert scalars == {
        "v_rest": -65.0, "cm": 1.0, "tau_m": 20.0, "tau_refrac": 4.0, "tau_syn_E": 5.0, "tau_syn_I": 5.0,
        "e_rev_E": 0.0, "e_rev_I": -70.0, "v_reset": -65.0, "i_offset": 0.0, "delta_v": 0.5,
        "v_t_star": -48.0, "lambda0": 1.0}
    assert list(gif.default_parameters["tau_eta"]) == [1.0, 10.0, 100.0]
    assert list(gif.default_parameters["tau_gamma"]) == [1.0, 10.0, 100.0]
    assert list(gif.default_parameters["a_eta"]) == [1.0, 1.0, 1.0]
    assert list(gif.default_parameters["a_gamma"]) == [1.0, 1.0, 1.0]
    assert gif.recordable == ["spikes", "v", "gsyn_exc", "gsyn_inh", "i_eta", "v_t"]
    assert gif.default_initial_values == {"v": -65.0, "v_t": -48.0, "i_eta": 0.0, "gsyn_exc": 0.0,
                                          "gsyn_inh": 0.0}
    assert (gif.units["lambda0"], gif.units["a_eta"], gif.units["a_gamma"], gif.units["i_eta"]) == \
        ("Hz", "nA", "mV", "nA")

    assert sim.StochasticTsodyksMarkramSynapse.default_parameters == {
        "weight": 0.0, "delay": None, "U": 0.5, "tau_rec": 100.0, "tau_facil": 0.0}
    assert sim.MultiQuantalSynapse.default_parameters == {
        "weight": 0.0, "delay": None, "U": 0.5, "n": 1, "tau_rec": 800.0, "tau_facil": 0.0}

    assert sim.AdExp.default_parameters == {
        "cm": 0.281, "tau_refrac": 0.1, "v_spike": -40.0, "v_reset": -70.6, "v_rest": -70.6,
        "tau_m": 9.3667, "i_offset": 0.0, "a": 4.0, "b": 0.0805, "delta_T": 2.0, "tau_w": 144.0,
        "v_thresh": -50.4}
    celltype = sim.PointNeuron(sim.AdExp(tau_m=10.0), AMPA=sim.AlphaPSR(tau_syn=1.0, e_syn=0.0))
    assert celltype.recordable == ["spikes", "v", "w", "AMPA.gsyn"]
    assert celltype.default_initial_values["w"] == 0.0 and celltype.default_initial_values["v"] == -70.6
    assert celltype.units["w"] == "nA" and celltype.units["a"] == "nS"


def test_recorded_signals_carry_pynns_unit_names(sim):
    """Every recordable analog variable of the standard cell types comes out with the unit PyNN
    declares, spelled as PyNN+NEST writes it (measured with PyNN 0.13 + NEST 3.10: Izhikevich's
    u is 'mV/ms', not a compound '(mV/ms)')."""
    from pynnlite.models import cells

    for name in ("IF_curr_exp", "IF_cond_exp", "IF_cond_exp_gsfa_grr", "EIF_cond_alpha_isfa_ista",
                 "HH_cond_exp", "Izhikevich", "GIF_cond_exp"):
        celltype = getattr(cells, name)
        population = sim.Population(1, getattr(sim, name)())
        variables = [v for v in celltype.recordable if v != "spikes"]
        population.record(variables)
        sim.run(0.2)
        for signal in population.get_data().segments[0].analogsignals:
            assert signal.units.dimensionality.string == celltype.units[signal.name], (name, signal.name)
        sim.reset()


def test_invalid_values_are_rejected(sim):
    with pytest.raises(errors.InvalidParameterValueError):   # sequences: at the Population, as PyNN
        sim.Population(1, sim.GIF_cond_exp(tau_eta=(1.0, -2.0, 3.0)))
    with pytest.raises(errors.InvalidParameterValueError):
        sim.GIF_cond_exp(delta_v=0.0)
    cells = sim.Population(1, sim.GIF_cond_exp(tau_eta=(1.0, 2.0), a_eta=(0.1, 0.1, 0.1)))
    with pytest.raises(errors.InvalidParameterValueError, match="same length"):
        sim.run(1.0)
    del cells
    with pytest.raises(errors.InvalidParameterValueError):
        sim.MultiQuantalSynapse(n=2.5)
    with pytest.raises(errors.InvalidParameterValueError):
        sim.MultiQuantalSynapse(U=1.5)
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(1, sim.IF_cond_exp())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StochasticTsodyksMarkramSynapse(weight=0.01))
    with pytest.raises(errors.InvalidParameterValueError):
        prj.initialize(R=0.5)


# -- IF_cond_exp_gsfa_grr ---------------------------------------------------------------------------

def test_gsfa_grr_conductances_jump_at_spikes_and_decay(sim):
    """NEST iaf_cond_exp_sfa_rr: at each spike g_sfa += q_sfa and g_rr += q_rr; between spikes
    dg/dt = −g/τ, so each recorded step is g(t + dt) = g(t)·e^(−dt/τ) (+ q if the cell spiked at t + dt)."""
    dt = 0.1
    params = dict(i_offset=2.0, tau_sfa=80.0, q_sfa=12.0, tau_rr=2.5, q_rr=2500.0, tau_refrac=1.0)
    cells = sim.Population(1, sim.IF_cond_exp_gsfa_grr(**params))
    cells.record(["spikes", "v", "g_s", "g_r"])
    sim.run(300.0)
    block = cells.get_data().segments[0]
    spikes = np.asarray(block.spiketrains[0].magnitude)
    assert spikes.size >= 5
    isi = np.diff(spikes)
    assert np.all(np.diff(isi[:4]) > 0)                 # spike-frequency adaptation
    spiked = np.zeros(3001, dtype=bool)
    spiked[np.rint(spikes / dt).astype(int)] = True
    for name, tau, q in (("g_s", 80.0, 12.0), ("g_r", 2.5, 2500.0)):
        g = block.filter(name=name)[0].magnitude[:, 0]
        expected = g[:-1] * math.exp(-dt / tau) + np.where(spiked[1:], q, 0.0)
        np.testing.assert_allclose(g[1:], expected, rtol=1e-12, atol=1e-12)
    v = block.filter(name="v")[0].magnitude[:, 0]
    assert np.all(v[spiked] == -65.0)                  # reset at the spike


def test_gsfa_grr_membrane_against_ode(sim):
    """Below threshold, with both adaptation conductances initialised, v follows
    cm dv/dt = g_L(v_rest − v) + g_s(e_sfa − v) + g_r(e_rr − v) + i_offset, g(t) = g(0)e^(−t/τ)
    (nS -> µS), integrated here with DOP853 at rtol 1e-11; the exponential midpoint rule is O(dt²)."""
    dt = 0.01
    sim.setup(timestep=dt)
    p = dict(cm=0.8, tau_m=15.0, v_rest=-65.0, i_offset=0.3, v_thresh=0.0, tau_sfa=50.0, e_rev_sfa=-80.0,
             tau_rr=3.0, e_rev_rr=-90.0)
    cells = sim.Population(1, sim.IF_cond_exp_gsfa_grr(**p), initial_values={"v": -58.0, "g_s": 25.0, "g_r": 400.0})
    cells.record("v")
    sim.run(60.0)
    v = cells.get_data().segments[0].filter(name="v")[0].magnitude[:, 0]

    def rhs(t, y):
        g_s = 25e-3 * math.exp(-t / p["tau_sfa"])
        g_r = 400e-3 * math.exp(-t / p["tau_rr"])
        g_l = p["cm"] / p["tau_m"]
        return [(g_l * (p["v_rest"] - y[0]) + g_s * (p["e_rev_sfa"] - y[0]) + g_r * (p["e_rev_rr"] - y[0])
                 + p["i_offset"]) / p["cm"]]

    times = np.arange(v.size) * dt
    ref = solve_ivp(rhs, (0.0, times[-1]), [-58.0], t_eval=times, method="DOP853", rtol=1e-11, atol=1e-12).y[0]
    assert np.max(np.abs(v - ref)) < 2e-5


# -- GIF_cond_exp -------------------------------------------------------------------------------------

def _gif_reference_next_spike(t0, v0, eta0, gamma0, p, tau_eta, tau_gamma, t_max):
    """First time after t0 at which the continuous GIF membrane (free from v0 at t0, spike-triggered
    current i_eta = Σ η_k e^(−(t−t0)/τ_k), constant drive) reaches the moving threshold
    v_t = v_t_star + Σ γ_k e^(−(t−t0)/τγ_k): the deterministic limit delta_v → 0 of the escape rate."""
    tau_m, cm = p["tau_m"], p["cm"]
    v_inf = p["v_rest"] + p["i_offset"] * tau_m / cm

    def gap(t):
        s = t - t0
        v = v_inf + (v0 - v_inf) * math.exp(-s / tau_m)
        for eta, tau in zip(eta0, tau_eta):
            v -= eta / cm * (math.exp(-s / tau) - math.exp(-s / tau_m)) / (1.0 / tau_m - 1.0 / tau)
        v_t = p["v_t_star"] + sum(g * math.exp(-s / tau) for g, tau in zip(gamma0, tau_gamma))
        return v - v_t

    grid = np.arange(t0 + 1e-9, t_max, 0.005)
    values = np.array([gap(t) for t in grid])
    above = np.flatnonzero(values >= 0)
    if above.size == 0:
        return None
    k = above[0]
    return brentq(gap, grid[k - 1], grid[k], xtol=1e-12) if k > 0 else grid[0]


def test_gif_deterministic_adaptation_and_recorded_threshold(sim):
    """delta_v → 0 makes the escape rate a hard threshold: spikes where v meets the moving threshold
    v_t. NEST gif_cond_exp: at a spike η_k += a_eta[k] and γ_k += a_gamma[k]; v is held at v_reset
    for tau_refrac; v_t and i_eta recorded at t are the values at the start of the step ending at t.
    Each spike time is checked against the continuous model started from the previous (simulated)
    spike, within 3 steps; the ISIs lengthen (spike-frequency adaptation)."""
    dt = 0.01
    sim.setup(timestep=dt)
    p = dict(cm=1.0, tau_m=20.0, v_rest=-65.0, v_reset=-65.0, tau_refrac=2.0, i_offset=0.6,
             v_t_star=-55.0, delta_v=1e-6, lambda0=1.0)
    tau_eta, a_eta = (5.0, 50.0), (0.05, 0.02)
    tau_gamma, a_gamma = (10.0, 100.0), (4.0, 1.5)
    cells = sim.Population(1, sim.GIF_cond_exp(tau_eta=tau_eta, a_eta=a_eta, tau_gamma=tau_gamma,
                                               a_gamma=a_gamma, **p),
                           initial_values={"v": -65.0, "v_t": -55.0})
    cells.record(["spikes", "v_t", "i_eta"])
    t_stop = 400.0
    sim.run(t_stop)
    block = cells.get_data().segments[0]
    spikes = np.asarray(block.spiketrains[0].magnitude)
    assert spikes.size >= 5
    assert np.all(np.diff(np.diff(spikes)[:4]) > 0)
    # the first spike: free from rest
    first = _gif_reference_next_spike(0.0, -65.0, (0.0, 0.0), (0.0, 0.0), p, tau_eta, tau_gamma, t_stop)
    assert abs(spikes[0] - first) <= 3 * dt
    for k in range(spikes.size - 1):
        history = spikes[:k + 1]
        t0 = history[-1] + p["tau_refrac"]      # free again from v_reset after the refractory period
        eta0 = [sum(a * math.exp(-(t0 - ts) / tau) for ts in history) for a, tau in zip(a_eta, tau_eta)]
        gamma0 = [sum(a * math.exp(-(t0 - ts) / tau) for ts in history) for a, tau in zip(a_gamma, tau_gamma)]
        expected = _gif_reference_next_spike(t0, p["v_reset"], eta0, gamma0, p, tau_eta, tau_gamma, t_stop)
        assert expected is not None and abs(spikes[k + 1] - expected) <= 3 * dt, (k, spikes[k + 1], expected)
    # recorded v_t and i_eta: sums of exponentials of the spikes up to the start of each step
    v_t = block.filter(name="v_t")[0].magnitude[:, 0]
    i_eta = block.filter(name="i_eta")[0].magnitude[:, 0]
    start = (np.arange(1, v_t.size) - 1) * dt
    lag = start[:, None] - spikes[None, :]
    seen = lag >= -1e-9
    expected_vt = p["v_t_star"] + sum(a * np.where(seen, np.exp(-np.maximum(lag, 0) / tau), 0.0).sum(axis=1)
                                      for a, tau in zip(a_gamma, tau_gamma))
    expected_eta = sum(a * np.where(seen, np.exp(-np.maximum(lag, 0) / tau), 0.0).sum(axis=1)
                       for a, tau in zip(a_eta, tau_eta))
    np.testing.assert_allclose(v_t[1:], expected_vt, atol=1e-9)
    np.testing.assert_allclose(i_eta[1:], expected_eta, atol=1e-11)
    assert v_t[0] == -55.0 and i_eta[0] == 0.0


def _escape_population(sim, n, tau_refrac):
    """Cells held at v = v_rest = v_reset, no adaptation: a constant escape rate
    λ = lambda0·exp((v_rest − v_t_star)/delta_v) = 50 Hz·e."""
    p = dict(v_rest=-60.0, v_reset=-60.0, v_t_star=-60.5, delta_v=0.5, lambda0=50.0, tau_refrac=tau_refrac,
             a_eta=(0.0,), tau_eta=(10.0,), a_gamma=(0.0,), tau_gamma=(10.0,))
    cells = sim.Population(n, sim.GIF_cond_exp(**p), initial_values={"v": -60.0, "v_t": -60.5})
    cells.record("spikes")
    return cells, 50.0 * math.e / 1000.0     # per ms


def test_gif_escape_rate_spike_count(sim):
    """NEST gif_cond_exp: a free cell spikes in a step with probability 1 − exp(−λ·dt). Without
    refractoriness the count over S steps is Binomial(S, p) per cell: the total over 2000 cells is
    within 4σ of its mean."""
    dt, n, t_stop = 0.1, 2000, 200.0
    cells, lam = _escape_population(sim, n, tau_refrac=0.0)
    sim.run(t_stop)
    total = sum(len(st) for st in cells.get_data().segments[0].spiketrains)
    p = -math.expm1(-lam * dt)
    trials = n * round(t_stop / dt)
    mean, sigma = trials * p, math.sqrt(trials * p * (1 - p))
    assert abs(total - mean) < 4 * sigma, (total, mean, sigma)


def test_gif_escape_rate_intervals_with_dead_time(sim):
    """With tau_refrac = 2 ms (20 steps) every inter-spike interval is (20 + G)·dt with
    G ~ Geometric(p), p = 1 − exp(−λ·dt): the shortest interval is 21 steps, the mean interval
    (20 + 1/p)·dt within 4σ, and the fraction of 21-step intervals p within 4σ. Only intervals
    starting before 300 ms are used: they all end before 500 ms (but for a chance of e^−27), so the
    end of the run does not censor long intervals (which would bias the mean low)."""
    dt, n = 0.1, 500
    cells, lam = _escape_population(sim, n, tau_refrac=2.0)
    sim.run(500.0)
    steps = []
    for st in cells.get_data().segments[0].spiketrains:
        spike_steps = np.rint(np.asarray(st.magnitude) / dt).astype(int)
        starts = spike_steps[:-1] <= 3000
        steps.append(np.diff(spike_steps)[starts])
    steps = np.concatenate(steps)
    p = -math.expm1(-lam * dt)
    assert steps.size > 10000
    assert steps.min() == 21
    mean, sigma = 20 + 1 / p, math.sqrt((1 - p) / p ** 2 / steps.size)
    assert abs(steps.mean() - mean) < 4 * sigma
    fraction = np.mean(steps == 21)
    assert abs(fraction - p) < 4 * math.sqrt(p * (1 - p) / steps.size)


def test_gif_draws_do_not_depend_on_population_split(sim):
    """The escape draws are keyed on the cell: the same cells give the same spikes whether they
    are created alone or after other populations of the same simulation are added to a view."""
    cells, _ = _escape_population(sim, 20, tau_refrac=1.0)
    sim.run(100.0)
    first = [np.asarray(st.magnitude) for st in cells.get_data().segments[0].spiketrains]
    sim.reset()
    sim.run(100.0)
    again = [np.asarray(st.magnitude) for st in cells.get_data().segments[1].spiketrains]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert len({tuple(a) for a in first}) > 1          # independent cells differ


# -- stochastic short-term plasticity -------------------------------------------------------------

SPIKES = np.hstack((np.arange(10.0, 100.0, 10.0), np.arange(250.0, 350.0, 10.0)))


def tm_release_fractions(times, U, tau_rec, tau_facil, u0=0.0, first_update=True):
    """Deterministic Tsodyks-Markram with instantaneous inactivation (τ_psc → 0): fraction of the
    resources released by each spike, u_k·x_k, with u ← u·e^(−Δ/τf) + U(1 − u·e^(−Δ/τf)) and
    x ← 1 − (1 − x)·e^(−Δ/τrec) between spikes, x ← x(1 − u) at a spike. This is the mean of the
    stochastic models (each site recovers as a Poisson process of rate 1/τrec)."""
    u, x, last, out = u0, 1.0, None, []
    for k, t in enumerate(times):
        if last is not None:
            x = 1.0 - (1.0 - x) * math.exp(-(t - last) / tau_rec)
            u = u * (math.exp(-(t - last) / tau_facil) if tau_facil > 0 else 0.0)
        if last is not None or first_update:
            u = u + U * (1.0 - u)
        out.append(u * x)
        x -= u * x
        last = t
    return np.array(out)


def released(sim, synapse, n_cells, post_type=None):
    """Weight released by each spike of SPIKES into each of n_cells independent synapses: the post
    cells are IF_curr_delta integrators (τm = 1e12 ms, no threshold), so v accumulates the released
    weights; v is sampled every 10 ms, between arrivals (delay 0.5 ms)."""
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=SPIKES))
    post = sim.Population(n_cells, post_type or sim.IF_curr_delta(tau_m=1e12, v_thresh=1e9, v_rest=0.0,
                                                                   v_reset=0.0),
                          initial_values={"v": 0.0})
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), synapse)
    post.record("v", sampling_interval=10.0)
    sim.run(400.0)
    v = post.get_data().segments[0].filter(name="v")[0].magnitude          # rows at t = 0, 10, 20, ...
    increments = np.diff(v, axis=0)                                        # row k: (10k, 10k + 10]
    return increments[np.rint(SPIKES / 10.0).astype(int)], prj


@pytest.mark.parametrize("U, tau_rec, tau_facil", [(0.8, 100.0, 0.0), (0.04, 50.0, 200.0), (0.3, 60.0, 30.0)])
def test_stochastic_tsodyks_markram_mean_is_deterministic_sequence(sim, U, tau_rec, tau_facil):
    """PyNN+NEST stochastic_stp_synapse: each release is all-or-none (0 or the weight); the mean
    over 4000 independent synapses of each spike's release is the deterministic Tsodyks-Markram
    sequence u_k·x_k·w (τ_psc → 0) within 4σ, σ² = w²·p(1 − p)/N. The deterministic
    TsodyksMarkramSynapse onto delta-synapse cells (τ_psc → 0 there too) gives that sequence."""
    w, n = 1.5, 4000
    got, prj = released(sim, sim.StochasticTsodyksMarkramSynapse(U=U, tau_rec=tau_rec, tau_facil=tau_facil,
                                                                 weight=w, delay=0.5), n)
    assert np.all(np.isclose(got, 0.0, atol=1e-9) | np.isclose(got, w, atol=1e-9))   # all or none
    p = tm_release_fractions(SPIKES, U, tau_rec, tau_facil)
    sigma = w * np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(got.mean(axis=1) - w * p) < 4 * sigma + 1e-12), (got.mean(axis=1), w * p)
    state = prj.get(["u", "R"], format="array")
    assert set(np.unique(state[1])) <= {0.0, 1.0}
    sim.setup(timestep=0.1)
    det, _ = released(sim, sim.TsodyksMarkramSynapse(U=U, tau_rec=tau_rec, tau_facil=tau_facil, weight=w,
                                                     delay=0.5), 1)
    np.testing.assert_allclose(det[:, 0], w * p, rtol=1e-9)


@pytest.mark.parametrize("n_sites, U, tau_rec, tau_facil", [(5, 0.8, 100.0, 0.0), (5, 0.04, 50.0, 200.0),
                                                            (1, 0.5, 800.0, 0.0), (3, 0.3, 60.0, 30.0)])
def test_multiquantal_release(sim, n_sites, U, tau_rec, tau_facil):
    """NEST quantal_stp_synapse: a spike releases an integer number of quanta, transmitting
    k·w, 0 ≤ k ≤ n. Starting from u = U and a = n (NEST's documented defaults), the first spike
    releases Binomial(n, U): mean n·U·w, variance n·U(1 − U)·w². Later spikes have mean
    n·w·u_k·x_k (the deterministic Tsodyks-Markram sequence, τ_psc → 0, u_1 = U), checked within
    4 sample standard errors."""
    w, n = 0.25, 4000
    got, prj = released(sim, sim.MultiQuantalSynapse(n=n_sites, U=U, tau_rec=tau_rec, tau_facil=tau_facil,
                                                     weight=w, delay=0.5), n)
    quanta = got / w
    assert np.allclose(quanta, np.round(quanta), atol=1e-9)
    assert quanta.min() > -1e-9 and quanta.max() < n_sites + 1e-9
    first_mean, first_sigma = n_sites * U * w, w * math.sqrt(n_sites * U * (1 - U) / n)
    assert abs(got[0].mean() - first_mean) < 4 * first_sigma
    assert abs(got[0].var() / (w * w * n_sites * U * (1 - U)) - 1.0) < 0.15
    expected = n_sites * w * tm_release_fractions(SPIKES, U, tau_rec, tau_facil, u0=U, first_update=False)
    error = got.std(axis=1) / math.sqrt(n) + 1e-12
    assert np.all(np.abs(got.mean(axis=1) - expected) < 4 * error), (got.mean(axis=1), expected)
    a = prj.get("a", format="array")
    assert np.all((a >= 0) & (a <= n_sites) & (a == np.round(a)))


def test_multiquantal_initial_state_and_initialize(sim):
    """Default state u = U, a = n; initialize(a=0) leaves no site available, so the first spike
    releases nothing (as NEST with a = 0)."""
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    post = sim.Population(50, sim.IF_cond_exp())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.MultiQuantalSynapse(n=4, U=0.7, weight=0.01))
    u, a = prj.get(["u", "a"], format="array")
    assert np.all(u == 0.7) and np.all(a == 4.0)
    prj.initialize(a=0)
    post.record("gsyn_exc")
    sim.run(20.0)
    assert np.all(post.get_data().segments[0].filter(name="gsyn_exc")[0].magnitude == 0.0)


def test_stochastic_synapses_do_not_depend_on_the_split_into_runs(sim):
    """Draws are keyed on (connection, spike step): one run or several give the same releases."""
    def trace(chunks):
        sim.setup(timestep=0.1, rng_seed=7)
        got = []
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=SPIKES))
        post = sim.Population(30, sim.IF_cond_exp())
        sim.Projection(pre, post, sim.AllToAllConnector(), sim.MultiQuantalSynapse(n=3, U=0.4, weight=0.01))
        post2 = sim.Population(30, sim.IF_cond_exp())
        sim.Projection(pre, post2, sim.AllToAllConnector(), sim.StochasticTsodyksMarkramSynapse(U=0.4, weight=0.01))
        post.record("gsyn_exc")
        post2.record("gsyn_exc")
        for chunk in chunks:
            sim.run(chunk)
        for p in (post, post2):
            got.append(p.get_data().segments[0].filter(name="gsyn_exc")[0].magnitude)
        return got

    one, split = trace([400.0]), trace([95.0, 160.0, 145.0])
    for a, b in zip(one, split):
        np.testing.assert_array_equal(a, b)


# -- AdExp body of PointNeuron ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["exp", "alpha"])
def test_adexp_point_neuron_matches_eif(sim, kind):
    """PointNeuron(AdExp(...), excitatory=Cond{Exp,Alpha}PSR, inhibitory=...) is the model of
    EIF_cond_{exp,alpha}_isfa_ista (NEST aeif_cond_*_multisynapse vs aeif_cond_*): same v and w
    traces and spikes for the same parameters and conductance input."""
    body = dict(cm=0.25, tau_m=10.0, v_rest=-60.0, v_reset=-58.0, a=3.0, b=0.06, tau_w=120.0, i_offset=0.35,
                tau_refrac=0.5)
    syn = dict(tau_syn_E=2.0, tau_syn_I=6.0, e_rev_E=0.0, e_rev_I=-80.0)
    eif_type = sim.EIF_cond_exp_isfa_ista if kind == "exp" else sim.EIF_cond_alpha_isfa_ista
    psr = sim.CondExpPostSynapticResponse if kind == "exp" else sim.CondAlphaPostSynapticResponse
    eif = sim.Population(1, eif_type(**body, **syn))
    composed = sim.Population(1, sim.PointNeuron(sim.AdExp(**body),
                                                 excitatory=psr(tau_syn=2.0, e_syn=0.0),
                                                 inhibitory=psr(tau_syn=6.0, e_syn=-80.0)))
    composed.initialize(v=-70.6)
    exc = sim.Population(1, sim.SpikeSourcePoisson(rate=400.0))
    inh = sim.Population(1, sim.SpikeSourcePoisson(rate=150.0))
    for target in (eif, composed):
        sim.Projection(exc, target, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0),
                       receptor_type="excitatory")
        sim.Projection(inh, target, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.02, delay=1.0),
                       receptor_type="inhibitory")
        target.record(["spikes", "v", "w"])
    sim.run(300.0)
    a, b = eif.get_data().segments[0], composed.get_data().segments[0]
    assert len(a.spiketrains[0]) > 3
    np.testing.assert_array_equal(a.spiketrains[0].magnitude, b.spiketrains[0].magnitude)
    for name in ("v", "w"):
        np.testing.assert_allclose(b.filter(name=name)[0].magnitude, a.filter(name=name)[0].magnitude,
                                   rtol=0, atol=1e-9)


def test_adexp_point_neuron_receptors(sim):
    """AdExp body with alpha receptors (PyNN's multi_synapse example): each receptor's conductance
    is w·(t/τ)e^(1 − t/τ) after a spike arriving at t = 0 (peak w at τ), and w of the body jumps by b
    at each spike of the body."""
    celltype = sim.PointNeuron(sim.AdExp(tau_m=10.0, v_rest=-60.0),
                               AMPA=sim.AlphaPSR(tau_syn=1.0, e_syn=0.0),
                               GABAA=sim.AlphaPSR(tau_syn=1.5, e_syn=-70.0))
    cells = sim.Population(1, celltype, initial_values={"v": -60.0})
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[30.0]))
    sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01, delay=1.5),
                   receptor_type="AMPA")
    cells.record(["v", "w", "AMPA.gsyn", "GABAA.gsyn"])
    sim.run(60.0)
    block = cells.get_data().segments[0]
    g = block.filter(name="AMPA.gsyn")[0].magnitude[:, 0]
    t = np.arange(g.size) * 0.1 - 31.5
    expected = np.where(t > 0, 0.01 * (t / 1.0) * np.exp(1 - t / 1.0), 0.0)
    np.testing.assert_allclose(g, expected, atol=1e-12)
    assert np.all(block.filter(name="GABAA.gsyn")[0].magnitude == 0.0)
    v = block.filter(name="v")[0].magnitude[:, 0]
    assert v[int(31.5 / 0.1) + 10] > v[int(31.5 / 0.1)]          # the AMPA input depolarises


# -- process-count independence ---------------------------------------------------------------------

def test_new_models_bitwise_equal_under_mpi(tmp_path):
    """GIF escape draws (keyed on the cell) and the stochastic synapses' draws (keyed on the
    connection) give bitwise the same spikes and synaptic state on 1 (numpy) and 2 or 3 processes."""
    assert_mpi_equals_numpy("more_models_network.py", tmp_path)


# -- Runge-Kutta substeps: per cell, whatever shares the kernel ------------------------------------

@pytest.mark.parametrize("model", ["EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista", "HH_cond_exp",
                                   "PointNeuron(AdExp)"])
def test_a_cells_trace_does_not_depend_on_a_stiff_neighbour(sim, model):
    """The RK4 kernels take more substeps for a cell under a very large conductance
    (h·(g_L + g)/cm ≤ 2.5). That must not change the other cells of the population: their
    traces are bitwise those of a run without the stiff input, so a population cut across
    MPI processes integrates each cell as one process does."""
    def traces(stiff_weight):
        sim.setup(timestep=0.1)
        if model == "PointNeuron(AdExp)":
            celltype = sim.PointNeuron(sim.AdExp(i_offset=0.5), excitatory=sim.CondExpPostSynapticResponse(
                tau_syn=3.0, e_syn=0.0))
        else:
            celltype = getattr(sim, model)(i_offset=0.5 if model != "HH_cond_exp" else 0.8)
        cells = sim.Population(3, celltype)
        source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 12.0]))
        sim.Projection(source, cells, sim.FromListConnector([(0, 0, 0.02, 1.0), (0, 2, stiff_weight, 1.0)]),
                       sim.StaticSynapse(), receptor_type="excitatory")
        cells.record("v")
        sim.run(30.0)
        v = cells.get_data().segments[0].filter(name="v")[0].magnitude
        sim.end()
        return v
    calm, stiff = traces(0.0), traces(400.0)       # 400 µS: ~100 substeps for cell 2 instead of 10
    assert np.all(np.isfinite(stiff))
    assert not np.array_equal(calm[:, 2], stiff[:, 2])
    np.testing.assert_array_equal(calm[:, :2], stiff[:, :2])
