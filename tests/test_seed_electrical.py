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
    (to O(dt): the partner's potential is taken at the start of each step)."""
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
    # the scheme's own closed form: each step multiplies Va − Vb by 2e^(−h·g/C) − 1 ...
    np.testing.assert_allclose(va - vb, 16.0 * (2 * np.exp(-0.1 * 0.05) - 1) ** np.arange(va.size), rtol=1e-10)
    # ... which is e^(−2g·h/C) to first order in h
    np.testing.assert_allclose(va - vb, 16.0 * np.exp(-2 * 0.05 * t), rtol=1e-2)


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
