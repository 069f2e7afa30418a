"""Projection get/set/save/initialize semantics as PyNN 0.13 documents them."""
import io

import numpy as np
import pytest
import quantities as pq

from pynnlite import errors
from pynnlite.random import NumpyRNG, RandomDistribution


def make(sim, conn_list, n_pre=3, n_post=4, celltype=None, **kw):
    pre = sim.Population(n_pre, sim.IF_curr_exp(), label="pre")
    post = sim.Population(n_post, celltype or sim.IF_curr_exp(), label="post")
    return sim.Projection(pre, post, sim.FromListConnector(conn_list), **kw)


def test_list_format_in_pre_post_order_with_and_without_address(sim):
    # connections are listed by pre index, then post index, as PyNN+NEST lists them
    prj = make(sim, [(2, 1, 0.5, 1.0), (0, 3, 0.25, 2.0)])
    assert prj.get(["weight", "delay"], format="list") == [(0, 3, 0.25, 2.0), (2, 1, 0.5, 1.0)]
    assert prj.get("weight", format="list") == [(0, 3, 0.25), (2, 1, 0.5)]
    assert prj.get("weight", format="list", with_address=False) == [0.25, 0.5]
    assert prj.get(["weight", "delay"], format="list", with_address=False) == [(0.25, 2.0), (0.5, 1.0)]


def test_one_dimensional_values_follow_the_listing_order(sim):
    # PyNN's test_set_synaptic_parameters_partially_connected: a flat list is in (pre, post) order
    prj = make(sim, [(0, 0), (3, 0), (1, 1), (1, 0), (2, 1)], n_pre=4, n_post=2)
    prj.set(weight=[0.9, 0.8, 0.7, 0.6, 0.5])
    nan = np.nan
    np.testing.assert_array_equal(prj.get("weight", format="array"),
                                  [[0.9, nan], [0.8, 0.7], [nan, 0.6], [0.5, nan]])


def test_array_format_nan_where_no_connection(sim):
    prj = make(sim, [(2, 1, 0.5, 1.0), (0, 3, 0.25, 2.0)])
    w = prj.get("weight", format="array")
    assert w.shape == (3, 4)
    assert w[2, 1] == 0.5 and w[0, 3] == 0.25
    assert np.isnan(w).sum() == 10
    w, d = prj.get(["weight", "delay"], format="array")
    assert d[0, 3] == 2.0


def test_get_types_are_pynns(sim):
    """PyNN 0.13 + NEST: get([...], format='array') is a list of arrays (its docstring says a
    tuple); get(..., format='list') is a list of tuples. PyNN+NEST gives the indices there as
    floats (0.0, 1.0: NEST's status array); pynnlite gives ints, which work wherever those floats
    do (equal, same hash, so dict keys match) and also in range() or as indices."""
    prj = make(sim, [(2, 1, 0.5, 1.0), (0, 3, 0.25, 2.0)])
    arrays = prj.get(["weight", "delay"], format="array")
    assert type(arrays) is list and len(arrays) == 2 and arrays[1][0, 3] == 2.0
    rows = prj.get(["weight", "delay"], format="list")
    assert type(rows) is list and all(type(r) is tuple for r in rows)
    assert [(type(r[0]), type(r[1]), type(r[2])) for r in rows] == [(int, int, float)] * 2
    assert {(i, j): w for i, j, w, _ in rows}[(2.0, 1.0)] == 0.5


@pytest.mark.parametrize("operation, expected", [("sum", 0.6), ("first", 0.1), ("last", 0.3),
                                                 ("min", 0.1), ("max", 0.3)])
def test_multiple_synapses_reduced_in_creation_order(sim, operation, expected):
    prj = make(sim, [(1, 1, 0.1, 1.0), (0, 0, 0.7, 1.0), (1, 1, 0.2, 1.0), (1, 1, 0.3, 1.0)])
    w = prj.get("weight", format="array", multiple_synapses=operation)
    assert w[1, 1] == pytest.approx(expected, abs=1e-15)
    assert w[0, 0] == 0.7


def test_unknown_multiple_synapses_names_the_five(sim):
    prj = make(sim, [(0, 0, 0.1, 1.0)])
    with pytest.raises(ValueError, match="sum, first, last, min, max"):
        prj.get("weight", format="array", multiple_synapses="mean")


def test_empty_projection(sim):
    prj = make(sim, [])
    assert prj.get("weight", format="list") == []
    assert np.isnan(prj.get("weight", format="array")).all()
    assert len(prj) == 0 and prj.size() == 0


def test_set_value_kinds(sim):
    pre = sim.Population(5, sim.IF_curr_exp())
    post = sim.Population(6, sim.IF_curr_exp())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=0.5))
    prj.set(weight=0.2)
    assert np.all(prj.get("weight", format="array") == 0.2)
    matrix = np.arange(30, dtype=float).reshape(5, 6)
    prj.set(weight=matrix)
    assert np.array_equal(prj.get("weight", format="array"), matrix)
    prj.set(weight=np.arange(30) * 0.5)  # 1D in connection order
    assert prj.get("weight", format="list", with_address=False) == list(np.arange(30) * 0.5)
    prj.set(weight=RandomDistribution("uniform", (1.0, 2.0), rng=NumpyRNG(seed=3)))
    w = prj.get("weight", format="array")
    assert np.all((w >= 1.0) & (w <= 2.0)) and np.unique(w).size == 30
    prj.set(weight=lambda d: 0.01 * d)
    prj.set(delay="0.1 + 0.05*d")
    d = prj.get("delay", format="array")
    assert np.all(d >= 0.1)
    prj.set(weight=3.0 * pq.nA)
    assert np.all(prj.get("weight", format="array") == 3.0)
    prj.set(weight=500 * pq.pA)
    assert np.all(prj.get("weight", format="array") == 0.5)


def test_same_seed_same_random_weights(sim):
    def build():
        pre = sim.Population(50, sim.IF_curr_exp())
        post = sim.Population(40, sim.IF_curr_exp())
        prj = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.2, rng=NumpyRNG(seed=7)),
                             sim.StaticSynapse(weight=RandomDistribution("normal", (1.0, 0.1), rng=NumpyRNG(seed=9))))
        return prj.get("weight", format="list")
    assert build() == build()


def test_set_delay_rounds_to_time_step_and_rejects_below(sim):
    prj = make(sim, [(0, 0, 0.1, 1.0), (1, 1, 0.1, 1.0)])
    prj.set(delay=0.26)
    assert prj.get("delay", format="list", with_address=False) == [0.3, 0.3]
    with pytest.raises(errors.InvalidParameterValueError, match="delay"):
        prj.set(delay=0.01)
    assert prj.get("delay", format="list", with_address=False) == [0.3, 0.3]  # unchanged


def test_delay_half_way_between_steps_rounds_up_as_nest(sim):
    """Measured with PyNN 0.13 + NEST 3, dt = 0.1 ms: delays 0.15, 0.25, 0.35 ms become 0.2, 0.3,
    0.4 ms (0.1499999 -> 0.1, 0.1500001 -> 0.2); with dt = 1 ms, 1.5, 2.5 and 1.4999999 ms become 2, 3
    and 1 ms, and a spike at 10 ms over a 2.5 ms delay first moves v at 14 ms (13 ms with
    round-half-even)."""
    prj = make(sim, [(0, i, 1.0, d) for i, d in enumerate([0.15, 0.25, 0.35, 0.1499])])
    assert prj.get("delay", format="list", with_address=False) == pytest.approx([0.2, 0.3, 0.4, 0.1])
    prj.set(delay=0.45)
    assert prj.get("delay", format="list", with_address=False) == pytest.approx([0.5] * 4)
    sim.setup(timestep=1.0, min_delay=1.0)
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    cells = sim.Population(3, sim.IF_curr_exp(tau_m=1e6, tau_syn_E=1e6, v_rest=0.0, v_thresh=1e6),
                           initial_values={"v": 0.0})
    prj = sim.Projection(source, cells, sim.FromListConnector([(0, 0, 1.0, 1.5), (0, 1, 1.0, 2.5),
                                                               (0, 2, 1.0, 1.4999999)]))
    assert prj.get("delay", format="list", with_address=False) == [2.0, 3.0, 1.0]
    cells.record("v")
    sim.run(20.0)
    v = cells.get_data().segments[0].filter(name="v")[0]
    moved = np.abs(np.asarray(v.magnitude)) > 1e-9
    assert [float(v.times[np.argmax(column)]) for column in moved.T] == [13.0, 14.0, 12.0]


def test_inhibitory_weights_on_conductance_cells_must_be_positive(sim):
    with pytest.raises(errors.InvalidWeightError):
        make(sim, [(0, 0, -0.1, 1.0)], celltype=sim.IF_cond_exp(), receptor_type="inhibitory")
    prj = make(sim, [(0, 0, 0.1, 1.0)], celltype=sim.IF_cond_exp(), receptor_type="inhibitory")
    with pytest.raises(errors.InvalidWeightError):
        prj.set(weight=-1.0)
    assert prj.get("weight", format="list", with_address=False) == [0.1]
    # current-based: negative weights are accepted
    prj = make(sim, [(0, 0, -0.1, 1.0)], receptor_type="inhibitory")
    assert prj.get("weight", format="list", with_address=False) == [-0.1]


def test_errors_before_change(sim):
    prj = make(sim, [(0, 0, 0.1, 1.0)])
    with pytest.raises(errors.NonExistentParameterError, match="weight"):
        prj.get("wieght", format="list")
    with pytest.raises(errors.NonExistentParameterError):
        prj.set(wieght=1.0)
    with pytest.raises(errors.InvalidParameterValueError, match="format"):
        prj.get("weight", format="dict")
    with pytest.raises(errors.InvalidDimensionsError, match=r"\(3, 4\)"):
        prj.set(weight=np.zeros((4, 3)))
    with pytest.raises(errors.ConnectionError, match="excitatory, inhibitory"):
        make(sim, [(0, 0, 0.1, 1.0)], receptor_type="NMDA")
    with pytest.raises(errors.ConnectionError, match="outside"):
        make(sim, [(0, 9, 0.1, 1.0)])
    with pytest.raises(errors.InvalidParameterValueError, match="NaN"):
        make(sim, [(0, 1, float("nan"), 1.0)])
    with pytest.raises(errors.InvalidParameterValueError, match="p_connect"):
        sim.FixedProbabilityConnector(1.5)


def test_save_list_round_trip_is_byte_identical(sim, tmp_path):
    pre = sim.Population(20, sim.IF_curr_exp())
    post = sim.Population(30, sim.IF_curr_exp())
    prj = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.3, rng=NumpyRNG(seed=1)),
                         sim.StaticSynapse(weight=RandomDistribution("normal", (0.0, 1.0)), delay=0.3))
    first = tmp_path / "a.txt"
    prj.save("all", first)
    text = first.read_text()
    assert text.startswith("# columns = ['i', 'j', 'weight', 'delay']\n")
    from pynnlite.files import read_table
    table, meta = read_table(first)
    clone = sim.Projection(pre, post, sim.FromListConnector(table, column_names=meta["columns"][2:]))
    second = tmp_path / "b.txt"
    clone.save("all", second)
    assert second.read_bytes() == first.read_bytes()
    assert clone.get("weight", format="list") == prj.get("weight", format="list")


def test_save_creates_missing_folders(sim, tmp_path):
    """As PyNN (StandardTextFile makes the folders) and as write_data here."""
    prj = sim.Projection(sim.Population(2, sim.IF_curr_exp()), sim.Population(2, sim.IF_curr_exp()),
                         sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5))
    path = tmp_path / "new" / "deeper" / "x.conn"
    prj.save("all", str(path))
    assert path.read_text().startswith("# columns")


def test_save_all_writes_the_synapse_parameters_only(sim, tmp_path):
    # PyNN: save('all') writes synapse_type.get_parameter_names(), i.e. for Tsodyks-Markram
    # # columns = ['i', 'j', 'weight', 'delay', 'U', 'tau_rec', 'tau_facil'] (no u, x, y)
    a = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(a, a, sim.OneToOneConnector(), sim.TsodyksMarkramSynapse(weight=0.5))
    path = tmp_path / "tm.txt"
    prj.save("all", str(path))
    assert path.read_text().splitlines()[0] == \
        "# columns = ['i', 'j', 'weight', 'delay', 'U', 'tau_rec', 'tau_facil']"
    assert np.loadtxt(path).shape == (2, 7)


def test_save_array_format_zero_for_missing(sim):
    prj = make(sim, [(2, 1, 0.5, 1.0)])
    stream = io.StringIO()
    prj.save("weight", stream, format="array")
    rows = [line for line in stream.getvalue().splitlines() if not line.startswith("#")]
    matrix = np.array([row.split() for row in rows], dtype=float)
    assert matrix.shape == (3, 4) and matrix[2, 1] == 0.5 and matrix.sum() == 0.5


def test_connection_views(sim):
    prj = make(sim, [(2, 1, 0.5, 1.0), (0, 3, 0.25, 2.0)])
    c = prj[0]
    assert (c.presynaptic_index, c.postsynaptic_index, c.weight, c.delay) == (0, 3, 0.25, 2.0)
    assert c.as_tuple("weight", "delay") == (0.25, 2.0)
    assert [conn.presynaptic_index for conn in prj.connections] == [0, 2]
    c.weight = 0.75
    c.delay = 1.5
    assert prj.get(["weight", "delay"], format="list")[0] == (0, 3, 0.75, 1.5)
    assert len(list(prj)) == 2


def test_views_and_assemblies_use_relative_indices(sim):
    a = sim.Population(4, sim.IF_curr_exp())
    b = sim.Population(3, sim.IF_curr_exp())
    view = a[1:3]
    prj = sim.Projection(view, a + b, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0))
    assert prj.shape == (2, 7)
    assert len(prj) == 14
    assert prj.get("weight", format="array").shape == (2, 7)


def test_allow_self_connections(sim):
    p = sim.Population(5, sim.IF_curr_exp())
    assert len(sim.Projection(p, p, sim.AllToAllConnector(allow_self_connections=False))) == 20
    assert len(sim.Projection(p, p, sim.AllToAllConnector(allow_self_connections="NoMutual"))) == 10
    assert len(sim.Projection(p, p, sim.AllToAllConnector())) == 25


def test_get_stays_right_after_other_projections(sim):
    a = sim.Population(3, sim.IF_curr_exp())
    first = sim.Projection(a, a, sim.FromListConnector([(0, 1, 0.5)]))
    before = first.get("weight", format="list")
    second = sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(weight=2.0))
    second.get("weight", format="array")
    second.set(weight=3.0)
    assert first.get("weight", format="list") == before


def test_label_and_size(sim):
    a = sim.Population(3, sim.IF_curr_exp(), label="A")
    b = sim.Population(2, sim.IF_curr_exp(), label="B")
    prj = sim.Projection(a, b, sim.AllToAllConnector())
    assert prj.label == "A→B"
    assert prj.size() == prj.size(gather=False) == len(prj) == 6
    with pytest.raises(errors.InvalidParameterValueError, match="gather"):
        prj.size(gather="some")


@pytest.mark.parametrize("attribute, value, message", [
    ("delay", float("inf"), "infinity"), ("delay", 3e8, "2\\*\\*30 time steps"),
    ("weight", float("inf"), "infinity"), ("weight", float("-inf"), "infinity")])
def test_non_finite_or_overflowing_connection_values_are_errors(sim, attribute, value, message):
    """An infinite delay was stored as -214748364.8 ms (int32 steps) and the spike never came;
    an infinite weight made a cell fire on every step. Both are errors now, nothing stored."""
    prj = sim.Projection(sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0])), sim.Population(2, sim.IF_curr_exp()),
                         sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    before = prj.get(["weight", "delay"], format="list")
    with pytest.raises(errors.InvalidParameterValueError, match=message):
        prj.set(**{attribute: value})
    with pytest.raises(errors.InvalidParameterValueError, match=message):
        sim.Projection(prj.pre, prj.post, sim.AllToAllConnector(), sim.StaticSynapse(**{attribute: value}))
    assert prj.get(["weight", "delay"], format="list") == before


def test_synapse_parameters_as_distance_expressions(sim):
    """As PyNN (its inhomogeneous_network example): StaticSynapse(weight='1/(1+d)', delay=...)
    gives each connection the expression's value at its distance (µm); anything but an
    expression of d is refused when the synapse is made."""
    pre = sim.Population(4, sim.IF_curr_exp(), structure=sim.space.Line(dx=10.0))
    post = sim.Population(3, sim.IF_curr_exp(), structure=sim.space.Line(dx=10.0, x0=5.0))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight="1/(1+d)", delay="0.2 + 0.01*d"))
    d = np.abs(np.arange(4)[:, None] * 10.0 - (5.0 + np.arange(3)[None, :] * 10.0))
    np.testing.assert_allclose(prj.get("weight", format="array"), 1 / (1 + d))
    np.testing.assert_allclose(prj.get("delay", format="array"), 0.2 + 0.01 * d, atol=sim.get_time_step() / 2)
    with pytest.raises(errors.InvalidParameterValueError, match="weight"):
        sim.StaticSynapse(weight="1/(1+distance)")
