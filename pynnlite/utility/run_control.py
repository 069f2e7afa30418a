"""How ``run()`` advances a simulation: with a progress bar on the terminal when it takes a
while, or not at all while ``pynnlite describe`` builds a network (construction only).

``SimulatorControl.run_until`` (``pynnlite/control.py``) asks :func:`skip_run` first and
then advances with :func:`advance`.

Progress bar
    Shown on standard error, on MPI rank 0 of a one-process simulation, when standard
    error is a terminal and the run is expected to take more than 2 s of wall time.
    ``show_progress(False)``, the environment variable ``PYNNLITE_PROGRESS=0`` or
    ``pynnlite run --no-progress`` turn it off. The run is then advanced in chunks of
    whole time steps (about half a second of wall time each); the result is the same as
    one uninterrupted run. Under more than one MPI process the bar is off, since every
    process must advance by the same steps.
"""
from __future__ import annotations

import os
import time
from typing import IO, Any

from pynnlite.utility.progress_bar import RunProgress, terminal_stream

#: Environment variable: ``0``/``off``/``no``/``false`` turn the run progress bar off.
PROGRESS_ENV = "PYNNLITE_PROGRESS"
#: Wall time (s) a chunk of a run shown with a bar should take.
CHUNK_WALL_TIME = 0.5
#: Runs of fewer time steps are never cut into chunks (loops of short runs cost nothing extra).
MIN_STEPS = 200
#: No-op runs in a row at the same simulated time after which construction-only mode stops
#: the script (it is waiting, in a loop, for time to pass).
MAX_IDLE_RUNS = 10000

_progress: dict[str, Any] = {"enabled": None, "stream": None, "show_after": 2.0}
_construction: dict[str, Any] = {"active": False, "simulations": [], "idle_runs": 0}


class ConstructionFinished(BaseException):
    """Raised in construction-only mode when a script keeps calling ``run()`` in a loop
    waiting for simulated time to pass (a BaseException, so scripts do not catch it)."""


# -- progress bar ---------------------------------------------------------------------
def show_progress(enabled: bool | None = True, stream: IO[str] | None = None, show_after: float = 2.0) -> None:
    """Turn the run progress bar on (``True``: whenever the output is a terminal), off
    (``False``), or back to the environment's choice (``None``).

    stream: where to draw it instead of the terminal (shown even if not a TTY);
    show_after: expected wall time (s) of a run above which the bar appears.
    """
    _progress.update(enabled=enabled, stream=stream, show_after=float(show_after))


def progress_enabled() -> bool:
    """Whether long runs may show the bar (before looking at the terminal)."""
    if _progress["enabled"] is not None:
        return bool(_progress["enabled"])
    return os.environ.get(PROGRESS_ENV, "1").strip().lower() not in ("0", "off", "no", "false")


def _progress_stream(sim: Any) -> IO[str] | None:
    if not progress_enabled() or sim.comm.size > 1:
        return None
    return _progress["stream"] if _progress["stream"] is not None else terminal_stream()


def advance(sim: Any, duration: float) -> float:
    """Advance ``sim`` (a ``Simulation``) by ``duration`` ms exactly as ``sim.run(duration)``,
    drawing the progress bar if the run turns out to be long; returns the new time (ms)."""
    if -1e-9 < duration < 0:
        duration = 0.0                           # rounding error of a target time just reached
    stream = _progress_stream(sim)
    n_total = sim.steps(duration) if duration > 0 else 0
    if stream is None or n_total < MIN_STEPS:
        return sim.run(duration)
    dt = sim.dt
    bar = RunProgress(sim.t, sim.t + n_total * dt, stream=stream, show_after=_progress["show_after"])
    done = 0
    chunk = max(n_total // 100, 1)
    try:
        while done < n_total:
            steps = min(chunk, n_total - done)
            started = time.perf_counter()
            sim.run(steps * dt)                  # exactly ``steps`` steps
            done += steps
            took = max(time.perf_counter() - started, 1e-6)
            if not bar.shown:
                expected = took * n_total / max(done, 1) if done == steps else bar.estimate_total(sim.t)
                if expected is None or expected < bar.show_after:
                    chunk = n_total - done       # short run: finish in one go, no bar
                    continue
                bar.shown = True
            bar.update(sim.t)
            chunk = max(int(steps * CHUNK_WALL_TIME / took), 1)
    finally:
        bar.close()
    return sim.t


# -- construction only (pynnlite describe) -----------------------------------------------
def construction_only(active: bool = True) -> None:
    """Make every ``run()``/``run_until()`` a no-op (True) or simulate again (False).

    Simulations whose run was skipped are remembered, in order, for
    :func:`skipped_simulations` (until construction-only mode is next turned on).
    """
    if active:
        _construction.update(simulations=[], idle_runs=0)
    _construction["active"] = bool(active)


def is_construction_only() -> bool:
    return bool(_construction["active"])


def skipped_simulations() -> list[Any]:
    """The simulations whose runs were skipped in construction-only mode, in order."""
    return list(_construction["simulations"])


def skip_run(sim: Any) -> bool:
    """True (and remember ``sim``) if runs are skipped: the caller then returns at once."""
    if not _construction["active"]:
        return False
    if not any(s is sim for s in _construction["simulations"]):
        _construction["simulations"].append(sim)
        _construction["idle_runs"] = 0
    _construction["idle_runs"] += 1
    if _construction["idle_runs"] > MAX_IDLE_RUNS:
        raise ConstructionFinished(f"run() called {MAX_IDLE_RUNS} times without simulating")
    return True
