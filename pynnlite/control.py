"""The module-level functions of a backend (``setup``, ``run``, ``reset``, ``end``, ...).

Each backend module makes one ``SimulatorControl`` for its engine and exports its
bound methods, so ``sim.setup(...)`` creates a Simulation and makes it current.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Iterable

from pynnlite import simulation as _simulation
from pynnlite.errors import InvalidParameterValueError, is_finite_number
from pynnlite.simulation import Simulation
from pynnlite.utility import run_control as _run_control

#: Extra setup() arguments of other PyNN backends that pynnlite accepts and ignores.
IGNORED_EXTRAS = ("threads", "rng_seeds", "rng_seeds_seed", "spike_precision", "verbosity",
                  "use_cvode", "default_maxstep", "recording_precision", "allow_offgrid_spikes",
                  "t_flush", "tau_tol", "returns_on_spike", "rank", "num_processes", "grng_seed",
                  "rng_type", "rtol", "atol", "native_rng_baseseed")


class SimulatorControl:
    """setup/run/reset/end and the clock queries, for one backend."""

    def __init__(self, backend: str, engine_factory: Callable[[Simulation], Any],
                 comm_factory: Callable[[], Any] | None = None):
        self.backend = backend
        self.engine_factory = engine_factory
        self.comm_factory = comm_factory
        self.simulation: Simulation | None = None

    # -- life cycle -------------------------------------------------------------
    def setup(self, timestep: float = 0.1, min_delay: float | str = "auto", max_delay: float | str | None = "auto",
              **extra_params: Any) -> int:
        """Start a new simulation; returns this process's MPI rank.

        timestep, min_delay, max_delay in ms; min_delay and max_delay may be 'auto' (see
        ``get_min_delay``/``get_max_delay``). ``rng_seed`` (pynnlite extra) seeds the
        default random number generator; other backends' extras (e.g. ``threads``) and any
        other keyword are ignored with a warning.
        """
        rng_seed = extra_params.pop("rng_seed", None)
        ignored = [name for name in extra_params if name in IGNORED_EXTRAS]
        unknown = [name for name in extra_params if name not in IGNORED_EXTRAS]
        if ignored:
            warnings.warn(f"pynnlite ignores the setup() arguments {', '.join(sorted(ignored))}", stacklevel=2)
        if unknown:
            warnings.warn(f"unknown setup() arguments ignored: {', '.join(sorted(unknown))}", stacklevel=2)
        comm = self.comm_factory() if self.comm_factory else None
        simulation = Simulation(self.backend, self.engine_factory, timestep, min_delay, max_delay,
                                comm=comm, rng_seed=rng_seed)
        self.simulation = simulation
        _simulation.set_current(simulation)
        return simulation.comm.rank

    def _sim(self) -> Simulation:
        if self.simulation is None and not _simulation.has_current():
            self.setup()   # PyNN runs without setup() too
        return self.simulation if self.simulation is not None else _simulation.current()

    def end(self, compatible_output: bool = True) -> None:
        """Write data recorded with ``record(..., filename)`` or ``Population.record(..., to_file=...)``
        and finish the simulation."""
        if self.simulation is not None:
            for source, variables, filename, file_annotations in self.simulation.write_on_end:
                source.write_data(filename, variables, annotations=file_annotations)
            self.simulation.write_on_end = []
        self.simulation = None
        _simulation.set_current(None)

    def run(self, simtime: float, callbacks: Iterable[Callable[[float], float]] | None = None) -> float:
        """Advance the simulation by ``simtime`` ms; returns the new time (ms)."""
        sim = self._sim()
        _check_time("simtime", simtime)
        if simtime < 0:
            raise InvalidParameterValueError(f"simtime must be >= 0 ms, got {simtime}")
        sim.steps(simtime, "simtime")
        return self.run_until(sim.t + simtime, callbacks)

    def run_for(self, simtime: float, callbacks: Iterable[Callable[[float], float]] | None = None) -> float:
        """Advance the simulation by ``simtime`` ms (PyNN's alias of run)."""
        return self.run(simtime, callbacks)

    def list_standard_models(self) -> list[str]:
        """Names of the standard cell types this backend runs."""
        from pynnlite.models import cells
        return list(cells.__all__)

    def run_until(self, time_point: float, callbacks: Iterable[Callable[[float], float]] | None = None) -> float:
        """Advance the simulation until ``time_point`` ms. Each callback is called with the
        current time and returns the next time it wants to be called."""
        sim = self._sim()
        _check_time("time_point", time_point)
        sim.steps(time_point, "time_point")   # on the time grid (the current time always is)
        if time_point < sim.t - 1e-9:
            raise InvalidParameterValueError(
                f"time_point {time_point} ms is before the current time {sim.t} ms")
        if _run_control.skip_run(sim):        # pynnlite describe: construction only
            return sim.t
        if not callbacks:
            _run_control.advance(sim, time_point - sim.t)   # with a progress bar if long
            return sim.t
        # PyNN's event loop: every callback is called now; then, repeatedly, the simulation runs
        # to the earliest requested time (at most time_point) and the callbacks that asked for it
        # (or for a time within one step of it) are called again — also at time_point itself.
        # A callback returning None is not called again; one asking for a time not after the
        # current one is called again one step later.
        try:
            callbacks = list(callbacks)
        except TypeError:
            raise InvalidParameterValueError(f"callbacks must be a list of functions of the time, got {callbacks!r}") from None
        if not all(callable(c) for c in callbacks):
            raise InvalidParameterValueError(f"callbacks must be a list of functions of the time, got {callbacks!r}")

        def call(k: int) -> tuple[Any, int]:
            t = callbacks[k](sim.t)
            if t is not None:
                _check_time(f"the time returned by callback {callbacks[k]!r}", t)
            return t, k
        events = [call(k) for k in range(len(callbacks))]
        events = [(t, k) for t, k in events if t is not None]
        while events and sim.t + 1e-9 < time_point:
            events.sort()
            target = events[0][0]
            active = [k for t, k in events if t - target < sim.dt - 1e-9]
            events = [(t, k) for t, k in events if k not in active]
            target = min(max(sim.dt * round(target / sim.dt), sim.t + sim.dt), time_point)   # on the time grid
            _run_control.advance(sim, target - sim.t)
            called = [call(k) for k in active]
            events += [(t, k) for t, k in called if t is not None]
        if sim.t + 1e-9 < time_point:   # no callback wants to be called before the end
            _run_control.advance(sim, time_point - sim.t)
        return sim.t

    def reset(self, annotations: dict[str, Any] | None = None) -> None:
        """Return to time 0 with state variables at their initial values; weights are kept;
        recorded data continue in a new Neo Segment."""
        from pynnlite.populations import _check_annotations
        _check_annotations(annotations)
        self._sim().reset(annotations)

    # -- queries --------------------------------------------------------------------
    def get_current_time(self) -> float:
        return self._sim().t

    def get_time_step(self) -> float:
        return self._sim().dt

    def get_min_delay(self) -> float:
        return self._sim().min_delay

    def get_max_delay(self) -> float:
        """max_delay in ms; with min_delay 'auto', the largest delay of the network's connections
        (the time step while there are none), as PyNN+NEST reports it."""
        return self._sim().max_delay

    def num_processes(self) -> int:
        if self.simulation is None and _simulation._current is None:
            return self.comm_factory().size if self.comm_factory else 1
        return self._sim().comm.size

    def rank(self) -> int:
        if self.simulation is None and _simulation._current is None:
            return self.comm_factory().rank if self.comm_factory else 0
        return self._sim().comm.rank

    # -- procedural helpers -------------------------------------------------------------
    def initialize(self, cells: Any, **initial_values: Any) -> None:
        from pynnlite.common.procedural_api import initialize
        initialize(cells, **initial_values)

    def record(self, variables: Any, source: Any, filename: Any, sampling_interval: float | None = None,
               annotations: dict | None = None) -> None:
        """Record ``variables`` from ``source`` (a population, view, assembly or one cell) and
        write them to ``filename`` at ``end()``."""
        from pynnlite.common.procedural_api import check_cells
        from pynnlite.populations import ID, _check_annotations
        from pynnlite.recording import check_output
        check_cells(source)
        check_output(filename, "filename")
        _check_annotations(annotations)
        if isinstance(source, ID):
            source = source.as_view()
        source.record(variables, sampling_interval=sampling_interval)
        if annotations:
            source.annotate(**annotations)
        self._sim().write_on_end.append((source, variables, filename, annotations))

    def record_v(self, source: Any, filename: Any) -> None:
        """Record the membrane potential of ``source`` and write it to ``filename`` at ``end()``
        (PyNN's procedural shorthand for ``record(['v'], source, filename)``)."""
        self.record(["v"], source, filename)

    def record_gsyn(self, source: Any, filename: Any) -> None:
        """Record the synaptic conductances of ``source`` and write them to ``filename`` at
        ``end()`` (``record(['gsyn_exc', 'gsyn_inh'], source, filename)``)."""
        self.record(["gsyn_exc", "gsyn_inh"], source, filename)

    def create(self, cellclass: Any, cellparams: dict | None = None, n: int = 1, label: str | None = None):
        from pynnlite.populations import Population
        return Population(n, cellclass, cellparams=cellparams, label=label)

    def connect(self, pre: Any, post: Any, weight: Any = 0.0, delay: Any = None, receptor_type: str | None = None,
                p: float = 1, rng: Any = None):
        """Connect ``pre`` to ``post`` (populations or cells) with probability ``p``."""
        from pynnlite.connectors import AllToAllConnector, FixedProbabilityConnector
        from pynnlite.connectors.base import check_probability
        from pynnlite.models.synapses import StaticSynapse
        from pynnlite.populations import ID
        from pynnlite.projections import Projection
        if isinstance(pre, ID):
            pre = pre.parent[pre.index:pre.index + 1]
        if isinstance(post, ID):
            post = post.parent[post.index:post.index + 1]
        connector = AllToAllConnector() if check_probability("p", p) >= 1 else FixedProbabilityConnector(p, rng=rng)
        return Projection(pre, post, connector, StaticSynapse(weight=weight, delay=delay),
                          receptor_type=receptor_type)

    def describe(self, format: str = "text", template: str | None = "default", engine: str = "default") -> Any:
        """The whole-network report ('text', 'markdown' or 'html'); ``template=None`` gives the
        context dict. Only rank 0 gets the text under MPI."""
        from pynnlite import descriptions
        return descriptions.describe_network(self._sim(), format=format, template=template, engine=engine)

    def functions(self) -> dict[str, Callable]:
        names = ("setup", "end", "run", "run_for", "run_until", "list_standard_models", "reset", "get_current_time", "get_time_step",
                 "get_min_delay", "get_max_delay", "num_processes", "rank", "initialize", "record",
                 "record_v", "record_gsyn", "create", "connect", "describe")
        from pynnlite.common.procedural_api import set as set_
        return {**{name: getattr(self, name) for name in names}, "set": set_}


def _check_time(name: str, value: Any) -> None:
    if not is_finite_number(value):
        raise InvalidParameterValueError(f"{name} must be a finite number of ms, got {value!r}")
