"""Bad arguments across the API end in a pynnlite error naming the argument, not in a bare
TypeError/ValueError/AttributeError from inside numpy, neo or pynnlite (each of these did)."""
import numpy as np
import pytest

from pynnlite import errors


def _network(sim):
    p = sim.Population(4, sim.IF_curr_exp(), label="p")
    q = sim.Population(2, sim.IF_cond_exp(), label="q")
    prj = sim.Projection(p, q, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1, delay=1.0))
    return p, q, prj


CASES = {
    "run_until: a callback returning nan": lambda sim, p, q, prj: sim.run_until(5.0, callbacks=[lambda t: float("nan")]),
    "run: callbacks=5": lambda sim, p, q, prj: sim.run(1.0, callbacks=5),
    "record: sampling_interval=nan": lambda sim, p, q, prj: p.record("v", sampling_interval=float("nan")),
    "record: sampling_interval='a'": lambda sim, p, q, prj: p.record("v", sampling_interval="a"),
    "record(5)": lambda sim, p, q, prj: p.record(5),
    "get_data(5)": lambda sim, p, q, prj: p.get_data(5),
    "Population.get(None)": lambda sim, p, q, prj: p.get(None),
    "Projection.get(5)": lambda sim, p, q, prj: prj.get(5, format="list"),
    "Projection.get: multiple_synapses='bogus'":
        lambda sim, p, q, prj: prj.get("weight", format="array", multiple_synapses="bogus"),
    "sample(2.5)": lambda sim, p, q, prj: p.sample(2.5),
    "Assembly['x']": lambda sim, p, q, prj: (p + q)["x"],
    "Projection['a']": lambda sim, p, q, prj: prj["a"],
    "StepCurrentSource(times='abc')": lambda sim, p, q, prj: sim.StepCurrentSource(times="abc", amplitudes=[1, 2, 3]),
    "inject(5)": lambda sim, p, q, prj: p.inject(5),
    "Population(structure=5)": lambda sim, p, q, prj: sim.Population(3, sim.IF_curr_exp(), structure=5),
    "nearest('a')": lambda sim, p, q, prj: p.nearest("a"),
    "set(tau_m=a function giving text)": lambda sim, p, q, prj: p.set(tau_m=lambda i: np.full(np.shape(i), "x")),
    "FromFileConnector(a folder)": lambda sim, p, q, prj: sim.Projection(p, q, sim.FromFileConnector("/"), sim.StaticSynapse()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_argument_is_a_pynnlite_error(sim, case):
    p, q, prj = _network(sim)
    with pytest.raises(errors.PynnliteError):
        CASES[case](sim, p, q, prj)


#: case -> (error class, text the message must contain (the argument's name), the bad call)
NAMED_CASES = {
    "setup(timestep=True)": (errors.InvalidParameterValueError, "timestep",
                             lambda sim, p, q, prj: sim.setup(timestep=True)),
    "get_data(clear='yes')": (errors.InvalidParameterValueError, "clear",
                              lambda sim, p, q, prj: p.get_data(clear="yes")),
    "Population(size=[])": (errors.InvalidDimensionsError, "size",
                            lambda sim, p, q, prj: sim.Population([], sim.IF_cond_exp())),
    "Population(size=True)": (errors.InvalidParameterValueError, "size",
                              lambda sim, p, q, prj: sim.Population(True, sim.IF_cond_exp())),
    "Population(size=(2.0, 3))": (errors.InvalidDimensionsError, "size",
                                  lambda sim, p, q, prj: sim.Population((2.0, 3), sim.IF_cond_exp())),
    "Population(3, tau_m=an array of shape (3, 1))": (
        errors.InvalidDimensionsError, "tau_m",
        lambda sim, p, q, prj: sim.Population(3, sim.IF_cond_exp(tau_m=np.ones((3, 1))))),
    "Population(3, tau_m=an array of bools)": (
        errors.InvalidParameterValueError, "tau_m",
        lambda sim, p, q, prj: sim.Population(3, sim.IF_cond_exp(tau_m=np.ones(3, dtype=bool)))),
    "set(tau_m=an array of shape (4, 1))": (errors.InvalidDimensionsError, "tau_m",
                                            lambda sim, p, q, prj: p.set(tau_m=np.ones((4, 1)))),
    "set(tau_m=an array of bools)": (errors.InvalidParameterValueError, "tau_m",
                                     lambda sim, p, q, prj: p.set(tau_m=np.ones(4, dtype=bool))),
    "set(tau_m=True)": (errors.InvalidParameterValueError, "tau_m", lambda sim, p, q, prj: p.set(tau_m=True)),
    "initialize(v=an array of shape (4, 1))": (errors.InvalidDimensionsError, "v",
                                               lambda sim, p, q, prj: p.initialize(v=np.ones((4, 1)))),
    "Projection(source='bogus')": (
        errors.ConnectionError, "source",
        lambda sim, p, q, prj: sim.Projection(p, q, sim.AllToAllConnector(), sim.StaticSynapse(), source="bogus")),
    "Projection(space=5)": (
        errors.InvalidParameterValueError, "space",
        lambda sim, p, q, prj: sim.Projection(p, q, sim.AllToAllConnector(), sim.StaticSynapse(), space=5)),
    "FromListConnector(column_names=['weight', 'weight'])": (
        errors.InvalidParameterValueError, "column_names",
        lambda sim, p, q, prj: sim.FromListConnector([(0, 1, 0.5, 0.7)], column_names=["weight", "weight"])),
    "DCSource into a SpikeSourcePoisson population": (
        errors.InvalidParameterValueError, "not injectable",
        lambda sim, p, q, prj: sim.DCSource(amplitude=1.0).inject_into(sim.Population(2, sim.SpikeSourcePoisson()))),
    "DCSource(start=50, stop=10)": (errors.InvalidParameterValueError, "stop",
                                    lambda sim, p, q, prj: sim.DCSource(start=50.0, stop=10.0)),
    "ACSource.stop = 10 after start=50": (
        errors.InvalidParameterValueError, "stop",
        lambda sim, p, q, prj: setattr(sim.ACSource(start=50.0), "stop", 10.0)),
    "NoisyCurrentSource(dt=0.05), below the time step": (
        errors.InvalidParameterValueError, "dt", lambda sim, p, q, prj: sim.NoisyCurrentSource(dt=0.05)),
    "NoisyCurrentSource(dt=0.15), not a whole number of steps": (
        errors.InvalidParameterValueError, "dt", lambda sim, p, q, prj: sim.NoisyCurrentSource(dt=0.15)),
    "SpikeSourceArray(spike_times=[-1, 2])": (
        errors.InvalidParameterValueError, "spike_times",
        lambda sim, p, q, prj: sim.Population(1, sim.SpikeSourceArray(spike_times=[-1.0, 2.0]))),
    "SpikeSourceArray: set(spike_times=[-1, 2])": (
        errors.InvalidParameterValueError, "spike_times",
        lambda sim, p, q, prj: sim.Population(2, sim.SpikeSourceArray()).set(spike_times=[-1.0, 2.0])),
    "find_units('bogus')": (errors.NonExistentParameterError, "bogus", lambda sim, p, q, prj: p.find_units("bogus")),
    "WeightNormalization(target=-1) on positive weights": (
        errors.InvalidParameterValueError, "WeightNormalization",
        lambda sim, p, q, prj: sim.Projection(p, q, sim.AllToAllConnector(),
                                              _stdp(sim, weight=0.5, constraints=[sim.WeightNormalization(target=-1)]))),
    "WeightNormalization(target=1), then set(weight=-0.5)": (
        errors.InvalidParameterValueError, "WeightNormalization",
        lambda sim, p, q, prj: sim.Projection(
            p, sim.Population(2, sim.IF_curr_exp()), sim.AllToAllConnector(),
            _stdp(sim, w_min=-1.0, weight=0.5, constraints=[sim.WeightNormalization(target=1)]),
            receptor_type="inhibitory").set(weight=-0.5)),
    "WeightNormalization(target=1), then prj[0].weight = -0.5 (one connection)": (
        errors.InvalidParameterValueError, "WeightNormalization",
        lambda sim, p, q, prj: setattr(sim.Projection(
            p, sim.Population(2, sim.IF_curr_exp()), sim.AllToAllConnector(),
            _stdp(sim, w_min=-1.0, weight=0.5, constraints=[sim.WeightNormalization(target=1)]),
            receptor_type="inhibitory")[0], "weight", -0.5)),
    "WeightNormalization(target=inf)": (errors.InvalidParameterValueError, "target",
                                        lambda sim, p, q, prj: sim.WeightNormalization(target=float("inf"))),
    "STDPMechanism: initialize(pre_trace=-1)": (
        errors.InvalidParameterValueError, "pre_trace",
        lambda sim, p, q, prj: sim.Projection(p, q, sim.AllToAllConnector(), _stdp(sim)).initialize(pre_trace=-1.0)),
    "STDPMechanism: initialize(post_trace=-1)": (
        errors.InvalidParameterValueError, "post_trace",
        lambda sim, p, q, prj: sim.Projection(p, q, sim.AllToAllConnector(), _stdp(sim)).initialize(post_trace=-1.0)),
}


def _stdp(sim, w_min=0.0, weight=0.01, constraints=None):
    return sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=w_min, w_max=1.0),
                             weight=weight, constraints=constraints)


def test_a_refused_population_takes_no_ids_or_label_number(sim):
    first = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(errors.InvalidParameterValueError, match="tau_m"):
        sim.Population(3, sim.IF_cond_exp(tau_m=lambda i: np.full(np.shape(i), -1.0)))
    after = sim.Population(2, sim.IF_cond_exp())
    assert after.first_id == first.last_id + 1
    assert int(after.label[len("population"):]) == int(first.label[len("population"):]) + 1


def test_a_refused_injection_injects_into_no_cell(sim):
    cells = sim.Population(2, sim.IF_cond_exp())
    sources = sim.Population(1, sim.SpikeSourcePoisson())
    dc = sim.DCSource(amplitude=1.0)
    with pytest.raises(errors.InvalidParameterValueError, match="not injectable"):
        dc.inject_into([cells[0], sources[0]])
    assert dc.targets == [] and dc not in cells.simulation.current_sources


def test_noisy_current_dt_is_checked_against_the_time_step_of_the_cells_it_is_injected_into(sim):
    noise = sim.NoisyCurrentSource(dt=0.1)
    sim.setup(timestep=0.2)   # a new simulation: 0.1 ms is not a whole number of its steps
    cells = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(errors.InvalidParameterValueError, match="dt"):
        noise.inject_into(cells)
    assert noise.targets == []


def test_a_negative_normalisation_target_serves_negative_weights(sim):
    """Current-based inhibitory weights are negative (PyNN's sign convention): a negative
    WeightNormalization target keeps them summing to it."""
    pre = sim.Population(3, sim.SpikeSourcePoisson(rate=50.0))
    post = sim.Population(2, sim.IF_curr_exp())
    synapse = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(),
                                weight_dependence=sim.AdditiveWeightDependence(w_min=-1.0, w_max=0.0),
                                weight=-0.5, constraints=[sim.WeightNormalization(target=-1.0)])
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), synapse, receptor_type="inhibitory")
    sim.run(20.0)
    assert np.allclose(prj.get("weight", format="array").sum(axis=0), -1.0)


def test_a_poisson_source_may_start_before_zero_as_in_pynn_and_nest(sim):
    """Kept on purpose: PyNN+NEST accept SpikeSourcePoisson(start=-5) (NEST devices allow any
    start <= stop; PyNN passes start and stop = start + duration): the train runs from t = 0
    until start + duration."""
    source = sim.Population(20, sim.SpikeSourcePoisson(rate=1000.0, start=-5.0, duration=10.0))
    source.record("spikes")
    sim.run(20.0)
    times = np.concatenate([np.asarray(t) for t in source.get_data().segments[0].spiketrains])
    assert times.size > 0 and times.min() >= 0.0 and times.max() < 5.0


def test_write_data_to_a_folder_is_an_error(sim, tmp_path):
    p, _, _ = _network(sim)
    p.record("spikes")
    sim.run(1.0)
    with pytest.raises(errors.InvalidParameterValueError, match="folder"):
        p.write_data(str(tmp_path))


def test_a_format_neo_cannot_write_the_data_in_is_a_clear_error_and_clears_nothing(sim, tmp_path):
    """Neo's text writer (AsciiSignalIO) holds signals only: spikes alone fail inside Neo."""
    cells = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0, 2.0]))
    cells.record("spikes")
    sim.run(5.0)
    with pytest.raises(errors.InvalidParameterValueError, match=r"io: Neo could not write .*spikes.txt.*\.pkl"):
        cells.write_data(str(tmp_path / "spikes.txt"), clear=True)
    assert cells.get_spike_counts() == {cell: 2 for cell in cells}


def test_weight_histogram_bad_arguments_and_empty_projection(sim):
    """The deprecated weightHistogram: clear errors, not numpy's, for bad bins or limits and
    for an empty projection without limits."""
    import warnings
    cells = sim.Population(3, sim.IF_cond_exp())
    prj = sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    empty = sim.Projection(cells, cells, sim.FromListConnector([]), sim.StaticSynapse())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for bad in (0, -2, 2.5, True):
            with pytest.raises(errors.InvalidParameterValueError, match="nbins"):
                prj.weightHistogram(nbins=bad)
        with pytest.raises(errors.InvalidParameterValueError, match="min <= max"):
            prj.weightHistogram(1.0, 0.0)
        with pytest.raises(errors.InvalidParameterValueError, match="needs min and max"):
            empty.weightHistogram()
        assert list(empty.weightHistogram(0.0, 1.0, 2)[0]) == [0, 0]


def _recorded_network(sim):
    cells = sim.Population(3, sim.IF_cond_exp(i_offset=1.0), label="cells")
    sources = sim.Population(2, sim.SpikeSourcePoisson(rate=50.0), label="sources")
    net = sim.Network(sim.Assembly(cells, sources, label="both"))
    net.record("spikes")
    sim.run(50.0)
    return cells, sources, net


@pytest.mark.parametrize("call, error, name", [
    (lambda net, path: net.write_data(5), errors.InvalidParameterValueError, "io"),
    (lambda net, path: net.write_data(str(path / "x.unknownext")), errors.InvalidParameterValueError, "io"),
    (lambda net, path: net.write_data(str(path)), errors.InvalidParameterValueError, "folder"),
    (lambda net, path: net.write_data(str(path / "f.pkl" / "below.pkl")), errors.InvalidParameterValueError,
     "cannot write"),
    (lambda net, path: net.get_data(annotations=5), errors.InvalidParameterValueError, "annotations"),
    (lambda net, path: net.add(5), errors.InvalidParameterValueError, "components"),
    (lambda net, path: net.filter(), errors.InvalidParameterValueError, "cell_types"),
    (lambda net, path: net.filter(5), errors.InvalidParameterValueError, "cell_types"),
    (lambda net, path: net.filter("IF_cond_exp"), errors.InvalidParameterValueError, "cell_types"),
    (lambda net, path: net.filter([object]), errors.InvalidParameterValueError, "cell_types"),
    (lambda net, path: net.record("spikes", include_spike_source="no"), errors.InvalidParameterValueError,
     "include_spike_source"),
])
def test_network_bad_arguments_are_named(sim, tmp_path, call, error, name):
    """Each was a bare TypeError/ValueError/FileNotFoundError from neo or Python."""
    _, _, net = _recorded_network(sim)
    (tmp_path / "f.pkl").write_text("a file")
    with pytest.raises(error, match=name):
        call(net, tmp_path)


def test_network_add_of_a_non_component_is_still_a_type_error(sim):
    """PyNN raises TypeError there; the pynnlite error is one too."""
    with pytest.raises(TypeError, match="components"):
        sim.Network(None)


def test_network_get_data_of_no_assembly_checks_its_arguments(sim):
    with pytest.raises(errors.InvalidParameterValueError, match="gather"):
        sim.Network().get_data(gather="x")


def test_network_write_data_with_nothing_recorded(sim, tmp_path):
    """As Population.write_data: NothingToWriteError (an IOError), also for a Network without
    assemblies (get_data is an empty list) — before: StopIteration or an empty file."""
    cells = sim.Population(2, sim.IF_cond_exp())
    for net in (sim.Network(), sim.Network(cells), sim.Network(sim.Assembly(cells))):
        with pytest.raises(errors.NothingToWriteError):
            net.write_data(str(tmp_path / "x.pkl"))
    assert not (tmp_path / "x.pkl").exists()


def test_network_write_data_creates_missing_folders(sim, tmp_path):
    _, _, net = _recorded_network(sim)
    net.write_data(str(tmp_path / "a" / "b" / "net.pkl"))
    assert (tmp_path / "a" / "b" / "net.pkl").is_file()


def test_network_write_data_checks_io_before_clearing(sim, tmp_path):
    """A bad io with clear=True leaves the recorded data in place."""
    cells, _, net = _recorded_network(sim)
    with pytest.raises(errors.InvalidParameterValueError):
        net.write_data(5, clear=True)
    assert sum(len(t) for t in cells.get_data().segments[0].spiketrains) > 0


def test_network_record_refused_records_nothing(sim):
    """Network.record('v') with a spike source raises before any population starts recording
    (before: the cells recorded v, then the spike source raised)."""
    cells = sim.Population(2, sim.IF_cond_exp(), label="cells")
    sources = sim.Population(1, sim.SpikeSourcePoisson(), label="sources")
    net = sim.Network(cells, sources)
    with pytest.raises(errors.RecordingError, match="'v'"):
        net.record("v")
    with pytest.raises(errors.RecordingError, match="'v'"):
        (cells + sources).record("v")
    assert not cells.recorder.recorded.get("v", np.zeros(2, bool)).any()


def _deprecated_calls_network(sim):
    cells = sim.Population(4, sim.IF_cond_exp(), label="cells")
    prj = sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.5))
    annotated = sim.Assembly(cells, sim.Population(2, sim.IF_cond_exp(), label="other"))
    return cells, prj, annotated


#: call -> (error class, the argument the message names); each was a bare TypeError,
#: ValueError or IndexError from Python, numpy or neo, or a silent NaN
TODAYS_CASES = {
    "tset(3, values)": (errors.InvalidParameterValueError, "parametername",
                        lambda sim, cells, prj, asm, path: cells.tset(3, np.ones(4))),
    "rset(None, distribution)": (errors.InvalidParameterValueError, "parametername",
                                 lambda sim, cells, prj, asm, path: cells.rset(None, sim.RandomDistribution("uniform", (1, 2)))),
    "setSynapseDynamics(3, 0.1)": (errors.InvalidParameterValueError, "parameter_name",
                                   lambda sim, cells, prj, asm, path: prj.setSynapseDynamics(3, 0.1)),
    "randomizeSynapseDynamics(None, distribution)": (
        errors.InvalidParameterValueError, "parameter_name",
        lambda sim, cells, prj, asm, path: prj.randomizeSynapseDynamics(None, sim.RandomDistribution("uniform", (0, 1)))),
    "weightHistogram(min='a')": (errors.InvalidParameterValueError, "min",
                                 lambda sim, cells, prj, asm, path: prj.weightHistogram(min="a")),
    "weightHistogram(min=[0])": (errors.InvalidParameterValueError, "min",
                                 lambda sim, cells, prj, asm, path: prj.weightHistogram(min=[0], max=1.0)),
    "weightHistogram(max=inf) (NaN edges)": (errors.InvalidParameterValueError, "max",
                                             lambda sim, cells, prj, asm, path: prj.weightHistogram(max=float("inf"))),
    "save_positions(3)": (errors.InvalidParameterValueError, "file",
                          lambda sim, cells, prj, asm, path: cells.save_positions(3)),
    "save_positions(a closed stream)": (errors.InvalidParameterValueError, "file",
                                        lambda sim, cells, prj, asm, path: cells.save_positions(_closed_stream())),
    "save_positions(a binary stream)": (errors.InvalidParameterValueError, "file",
                                        lambda sim, cells, prj, asm, path: cells.save_positions(__import__("io").BytesIO())),
    "get_data(annotations=3)": (errors.InvalidParameterValueError, "annotations",
                                lambda sim, cells, prj, asm, path: cells.get_data(annotations=3)),
    "Assembly.get_data(annotations=[1])": (errors.InvalidParameterValueError, "annotations",
                                           lambda sim, cells, prj, asm, path: asm.get_data(annotations=[1])),
    "Assembly.get_annotations(3)": (errors.InvalidParameterValueError, "annotation_keys",
                                    lambda sim, cells, prj, asm, path: asm.get_annotations(3)),
    "an empty view's first_id": (errors.InvalidParameterValueError, "first_id",
                                 lambda sim, cells, prj, asm, path: cells[[]].first_id),
    "an empty view's last_id": (errors.InvalidParameterValueError, "last_id",
                                lambda sim, cells, prj, asm, path: cells[[]].last_id),
    "index_from_parent_index(None)": (errors.InvalidParameterValueError, "indices",
                                      lambda sim, cells, prj, asm, path: cells[[1, 3]].index_from_parent_index(None)),
    "index_from_parent_index(1.5)": (errors.InvalidParameterValueError, "indices",
                                     lambda sim, cells, prj, asm, path: cells[[1, 3]].index_from_parent_index(1.5)),
    "normal_clipped(sigma=-1)": (errors.InvalidParameterValueError, "sigma",
                                 lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped(0, -1, -1, 1, 3)),
    "normal_clipped(mu=nan) (NaN values)": (errors.InvalidParameterValueError, "mu",
                                            lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped(float("nan"), 1, -1, 1, 3)),
    "normal_clipped(low=nan) (low ignored)": (errors.InvalidParameterValueError, "low",
                                              lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped(0, 1, float("nan"), 1, 3)),
    "normal_clipped(size=-1)": (errors.InvalidParameterValueError, "size",
                                lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped(0, 1, -1, 1, size=-1)),
    "normal_clipped(size=2.5)": (errors.InvalidParameterValueError, "size",
                                 lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped(0, 1, -1, 1, size=2.5)),
    "normal_clipped(mu='a')": (errors.InvalidParameterValueError, "mu",
                               lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped("a", 1, -1, 1, 3)),
    "normal_clipped_to_boundary(sigma=-1)": (
        errors.InvalidParameterValueError, "sigma",
        lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped_to_boundary(0, -1, -1, 1, 3)),
    "normal_clipped_to_boundary(sigma=nan) (NaN values)": (
        errors.InvalidParameterValueError, "sigma",
        lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped_to_boundary(0, float("nan"), -1, 1, 3)),
    "normal_clipped_to_boundary(low=2, high=1) (all values 2)": (
        errors.InvalidParameterValueError, "low",
        lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped_to_boundary(0, 1, 2, 1, 3)),
    "normal_clipped_to_boundary(size=-1)": (
        errors.InvalidParameterValueError, "size",
        lambda sim, cells, prj, asm, path: sim.NumpyRNG(seed=1).normal_clipped_to_boundary(0, 1, -1, 1, size=-1)),
    "SpikeSourceArray(spike_times=['a'])": (
        errors.InvalidParameterValueError, "spike_times",
        lambda sim, cells, prj, asm, path: sim.Population(1, sim.SpikeSourceArray(spike_times=["a"]))),
}


def _closed_stream():
    import io
    stream = io.StringIO()
    stream.close()
    return stream


@pytest.mark.parametrize("case", sorted(TODAYS_CASES))
def test_bad_argument_of_pynn_013_additions_is_named(sim, tmp_path, case):
    import warnings
    error, name, call = TODAYS_CASES[case]
    cells, prj, asm = _deprecated_calls_network(sim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(error, match=name):
            call(sim, cells, prj, asm, tmp_path)


def test_normal_clipped_draws_as_before_for_good_arguments():
    """The checks change no value: normal_clipped redraws those outside [low, high] from the
    same stream; to_boundary clips; size=None is one number, a tuple a shape."""
    import pynnlite.backends.numpy as sim
    from pynnlite.random import NumpyRNG
    values = NumpyRNG(seed=5).normal_clipped(0.0, 1.0, -0.5, 0.5, size=(2, 3))
    assert values.shape == (2, 3) and np.all(np.abs(values) <= 0.5)
    clipped = NumpyRNG(seed=5).normal_clipped_to_boundary(0.0, 1.0, -0.5, 0.5, size=6)
    raw = np.random.RandomState(5).normal(0.0, 1.0, 6)
    assert np.array_equal(clipped, np.clip(raw, -0.5, 0.5))
    assert np.ndim(NumpyRNG(seed=5).normal_clipped()) == 0
    assert sim.NumpyRNG is NumpyRNG


@pytest.mark.parametrize("get", [
    lambda cells, sources, net, name: (cells + sources).get_data(name, clear=True),
    lambda cells, sources, net, name: net.get_data(name, clear=True),
])
def test_get_data_of_a_variable_no_member_can_record_clears_nothing(sim, get):
    """Assembly/Network.get_data(name, clear=True) raises before any member is cleared when
    no member can record ``name``; a variable only some members record is read from those
    (as PyNN+NEST: the cells' v of an Assembly of cells and spike sources)."""
    cells = sim.Population(2, sim.IF_cond_exp(i_offset=2.0), label="cells")
    sources = sim.Population(2, sim.SpikeSourcePoisson(rate=100.0), label="sources")
    net = sim.Network(sim.Assembly(cells), sim.Assembly(sources))
    (cells + sources).record("spikes")
    cells.record("v")
    sim.run(50.0)
    with pytest.raises(errors.RecordingError, match="'w'"):
        get(cells, sources, net, "w")
    block = cells.get_data()
    assert len(block.segments[0].analogsignals) == 1
    assert sum(len(t) for t in block.segments[0].spiketrains) > 0
    got = get(cells, sources, net, "v")
    blocks = got if isinstance(got, list) else [got]
    assert [len(b.segments[0].analogsignals) for b in blocks] == ([1, 0] if len(blocks) == 2 else [1])
    assert blocks[0].segments[0].analogsignals[0].shape == (501, 2)
    assert cells.get_data().segments == [] or not cells.get_data().segments[0].analogsignals   # cleared


def _nan(x):
    return x * np.nan


#: case -> (error class, text the message must contain, the bad call); from an outside audit
#: of the API: each was a bare TypeError/ValueError/AttributeError from Python or numpy, or a
#: silent NaN / wrong result
AUDIT_CASES = {
    "Population(initial_values=5)": (errors.InvalidTypeError, "initial_values",
                                     lambda sim, p, q, prj: sim.Population(3, sim.IF_cond_exp(), initial_values=5)),
    "PopulationView(5, [0])": (errors.InvalidTypeError, "parent", lambda sim, p, q, prj: sim.PopulationView(5, [0])),
    "p[::0]": (errors.InvalidIndexError, "step", lambda sim, p, q, prj: p[::0]),
    "p[0.5:2]": (errors.InvalidTypeError, "slice", lambda sim, p, q, prj: p[0.5:2]),
    "Assembly[::0]": (errors.InvalidIndexError, "step", lambda sim, p, q, prj: (p + q)[::0]),
    "sample(2, rng='x')": (errors.InvalidParameterValueError, "rng", lambda sim, p, q, prj: p.sample(2, rng="x")),
    "RandomStructure(rng=5)": (errors.InvalidParameterValueError, "rng",
                               lambda sim, p, q, prj: sim.space.RandomStructure(sim.space.Sphere(1.0), rng=5)),
    "set(tau_m=a function giving 2 values for 4 cells)": (
        errors.InvalidDimensionsError, "tau_m", lambda sim, p, q, prj: p.set(tau_m=lambda i: np.ones(2))),
    "StaticSynapse(weight=a function of d giving 2 values)": (
        errors.InvalidDimensionsError, "weight",
        lambda sim, p, q, prj: sim.Projection(p, q, sim.AllToAllConnector(), sim.StaticSynapse(weight=lambda d: np.ones(2)))),
    "Projection.set(weight=a function of d giving text)": (
        errors.InvalidParameterValueError, "weight", lambda sim, p, q, prj: prj.set(weight=lambda d: np.full(np.shape(d), "x"))),
    "prj[0].weight = 'a'": (errors.InvalidParameterValueError, "weight", lambda sim, p, q, prj: setattr(prj[0], "weight", "a")),
    "KernelConnector([['a']])": (errors.InvalidParameterValueError, "kernel", lambda sim, p, q, prj: sim.KernelConnector([["a"]])),
    "Conv2dConnector(weights='abc')": (errors.InvalidParameterValueError, "weights",
                                       lambda sim, p, q, prj: sim.Conv2dConnector(1, weights="abc")),
    "StepCurrentSource(amplitudes=[inf]) (v stuck at rest)": (
        errors.InvalidParameterValueError, "amplitudes",
        lambda sim, p, q, prj: sim.StepCurrentSource(times=[1.0], amplitudes=[float("inf")])),
    "StepCurrentSource(times=[inf])": (errors.InvalidParameterValueError, "times",
                                       lambda sim, p, q, prj: sim.StepCurrentSource(times=[float("inf")], amplitudes=[1.0])),
    "DCSource(amplitude=[1, 2])": (errors.InvalidDimensionsError, "amplitude",
                                   lambda sim, p, q, prj: sim.DCSource(amplitude=[1.0, 2.0])),
    "GradedSynapse(nonlinearity giving NaN)": (
        errors.InvalidParameterValueError, "nonlinearity", lambda sim, p, q, prj: sim.GradedSynapse(nonlinearity=_nan)),
    "sim.connect(p='a')": (errors.InvalidParameterValueError, "p", lambda sim, p, q, prj: sim.connect(p, q, p="a")),
    "sim.set(5, tau_m=1)": (errors.InvalidTypeError, "cells", lambda sim, p, q, prj: sim.set(5, tau_m=1.0)),
    "sim.initialize(5, v=-60)": (errors.InvalidTypeError, "cells", lambda sim, p, q, prj: sim.initialize(5, v=-60.0)),
    "sim.record('v', 5, file)": (errors.InvalidTypeError, "cells", lambda sim, p, q, prj: sim.record("v", 5, "x.pkl")),
    "sim.record('v', p, 5) (was an error at end())": (errors.InvalidParameterValueError, "filename",
                                                       lambda sim, p, q, prj: sim.record("v", p, 5)),
    "sim.record(annotations=5)": (errors.InvalidParameterValueError, "annotations",
                                  lambda sim, p, q, prj: sim.record("v", p, "x.pkl", annotations=5)),
    "reset(annotations=5) (was an error at get_data)": (errors.InvalidParameterValueError, "annotations",
                                                        lambda sim, p, q, prj: sim.reset(annotations=5)),
    "reset(annotations={1: 2})": (errors.InvalidParameterValueError, "annotations",
                                  lambda sim, p, q, prj: sim.reset(annotations={1: 2})),
    "ID.position = (1, 2)": (errors.InvalidParameterValueError, "position",
                             lambda sim, p, q, prj: setattr(p[0], "position", (1.0, 2.0))),
    "RandomDistribution('normal', mu=[0, 1]).next(3)": (
        errors.InvalidDimensionsError, "mu",
        lambda sim, p, q, prj: sim.RandomDistribution("normal", mu=[0.0, 1.0], sigma=1.0).next(3)),
    "NumpyBinaryFile.write into a folder that cannot be made": (
        errors.InvalidParameterValueError, "cannot write",
        lambda sim, p, q, prj: __import__("pynnlite.file_formats").file_formats.NumpyBinaryFile(
            "/proc/nope/x.npz", mode="wb").write([[1, 2]], {})),
}


assert not set(NAMED_CASES) & set(AUDIT_CASES)
ALL_CASES = {**NAMED_CASES, **AUDIT_CASES}


@pytest.mark.parametrize("case", sorted(ALL_CASES))
def test_bad_argument_is_named_in_a_pynnlite_error(sim, case):
    error, name, call = ALL_CASES[case]
    p, q, prj = _network(sim)
    with pytest.raises(error, match=name):
        call(sim, p, q, prj)


def test_a_refused_procedural_record_records_nothing(sim):
    cells = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(errors.InvalidParameterValueError, match="filename"):
        sim.record("v", cells, 5)
    assert not cells.recorder.recorded.get("v", np.zeros(2, bool)).any()


@pytest.mark.parametrize("write", [
    lambda cells, net, path: cells.write_data(path, clear=True),
    lambda cells, net, path: net.write_data(path, clear=True),
])
def test_write_data_that_cannot_write_clears_nothing(sim, write):
    """write_data(clear=True) to a path that cannot be written raised after clearing: the data
    were lost. They are cleared only once written."""
    cells, _, net = _recorded_network(sim)
    with pytest.raises(errors.InvalidParameterValueError, match="cannot write"):
        write(cells, net, "/proc/no-such-folder/x.pkl")
    assert sum(len(t) for t in cells.get_data().segments[0].spiketrains) > 0


def test_write_data_with_clear_still_clears_after_writing(sim, tmp_path):
    cells, _, net = _recorded_network(sim)
    cells.write_data(str(tmp_path / "cells.pkl"), clear=True)
    assert sum(len(t) for t in cells.get_data().segments[-1].spiketrains) == 0
    assert (tmp_path / "cells.pkl").is_file()


def test_a_nonlinearity_giving_nan_at_run_time_stops_the_run(sim):
    """A callable nonlinearity finite on the construction probe but NaN for other inputs: an
    error naming it, not NaN membrane potentials."""
    def f(x):
        return np.where(x > 3.0, np.nan, 1.0 / (1.0 + np.exp(-x)))
    pre = sim.Population(2, sim.NonSpikingNeuron())
    post = sim.Population(2, sim.NonSpikingNeuron())
    sim.Projection(pre, post, sim.AllToAllConnector(), sim.GradedSynapse(nonlinearity=f, weight=0.1))
    with pytest.raises(errors.InvalidParameterValueError, match="nonlinearity"):
        sim.run(5.0)


# -- from the outside audit of 2026-11-23 ---------------------------------------------------

@pytest.mark.parametrize("weight", ["1/0", "(-1)**0.5", "10**400", "10**10**10"])
def test_expression_constants_are_numpy_numbers(sim, weight):
    """Constant parts of an expression were Python numbers: ZeroDivisionError, TypeError
    (complex), OverflowError, and 10**10**10 did not finish."""
    a, b = sim.Population(2, sim.IF_curr_exp()), sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(errors.InvalidParameterValueError, match="weight"):
        sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=weight))
    with pytest.raises(errors.InvalidParameterValueError, match="d_expression"):
        sim.Projection(a, b, sim.DistanceDependentProbabilityConnector("1/0"))
    assert sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight="0.5**2 + d*0")).get(
        "weight", format="array")[0, 0] == 0.25


def test_runge_kutta_substeps_are_bounded(sim):
    """gbar_Na in nS where µS is expected (2e4): the step needed 4,000 RK4 substeps per cell and
    a run of 1 ms took 6.5 s per cell; now an error naming the units."""
    cell = sim.Population(1, sim.HH_cond_exp(gbar_Na=2e4))
    with pytest.raises(errors.InvalidParameterValueError, match="substeps"):
        sim.run(1.0)


def test_adex_tiny_tau_w_stays_finite(sim):
    """tau_w = 0.001 ms: w's own rate was left out of the substep count and v became NaN."""
    cell = sim.Population(1, sim.EIF_cond_exp_isfa_ista(tau_w=0.001, i_offset=1.0))
    cell.record("v")
    sim.run(20.0)
    assert np.isfinite(cell.get_data().segments[0].analogsignals[0].magnitude).all()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # numpy's overflow warnings on the way
def test_state_becoming_nan_stops_with_an_error(sim):
    """Izhikevich with a·dt > 2 (forward Euler unstable): v went to -inf silently."""
    sim.Population(1, sim.Izhikevich(a=100.0, i_offset=0.01))
    with pytest.raises(errors.NumericalInstabilityError, match="Izhikevich"):
        sim.run(100.0)


def test_more_bad_input_gets_pynnlite_errors(sim, tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"0 0 0.1 1.0\n\xff\xfe\x00")
    a, b = sim.Population(4, sim.IF_curr_exp()), sim.Population(3, sim.IF_curr_exp())
    with pytest.raises(errors.ConnectionError, match="not a text file"):
        sim.Projection(a, b, sim.FromFileConnector(str(path)))
    with pytest.raises(errors.InvalidDimensionsError, match="size"):
        sim.Population((2, 0), sim.IF_curr_exp())
    before = a.positions.copy()
    with pytest.raises(errors.InvalidParameterValueError, match="positions"):
        a.positions = np.where(np.arange(4) == 2, np.nan, before)
    assert np.array_equal(a.positions, before)
    prj = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    with pytest.raises(errors.InvalidParameterValueError, match="weight"):
        prj.set(weight=["a"] * 12)
    assert (prj.get("weight", format="array") == 0.1).all()
    with pytest.raises(errors.InvalidParameterValueError, match="with_address"):
        prj.get("weight", format="list", with_address="no")   # was taken as True
    from pynnlite.utility import load_population
    garbage = tmp_path / "garbage.pkl"
    garbage.write_bytes(b"not a pickle")
    for name in (garbage, tmp_path / "missing.pkl"):
        with pytest.raises(errors.InvalidParameterValueError, match="filename"):
            load_population(str(name), sim)


def test_projection_of_a_population_of_an_ended_simulation(sim):
    """A Population made before end()/setup() was taken by Projection: its connections were
    never simulated and its IDs overlapped the new simulation's."""
    old = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
    sim.end()
    sim.setup(timestep=0.1)
    new = sim.Population(3, sim.IF_curr_exp())
    with pytest.raises(errors.InvalidParameterValueError, match="presynaptic_population.*ended"):
        sim.Projection(old, new, sim.OneToOneConnector())
    assert sim.Projection(new, new, sim.OneToOneConnector()).size() == 3


@pytest.mark.parametrize("failing", ["projection_delay", "projection_weight", "population_set", "projection_set"])
def test_a_failed_call_draws_nothing_from_the_rngs(sim, failing):
    """A failed Projection/set used to advance the NumpyRNG it drew from, so a script catching
    the error and going on got other connections, weights and parameters than a clean build."""
    def build(fail):
        sim.setup(timestep=0.1)
        rng = sim.NumpyRNG(seed=5)
        a, b = sim.Population(20, sim.IF_curr_exp()), sim.Population(20, sim.IF_cond_exp())
        static = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
        conn = sim.FixedProbabilityConnector(0.3, rng=rng)
        w = sim.RandomDistribution("uniform", low=0.0, high=0.1, rng=rng)
        bad = sim.RandomDistribution("normal", mu=0.0, sigma=1.0, rng=rng)   # negative values: refused
        if fail:
            with pytest.raises(errors.PynnliteError):
                {"projection_delay": lambda: sim.Projection(a, b, conn, sim.StaticSynapse(weight=w, delay=0.01)),
                 "projection_weight": lambda: sim.Projection(a, b, conn, sim.StaticSynapse(weight=bad)),
                 "population_set": lambda: b.set(tau_m=bad),
                 "projection_set": lambda: static.set(weight=bad)}[failing]()
        prj = sim.Projection(a, b, conn, sim.StaticSynapse(weight=w, delay=1.0))
        b.set(tau_m=sim.RandomDistribution("uniform", low=10.0, high=20.0, rng=rng))
        return prj.get("weight", format="list"), list(b.get("tau_m")), rng.uniform()

    assert build(True) == build(False)
