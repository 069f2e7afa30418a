"""The state of one simulation: clock, time step, delays, the objects built and the engine.

One explicit ``Simulation`` object is owned by a backend; API objects refer to it.
The module-level ``setup``/``run``/... functions of a backend are thin conveniences
over the *current* simulation, which ``setup()`` creates.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np

from pynnlite.errors import (InvalidParameterValueError, PynnliteError, SimulationNotSetUpError, check_finite,
                             is_finite_number)
from pynnlite.random import NumpyRNG
from pynnlite.timegrid import grid_point, nearest_step, time_of

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.populations import Population
    from pynnlite.projections import Projection


class SingleProcess:
    """The communicator of a one-process simulation (the MPI backend supplies a real one)."""

    rank = 0
    size = 1

    def allgather_arrays(self, array: np.ndarray) -> list[np.ndarray]:
        return [array]

    def gather_arrays(self, array: np.ndarray, root: int = 0) -> list[np.ndarray] | None:
        return [array]

    def allreduce_sum(self, value: float) -> float:
        return value

    def bcast(self, value: Any, root: int = 0) -> Any:
        return value

    def barrier(self) -> None:
        pass

    def allreduce_min(self, value: float) -> float:
        return value

    def agree_on_error(self, error: BaseException | None) -> None:
        """Raise ``error`` if there is one (with several processes: the same error on every
        process when any of them failed; see ``same_error_on_every_process``)."""
        if error is not None:
            raise error

    def begin_spike_exchange(self, keys: np.ndarray, tag: int = 0) -> "Exchanged":
        """Start exchanging a slice's spike keys (int64); ``.finish()`` returns the keys of
        every process, sorted. ``tag`` (the slice) must be the same on every process."""
        return Exchanged(np.sort(keys))

    def collect_columns(self, columns: list[np.ndarray], gather: Any, post: np.ndarray,
                        order: np.ndarray | None = None) -> list[np.ndarray]:
        """Connection columns of every process in creation order (one process: this one's).
        ``order``: the creation-order key of each connection (list row, or pre × n_post + post
        for connectors in (pre, post) order); None on one process (else ``post`` is the key)."""
        return columns


@contextmanager
def same_error_on_every_process(comm: Any) -> Iterator[None]:
    """Run a block that checks this process's own part of the data (its connections): when the
    block raises an error on any process (a pynnlite error, or e.g. the ZeroDivisionError of a
    user's function that fails on some processes' cells only), every process raises the same
    error (class and message), so that a script catching it goes on with the same network everywhere.
    Every process must run the block (one collective at its end).

    The error chosen is the one a single process checking every connection raises: the
    failing processes' errors are compared by their ``order_key`` (``ordered``,
    ``check_stage``: which check, then the position of the first offending connection or the
    extreme value the message reports), then by rank."""
    try:
        yield
    except Exception as error:   # also a user's function failing on some processes' cells only
        comm.agree_on_error(error)
        raise
    comm.agree_on_error(None)


def ordered(error: PynnliteError, *key: float) -> PynnliteError:
    """``error`` with ``key`` put in front of its order key (see same_error_on_every_process)."""
    error.order_key = tuple(float(k) for k in key) + getattr(error, "order_key", ())
    return error


@contextmanager
def check_stage(*key: float) -> Iterator[None]:
    """Put ``key`` in front of the order key of a pynnlite error raised in the block: the
    block's place among the checks of a same_error_on_every_process block."""
    try:
        yield
    except PynnliteError as error:
        ordered(error, *key)
        raise


class Exchanged:
    """An exchange complete when it began (one process)."""

    def __init__(self, result: Any):
        self.result = result

    def finish(self) -> Any:
        return self.result


#: max_delay (ms) when min_delay is given and max_delay is not: PyNN+NEST's value.
MAX_DELAY_FOR_GIVEN_MIN_DELAY = 10.0


class Simulation:
    """Clock, settings and registry of the objects of one simulated network."""

    def __init__(self, backend: str, engine_factory: Callable[["Simulation"], Any],
                 timestep: float = 0.1, min_delay: float | str = "auto",
                 max_delay: float | None = None, comm: Any = None, rng_seed: int | None = None):
        if not is_finite_number(timestep) or not timestep > 0:
            raise InvalidParameterValueError(f"timestep must be a finite number > 0 ms, got {timestep!r}")
        if min_delay != "auto":
            if not is_finite_number(min_delay) or not min_delay >= timestep:
                raise InvalidParameterValueError(
                    f"min_delay must be 'auto' or a finite number >= timestep ({timestep} ms), got {min_delay!r}")
        if max_delay == "auto":     # PyNN's default
            max_delay = None
        if max_delay is not None:
            lower = timestep if min_delay == "auto" else min_delay
            if not is_finite_number(max_delay) or not max_delay >= lower:
                raise InvalidParameterValueError(
                    f"max_delay must be 'auto', None or a number >= {lower} ms, got {max_delay!r}")
        self.backend = backend
        self.dt = float(timestep)
        self.min_delay_setting = min_delay
        self.max_delay_setting = max_delay
        self.comm = comm if comm is not None else SingleProcess()
        self.rng_seed = rng_seed
        self.default_rng = NumpyRNG(seed=rng_seed if rng_seed is not None else 4242)
        self.step_count = 0
        self.segment_counter = 0
        self.next_id = 0
        self.populations: list[Population] = []
        self.projections: list[Projection] = []
        self.current_sources: list[Any] = []
        self.annotations: dict[str, Any] = {}
        #: (cells, variables, file, annotations) to write at end(), from record(..., to_file)
        self.write_on_end: list[tuple[Any, Any, Any, Any]] = []
        self.engine = engine_factory(self)

    # -- clock --------------------------------------------------------------
    @property
    def t(self) -> float:
        """Current time in ms (rounded to 12 decimals, as PyNN: 101 steps of 0.1 ms are 10.1)."""
        return time_of(self.step_count, self.dt)

    def steps(self, duration_ms: float, name: str = "simtime") -> int:
        """Number of time steps in ``duration_ms``, which must be a whole number of them (as NEST
        requires: a run of 0.06 ms with dt = 0.1 ms would otherwise silently not advance);
        ``name``: the argument the error names."""
        whole, on_grid = grid_point(duration_ms, self.dt)
        if not on_grid:
            raise InvalidParameterValueError(
                f"{name} must be a whole number of time steps ({self.dt} ms), got {duration_ms} ms")
        return int(whole)

    def delay_steps(self, delay_ms: np.ndarray | float) -> np.ndarray:
        """Delays in ms rounded to the nearest whole number of steps, half-way up as NEST rounds
        them (0.15 ms at dt = 0.1 ms is 2 steps), and at least one step."""
        return np.maximum(nearest_step(delay_ms, self.dt), 1).astype(np.int32)

    @property
    def min_delay(self) -> float:
        """min_delay in ms; with 'auto', the smallest delay of the network's spike-transmitting
        connections (the time step while there are none), as PyNN+NEST reports it."""
        if self.min_delay_setting == "auto":
            return time_of((self.delay_steps_range() or (1, 1))[0], self.dt)
        return float(self.min_delay_setting)

    @property
    def delay_lower_bound(self) -> float:
        """The smallest delay (ms) a connection may have: the time step, or min_delay if set."""
        return self.dt if self.min_delay_setting == "auto" else float(self.min_delay_setting)

    @property
    def max_delay(self) -> float:
        """max_delay in ms, as PyNN+NEST reports it: with min_delay 'auto' (NEST then ignores a
        given max_delay) the largest delay of the network's spike-transmitting connections (the
        time step while there are none); with a given min_delay, the given max_delay, else
        MAX_DELAY_FOR_GIVEN_MIN_DELAY (or min_delay if larger)."""
        if self.min_delay_setting == "auto":
            return time_of((self.delay_steps_range() or (1, 1))[1], self.dt)
        if self.max_delay_setting is None:
            return max(MAX_DELAY_FOR_GIVEN_MIN_DELAY, float(self.min_delay_setting))
        return float(self.max_delay_setting)

    def delay_steps_range(self) -> tuple[int, int] | None:
        """Smallest and largest delay (steps) of the spike-transmitting connections of all
        processes; None while there are none. Under MPI every process must call it."""
        tables = [p._table for p in self.projections
                  if len(p._table) and getattr(p.synapse_type, "transmits_spikes", True)]
        none = 2**31 - 1
        smallest = min((int(t.delay_steps.min()) for t in tables), default=none)
        largest = max((int(t.delay_steps.max()) for t in tables), default=-none)
        if self.comm.size > 1:
            smallest = int(self.comm.allreduce_min(smallest))
            largest = -int(self.comm.allreduce_min(-largest))
        return None if smallest == none else (smallest, largest)

    @property
    def max_delay_enforced(self) -> bool:
        """Whether delays above max_delay are refused: when min_delay is given (as NEST)."""
        return self.min_delay_setting != "auto"

    def check_delays(self, delays: np.ndarray, name: str = "delay") -> None:
        """Raise if any delay (ms) is not finite, below the time step or min_delay, above
        max_delay, or too long to count in steps."""
        delays = np.asarray(delays, dtype=float)
        if delays.size == 0:
            return
        with check_stage(0):
            check_finite(name, delays)
        low = self.delay_lower_bound
        smallest = float(delays.min())
        if smallest < low - 1e-9 * max(1.0, low):
            raise ordered(InvalidParameterValueError(
                f"{name} must be >= {'the time step' if self.min_delay_setting == 'auto' else 'min_delay'} "
                f"({low} ms), got {smallest} ms"), 1, smallest)
        largest = float(delays.max())
        if self.max_delay_enforced and largest > self.max_delay * (1 + 1e-9):
            raise ordered(InvalidParameterValueError(
                f"{name} must be <= max_delay ({self.max_delay} ms), got {largest} ms"), 2, -largest)
        if largest / self.dt >= 2**30:   # delays are counted in int32 steps
            raise ordered(InvalidParameterValueError(
                f"{name} must be below {2**30 * self.dt:g} ms (2**30 time steps), got {largest} ms"), 2, -largest)

    # -- registry -----------------------------------------------------------
    def allocate_ids(self, n: int) -> int:
        first = self.next_id
        self.next_id += n
        return first

    def run(self, simtime: float) -> float:
        if not simtime >= 0:
            raise InvalidParameterValueError(f"simtime must be >= 0 ms, got {simtime}")
        n = self.steps(simtime)
        if n:
            self.engine.run(n)
        return self.t

    def reset(self, annotations: dict[str, Any] | None = None) -> None:
        stop_step = self.step_count
        self.engine.reset()
        self.step_count = 0
        self.segment_counter += 1
        for population in self.populations:
            population.recorder.new_segment(annotations or {}, stop_step)


_current: Simulation | None = None
_default_setup: Callable[[], Any] | None = None


def current() -> Simulation:
    """The simulation created by the last ``setup()``. With none, a network built or run
    without ``setup()`` (as PyNN allows) gets one from the default ``setup()`` of the last
    backend imported; a clear error if no backend is."""
    if _current is None and _default_setup is not None:
        _default_setup()
    if _current is None:
        raise SimulationNotSetUpError("call setup() before creating or running a network")
    return _current


def has_current() -> bool:
    """Whether a simulation has been set up (and not ended)."""
    return _current is not None


def set_default_setup(setup: Callable[[], Any]) -> None:
    """The setup() ``current()`` calls when there is no simulation: each backend module
    registers its own on import, so it is that of the backend imported last."""
    global _default_setup
    _default_setup = setup


def set_current(simulation: Simulation | None) -> None:
    global _current
    _current = simulation
