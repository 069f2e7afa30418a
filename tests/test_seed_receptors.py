"""Receptor kinetics on PointNeuron (AMPA/NMDA as receptor types, neurai/dendrify style).

Each test states the closed form it checks. Receptor conductances are integrated exactly, so
recorded conductances match the closed forms to rounding at every sample.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from pynnlite.errors import ConnectionError, InvalidParameterValueError
from pynnlite.models.receptors import beta_peak_shape, beta_peak_time, mg_block

DT = 0.01


def conductance_trace(sim, receptor, weight=0.05, spike=1.0, delay=0.5, tstop=40.0, name="AMPA"):
    """Record '<name>.gsyn' of one passive PointNeuron receiving one spike; (t − arrival, g)."""
    cell = sim.PointNeuron(sim.LIF(v_thresh=1000.0), **{name: receptor})
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[spike]))
    pop = sim.Population(1, cell)
    sim.Projection(src, pop, sim.OneToOneConnector(), sim.StaticSynapse(weight=weight, delay=delay),
                   receptor_type=name)
    pop.record(f"{name}.gsyn")
    sim.run(tstop)
    g = np.asarray(pop.get_data().segments[0].analogsignals[0])[:, 0]
    t = np.arange(g.size) * sim.get_time_step() - (spike + delay)
    return t, g


@pytest.fixture
def fine():
    import pynnlite.backends.numpy as sim
    sim.setup(timestep=DT)
    yield sim
    sim.end()


def test_rise_decay_peak_equals_weight_with_normalize_peak(fine):
    """normalize_peak: g(t) = w·(e^(−t/τd) − e^(−t/τr))/(e^(−tp/τd) − e^(−tp/τr)),
    tp = τdτr·ln(τd/τr)/(τd − τr); the peak is w (neurai scale_g=True)."""
    tr, td, w = 0.5, 3.0, 0.05
    t, g = conductance_trace(fine, fine.AMPA(tau_rise=tr, tau_decay=td), weight=w)
    tp = td * tr * np.log(td / tr) / (td - tr)
    shape = lambda s: np.exp(-s / td) - np.exp(-s / tr)
    expected = np.where(t > 0, w * shape(np.maximum(t, 0)) / shape(tp), 0.0)
    np.testing.assert_allclose(g, expected, atol=1e-14)
    assert g.max() == pytest.approx(w, rel=1e-4)        # sampled every 0.01 ms near tp
    assert t[np.argmax(g)] == pytest.approx(tp, abs=DT)
    assert beta_peak_time(tr, td) == pytest.approx(tp)


def test_rise_decay_without_normalisation(fine):
    """normalize_peak=False (neurai scale_g=False): the rise variable jumps by w per ms,
    g(t) = w·τdτr/(τd − τr)·(e^(−t/τd) − e^(−t/τr))/(1 ms)."""
    tr, td, w = 2.0, 100.0, 0.01
    t, g = conductance_trace(fine, fine.NMDA(tau_rise=tr, tau_decay=td, normalize_peak=False), weight=w,
                             tstop=60.0, name="NMDA")
    ts = np.maximum(t, 0)
    expected = np.where(t > 0, w * td * tr / (td - tr) * (np.exp(-ts / td) - np.exp(-ts / tr)), 0.0)
    np.testing.assert_allclose(g, expected, atol=1e-14)
    assert beta_peak_shape(tr, td) == pytest.approx(expected.max() / w, rel=1e-3)


def test_decay_only_receptor(fine):
    """tau_rise = 0 (AMPA default): g(t) = w·e^(−t/τd) from the arrival on."""
    t, g = conductance_trace(fine, fine.AMPA(tau_decay=2.0), weight=0.03)
    expected = np.where(t >= 0, 0.03 * np.exp(-np.maximum(t, 0) / 2.0), 0.0)
    # the recorded value at the arrival time is the one before the input (inputs act from the step on)
    np.testing.assert_allclose(g[t > 1e-9], expected[t > 1e-9], atol=1e-14)


def test_equal_time_constants_alpha_function(fine):
    """τr = τd = τ (and CondAlphaPostSynapticResponse): g(t) = w·(t/τ)·e^(1 − t/τ), peak w at τ."""
    for receptor in (fine.CondBetaPostSynapticResponse(tau_rise=1.5, tau_decay=1.5),
                     fine.CondAlphaPostSynapticResponse(tau_syn=1.5)):
        fine.setup(timestep=DT)
        t, g = conductance_trace(fine, receptor, weight=0.02)
        ts = np.maximum(t, 0)
        expected = np.where(t > 0, 0.02 * ts / 1.5 * np.exp(1 - ts / 1.5), 0.0)
        np.testing.assert_allclose(g, expected, atol=1e-13)


def test_mg_block_curve():
    """Jahr–Stevens block B(V) = 1/(1 + mg·exp(−α(V + γ))/β): B(0) = 1/(1 + 1/3.57),
    B(−70) = 1/(1 + e^(4.34)/3.57) ≈ 0.044 with the defaults; more Mg blocks more; γ shifts V."""
    v = np.linspace(-100.0, 40.0, 15)
    np.testing.assert_allclose(mg_block(v), 1.0 / (1.0 + np.exp(-0.062 * v) / 3.57), rtol=1e-14)
    assert mg_block(0.0) == pytest.approx(1.0 / (1.0 + 1.0 / 3.57))
    assert mg_block(-70.0) == pytest.approx(1.0 / (1.0 + np.exp(4.34) / 3.57))
    assert mg_block(-70.0) == pytest.approx(0.0444, abs=5e-4)
    assert mg_block(-40.0, mg=2.0) < mg_block(-40.0, mg=1.0)
    assert mg_block(-40.0, gamma=10.0) == pytest.approx(mg_block(-30.0))
    assert mg_block(-40.0, mg=0.0) == 1.0


def test_nmda_steady_state_with_block(fine):
    """A constant NMDA conductance g0 (τd → ∞, initialised gsyn) on a passive body:
    the steady state solves g_m(v_rest − V) + g0·B(V)·(e_syn − V) = 0 (found by root finding);
    the same cell without Mg (mg = 0) settles at (g_m·v_rest + g0·e_syn)/(g_m + g0)."""
    g0, g_m, v_rest = 0.02, 0.01, -70.0
    results = {}
    for mg in (1.0, 0.0):
        fine.setup(timestep=0.1)
        cell = fine.PointNeuron(fine.NonSpikingNeuron(cm=0.2, g_m=g_m, v_rest=v_rest),
                                NMDA=fine.NMDA(tau_rise=0.0, tau_decay=1e12, mg=mg))
        pop = fine.Population(1, cell, initial_values={"v": v_rest, "NMDA.gsyn": g0})
        fine.run(3000.0)   # slow near the negative-slope region of the block
        results[mg] = pop.simulation.engine.groups[pop].state["v"][0]
    root = brentq(lambda v: g_m * (v_rest - v) + g0 * mg_block(v) * (0.0 - v), -80.0, 10.0)
    assert results[1.0] == pytest.approx(root, abs=1e-6)
    assert results[0.0] == pytest.approx((g_m * v_rest) / (g_m + g0), abs=1e-6)


def test_ampa_and_nmda_alongside_standard_receptors(fine):
    """A PointNeuron declaring excitatory, inhibitory, AMPA and NMDA receives on each by name
    (receptor_types sorted by name, as PyNN's); per-receptor parameters are 'NAME.param' for set/get; 'NAME.gsyn' records."""
    cell = fine.PointNeuron(fine.LIF(tau_m=10.0, v_rest=-70.0, v_reset=-70.0),
                            excitatory=fine.CondExpPostSynapticResponse(e_syn=0.0, tau_syn=5.0),
                            inhibitory=fine.CondExpPostSynapticResponse(e_syn=-75.0, tau_syn=10.0),
                            AMPA=fine.AMPA(tau_rise=0.3, tau_decay=2.0),
                            NMDA=fine.NMDA(mg=1.2))
    assert cell.receptor_types == ("AMPA", "NMDA", "excitatory", "inhibitory")
    pop = fine.Population(3, cell, initial_values={"v": -70.0})
    assert pop.get("NMDA.mg") == 1.2 and pop.get("tau_m") == 10.0
    pop.set(**{"NMDA.mg": 2.0, "AMPA.tau_decay": 3.0})
    assert pop.get("NMDA.mg") == 2.0 and pop.get("AMPA.tau_decay") == 3.0
    src = fine.Population(1, fine.SpikeSourceArray(spike_times=[1.0]))
    for receptor in ("excitatory", "AMPA", "NMDA"):
        prj = fine.Projection(src, pop, fine.AllToAllConnector(), fine.StaticSynapse(weight=0.01),
                              receptor_type=receptor)
        assert prj.receptor_type == receptor
    pop.record(["v", "AMPA.gsyn", "NMDA.gsyn", "excitatory.gsyn"])
    fine.run(10.0)
    signals = {s.name: np.asarray(s)[:, 0] for s in pop.get_data().segments[0].analogsignals}
    assert signals["AMPA.gsyn"].max() == pytest.approx(0.01, rel=1e-3)
    # sampled one step after the arrival: w·e^(−dt/τ)
    assert signals["excitatory.gsyn"].max() == pytest.approx(0.01 * np.exp(-DT / 5.0), rel=1e-12)
    assert 0 < signals["NMDA.gsyn"].max() < 0.01
    assert signals["v"].max() > -70.0


def test_nmda_on_a_cell_that_does_not_declare_it(sim):
    """receptor_type='NMDA' onto a cell without that receptor: a ConnectionError naming it and
    the valid receptor types."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    for celltype in (sim.IF_cond_exp(), sim.PointNeuron(sim.LIF(), AMPA=sim.AMPA())):
        post = sim.Population(1, celltype)
        with pytest.raises(ConnectionError, match="receptor_type 'NMDA'.*valid receptor types are"):
            sim.Projection(src, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01), receptor_type="NMDA")


def test_point_neuron_lif_firing_period(fine):
    """LIF body with constant bias and no input: period T = τ_ref + τm·ln((v_inf − v_reset)/(v_inf − θ)),
    v_inf = v_rest + i_offset·τm/cm, to within one step per spike."""
    cell = fine.PointNeuron(fine.LIF(i_offset=1.0, tau_refrac=2.0), AMPA=fine.AMPA())
    pop = fine.Population(1, cell)
    pop.record("spikes")
    fine.run(500.0)
    spikes = np.asarray(pop.get_data().segments[0].spiketrains[0])
    v_inf = -65.0 + 1.0 * 20.0 / 1.0
    period = 2.0 + 20.0 * np.log((v_inf + 65.0) / (v_inf + 50.0))
    assert np.diff(spikes).mean() == pytest.approx(period, abs=2 * DT)


def test_current_based_receptor(fine):
    """CurrExpPostSynapticResponse: isyn(t) = w·e^(−t/τ) (nA); mixing current- and conductance-based
    receptors in one PointNeuron is refused."""
    cell = fine.PointNeuron(fine.LIF(v_thresh=1000.0), fast=fine.CurrExpPostSynapticResponse(tau_syn=3.0))
    assert cell.conductance_based is False
    src = fine.Population(1, fine.SpikeSourceArray(spike_times=[1.0]))
    pop = fine.Population(1, cell)
    fine.Projection(src, pop, fine.OneToOneConnector(), fine.StaticSynapse(weight=0.5, delay=0.5), receptor_type="fast")
    pop.record("fast.isyn")
    fine.run(10.0)
    i = np.asarray(pop.get_data().segments[0].analogsignals[0])[:, 0]
    t = np.arange(i.size) * DT - 1.5
    np.testing.assert_allclose(i[t > 1e-9], 0.5 * np.exp(-t[t > 1e-9] / 3.0), atol=1e-14)
    with pytest.raises(InvalidParameterValueError, match="conductance-based or all current-based"):
        fine.PointNeuron(fine.LIF(), a=fine.AMPA(), b=fine.CurrExpPostSynapticResponse())


def test_point_neuron_bad_input():
    import pynnlite.backends.numpy as sim
    with pytest.raises(InvalidParameterValueError, match="body"):
        sim.PointNeuron(sim.IF_cond_exp(), AMPA=sim.AMPA())
    with pytest.raises(InvalidParameterValueError, match="post-synaptic response"):
        sim.PointNeuron(sim.LIF(), AMPA=0.5)
    with pytest.raises(InvalidParameterValueError, match="normalize_peak"):
        sim.AMPA(normalize_peak=0.5)
    with pytest.raises(InvalidParameterValueError, match="tau_decay"):
        sim.NMDA(tau_decay=0.0)


def test_point_neuron_pickles_and_describes():
    import pickle

    import pynnlite.backends.numpy as sim
    cell = sim.PointNeuron(sim.NonSpikingNeuron(cm=2.0), AMPA=sim.AMPA(tau_decay=4.0), NMDA=sim.NMDA())
    clone = pickle.loads(pickle.dumps(cell))
    assert clone.receptor_types == ("AMPA", "NMDA")
    assert clone.parameter_space["AMPA.tau_decay"] == 4.0 and clone.parameter_space["cm"] == 2.0
    assert clone.spiking is False and "spikes" not in clone.recordable
    text = cell.describe()
    assert "NMDA" in str(text)


# -- membrane accuracy against an independent solution --------------------------------------------

def _unit_conductance(kind, p):
    """g(s)/w for s ≥ 0 after one input of weight w (the closed forms of the module docstring)."""
    if kind == "alpha":
        return lambda s: s / p["tau_syn"] * np.exp(1.0 - s / p["tau_syn"])
    if kind == "exp":
        return lambda s: np.exp(-s / p["tau_syn"])
    tr, td = p["tau_rise"], p["tau_decay"]
    if tr == 0.0:
        return lambda s: np.exp(-s / td)
    tp = td * tr * np.log(td / tr) / (td - tr)
    scale = 1.0 / (np.exp(-tp / td) - np.exp(-tp / tr))
    return lambda s: scale * (np.exp(-s / td) - np.exp(-s / tr))


def _membrane_errors(body, kind, cells, weight, dt, v_rest=-65.0):
    """Three inputs (at 1.1, 1.6 and 4.1 ms) onto passive cells (cm 1 nF, g_L 0.05 µS, rest v_rest,
    e_syn 0 mV), one cell per row of receptor parameters (per-cell parameters in one population),
    for 20 ms: per cell, (max |v − exact|, max |exact − v_rest|) with the exact solution from scipy
    (DOP853, rtol 1e-12, piecewise between the inputs) of
    cm dv/dt = g_L (v_rest − v) + g(t)·B(v)·(e_syn − v), g(t) the closed form, B the Mg block of
    NMDA receptors (``mg`` of the row, default 1 mM; B = 1 for the others)."""
    from scipy.integrate import solve_ivp

    import pynnlite.backends.numpy as sim
    T, arrivals = 20.0, [1.1, 1.6, 4.1]
    sim.setup(timestep=dt)
    receptor = {"exp": sim.CondExpPostSynapticResponse, "alpha": sim.CondAlphaPostSynapticResponse,
                "beta": sim.CondBetaPostSynapticResponse, "nmda": sim.NMDA}[kind](e_syn=0.0)
    membrane = (sim.LIF(v_thresh=1000.0, cm=1.0, tau_m=20.0, v_rest=v_rest) if body == "LIF"
                else sim.NonSpikingNeuron(cm=1.0, g_m=0.05, v_rest=v_rest))
    pop = sim.Population(len(cells), sim.PointNeuron(membrane, R=receptor), initial_values={"v": v_rest})
    pop.set(**{f"R.{name}": np.array([cell[name] for cell in cells]) for name in cells[0]})
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[a - dt for a in arrivals]))
    sim.Projection(src, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=weight, delay=dt), receptor_type="R")
    pop.record("v")
    sim.run(T)
    v = np.asarray(pop.get_data().segments[0].analogsignals[0])
    sim.end()
    t = dt * np.arange(v.shape[0])

    out = []
    for index, cell in enumerate(cells):
        shape = _unit_conductance(kind, cell)
        mg = cell.get("mg", 1.0) if kind == "nmda" else 0.0

        def rhs(time, y):
            g = sum(weight * shape(time - a) for a in arrivals if time >= a)
            return [0.05 * (v_rest - y[0]) + g * mg_block(y[0], mg) * (0.0 - y[0])]

        exact, y0 = np.empty_like(t), [v_rest]
        edges = [0.0] + arrivals + [t[-1]]
        for start, stop in zip(edges[:-1], edges[1:]):
            piece = solve_ivp(rhs, (start, stop), y0, method="DOP853", rtol=1e-12, atol=1e-12, max_step=0.01,
                              dense_output=True)
            inside = (t >= start - 1e-9) & (t <= stop + 1e-9)
            exact[inside] = piece.sol(np.clip(t[inside], start, stop))[0]
            y0 = [piece.y[0, -1]]
        out.append((np.abs(v[:, index] - exact).max(), np.abs(exact - v_rest).max()))
    return out


@pytest.mark.parametrize("body, kind, cells, weight, tolerance", [
    ("LIF", "exp", [{"tau_syn": 0.2}, {"tau_syn": 5.0}], 0.2, 3e-3),
    ("LIF", "alpha", [{"tau_syn": 0.3}, {"tau_syn": 5.0}], 0.1, 1e-3),
    ("LIF", "beta", [{"tau_rise": 0.1, "tau_decay": 0.5}, {"tau_rise": 0.0, "tau_decay": 0.5},
                     {"tau_rise": 2.0, "tau_decay": 10.0}], 0.1, 1e-3),
    ("LIF", "nmda", [{"tau_rise": 0.3, "tau_decay": 0.5, "mg": 0.0}, {"tau_rise": 2.0, "tau_decay": 100.0, "mg": 0.0}],
     0.1, 1e-3),
    ("NonSpikingNeuron", "beta", [{"tau_rise": 0.2, "tau_decay": 1.7}], 0.05, 1e-3),
])
def test_membrane_close_to_the_exact_solution_with_fast_receptors(body, kind, cells, weight, tolerance):
    """``_membrane_errors`` at dt = 0.1 ms. The kernels freeze each conductance at its exact mean over
    the step: measured 1.4e-3 mV for τ = 0.2 ms exponential, 3.9e-4 (α τ = 0.3 ms), 3.6e-4 (beta
    0.1/0.5 ms), 4.2e-4 (NMDA 0.3/0.5 ms), 2.4e-4 mV (non-spiking body, beta 0.2/1.7 ms); with the
    mid-step values used before they were 6.2e-2, 5.6e-2, 9.2e-2, 4.2e-2 and 2.0e-2 mV (every case
    here failed its tolerance). NMDA without Mg (mg = 0) here; with Mg see the next test."""
    for cell, (error, excursion) in zip(cells, _membrane_errors(body, kind, cells, weight, 0.1)):
        assert excursion > 2.0, cell                  # the inputs matter
        assert error < tolerance, (cell, error)


@pytest.mark.parametrize("cell, weight", [
    ({"tau_rise": 2.0, "tau_decay": 100.0, "mg": 1.0}, 0.05),
    ({"tau_rise": 0.3, "tau_decay": 0.5, "mg": 1.0}, 0.3),
])
def test_membrane_close_to_the_exact_solution_with_the_nmda_block(cell, weight):
    """NMDA with mg = 1 mM on a depolarised cell (rest −50 mV, where the block opens steeply):
    ``_membrane_errors`` at dt = 0.1 and 0.01 ms. The kernel linearises the block's current
    g·B(v)·(e_syn − v) about the start-of-step v (its slope enters the exponential-Euler
    conductance), so the scheme is second order: the error falls about 100× from dt 0.1 to 0.01.
    Measured: slow (2/100 ms, 14 mV response) 3.8e-5 / 3.8e-7 mV, fast (0.3/0.5 ms, 6 mV) 1.5e-4 /
    1.5e-6 mV. With the block frozen at the start-of-step v (before) the scheme was first order
    (10× per decade): 3.5e-2 / 3.5e-3 and 3.7e-2 / 3.8e-3 mV, failing every check here."""
    errors = {}
    for dt in (0.1, 0.01):
        [(errors[dt], excursion)] = _membrane_errors("LIF", "nmda", [cell], weight, dt, v_rest=-50.0)
        assert excursion > 5.0
    assert errors[0.1] < 1e-3, errors
    assert errors[0.01] < 1e-5, errors
    assert errors[0.1] > 50.0 * errors[0.01], errors        # second order (first order: 10×)


def test_step_mean_factors_are_the_mean_conductance():
    """The mean over one step h of g(s) = g0 e^(−s/τd) + y0 G(s), G(s) = τdτr/(τd − τr)(e^(−s/τd) − e^(−s/τr))
    (s e^(−s/τ) when τr = τd = τ), in closed form: g0 τd(1 − e^(−h/τd))/h +
    y0 τdτr/(τd − τr)[τd(1 − e^(−h/τd)) − τr(1 − e^(−h/τr))]/h, to 1e-10 relative; 0 for y0 without a rise."""
    from pynnlite.backends.numpy.neurons import _exp_convolution
    from pynnlite.backends.numpy.receptor_kernels import _step_mean_factors
    h = 0.1
    td = np.array([0.2, 2.0, 100.0, 1.5, 0.5, 3.0])
    tr = np.array([0.1, 0.3, 2.0, 1.5, 4.0, 0.0])
    rise = tr > 0
    safe = np.where(rise, tr, 1.0)
    of_g, of_y = _step_mean_factors(h, td, safe, rise, np.where(rise, _exp_convolution(h, td, safe)[0], 0.0))
    np.testing.assert_allclose(of_g, td * -np.expm1(-h / td) / h, rtol=1e-14)
    with np.errstate(divide="ignore", invalid="ignore"):
        general = td * safe / (td - safe) * (td * -np.expm1(-h / td) - safe * -np.expm1(-h / safe)) / h
    alpha = td * td * (1.0 - np.exp(-h / td) * (1.0 + h / td)) / h
    np.testing.assert_allclose(of_y, np.where(rise, np.where(td == safe, alpha, general), 0.0), rtol=1e-10)


def test_nmda_block_stays_finite_and_bounded_with_extreme_inputs():
    """The linearised Mg block with absurd inputs (weights up to 1e12 µS, v from −1e4 to 1e4 mV,
    mg from 1e-6 to 1e3 mM, α of either sign or 0, dt 0.1 and 1 ms): no overflow, division by
    zero or NaN, and v never beyond 1.5× the larger of |v0| and 65 mV (with the limited slope a
    step moves v by at most 1.3× its distance to the equilibrium of the frozen conductances;
    unlimited, the negative slope overflowed, and a floor at G = −cm/h let v jump to 1e14 mV)."""
    import itertools

    import pynnlite.backends.numpy as sim
    combos = list(itertools.product([0.0, 1e-3, 1.0, 1e3, 1e6, 1e12], [-1e4, -300.0, -50.0, 0.0, 200.0, 1e4],
                                    [0.0, 1e-6, 1.0, 1e3], [0.062, 0.0, -0.062, 1.0]))
    weight, v0, mg, alpha = (np.array(column) for column in zip(*combos))
    for body in (sim.LIF(v_thresh=1e9, v_reset=-65.0), sim.NonSpikingNeuron(cm=1.0, g_m=0.05)):
        for dt in (0.1, 1.0):
            sim.setup(timestep=dt)
            pop = sim.Population(len(combos), sim.PointNeuron(body, NMDA=sim.NMDA(tau_rise=0.3, tau_decay=0.5),
                                                              AMPA=sim.AMPA()), initial_values={"v": v0})
            pop.set(**{"NMDA.mg": mg, "NMDA.alpha": alpha})
            src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 1.5, 3.0]))
            sim.Projection(src, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=weight[None, :], delay=dt),
                           receptor_type="NMDA")
            pop.record("v")
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                sim.run(10.0)
            v = np.asarray(pop.get_data().segments[0].analogsignals[0])
            sim.end()
            assert np.isfinite(v).all()
            assert np.all(np.abs(v) <= 1.5 * np.maximum(np.abs(v0), 65.0)), (type(body).__name__, dt)
