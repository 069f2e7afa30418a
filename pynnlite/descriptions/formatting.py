"""Values as report text: numbers, units, model parameters, statistics, tables, and the flat
``$key`` context of the string engine.

The functions here are the Jinja2 filters and globals of the report templates (``fmt`` is
:func:`format_value`, ``fmt_param`` :func:`format_param`, ``stats`` :func:`stats_text`,
``text_table``, ``param_block`` ...; the list is in the docstring of
:mod:`pynnlite.descriptions`); :func:`flatten_context` gives what the ``string.Template``
engine substitutes.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Iterable

import numpy as np


# ---------------------------------------------------------------- formatting of values

#: Unit names of the model declarations -> symbols in reports ('' for no unit).
UNIT_SYMBOLS = {"uS": "µS", "um": "µm", "dimensionless": "", "/mV": "1/mV", "": ""}

#: Parameters of structures and shapes that are lengths (µm).
_LENGTH_NAMES = {"dx", "dy", "dz", "x0", "y0", "z0", "x", "y", "z", "origin", "width", "height", "depth",
                 "radius"}

#: Longest sequence printed in full.
_MAX_LISTED = 8


def unit_symbol(unit: str | None) -> str:
    """The symbol of a unit name of the model declarations ('uS' -> 'µS')."""
    if unit is None:
        return ""
    return UNIT_SYMBOLS.get(unit, unit)


def format_number(x: Any) -> str:
    """A number as printed in reports: ints exactly, floats with 6 significant digits."""
    if isinstance(x, (bool, np.bool_)):
        return "True" if x else "False"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.6g}"
    return "0" if text == "-0" else text


def _with_unit(text: str, unit: str | None) -> str:
    symbol = unit_symbol(unit)
    return f"{text} {symbol}" if symbol else text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating, np.bool_)) and not isinstance(value, bool)


def _summary_text(values: np.ndarray, unit: str | None) -> str:
    return _with_unit(f"min {format_number(values.min())} / mean {format_number(values.mean())} / "
                      f"max {format_number(values.max())}", unit) + f" ({values.size} values)"


def _list_text(items: list[str], total: int) -> str:
    if total > len(items):
        return "[" + ", ".join(items) + f", … ({total} values)]"
    return "[" + ", ".join(items) + "]"


def format_value(value: Any, unit: str | None = None) -> str:
    """A value as text for a report, with its unit; never empty."""
    from pynnlite.parameters import Sequence
    if value is None:
        return "none"
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if _is_number(value):
        return _with_unit(format_number(value), unit)
    if isinstance(value, str):
        return value if value.strip() else "none"
    if isinstance(value, Sequence):
        if len(value) == 0:
            return "[] (no values)"
        shown = [format_number(v) for v in value.value[:_MAX_LISTED]]
        return _with_unit(_list_text(shown, len(value)), unit)
    if isinstance(value, np.ndarray) and value.dtype == object:
        value = list(value.ravel())
    if isinstance(value, np.ndarray) or (isinstance(value, (list, tuple)) and value
                                          and all(_is_number(v) for v in value)):
        array = np.asarray(value, dtype=float).ravel()
        if array.size == 0:
            return "[] (no values)"
        if array.size > 1 and np.all(array == array[0]):
            return _with_unit(format_number(array[0]), unit) + f" (all {array.size} values)"
        if array.size <= _MAX_LISTED:
            return _with_unit(_list_text([format_number(v) for v in array], array.size), unit)
        return _summary_text(array, unit)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value) if not isinstance(value, (set, frozenset)) else sorted(value, key=str)
        if not items:
            return "none"
        if all(isinstance(v, Sequence) for v in items):
            return _sequences_text(items, unit)
        return ", ".join(format_value(v, unit) for v in items)
    if isinstance(value, Mapping):
        if not value:
            return "none"
        return _inline(value)
    if _is_random_distribution(value):
        return _distribution_text(value, unit)
    if _is_shape(value):
        args = ", ".join(f"{k}={format_value(v, 'um')}" for k, v in vars(value).items())
        return _call_text(type(value).__name__, args)
    if callable(value) and not hasattr(value, "parameter_names"):
        name = getattr(value, "__name__", type(value).__name__)
        return f"function {name}" if name != "<lambda>" else "function (lambda)"
    return _object_text(value)


def _sequences_text(items: list[Any], unit: str | None) -> str:
    first = items[0]
    if all(item == first for item in items):
        return format_value(first, unit) + (f" (same for all {len(items)} cells)" if len(items) > 1 else "")
    lengths = [len(item) for item in items]
    values = np.concatenate([item.value for item in items]) if sum(lengths) else np.empty(0)
    text = f"{len(items)} sequences of {min(lengths)}–{max(lengths)} values"
    if values.size:
        text += ", from " + _with_unit(format_number(values.min()), unit) + " to " + \
            _with_unit(format_number(values.max()), unit)
    return text


def _is_random_distribution(value: Any) -> bool:
    return hasattr(value, "parameters") and hasattr(value, "rng") and hasattr(value, "name") \
        and hasattr(value, "next")


def _is_shape(value: Any) -> bool:
    try:
        from pynnlite.space import Shape
    except ImportError:  # pragma: no cover
        return False
    return isinstance(value, Shape)


def _rng_text(rng: Any) -> str:
    seed = getattr(rng, "seed", None)
    return f"{type(rng).__name__} seed {seed}" if seed is not None else type(rng).__name__


def _distribution_text(dist: Any, unit: str | None) -> str:
    params = ", ".join(f"{k}={format_value(v)}" for k, v in dict(dist.parameters).items())
    text = f"random {dist.name}({params})"
    symbol = unit_symbol(unit)
    if symbol:
        text += f" {symbol}"
    return text + f" [{_rng_text(dist.rng)}]"


def _object_text(value: Any) -> str:
    text = repr(value)
    if re.search(r" at 0x[0-9a-fA-F]+", text) or not text.strip():
        return type(value).__name__
    return text


def format_param(value: Any, name: str, units: Mapping | None = None) -> str:
    """A model parameter with its declared unit (weights without a declared unit get a note)."""
    units = units or {}
    if name == "weight" and "weight" not in units:
        return format_value(value) + " (nA for current-based, µS for conductance-based cells)"
    if name == "delay" and value is None:
        return "none (the simulation's min_delay)"
    if name == "stop" and (value is None or (np.isscalar(value) and value >= 1e12)):   # PyNN's "never"
        return "none (until the end of the run)"
    if name == "dt" and value is None:
        return "none (the simulation time step)"
    return format_value(value, _param_unit(name, units))


#: Units that PyNN documents but some declarations leave dimensionless (ACSource's phase).
_UNDECLARED_UNITS = {"phase": "deg"}


def _param_unit(name: str, units: Mapping[str, str]) -> str | None:
    unit = units.get(name)
    if unit in (None, "dimensionless") and name in _UNDECLARED_UNITS:
        return _UNDECLARED_UNITS[name]
    if unit is None and name in _LENGTH_NAMES:
        return "um"
    return unit


def markdown_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: HTML special characters as entities, pipes and
    backslashes escaped, line breaks as <br>."""
    text = value if isinstance(value, str) else format_value(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(line for line in text.splitlines()) if "\n" in text else text


def text_table(headers: Iterable[Any], rows: Iterable[Iterable[Any]], indent: int = 0) -> str:
    """An aligned plain-text table (numbers right-aligned), no trailing spaces."""
    headers = [str(h) for h in headers]
    body = [[c if isinstance(c, str) else format_value(c) for c in row] for row in rows]
    numeric = [all(_looks_numeric(row[k]) for row in body) and body != [] for k in range(len(headers))]
    widths = [max([len(headers[k])] + [len(row[k]) for row in body]) for k in range(len(headers))]
    pad = " " * indent

    def line(cells: list[str]) -> str:
        parts = [c.rjust(widths[k]) if numeric[k] else c.ljust(widths[k]) for k, c in enumerate(cells)]
        return (pad + "  ".join(parts)).rstrip()

    lines = [line(headers), (pad + "  ".join("-" * w for w in widths)).rstrip()]
    lines += [line(row) for row in body]
    return "\n".join(lines)


def param_block(parameters: Mapping[str, Any], units: Mapping[str, str] | None = None, indent: int = 8,
                from_connector: Iterable[str] = ()) -> str:
    """Aligned ``name  value unit`` lines of a parameter mapping ('none' if empty); no final newline.
    Names in ``from_connector`` are marked as given per connection by the connector."""
    pad = " " * indent
    if not parameters:
        return pad + "none"
    given = set(from_connector or ())
    width = max(len(str(name)) for name in parameters)
    return "\n".join(f"{pad}{str(name).ljust(width)}  "
                     + (GIVEN_BY_CONNECTOR if name in given else format_param(value, str(name), units or {}))
                     for name, value in parameters.items())


#: Text of a synapse parameter whose values come from the connector (e.g. a FromListConnector).
GIVEN_BY_CONNECTOR = "given per connection by the connector"


def entry_block(entries: Iterable[Mapping[str, Any]], indent: int = 8) -> str:
    """Aligned ``name  text`` lines of value entries ('none' if empty); no final newline."""
    entries = list(entries)
    pad = " " * indent
    if not entries:
        return pad + "none"
    width = max(len(str(e["name"])) for e in entries)
    return "\n".join(f"{pad}{str(e['name']).ljust(width)}  {format_value(e['text'])}" for e in entries)


def inline_params(parameters: Mapping[str, Any] | Iterable[Mapping[str, Any]],
                  units: Mapping[str, str] | None = None) -> str:
    """``name=value unit, ...`` of a parameter mapping or of value entries ('none' if empty)."""
    return _args(parameters, units) or "none"


def _args(parameters: Any, units: Mapping[str, str] | None = None) -> str:
    if isinstance(parameters, Mapping):
        return ", ".join(f"{k}={format_param(v, str(k), units or {})}" for k, v in parameters.items())
    return ", ".join(f"{e['name']}={format_value(e['text'])}" for e in parameters)


def call_text(name: Any, parameters: Any, units: Mapping[str, str] | None = None) -> str:
    """``Name(p=v unit, ...)`` of a model or connector, ``Name (no parameters)`` without any."""
    return _call_text(name, _args(parameters, units))


#: Context keys under PyNN's names, for templates written for PyNN; the reports print them
#: under pynnlite's own names (``local_size``, ``synapse_type``, ...), so ``other_items`` skips them.
PYNN_CONTEXT_KEYS = ("default_parameters", "default_initial_values", "size_local", "local_first_id",
                     "cell_parameters", "plasticity")


def other_items(context: Mapping[str, Any], known: Iterable[str]) -> list[tuple[str, Any]]:
    """The (key, value) pairs of ``context`` not in ``known`` nor PyNN's names
    (for templates that print whatever else an object reports, e.g. the components of an STDP synapse)."""
    known = set(known) | set(PYNN_CONTEXT_KEYS)
    return [(k, v) for k, v in context.items() if k not in known and not str(k).startswith("_")]


def component_block(key: str, value: Any, indent: int = 4) -> str:
    """A nested model (a mapping with ``name`` and ``parameters``) or another value, as report lines."""
    pad = " " * indent
    title = str(key).replace("_", " ").capitalize()
    if isinstance(value, Mapping) and "name" in value:
        units = value.get("units") if isinstance(value.get("units"), Mapping) else {}
        lines = [f"{pad}{title}: {value['name']}"
                 + (f" ({value['description']})" if value.get("description") else "")]
        if isinstance(value.get("parameters"), Mapping):
            lines.append(param_block(value["parameters"], units, indent + 4))
        return "\n".join(lines)
    if isinstance(value, Mapping) and value:
        return f"{pad}{title}\n" + param_block(value, {}, indent + 4)
    return f"{pad}{title}: {format_value(value)}"


def stats_text(stats: Mapping[str, Any], unit: str | None = None, count: int | None = None) -> str:
    """``mean ± std unit (min …, max …)`` of a ``{min, mean, max, std}`` mapping; one value if
    all are equal; 'no connections' if there are none."""
    low, high = stats.get("min"), stats.get("max")
    if count == 0 or low is None or high is None or (isinstance(low, float) and math.isnan(low)):
        return "no connections"
    if low == high:
        return _with_unit(format_number(low), unit) + (" (all connections)" if count is None or count > 1 else "")
    return (_with_unit(f"{format_number(stats['mean'])} ± {format_number(stats.get('std', 0.0))}", unit)
            + f" (min {format_number(low)}, max {format_number(high)})")


def _looks_numeric(text: str) -> bool:
    return re.fullmatch(r"-?[0-9][0-9.e+-]*", text) is not None


def _call_text(name: Any, args: str) -> str:
    """``Name(args)``, or ``Name (no parameters)``."""
    return f"{name}({args})" if args else f"{name} (no parameters)"


def _combined_units(units: Iterable[str]) -> str:
    """The one unit name of ``units``, or their symbols joined with ' or ' ('' if none)."""
    units = list(dict.fromkeys(units))
    if len(units) <= 1:
        return units[0] if units else ""
    return " or ".join(unit_symbol(u) for u in units)


# ---------------------------------------------------------------- the string engine's flat context

_IDENTIFIER = re.compile(r"[^0-9a-zA-Z_]")
_BLOCK_INDENT = 8


def flatten_context(context: Mapping[str, Any]) -> dict[str, str]:
    """The flat ``$key`` -> text mapping the string engine substitutes (see the package docstring)."""
    flat: dict[str, str] = {}
    _flatten(context, "", flat, None)
    flat["_block"] = _block(context, _BLOCK_INDENT, None)
    flat["_others_block"] = _block(context, _BLOCK_INDENT, None, skip=_MAIN_KEYS + PYNN_CONTEXT_KEYS)
    return flat


#: Keys left out of ``$_others_block``.
_MAIN_KEYS = ("name", "label", "description", "parameters", "units")


def _key(prefix: str, key: Any) -> str:
    return prefix + _IDENTIFIER.sub("_", str(key))


_UNIT_NAMES = object()  # marks a mapping whose values are unit names


def _leaf(key: Any, value: Any, units: Any) -> str:
    """A leaf of the string-engine context: a parameter with its unit, a unit symbol or a value."""
    key = str(key)
    if units is _UNIT_NAMES or (isinstance(value, str) and (key == "unit" or key.endswith("_unit"))):
        return (unit_symbol(value) or "dimensionless") if isinstance(value, str) else format_value(value)
    if isinstance(units, Mapping):
        return format_param(value, key, units)
    return format_value(value)


def _child_units(mapping: Mapping, key: Any, weight_unit: str | None) -> Any:
    """How the values of ``mapping[key]`` are formatted: with the sibling ``units`` (model
    parameters and initial values), as unit names (``units``), or plainly (None)."""
    if key in ("parameters", "initial_values"):
        units = dict(mapping["units"]) if isinstance(mapping.get("units"), Mapping) else {}
        if weight_unit and "weight" not in units:
            units["weight"] = weight_unit
        return units
    if key == "units":
        return _UNIT_NAMES
    return None


def _inline(value: Any, units: Any = None, weight_unit: str | None = None) -> str:
    """One-line text of a context value (see the package docstring, string engine)."""
    if isinstance(value, Mapping):
        if not value:
            return "none"
        if "name" in value and isinstance(value.get("parameters"), Mapping):
            sub = _child_units(value, "parameters", weight_unit)
            args = ", ".join(f"{k}={_leaf(k, v, sub)}" for k, v in value["parameters"].items())
            return _call_text(value['name'], args)
        if "text" in value:
            text = format_value(value["text"])
            prefix = next((str(value[k]) for k in ("name", "label", "population") if k in value), "")
            return text if not prefix or text.startswith(prefix) else f"{prefix}: {text}"
        if "label" in value and "size" in value:
            text = f"{value['label']} ({format_value(value['size'])} cells"
            celltype = value.get("celltype")
            if isinstance(celltype, Mapping) and "name" in celltype:
                text += f", {celltype['name']}"
            elif isinstance(celltype, str):
                text += f", {celltype}"
            return text + ")"
        for key in ("label", "name"):
            if key in value and isinstance(value[key], str):
                return value[key]
        first, *rest = list(value.values())
        if len(value) == 2 and isinstance(first, str) and not isinstance(rest[0], (Mapping, list, tuple)):
            return f"{first}: {format_value(rest[0])}"
        return ", ".join(f"{k}=({_inline(v, None, weight_unit)})" if isinstance(v, Mapping) and v
                         else f"{k}={_inline(v, _child_units(value, k, weight_unit), weight_unit)}"
                         if isinstance(v, (Mapping, list, tuple)) else f"{k}={_leaf(k, v, units)}"
                         for k, v in value.items())
    if isinstance(value, (list, tuple)):
        if not value:
            return "none"
        if any(isinstance(v, Mapping) for v in value):
            return "; ".join(_inline(v, None, weight_unit) for v in value)
        return format_value(list(value))
    return format_value(value)


def _flatten(mapping: Mapping, prefix: str, flat: dict[str, str], units: Any,
             weight_unit: str | None = None) -> None:
    if isinstance(mapping.get("weight_unit"), str):
        weight_unit = mapping["weight_unit"]
    for key, value in mapping.items():
        name = _key(prefix, key)
        if isinstance(value, (Mapping, list, tuple)):
            sub = _child_units(mapping, key, weight_unit)
            flat[name] = _inline(value, sub, weight_unit)
            flat[name + "_block"] = _block(value, _BLOCK_INDENT, sub, weight_unit)
            flat[name + "_count"] = str(len(value))
            if isinstance(value, Mapping):
                _flatten(value, name + "_", flat, sub, weight_unit)
                if {"min", "mean", "max"} <= set(value) and "text" not in value:
                    unit = value.get("unit") or (weight_unit if key in ("weights", "weight") else
                                                 "ms" if key in ("delays", "delay") else None)
                    count = value.get("count", mapping.get("size"))
                    flat[name + "_text"] = stats_text(value, unit, count if isinstance(count, int) else None)
        else:
            flat[name] = _leaf(key, value, units)


def _block(value: Any, indent: int, units: Any, weight_unit: str | None = None,
           skip: Iterable[str] = ()) -> str:
    pad = " " * indent
    if isinstance(value, Mapping):
        if not any(key not in skip for key in value):
            return pad + "none"
        if isinstance(value.get("weight_unit"), str):
            weight_unit = value["weight_unit"]
        lines = []
        for key, item in value.items():
            if key in skip:
                continue
            sub = _child_units(value, key, weight_unit)
            if isinstance(item, Mapping) and item and not ("name" in item and "parameters" in item) \
                    and "text" not in item:
                lines += [f"{pad}{key}", _block(item, indent + 2, sub, weight_unit)]
            elif isinstance(item, Mapping) and "text" in item:
                lines.append(f"{pad}{key}: {format_value(item['text'])}")
            elif isinstance(item, (list, tuple)) and any(isinstance(v, Mapping) for v in item):
                lines += [f"{pad}{key}", _block(list(item), indent + 2, sub, weight_unit)]
            elif isinstance(item, (Mapping, list, tuple)):
                lines.append(f"{pad}{key}: {_inline(item, sub, weight_unit)}")
            else:
                lines.append(f"{pad}{key}: {_leaf(key, item, units)}")
        return "\n".join(lines)
    if isinstance(value, (list, tuple)):
        if not value:
            return pad + "none"
        lines = []
        for item in value:
            lines.append(f"{pad}- {_inline(item, None, weight_unit)}")
            if isinstance(item, Mapping) and ("label" in item or ("name" in item and "unit" not in item)) \
                    and len(item) > 2:
                lines.append(_block(item, indent + 4, None, weight_unit, skip=("label", "name", "text")))
        return "\n".join(lines)
    return pad + format_value(value)
