"""The spike trains of a recorded segment as Neo's multiplexed ``SpikeTrainList``, the form
PyNN+NEST returns from ``get_data()``: all spike times and their cell ids in two arrays, each
cell's ``SpikeTrain`` made when the list is first read.

So ``get_data()`` does not build one Neo object per cell, and ``write_data`` pickles two
arrays. The spikes here are sorted by cell, so each train is a slice (Neo's own list finds a
train's spikes by comparing every spike with every cell id). Once read, the list holds the
trains, as a list made of SpikeTrain objects does. Pickled or copied, it is Neo's own
``SpikeTrainList``: files load with Neo alone.
"""
from __future__ import annotations

import copyreg
from itertools import chain
from typing import Any

import numpy as np
import quantities as pq
from neo.core.spiketrain import SpikeTrain
from neo.core.spiketrainlist import SpikeTrainList


class SortedSpikeTrainList(SpikeTrainList):
    """A multiplexed SpikeTrainList whose spikes are sorted by cell (see the module docstring)."""

    #: (Neo's spike time array, the times in ms as numbers, each train's start and stop in them),
    #: while the list is unread; None for lists Neo makes of this class from trains.
    _slices: tuple | None = None

    @classmethod
    def from_sorted(cls, times: np.ndarray, spike_ids: np.ndarray, channel_ids: list[int],
                    starts: list[int], stops: list[int], t_start: pq.Quantity, t_stop: pq.Quantity,
                    **annotations: Any) -> "SortedSpikeTrainList":
        """Trains of cells ``channel_ids`` (global ids): cell k's spike times (ms) are
        ``times[starts[k]:stops[k]]``, ``spike_ids`` the id of each spike's cell. Annotations
        given as one value per cell go to that cell's train, the others to every train."""
        trains = cls.from_spike_time_array(times, spike_ids, channel_ids, t_stop=t_stop, units="ms",
                                           t_start=t_start, **annotations)
        trains._slices = (trains._spike_time_array, np.asarray(times, dtype=float), starts, stops)
        return trains

    @classmethod
    def joined(cls, lists: list[SpikeTrainList]) -> "SortedSpikeTrainList | None":
        """The trains of several lists in one, in order (an Assembly's populations), still
        unread; None unless each list is empty or made by ``from_sorted`` and not read yet,
        all with the same t_start and t_stop. An annotation that differs between the lists
        (``source_population``) becomes one value per train."""
        lists = [trains for trains in lists if not (type(trains) is SpikeTrainList and len(trains) == 0)]
        if not lists or not all(isinstance(trains, cls) and trains._slices for trains in lists):
            return None
        t_start, t_stop = (lists[0]._spiketrain_metadata[name] for name in ("t_start", "t_stop"))
        if any(trains._spiketrain_metadata["t_start"] != t_start or trains._spiketrain_metadata["t_stop"] != t_stop
               for trains in lists):
            return None
        names = list(lists[0]._annotations)
        if any(list(trains._annotations) != names for trains in lists):
            return None
        annotations = {name: list(chain.from_iterable(_per_cell(trains, name) for trains in lists)) for name in names}
        times = [trains._slices[1] for trains in lists]
        offsets = np.cumsum([0] + [part.size for part in times[:-1]])

        def shifted(position: int) -> list[int]:   # each list's train starts (2) or stops (3), in the joined times
            return np.concatenate([np.asarray(t._slices[position], dtype=np.int64) + offset
                                   for t, offset in zip(lists, offsets)]).tolist()

        return cls.from_sorted(np.concatenate(times), np.concatenate([t._channel_id_array for t in lists]),
                               list(chain.from_iterable(t._all_channel_ids for t in lists)), shifted(2), shifted(3),
                               t_start=t_start, t_stop=t_stop, **annotations)

    def _spiketrains_from_array(self) -> None:
        slices = self._slices
        if slices is None or slices[0] is not self._spike_time_array:   # Neo changed the arrays
            super()._spiketrains_from_array()
            return
        _, times, starts, stops = slices   # times in ms, as numbers (SpikeTrain makes them faster)
        annotations = {name: _per_cell(self, name) for name in self._annotations}
        metadata = self._spiketrain_metadata
        items = []
        for k, channel_id in enumerate(self._all_channel_ids):
            train = SpikeTrain(times[starts[k]:stops[k]], units=pq.ms, **metadata)
            train.annotate(**{name: values[k] for name, values in annotations.items()}, channel_id=channel_id)
            train.segment = self.segment
            items.append(train)
        # From now on the trains are the content: Neo's list operations (append, +, ...) change
        # them, and ``multiplexed`` is made from them again, as for a list made of SpikeTrains.
        self._items = items
        self._spike_time_array = self._channel_id_array = self._all_channel_ids = None
        self._slices = None

    def _add_spiketrainlists(self, other: SpikeTrainList, in_place: bool = False) -> SpikeTrainList:
        """Joined as lists of trains, each keeping its annotations, in order (Neo joins two
        multiplexed lists into one without annotations, and refuses repeated cell ids)."""
        self._read()
        if other._items is None:
            other._spiketrains_from_array()
        return super()._add_spiketrainlists(other, in_place)

    def reverse(self) -> None:
        """Reverse the trains in place (Neo's list raises instead: ``raise self._items.reverse()``)."""
        self._read()
        self._items.reverse()

    def _read(self) -> None:
        if self._items is None:
            self._spiketrains_from_array()

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """Pickled and copied as Neo's SpikeTrainList (same state, without the slices)."""
        state = {name: value for name, value in self.__dict__.items() if name != "_slices"}
        return copyreg._reconstructor, (SpikeTrainList, object, None), state


def _reading_first(name: str) -> Any:
    """Neo's list method ``name``, after making the trains (Neo's own list methods that use
    the trains directly fail on a list not read yet)."""
    method = getattr(SpikeTrainList, name)

    def read_first(self: SortedSpikeTrainList, *args: Any, **kwargs: Any) -> Any:
        self._read()
        return method(self, *args, **kwargs)

    read_first.__name__, read_first.__doc__ = name, method.__doc__
    return read_first


for _name in ("__contains__", "count", "index", "insert", "pop", "remove", "sort", "clear"):
    setattr(SortedSpikeTrainList, _name, _reading_first(_name))


def _per_cell(trains: SortedSpikeTrainList, name: str) -> list[Any]:
    """One value per train of annotation ``name`` of a list made by ``from_sorted`` (as Neo
    splits annotations: a sequence as long as the list is one value per train)."""
    value = trains._annotations[name]
    n = len(trains._all_channel_ids)
    if not isinstance(value, str) and hasattr(value, "__len__") and len(value) == n:
        return list(value)
    return [value] * n
