"""Recorded spike trains as Neo's multiplexed SpikeTrainList (spike_trains.py): the same trains,
annotations and Neo operations as a list of SpikeTrain objects, and files Neo alone can read."""
import copy
import pickle

import numpy as np
import quantities as pq
from neo.core import SpikeTrain
from neo.core.spiketrainlist import SpikeTrainList
from mpi_support import run_code

TIMES = [[2.0, 5.0], [], [1.0, 3.0, 9.0], [4.0]]


def recorded(sim, label="cells"):
    sources = sim.Population(4, sim.SpikeSourceArray(spike_times=TIMES), label=label)
    sources.record("spikes")
    sim.run(10.0)
    return sources


def expected_trains(sources, trains):
    assert len(trains) == len(TIMES)
    for index, (train, times) in enumerate(zip(trains, TIMES)):
        assert isinstance(train, SpikeTrain)
        assert np.array_equal(train.rescale(pq.ms).magnitude, times)
        assert train.t_start == 0.0 * pq.ms and train.t_stop == 10.0 * pq.ms
        cell_id = int(sources.first_id) + index
        assert train.annotations == {"source_population": sources.label, "source_id": cell_id,
                                     "source_index": index, "channel_id": cell_id}
        assert all(type(value) is int for key, value in train.annotations.items() if key != "source_population")


def test_trains_annotations_and_the_multiplexed_arrays(sim):
    sources = recorded(sim)
    segment = sources.get_data("spikes").segments[0]
    trains = segment.spiketrains
    assert isinstance(trains, SpikeTrainList)
    ids, times = trains.multiplexed    # as PyNN+NEST's list: without making a SpikeTrain per cell
    order = np.lexsort((times.magnitude, ids))
    expected = sorted((int(sources.first_id) + cell, t) for cell, cell_times in enumerate(TIMES) for t in cell_times)
    assert [(int(i), float(t)) for i, t in zip(ids[order], times.magnitude[order])] == expected
    expected_trains(sources, trains)
    assert all(train.segment is segment for train in trains)
    assert trains.t_start == 0.0 * pq.ms and trains.t_stop == 10.0 * pq.ms


def test_neo_list_operations_on_recorded_trains(sim):
    sources = recorded(sim)
    trains = sources.get_data("spikes").segments[0].spiketrains
    assert [len(t) for t in trains[1:3]] == [0, 3] and isinstance(trains[1:3], SpikeTrainList)
    extra = SpikeTrain([0.5] * pq.ms, t_stop=10.0 * pq.ms)
    trains.append(extra)
    assert len(trains) == 5 and trains[-1] is extra
    ids, times = trains.multiplexed      # made from the trains now, the appended one too
    assert sorted(times.magnitude.tolist()) == sorted(sum(TIMES, []) + [0.5])
    other = sources.get_data("spikes").segments[0].spiketrains
    assert len(other + other) == 8
    copied = copy.deepcopy(sources.get_data("spikes"))
    expected_trains(sources, copied.segments[0].spiketrains)


def test_list_methods_on_trains_not_read_yet(sim):
    """As on a list of SpikeTrains (Neo's own methods fail on a multiplexed list not read yet)."""
    sources = recorded(sim)

    def trains():
        return sources.get_data("spikes").segments[0].spiketrains

    listed = trains()
    assert listed.index(listed[0]) == 0   # (comparing two different SpikeTrains is Neo's error)
    assert list(trains().pop().magnitude) == TIMES[-1]
    listed = trains()
    listed.sort(key=lambda train: -train.annotations["source_index"])
    assert [list(t.magnitude) for t in listed] == TIMES[::-1]
    listed = trains()
    listed.reverse()
    assert [list(t.magnitude) for t in listed] == TIMES[::-1]
    listed = trains()
    listed.remove(listed[0])
    assert [list(t.magnitude) for t in listed] == TIMES[1:]
    listed = trains()
    listed.insert(0, SpikeTrain([0.5] * pq.ms, t_stop=10.0 * pq.ms))
    assert len(listed) == 5 and list(listed[0].magnitude) == [0.5]
    listed = trains()
    listed.clear()
    assert len(listed) == 0 and list(listed) == []


def test_written_trains_load_with_neo_alone(sim, tmp_path):
    sources = recorded(sim, label="written")
    path = tmp_path / "spikes.pkl"
    sources.write_data(str(path))
    check = (
        "import pickle, sys\n"
        "sys.modules['pynnlite'] = None   # pynnlite cannot be imported\n"
        f"block = pickle.load(open({str(path)!r}, 'rb'))\n"
        "trains = block.segments[0].spiketrains\n"
        "print(type(trains).__module__)\n"
        "print([[float(t) for t in train.magnitude] for train in trains])\n"
        "print(sorted(trains[2].annotations.items()))\n")
    module, times, annotations = run_code(check).stdout.splitlines()
    assert module == "neo.core.spiketrainlist"
    assert times == str(TIMES)
    first = int(sources.first_id)
    assert annotations == str(sorted({"source_population": "written", "source_id": first + 2,
                                      "source_index": 2, "channel_id": first + 2}.items()))
    expected_trains(sources, pickle.loads(path.read_bytes()).segments[0].spiketrains)


def test_trains_of_a_view_after_reset_and_clear(sim):
    sources = recorded(sim)
    sim.reset()
    sim.run(10.0)
    block = sources[1::2].get_data("spikes", clear=True)
    assert len(block.segments) == 2
    for segment in block.segments:
        assert [list(t.magnitude) for t in segment.spiketrains] == [TIMES[1], TIMES[3]]
        assert [t.annotations["source_index"] for t in segment.spiketrains] == [1, 3]
    sim.run(5.0)     # after clear: a segment starting at 10 ms, no spike in 10-15 ms
    trains = sources.get_data("spikes").segments[-1].spiketrains
    assert [len(t) for t in trains] == [0, 0, 0, 0] and trains[0].t_start == 10.0 * pq.ms


def test_trains_of_an_assembly_in_one_list(sim):
    first = sim.Population(4, sim.SpikeSourceArray(spike_times=TIMES), label="first")
    second = sim.Population(2, sim.SpikeSourceArray(spike_times=[0.5]), label="second")
    quiet = sim.Population(2, sim.IF_cond_exp(), label="quiet")   # records v only
    first.record("spikes")
    second.record("spikes")
    quiet.record("v")
    sim.run(10.0)
    segment = (first + second + quiet).get_data().segments[0]
    trains = segment.spiketrains
    ids, times = trains.multiplexed     # still two arrays, as one population's list
    assert sorted(times.magnitude.tolist()) == sorted(sum(TIMES, []) + [0.5, 0.5])
    assert [t.annotations["source_population"] for t in trains] == ["first"] * 4 + ["second"] * 2
    assert [t.annotations["source_index"] for t in trains] == [0, 1, 2, 3, 0, 1]
    assert [t.annotations["channel_id"] for t in trains] == [int(c) for c in first.all_cells] + \
        [int(c) for c in second.all_cells]
    assert [list(t.magnitude) for t in trains] == TIMES + [[0.5], [0.5]]
    assert all(t.segment is segment and t.t_stop == 10.0 * pq.ms for t in trains)
    assert len(segment.analogsignals) == 1


def test_lists_neo_makes_from_trains_are_not_joined_as_arrays():
    """Neo makes lists of this class from trains (slices, ``+``): joined as trains instead."""
    from pynnlite.spike_trains import SortedSpikeTrainList
    made = SortedSpikeTrainList(items=[SpikeTrain([1.0] * pq.ms, t_stop=2.0 * pq.ms)])
    assert SortedSpikeTrainList.joined([made, made]) is None
    assert [list(t.magnitude) for t in made[0:1]] == [[1.0]]
