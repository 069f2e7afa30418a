"""Behaviours of PyNN that its example scripts rely on (found by running them with
``pynnlite run --as-pynn``)."""
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
