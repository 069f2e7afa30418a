"""The procedural helpers ``set`` and ``initialize`` (PyNN's ``pyNN.common.procedural_api``)."""
from __future__ import annotations

from typing import Any

from pynnlite.errors import InvalidTypeError

__all__ = ["set", "initialize"]


def check_cells(cells: Any) -> None:
    """InvalidTypeError unless ``cells`` is a population, view, assembly or one cell (ID)."""
    from pynnlite.populations import ID, BasePopulation
    if not isinstance(cells, (BasePopulation, ID)):
        raise InvalidTypeError(f"cells must be a Population, PopulationView, Assembly or ID, got {cells!r}")


def set(cells: Any, param: str | dict | None = None, val: Any = None, **parameters: Any) -> None:  # noqa: A001
    """Set parameters of ``cells`` (a population, view, assembly or ID): ``set(cells, tau_m=10)``,
    ``set(cells, {'tau_m': 10})`` or ``set(cells, 'tau_m', 10)``."""
    check_cells(cells)
    if isinstance(param, str):
        parameters[param] = val
    elif isinstance(param, dict):
        parameters.update(param)
    if hasattr(cells, "set"):
        cells.set(**parameters)
    else:
        cells.set_parameters(**parameters)


def initialize(cells: Any, **initial_values: Any) -> None:
    """Set the initial values of state variables of ``cells``: ``initialize(cells, v=-65.0)``."""
    check_cells(cells)
    if hasattr(cells, "initialize"):
        cells.initialize(**initial_values)
    else:
        for name, value in initial_values.items():
            cells.set_initial_value(name, value)
