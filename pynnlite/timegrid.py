"""User-given times (ms) onto the simulation's time grid: which step a time falls in.

Step k is the interval [k·dt, (k+1)·dt). A time within ``GRID_TOLERANCE`` of a step of a grid
point counts as that grid point, so that float noise does not move it a step: 0.3/0.1 is
2.9999999999999996 in floating point, and the sum of a thousand 0.1 ms is 99.9999999999986 ms.
The same tolerance decides whether a run length is a whole number of steps.
"""
from __future__ import annotations

import numpy as np

#: Distance from a grid point, in steps, below which a time is on the grid point.
GRID_TOLERANCE = 1e-6


def _in_steps(times_ms, dt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    steps = np.asarray(times_ms, dtype=float) / dt
    with np.errstate(invalid="ignore"):
        nearest = np.rint(steps)
        on_grid = np.abs(steps - nearest) <= GRID_TOLERANCE
    return steps, nearest, on_grid


def step_containing(times_ms, dt: float) -> np.ndarray:
    """The step containing each time, floor(t/dt), a time on a grid point starting that step
    (float array; infinite times stay infinite)."""
    steps, nearest, on_grid = _in_steps(times_ms, dt)
    return np.where(on_grid, nearest, np.floor(steps))


def first_step_from(times_ms, dt: float) -> np.ndarray:
    """The first step starting at or after each time, ceil(t/dt), a time on a grid point
    starting that step (float array; infinite times stay infinite)."""
    steps, nearest, on_grid = _in_steps(times_ms, dt)
    return np.where(on_grid, nearest, np.ceil(steps))


def nearest_step(times_ms, dt: float) -> np.ndarray:
    """The nearest whole number of steps to each time, a time half-way (to the tolerance)
    rounded up, as NEST rounds delays (float array)."""
    return np.floor(np.asarray(times_ms, dtype=float) / dt + 0.5 + GRID_TOLERANCE)


__all__ = ["GRID_TOLERANCE", "step_containing", "first_step_from", "nearest_step"]
