"""Contexts of single objects and the value entries they are made of: the current values of
a population's cells (:func:`population_values`), connection statistics
(:func:`connection_stats`), the weight unit of a projection (:func:`weight_unit`) and a
``Space`` (:func:`space_context`). Value entries and statistics are described in the
docstring of :mod:`pynnlite.descriptions` (*Network context*).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from pynnlite.descriptions.formatting import (_combined_units, _is_number, _param_unit, _with_unit,
                                              format_number, format_param, format_value, stats_text,
                                              unit_symbol)


def _value_entry(name: str, values: Any, unit: str | None) -> dict[str, Any]:
    """A value entry (see the package docstring) from the values of every cell (or one value)."""
    from pynnlite.parameters import Sequence
    entry = {"name": name, "unit": unit_symbol(unit), "value": None, "heterogeneous": False,
             "min": None, "mean": None, "max": None, "text": ""}
    if isinstance(values, np.ndarray) and values.dtype == object:
        items = list(values.ravel())
        if not items:
            entry["text"] = "no cells"
        elif all(item == items[0] for item in items):
            entry["value"] = items[0].value.tolist() if isinstance(items[0], Sequence) else items[0]
            entry["text"] = format_value(items[0], unit)
        else:
            entry["heterogeneous"] = True
            entry["text"] = format_value(items, unit) if all(isinstance(v, Sequence) for v in items) \
                else f"{len(items)} different values"
        return entry
    if isinstance(values, np.ndarray):
        array = values.astype(float).ravel()
        if array.size == 0:
            entry["text"] = "no cells"
        elif np.all(array == array[0]):
            entry["value"] = float(array[0])
            entry["text"] = format_value(float(array[0]), unit)
        else:
            entry.update(heterogeneous=True, min=float(array.min()), mean=float(array.mean()),
                         max=float(array.max()))
            entry["text"] = _with_unit(f"min {format_number(array.min())} / mean {format_number(array.mean())}"
                                       f" / max {format_number(array.max())}", unit)
        return entry
    entry["value"] = values.value.tolist() if isinstance(values, Sequence) else (
        values if _is_number(values) or isinstance(values, (str, bool)) or values is None else None)
    if isinstance(values, (np.integer, np.floating)):
        entry["value"] = values.item()
    entry["text"] = format_param(values, name, {name: unit} if unit else {})
    return entry


def _mapping_entries(mapping: Mapping[str, Any], units: Mapping[str, str]) -> list[dict[str, Any]]:
    entries = []
    for name, value in mapping.items():
        entry = _value_entry(name, value, _param_unit(name, units))
        entry["text"] = format_param(value, name, units) if not isinstance(value, np.ndarray) else entry["text"]
        entries.append(entry)
    return entries


def _segments(group: Any) -> list[tuple[Any, np.ndarray]]:
    return group._segments() if hasattr(group, "_segments") else []


def _celltypes(group: Any) -> list[Any]:
    return [pop.celltype for pop, _ in _segments(group)]


def weight_unit(projection: Any) -> str:
    """nA (current-based), µS (conductance-based) or mV (voltage jumps, e.g. IF_curr_delta);
    'µS or mV'-style text when the post-synaptic cells of an Assembly differ."""
    fixed = getattr(projection.synapse_type, "weight_unit", None)
    if isinstance(fixed, str):  # graded/electrical synapses: a conductance onto any cell type
        return fixed
    units = [_synapse_kind(c)[1] for c in _celltypes(projection.post)]
    return _combined_units([u for u in units if u]) or ("uS" if projection.post.conductance_based else "nA")


def _synapse_kind(celltype: Any) -> tuple[str, str]:
    if celltype.is_source or not celltype.receptor_types:
        return "none", ""
    if getattr(celltype, "voltage_based_synapses", False):
        return "voltage jumps", "mV"
    if celltype.conductance_based:
        return "conductance-based", "uS"
    return "current-based", "nA"


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return format_value(value)


def connection_stats(projection: Any, name: str, unit: str) -> dict[str, Any]:
    """Global count/min/mean/max/std of a connection attribute (collective under MPI)."""
    comm = projection.simulation.comm
    local = np.asarray(projection.get(name, format="list", gather=False, with_address=False), dtype=float)
    count = int(comm.allreduce_sum(int(local.size)))
    stats = {"name": name, "unit": unit_symbol(unit), "count": count, "min": None, "mean": None,
             "max": None, "std": None, "text": "no connections"}
    low = comm.allreduce_min(float(local.min()) if local.size else math.inf)
    high = -comm.allreduce_min(-float(local.max()) if local.size else math.inf)
    total = comm.allreduce_sum(float(local.sum()))
    if count == 0:
        return stats
    mean = total / count
    if low == high:
        mean, std = low, 0.0
    else:
        std = math.sqrt(max(comm.allreduce_sum(float(((local - mean) ** 2).sum())) / count, 0.0))
    stats.update(min=low, mean=mean, max=high, std=std)
    stats["text"] = stats_text(stats, unit, count)
    return stats


def space_context(space: Any) -> dict[str, Any]:
    """Context of a ``Space`` for ``space_default.txt``: ``{name, axes ('xyz', 'xy', ...),
    scale_factor, offset (µm), periodic_boundaries (µm or None), text}``."""
    if space is None:
        return {"name": "Space", "axes": "xyz", "scale_factor": 1.0, "offset": 0.0,
                "periodic_boundaries": None, "boundaries_text": _boundaries_text(None),
                "text": "Space(axes=xyz)"}
    axes = "".join("xyz"[int(a)] for a in np.asarray(getattr(space, "axes", [0, 1, 2])).ravel())
    scale, offset = _plain(getattr(space, "scale_factor", 1.0)), _plain(getattr(space, "offset", 0.0))
    periodic = _plain(getattr(space, "periodic_boundaries", None))
    parts = [f"axes={axes}"]
    if scale != 1.0 and scale != [1.0, 1.0, 1.0]:
        parts.append(f"scale_factor={format_value(scale)}")
    if offset != 0.0 and offset != [0.0, 0.0, 0.0]:
        parts.append(f"offset={format_value(offset, 'um')}")
    text = f"{type(space).__name__}({', '.join(parts)})"
    if periodic is not None:
        text = f"{type(space).__name__}({', '.join(parts)}; periodic boundaries: {_boundaries_text(periodic)})"
    return {"name": type(space).__name__, "axes": axes, "scale_factor": scale, "offset": offset,
            "periodic_boundaries": periodic, "boundaries_text": _boundaries_text(periodic), "text": text}


def _boundaries_text(periodic: Any) -> str:
    if not periodic:
        return "none (no axis is periodic)"
    parts = []
    for axis, bounds in zip("xyz", periodic):
        if bounds is None:
            parts.append(f"{axis} not periodic")
        else:
            low, high = bounds
            parts.append(f"{axis} from {format_number(low)} to {format_number(high)} µm")
    return ", ".join(parts)


def population_values(group: Any) -> dict[str, list[dict[str, Any]]]:
    """``{parameters, initial_values}``: value entries (min/mean/max when heterogeneous) of the
    current values of every cell of a Population or PopulationView (for its describe_context)."""
    celltype = group.celltype
    if group.size == 0:
        return {"parameters": _mapping_entries(celltype.parameter_space, celltype.units),
                "initial_values": _mapping_entries(getattr(celltype, "initial_values", {}), celltype.units)}
    parameters = []
    for name in celltype.get_parameter_names():
        values = group.get(name, gather=True, simplify=False)
        parameters.append(_value_entry(name, values if isinstance(values, np.ndarray) else np.asarray(values),
                                       celltype.units.get(name)))
    initial = [_value_entry(name, np.asarray(values), celltype.units.get(name))
               for name, values in group.initial_values.items()]
    return {"parameters": parameters, "initial_values": initial}
