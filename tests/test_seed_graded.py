"""Graded transmission (sns-toolbox NonSpikingSynapse, jaxley ConductanceSynapse) and the
per-synapse spiking conductance synapse (sns SpikingSynapse).

Each test states the closed form it checks. NonSpikingNeuron integrates with exponential
Euler treating the synaptic conductance of a step exactly, so steady states, and single steps
with constant conductance, are exact to rounding.
"""
from __future__ import annotations

import io

import numpy as np
import pytest

from pynnlite.errors import ConnectionError, InvalidModelError, InvalidParameterValueError


def final_v(population):
    return np.asarray(population.get_data().segments[0].analogsignals[0])[-1]


def engine_v(population):
    """Membrane potentials now (the engine's state, in population order on one process)."""
    return population.simulation.engine.groups[population].state["v"].copy()


# -- clip (sns) -------------------------------------------------------------------------

@pytest.mark.parametrize("g_m", [1.0, 2.0])
def test_clip_pair_steady_state(sim, g_m):
    """Pre held at U_pre by its bias (U_pre = i_offset/g_m); post steady state
    U_post = g·e_rev/(g_m + g), g = g_max·clip((U_pre − e_lo)/(e_hi − e_lo), 0, 1)."""
    u_pre = np.array([-5.0, 0.0, 5.0, 10.0, 20.0, 30.0])
    pre = sim.Population(u_pre.size, sim.NonSpikingNeuron(g_m=g_m, i_offset=g_m * u_pre))
    post = sim.Population(u_pre.size, sim.NonSpikingNeuron(g_m=g_m))
    sim.Projection(pre, post, sim.OneToOneConnector(),
                   sim.GradedSynapse(weight=1.5, e_rev=40.0, e_lo=0.0, e_hi=20.0))
    sim.run(400.0)   # 80 membrane time constants
    g = 1.5 * np.clip(u_pre / 20.0, 0.0, 1.0)
    np.testing.assert_allclose(engine_v(pre), u_pre, atol=1e-9)
    np.testing.assert_allclose(engine_v(post), g * 40.0 / (g_m + g), atol=1e-9)


def test_transmission_preset_gain(sim):
    """sns transmission synapse (gain k, R = 20, e_rev = 40): g_max = kR/(e_rev − kR) and
    U_post = k·U_pre exactly at U_pre = 0 and R; between, U_post = g·E/(1 + g) (k = 1: 5 → 8,
    10 → 13.33)."""
    syn = sim.transmission_synapse(gain=1.0)
    assert syn.parameter_space["weight"] == pytest.approx(1.0)
    assert syn.parameter_space["e_hi"] == 20.0 and syn.nonlinearity == "clip"
    u_pre = np.array([0.0, 5.0, 10.0, 20.0])
    pre = sim.Population(4, sim.NonSpikingNeuron(i_offset=u_pre))
    post = sim.Population(4, sim.NonSpikingNeuron())
    sim.Projection(pre, post, sim.OneToOneConnector(), syn)
    sim.run(300.0)
    np.testing.assert_allclose(engine_v(post), [0.0, 8.0, 40.0 / 3.0, 20.0], atol=1e-9)


def test_transmission_preset_with_membrane_conductance(sim):
    """With the post cell's g_m (sns assumes 1 µS) the preset keeps U_post(R) = k·R:
    g_max = g_m·kR/(e_rev − kR); k = 0.5, g_m = 2 → U_post(20) = 10."""
    pre = sim.Population(1, sim.NonSpikingNeuron(i_offset=20.0))
    post = sim.Population(1, sim.NonSpikingNeuron(g_m=2.0))
    sim.Projection(pre, post, sim.OneToOneConnector(), sim.transmission_synapse(gain=0.5, g_m=2.0))
    sim.run(300.0)
    assert engine_v(post)[0] == pytest.approx(10.0, abs=1e-9)


def test_modulation_preset_ratio(sim):
    """sns modulation synapse: e_rev = 0, g_max = 1/ratio − 1; a post cell at U0 = I/g_m without
    input settles at ratio·U0 when U_pre = R."""
    pre = sim.Population(2, sim.NonSpikingNeuron(i_offset=[20.0, 0.0]))
    post = sim.Population(2, sim.NonSpikingNeuron(i_offset=10.0))
    syn = sim.modulation_synapse(ratio=0.25)
    assert syn.parameter_space["weight"] == pytest.approx(3.0) and syn.parameter_space["e_rev"] == 0.0
    sim.Projection(pre, post, sim.OneToOneConnector(), syn)
    sim.run(300.0)
    np.testing.assert_allclose(engine_v(post), [2.5, 10.0], atol=1e-9)


def test_presets_reject_impossible_designs():
    from pynnlite.models.graded import modulation_synapse, transmission_synapse
    with pytest.raises(InvalidParameterValueError, match="same sign"):
        transmission_synapse(gain=-1.0, e_rev=40.0)
    with pytest.raises(InvalidParameterValueError, match=r"\|gain·R\|"):
        transmission_synapse(gain=2.0, R=20.0, e_rev=40.0)
    with pytest.raises(InvalidParameterValueError, match="ratio"):
        modulation_synapse(ratio=1.5)


# -- sigmoid / relu / tanh / callable (jaxley) --------------------------------------------

def _one_step_current(sim, v_pre, v_post, synapse, cm=1.0):
    """Run one step with frozen potentials (g_m = 0 everywhere) and return the synaptic current
    recovered from the exact step: v1 = E − (E − v0)·e^(−h·G/cm), I = G·(E − v0)."""
    n = len(v_pre)
    pre = sim.Population(n, sim.NonSpikingNeuron(g_m=0.0), initial_values={"v": v_pre})
    post = sim.Population(n, sim.NonSpikingNeuron(g_m=0.0, cm=cm), initial_values={"v": v_post})
    sim.Projection(pre, post, sim.OneToOneConnector(), synapse)
    sim.run(sim.get_time_step())
    v1 = engine_v(post)
    e = synapse.parameter_space["e_rev"]
    h = sim.get_time_step()
    conductance = -cm / h * np.log((e - v1) / (e - np.asarray(v_post)))
    np.testing.assert_allclose(engine_v(pre), v_pre, atol=0)   # pre unchanged (g_m = 0, no input)
    return conductance * (e - np.asarray(v_post))


@pytest.mark.parametrize("name, f", [
    ("sigmoid", lambda x: 1.0 / (1.0 + np.exp(-x))),
    ("relu", lambda x: np.maximum(x, 0.0)),
    ("tanh", np.tanh),
    ("clip", lambda x: np.clip(x, 0.0, 1.0)),
])
def test_nonlinearity_current_at_given_potentials(sim, name, f):
    """jaxley ConductanceSynapse: I = g_S·f((V_pre − v_th)/Δ)·(e_rev − V_post), here at
    V_pre ∈ {−60 … 0} mV, V_post = −70 mV, g_S = 1e-3 µS, v_th = −35, Δ = 10, e_rev = 0."""
    v_pre = np.array([-60.0, -40.0, -35.0, -30.0, -10.0, 0.0])
    v_post = np.full(v_pre.size, -70.0)
    syn = sim.GradedSynapse(weight=1e-3, e_rev=0.0, v_th=-35.0, delta=10.0, nonlinearity=name)
    current = _one_step_current(sim, v_pre, v_post, syn)
    expected = 1e-3 * f((v_pre + 35.0) / 10.0) * (0.0 + 70.0)
    np.testing.assert_allclose(current, expected, rtol=1e-9, atol=1e-15)


def test_callable_nonlinearity(sim):
    """Any vectorised callable f: I = g·f(x)·(E − V_post) with f(x) = x² (jaxley's example)."""
    syn = sim.GradedSynapse(weight=2e-3, e_rev=10.0, v_th=-50.0, delta=20.0, nonlinearity=lambda x: x ** 2)
    v_pre = np.array([-50.0, -30.0, -10.0])
    current = _one_step_current(sim, v_pre, np.full(3, -65.0), syn)
    np.testing.assert_allclose(current, 2e-3 * ((v_pre + 50.0) / 20.0) ** 2 * 75.0, rtol=1e-9)


def test_sigmoid_pair_steady_state(sim):
    """Pre frozen at V_pre (g_m = 0): post steady state v = (g_m·v_rest + gσ·E)/(g_m + gσ),
    σ = sigmoid((V_pre − v_th)/Δ)."""
    v_pre = np.array([-70.0, -35.0, -20.0])
    pre = sim.Population(3, sim.NonSpikingNeuron(g_m=0.0), initial_values={"v": v_pre})
    post = sim.Population(3, sim.NonSpikingNeuron(cm=0.5, g_m=0.05, v_rest=-70.0), initial_values={"v": -70.0})
    sim.Projection(pre, post, sim.OneToOneConnector(), sim.GradedSynapse(weight=0.1, e_rev=0.0))
    sim.run(500.0)
    gs = 0.1 / (1.0 + np.exp(-(v_pre + 35.0) / 10.0))
    np.testing.assert_allclose(engine_v(post), (0.05 * -70.0 + gs * 0.0) / (0.05 + gs), atol=1e-8)


def test_graded_current_into_spiking_cell_type(sim):
    """A graded synapse onto an IF_curr_exp acts as a constant current over each step: with the
    pre frozen, the post LIF relaxes to v_rest + R·I, I = g·σ·(E − v) at the fixed point:
    v* = (v_rest·g_L + gσE)/(g_L + gσ), g_L = cm/τm (threshold out of reach)."""
    pre = sim.Population(1, sim.NonSpikingNeuron(g_m=0.0), initial_values={"v": -35.0})
    post = sim.Population(1, sim.IF_curr_exp(v_thresh=100.0))
    sim.Projection(pre, post, sim.OneToOneConnector(), sim.GradedSynapse(weight=0.02, e_rev=0.0))
    post.record("v")
    sim.run(400.0)
    g = 0.02 * 0.5
    g_leak = 1.0 / 20.0
    assert final_v(post)[0] == pytest.approx((-65.0 * g_leak + 0.0) / (g_leak + g), abs=1e-6)


def test_results_do_not_depend_on_population_order(sim):
    """All couplings use the start-of-step potentials: a mutually coupled pair gives the same
    trajectories whichever population is created (and stepped) first."""
    def build(first_a):
        sim.setup(timestep=0.1)
        params = {"a": dict(i_offset=15.0), "b": dict(i_offset=2.0)}
        order = ["a", "b"] if first_a else ["b", "a"]
        pops = {name: sim.Population(1, sim.NonSpikingNeuron(**params[name]), label=name) for name in order}
        syn = sim.GradedSynapse(weight=0.8, e_rev=-20.0, e_lo=0.0, e_hi=10.0)
        sim.Projection(pops["a"], pops["b"], sim.OneToOneConnector(), syn)
        sim.Projection(pops["b"], pops["a"], sim.OneToOneConnector(), syn)
        for p in pops.values():
            p.record("v")
        sim.run(50.0)
        out = [np.asarray(pops[k].get_data().segments[0].analogsignals[0])[:, 0] for k in ("a", "b")]
        return np.array(out)
    np.testing.assert_array_equal(build(True), build(False))


def test_per_connection_and_per_cell_activation_paths_agree(sim):
    """The engine evaluates f once per presynaptic cell when v_th/Δ are shared by a cell's
    connections, else per connection; both equal the direct sum Σ w·f((V_i − v_th)/Δ)·(E − V_j)."""
    rng = np.random.default_rng(3)
    n = 5
    pre = sim.Population((n, n), sim.NonSpikingNeuron(g_m=0.0), initial_values={"v": rng.uniform(0, 20, n * n)})
    post = sim.Population((n, n), sim.NonSpikingNeuron(g_m=0.0, cm=1.0),
                          initial_values={"v": rng.uniform(-10, 10, n * n)})
    K, E = rng.uniform(0, 0.2, (3, 3)), rng.uniform(-40, 40, (3, 3))
    prj = sim.Projection(pre, post, sim.KernelConnector(K, e_rev=E), sim.GradedSynapse(v_th=10.0, delta=5.0))
    v_pre = np.array(pre.initial_values["v"], dtype=float)
    v0 = np.array(post.initial_values["v"], dtype=float)
    h = sim.get_time_step()

    def expected():
        W = np.nan_to_num(prj.get("weight", format="array"))
        Er = np.nan_to_num(prj.get("e_rev", format="array"))
        VT = np.nan_to_num(prj.get("v_th", format="array"))
        act = np.where(W > 0, 1.0 / (1.0 + np.exp(-(v_pre[:, None] - VT) / 5.0)), 0.0)
        G, IE = (W * act).sum(0), (W * act * Er).sum(0)
        return IE / G + (v0 - IE / G) * np.exp(-h * G)

    sim.run(h)
    np.testing.assert_allclose(engine_v(post), expected(), atol=1e-12)
    coupling = prj.simulation.engine.couplings.couplings[0]
    assert coupling.per_pre
    prj.set(v_th=rng.uniform(5.0, 15.0, len(prj)))
    post.initialize(v=v0)
    sim.run(h)
    assert not coupling.per_pre
    np.testing.assert_allclose(engine_v(post), expected(), atol=1e-12)


# -- parameters: get / set / save, sns names, matrices ------------------------------------------

def test_sns_names_are_the_connection_parameters(sim):
    """With e_lo/e_hi the per-connection parameters are weight, e_rev, e_lo, e_hi (µS, mV)."""
    pre = sim.Population(2, sim.NonSpikingNeuron())
    post = sim.Population(3, sim.NonSpikingNeuron())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.NonSpikingSynapse(max_conductance=0.5))
    assert prj.receptor_type == "membrane"
    assert set(prj.synapse_parameter_names()) == {"weight", "e_rev", "e_lo", "e_hi"}
    e_hi = np.array([[20.0, 25.0, 30.0], [35.0, 40.0, 45.0]])
    prj.set(e_hi=e_hi)
    np.testing.assert_array_equal(prj.get("e_hi", format="array"), e_hi)
    weights, e_lo = prj.get(["weight", "e_lo"], format="array")
    assert np.all(weights == 0.5) and np.all(e_lo == 0.0)
    out = io.StringIO()
    prj.save(["weight", "e_rev", "e_lo", "e_hi"], out)
    assert "e_hi" in out.getvalue().splitlines()[0] or "e_hi" in out.getvalue()
    with pytest.raises(InvalidParameterValueError, match="e_hi must be > e_lo"):
        prj.set(e_hi=-1.0)


def test_jaxley_names_are_the_connection_parameters(sim):
    pre = sim.Population(2, sim.NonSpikingNeuron())
    post = sim.Population(2, sim.NonSpikingNeuron())
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), sim.GradedSynapse(weight=1e-4))
    assert set(prj.synapse_parameter_names()) == {"weight", "e_rev", "v_th", "delta"}
    prj.set(v_th=[-40.0, -30.0], delta=sim.RandomDistribution("uniform", (5.0, 15.0)))
    assert prj.get("v_th", format="list", with_address=False) == [-40.0, -30.0]
    with pytest.raises(InvalidParameterValueError, match="delta"):
        prj.set(delta=0.0)


def test_matrix_connections(sim):
    """sns matrix connections: ArrayConnector plus pre × post parameter arrays (sns matrices are
    post × pre: transpose them). Steady state of each post cell with pre held at U_i:
    U_j = Σ_i g_ij·E_ij / (1 + Σ_i g_ij), g_ij = G_ij·clip(U_i/20)."""
    G = np.array([[0.5, 0.0, 1.0], [0.2, 0.3, 0.0]])            # pre × post
    E = np.array([[40.0, 0.0, -10.0], [60.0, 40.0, 0.0]])
    mask = G > 0
    u = np.array([10.0, 20.0])
    pre = sim.Population(2, sim.NonSpikingNeuron(i_offset=u))
    post = sim.Population(3, sim.NonSpikingNeuron())
    prj = sim.Projection(pre, post, sim.ArrayConnector(mask),
                         sim.GradedSynapse(weight=G, e_rev=E, e_lo=0.0, e_hi=20.0))
    np.testing.assert_array_equal(np.nan_to_num(prj.get("weight", format="array")), G)
    sim.run(300.0)
    g = G * np.clip(u / 20.0, 0, 1)[:, None]
    np.testing.assert_allclose(engine_v(post), (g * E).sum(0) / (1.0 + g.sum(0)), atol=1e-9)


# -- bad input ------------------------------------------------------------------------------

def test_graded_synapse_bad_input(sim):
    with pytest.raises(InvalidParameterValueError, match="e_hi must be > e_lo"):
        sim.GradedSynapse(e_lo=10.0, e_hi=10.0)
    with pytest.raises(InvalidParameterValueError, match="either v_th/delta or the sns names"):
        sim.GradedSynapse(v_th=0.0, e_hi=10.0)
    with pytest.raises(InvalidParameterValueError, match="nonlinearity"):
        sim.GradedSynapse(nonlinearity="softplus")
    with pytest.raises(InvalidParameterValueError, match="vectorised"):
        sim.GradedSynapse(nonlinearity=lambda x: float(np.sum(x)))
    with pytest.raises(InvalidParameterValueError, match="delta"):
        sim.GradedSynapse(delta=-1.0)
    with pytest.raises(InvalidParameterValueError, match="weight"):
        sim.GradedSynapse(weight=-0.1)


def test_graded_synapse_from_spike_source_is_an_error(sim):
    """A spike source has no membrane potential to transmit."""
    src = sim.Population(2, sim.SpikeSourcePoisson(rate=10.0))
    post = sim.Population(2, sim.NonSpikingNeuron())
    with pytest.raises(ConnectionError, match="presynaptic_population.*no membrane potential"):
        sim.Projection(src, post, sim.OneToOneConnector(), sim.GradedSynapse())


def test_graded_projection_receptor_and_source_checks(sim):
    pre = sim.Population(1, sim.IF_cond_exp())
    post = sim.Population(1, sim.IF_cond_exp())
    with pytest.raises(ConnectionError, match="receptor_type 'excitatory'"):
        sim.Projection(pre, post, sim.OneToOneConnector(), sim.GradedSynapse(), receptor_type="excitatory")
    with pytest.raises(ConnectionError, match="no state variable 'w'"):
        sim.Projection(pre, post, sim.OneToOneConnector(), sim.GradedSynapse(), source="w")
    # a LIF's membrane potential is a valid graded source
    prj = sim.Projection(pre, post, sim.OneToOneConnector(), sim.GradedSynapse(weight=0.01), source="v")
    assert prj.receptor_type == "membrane"


def test_plastic_synapse_on_graded_source_is_an_error(sim):
    """Plastic synapse types are spike-driven: a graded (source='v') projection with one fails."""
    if not hasattr(sim, "STDPMechanism"):
        pytest.skip("plastic synapse types not available")
    pre = sim.Population(1, sim.IF_cond_exp())
    post = sim.Population(1, sim.IF_cond_exp())
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(), weight_dependence=sim.AdditiveWeightDependence())
    with pytest.raises((ConnectionError, InvalidModelError)):
        sim.Projection(pre, post, sim.OneToOneConnector(), stdp, source="v")


def test_non_spiking_neuron_declaration(sim):
    cell = sim.NonSpikingNeuron()
    assert cell.default_parameters == {"cm": 5.0, "g_m": 1.0, "v_rest": 0.0, "i_offset": 0.0}
    assert cell.spiking is False and cell.receptor_types == () and "spikes" not in cell.recordable
    pop = sim.Population(2, cell)
    with pytest.raises(Exception, match="spikes"):
        pop.record("spikes")


def test_sns_time_factor_reproduction(sim):
    """sns integrates U += dt·G_m/C·(…) (time constant C/G_m²); pynnlite integrates C dU/dt = …
    (time constant cm/g_m). cm = C_sns/G_m reproduces sns' time course: the relaxation from
    U0 = 10 to 0 is U0·e^(−t·G_m²/C) (here G_m = 2, C = 5: 10·e^(−0.8) at t = 1 ms)."""
    C, G = 5.0, 2.0
    pop = sim.Population(2, sim.NonSpikingNeuron(cm=[C, C / G], g_m=G), initial_values={"v": 10.0})
    sim.run(1.0)
    v = engine_v(pop)
    assert v[0] == pytest.approx(10.0 * np.exp(-1.0 * G / C), rel=1e-12)        # physical
    assert v[1] == pytest.approx(10.0 * np.exp(-1.0 * G * G / C), rel=1e-12)    # sns' time constant


# -- spiking conductance synapse (sns SpikingSynapse) --------------------------------------------

def test_spiking_conductance_decay_and_saturating_increment(sim):
    """g per connection: a spike arriving at t_a (spike + delay) adds min(Δg, g_max − g); between
    arrivals g = g(t_a)·e^(−(t − t_a)/τ). Spikes at 10, 10.5 ms, delay 1, τ = 2, Δg = 0.4,
    g_max = 1: g(11+) = 0.4, g(11.5+) = 0.4·e^(−0.25) + 0.4, then a third spike saturates."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 10.5, 10.6]))
    post = sim.Population(1, sim.NonSpikingNeuron())
    prj = sim.Projection(src, post, sim.OneToOneConnector(),
                         sim.SpikingConductanceSynapse(weight=1.0, tau_syn=2.0, g_increment=0.4, e_rev=100.0,
                                                       delay=1.0))
    sim.run(11.1)   # the arrival at 11.0 is applied at the start of the step 11.0 → 11.1
    assert prj.get("g", format="list", with_address=False)[0] == pytest.approx(0.4 * np.exp(-0.05), rel=1e-12)
    sim.run(0.6)    # arrivals at 11.5 and 11.6 (applied at the start of the steps from 11.5 and 11.6)
    g_115 = 0.4 * np.exp(-0.25) + 0.4
    g_116 = min(g_115 * np.exp(-0.05) + 0.4, 1.0)
    assert g_116 == 1.0   # the third spike saturates at g_max
    assert prj.get("g", format="list", with_address=False)[0] == pytest.approx(1.0 * np.exp(-0.05), rel=1e-12)


def test_spiking_conductance_default_resets_to_weight(sim):
    """g_increment = inf (default): every spike sets g to g_max, sns' default Δg = g_max."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 1.2]))
    post = sim.Population(1, sim.NonSpikingNeuron())
    prj = sim.Projection(src, post, sim.OneToOneConnector(),
                         sim.SpikingConductanceSynapse(weight=0.7, tau_syn=5.0, delay=0.1))
    sim.run(1.4)
    assert prj.get("g", format="list", with_address=False)[0] == pytest.approx(0.7 * np.exp(-0.1 / 5.0))


def test_spiking_conductance_membrane_closed_form(sim):
    """With g_m = 0 the post cell obeys C dV/dt = g(t)(E − V), g = g0·e^(−t/τ) after one spike:
    V(t) = E − (E − V0)·exp(−g0·τ/C·(1 − e^(−t/τ))). Exact here: g is averaged exactly over
    each step and the step is solved exactly for that conductance."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.9]))
    post = sim.Population(1, sim.NonSpikingNeuron(g_m=0.0, cm=2.0), initial_values={"v": -10.0})
    sim.Projection(src, post, sim.OneToOneConnector(),
                   sim.SpikingConductanceSynapse(weight=0.3, tau_syn=3.0, e_rev=50.0, delay=0.1))
    post.record("v")
    sim.run(20.0)
    v = np.asarray(post.get_data().segments[0].analogsignals[0])[:, 0]
    t = np.arange(v.size) * 0.1 - 1.0
    after = t >= 0
    expected = 50.0 - 60.0 * np.exp(-0.3 * 3.0 / 2.0 * (1.0 - np.exp(-t[after] / 3.0)))
    np.testing.assert_allclose(v[after], expected, atol=1e-10)
    np.testing.assert_allclose(v[~after], -10.0, atol=0)


def test_spiking_conductance_reset_and_initialize(sim):
    """reset() restores g to its initial value; initialize(g=...) sets it (and the reset target)."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(1, sim.NonSpikingNeuron())
    prj = sim.Projection(src, post, sim.OneToOneConnector(), sim.SpikingConductanceSynapse(weight=1.0))
    prj.initialize(g=0.2)
    sim.run(0.5)
    assert prj.get("g", format="list", with_address=False)[0] == pytest.approx(0.2 * np.exp(-0.5))
    sim.reset()
    assert prj.get("g", format="list", with_address=False)[0] == pytest.approx(0.2)
    sim.run(3.0)    # spike at 1.0, default delay one step: g = 1 at 1.1, then decays
    assert prj.get("g", format="list", with_address=False)[0] == pytest.approx(1.0 * np.exp(-1.9))


def test_spiking_conductance_synapse_units_and_errors(sim):
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(1, sim.IF_curr_exp())
    prj = sim.Projection(src, post, sim.OneToOneConnector(), sim.SpikingConductanceSynapse(weight=0.1))
    assert prj._unit("weight") == "uS" and prj.receptor_type == "membrane"
    with pytest.raises(InvalidParameterValueError, match="tau_syn"):
        prj.set(tau_syn=0.0)
    with pytest.raises(ConnectionError, match="source"):
        sim.Projection(src, post, sim.OneToOneConnector(), sim.SpikingConductanceSynapse(), source="v")
