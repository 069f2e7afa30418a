"""Helpers for simulation scripts, with the names of PyNN 0.13's ``pyNN.utility``.

Command line and files
    ``get_simulator``, ``get_script_args``, ``init_logging``, ``normalized_filename``,
    ``notify``
Timing and progress
    ``Timer``, ``ProgressBar``, ``SimulationProgressBar``; ``show_progress`` turns the
    bar that long ``run()`` calls draw on the terminal on or off
Data
    ``save_population``/``load_population`` (spike times of a population, replayed by a
    ``SpikeSourceArray``), ``sort_by_column``, ``forgetful_memoize``
Plots
    ``pynnlite.utility.plotting`` (needs matplotlib: ``pip install "pynnlite[plot]"``);
    ``connection_plot`` (text) is available here too.
"""
from __future__ import annotations

import functools
import pickle
from typing import Any, Callable

import numpy as np

from pynnlite.utility.progress_bar import ProgressBar, SimulationProgressBar
from pynnlite.utility.run_control import show_progress
from pynnlite.utility.script_tools import (get_script_args, get_simulator, init_logging, normalized_filename,
                                           notify)
from pynnlite.utility.timer import Timer

__all__ = ["get_simulator", "get_script_args", "init_logging", "normalized_filename", "notify", "Timer",
           "ProgressBar", "SimulationProgressBar", "show_progress", "save_population", "load_population",
           "sort_by_column", "forgetful_memoize", "connection_plot"]


def connection_plot(projection: Any, positive: str = "O", zero: str = ".", empty: str = " ",
                    spacer: str = "") -> str:
    """The connection matrix of ``projection`` as text, one line per pre-synaptic cell:
    ``positive`` where a connection has a non-zero weight, ``zero`` where its weight is 0,
    ``empty`` where there is no connection; ``spacer`` between columns."""
    weights = np.asarray(projection.get("weight", format="array"), dtype=float)
    image = np.full(weights.shape, empty, dtype=object)
    connected = ~np.isnan(weights)
    image[connected & (weights != 0)] = positive
    image[connected & (weights == 0)] = zero
    return "\n".join(spacer.join(row) for row in image)


def save_population(population: Any, filename: str, variables: list[str] | None = None) -> None:
    """Save the recorded spike times, size, label and positions of ``population`` (and the
    values of the parameters named in ``variables``) to ``filename`` (a pickle), for
    :func:`load_population`."""
    segment = population.get_data("spikes").segments[-1]
    spike_times = [np.array([])] * population.size
    for train in segment.spiketrains:
        spike_times[int(train.annotations["source_index"])] = np.asarray(train.rescale("ms").magnitude)
    record = {"label": population.label, "size": population.size, "positions": population.positions,
              "spike_times": spike_times,
              "variables": {name: population.get(name, gather=True) for name in (variables or [])}}
    if population.simulation.comm.rank == 0:   # under MPI rank 0 holds every cell's data
        with open(filename, "wb") as handle:
            pickle.dump(record, handle)


def load_population(filename: str, sim: Any) -> Any:
    """A ``SpikeSourceArray`` population (created with simulator module ``sim``) that
    replays the spikes saved by :func:`save_population`."""
    from pynnlite.errors import InvalidParameterValueError
    from pynnlite.parameters import Sequence
    try:
        with open(filename, "rb") as handle:
            record = pickle.load(handle)
        times = [Sequence(t) for t in record["spike_times"]]
        size, label, positions, variables = record["size"], record["label"], record["positions"], record["variables"]
    except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError, AttributeError, ValueError) as error:
        raise InvalidParameterValueError(
            f"filename: cannot load a population from {filename!r}, which save_population() did not "
            f"write or cannot be read ({type(error).__name__}: {error})") from None
    population = sim.Population(size, sim.SpikeSourceArray(spike_times=times), label=label)
    population.positions = positions
    for name, value in variables.items():
        if population.celltype.has_parameter(name):
            population.set(**{name: value})
    return population


def sort_by_column(a: np.ndarray, col: int) -> np.ndarray:
    """The rows of 2-D array ``a`` ordered by column ``col``."""
    return a[np.argsort(a[:, col], kind="stable"), :]


class forgetful_memoize:  # noqa: N801 - PyNN's name
    """Decorator remembering only the last call: the same arguments again return the
    remembered result without calling the function."""

    def __init__(self, func: Callable):
        self.func = func
        self.cached_args: tuple | None = None
        self.cached_value: Any = None
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any) -> Any:
        if self.cached_args is not None and _same(args, self.cached_args):
            return self.cached_value
        value = self.func(*args)
        self.cached_args, self.cached_value = args, value
        return value

    def __get__(self, obj: Any, objtype: Any = None) -> Callable:
        return functools.partial(self.__call__, obj)


def _same(a: tuple, b: tuple) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x is y:
            continue
        try:
            equal = x == y
            if isinstance(equal, np.ndarray):
                equal = equal.shape == np.shape(x) == np.shape(y) and bool(equal.all())
            if not equal:
                return False
        except Exception:  # noqa: BLE001 - incomparable arguments are different
            return False
    return True
