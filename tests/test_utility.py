"""pynnlite.utility (PyNN's pyNN.utility), pynnlite.core/common/standardmodels, the pyNN
import redirection and the run progress bar / construction-only hooks."""
import io
import logging
import os
import re
import sys

import numpy as np
import pytest

import pynnlite.backends.numpy as numpy_backend
from pynnlite import pynn_alias
from pynnlite.errors import BackendNotFoundError
from pynnlite.utility import (ProgressBar, SimulationProgressBar, Timer, connection_plot, forgetful_memoize,
                              get_script_args, get_simulator, init_logging, load_population,
                              normalized_filename, save_population, sort_by_column)
from pynnlite.utility import run_control


@pytest.fixture(autouse=True)
def _clean_state(monkeypatch):
    monkeypatch.delenv("PYNNLITE_BACKEND", raising=False)
    monkeypatch.delenv("PYNNLITE_PROGRESS", raising=False)
    yield
    run_control.show_progress(None)
    run_control.construction_only(False)
    pynn_alias.uninstall()


# -- Timer -------------------------------------------------------------------------------
@pytest.mark.parametrize("seconds, words", [
    (0.4, "0 seconds"), (1, "1 second"), (59, "59 seconds"), (123, "2 minutes, 3 seconds"),
    (3723, "1 hour, 2 minutes, 3 seconds"), (86400, "1 day"), (2 * 86400 + 60, "2 days, 1 minute"),
])
def test_time_in_words(seconds, words):
    assert Timer.time_in_words(seconds) == words


def test_timer_elapsed_diff_and_marks():
    timer = Timer()
    first = timer.elapsed_time()
    assert first >= 0
    timer.mark("build")
    timer.mark("run")
    assert [label for label, _ in timer.marks] == ["build", "run"]
    assert all(dt >= 0 for _, dt in timer.marks)
    assert isinstance(timer.elapsed_time(format="long"), str)
    assert isinstance(timer.diff(format="long"), str)
    with pytest.warns(DeprecationWarning):
        timer.elapsedTime()
    timer.reset()
    assert timer.elapsed_time() < first + 1.0


# -- progress bars --------------------------------------------------------------------------
def test_progress_bar_text(capsys):
    bar = ProgressBar(width=12)
    assert bar.render(0.5) == "[ #####      ]  50%"
    assert bar.render(2.0) == "[ ########## ] 100%"            # clipped to [0, 1]
    assert ProgressBar(width=12, mode="dynamic").render(0.2) == "[ ## ]  20%"
    assert ProgressBar(mode="odd").mode == "fixed"
    bar(0.25)
    assert capsys.readouterr().out.endswith("25% \r")


def test_simulation_progress_bar_as_run_callback(sim, capsys):
    callback = SimulationProgressBar(10.0, 50.0)
    assert callback.width == 5
    assert callback(20.0) == 30.0
    sim.Population(1, sim.IF_curr_exp())
    sim.run(50.0, callbacks=[callback])
    out = capsys.readouterr().out
    assert "80%" in out and sim.get_current_time() == pytest.approx(50.0)


def _network(sim):
    cells = sim.Population(50, sim.IF_cond_exp(), label="cells")
    noise = sim.Population(50, sim.SpikeSourcePoisson(rate=800.0), label="noise")
    sim.Projection(noise, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01, delay=0.5))
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.2, rng=sim.NumpyRNG(seed=3)),
                   sim.StaticSynapse(weight=0.002, delay=1.0))
    cells.record(["spikes", "v"])
    return cells


def _spikes_and_v(sim, tstop, **progress):
    sim.setup(timestep=0.1, rng_seed=11)
    cells = _network(sim)
    run_control.show_progress(**progress)
    sim.run(tstop)
    run_control.show_progress(None)
    segment = cells.get_data().segments[0]
    trains = [np.asarray(st.magnitude) for st in segment.spiketrains]
    v = np.asarray(segment.filter(name="v")[0].magnitude)
    t = sim.get_current_time()
    sim.end()
    return trains, v, t


def test_run_with_progress_bar_gives_the_same_results():
    """A run cut into chunks for the bar must equal one uninterrupted run, step for step."""
    stream = io.StringIO()
    plain = _spikes_and_v(numpy_backend, 123.4, enabled=False)
    chunked = _spikes_and_v(numpy_backend, 123.4, enabled=True, stream=stream, show_after=0.0)
    assert plain[2] == chunked[2] == pytest.approx(123.4)
    assert sum(len(t) for t in plain[0]) > 0
    for a, b in zip(plain[0], chunked[0]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(plain[1], chunked[1])
    text = stream.getvalue()
    assert re.search(r"\d+%\s+t = [\d.]+/123\.4 ms\s+wall", text), text
    assert text.endswith("\r")                                   # erased at the end


def test_progress_bar_off_when_not_a_terminal_or_asked(monkeypatch):
    sim_like = type("S", (), {"comm": type("C", (), {"size": 1})()})()
    monkeypatch.setattr(sys, "stderr", io.StringIO())            # not a TTY
    assert run_control._progress_stream(sim_like) is None
    tty = io.StringIO()
    tty.isatty = lambda: True
    monkeypatch.setattr(sys, "stderr", tty)
    monkeypatch.delenv("TERM", raising=False)
    assert run_control._progress_stream(sim_like) is tty
    monkeypatch.setenv("PYNNLITE_PROGRESS", "0")
    assert run_control._progress_stream(sim_like) is None
    monkeypatch.setenv("PYNNLITE_PROGRESS", "1")
    run_control.show_progress(False)
    assert run_control._progress_stream(sim_like) is None


def test_construction_only_makes_run_a_no_op(sim):
    cells = sim.Population(3, sim.IF_curr_exp(i_offset=2.0))
    cells.record("spikes")
    run_control.construction_only(True)
    assert sim.run(100.0) == 0.0
    assert sim.get_current_time() == 0.0
    assert run_control.skipped_simulations() == [cells.simulation]
    run_control.construction_only(False)
    sim.run(100.0)
    assert cells.mean_spike_count() > 0


# -- script tools -----------------------------------------------------------------------------
def test_get_simulator_maps_pynn_names_to_the_chosen_backend(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["model.py", "nest", "--plot-figure", "--n", "7"])
    sim, args = get_simulator(("--plot-figure", "plot", {"action": "store_true"}),
                              ("--n", "cells", {"type": int, "default": 3}))
    assert sim is numpy_backend
    assert args.simulator == "nest" and args.plot_figure and args.n == 7
    monkeypatch.setattr(sys, "argv", ["model.py", "numpy"])
    assert get_simulator()[0] is numpy_backend
    monkeypatch.setattr(sys, "argv", ["model.py", "no_such_simulator"])
    with pytest.raises(BackendNotFoundError, match="no_such_simulator"):
        get_simulator()


def test_get_simulator_fills_in_the_backend_under_pynnlite_run(monkeypatch):
    monkeypatch.setenv("PYNNLITE_BACKEND", "numpy")
    monkeypatch.setattr(sys, "argv", ["model.py", "--plot-figure"])
    sim, args = get_simulator(("--plot-figure", "plot", {"action": "store_true"}))
    assert sim is numpy_backend and args.simulator == "numpy" and args.plot_figure


def test_get_script_args(monkeypatch):
    monkeypatch.setattr(sys, "argv", [__file__, "nest", "extra"])
    assert get_script_args(1) == ["nest"]
    assert get_script_args(2) == ["nest", "extra"]
    with pytest.raises(Exception, match="usage text"):
        get_script_args(3, usage="usage text")
    monkeypatch.setattr(sys, "argv", [__file__])
    monkeypatch.setenv("PYNNLITE_BACKEND", "numpy")
    assert get_script_args(1) == ["numpy"]


def test_normalized_filename():
    name = normalized_filename("Results", "model", "pkl", "nest", 4)
    assert re.fullmatch(r"Results/\d{8}/model_nest_np4_\d{8}-\d{6}\.pkl", name), name
    iso = normalized_filename("R", "m", "h5", "numpy", use_iso8601=True)
    assert re.fullmatch(r"R/\d{4}-\d{2}-\d{2}/m_numpy_\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.h5", iso), iso


def test_init_logging_to_a_file_per_rank(tmp_path):
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = []
    try:
        logger = init_logging(str(tmp_path / "run.log"), debug=True, num_processes=2, rank=1)
        logger.debug("hello from rank 1")
        for handler in root.handlers:
            handler.flush()
        text = (tmp_path / "run.log.1").read_text()
        assert "Rank 1 of 2:" in text and "hello from rank 1" in text and "DEBUG" in text
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = saved


# -- data helpers ---------------------------------------------------------------------------
def test_connection_plot(sim):
    pre = sim.Population(3, sim.SpikeSourceArray())
    post = sim.Population(4, sim.IF_curr_exp())
    prj = sim.Projection(pre, post, sim.FromListConnector([(0, 0, 0.5, 1.0), (1, 2, 0.0, 1.0), (2, 3, -0.2, 1.0)]),
                         sim.StaticSynapse())
    assert connection_plot(prj) == "O   \n  . \n   O"
    assert connection_plot(prj, positive="x", empty="-", spacer=" ") == "x - - -\n- - . -\n- - - x"


def test_save_and_load_population(sim, tmp_path):
    source = sim.Population(4, sim.SpikeSourceArray(spike_times=[[1.0, 5.0], [2.0], [], [3.0, 4.0, 8.0]]),
                            label="saved")
    source.record("spikes")
    sim.run(10.0)
    save_population(source, str(tmp_path / "pop.pkl"))
    sim.end()
    sim.setup()
    replay = load_population(str(tmp_path / "pop.pkl"), sim)
    replay.record("spikes")
    sim.run(10.0)
    trains = replay.get_data().segments[0].spiketrains
    assert replay.label == "saved"
    assert [list(np.asarray(st.magnitude)) for st in trains] == [[1.0, 5.0], [2.0], [], [3.0, 4.0, 8.0]]


def test_sort_by_column_and_forgetful_memoize():
    a = np.array([[3, 0], [1, 1], [2, 2]])
    np.testing.assert_array_equal(sort_by_column(a, 0), [[1, 1], [2, 2], [3, 0]])
    calls = []

    @forgetful_memoize
    def square(x):
        calls.append(x)
        return x * x

    assert square(3) == 9 and square(3) == 9 and calls == [3]
    assert square(4) == 16 and square(3) == 9 and calls == [3, 4, 3]


# -- PyNN's other module names ---------------------------------------------------------------------
def test_core_common_standardmodels_names():
    from pynnlite import common, core, standardmodels
    from pynnlite.common.populations import BasePopulation, is_conductance
    from pynnlite.standardmodels import cells, electrodes, synapses
    assert common.Population is numpy_backend.Population
    assert BasePopulation is common.BasePopulation
    assert is_conductance(numpy_backend.IF_cond_exp()) and not is_conductance(numpy_backend.IF_curr_exp())
    assert issubclass(cells.IF_cond_exp, standardmodels.StandardCellType)
    assert issubclass(synapses.StaticSynapse, standardmodels.StandardSynapseType)
    assert issubclass(electrodes.DCSource, standardmodels.StandardCurrentSource)
    assert core.is_listlike([1]) and core.is_listlike(np.zeros(2)) and not core.is_listlike("ab")
    assert not core.is_listlike(np.float64(1.0))
    table = standardmodels.build_translations(("tau_m", "tau_m"), ("cm", "C_m", 1000.0))
    assert table["cm"]["translated_name"] == "C_m"
    assert table["cm"]["forward_transform"](cm=0.25) == 250.0
    assert table["cm"]["reverse_transform"](C_m=250.0) == 0.25

    class Ratio(core.IndexBasedExpression):
        def __call__(self, i, j):
            return np.where(i == j, 1.0, 0.0)

    sim = numpy_backend
    sim.setup()
    a = sim.Population(4, sim.IF_curr_exp())
    prj = sim.Projection(a, a, sim.IndexBasedProbabilityConnector(Ratio()), sim.StaticSynapse(weight=0.1))
    assert sorted(prj.get("weight", format="list", with_address=True)) == [(i, i, 0.1) for i in range(4)]
    sim.end()


def test_pynn_imports_resolve_to_pynnlite(monkeypatch):
    monkeypatch.setenv("PYNNLITE_BACKEND", "numpy")
    pynn_alias.install()
    import pyNN
    import pyNN.nest as nest
    import pyNN.neuron
    from pyNN.neuron.random import NativeRNG
    from pyNN.random import NumpyRNG, RandomDistribution
    from pyNN.utility import Timer as PyNNTimer, get_simulator as pynn_get_simulator
    from pyNN.utility.plotting import Figure  # noqa: F401
    from pyNN.parameters import Sequence
    from pyNN.space import Grid2D
    from pyNN import errors, common, standardmodels  # noqa: F401
    from pyNN.standardmodels.cells import IF_cond_exp
    from pyNN.common.populations import BasePopulation
    import pynnlite
    import pynnlite.random
    assert pyNN.__version__ == "0.13.0"
    assert nest is numpy_backend and pyNN.neuron is numpy_backend and pyNN.nest is numpy_backend
    assert NumpyRNG is pynnlite.random.NumpyRNG and NativeRNG is pynnlite.random.NativeRNG
    assert RandomDistribution is pynnlite.random.RandomDistribution and PyNNTimer is Timer
    assert Sequence is pynnlite.parameters.Sequence and Grid2D is pynnlite.space.Grid2D
    assert IF_cond_exp is numpy_backend.IF_cond_exp and BasePopulation is pynnlite.populations.BasePopulation
    assert errors.InvalidParameterValueError is pynnlite.errors.InvalidParameterValueError
    assert pyNN.get_backend is pynnlite.get_backend                 # other attributes: pynnlite's
    monkeypatch.setattr(sys, "argv", ["model.py", "brian2"])
    assert pynn_get_simulator()[0] is numpy_backend
    with pytest.raises(ModuleNotFoundError, match="no counterpart"):
        import pyNN.morphology  # noqa: F401
    pynn_alias.uninstall()
    assert "pyNN" not in sys.modules and not pynn_alias.is_installed()


def test_pynn_recording_files_imports_through_the_recording_module(monkeypatch):
    # PyNN's pyNN.recording is a package with a files submodule; pynnlite.recording is a
    # plain module, so pyNN.recording must be a package standing for it
    monkeypatch.setenv("PYNNLITE_BACKEND", "numpy")
    pynn_alias.install()
    import pyNN.recording.files
    from pyNN.recording.files import StandardTextFile, NumpyBinaryFile  # noqa: F401
    from pyNN.nest.recording.files import PickleFile
    from pyNN import recording
    import pynnlite.file_formats
    import pynnlite.recording
    assert StandardTextFile is pynnlite.file_formats.StandardTextFile
    assert PickleFile is pynnlite.file_formats.PickleFile
    assert pyNN.recording.files is pynnlite.file_formats and recording.files is pynnlite.file_formats
    for name in ("Recorder", "write_block", "check_output"):        # the rest is pynnlite.recording
        assert getattr(recording, name) is getattr(pynnlite.recording, name)
    assert recording.__doc__ == pynnlite.recording.__doc__
    with pytest.raises(AttributeError):
        recording.no_such_name  # noqa: B018
    with pytest.raises(ModuleNotFoundError):
        import pyNN.recording.no_such_module  # noqa: F401


def test_pynn_names_without_the_hook_are_not_importable():
    if any(os.path.isdir(os.path.join(p, "pyNN")) for p in sys.path if p):
        pytest.skip("PyNN itself is installed here")
    with pytest.raises(ImportError):
        import pyNN.nest  # noqa: F401
