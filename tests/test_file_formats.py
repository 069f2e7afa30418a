"""PyNN's file objects (pyNN.recording.files → pynnlite.file_formats) with Projection.save,
FromFileConnector and save_positions.

PyNN 0.13 facts checked here: each class takes ``(filename, mode='rb')`` (HDF5ArrayFile
``mode='r'``) and has ``write(data, metadata)``, ``read()``, ``get_metadata()``, ``close()``;
PickleFile pickles ``(data, metadata)``; NumpyBinaryFile writes an ``.npz`` archive with arrays
``data`` and ``metadata`` ((name, value) rows); HDF5ArrayFile a PyTables node ``data`` with the
metadata as attributes. tests/golden/pynn_files/ holds files PyNN 0.13 + NEST 3.10 wrote with
``prj.save('all', cls(...))`` for one 5 × 4 projection, and that projection's
``get(['weight', 'delay'], format='list')`` (expected_weight_delay.npy).
"""
import importlib.util
import os
import pickle

import numpy as np
import pytest

import pynnlite.backends.numpy as sim
from pynnlite import errors
from pynnlite.file_formats import HDF5ArrayFile, NumpyBinaryFile, PickleFile, StandardTextFile
from mpi_support import needs_mpi, run_script

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "pynn_files")
HAVE_TABLES = importlib.util.find_spec("tables") is not None
CLASSES = [StandardTextFile, PickleFile, NumpyBinaryFile] + ([HDF5ArrayFile] if HAVE_TABLES else [])


def network():
    sim.setup(timestep=0.1)
    pre, post = sim.Population(5, sim.IF_cond_exp()), sim.Population(4, sim.IF_cond_exp())
    rng = sim.NumpyRNG(seed=7)
    synapse = sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.001, 0.01), rng=rng),
                                delay=sim.RandomDistribution("uniform", (0.2, 2.0), rng=rng))
    return pre, post, sim.Projection(pre, post, sim.FixedProbabilityConnector(0.5, rng=rng), synapse)


@pytest.mark.parametrize("cls", CLASSES)
def test_save_then_from_file_connector_gives_the_same_connections(tmp_path, cls):
    pre, post, prj = network()
    path = str(tmp_path / "sub" / "conn")                      # missing folders are made, as PyNN
    prj.save("all", cls(path, mode="w"))
    copy = sim.Projection(pre, post, sim.FromFileConnector(cls(path, mode="r")), sim.StaticSynapse())
    assert copy.get(["weight", "delay"], format="list") == prj.get(["weight", "delay"], format="list")
    assert cls(path, mode="r").get_metadata() == {"columns": ["i", "j", "weight", "delay"]}
    sim.end()


def test_standard_text_file_writes_the_bytes_a_file_name_gives(tmp_path):
    _, _, prj = network()
    prj.save("all", str(tmp_path / "by_name.txt"))
    prj.save("all", StandardTextFile(str(tmp_path / "by_object.txt"), mode="w"))
    assert (tmp_path / "by_name.txt").read_bytes() == (tmp_path / "by_object.txt").read_bytes()
    sim.end()


def test_on_disk_formats_are_pynns(tmp_path):
    data, metadata = np.array([[0, 2, 0.5, 1.5], [3, 1, 0.25, 0.1]]), {"columns": ["i", "j", "weight", "delay"]}
    PickleFile(str(tmp_path / "c.pkl"), mode="wb").write(data, metadata)
    with open(tmp_path / "c.pkl", "rb") as handle:
        assert pickle.load(handle) == ([(0.0, 2.0, 0.5, 1.5), (3.0, 1.0, 0.25, 0.1)], metadata)
    NumpyBinaryFile(str(tmp_path / "c.npz"), mode="wb").write(data, metadata)
    with np.load(tmp_path / "c.npz", allow_pickle=True) as archive:
        assert np.array_equal(archive["data"], data)
        assert archive["metadata"].tolist() == [["columns", ["i", "j", "weight", "delay"]]]


@pytest.mark.parametrize("name, cls", [("connections.txt", StandardTextFile), ("connections.pkl", PickleFile),
                                       ("connections.npz", NumpyBinaryFile), ("connections.h5", HDF5ArrayFile)])
def test_files_written_by_pynn_are_read_identically(name, cls):
    if cls is HDF5ArrayFile and not HAVE_TABLES:
        pytest.skip("needs PyTables (pip install tables)")
    expected = np.load(os.path.join(GOLDEN, "expected_weight_delay.npy"))
    sim.setup(timestep=0.1)
    pre, post = sim.Population(5, sim.IF_cond_exp()), sim.Population(4, sim.IF_cond_exp())
    prj = sim.Projection(pre, post, sim.FromFileConnector(cls(os.path.join(GOLDEN, name), mode="r")),
                         sim.StaticSynapse())
    got = np.array(prj.get(["weight", "delay"], format="list"))
    assert np.array_equal(got[:, :3], expected[:, :3])                 # pairs and weights bit for bit
    # NEST reports the delay it stores (0.30000000000000004 ms); pynnlite the grid value 3 × 0.1 ms
    assert np.allclose(got[:, 3], expected[:, 3], rtol=0, atol=1e-12)
    by_name = sim.Projection(pre, post, sim.FromFileConnector(os.path.join(GOLDEN, "connections.txt")),
                             sim.StaticSynapse())
    assert prj.get(["weight", "delay"], format="list") == by_name.get(["weight", "delay"], format="list")
    sim.end()


def test_save_positions_to_a_file_object(tmp_path):
    sim.setup()
    cells = sim.Population(3, sim.IF_cond_exp(), structure=sim.space.Line(dx=2.0), label="row")
    cells.save_positions(NumpyBinaryFile(str(tmp_path / "p.npz"), mode="wb"))
    stored = NumpyBinaryFile(str(tmp_path / "p.npz"))
    assert stored.get_metadata() == {"population": "row"}
    assert np.array_equal(stored.read(), np.column_stack([np.arange(3), cells.positions.T]))
    sim.end()


def test_bad_input_names_the_argument(tmp_path):
    with pytest.raises(errors.InvalidParameterValueError, match="mode must be one of"):
        PickleFile(str(tmp_path / "c.pkl"), mode="x")
    with pytest.raises(errors.InvalidParameterValueError, match="filename must be"):
        NumpyBinaryFile(3)
    with pytest.raises(errors.InvalidParameterValueError, match="mode: .*cannot read"):
        PickleFile(str(tmp_path / "c.pkl"), mode="wb").read()
    with pytest.raises(errors.InvalidParameterValueError, match="mode: .*cannot write"):
        PickleFile(str(tmp_path / "c.pkl")).write([[1.0, 2.0]], {})
    sim.setup()
    cells = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(errors.ConnectionError, match="filename: .*does not exist"):
        sim.Projection(cells, cells, sim.FromFileConnector(NumpyBinaryFile(str(tmp_path / "missing.npz"))))
    (tmp_path / "text.npz").write_text("# columns = ['i', 'j']\n0 1\n")
    with pytest.raises(errors.ConnectionError, match="filename: .*not a readable NumpyBinaryFile"):
        sim.Projection(cells, cells, sim.FromFileConnector(NumpyBinaryFile(str(tmp_path / "text.npz"))))
    sim.end()
    with pytest.raises(errors.ConnectionError, match="filename: .*not a readable PickleFile"):
        PickleFile(str(tmp_path / "text.npz")).get_metadata()


@pytest.mark.skipif(HAVE_TABLES, reason="PyTables is installed here")
def test_hdf5_without_pytables_says_what_to_install(tmp_path):
    with pytest.raises(errors.InvalidParameterValueError, match="pip install tables"):
        HDF5ArrayFile(str(tmp_path / "c.h5"), mode="w")


@needs_mpi
def test_mpi_save_writes_once_or_per_rank_and_reads_back(tmp_path):
    result = run_script("file_formats_save.py", str(tmp_path), processes=2)
    for rank in range(2):
        assert f"rank {rank} OK" in result.stdout, result.stdout
