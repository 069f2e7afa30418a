"""Electrical synapses: PyNN's symmetric ElectricalSynapse (gap junction) and the rectified
variant of sns-toolbox. Each test states the closed form it checks."""
from __future__ import annotations

import numpy as np
import pytest

from pynnlite.errors import ConnectionError, InvalidParameterValueError


def engine_v(population):
    return population.simulation.engine.groups[population].state["v"].copy()


def test_symmetric_junction_steady_state(sim):
    """Two leaky cells (g_m = 1 µS) joined by g = 0.5 µS, 10 nA into a:
    [[g_m + g, −g], [−g, g_m + g]]·[Va, Vb] = [10, 0] → Va = 7.5, Vb = 2.5 mV."""
    a = sim.Population(1, sim.NonSpikingNeuron(i_offset=10.0))
    b = sim.Population(1, sim.NonSpikingNeuron())
    sim.Projection(a, b, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.5))
    sim.run(300.0)
    assert engine_v(a)[0] == pytest.approx(7.5, abs=1e-9)
    assert engine_v(b)[0] == pytest.approx(2.5, abs=1e-9)


def test_symmetric_junction_is_the_same_both_ways(sim):
    """A projection b → a gives the same junction as a → b (current g·(V_other − V_self) into
    each cell): driving b instead of a mirrors the steady state."""
    a = sim.Population(1, sim.NonSpikingNeuron())
    b = sim.Population(1, sim.NonSpikingNeuron(i_offset=10.0))
    sim.Projection(a, b, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.5))
    sim.run(300.0)
    assert engine_v(a)[0] == pytest.approx(2.5, abs=1e-9)
    assert engine_v(b)[0] == pytest.approx(7.5, abs=1e-9)


def test_rectified_junction_passes_current_one_way_only(sim):
    """rectified=True conducts only while V_pre > V_post (current pre → post):
    driving pre gives the linear steady state (7.5, 2.5); driving post leaves pre at rest
    exactly and post at its uncoupled value I/g_m = 10."""
    a1 = sim.Population(1, sim.NonSpikingNeuron(i_offset=10.0))
    b1 = sim.Population(1, sim.NonSpikingNeuron())
    a2 = sim.Population(1, sim.NonSpikingNeuron())
    b2 = sim.Population(1, sim.NonSpikingNeuron(i_offset=10.0))
    syn = sim.ElectricalSynapse(weight=0.5, rectified=True)
    sim.Projection(a1, b1, sim.OneToOneConnector(), syn)
    sim.Projection(a2, b2, sim.OneToOneConnector(), syn)
    a2.record("v")
    sim.run(300.0)
    assert engine_v(a1)[0] == pytest.approx(7.5, abs=1e-9)
    assert engine_v(b1)[0] == pytest.approx(2.5, abs=1e-9)
    assert np.all(np.asarray(a2.get_data().segments[0].analogsignals[0]) == 0.0)
    assert engine_v(b2)[0] == pytest.approx(10.0, abs=1e-9)


def test_junction_conserves_charge_and_equalises(sim):
    """Without leak (g_m = 0) the junction current leaving one cell enters the other, so
    C·(Va + Vb) is conserved (exactly, to rounding), and Va − Vb = (Va0 − Vb0)·e^(−2g·t/C)
    (to O(dt²): the partner's potential is extrapolated linearly over each step)."""
    a = sim.Population(1, sim.NonSpikingNeuron(g_m=0.0, cm=1.0), initial_values={"v": 10.0})
    b = sim.Population(1, sim.NonSpikingNeuron(g_m=0.0, cm=1.0), initial_values={"v": -6.0})
    sim.Projection(a, b, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.05))
    a.record("v")
    b.record("v")
    sim.run(20.0)
    va = np.asarray(a.get_data().segments[0].analogsignals[0])[:, 0]
    vb = np.asarray(b.get_data().segments[0].analogsignals[0])[:, 0]
    np.testing.assert_allclose(va + vb, 4.0, atol=1e-12)
    t = np.arange(va.size) * 0.1
    # the scheme's own closed form: with E = e^(−h·g/C), k = 1 − E, u = Va − Vb: the first step
    # (no previous value) u₁ = (E − k)·u₀, then u_{n+1} = E·u_n − k·(1.5·u_n − 0.5·u_{n−1}) ...
    E = np.exp(-0.1 * 0.05)
    k = 1.0 - E
    u = [16.0, 16.0 * (E - k)]
    while len(u) < va.size:
        u.append(E * u[-1] - k * (1.5 * u[-1] - 0.5 * u[-2]))
    np.testing.assert_allclose(va - vb, u, rtol=1e-10)
    # ... which is e^(−2g·h/C) to second order in h (first order, frozen partner: 5e-3)
    np.testing.assert_allclose(va - vb, 16.0 * np.exp(-2 * 0.05 * t), rtol=3e-5)


def test_junction_between_spiking_cells(sim):
    """A gap junction onto a LIF (current taken constant over each step): a cell held above
    threshold by its bias drags a coupled subthreshold partner up; without the junction the
    partner stays at rest."""
    driver = sim.Population(1, sim.IF_cond_exp(i_offset=1.0))
    partner = sim.Population(2, sim.IF_cond_exp())
    sim.Projection(driver, partner[0:1], sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.02))
    partner.record("v")
    sim.run(100.0)
    v = np.asarray(partner.get_data().segments[0].analogsignals[0])
    assert v[:, 1].max() == pytest.approx(-65.0, abs=1e-12)
    assert v[:, 0].max() > -63.0


def test_electrical_get_set_and_declaration(sim):
    """PyNN's ElectricalSynapse: one parameter 'weight' (µS, default 0), no delay; per-connection
    get/set like any synapse."""
    assert sim.ElectricalSynapse().parameter_space == {"weight": 0.0}
    a = sim.Population(3, sim.NonSpikingNeuron())
    b = sim.Population(3, sim.NonSpikingNeuron())
    prj = sim.Projection(a, b, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.1))
    assert prj.receptor_type == "membrane" and prj._unit("weight") == "uS"
    prj.set(weight=[0.1, 0.2, 0.3])
    assert prj.get("weight", format="list", with_address=False) == [0.1, 0.2, 0.3]
    with pytest.raises(InvalidParameterValueError, match="weight"):
        prj.set(weight=-1.0)
    with pytest.raises(Exception, match="delay"):
        prj.set(delay=1.0)
    assert "rectified" in str(prj.synapse_type.describe())


def test_electrical_bad_input(sim):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    cell = sim.Population(1, sim.NonSpikingNeuron())
    with pytest.raises(ConnectionError, match="presynaptic_population.*no membrane potential"):
        sim.Projection(src, cell, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.1))
    with pytest.raises(ConnectionError, match="postsynaptic_population.*no membrane potential"):
        sim.Projection(cell, src, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.1))
    with pytest.raises(ConnectionError, match="source"):
        sim.Projection(cell, cell, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.1), source="i_offset")
    with pytest.raises(ConnectionError, match="rectified"):
        sim.ElectricalSynapse(rectified="yes")


# -- second order in dt: against the closed form and scipy ---------------------------------

def _pair(sim_module, dt, celltypes, g, t_stop, initial=None, strong=False):
    """Run two cells a → b joined by a junction of g µS; their recorded v (n, 2) and the times."""
    sim_module.setup(timestep=dt, min_delay=dt)
    a = sim_module.Population(1, celltypes[0])
    b = sim_module.Population(1, celltypes[1])
    if initial is not None:
        a.initialize(v=initial[0])
        b.initialize(v=initial[1])
    sim_module.Projection(a, b, sim_module.AllToAllConnector(), sim_module.ElectricalSynapse(weight=g))
    a.record("v")
    b.record("v")
    sim_module.run(t_stop)
    v = np.column_stack([np.asarray(p.get_data().segments[0].filter(name="v")[0].magnitude)[:, 0] for p in (a, b)])
    sim_module.end()
    return np.arange(v.shape[0]) * dt, v


def _linear_pair(t, cm, g_leak, e_leak, i_bias, g, v0):
    """Closed form of cm_k dv_k/dt = g_leak_k (e_leak_k − v_k) + i_k + g (v_other − v_k), k = a, b."""
    from scipy.linalg import expm
    A = np.array([[-(g_leak[0] + g) / cm[0], g / cm[0]], [g / cm[1], -(g_leak[1] + g) / cm[1]]])
    b = np.array([(g_leak[0] * e_leak[0] + i_bias[0]) / cm[0], (g_leak[1] * e_leak[1] + i_bias[1]) / cm[1]])
    M = np.zeros((3, 3))
    M[:2, :2], M[:2, 2] = A, b
    return np.array([(expm(M * s) @ np.r_[v0, 1.0])[:2] for s in t])


def _passive_errors(sim_module, kind):
    """Max |v error| (mV) of two passive cells at dt 0.1, 0.05, 0.025 ms against the closed form.
    'exact': NonSpikingNeuron (the junction's own conductance integrated exactly over the step);
    'explicit': IF_cond_exp below threshold (the junction current constant over the step)."""
    errors = []
    for dt in (0.1, 0.05, 0.025):
        if kind == "exact":
            cells = (sim_module.NonSpikingNeuron(cm=1.0, g_m=0.1, i_offset=2.0), sim_module.NonSpikingNeuron(cm=2.0, g_m=0.05))
            t, v = _pair(sim_module, dt, cells, 0.5, 20.0)
            ref = _linear_pair(t, [1.0, 2.0], [0.1, 0.05], [0.0, 0.0], [2.0, 0.0], 0.5, [0.0, 0.0])
        else:
            cells = (sim_module.IF_cond_exp(cm=1.0, tau_m=20.0, v_rest=-65.0, v_thresh=1e3, i_offset=0.5),
                     sim_module.IF_cond_exp(cm=0.5, tau_m=10.0, v_rest=-65.0, v_thresh=1e3))
            t, v = _pair(sim_module, dt, cells, 0.02, 20.0, initial=(-65.0, -65.0))
            ref = _linear_pair(t, [1.0, 0.5], [0.05, 0.05], [-65.0, -65.0], [0.5, 0.0], 0.02, [-65.0, -65.0])
        errors.append(np.abs(v - ref).max())
    return np.array(errors)


@pytest.mark.parametrize("kind, at_01", [("exact", 3e-3), ("explicit", 1.2e-4)])
def test_junction_is_second_order_against_closed_form(kind, at_01):
    """Two linear cells joined by a junction: the error against the closed form (matrix
    exponential) quarters when dt halves (the frozen partner of before halved it: 8.1e-2 and
    2.8e-3 mV at dt 0.1 ms)."""
    import pynnlite.backends.numpy as sim_module
    errors = _passive_errors(sim_module, kind)
    assert errors[0] < at_01
    order = np.log2(errors[:-1] / errors[1:])
    assert np.all(order > 1.8), (errors, order)


def test_junction_between_hh_cells_is_second_order_against_scipy():
    """Two HH_cond_exp cells (0.3 nA into a, a spiking at about 60 Hz) joined by 0.01 µS,
    against scipy's solve_ivp (DOP853, rtol 1e-10) of the coupled 8-variable system: the
    passive cell's error is 0.16 / 0.042 mV at dt 0.1 / 0.05 ms (before: 0.24 / 0.13)."""
    from scipy.integrate import solve_ivp
    import pynnlite.backends.numpy as sim_module
    from pynnlite.backends.numpy.neurons import _traub_rates
    p = dict(g_na=20.0, g_k=6.0, g_l=0.01, cm=0.2, v_off=-63.0, e_na=50.0, e_k=-90.0, e_l=-65.0)
    g, i_a, t_stop = 0.01, 0.3, 30.0

    def rhs(t, y):
        out = np.empty(8)
        for k in range(2):
            v, m, h, n = y[4 * k:4 * k + 4]
            am, bm, ah, bh, an, bn = (float(x) for x in _traub_rates(np.array(v - p["v_off"])))
            i = (-p["g_na"] * m ** 3 * h * (v - p["e_na"]) - p["g_k"] * n ** 4 * (v - p["e_k"])
                 - p["g_l"] * (v - p["e_l"]) + (i_a if k == 0 else 0.0) + g * (y[4 * (1 - k)] - v))
            out[4 * k:4 * k + 4] = (i / p["cm"], am - (am + bm) * m, ah - (ah + bh) * h, an - (an + bn) * n)
        return out

    errors = []
    for dt in (0.1, 0.05):
        sim_module.setup(timestep=dt, min_delay=dt)
        probe = sim_module.Population(1, sim_module.HH_cond_exp())
        sim_module.run(0.0)
        state = probe.simulation.engine.groups[probe].state
        y0 = [float(state[name][0]) for name in ("v", "m", "h", "n")] * 2
        sim_module.end()
        t, v = _pair(sim_module, dt, (sim_module.HH_cond_exp(i_offset=i_a), sim_module.HH_cond_exp()), g, t_stop)
        ref = solve_ivp(rhs, (0.0, t_stop), y0, method="DOP853", rtol=1e-10, atol=1e-10, t_eval=t).y
        errors.append(np.abs(v[:, 1] - ref[4]).max())
    assert errors[0] < 0.2 and errors[1] < 0.055, errors
    assert np.log2(errors[0] / errors[1]) > 1.7, errors


@pytest.mark.parametrize("cells, end_error", [("exact", 4.0), ("explicit", 1e-9), ("mixed", 0.5)])
def test_strong_junction_is_stable(cells, end_error):
    """1 µS between passive cells at dt 0.1 ms, x = h·g/cm = 5 (NonSpikingNeuron, cm 0.02 nF
    onto 0.2 nF), 0.83 (two IF_cond_exp of 0.12 nF, near the limit x < 1 of the explicit
    current) and 0.5 (a NonSpikingNeuron and an IF_cond_exp): the bounded extrapolation's
    step-to-step oscillation of the difference mode dies out (|second difference| < 0.05 mV
    after 5 ms, < 1e-5 after 20 ms) and v ends nearer the closed form than with the frozen
    partner (5.96, 1e-13 and 2.1 mV). Extrapolating fully (w = 1) oscillates undamped there
    (|second difference| 0.49, 6e3 — growing — and 1.2e-5 mV after 5 ms)."""
    import pynnlite.backends.numpy as sim_module
    if cells == "exact":
        types = (sim_module.NonSpikingNeuron(cm=0.02, g_m=0.01, i_offset=1.0), sim_module.NonSpikingNeuron(cm=0.2, g_m=0.01))
        cm, gl, el, i_b, v0 = [0.02, 0.2], [0.01, 0.01], [0.0, 0.0], [1.0, 0.0], [0.0, 0.0]
    elif cells == "explicit":
        types = (sim_module.IF_cond_exp(cm=0.12, tau_m=20.0, v_rest=-65.0, v_thresh=1e3, i_offset=1.0),
                 sim_module.IF_cond_exp(cm=0.12, tau_m=20.0, v_rest=-65.0, v_thresh=1e3))
        cm, gl, el, i_b, v0 = [0.12, 0.12], [0.006, 0.006], [-65.0, -65.0], [1.0, 0.0], [-65.0, -50.0]
    else:
        types = (sim_module.NonSpikingNeuron(cm=0.2, g_m=0.01, v_rest=-65.0, i_offset=1.0),
                 sim_module.IF_cond_exp(cm=0.2, tau_m=20.0, v_rest=-65.0, v_thresh=1e3))
        cm, gl, el, i_b, v0 = [0.2, 0.2], [0.01, 0.01], [-65.0, -65.0], [1.0, 0.0], [-65.0, -50.0]
    t, v = _pair(sim_module, 0.1, types, 1.0, 30.0, initial=v0)
    ref = _linear_pair(t, cm, gl, el, i_b, 1.0, v0)
    assert np.all(np.isfinite(v))
    second = np.abs(np.diff(v[:, 0] - v[:, 1], 2))
    assert second[50:].max() < 0.05 and second[200:].max() < 1e-5, (second[50:].max(), second[200:].max())
    assert np.abs(v[-1] - ref[-1]).max() < end_error


def test_extrapolation_starts_afresh_after_reset_and_initialize(sim):
    """The extrapolation needs the previous step's v: after reset() (and initialize()) a run
    starts from the frozen partner as the first run did, so results repeat bit for bit; a run
    cut in two continues the extrapolation (same values as one run)."""
    def build():
        a = sim.Population(1, sim.NonSpikingNeuron(i_offset=5.0))
        b = sim.Population(1, sim.NonSpikingNeuron())
        sim.Projection(a, b, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=0.5))
        b.record("v")
        return a, b
    a, b = build()
    sim.run(10.0)
    first = np.asarray(b.get_data().segments[-1].analogsignals[0]).copy()
    sim.reset()
    sim.run(5.0)
    sim.run(5.0)
    second = np.asarray(b.get_data().segments[-1].analogsignals[0])
    np.testing.assert_array_equal(first, second)
    sim.reset()
    a.initialize(v=0.0)
    sim.run(10.0)
    np.testing.assert_array_equal(first, np.asarray(b.get_data().segments[-1].analogsignals[0]))
