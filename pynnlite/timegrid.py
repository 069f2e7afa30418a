"""User-given times (ms) onto the simulation's time grid: which step a time falls in.

Step k is the interval [k·dt, (k+1)·dt). A time within float noise of a grid point counts as
that grid point, so that rounding errors do not move it a step: 0.3/0.1 is
2.9999999999999996 in floating point, and the sum of a thousand 0.1 ms is 99.9999999999986 ms.
Float noise is ``grid_tolerance``: 10⁻⁹ of a step plus 10⁻¹³ of the step count (a few hundred
units in the last place of the time), far below any time a user means to be off the grid.
"""
from __future__ import annotations

import numpy as np


def grid_tolerance(steps) -> np.ndarray:
    """Float noise, in steps, around the time ``steps`` (in steps)."""
    return 1e-9 + 1e-13 * np.abs(steps)


def _in_steps(times_ms, dt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    steps = np.asarray(times_ms, dtype=float) / dt
    with np.errstate(invalid="ignore"):
        nearest = np.rint(steps)
        on_grid = np.abs(steps - nearest) <= grid_tolerance(nearest)
    return steps, nearest, on_grid


def grid_point(times_ms, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """The nearest whole number of steps to each time and whether the time is on that grid
    point up to float noise (False for NaN and infinite times)."""
    _, nearest, on_grid = _in_steps(times_ms, dt)
    return nearest, on_grid


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


def time_of(steps, dt: float):
    """The time (ms) of step(s) ``steps`` as PyNN reports times: rounded to 12 decimals, so that
    3 steps of 0.1 ms are 0.3 ms, not 0.30000000000000004 (a float for one step, else an array)."""
    if np.ndim(steps) == 0:
        return round(float(steps) * dt, 12)
    return np.round(np.asarray(steps) * dt, 12)


def nearest_step(times_ms, dt: float) -> np.ndarray:
    """The nearest whole number of steps to each time, a time half-way (to float noise) rounded
    up, as NEST rounds delays (float array)."""
    steps = np.asarray(times_ms, dtype=float) / dt
    return np.floor(steps + 0.5 + grid_tolerance(steps))


__all__ = ["grid_tolerance", "grid_point", "step_containing", "first_step_from", "nearest_step", "time_of"]
