"""Current sources injected into cells: DC, sinusoidal, stepwise and noisy currents (nA)."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from pynnlite import simulation as _simulation
from pynnlite.errors import (InvalidDimensionsError, InvalidParameterValueError, InvalidTypeError,
                             NonExistentAttributeError, RecordingError, check_finite)
from pynnlite.models.base import ModelType
from pynnlite.parameters import Sequence
from pynnlite.timegrid import first_step_from, time_of


#: PyNN's default ``stop`` (ms) of its current sources: in practice, never.
NEVER = 1e12


class CurrentSource(ModelType):
    """Base class: a current (nA) that is a function of time, injected into cells."""

    infinite_allowed: ClassVar[frozenset[str]] = frozenset({"stop"})   # (never stops)
    #: A current source has no state variables (PyNN declares the empty dict too).
    default_initial_values: ClassVar[dict[str, Any]] = {}

    def __init__(self, **parameters: Any):
        super().__init__(**parameters)
        self.targets: list[Any] = []
        self.simulation = None
        self.recording = False
        self._trace: list[tuple[np.ndarray, np.ndarray]] = []   # (times, nA) per run

    # -- recording the injected current ---------------------------------------------------
    def record(self) -> None:
        """Record the current this source injects (into its first target cell), from now on."""
        self.recording = True

    def record_window(self, first_step: int, n_steps: int, dt: float, stream: int) -> None:
        """Called by the engine before each run: the current of the coming steps."""
        if not (self.recording and self.targets):
            return
        times = (first_step + np.arange(n_steps)) * dt
        self._trace.append((times, self._first_target_current(times, stream)))

    def _first_target_current(self, times: np.ndarray, stream: int) -> np.ndarray:
        first = self.targets[0]
        key = np.asarray(first.id_array()[:1], dtype=np.int64)
        amps = self.current_at(times, 1, stream, key)
        return amps[:, 0] if amps.ndim == 2 else amps

    def clear_recording(self) -> None:
        self._trace = []

    def get_data(self):
        """The recorded current as a neo.AnalogSignal (nA), sampled at every time step from the
        start of recording to the current time."""
        import neo
        import quantities as pq
        if not self.recording or self.simulation is None:
            raise RecordingError(message="call record() on the current source before running to get its data")
        sim = self.simulation
        final = np.array([sim.t])
        stream = sim.engine.source_stream(self)
        times = [t for t, _ in self._trace] + [final]
        values = [v for _, v in self._trace] + [self._first_target_current(final, stream)]
        return neo.AnalogSignal(np.concatenate(values)[:, None] * pq.nA, sampling_period=sim.dt * pq.ms,
                                t_start=float(np.concatenate(times)[0]) * pq.ms, name="i",
                                source=type(self).__name__)

    def inject_into(self, cells: Any) -> None:
        """Inject this current into every cell of ``cells`` (a population, view or assembly,
        an ID or a list of IDs). Spike sources cannot take a current (as in PyNN)."""
        from pynnlite.populations import BasePopulation, ID
        if isinstance(cells, ID):
            groups = [cells.as_view()]
        elif isinstance(cells, (list, tuple)) and cells and all(isinstance(c, ID) for c in cells):
            groups = [cell.as_view() for cell in cells]
        elif isinstance(cells, BasePopulation):
            groups = [cells]
        else:
            raise InvalidParameterValueError(f"cells must be a population, view, assembly or IDs, got {cells!r}")
        for group in groups:   # every target checked before any is added
            for pop, _ in group._segments():
                if not pop.celltype.injectable:   # PyNN: TypeError("Can't inject current into a spike source.")
                    raise InvalidTypeError(
                        f"cells: cannot inject a current into {pop.label}: {pop.celltype.name} cells are "
                        "not injectable (spike sources have no membrane)")
            self._check_timing(self.parameter_space, group.simulation)
        for group in groups:
            self.simulation = group.simulation
            self.targets.append(group)
            if self not in group.simulation.current_sources:
                group.simulation.current_sources.append(self)
            group.simulation.engine.current_sources_changed()

    def check_value(self, name: str, value: Any) -> Any:
        """As a model's, and one number (not one per cell) for each parameter but the sequences;
        a RandomDistribution (or function of the index) gives one value, drawn here, as PyNN's
        current sources evaluate their parameters for one element."""
        if name not in self.sequence_parameters and (callable(value) or hasattr(value, "lazily_evaluate")):
            from pynnlite.parameters import evaluate
            value = float(evaluate(value, name, 1)[0])
        value = super().check_value(name, value)
        if name not in self.sequence_parameters and np.ndim(value) != 0:
            raise InvalidDimensionsError(f"{name} of a current source must be one number, got {value!r}")
        return value

    def check_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """Each value checked, then start <= stop (NEST: 'stop >= start required') and the
        source's timing against the simulation's time step (when there is one)."""
        checked = super().check_parameters(parameters)
        values = {**self.__dict__.get("parameter_space", {}), **checked}
        if "start" in checked or "stop" in checked:
            start, stop = values.get("start"), values.get("stop")
            if start is not None and stop is not None and np.any(np.asarray(stop) < np.asarray(start)):
                raise InvalidParameterValueError(f"stop must be >= start, got start={start} ms and stop={stop} ms")
        simulation = self.__dict__.get("simulation") or _simulation._current
        if simulation is not None:
            self._check_timing(values, simulation)
        return checked

    def _check_timing(self, values: dict[str, Any], simulation: Any) -> None:
        """Raise if ``values`` cannot be played with ``simulation``'s time step (none here)."""

    def get_parameters(self) -> dict[str, Any]:
        """Every parameter of this source by name, in PyNN's units (as PyNN's get_parameters())."""
        return dict(self.parameter_space)

    def set_parameters(self, copy: bool = True, **parameters: Any) -> None:
        """Set parameters by name (PyNN's units). ``copy`` is PyNN's flag; values are always copied."""
        self.parameter_space.update(self.check_parameters(parameters))
        if self.simulation is not None:
            self.simulation.engine.current_sources_changed()

    def __getattr__(self, name: str) -> Any:
        space = self.__dict__.get("parameter_space", {})
        if name in space:
            return space[name]
        if name.startswith("_"):
            raise AttributeError(name)
        # PyNN: NonExistentParameterError (a KeyError); also an AttributeError, for hasattr()
        raise NonExistentAttributeError(name, type(self).__name__, type(self).default_parameters)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self).default_parameters:
            self.set_parameters(**{name: value})
        else:
            super().__setattr__(name, value)

    def _p(self, name: str) -> float:
        return float(self.parameter_space[name])

    def _active(self, times: np.ndarray) -> np.ndarray:
        """Whether the current flows in each step starting at ``times`` (ms): from the first step
        starting at or after ``start`` to the last one starting before ``stop``, a start or stop
        within float noise of a grid point being on it (4.300000000000001 ms is 4.3 ms, as NEST
        has it; ``pynnlite.timegrid``)."""
        stop = self.parameter_space.get("stop")
        stop = np.inf if stop is None else float(stop)
        dt = self.simulation.dt
        steps = np.rint(np.asarray(times, dtype=float) / dt)
        return (steps >= first_step_from(self._p("start"), dt)) & (steps < first_step_from(stop, dt))

    def current_at(self, times: np.ndarray, n_targets: int, stream: int, target_keys: np.ndarray) -> np.ndarray:
        """Current (nA) during the steps starting at ``times`` (ms): shape (len(times),),
        or (len(times), n_targets) for sources that differ per target."""
        raise NotImplementedError  # pragma: no cover - abstract

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context["targets"] = [t.label for t in self.targets]
        return context


class DCSource(CurrentSource):
    """A constant current ``amplitude`` (nA) from ``start`` to ``stop`` (ms)."""

    default_parameters: ClassVar[dict] = {"amplitude": 1.0, "start": 0.0, "stop": NEVER}
    units: ClassVar[dict] = {"amplitude": "nA", "start": "ms", "stop": "ms"}
    description = "constant current"

    def check_value(self, name: str, value: Any) -> Any:
        return None if value is None else super().check_value(name, value)

    def current_at(self, times, n_targets, stream, target_keys):
        return np.where(self._active(times), self._p("amplitude"), 0.0)


class ACSource(CurrentSource):
    """A sinusoidal current from ``start``: offset + amplitude·sin(2π·frequency·(t − start) + phase)
    (nA, Hz, degrees); as PyNN, the phase holds at ``start``, not at t = 0."""

    default_parameters: ClassVar[dict] = {"amplitude": 1.0, "offset": 0.0, "frequency": 10.0, "phase": 0.0,
                                          "start": 0.0, "stop": NEVER}
    units: ClassVar[dict] = {"amplitude": "nA", "offset": "nA", "frequency": "Hz", "phase": "deg",
                             "start": "ms", "stop": "ms"}
    constraints: ClassVar[dict] = {"frequency": "non_negative"}
    description = "sinusoidal current"

    def check_value(self, name: str, value: Any) -> Any:
        return None if value is None else super().check_value(name, value)

    def current_at(self, times, n_targets, stream, target_keys):
        phase = np.deg2rad(self._p("phase"))
        value = self._p("offset") + self._p("amplitude") * np.sin(
            2 * np.pi * self._p("frequency") * (times - self._p("start")) / 1000.0 + phase)
        return np.where(self._active(times), value, 0.0)


class StepCurrentSource(CurrentSource):
    """A current that changes to ``amplitudes[k]`` (nA) at ``times[k]`` (ms)."""

    default_parameters: ClassVar[dict] = {"amplitudes": Sequence([]), "times": Sequence([])}
    units: ClassVar[dict] = {"amplitudes": "nA", "times": "ms"}
    sequence_parameters = ("amplitudes", "times")
    description = "stepwise current"

    def check_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        checked = super().check_parameters(parameters)
        for name, value in checked.items():
            checked[name] = value if isinstance(value, Sequence) else Sequence(value)
        times = checked.get("times", self.__dict__.get("parameter_space", {}).get("times", Sequence([])))
        amps = checked.get("amplitudes", self.__dict__.get("parameter_space", {}).get("amplitudes", Sequence([])))
        if len(times) != len(amps):
            raise InvalidParameterValueError(
                f"times and amplitudes must have the same length, got {len(times)} and {len(amps)}")
        check_finite("times", times.value)
        check_finite("amplitudes", amps.value)
        if len(times) and times.value.min() < 0:
            raise InvalidParameterValueError(f"times must be >= 0 ms, got {times.value.min()}")
        if len(times) > 1 and np.any(np.diff(times.value) <= 0):
            raise InvalidParameterValueError("times must be in increasing order")
        if len(times):  # to the time grid, as PyNN: a later step at the same grid time wins
            current = _simulation._current
            if current is not None:
                steps = np.rint(times.value / current.dt).astype(np.int64)
                last = np.r_[steps[1:] != steps[:-1], True]
                times = Sequence(time_of(steps[last], current.dt))
                amps = Sequence(amps.value[last])
            checked["times"], checked["amplitudes"] = times, amps
        return checked

    def current_at(self, times, n_targets, stream, target_keys):
        step_times = self.parameter_space["times"].value
        values = self.parameter_space["amplitudes"].value
        k = np.searchsorted(step_times, times + 1e-9, side="right") - 1
        return np.where(k >= 0, values[np.maximum(k, 0)] if values.size else 0.0, 0.0)


class NoisyCurrentSource(CurrentSource):
    """Gaussian white-noise current with ``mean`` and ``stdev`` (nA), a new value every
    ``dt`` ms (default 0.1 ms, as PyNN, whatever the time step), independent for each target
    cell (as NEST's noise_generator). ``dt`` must be a whole number of simulation time steps
    (None: the time step)."""

    default_parameters: ClassVar[dict] = {"mean": 0.0, "stdev": 1.0, "start": 0.0, "stop": NEVER, "dt": 0.1}
    units: ClassVar[dict] = {"mean": "nA", "stdev": "nA", "start": "ms", "stop": "ms", "dt": "ms"}
    constraints: ClassVar[dict] = {"stdev": "non_negative", "dt": "positive"}
    description = "Gaussian noise current"

    def check_value(self, name: str, value: Any) -> Any:
        return None if value is None else super().check_value(name, value)

    def _check_timing(self, values: dict[str, Any], simulation: Any) -> None:
        """``dt`` must be a whole number of time steps: NEST's noise_generator refuses any
        other (StepMultipleRequired), so a dt below the time step is an error, not rounded."""
        if values.get("dt") is not None:
            simulation.steps(float(values["dt"]), "dt")

    def current_at(self, times, n_targets, stream, target_keys):
        from pynnlite.random import keyed_uniform
        from scipy.special import ndtri
        sim_dt = self.simulation.dt if self.simulation is not None else 0.1
        interval = self.parameter_space.get("dt") or sim_dt
        interval = max(sim_dt, round(float(interval) / sim_dt) * sim_dt)
        draw = np.floor(times / interval + 1e-9).astype(np.int64)
        u = keyed_uniform(stream, target_keys[None, :], draw[:, None])
        values = self._p("mean") + self._p("stdev") * ndtri(u)
        return np.where(self._active(times)[:, None], values, 0.0)


__all__ = ["DCSource", "ACSource", "StepCurrentSource", "NoisyCurrentSource"]
