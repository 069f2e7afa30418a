"""IF_facets_hardware1, checked against PyNN 0.13's declaration, the closed form of the
conductance-based LIF under constant current and the equivalence PyNN states (NEST iaf_cond_exp,
i.e. IF_cond_exp, with C_m 200 pF, t_ref 1 ms, E_ex 0 mV) — never against the code's own earlier
output."""
import math

import numpy as np
import pytest

from pynnlite import errors
from pynnlite.parameters import Sequence


# -- IF_facets_hardware1 ------------------------------------------------------------------------

def test_facets_declaration_follows_pynn(sim):
    celltype = sim.IF_facets_hardware1
    assert celltype.default_parameters == {
        "g_leak": 40.0, "tau_syn_E": 30.0, "tau_syn_I": 30.0, "v_reset": -80.0, "e_rev_I": -80.0,
        "v_rest": -65.0, "v_thresh": -55.0}
    assert celltype.default_initial_values == {"v": -65.0, "gsyn_exc": 0.0, "gsyn_inh": 0.0}
    assert celltype.recordable == ["spikes", "v", "gsyn_exc", "gsyn_inh"]
    assert (celltype.units["g_leak"], celltype.units["gsyn_exc"], celltype.units["v_thresh"]) == ("nS", "uS", "mV")
    assert celltype.conductance_based and list(celltype().receptor_types) == ["excitatory", "inhibitory"]
    assert "IF_facets_hardware1" in celltype().describe()


def test_facets_rejects_bad_parameters(sim):
    for bad in (dict(g_leak=0.0), dict(g_leak=-40.0), dict(tau_syn_E=0.0), dict(v_rest=float("nan"))):
        with pytest.raises(errors.InvalidParameterValueError):
            sim.IF_facets_hardware1(**bad)
    for fixed in ("cm", "tau_refrac", "e_rev_E", "i_offset", "tau_m"):   # fixed by the model, as in PyNN
        with pytest.raises(errors.NonExistentParameterError):
            sim.IF_facets_hardware1(**{fixed: 1.0})


def test_facets_dc_response_is_the_closed_form(sim):
    """Constant current I from t0: v = v_inf + (v_rest − v_inf)·e^(−(t−t0)/τ), τ = cm/g_leak = 5 ms,
    v_inf = v_rest + I/g_leak (cm = 0.2 nF fixed). First spike at the first step end past
    t0 + τ·ln((v_inf − v_rest)/(v_inf − v_thresh)); then v_reset for 1 ms (tau_refrac fixed) and the
    next crossing τ·ln((v_inf − v_reset)/(v_inf − v_thresh)) later. (PyNN+NEST 3.10 gives the same
    spikes, 18.1 … 96.1 ms, and v within 3e-11 mV.)"""
    dt, amplitude, t0 = 0.1, 0.5, 10.0
    cell = sim.Population(1, sim.IF_facets_hardware1())
    cell.inject(sim.DCSource(amplitude=amplitude, start=t0, stop=100.0))
    cell.record(["v", "spikes"])
    sim.run(100.0)
    segment = cell.get_data().segments[0]
    v = segment.filter(name="v")[0].magnitude[:, 0]
    spikes = np.asarray(segment.spiketrains[0].magnitude)
    tau, g = 0.2 / 0.040, 0.040                                   # ms, µS
    v_inf = -65.0 + amplitude / g
    first = t0 + tau * math.log((v_inf + 65.0) / (v_inf + 55.0))
    period = 1.0 + math.ceil(tau * math.log((v_inf + 80.0) / (v_inf + 55.0)) / dt - 1e-9) * dt
    expected = math.ceil(first / dt - 1e-9) * dt + period * np.arange(7)
    np.testing.assert_allclose(spikes, expected[expected < 100.0], atol=1e-9)
    t = np.arange(v.size) * dt
    before = (t >= t0) & (t < spikes[0])
    np.testing.assert_allclose(v[before], v_inf + (-65.0 - v_inf) * np.exp(-(t[before] - t0) / tau), atol=1e-9)
    after_reset = int(round((spikes[0] + 1.0) / dt))
    assert np.all(v[int(round(spikes[0] / dt)):after_reset + 1] == -80.0)   # clamped for 1 ms
    assert v[after_reset + 1] > -80.0


def test_facets_equals_if_cond_exp_with_the_fixed_values(sim):
    """Under the same excitatory and inhibitory spike input, IF_facets_hardware1(g_leak, …) and
    IF_cond_exp(cm=0.2, tau_m=0.2/g_leak (µS), tau_refrac=1, e_rev_E=0, i_offset=0, …) give the
    same v, gsyn and spikes (what PyNN's NEST mapping to iaf_cond_exp means)."""
    rng = np.random.default_rng(7)
    times = [Sequence(np.sort(np.round(rng.uniform(1.0, 400.0, 40), 1))) for _ in range(30)]
    source = sim.Population(30, sim.SpikeSourceArray(spike_times=times))
    shared = dict(tau_syn_E=4.0, tau_syn_I=9.0, v_reset=-70.0, e_rev_I=-75.0, v_rest=-62.0, v_thresh=-56.0)
    facets = sim.Population(3, sim.IF_facets_hardware1(g_leak=[15.0, 25.0, 60.0], **shared))
    cond = sim.Population(3, sim.IF_cond_exp(cm=0.2, tau_m=[0.2 / 0.015, 0.2 / 0.025, 0.2 / 0.060], tau_refrac=1.0,
                                             e_rev_E=0.0, i_offset=0.0, **shared))
    for post in (facets, cond):
        sim.Projection(source[:22], post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.004, delay=1.0),
                       receptor_type="excitatory")
        sim.Projection(source[22:], post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.006, delay=1.0),
                       receptor_type="inhibitory")
        post.record(["v", "gsyn_exc", "gsyn_inh", "spikes"])
    sim.run(400.0)
    a, b = facets.get_data().segments[0], cond.get_data().segments[0]
    assert sum(len(s) for s in a.spiketrains) >= 5
    for x, y in zip(a.spiketrains, b.spiketrains):
        np.testing.assert_allclose(x.magnitude, y.magnitude, atol=1e-9)
    for name in ("v", "gsyn_exc", "gsyn_inh"):
        np.testing.assert_allclose(a.filter(name=name)[0].magnitude, b.filter(name=name)[0].magnitude,
                                   rtol=1e-12, atol=1e-10)
