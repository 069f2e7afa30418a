"""Population, PopulationView, Assembly and ID behaviour (PyNN 0.13 API)."""
import numpy as np
import pytest
import quantities as pq

from pynnlite import errors
from pynnlite.parameters import Sequence
from pynnlite.random import NumpyRNG, RandomDistribution


def test_create_with_instance_or_class_and_shape(sim):
    p = sim.Population(10, sim.IF_curr_exp(tau_m=15.0), label="p")
    assert p.size == len(p) == 10 and p.label == "p"
    assert p.get("tau_m") == 15.0
    q = sim.Population((2, 3), sim.IF_curr_exp, {"cm": 0.5})
    assert q.size == 6 and q.shape == (2, 3) and q.get("cm") == 0.5
    assert q.first_id == p.last_id + 1


def test_set_value_kinds_and_units(sim):
    p = sim.Population(4, sim.IF_curr_exp())
    p.set(v_rest=-70.0)
    assert p.get("v_rest") == -70.0
    p.set(tau_m=np.array([10.0, 11.0, 12.0, 13.0]))
    assert list(p.get("tau_m")) == [10.0, 11.0, 12.0, 13.0]
    p.set(v_thresh=-55 * pq.mV, cm=500 * pq.pF)
    assert p.get("v_thresh") == -55.0 and p.get("cm") == pytest.approx(0.5)
    p.set(i_offset=RandomDistribution("uniform", (0.0, 1.0), rng=NumpyRNG(seed=1)))
    values = p.get("i_offset")
    assert values.shape == (4,) and np.all((values >= 0) & (values <= 1))
    p.set(tau_refrac=lambda i: i * 1.0)
    assert list(p.get("tau_refrac")) == [0.0, 1.0, 2.0, 3.0]
    assert p.get(["v_rest", "cm"]) == [-70.0, pytest.approx(0.5)]


def test_bad_parameters_raise_before_change(sim):
    p = sim.Population(3, sim.IF_curr_exp())
    with pytest.raises(errors.NonExistentParameterError, match="tau_m"):
        p.set(tau_mm=1.0)
    with pytest.raises(errors.InvalidParameterValueError, match="tau_m"):
        p.set(v_rest=-10.0, tau_m=-1.0)
    assert p.get("v_rest") == -65.0
    with pytest.raises(errors.InvalidParameterValueError, match="mV"):
        p.set(v_rest=3 * pq.nA)
    with pytest.raises(errors.InvalidDimensionsError):
        p.set(v_rest=np.zeros(5))
    with pytest.raises(errors.NonExistentParameterError):
        sim.IF_curr_exp(foo=1)
    with pytest.raises(errors.InvalidParameterValueError):
        sim.IF_cond_exp(tau_m=0.0)


def test_views_write_through_to_parent(sim):
    p = sim.Population(10, sim.IF_curr_exp())
    view = p[2:5]
    assert view.size == 3 and view.grandparent is p
    view.set(tau_m=30.0)
    assert list(p.get("tau_m", simplify=False)) == [20.0] * 2 + [30.0] * 3 + [20.0] * 5
    assert p[[0, 9]].size == 2
    mask = np.zeros(10, bool)
    mask[[1, 3]] = True
    assert list(p[mask].all_cells) == [p[1], p[3]]
    sample = p.sample(4, rng=NumpyRNG(seed=2))
    assert sample.size == 4 and len(set(sample.all_cells)) == 4
    assert view[1:].size == 2 and view[1:].grandparent is p


def test_view_from_an_index_list_is_sorted_and_without_duplicates(sim):
    # PyNN 0.13 (common.PopulationView) sorts the mask and drops repeated indices with a
    # warning, so p[[3, 1, 3]] is cells 1 and 3 and an array set on it is in that order
    p = sim.Population(5, sim.IF_curr_exp())
    with pytest.warns(UserWarning, match="duplicate"):
        view = p[[3, 1, 3]]
    assert view.mask.tolist() == [1, 3] and view.size == 2
    view.set(tau_m=[11.0, 33.0])
    assert p.get("tau_m").tolist() == [20.0, 11.0, 20.0, 33.0, 20.0]
    assert p[np.array([4, 0])][0] == p[0]


def test_sample_picks_the_cells_pynn_picks_and_works_on_an_assembly(sim):
    # PyNN: the first n of rng.permutation(arange(size)), sorted; its docs' sample(50,
    # NumpyRNG(seed=6538)) of 500 cells starts 5, 8, 13, 19, 28 (PyNN+NEST 0.13);
    # Assembly.sample gives an Assembly (PyNN+NEST: indices 47, 67, 307, 343 for seed 1)
    p = sim.Population(500, sim.IF_curr_exp())
    assert p.sample(50, rng=NumpyRNG(seed=6538)).mask[:5].tolist() == [5, 8, 13, 19, 28]
    assembly = p + sim.Population(5, sim.IF_curr_exp())
    chosen = assembly.sample(4, rng=NumpyRNG(seed=1))
    assert [assembly.id_to_index(c) for c in chosen] == [47, 67, 307, 343]


def test_position_generator_gives_positions_by_index(sim):
    # the parameters page of PyNN's docs: v_thresh = -50 + 0.5 x - 0.2 y on a 4x4 grid, 10 µm apart
    p = sim.Population(16, sim.IF_cond_alpha(), structure=sim.space.Grid2D(dx=10.0, dy=10.0))

    def f_v_thresh(pos):
        x, y, z = pos.T
        return -50 + 0.5 * x - 0.2 * y
    p.set(v_thresh=lambda i: f_v_thresh(p.position_generator(i)))
    assert p.get("v_thresh").reshape((4, 4))[1].tolist() == [-45.0, -47.0, -49.0, -51.0]
    assert p[2:4].position_generator(1).tolist() == p.positions[:, 3].tolist()
    # PyNN's Assembly gives columns: positions[:, i]
    assembly = p + sim.Population(2, sim.IF_cond_alpha())
    assert assembly.position_generator(np.array([0, 16])).shape == (3, 2)


def test_structure_defaults_to_line_and_follows_a_shape_as_pynn(sim):
    # PyNN 0.13: structure=None is Line(); size (2, 3) is Grid2D(2/3), whose positions are
    # x = [0, 0, 0, 1, 1, 1], y = [0, 1, 2, 0, 1, 2]; (2, 2, 2) is Grid3D(1, 1); a tuple size
    # with a structure is an error; assigning a structure replaces the positions
    p = sim.Population(4, sim.IF_curr_exp())
    assert p.structure == sim.space.Line()
    grid = sim.Population((2, 3), sim.IF_curr_exp())
    assert grid.structure == sim.space.Grid2D(2 / 3)
    assert grid.positions[:2].tolist() == [[0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]]
    cube = sim.Population((2, 2, 2), sim.IF_curr_exp())
    assert cube.positions[:, 1].tolist() == [0, 0, 1]
    with pytest.raises(errors.InvalidParameterValueError, match="structure"):
        sim.Population((2, 3), sim.IF_curr_exp(), structure=sim.space.Line())
    assert p.positions[0].tolist() == [0, 1, 2, 3]
    p.structure = sim.space.Line(dx=5.0)
    assert p.positions[0].tolist() == [0, 5, 10, 15]


def test_assembly_and_ids(sim):
    a = sim.Population(3, sim.IF_curr_exp(), label="a")
    b = sim.Population(2, sim.IF_curr_exp(), label="b")
    asm = a + b
    assert asm.size == 5 and asm.get_population("b") is b
    assert asm.id_to_index(b[1]) == 4
    asm.set(tau_m=25.0)
    assert b.get("tau_m") == 25.0
    cell = a[1]
    assert int(cell) == a.first_id + 1 and cell.local
    assert a.id_to_index(cell) == 1 and a.index_to_id(1) == cell
    assert cell.tau_m == 25.0
    cell.set_parameters(tau_m=12.0)
    assert cell.get_parameters()["tau_m"] == 12.0
    assert cell.position.shape == (3,)
    assert a.positions.shape == (3, 3)


def test_initialize_and_initial_values(sim):
    p = sim.Population(3, sim.IF_curr_exp())
    p.initialize(v=-70.0)
    assert list(p.initial_values["v"]) == [-70.0] * 3
    p.initialize(v=np.array([-70.0, -60.0, -50.0]))
    assert p[2].get_initial_value("v") == -50.0
    with pytest.raises(errors.NonExistentParameterError):
        p.initialize(u=1.0)


def test_spike_source_array_sequences(sim):
    s = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0, 2.0]))
    times = s.get("spike_times")     # as PyNN+NEST: one Sequence per cell, even when all are equal
    assert isinstance(times, np.ndarray) and times.dtype == object and times.shape == (2,)
    assert all(t == Sequence([1.0, 2.0]) for t in times)
    assert s[0:1].get("spike_times") == Sequence([1.0, 2.0])   # one cell: its Sequence
    s.set(spike_times=[Sequence([5.0]), Sequence([6.0, 7.0])])
    assert s[1].get_parameters()["spike_times"] == Sequence([6.0, 7.0])


def test_record_unknown_variable(sim):
    p = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(errors.RecordingError, match="spikes"):
        p.record("gsyn_exc")


def test_no_simulation_without_a_backend_is_a_clear_error(monkeypatch):
    from pynnlite import simulation
    monkeypatch.setattr(simulation, "_current", None)
    monkeypatch.setattr(simulation, "_default_setup", None)
    with pytest.raises(errors.SimulationNotSetUpError, match="setup"):
        simulation.current()


def test_setup_validation_and_extras():
    import pynnlite.backends.numpy as sim
    with pytest.raises(errors.InvalidParameterValueError, match="timestep"):
        sim.setup(timestep=0.0)
    with pytest.warns(UserWarning, match="threads"):
        sim.setup(timestep=0.1, threads=4)
    assert sim.get_time_step() == 0.1 and sim.get_min_delay() == 0.1
    assert sim.num_processes() == 1 and sim.rank() == 0
    sim.end()


def test_record_to_file_is_written_at_end(tmp_path):
    import neo
    import pynnlite.backends.numpy as sim
    sim.setup()
    p = sim.Population(3, sim.IF_curr_exp(i_offset=1.0))
    target = str(tmp_path / "spikes.pkl")
    p.record("spikes", to_file=target)
    sim.run(50.0)
    sim.end()
    block = neo.io.PickleIO(target).read_block()
    assert len(block.segments[0].spiketrains) == 3
    assert all(len(st) > 0 for st in block.segments[0].spiketrains)


@pytest.mark.parametrize("parameter", ["tau_m", "e_rev_E", "v_reset", "i_offset"])
def test_infinite_cell_parameters_are_errors(sim, parameter):
    """tau_m = inf gave v = NaN, v_reset = -inf a membrane at -inf: errors now, naming the
    parameter; the population keeps its values."""
    cells = sim.Population(3, sim.IF_cond_exp())
    with pytest.raises(errors.InvalidParameterValueError, match=parameter):
        sim.Population(3, sim.IF_cond_exp(**{parameter: float("inf")}))
    before = cells.get(parameter)
    with pytest.raises(errors.InvalidParameterValueError, match=parameter):
        cells.set(**{parameter: -np.inf})
    assert cells.get(parameter) == before


@pytest.mark.parametrize("arguments", [{"timestep": float("inf")}, {"min_delay": float("nan")},
                                       {"min_delay": float("inf")}, {"max_delay": float("nan")}])
def test_setup_rejects_non_finite_times(arguments):
    import pynnlite.backends.numpy as numpy_backend
    with pytest.raises(errors.InvalidParameterValueError):
        numpy_backend.setup(**arguments)
    numpy_backend.setup()
    numpy_backend.end()


def test_default_labels_are_pynns(sim):
    """Measured with PyNN 0.13 + NEST: Population 'population<n>', Assembly 'assembly<n>' (class
    counters that every Population/Assembly advances, labelled or not, and that setup()/end()
    do not reset), PopulationView "view of '<parent>' with size <n>" (sample() too),
    Projection '<pre>→<post>'."""
    pops, asms = sim.Population._count, sim.Assembly._count
    p = sim.Population(3, sim.IF_cond_exp())
    q = sim.Population(2, sim.IF_cond_exp(), label="named")
    r = sim.Population(2, sim.IF_curr_exp(), label="")          # PyNN: label or default
    assert (p.label, q.label, r.label) == (f"population{pops}", "named", f"population{pops + 2}")
    assert p[0:2].label == f"view of 'population{pops}' with size 2"
    assert q[[1]].label == "view of 'named' with size 1"
    assert p[0:2][1:2].label == f"view of 'view of 'population{pops}' with size 2' with size 1"
    assert sim.PopulationView(p, [1, 2], label="mine").label == "mine"
    assert p.sample(2, rng=NumpyRNG(seed=1)).label == f"view of 'population{pops}' with size 2"
    a = p + q
    b = sim.Assembly(p, r, label="both")
    c = sim.Assembly(q)
    assert (a.label, b.label, c.label) == (f"assembly{asms}", "both", f"assembly{asms + 2}")
    assert a[1:3].label == f"assembly{asms + 3}"                 # an Assembly of views, unlabelled
    assert a.sample(2, rng=NumpyRNG(seed=1)).label == f"assembly{asms + 4}"
    prj = sim.Projection(p[0:2], a, sim.AllToAllConnector())
    assert prj.label == f"view of 'population{pops}' with size 2→assembly{asms}"
    sim.end()
    sim.setup()
    s = sim.Population(1, sim.IF_cond_exp())
    assert s.label == f"population{pops + 3}"
    assert sim.Assembly(s).label == f"assembly{asms + 5}"


def test_first_and_last_id_are_ids(sim):
    """PyNN 0.13 + NEST: Population.first_id/last_id are its ID class (an int with .celltype,
    .local, .get_parameters(), ...), as are p[i], the elements of all_cells and a view's or an
    Assembly's first_id/last_id."""
    from pynnlite.populations import ID
    p = sim.Population(4, sim.IF_cond_exp(tau_m=12.0))
    q = sim.Population(3, sim.IF_curr_exp())
    for cell in (p.first_id, p.last_id, q.first_id, p[1], p[-1], p.all_cells[2], p[1:3].first_id,
                 (p + q).last_id):
        assert isinstance(cell, ID) and isinstance(cell, int)
    assert p.first_id == p[0] and p.last_id == p[3] and p.last_id - p.first_id == 3
    assert type(p.last_id - p.first_id) is int
    assert p.first_id.celltype is p.celltype and p.first_id.local is True and p.first_id.parent is p
    assert p.first_id.get_parameters()["tau_m"] == 12.0 and p.last_id.tau_m == 12.0
    assert (p + q).last_id.parent is q and (p + q).last_id == q[2]


def test_assembly_holds_each_cell_once_and_may_start_empty(sim):
    """Measured with PyNN 0.13 + NEST (Assembly._insert): p + p, a += p (p in a), a + a and
    a + p have p's cells once (a warning, not an error); p + p[1:3] is p, p[0:2] + p[1:3] is p[0:2]
    (a view sharing cells with a member is left out), p[1:3] + p has both; Assembly() is an empty
    Assembly to add to with +=; a += 3 is a TypeError and changes nothing."""
    p = sim.Population(4, sim.IF_cond_exp(), label="p")
    q = sim.Population(3, sim.IF_cond_exp(), label="q")
    with pytest.warns(UserWarning, match="holds each cell once"):
        assert (p + p).size == 4 and sim.Assembly(p, p).populations == [p]
    a = p + q
    with pytest.warns(UserWarning):
        a += p
    assert a.size == 7 and a.populations == [p, q]
    with pytest.warns(UserWarning):
        assert (a + a).size == 7 and (a + p).size == 7 and (p + p[1:3]).populations == [p]
    with pytest.warns(UserWarning, match="shares cells with"):
        assert (p[0:2] + p[1:3]).size == 2
    assert (p[1:3] + p).size == 6                      # as PyNN: only a view is checked
    empty = sim.Assembly()
    assert empty.size == 0 and len(empty) == 0 and list(empty) == [] and empty.simulation is p.simulation
    empty += p
    empty += q[1:]
    assert empty.size == 6 and list(empty.all_cells) == [*p.all_cells, *q.all_cells[1:]]
    with pytest.raises(TypeError):
        empty += 3
    assert empty.size == 6 and len(empty.populations) == 2


def test_assembly_of_different_cell_types_sets_and_initializes_shared_names(sim):
    """PyNN 0.13's Assembly.set/initialize call each population's: with IF_cond_exp + IF_curr_exp
    set(tau_m=15.0) and initialize(v=-60.0) work (measured: v starts at -60 mV in both), and a
    name one cell type lacks (e_rev_E) is a NonExistentParameterError. PyNN has set the earlier
    populations by then; here nothing changes. An array or RandomDistribution covers the whole
    Assembly, as for one cell type; an empty Assembly's set() does nothing."""
    p = sim.Population(2, sim.IF_cond_exp(), label="p")
    q = sim.Population(3, sim.IF_curr_exp(), label="q")
    z = sim.Population(2, sim.Izhikevich(), label="z")
    a = p + q
    a.set(tau_m=15.0, cm=0.5)
    assert p.get("tau_m") == q.get("tau_m") == 15.0 and a.get("cm") == 0.5
    a.set(tau_refrac=np.arange(5) + 1.0)
    assert list(a.get("tau_refrac")) == [1.0, 2.0, 3.0, 4.0, 5.0] and list(q.get("tau_refrac")) == [3.0, 4.0, 5.0]
    a.initialize(v=-60.0)
    (p + z).initialize(v=np.array([-61.0, -62.0, -63.0, -64.0]))
    assert list(q.initial_values["v"]) == [-60.0] * 3
    assert list(p.initial_values["v"]) == [-61.0, -62.0] and list(z.initial_values["v"]) == [-63.0, -64.0]
    with pytest.raises(errors.NonExistentParameterError, match="e_rev_E.*IF_curr_exp"):
        a.set(e_rev_E=-5.0)
    with pytest.raises(errors.NonExistentParameterError, match="tau_m.*Izhikevich"):
        (p + z).set(tau_m=12.0)
    with pytest.raises(errors.InvalidParameterValueError, match="tau_m"):
        a.set(cm=1.0, tau_m=np.array([10.0, 10.0, 10.0, -1.0, 10.0]))     # q's 2nd tau_m < 0
    assert p.get("tau_m") == 15.0 and a.get("cm") == 0.5 and p.get("e_rev_E") == 0.0
    p.record("v")
    q.record("v")
    sim.run(0.2)
    assert p.get_data().segments[0].analogsignals[0][0, 0] == -61.0
    assert q.get_data().segments[0].analogsignals[0][0, 0] == -60.0
    empty = sim.Assembly()
    empty.set(tau_m=10.0)
    empty.initialize(v=-70.0)


def test_get_simplified_value_is_a_numpy_scalar(sim):
    """PyNN 0.13 + NEST: p.get('tau_m') of a homogeneous population is np.float64 (value[0] of the
    array; so .item(), .dtype work and a list of them prints as PyNN's); views and Assemblies too."""
    p = sim.Population(3, sim.IF_cond_exp())
    for value in (p.get("tau_m"), *p.get(["tau_m", "cm"]), p[0:2].get("tau_m"), sim.Assembly(p).get("tau_m"),
                  p.get("tau_m", gather=True)):
        assert type(value) is np.float64
    assert p.get("tau_m") == 20.0 and p.get("tau_m").item() == 20.0
