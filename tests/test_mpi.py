"""The MPI backend under ``mpiexec -n 1..4``, compared with the numpy backend's output computed
in the same test run (scripts in tests/mpi_scripts/, each run in its own process).

Skipped only when mpi4py or mpiexec is missing (``pip install ".[test,mpi]"`` installs both,
so the README's test command and .ci/run run these tests).
"""
import json
import os
import re

import numpy as np
import pytest
from mpi_support import assert_mpi_equals_numpy, needs_mpi, run_code, run_script


# -- bitwise identity with the numpy backend -------------------------------------------------

@pytest.fixture(scope="module")
def va_reference(tmp_path_factory):
    """The reduced Vogels–Abbott network run by the numpy backend in this test run."""
    folder = tmp_path_factory.mktemp("va")
    path = str(folder / "numpy.npz")
    run_script("va_network.py", "numpy", path)
    return folder, np.load(path)


@needs_mpi
@pytest.mark.parametrize("processes", [1, 2, 3, 4])
def test_vogels_abbott_bitwise_equal_to_numpy(va_reference, processes):
    folder, reference = va_reference
    path = str(folder / f"mpi{processes}.npz")
    run_script("va_network.py", "mpi", path, processes=processes)
    result = np.load(path)
    assert sorted(result.files) == sorted(reference.files)
    assert reference["exc_counts"].sum() > 1000  # an active network, so the comparison means something
    for key in reference.files:
        # spike trains, v traces, get(['weight', 'delay'], format='list') of every projection
        # (FromListConnector in list order), sizes: identical to the bit
        assert reference[key].shape == result[key].shape, key
        assert np.array_equal(reference[key], result[key]), key
    assert list(reference["exc_ids"]) == list(range(reference["exc_ids"].size))
    # the FromListConnector projection keeps the list order, which is not post-major
    posts = reference["prj_stim2i_list"][:, 1]
    assert np.any(np.diff(posts) < 0)


# -- PyNN gather semantics, files written once, per-rank files ---------------------------------

@needs_mpi
@pytest.mark.parametrize("processes", [2, 3])
def test_gather_semantics_and_output(tmp_path, processes):
    result = run_script("gather_checks.py", str(tmp_path), processes=processes,
                        env={"EXPECTED_SIZE": str(processes)})
    for rank in range(processes):
        assert f"rank {rank} OK" in result.stdout, result.stdout


@needs_mpi
@pytest.mark.parametrize("processes", [2, 3])
def test_network_writes_once_or_per_rank_and_fails_alike_on_every_rank(tmp_path, processes):
    """sim.Network.write_data as Population.write_data: rank 0 writes the whole list of blocks
    once, gather=False writes <file>.<rank>, missing folders are created, and an unwritable
    path or nothing recorded is the same error on every rank (before: every rank wrote the
    same file with gather=False, and an error on rank 0 alone ended the job)."""
    result = run_script("network_output.py", str(tmp_path), processes=processes)
    for rank in range(processes):
        assert f"rank {rank} OK" in result.stdout, result.stdout


@needs_mpi
def test_pynn_013_additions_bitwise_equal_to_numpy(tmp_path):
    """The deprecated Population/Projection methods (tset, rset, getSpikes, get_v, get_gsyn,
    printSpikes, print_v, print_gsyn, meanSpikeCount, get/set/randomizeSynapseDynamics,
    weightHistogram), Network, Assembly.get_data(annotations), save_positions, run_for,
    max_delay='auto', normal_clipped, half-way delays, off-grid spike and current times and
    0.3 ms sampling on 2 and 3 processes: rank 0's data and files are the numpy backend's
    (each file written once), gather='all' the same on every rank."""
    assert_mpi_equals_numpy("pynn013_additions.py", tmp_path)


# -- faults: no hang, non-zero exit, the failing rank's message ---------------------------------

@needs_mpi
@pytest.mark.parametrize("script, message", [
    ("fail_rank.py", "deliberate failure on rank 1"),   # in the middle of a run
    ("fail_import.py", "pynnlite.api"),                 # while importing the backend
])
def test_error_on_one_rank_aborts_the_job_promptly(script, message):
    result = run_script(script, processes=2, timeout=60, check=False)
    assert result.returncode != 0
    assert message in result.stderr
    assert "uncaught exception on MPI rank 1 of 2" in result.stderr
    assert result.elapsed < 30


@needs_mpi
def test_mismatched_collective_calls_are_detected():
    result = run_script("mismatch.py", processes=3, timeout=60, check=False)
    assert result.returncode != 0
    assert "different communicating calls" in result.stderr
    assert "rank 0: allreduce_sum" in result.stderr


@needs_mpi
def test_different_calls_that_gather_alike_are_detected():
    """Projection.get on rank 0, Population.get_data elsewhere: both gather rows of the same
    width, so only the call label tells them apart (before it, each rank got the other's data)."""
    result = run_script("mismatch_same_kind.py", processes=2, timeout=60, check=False)
    assert result.returncode != 0
    assert "different communicating calls" in result.stderr
    assert "rank 0: gather_arrays in Projection.get" in result.stderr
    assert "rank 1: gather_arrays in BasePopulation.get_data" in result.stderr
    assert "weights:" not in result.stdout and "data:" not in result.stdout


@needs_mpi
def test_different_calls_that_check_errors_alike_are_detected(tmp_path):
    """save_positions on rank 0, Projection.set elsewhere: both end in the collective that
    agrees on errors; the call labels name them (before, both were labelled with the context
    manager's name, so the mismatch went unnoticed)."""
    result = run_script("mismatch_checked_calls.py", str(tmp_path), processes=2, timeout=60, check=False)
    assert result.returncode != 0
    assert "different communicating calls" in result.stderr
    assert "rank 0: agree_on_error in BasePopulation.save_positions" in result.stderr
    assert "rank 1: agree_on_error in Projection.set" in result.stderr
    assert "went on" not in result.stdout


@needs_mpi
@pytest.mark.parametrize("call", ["getSpikes", "printSpikes", "meanSpikeCount", "save_positions",
                                  "Network.count_connections", "Network.write_data", "weightHistogram",
                                  "getSynapseDynamics", "get_max_delay", "run_for"])
def test_a_collective_addition_called_on_rank_0_only_is_detected(tmp_path, call):
    """Each communicating call of the PyNN 0.13 additions, made on rank 0 alone, ends the job
    with a CommunicationError naming the calls (the other ranks at their exit check), not a hang."""
    result = run_script("rank0_only.py", call, str(tmp_path), processes=2, timeout=60, check=False)
    assert result.returncode != 0 and result.elapsed < 30
    assert "CommunicationError" in result.stderr and "different communicating calls" in result.stderr
    assert "rank 1: exit" in result.stderr
    assert "result:" not in result.stdout


@needs_mpi
def test_stdp_network_bitwise_equal_to_numpy(tmp_path):
    import pynnlite.backends.numpy as numpy_backend
    if not hasattr(numpy_backend, "STDPMechanism"):
        pytest.skip("STDPMechanism is not available in this version")
    assert_mpi_equals_numpy("stdp_network.py", tmp_path)


@needs_mpi
def test_jump_spiking_cells_with_stdp_bitwise_equal_to_numpy(tmp_path):
    """IF_curr_delta and Izhikevich cells take the jumps arriving at the end of each step (so the
    exchange is completed before the next slice, whose first step needs the spikes of the
    slice's first step); with input and recurrent STDP (f = 1 and 0, delays equal to min_delay)
    spikes and learned weights equal the numpy backend's on 2 and 3 processes."""
    assert_mpi_equals_numpy("jump_spike_network.py", tmp_path)


# -- missing mpi4py / MPI runtime: a clear message naming what to install ------------------------

@pytest.mark.parametrize("blocked, expected", [
    ("mpi4py", "needs the mpi4py package"),
    ("mpi4py.MPI", "could not load or start an MPI runtime"),
])
def test_missing_mpi_gives_a_clear_error(blocked, expected):
    code = (f"import sys; sys.modules[{blocked!r}] = None\n"
            "from pynnlite.errors import MPINotAvailableError\n"
            "try:\n"
            "    import pynnlite.backends.mpi\n"
            "except MPINotAvailableError as err:\n"
            "    assert isinstance(err, ImportError)\n"
            "    print(err)\n"
            "else:\n"
            "    raise SystemExit('no error')\n")
    result = run_code(code, timeout=60)
    assert expected in result.stdout
    assert 'pip install "pynnlite[mpi]"' in result.stdout


@needs_mpi
@pytest.mark.parametrize("processes", [2, 3])
def test_gap_junctions_graded_synapses_noise_and_stochastic_synapses_across_processes(tmp_path, processes):
    """Couplings whose two ends live on different processes (electrical junctions, graded
    synapses), a noise current and stochastic synapses give the numpy backend's membrane
    potentials: every process takes part in each step's exchange, and the random streams are
    keyed on cells and connections. Junction currents are summed across processes, so
    the electrically coupled cells agree to rounding; graded synapses only read presynaptic
    potentials and agree bitwise, also when a process holds only some of a presynaptic
    cell's connections with different thresholds (the readout). Cells with graded and
    electrical input together (pair, mixed) agree bitwise: every coupling adds its parts in
    the one-process order."""
    reference = str(tmp_path / "numpy.npz")
    run_script("continuous_couplings.py", "numpy", reference)
    distributed = str(tmp_path / "mpi.npz")
    run_script("continuous_couplings.py", "mpi", distributed, processes=processes)
    expected, got = np.load(reference), np.load(distributed)
    for name in expected.files:
        assert expected[name].std() > 1.0          # the cells do move
        if name == "cells":
            np.testing.assert_allclose(got[name], expected[name], rtol=0, atol=1e-9)
        else:
            np.testing.assert_array_equal(got[name], expected[name])



def test_gap_junctions_that_never_cross_processes(tmp_path):
    """With no junction between cells of different processes (2 processes) the per-step
    exchange carries nothing; the run failed when planning it. 3 processes: they cross."""
    assert_mpi_equals_numpy("local_junctions.py", tmp_path)

@needs_mpi
def test_bursts_beyond_the_inline_exchange_capacity_bitwise_equal_to_numpy(tmp_path):
    """A slice with more spikes per process than the exchange carries inline (the rest goes in
    a second collective, then the capacity grows): the same spikes, traces and weights as the
    numpy backend on 2 and 3 processes."""
    assert_mpi_equals_numpy("burst_network.py", tmp_path)


@needs_mpi
@pytest.mark.parametrize("processes", [2, 3])
def test_an_error_in_one_process_connections_is_raised_on_every_process(tmp_path, processes):
    """A bad delay, weight, probability or synapse parameter on connections to one process's
    cells: every process raises that error (the numpy backend's class and message), builds
    nothing and keeps the same network, so a script that catches the error goes on in step.
    With bad values on several processes, every process raises the error the numpy backend
    raises: the check that comes first, the smallest offending delay or weight, the first
    offending connection in the order of evaluation. A 1D array with one value per connection of
    the whole projection (get(format='list') order) is read the same on any number of processes,
    and a shared kernel reads back exactly, or as the same means, on any number of processes."""
    run_script("local_errors.py", "numpy", str(tmp_path / "numpy"))
    expected = json.loads((tmp_path / "numpy.0").read_text())
    assert expected["projections"] == 3 and all(expected["errors"])
    assert expected["kernels"][0] == [0.1] * 9 and expected["kernels"][1] == [0.7] * 9   # exactly
    # the k-th connection in (pre, post) order got the k-th value of each 1D array
    np.testing.assert_allclose([row[2:] for row in expected["by_array"]],
                               [[0.1 * (k + 1), 1.0 + k, 0.1 * k] for k in range(7)], rtol=1e-12)
    run_script("local_errors.py", "mpi", str(tmp_path / "mpi"), processes=processes)
    for rank in range(processes):
        assert json.loads((tmp_path / f"mpi.{rank}").read_text()) == expected, rank


@needs_mpi
@pytest.mark.parametrize("processes", [2, 3])
def test_errors_of_checks_across_columns_are_chosen_as_on_one_process(tmp_path, processes):
    """w_min <= w_max, the sign of normalised weights, a weight dependence's checks, e_hi > e_lo
    and TM's u/x/y with offending connections on two processes: every process raises the numpy
    backend's error (the check that comes first, then the first offending connection)."""
    run_script("column_check_order.py", "numpy", str(tmp_path / "numpy"))
    expected = json.loads((tmp_path / "numpy.0").read_text())
    assert all(expected["errors"])
    run_script("column_check_order.py", "mpi", str(tmp_path / "mpi"), processes=processes)
    for rank in range(processes):
        assert json.loads((tmp_path / f"mpi.{rank}").read_text()) == expected, rank


@needs_mpi
def test_recording_changes_between_runs_bitwise_equal_to_numpy(tmp_path):
    """get_data(clear=True) then reset() keeps the same segments on every process, and cells
    added to or removed from recording within a segment give the numpy backend's signals."""
    assert_mpi_equals_numpy("recording_changes.py", tmp_path)


# -- the examples that choose their backend, under mpiexec ----------------------------------------

EXAMPLES_ON_MPI = {   # example -> arguments that keep it short
    "ampa_nmda_dendrite": ["--dt", "0.2"],
    "brunel": ["--order", "100", "--tstop", "100"],
    "conductance_synapse_pair": ["--dt", "0.05"],
    "conv_stdp_layer": ["--presentations", "6"],
    "current_injection": [],
    "graded_gain_network": ["--dt", "0.2", "--tstop", "100"],
    "izhikevich_cell_types": [],
    "microcircuit": ["--scale", "0.02", "--tstop", "100", "--transient", "20"],
    "report_demo": [],
    "stdp": [],
    "tsodyks_markram": [],
    "vogels_abbott": ["--n", "1000", "--tstop", "200", "--plot"],
}


def _example_results(folder) -> dict:
    """The results an example wrote, without what depends on the run (times, process count):
    its JSON, its npz arrays and the spike trains and signals of its Neo pickles, exactly."""
    from neo.io import PickleIO
    out = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in ("timings", "processes", "backend")}
        out[path.name] = data
    for path in sorted(folder.glob("*.npz")):
        with np.load(path) as arrays:
            out[path.name] = {key: (arrays[key].dtype.str, arrays[key].shape, arrays[key].tobytes())
                              for key in arrays.files}
    for path in sorted(folder.glob("*.pkl")):
        out[re.sub(r"_np\d+", "", path.name)] = [
            [[(dict(st.annotations), float(st.t_stop), np.asarray(st.magnitude).tobytes()) for st in seg.spiketrains],
             [(sig.name, sig.shape, float(sig.sampling_period), np.asarray(sig.magnitude).tobytes())
              for sig in seg.analogsignals]]
            for seg in PickleIO(str(path)).read_block().segments]
    return out


@needs_mpi
@pytest.mark.parametrize("name", sorted(EXAMPLES_ON_MPI))
def test_example_runs_on_two_processes_as_on_numpy(tmp_path, name):
    """Each example takes --backend (default: $PYNNLITE_BACKEND, as set by ``pynnlite run -n``),
    runs under ``mpiexec -n 2`` with its plots (every process makes the same communicating
    calls; rank 0 prints and writes) and writes the numpy backend's results, bitwise. Before,
    report_demo ignored $PYNNLITE_BACKEND and the seed-system examples imported the numpy
    backend: every process ran the whole network alone, printed and wrote the same files."""
    script = os.path.join(os.pardir, "examples", f"{name}.py")
    runs, printed = {}, {}
    for backend, processes in (("numpy", None), ("mpi", 2)):
        folder = tmp_path / backend
        done = run_script(script, "--output", str(folder), *EXAMPLES_ON_MPI[name], processes=processes,
                          timeout=300, cwd=str(tmp_path), env={"PYNNLITE_BACKEND": backend})
        runs[backend], printed[backend] = folder, done.stdout.splitlines()
    files = {backend: sorted(re.sub(r"_np\d+", "", p.name) for p in folder.iterdir())   # (process count in names)
             for backend, folder in runs.items()}
    assert files["mpi"] == files["numpy"]
    assert len(printed["mpi"]) == len(printed["numpy"]) > 0, printed["mpi"]      # printed once, by rank 0
    assert _example_results(runs["mpi"]) == _example_results(runs["numpy"])
