"""Conversion of values given with `quantities` units to pynnlite's standard units.

Internally every value is a plain float in PyNN's standard units:
mV, nA, ms, µS, nF, Hz (and µm for positions and distances).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import quantities as pq

from pynnlite.errors import InvalidParameterValueError

#: Standard unit of each unit name used in model declarations.
STANDARD_UNITS: dict[str, pq.Quantity] = {
    "mV": pq.mV,
    "nA": pq.nA,
    "ms": pq.ms,
    "s": pq.s,
    "uS": pq.uS,
    "nS": pq.nS,
    "/ms": pq.CompoundUnit("1/ms"),
    "mV/ms": pq.mV / pq.ms,       # not a CompoundUnit: signals print "mV/ms" as PyNN's, not "(mV/ms)"
    "nF": pq.nF,
    "Hz": pq.Hz,
    "um": pq.um,
    "mM": pq.CompoundUnit("mmol/L"),
    "/mV": pq.CompoundUnit("1/mV"),
    "deg": pq.deg,
    "dimensionless": pq.dimensionless,
}


def to_standard(value: Any, unit: str, name: str) -> Any:
    """Return ``value`` as plain numbers in ``unit``; non-quantities pass unchanged.

    Raises InvalidParameterValueError naming ``name`` when the dimension is wrong.
    """
    if not isinstance(value, pq.Quantity):
        return value
    target = STANDARD_UNITS.get(unit)
    if target is None:
        raise InvalidParameterValueError(f"{name} does not take a value with units (got {value})")
    try:
        converted = value.rescale(target)
    except ValueError:
        raise InvalidParameterValueError(
            f"{name} must be in units compatible with {unit}, got {value.dimensionality}") from None
    magnitude = np.asarray(converted.magnitude, dtype=float)
    return float(magnitude) if magnitude.ndim == 0 else magnitude


def as_quantity(values: Any, unit: str) -> pq.Quantity:
    """Attach a standard unit to plain values (for Neo output)."""
    return pq.Quantity(values, STANDARD_UNITS.get(unit, pq.dimensionless))
