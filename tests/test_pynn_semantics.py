"""PyNN 0.13 behaviours found by running PyNN's own scenario tests (test/system/scenarios)."""
import numpy as np
import pytest

from pynnlite import errors


def test_cell_parameter_assignment(sim):
    # PyNN's ticket166: spikesources[0].spike_times = ... changes that cell
    s = sim.Population(2, sim.SpikeSourceArray())
    s[0].spike_times = [1.0, 3.0]
    assert s[0].spike_times == sim.Sequence([1.0, 3.0])
    assert s[1].spike_times == sim.Sequence([])
    p = sim.Population(3, sim.IF_curr_exp())
    p[1].tau_m = 12.0
    assert list(p.get("tau_m", simplify=False)) == [20.0, 12.0, 20.0]


def test_spike_times_must_increase_and_may_be_a_range(sim):
    # PyNN's issue511: unordered spike times are an error when a Population is made of the
    # cell type (not before: PyNN's test makes the cell type outside its pytest.raises)
    celltype = sim.SpikeSourceArray(spike_times=[[2.4, 4.8], [3.5, 9.6, 8.3]])
    with pytest.raises(errors.InvalidParameterValueError, match="increasing"):
        sim.Population(2, celltype)
    s = sim.Population(1, sim.SpikeSourceArray(spike_times=range(1, 4)))
    assert s.get("spike_times") == sim.Sequence([1.0, 2.0, 3.0])


def test_assembly_views_and_merged_signals(sim):
    a = sim.Population(3, sim.IF_cond_exp()) + sim.Population(4, sim.IF_cond_exp())
    part = a[2:5]
    assert part.size == 3 and [p.size for p in part.populations] == [1, 2]
    a.record("v")
    part.record("gsyn_exc")
    sim.run(10.0)
    signals = {s.name: s for s in a.get_data().segments[0].analogsignals}
    assert signals["v"].shape == (101, 7)
    assert signals["gsyn_exc"].shape == (101, 3)
    assert list(signals["gsyn_exc"].array_annotations["channel_index"]) == [2, 3, 4]


def test_neo_annotations_have_pynn_names(sim):
    # PyNN 0.13 (recording.Recorder): SpikeTrain.annotations channel_id (the cell's ID),
    # source_index, source_population; AnalogSignal.annotations channel_ids; Block
    # annotations size, first_index, last_index, first_id, last_id, label, simulator, dt
    p = sim.Population(3, sim.IF_curr_exp(i_offset=1.0), label="cells")
    p.record(["spikes", "v"])
    sim.run(30.0)
    block = p[1:].get_data()
    train = block.segments[0].spiketrains[0]
    assert train.annotations["channel_id"] == p[1] and train.annotations["source_index"] == 1
    assert list(block.segments[0].analogsignals[0].annotations["channel_ids"]) == [p[1], p[2]]
    assert {k: block.annotations[k] for k in ("size", "first_index", "last_index", "first_id", "last_id", "label")} \
        == {"size": 3, "first_index": 0, "last_index": 3, "first_id": p.first_id, "last_id": p.last_id,
            "label": "cells"}
    merged = (p + sim.Population(1, sim.IF_curr_exp())).get_data("v").segments[0].analogsignals
    assert [list(s.annotations["channel_ids"]) for s in merged] == [[p[0], p[1], p[2]]]


def test_record_none_before_any_run_leaves_no_spike_trains(sim):
    # PyNN+NEST: record(['spikes', 'v']); record(None); record('v') then run: no spike trains
    cells = sim.Population(3, sim.IF_curr_exp(i_offset=1.0))
    cells.record(["spikes", "v"])
    cells.record(None)
    cells.record("v")
    sim.run(20.0)
    segment = cells.get_data().segments[0]
    assert len(segment.spiketrains) == 0 and segment.analogsignals[0].shape == (201, 3)


def test_min_delay_auto_is_the_smallest_delay(sim):
    # PyNN's issue231
    a = sim.Population(3, sim.IF_cond_exp())
    assert sim.get_min_delay() == 0.1          # no connections yet: the time step
    sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.5))
    assert sim.get_min_delay() == 0.5


def first_moves(signal) -> list[float]:
    """Per channel, the time (ms) of the first sample where the signal has left its initial value."""
    values = np.asarray(signal.magnitude)
    moved = np.abs(values - values[0]) > 1e-9
    return [round(float(signal.times[np.argmax(column)]), 6) for column in moved.T]


def test_spike_array_time_off_the_grid_acts_from_the_step_that_contains_it(sim):
    """Measured with PyNN 0.13 + NEST 3 (default spike_precision, dt = delay = 0.1 ms, IF_curr_exp):
    spikes at 1.0, 3.05, 4.06, 7.0995 and 6.0999996 ms first move v at 1.2, 3.2, 4.2, 7.2 and 6.2 ms,
    as spikes at 1.0, 3.0, 4.0, 7.0 and 6.0 ms do (round-half-up moved 3.05 to 3.1: v at 3.3)."""
    times = [1.0, 3.05, 4.06, 7.0995, 6.0999996]
    sources = sim.Population(len(times), sim.SpikeSourceArray(spike_times=[[t] for t in times]))
    cells = sim.Population(len(times), sim.IF_curr_exp(tau_m=1e6, tau_syn_E=1e6, v_rest=0.0, v_thresh=1e6),
                           initial_values={"v": 0.0})
    sim.Projection(sources, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=0.1))
    cells.record("v")
    sim.run(10.0)
    assert first_moves(cells.get_data().segments[0].filter(name="v")[0]) == [1.2, 3.2, 4.2, 7.2, 6.2]


def test_current_source_start_and_stop_on_the_grid_up_to_float_noise(sim):
    """start = 1.1 + 3.2 = 4.300000000000001 ms and stop = 2.1 + 2.2 + 1.0 = 5.300000000000001 ms are
    grid points to PyNN+NEST (measured, dt = 0.1 ms): the current flows in the 10 steps from 4.3 to
    5.3 ms, so v of a non-leaking cell rises from the sample at 4.4 to the one at 5.3 ms. Comparing
    step times with start lost the first step (4.3 < 4.300000000000001)."""
    start, stop = 1.1 + 3.2, 2.1 + 2.2 + 1.0
    cells = sim.Population(3, sim.IF_curr_exp(tau_m=1e6, v_rest=0.0, v_thresh=1e6), initial_values={"v": 0.0})
    sim.DCSource(amplitude=1.0, start=start, stop=stop).inject_into(cells[0:1])
    sim.ACSource(amplitude=0.0, offset=1.0, start=start, stop=stop).inject_into(cells[1:2])
    sim.NoisyCurrentSource(mean=1.0, stdev=0.0, start=start, stop=stop).inject_into(cells[2:3])
    cells.record("v")
    sim.run(8.0)
    v = cells.get_data().segments[0].filter(name="v")[0]
    rising = np.diff(np.asarray(v.magnitude), axis=0) > 1e-3
    for column in rising.T:
        assert np.flatnonzero(column).tolist() == list(range(43, 53))


def test_sampling_interval_is_reported_as_given(sim):
    """PyNN+NEST (measured, dt = 0.1 ms): record('v', sampling_interval=0.3) gives samples at 0, 0.3,
    0.6, ... ms with sampling_period exactly 0.3 ms (3 * 0.1 = 0.30000000000000004 was reported);
    an interval that is not a whole number of steps is an error there and here."""
    cells = sim.Population(1, sim.IF_curr_exp())
    cells.record("v", sampling_interval=0.3)
    with pytest.raises(errors.InvalidParameterValueError, match="sampling_interval"):
        sim.Population(1, sim.IF_curr_exp()).record("v", sampling_interval=0.25)
    sim.run(2.0)
    v = cells.get_data().segments[0].filter(name="v")[0]
    assert float(v.sampling_period.rescale("ms")) == 0.3
    assert np.asarray(v.times)[:4] == pytest.approx([0.0, 0.3, 0.6, 0.9], abs=1e-12)


def test_step_current_source_times_on_the_grid():
    # PyNN's issue512: times >= 0, increasing, mapped to the grid; the later of two on one step wins
    import pynnlite.backends.numpy as sim
    sim.setup(timestep=0.1)
    with pytest.raises(ValueError):
        sim.StepCurrentSource(times=[0.4, -0.6, 0.8], amplitudes=[0.5, -0.5, 0.5])
    with pytest.raises(ValueError):
        sim.StepCurrentSource(times=[0.4, 0.2, 0.8], amplitudes=[0.5, -0.5, 0.5])
    step = sim.StepCurrentSource(times=[0.41, 0.42, 0.86], amplitudes=[0.5, -0.5, 0.5])
    assert list(step.times) == [0.4, 0.9] and list(step.amplitudes) == [-0.5, 0.5]
    sim.end()


def test_current_source_get_parameters(sim):
    # PyNN's StandardCurrentSource.get_parameters(): every parameter by name, PyNN's units
    sine = sim.ACSource(start=50.0, stop=450.0, amplitude=1.0, offset=1.0, frequency=10.0, phase=180.0)
    assert sine.get_parameters() == {"start": 50.0, "stop": 450.0, "amplitude": 1.0, "offset": 1.0,
                                     "frequency": 10.0, "phase": 180.0}
    pulse = sim.DCSource(amplitude=0.5, start=20.0, stop=80.0)
    pulse.set_parameters(amplitude=0.7)
    assert pulse.get_parameters()["amplitude"] == 0.7


def test_noisy_current_source_default_dt_is_0_1_ms():
    # PyNN: NoisyCurrentSource.default_parameters['dt'] == 0.1 (ms), whatever the time step;
    # with timestep 0.01 PyNN+NEST draws a new value every 10 steps (201 changes in 20 ms)
    import pynnlite.backends.numpy as sim
    sim.setup(timestep=0.01)
    assert sim.NoisyCurrentSource.default_parameters["dt"] == 0.1
    cells = sim.Population(1, sim.IF_curr_exp())
    noise = sim.NoisyCurrentSource(mean=0.0, stdev=1.0)
    cells.inject(noise)
    noise.record()
    sim.run(20.0)
    changes = np.count_nonzero(np.diff(np.asarray(noise.get_data()).ravel()))
    sim.end()
    assert changes == 200


def test_current_source_recording_and_ac_phase_at_start(sim):
    # PyNN's issue497/631: the AC phase holds at `start`; sources record what they inject
    cells = sim.Population(2, sim.IF_curr_exp())
    ac = sim.ACSource(start=5.0, stop=20.0, amplitude=1.0, frequency=100.0, phase=90.0)
    dc = sim.DCSource(amplitude=0.5, start=10.0, stop=15.0)
    cells[0].inject(ac)
    cells[1].inject(dc)
    ac.record()
    dc.record()
    sim.run(25.0)
    i_ac, i_dc = ac.get_data(), dc.get_data()
    assert i_ac.shape == (251, 1)
    assert i_ac[50, 0].magnitude == pytest.approx(1.0)          # sin(90°) at t = start
    assert np.all(i_dc.magnitude[:100] == 0) and np.all(i_dc.magnitude[100:150] == 0.5)
    assert np.all(i_dc.magnitude[150:] == 0)


def test_procedural_record_of_one_cell(sim, tmp_path):
    import neo
    p = sim.Population(3, sim.IF_curr_exp(i_offset=1.0))
    target = str(tmp_path / "one.pkl")
    sim.record(["spikes", "v"], p[1], target)
    sim.run(20.0)
    sim.end()
    block = neo.io.PickleIO(target).read_block()
    assert len(block.segments[0].spiketrains) == 1
    assert block.segments[0].analogsignals[0].shape[1] == 1


def test_deprecated_projection_spellings(sim):
    a = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(a, a, sim.AllToAllConnector())
    with pytest.warns(DeprecationWarning):
        prj.setWeights(0.5)
    with pytest.warns(DeprecationWarning):
        assert prj.getWeights() == [0.5] * 4


def test_reset_segments_as_pynn(sim):
    # PyNN's test_reset / test_reset_with_clear: n runs with reset give n segments; a segment
    # emptied by get_data(clear=True) is not kept unless the simulation ran after the clear
    p = sim.Population(1, sim.IF_curr_exp(i_offset=0.1))
    p.record("v")
    for _ in range(3):
        sim.run(10.0)
        sim.reset()
    assert len(p.get_data().segments) == 3
    p.get_data(clear=True)
    sim.run(10.0)
    assert len(p.get_data(clear=True).segments) == 1
    # cleared and not run since: the emptied segment is dropped at reset; run after the
    # clear: its data are kept (PyNN drops them too; we keep what was recorded)
    sim.reset()
    sim.run(5.0)
    p.get_data(clear=True)
    sim.run(5.0)
    sim.reset()
    sim.run(2.0)
    segments = p.get_data().segments
    assert len(segments) == 2
    assert [s.analogsignals[0].shape[0] for s in segments] == [50, 21]


def test_cells_added_to_recording_within_a_segment_keep_earlier_samples(sim):
    """Recording v of more cells (or fewer) between two runs starts a new AnalogSignal of that
    name in the segment; the earlier samples stay in the first one, unchanged."""
    p = sim.Population(3, sim.IF_curr_exp(i_offset=[0.5, 0.6, 0.7]))
    p[0:1].record("v")
    sim.run(5.0)
    p[1:3].record("v")
    sim.run(5.0)
    p[0:2].record(None)
    sim.run(2.0)
    signals = p.get_data().segments[0].filter(name="v")
    assert [list(s.array_annotations["channel_index"]) for s in signals] == [[0], [0, 1, 2], [2]]
    assert [float(s.t_start) for s in signals] == pytest.approx([0.0, 5.1, 10.1])
    assert [s.shape[0] for s in signals] == [51, 50, 20]
    v0 = np.concatenate([np.asarray(signals[0])[:, 0], np.asarray(signals[1])[:, 0]])
    assert np.all(np.diff(v0) > 0)     # one continuous rise towards threshold: nothing lost or repeated


def test_several_record_files_and_annotations(sim, tmp_path):
    # PyNN's test_record_with_filename: each record(..., to_file) writes its own variables,
    # and annotations given to the procedural record() reach the written Block
    import neo
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=[1.0, 0.0]))
    both, spikes = str(tmp_path / "both.pkl"), str(tmp_path / "spikes.pkl")
    cells.record(["spikes", "v"], to_file=both)
    cells.record("spikes", to_file=spikes)
    sim.record("v", cells, str(tmp_path / "proc.pkl"), annotations={"script_name": "x.py"})
    sim.run(50.0)
    sim.end()
    first = neo.io.PickleIO(both).read_block()
    second = neo.io.PickleIO(spikes).read_block()
    assert first.segments[0].analogsignals and len(first.segments[0].spiketrains) == 2
    assert not second.segments[0].analogsignals and len(second.segments[0].spiketrains) == 2
    assert first.annotations["script_name"] == "x.py"


def test_simple_stochastic_synapse_transmits_a_fraction_p(sim):
    # PyNN's SimpleStochasticSynapse: each spike passes each connection with probability p.
    # 400 connections × 50 spikes at p = 0.3: the number passed is Binomial(20000, 0.3),
    # mean 6000, σ = 64.8. Delta synapses with no leak to speak of count them in mV.
    n, spikes = 400, 50
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=np.arange(1, spikes + 1) * 10.0))
    counted = {}
    for p in (0.0, 0.3, 1.0):
        cells = sim.Population(n, sim.IF_curr_delta(v_thresh=1e9, tau_m=1e12, v_rest=0.0, v_reset=0.0,
                                                    tau_refrac=0.0), initial_values={"v": 0.0})
        cells.record("v")
        sim.Projection(source, cells, sim.AllToAllConnector(),
                       sim.SimpleStochasticSynapse(p=p, weight=1.0, delay=1.0))
        counted[p] = cells
    sim.run(spikes * 10.0 + 5.0)
    totals = {p: float(c.get_data().segments[0].analogsignals[0][-1].magnitude.sum()) for p, c in counted.items()}
    assert totals[0.0] == 0.0
    assert totals[1.0] == pytest.approx(n * spikes, rel=1e-6)
    assert abs(totals[0.3] - 6000) < 4 * 64.8


def test_run_callbacks_are_called_as_pynn_calls_them(sim):
    """PyNN's run_until: every callback at the start, then after each stretch up to the
    earliest requested time — including at the end time itself (PyNN+NEST: [0, 10, 20], then
    [20, 30, 35]); a time off the grid is rounded to the nearest step."""
    sim.Population(1, sim.IF_curr_exp())
    calls = []

    def every_ten(t):
        calls.append(round(t, 9))
        return t + 10.0
    sim.run(20.0, callbacks=[every_ten])
    assert calls == [0.0, 10.0, 20.0]
    sim.run_until(35.0, callbacks=[every_ten])
    assert calls == [0.0, 10.0, 20.0, 20.0, 30.0, 35.0]
    off_grid = []
    sim.run(1.0, callbacks=[lambda t: off_grid.append(round(t, 9)) or t + 0.33])
    assert off_grid == [35.0, 35.3, 35.6, 35.9, 36.0]


def test_run_of_a_time_that_is_not_whole_steps_is_an_error(sim):
    """As NEST: run(0.06) with dt = 0.1 ms would otherwise not advance (a loop of such runs
    never ends); the time reads as PyNN rounds it (101 steps of 0.1 ms are 10.1 ms)."""
    sim.Population(1, sim.IF_curr_exp())
    sim.run(10.1)
    assert sim.get_current_time() == 10.1
    for bad in (0.06, 0.25, float("nan"), float("inf"), -1.0):
        with pytest.raises(errors.InvalidParameterValueError, match="simtime"):
            sim.run(bad)
    assert sim.get_current_time() == 10.1
    for bad in (10.15, 10.25, float("nan")):   # the error names run_until's own argument
        with pytest.raises(errors.InvalidParameterValueError, match="time_point"):
            sim.run_until(bad)
    assert sim.get_current_time() == 10.1
    assert sim.run_until(10.3) == pytest.approx(10.3)


def test_outputs_that_cannot_be_written_are_errors_naming_the_argument(sim, tmp_path):
    """record(to_file=5) was accepted and end() failed with an AttributeError, losing the other
    outputs; a path below a file failed with a bare OSError (under MPI on rank 0 only)."""
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    with pytest.raises(errors.InvalidParameterValueError, match="to_file"):
        cells.record("spikes", to_file=5)
    cells.record("spikes")
    prj = sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    sim.run(10.0)
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(errors.InvalidParameterValueError, match="cannot write"):
        cells.write_data(str(blocker / "data.pkl"))
    with pytest.raises(errors.InvalidParameterValueError, match="cannot write"):
        prj.save("all", str(blocker / "conn.txt"))


def test_initialize_refuses_nan_synaptic_state(sim):
    """initialize(d=nan) on reward-modulated STDP made every weight NaN after the run."""
    pre = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]))
    post = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse(weight=0.5))
    before = prj.get(["u", "x"], format="list")
    for bad in (float("nan"), float("inf")):
        with pytest.raises(errors.InvalidParameterValueError, match="u: NaN or infinity"):
            prj.initialize(u=bad)
    assert prj.get(["u", "x"], format="list") == before


def test_spike_trains_after_clear_start_at_the_clear_and_record_none_keeps_spikes(sim):
    """After get_data(clear=True) at 40 ms the segment's spike trains start at 40 ms (as PyNN
    sets the recording start at the clear; they started at 0 while the signals started at 40);
    record(None) keeps the spikes recorded before it, as it keeps the samples."""
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=[1.0, 0.0], tau_refrac=2.0))
    cells.record(["spikes", "v"])
    sim.run(40.0)
    first = cells.get_data(clear=True).segments[0].spiketrains[0]
    sim.run(40.0)
    trains = cells.get_data().segments[0].spiketrains
    assert [float(t.t_start) for t in trains] == [40.0, 40.0]
    assert len(first) > 0 and len(trains[0]) > 0 and float(trains[0].min()) >= 40.0
    cells.record(None)
    sim.run(20.0)
    kept = cells.get_data().segments[0].spiketrains
    assert [int(t.annotations["source_index"]) for t in kept] == [0, 1]
    np.testing.assert_array_equal(kept[0].magnitude, trains[0].magnitude)


def test_reset_annotations_go_to_the_segment_that_ends(sim):
    """PyNN's reset(annotations) passes them to Recorder.store_to_cache, which annotates the
    segment being closed; measured with PyNN 0.13 + NEST 3.10: after run(40); reset({'cond': 'B'});
    run(20), segments[0].annotations has cond = 'B' and segments[1] has none (pynnlite put
    them on the new segment)."""
    p = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    p.record(["spikes", "v"])
    sim.run(40.0)
    sim.reset(annotations={"cond": "B"})
    sim.run(20.0)
    segments = p.get_data().segments
    assert segments[0].annotations.get("cond") == "B"
    assert "cond" not in segments[1].annotations


def test_view_and_assembly_blocks_are_named_annotated_and_described_as_pynn(sim):
    """Measured with PyNN 0.13 + NEST 3.10: a PopulationView's Block is its parent's (name 'P',
    the parent's annotate()s: experiment, trial; pynnlite named it "view of 'P' with size 2" and
    left them out); an Assembly's Block annotations are its members' merged as neo's Block.merge
    merges them (label 'pop1;src', size/first_id/last_id/last_index 'MERGE CONFLICT'; pynnlite
    kept the first member's); Block and Segment descriptions are describe() texts (the parent's
    for a view, the Assembly's for its Block; pynnlite wrote "Population 'P'")."""
    p = sim.Population(5, sim.IF_curr_exp(i_offset=1.0), label="P")
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=[5.0]), label="src")
    p.record(["spikes", "v"])
    src.record("spikes")
    p.annotate(experiment="x1", trial=3)
    sim.run(10.0)
    view = p[[1, 2]].get_data()
    assert view.name == "P"
    assert view.annotations["experiment"] == "x1" and view.annotations["trial"] == 3
    assert view.description == p.describe() and view.segments[0].description == p.describe()
    assembly = p + src
    block = assembly.get_data("spikes")
    assert block.name == assembly.label and block.description == assembly.describe()
    assert block.annotations["label"] == "P;src"
    assert [block.annotations[k] for k in ("size", "first_id", "last_id", "last_index")] == ["MERGE CONFLICT"] * 4
    assert block.annotations["first_index"] == 0 and block.annotations["dt"] == 0.1
    assert block.annotations["experiment"] == "x1"      # the only member with it: kept
    assert block.segments[0].description == p.describe()


def test_recording_deprecation_messages_are_pynns(sim, tmp_path):
    """PyNN 0.13's core.deprecated text, as PyNN+NEST printed it for print_v: "print_v() is
    deprecated, and will be removed in a future release. Use write_data(file, 'v') instead."
    (pynnlite had no comma, and "record_v() is deprecated; use record('v')")."""
    p = sim.Population(2, sim.IF_curr_exp(), label="P")
    with pytest.warns(DeprecationWarning) as caught:
        p.record_v()
    assert str(caught[0].message) == \
        "record_v() is deprecated, and will be removed in a future release. Use record('v') instead."
    sim.run(1.0)
    with pytest.warns(DeprecationWarning) as caught:
        p.print_v(str(tmp_path / "v.pkl"))
    assert str(caught[0].message) == \
        "print_v() is deprecated, and will be removed in a future release. Use write_data(file, 'v') instead."


def test_mean_spike_count_without_spike_recording_is_the_int_0(sim):
    """PyNN's mean_spike_count returns 0 (an int) when no cell records spikes; measured with
    PyNN 0.13 + NEST 3.10: repr(p.mean_spike_count()) == '0', before any run and after recording
    only v (pynnlite gave 0.0); with spikes recorded it is a float (1.5 for 6 spikes of 4 cells)."""
    p = sim.Population(2, sim.IF_curr_exp(), label="Q")
    assert repr(p.mean_spike_count()) == "0"
    p.record("v")
    sim.run(5.0)
    assert p.get_spike_counts() == {} and repr(p.mean_spike_count()) == "0"
    q = sim.Population(2, sim.IF_curr_exp(i_offset=[1.0, 0.0]))
    q.record("spikes")
    sim.run(30.0)
    assert isinstance(q.mean_spike_count(), float)
