"""Behaviours of PyNN that its example scripts rely on (found by running them with
``pynnlite run --as-pynn``)."""
import logging

import numpy as np
import pytest

from pynnlite.parameters import Sequence


def test_write_data_creates_missing_folders(sim, tmp_path):
    """PyNN's examples write to 'Results/<date>/...' without creating the folder."""
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    cells.record("spikes")
    sim.run(20.0)
    path = tmp_path / "Results" / "20240101" / "cells.pkl"
    cells.write_data(str(path))
    assert path.is_file()


def test_spike_times_function_is_called_with_the_index_array(sim):
    """As in PyNN (lazyarray), a function giving ``spike_times`` gets the array of cell
    indices and returns one Sequence per cell; a function of one index also works."""
    calls = []

    def of_indices(i):
        calls.append(np.shape(i))
        return [Sequence([1.0 + k, 10.0]) for k in i]

    sources = sim.Population(3, sim.SpikeSourceArray(spike_times=of_indices))
    assert calls[0] == (3,)
    assert [list(s.value) for s in sources.get("spike_times", simplify=False)] == \
        [[1.0, 10.0], [2.0, 10.0], [3.0, 10.0]]
    one_at_a_time = sim.Population(2, sim.SpikeSourceArray(spike_times=lambda i: Sequence([5.0 * (i + 1)])))
    assert [list(s.value) for s in one_at_a_time.get("spike_times", simplify=False)] == [[5.0], [10.0]]


def test_projection_save_connections_means_all_attributes(sim, tmp_path):
    a = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0))
    prj.save("connections", str(tmp_path / "c.txt"))
    prj.save("all", str(tmp_path / "a.txt"))
    assert (tmp_path / "c.txt").read_text() == (tmp_path / "a.txt").read_text()


def test_run_until_a_time_reached_up_to_rounding(sim):
    sim.Population(1, sim.IF_curr_exp())
    t = 0.0
    for _ in range(7):
        t += 0.1 * 3
        sim.run_until(t)
    sim.run_until(sim.get_current_time() - 1e-15)
    assert sim.get_current_time() == pytest.approx(2.1)


def test_composable_cell_and_receptor_types_import_from_pynn_module_paths(sim):
    """PyNN 0.13 scripts import PointNeuron's parts from pyNN.standardmodels.cells / .receptors."""
    from pynnlite.standardmodels import cells, receptors
    assert cells.PointNeuron is sim.PointNeuron and cells.AdExp is sim.AdExp and cells.LIF is sim.LIF
    assert receptors.CondAlphaPostSynapticResponse is sim.CondAlphaPostSynapticResponse
    assert {"LIF", "AdExp", "PointNeuron", "IF_cond_exp"} <= set(cells.__all__)
    neuron = cells.PointNeuron(cells.AdExp(tau_m=12.0), AMPA=receptors.CondExpPostSynapticResponse(tau_syn=2.0))
    assert "AMPA" in neuron.receptor_types


def test_point_neuron_receptor_types_are_sorted_and_the_first_is_the_default(sim):
    """PyNN's PointNeuron.receptor_types is sorted(names) and a Projection without receptor_type
    uses its first: NMDA declared before AMPA still makes AMPA the default."""
    celltype = sim.PointNeuron(sim.LIF(), NMDA=sim.NMDA(), AMPA=sim.AMPA())
    assert tuple(celltype.receptor_types) == ("AMPA", "NMDA")
    cells = sim.Population(1, celltype)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    projection = sim.Projection(source, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0))
    assert projection.receptor_type == "AMPA"
    cells.record(["AMPA.gsyn", "NMDA.gsyn"])
    sim.run(10.0)
    segment = cells.get_data().segments[0]
    assert segment.filter(name="AMPA.gsyn")[0].magnitude.max() > 0.0
    assert segment.filter(name="NMDA.gsyn")[0].magnitude.max() == 0.0


def test_recordable_is_a_list_owned_by_each_instance(sim):
    """PyNN declares ``recordable`` as a list, so scripts can add to it; here one cell type's
    additions do not reach its class or the other instances."""
    assert isinstance(sim.IF_cond_exp.recordable, list)
    celltype = sim.IF_cond_exp()
    assert celltype.recordable == ["spikes", "v", "gsyn_exc", "gsyn_inh"]
    assert celltype.recordable + ["x"] == ["spikes", "v", "gsyn_exc", "gsyn_inh", "x"]
    celltype.recordable.append("x")
    assert celltype.recordable[-1] == "x"
    assert "x" not in sim.IF_cond_exp.recordable and "x" not in sim.IF_cond_exp().recordable
    point = sim.PointNeuron(sim.AdExp(), AMPA=sim.AlphaPSR())
    assert point.recordable == ["spikes", "v", "w", "AMPA.gsyn"]


@pytest.mark.parametrize("name", ["DCSource", "ACSource", "NoisyCurrentSource"])
def test_current_source_default_stop_is_pynns_1e12_ms(sim, name):
    """PyNN's current sources default to stop=1e12 ms (read back by .stop and
    get_parameters()); such a source never stops in practice."""
    cls = getattr(sim, name)
    assert cls.default_parameters["stop"] == 1e12
    source = cls()
    assert source.stop == 1e12 and source.get_parameters()["stop"] == 1e12
    source.start = 5.0   # start <= stop still checked against the default
    assert source.start == 5.0


def test_current_source_with_default_stop_keeps_injecting(sim):
    cells = sim.Population(1, sim.IF_curr_exp(v_thresh=1000.0, tau_m=10.0, cm=1.0, i_offset=0.0))
    sim.DCSource(amplitude=1.0, start=0.0).inject_into(cells)
    cells.record("v")
    sim.run(200.0)
    v = cells.get_data().segments[0].filter(name="v")[0].magnitude[:, 0]
    assert v[-1] == pytest.approx(-65.0 + 10.0, abs=1e-3)   # v_rest + R*I, still on at the end


def test_missing_cell_attribute_raises_pynns_error(sim):
    """PyNN's ID.__getattr__ raises NonExistentParameterError (a KeyError) naming the valid
    parameters; here it is also an AttributeError, so hasattr()/getattr(default) work."""
    from pynnlite import errors
    cell = sim.Population(2, sim.IF_curr_exp())[0]
    with pytest.raises(errors.NonExistentParameterError, match="nonexistent") as info:
        cell.nonexistent
    assert isinstance(info.value, KeyError) and isinstance(info.value, AttributeError)
    assert "tau_m" in str(info.value)
    assert not hasattr(cell, "nonexistent") and getattr(cell, "nonexistent", 5) == 5
    assert hasattr(cell, "tau_m") and cell.tau_m == 20.0
    with pytest.raises(AttributeError, match=r"population\[0:1\]\.set"):   # PyNN's hint
        cell.set


def test_max_delay_auto_reports_the_largest_delay_as_pynn_nest():
    """PyNN's setup() default is max_delay='auto'. PyNN 0.13 + NEST 3 (run 2025): with
    min_delay 'auto', get_max_delay() is the largest connection delay (the time step before
    any connection) and a given max_delay is ignored; with min_delay=0.5 and no max_delay it
    is 10 ms and a 20 ms delay is refused."""
    import pynnlite.backends.numpy as sim
    from pynnlite.errors import InvalidParameterValueError
    for extra in ({}, {"max_delay": "auto"}, {"max_delay": 5.0}):
        sim.setup(timestep=0.1, **extra)
        assert sim.get_max_delay() == 0.1
        p = sim.Population(2, sim.IF_cond_exp())
        sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=20.0))
        sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=3.0))
        assert (sim.get_min_delay(), sim.get_max_delay()) == (3.0, 20.0)
        sim.end()
    sim.setup(timestep=0.1, min_delay=0.5)
    assert sim.get_max_delay() == 10.0
    p = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(InvalidParameterValueError, match="max_delay"):
        sim.Projection(p, p, sim.AllToAllConnector(), sim.StaticSynapse(delay=20.0))
    sim.end()


def test_simulator_module_has_pynn_procedural_names(sim, tmp_path):
    """pyNN.nest exports set, record_v, record_gsyn (procedural API) and GSLRNG."""
    cells = sim.Population(3, sim.IF_cond_exp())
    sim.set(cells, tau_m=12.0)
    assert cells.get("tau_m") == 12.0
    sim.record_v(cells, str(tmp_path / "v.pkl"))
    sim.record_gsyn(cells[0], str(tmp_path / "g.pkl"))
    sim.run(1.0)
    sim.end()
    assert (tmp_path / "v.pkl").is_file() and (tmp_path / "g.pkl").is_file()
    assert issubclass(sim.GSLRNG, sim.random.WrappedRNG)
    with pytest.raises(ImportError):   # as PyNN without pygsl
        sim.GSLRNG(seed=1)


def test_population_deprecated_methods_of_pynn_still_work(sim, tmp_path):
    """PyNN 0.13 keeps tset/rset/getSpikes/get_v/get_gsyn/printSpikes/print_v/print_gsyn/
    meanSpikeCount, warning DeprecationWarning; values checked under PyNN 0.13 + NEST 3:
    tau_m 10..15 ms and i_offset 1 nA (v_inf = -65 + 1 nA * tau_m / 1 nF <= -50 mV) give no
    spike in 50 ms."""
    cells = sim.Population(6, sim.IF_cond_exp(i_offset=1.0))
    with pytest.warns(DeprecationWarning, match="tset"):
        cells.tset("tau_m", np.arange(6) + 10.0)
    assert list(cells.get("tau_m")) == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    with pytest.warns(DeprecationWarning):
        cells.rset("v_thresh", sim.RandomDistribution("uniform", (-50.0, -49.0)))
    assert np.all((cells.get("v_thresh") >= -50.0) & (cells.get("v_thresh") < -49.0))
    cells.record(["spikes", "v", "gsyn_exc", "gsyn_inh"])
    sim.run(50.0)
    with pytest.warns(DeprecationWarning):
        assert len(cells.getSpikes().segments[0].spiketrains) == 6
        assert cells.get_v().segments[0].analogsignals[0].name == "v"
        assert {s.name for s in cells.get_gsyn().segments[0].analogsignals} == {"gsyn_exc", "gsyn_inh"}
        assert cells.meanSpikeCount() == 0.0
        cells[1:3].printSpikes(str(tmp_path / "s.pkl"))
        cells.print_v(str(tmp_path / "v.pkl"))
        sim.Assembly(cells).print_gsyn(str(tmp_path / "g.pkl"))
    assert all((tmp_path / name).is_file() for name in ("s.pkl", "v.pkl", "g.pkl"))


def test_population_properties_and_helpers_of_pynn(sim, tmp_path):
    """injectable, save_positions, view structure/equality/first_id, index_from_parent_index,
    Assembly.get_annotations and the (point-neuron) locations arguments, as in PyNN 0.13."""
    from pynnlite.errors import InvalidParameterValueError
    cells = sim.Population(6, sim.IF_cond_exp(), label="cells", structure=sim.space.Grid2D(aspect_ratio=1.5))
    sources = sim.Population(2, sim.SpikeSourcePoisson(), label="sources")
    view = cells[1:5:2]
    assert (cells.injectable, sources.injectable, view.injectable, (cells + sources).injectable) == \
        (True, False, True, False)
    assert view == cells[[1, 3]] and view != cells[1:4] and cells[:] == cells and not view != cells[[3, 1]]
    assert view.structure is cells.structure
    assert (view.first_id, view.last_id) == (cells[1], cells[3])
    assert view.index_from_parent_index(3) == 1 and list(view.index_from_parent_index([1, 3])) == [0, 1]
    with pytest.raises(IndexError):
        view.index_from_parent_index(2)
    assembly = cells + sources
    assert (assembly.first_id, assembly.last_id) == (cells[0], sources[1])
    cells.annotate(layer=4, kind="exc")
    sources.annotate(layer=4, kind="input")
    notes = assembly.get_annotations(["layer", "kind"])
    assert notes["layer"] == 4 and list(notes["kind"]) == ["exc", "input"]
    assert assembly.get_annotations("kind", simplify=False) == {"kind": ["exc", "input"]}
    cells.save_positions(str(tmp_path / "pos.txt"))
    rows = np.loadtxt(tmp_path / "pos.txt")
    assert rows.shape == (6, 4) and list(rows[:, 0]) == list(range(6))
    assert np.array_equal(rows[:, 1:].T, cells.positions)
    cells.record("v", locations=None)
    assert cells.can_record("v", location=None) and cells.get_data(locations=None) is not None
    cells[0].inject(sim.DCSource(amplitude=0.1), location=None)
    with pytest.raises(InvalidParameterValueError, match="locations must be None"):
        cells.record("v", locations=["soma"])


def test_projection_synapse_dynamics_histogram_and_connection_names(sim):
    """PyNN 0.13's deprecated getSynapseDynamics/setSynapseDynamics/randomizeSynapseDynamics
    and weightHistogram; Connection.source/target/parent as on PyNN+NEST. The histogram of
    weights 0.1..0.6 in 5 bins is [1, 2, 0, 1, 2] under PyNN 0.13 + NEST 3 too (np.linspace
    edges: 0.3 falls in the second bin, 0.4 in the fourth)."""
    pre = sim.Population(3, sim.IF_cond_exp())
    post = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.TsodyksMarkramSynapse(weight=0.01, delay=1.0, U=0.5))
    prj.set(weight=np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]))
    with pytest.warns(DeprecationWarning):
        assert prj.getSynapseDynamics("U") == [0.5] * 6
        prj.setSynapseDynamics("U", 0.3)
        prj.randomizeSynapseDynamics("tau_rec", sim.RandomDistribution("uniform", (100.0, 200.0)))
        counts, edges = prj.weightHistogram(nbins=5)
        assert list(prj.weightHistogram(0.0, 1.0, 2)[0]) == [4, 2]
    assert prj.get("U", format="list", with_address=False) == [0.3] * 6
    assert all(100.0 <= t < 200.0 for t in prj.get("tau_rec", format="list", with_address=False))
    assert list(counts) == [1, 2, 0, 1, 2] and edges[0] == 0.1 and edges[-1] == 0.6
    connection = list(prj.connections)[0]
    assert (connection.source, connection.target, connection.parent) == (pre[0], post[0], prj)


#: Constructor arguments of PyNN 0.13's connectors, in order (from inspect.signature on pyNN.nest).
PYNN_CONNECTOR_ARGUMENTS = {
    "AllToAllConnector": ["allow_self_connections", "location_selector", "safe", "callback"],
    "ArrayConnector": ["array", "location_selector", "safe", "callback"],
    "CloneConnector": ["reference_projection", "safe", "callback"],
    "DisplacementDependentProbabilityConnector": ["disp_function", "allow_self_connections", "location_selector",
                                                  "rng", "safe", "callback"],
    "DistanceDependentProbabilityConnector": ["d_expression", "allow_self_connections", "location_selector", "rng",
                                              "safe", "callback"],
    "FixedNumberPostConnector": ["n", "allow_self_connections", "with_replacement", "location_selector", "rng",
                                 "safe", "callback"],
    "FixedNumberPreConnector": ["n", "allow_self_connections", "with_replacement", "location_selector", "rng",
                                "safe", "callback"],
    "FixedProbabilityConnector": ["p_connect", "allow_self_connections", "location_selector", "rng", "safe",
                                  "callback"],
    "FixedTotalNumberConnector": ["n", "allow_self_connections", "with_replacement", "location_selector", "rng",
                                  "safe", "callback"],
    "FromFileConnector": ["file", "distributed", "location_selector", "safe", "callback"],
    "FromListConnector": ["conn_list", "column_names", "location_selector", "safe", "callback"],
    "IndexBasedProbabilityConnector": ["index_expression", "allow_self_connections", "location_selector", "rng",
                                       "safe", "callback"],
    "OneToOneConnector": ["location_selector", "safe", "callback"],
    "SmallWorldConnector": ["degree", "rewiring", "allow_self_connections", "n_connections", "location_selector",
                            "rng", "safe", "callback"],
}


@pytest.mark.parametrize("name", sorted(PYNN_CONNECTOR_ARGUMENTS))
def test_connector_arguments_in_pynn_order(sim, name):
    import inspect
    assert list(inspect.signature(getattr(sim, name)).parameters) == PYNN_CONNECTOR_ARGUMENTS[name]


def test_from_list_connector_column_names_second_and_location_selector_none(sim):
    """``FromListConnector(conns, ['weight', 'delay'])`` passes column names positionally, as in PyNN."""
    from pynnlite.errors import InvalidParameterValueError
    cells = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(cells, cells, sim.FromListConnector([(0, 1, 0.5, 2.0)], ["weight", "delay"]))
    assert prj.get(["weight", "delay"], format="list") == [(0, 1, 0.5, 2.0)]
    sim.Projection(cells, cells, sim.AllToAllConnector(location_selector=None))
    with pytest.raises(InvalidParameterValueError, match="location_selector"):
        sim.FixedProbabilityConnector(0.5, True, "soma")


def test_small_pynn_signatures_and_helpers(sim):
    """Argument names and helpers the API diff against PyNN 0.13 found: run_for(simtime=...),
    NumpyRNG.normal_clipped/normal_clipped_to_boundary (the same numbers as PyNN's for a seed,
    checked under PyNN 0.13), structure.describe(), celltype.can_record(), LIF/AdExp
    recordable and injectable, get_parameter_names() on a synapse class."""
    import inspect
    from pynnlite.utility import plotting
    sim.Population(1, sim.IF_cond_exp())
    assert sim.run_for(simtime=2.0) == 2.0
    rng = sim.NumpyRNG(seed=7)
    assert np.allclose(rng.normal_clipped(0.0, 1.0, -0.5, 0.5, size=5),
                       [0.00206557, -0.46593737, 0.03282016, 0.40751628, -0.00089039])
    assert rng.normal_clipped(0.0, 1.0, -0.1, 0.1) == pytest.approx(-0.04538602986064609)
    assert np.allclose(rng.normal_clipped_to_boundary(0.0, 1.0, -0.5, 0.5, size=4), [-0.5, -0.40522786, -0.5, 0.5])
    grid = sim.space.Grid2D(aspect_ratio=2.0, dx=5.0)
    assert grid.describe().startswith("Structure Grid2D")
    assert grid.describe(template=None)["parameters"]["dx"] == 5.0
    assert sim.IF_cond_exp().can_record("gsyn_exc", location=None) and not sim.IF_curr_exp().can_record("w")
    assert (sim.LIF.recordable, sim.AdExp.recordable, sim.LIF.injectable) == (["spikes", "v"], ["spikes", "v", "w"], True)
    assert sim.TsodyksMarkramSynapse.get_parameter_names() == ["weight", "delay", "U", "tau_rec", "tau_facil"]
    assert sim.AdditiveWeightDependence.default_initial_values == {} == sim.GutigWeightDependence().default_initial_values
    assert list(inspect.signature(plotting.plot_signals).parameters)[:3] == ["ax", "signal_array", "label_prefix"]


def test_sequence_arithmetic_as_pynn():
    """Sequence +, -, *, / a number; with a list, one Sequence per element (as PyNN 0.13)."""
    s = Sequence([1.0, 2.0, 3.0])
    assert s - 1 == Sequence([0.0, 1.0, 2.0]) and 2 * s == Sequence([2.0, 4.0, 6.0])
    assert s / 2 == Sequence([0.5, 1.0, 1.5])
    shifted = s + np.array([10.0, 20.0])
    assert shifted.dtype == object and [list(x.value) for x in shifted] == [[11.0, 12.0, 13.0], [21.0, 22.0, 23.0]]
    assert list(s == shifted) == [False, False] and s[1] == 2.0


def test_assembly_get_data_takes_annotations_fourth(sim):
    """PyNN 0.13: Population.get_data(variables, gather, clear, locations) but
    Assembly.get_data(variables, gather, clear, annotations)."""
    a = sim.Population(2, sim.IF_cond_exp(), label="a")
    b = sim.Population(1, sim.IF_cond_exp(), label="b")
    (a + b).record("v")
    sim.run(1.0)
    block = (a + b).get_data("v", True, False, {"trial": 3})
    assert block.annotations["trial"] == 3


def test_assembly_write_data_with_annotations(sim, tmp_path):
    """PyNN 0.13's cell_type_demonstration.py: ``Assembly.write_data(file, annotations=...)``
    writes the annotated block (write_data must not pass the annotations as locations)."""
    import pickle
    a = sim.Population(1, sim.IF_cond_exp(), label="a")
    b = sim.Population(1, sim.IF_curr_exp(), label="b")
    both = a + b
    both.record("v")
    sim.run(1.0)
    both.write_data(str(tmp_path / "ab.pkl"), annotations={"script_name": "x.py"})
    with open(tmp_path / "ab.pkl", "rb") as f:
        assert pickle.load(f).annotations["script_name"] == "x.py"


def test_nothing_to_write_is_an_ioerror(sim, tmp_path):
    """PyNN's NothingToWriteError subclasses IOError, so ``except IOError`` catches it."""
    cells = sim.Population(1, sim.IF_cond_exp())
    sim.run(1.0)
    with pytest.raises(IOError, match="no recorded data"):
        cells.write_data(str(tmp_path / "x.pkl"))


def test_names_scripts_import_from_pynn_modules(sim):
    """``from pyNN.connectors import IndexBasedExpression`` and ``sim.ArrayParameter`` (which
    pyNN.nest exposes) resolve in pynnlite too."""
    from pynnlite import connectors, core, parameters
    assert connectors.IndexBasedExpression is core.IndexBasedExpression
    assert sim.ArrayParameter is parameters.ArrayParameter


def test_network_container_as_pynn(sim, tmp_path):
    """sim.Network (pyNN.network.Network); the counts and the filter results are those of
    the same script under PyNN 0.13 + NEST 3."""
    from pynnlite import pynn_alias
    a = sim.Population(3, sim.IF_cond_exp(i_offset=1.0), label="a")
    b = sim.Population(2, sim.SpikeSourcePoisson(rate=50.0), label="b")
    both = sim.Assembly(a, b, label="ab")
    prj = sim.Projection(b, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01), label="ba")
    net = sim.Network(both, prj)
    assert {p.label for p in net.populations} == {"a", "b"} and len(net.assemblies) == len(net.projections) == 1
    assert (net.count_neurons(), net.count_connections()) == (5, 6)
    assert net.get_component("ba") is prj and net.get_component("zz") is None
    assert net.sim is sim
    assert [p.label for p in net.filter("all").populations] == ["a"]
    assert net.filter([sim.SpikeSourcePoisson]).size == 2
    net.add(a[0:2])
    assert len(net.views) == 1
    with pytest.raises(TypeError):
        net.add(3)
    net.record("spikes", include_spike_source=False)
    sim.run(50.0)
    assert [len(block.segments[0].spiketrains) for block in net.get_data()] == [3]
    net.write_data(str(tmp_path / "net.pkl"))
    assert (tmp_path / "net.pkl").is_file()
    assert pynn_alias.resolve("network") == "pynnlite.network"


def test_network_keeps_the_order_components_were_added(sim):
    """Unlike PyNN's sets, iteration (and so the order of get_data's blocks and of the
    collective calls under MPI) follows the order of adding, the same on every process."""
    pops = [sim.Population(1, sim.IF_cond_exp(), label=f"p{k}") for k in range(12)]
    assemblies = [sim.Assembly(p, label=f"a{k}") for k, p in enumerate(pops)]
    order = [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4]
    net = sim.Network(*[assemblies[k] for k in order])
    net.record("v")
    sim.run(1.0)
    assert [block.name for block in net.get_data()] == [f"a{k}" for k in order]
    assert [p.label for p in net.filter("all").populations] == [f"p{k}" for k in order]


def test_setup_extras_of_pynn_nest_and_neuron_are_known():
    """rng_type (pyNN.nest), rtol/atol/native_rng_baseseed (pyNN.neuron) are ignored with
    the 'pynnlite ignores' warning, not reported as unknown."""
    import pynnlite.backends.numpy as sim
    with pytest.warns(UserWarning, match="ignores the setup.. arguments atol, native_rng_baseseed, rng_type, rtol"):
        sim.setup(rng_type="mt19937", rtol=1e-3, atol=1e-4, native_rng_baseseed=3)
    sim.end()


def test_current_source_set_parameters_takes_pynns_copy_flag(sim):
    """PyNN: ``set_parameters(self, copy=True, **parameters)``; ``copy`` is not a parameter name.
    Current sources have no state variables: ``default_initial_values`` is the empty dict."""
    source = sim.DCSource(amplitude=0.5, start=1.0, stop=2.0)
    source.set_parameters(copy=False, amplitude=0.7)
    assert source.get_parameters()["amplitude"] == 0.7
    source.set_parameters(amplitude=0.9, stop=3.0)
    assert (source.amplitude, source.stop) == (0.9, 3.0)
    assert sim.DCSource.default_initial_values == {} and source.default_initial_values == {}


def test_errors_have_the_builtin_classes_pynn_raises(sim):
    """Measured with PyNN 0.13 + NEST, so that a PyNN script's ``except`` clauses still catch
    them: a cell index out of range or an index array of floats is an IndexError (numpy's), an
    index of the wrong type (1.5, 'a', None) a TypeError, as are Population(2, 'x'),
    Assembly(p, 3), p + 3, a non-Connector or non-synapse-type Projection argument and a current
    injected into a spike source and a fixed-number connector's n given as a float;
    Population.id_to_index of an unknown ID is a ValueError (an IndexError for a view), a label
    not in an Assembly, Space(axes='w') and a current source's unknown parameter a KeyError.
    Each is a pynnlite error."""
    from pynnlite import errors
    p = sim.Population(4, sim.IF_cond_exp(), label="p")
    q = sim.Population(3, sim.IF_curr_exp(), label="q")
    src = sim.Population(2, sim.SpikeSourcePoisson(), label="src")
    a = p + q
    prj = sim.Projection(p, q, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0))
    cases = {
        IndexError: [lambda: p[4], lambda: p[-5], lambda: p[[0, 7]], lambda: p[[1.5]], lambda: p[np.array(["a"])],
                     lambda: p[1:3][5], lambda: a[10], lambda: a[[0, 10]], lambda: a[[1.5]], lambda: prj[100],
                     lambda: sim.PopulationView(p, [9]), lambda: p[1:3].id_to_index(p[0]),
                     lambda: p[1:3].index_from_parent_index(0)],
        TypeError: [lambda: p[1.5], lambda: p["a"], lambda: p[None], lambda: p[np.float64(1.0)], lambda: a[1.5],
                    lambda: a[None], lambda: sim.Population(2, "x"), lambda: sim.Population(2, object),
                    lambda: sim.Assembly(p, 3), lambda: p + 3, lambda: a + 3,
                    lambda: sim.Projection(p, q, "x"), lambda: sim.Projection(p, q, sim.AllToAllConnector(), "x"),
                    lambda: src.inject(sim.DCSource()), lambda: sim.DCSource().inject_into(src),
                    lambda: src[0].inject(sim.DCSource()), lambda: sim.FixedNumberPreConnector(3.0),
                    lambda: sim.FixedNumberPostConnector(2.5)],
        ValueError: [lambda: p.id_to_index(int(p.first_id) + 100), lambda: p.id_to_index([int(p.first_id), 10**6])],
        KeyError: [lambda: a.get_population("zz"), lambda: a.get_annotations("zz"), lambda: sim.Space(axes="w"),
                   lambda: sim.DCSource().foo, lambda: sim.StepCurrentSource().amplitude],
    }
    for builtin, calls in cases.items():
        for call in calls:
            with pytest.raises(builtin) as caught:
                call()
            assert isinstance(caught.value, errors.PynnliteError), (builtin, caught.value)
    assert [c.presynaptic_index for c in prj[2:4]] == [0, 1]   # a slice: a list (PyNN+NEST)
    assert len(prj[1:]) == len(prj) - 1 and len(prj[2:9:3]) == 3


def test_network_built_and_run_without_setup_gets_the_default_setup():
    """PyNN's neurons.txt builds populations and runs without setup() (PyNN+NEST does so with
    NEST's defaults, dt = 0.1 ms); pynnlite used to raise SimulationNotSetUpError."""
    import pynnlite.backends.numpy as sim
    sim.end()
    try:
        cells = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
        cells.record("spikes")
        assert sim.run(50.0) == 50.0
        assert sim.get_time_step() == 0.1 and sim.get_min_delay() == 0.1
        assert len(cells.get_data().segments[0].spiketrains[0]) > 0
        sim.end()
        assert sim.get_current_time() == 0.0    # after end(), a fresh default simulation
    finally:
        sim.end()


def test_from_file_connector_reads_the_file_when_connecting(sim, tmp_path):
    """PyNN reads FromFileConnector's file in connect(): connections.txt makes the connector
    before the file exists, and a file written after the connector is made is the one used.
    pynnlite used to read it in the constructor (a ConnectionError for a missing file)."""
    path = str(tmp_path / "connections.txt")
    connector = sim.FromFileConnector(path)             # no file yet
    cells = sim.Population(3, sim.IF_curr_exp())
    original = sim.Projection(cells, cells, sim.FromListConnector([(0, 1, 0.5, 1.0), (2, 0, 0.25, 2.0)]))
    original.save("all", path)
    copy = sim.Projection(cells, cells, connector)
    assert copy.get(["weight", "delay"], format="list") == original.get(["weight", "delay"], format="list")


def test_describe_context_has_pynns_keys(sim):
    """A template written for PyNN (descriptions.txt) reads PyNN's context keys: measured with
    PyNN+NEST, a Population's describe(template=None) has size_local, local_first_id,
    cell_parameters and its annotations at the top level, a cell type's default_parameters and
    default_initial_values, a Projection's size_local and plasticity (the synapse type)."""
    cells = sim.Population(4, sim.IF_cond_exp(tau_m=15.0), label="exc")
    cells.annotate(region="V1")
    prj = sim.Projection(cells, cells, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.01))
    context = cells.describe(template=None)
    assert context["size_local"] == 4 and context["local_first_id"] == cells[0]
    assert context["cell_parameters"]["tau_m"] == 15.0 and context["region"] == "V1"
    assert context["celltype"]["default_parameters"]["tau_m"] == 20.0
    assert context["celltype"]["default_initial_values"]["v"] == -65.0
    pcontext = prj.describe(template=None)
    assert pcontext["size_local"] == 16 and pcontext["plasticity"]["name"] == "TsodyksMarkramSynapse"
    assert pcontext["plasticity"]["default_parameters"]["U"] == 0.5
    text = cells.describe('{{ label }}: {{ size_local }} cells from {{ local_first_id }}, {{ region }}', engine="jinja2")
    assert text == f"exc: 4 cells from {cells[0]}, V1"


def test_star_import_exports_numpy_and_logging_as_pynn_does():
    """`from pyNN.nest import *` (and pyNN.mock) also binds np and logging, and scripts use
    them without importing numpy (PyNN's connections.txt does): measured with PyNN 0.13."""
    namespace: dict = {}
    exec("from pynnlite.backends.numpy import *", namespace)
    assert namespace["np"] is np
    assert namespace["logging"].getLogger is logging.getLogger
    assert "IF_cond_exp" in namespace and "FromListConnector" in namespace
