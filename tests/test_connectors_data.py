"""Connectors from data: FromFileConnector, ArrayConnector, CloneConnector.

PyNN 0.13 facts checked here:
* FromFileConnector(file, distributed=False, safe=True, callback=None) reads the list format
  (rows of i, j, values...); a header ``# columns = [...]`` names the columns, 'i' and 'j'
  being the indices; without one the values are weight and delay; with ``distributed=True``
  each process reads ``"%s.%d" % (file, rank)``.
* ArrayConnector(array, ...) takes a boolean matrix of shape (pre size, post size).
* CloneConnector(reference_projection, ...) connects the pairs connected in the reference's
  connection matrix, and requires the same pre and post populations (else ConnectionError).
"""
import io

import numpy as np
import pytest

from pynnlite import errors
from pynnlite.connectors.base import ConnectionContext
from pynnlite.connectors.from_data import ArrayConnector, CloneConnector, FromFileConnector
from pynnlite.files import write_table
from pynnlite.space import Space


def context(n_pre, n_post, post_local=None, rank=0, pre_ids=None, post_ids=None):
    pre_ids = np.arange(100, 100 + n_pre) if pre_ids is None else np.asarray(pre_ids)
    post_ids = np.arange(5000, 5000 + n_post) if post_ids is None else np.asarray(post_ids)
    return ConnectionContext(
        pre_size=n_pre, post_size=n_post,
        post_local=np.arange(n_post) if post_local is None else np.asarray(post_local),
        pre_ids=pre_ids, post_ids=post_ids, pre_positions_fn=lambda: np.zeros((3, n_pre)),
        post_positions_fn=lambda: np.zeros((3, n_post)), space=Space(), stream=1, rng=None,
        timestep=0.1, rank=rank)


def pairs(a):
    return list(zip(a.pre.tolist(), a.post.tolist()))


# ------------------------------------------------------------- FromFileConnector

ROWS = [(2, 1, 0.1 + 0.2, 1.5), (0, 3, 1e-17, 2.0), (2, 1, 0.7, 0.1), (1, 0, 3.0, 4.0)]


def write_rows(path, rows, columns=("i", "j", "weight", "delay")):
    data = np.array(rows, dtype=float)
    cols = [data[:, k].astype(int) if k < 2 else data[:, k] for k in range(data.shape[1])]
    write_table(path, cols, {"columns": list(columns)} if columns else {})


def test_file_round_trip_is_bit_identical_in_row_order(tmp_path):
    path = tmp_path / "conn.txt"
    write_rows(path, ROWS)
    a = FromFileConnector(str(path)).connect(context(3, 4))
    assert pairs(a) == [(2, 1), (0, 3), (2, 1), (1, 0)]
    assert a.values["weight"].tolist() == [r[2] for r in ROWS]      # exact floats, incl. 0.1 + 0.2
    assert a.values["delay"].tolist() == [r[3] for r in ROWS]
    assert a.may_repeat


def test_file_without_header_uses_pynn_default_columns(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("0 1 0.5 1.0\n1 0 0.25 2.0\n")
    a = FromFileConnector(path).connect(context(2, 2))
    assert set(a.values) == {"weight", "delay"}
    assert a.values["weight"].tolist() == [0.5, 0.25]


def test_file_header_names_extra_columns(tmp_path):
    # PyNN's example header: # columns = ["i", "j", "weight", "delay", "U", "tau_rec"]
    path = tmp_path / "tm.txt"
    path.write_text('# columns = ["i", "j", "weight", "delay", "U", "tau_rec"]\n'
                    "0 0 0.1 1.0 0.5 100.0\n1 1 0.2 1.0 0.6 200.0\n")
    a = FromFileConnector(str(path)).connect(context(2, 2))
    assert a.values["U"].tolist() == [0.5, 0.6]
    assert a.values["tau_rec"].tolist() == [100.0, 200.0]


def test_file_only_local_post_cells(tmp_path):
    path = tmp_path / "conn.txt"
    write_rows(path, ROWS)
    c = FromFileConnector(str(path))
    a = c.connect(context(3, 4, post_local=[1, 3]))
    assert pairs(a) == [(2, 1), (0, 3), (2, 1)]
    assert a.values["weight"].tolist() == [ROWS[0][2], ROWS[1][2], ROWS[2][2]]


def test_file_object_with_a_name(tmp_path):
    path = tmp_path / "conn.txt"
    write_rows(path, ROWS)
    with open(path) as handle:
        a = FromFileConnector(handle).connect(context(3, 4))
    assert a.pre.size == 4


def test_distributed_reads_file_dot_rank(tmp_path):
    base = tmp_path / "conn.txt"
    write_rows(f"{base}.0", [(0, 0, 0.1, 1.0)])
    write_rows(f"{base}.1", [(1, 1, 0.2, 1.0)])
    c = FromFileConnector(str(base), distributed=True)       # no file named conn.txt itself
    assert pairs(c.connect(context(2, 2, rank=0))) == [(0, 0)]
    assert pairs(c.connect(context(2, 2, rank=1))) == [(1, 1)]
    with pytest.raises(errors.ConnectionError, match=r"conn\.txt\.2"):
        c.connect(context(2, 2, rank=2))


def test_save_without_gather_then_distributed_reload_on_one_process(sim, tmp_path):
    """On one process save(gather=False) writes the file itself (as PyNN); reading it back with
    distributed=True finds it there (there is no file.0), so the round trip works on any
    number of processes."""
    a = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
    b = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.7, rng=sim.NumpyRNG(seed=2)),
                         sim.StaticSynapse(weight=0.25, delay=1.0))
    path = str(tmp_path / "conn.txt")
    prj.save("all", path, gather=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conn.txt"]
    again = sim.Projection(a, b, FromFileConnector(path, distributed=True), sim.StaticSynapse())
    assert again.get(["weight", "delay"], format="list") == prj.get(["weight", "delay"], format="list")


def test_missing_file_is_a_connection_error_naming_it(tmp_path):
    with pytest.raises(errors.ConnectionError, match="nothere.txt"):
        FromFileConnector(str(tmp_path / "nothere.txt")).connect(context(2, 2))


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("# columns = ['i', 'j', 'weight', 'delay']\n0 1 0.5 1.0\n1 0 abc 1.0\n")
    with pytest.raises(errors.ConnectionError, match=r"bad\.txt.*line 3"):
        FromFileConnector(str(path)).connect(context(2, 2))
    path.write_text("0 1 0.5 1.0\n\n1 0 0.5\n")
    with pytest.raises(errors.ConnectionError, match=r"line 3.*expected 4 columns"):
        FromFileConnector(str(path)).connect(context(2, 2))


def test_header_and_rows_disagree(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("# columns = ['i', 'j', 'weight']\n0 1 0.5 1.0\n")
    with pytest.raises(errors.ConnectionError, match="header names 3 columns"):
        FromFileConnector(str(path)).connect(context(2, 2))
    path.write_text("# columns = ['weight', 'delay']\n0.5 1.0\n")
    with pytest.raises(errors.ConnectionError, match="'i' and 'j'"):
        FromFileConnector(str(path)).connect(context(2, 2))


def test_array_format_file_is_refused(tmp_path):
    path = tmp_path / "matrix.txt"
    path.write_text("# attributes = ['weight']\n# shape = [2, 2]\n0.0 0.5\n0.0 0.0\n")
    with pytest.raises(errors.ConnectionError, match="list-format"):
        FromFileConnector(str(path)).connect(context(2, 2))


def test_index_out_of_range_is_a_connection_error(tmp_path):
    path = tmp_path / "conn.txt"
    write_rows(path, ROWS)
    with pytest.raises(errors.ConnectionError, match="pre index"):
        FromFileConnector(str(path)).connect(context(2, 4))


def test_bad_file_argument():
    with pytest.raises(errors.InvalidParameterValueError, match="file"):
        FromFileConnector(42)
    with pytest.raises(errors.InvalidParameterValueError, match="file"):
        FromFileConnector(io.StringIO("0 1\n"))          # a stream without a file name
    with pytest.raises(errors.InvalidParameterValueError, match="distributed"):
        FromFileConnector("x", distributed="yes")


# ---------------------------------------------------------------- ArrayConnector

def test_array_connector_boolean_and_01_post_major():
    m = np.array([[True, False, True], [False, True, True]])
    a = ArrayConnector(m).connect(context(2, 3))
    assert pairs(a) == [(0, 0), (1, 1), (0, 2), (1, 2)]
    b = ArrayConnector(m.astype(int)).connect(context(2, 3))
    assert pairs(b) == pairs(a)
    c = ArrayConnector(m).connect(context(2, 3, post_local=[2]))
    assert pairs(c) == [(0, 2), (1, 2)]


def test_array_connector_wrong_shape():
    with pytest.raises(errors.InvalidDimensionsError, match=r"\(3, 2\).*2 pre × 3 post"):
        ArrayConnector(np.ones((3, 2), dtype=bool)).connect(context(2, 3))
    with pytest.raises(errors.InvalidDimensionsError, match="2D"):
        ArrayConnector(np.ones(6, dtype=bool))


def test_array_connector_values_other_than_0_1():
    with pytest.raises(errors.InvalidParameterValueError, match="0 and 1"):
        ArrayConnector(np.array([[0.5, 1.0]]))


# ---------------------------------------------------------------- CloneConnector

class _Cells:
    def __init__(self, ids):
        self.all_cells = np.asarray(ids)
        self.size = len(ids)


class _Table:
    def __init__(self, pre, post):
        self.pre = np.asarray(pre, dtype=np.int32)
        self.post = np.asarray(post, dtype=np.int32)


class _Reference:
    """Stands in for a built Projection: its pre, post and connection table."""

    def __init__(self, pre_ids, post_ids, pre, post):
        self.pre, self.post = _Cells(pre_ids), _Cells(post_ids)
        self._table = _Table(pre, post)
        self.label = "reference"


def test_clone_copies_the_connected_pairs_once_post_major():
    ref = _Reference(np.arange(100, 103), np.arange(5000, 5004), pre=[2, 0, 2, 1], post=[1, 3, 1, 0])
    a = CloneConnector(ref).connect(context(3, 4))
    assert pairs(a) == [(1, 0), (2, 1), (0, 3)]     # the repeated pair (2, 1) once, as PyNN's map
    assert pairs(CloneConnector(ref).connect(context(3, 4, post_local=[0, 1]))) == [(1, 0), (2, 1)]


def test_clone_needs_the_same_cells():
    ref = _Reference(np.arange(100, 103), np.arange(5000, 5004), pre=[0], post=[0])
    with pytest.raises(errors.ConnectionError, match="presynaptic"):
        CloneConnector(ref).connect(context(3, 4, pre_ids=np.arange(200, 203)))
    with pytest.raises(errors.ConnectionError, match="postsynaptic"):
        CloneConnector(ref).connect(context(3, 5))
    with pytest.raises(errors.InvalidParameterValueError, match="reference_projection"):
        CloneConnector([(0, 0)])


# -------------------------------------------------------------- through Projection

@pytest.fixture
def nsim():
    sim = pytest.importorskip("pynnlite.backends.numpy")
    sim.setup(timestep=0.1)
    yield sim
    sim.end()


def test_projection_save_then_from_file_round_trip(nsim, tmp_path):
    sim = nsim
    pre = sim.Population(4, sim.IF_curr_exp())
    post = sim.Population(5, sim.IF_curr_exp())
    first = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=2)),
                           sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0, 1),
                                                                           rng=sim.NumpyRNG(seed=3)),
                                             delay=0.3))
    path = tmp_path / "saved.txt"
    first.save(["weight", "delay"], str(path), format="list")
    second = sim.Projection(pre, post, sim.FromFileConnector(str(path)))
    assert second.get(["weight", "delay"], format="list") == first.get(["weight", "delay"], format="list")


def test_projection_clone_and_array(nsim):
    sim = nsim
    pre = sim.Population(6, sim.IF_curr_exp())
    post = sim.Population(7, sim.IF_curr_exp())
    ref = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.4, rng=sim.NumpyRNG(seed=5)))
    clone = sim.Projection(pre, post, sim.CloneConnector(ref), sim.StaticSynapse(weight=0.2))
    assert sorted(clone.get("weight", format="list", with_address=True)) == \
        sorted((i, j, 0.2) for i, j, _ in ref.get("weight", format="list"))
    matrix = ~np.isnan(ref.get("weight", format="array"))
    arr = sim.Projection(pre, post, sim.ArrayConnector(matrix))
    assert np.array_equal(~np.isnan(arr.get("weight", format="array")), matrix)
    other = sim.Population(6, sim.IF_curr_exp())
    with pytest.raises(errors.ConnectionError):
        sim.Projection(other, post, sim.CloneConnector(ref))
