"""Reports of network objects and whole networks, rendered from templates.

Every describable object (Population, PopulationView, Assembly, Projection,
connectors, cell and synapse types, current sources, structures) has
``describe(template=..., engine='default')``, which calls :func:`render` with the
object's ``describe_context()``; a whole network is described by
:func:`describe_network` (``sim.describe(...)``).

Engines
    ``'jinja2'`` (Jinja2 with ``StrictUndefined``: a template that uses a key the
    context does not have fails with :class:`~pynnlite.errors.TemplateError`
    naming the key and the template); ``'string'`` (:class:`string.Template`,
    standard library only; the context is flattened, see below); ``'default'``
    is ``'jinja2'`` (``'string'`` if Jinja2 cannot be imported).

Templates
    ``template=None`` returns the context dict itself. A string containing
    template syntax (``{{``, ``{%`` or ``{#`` for Jinja2, ``$`` for the string
    engine) or a newline is rendered as it is. Anything else is a template name,
    looked up in

    1. the directories added with :func:`add_template_dir`, in the order added;
    2. the directories of the environment variable ``PYNNLITE_TEMPLATE_PATH``
       (separated by ``os.pathsep``);
    3. the templates installed with pynnlite (package ``pynnlite.templates``).

    A name that is a path to an existing file is used directly. An unknown name
    is an error listing the names available.

Template naming scheme
    ``<object>_default.<ext>`` is the Jinja2 default of an object
    (``population``, ``populationview``, ``assembly``, ``projection``,
    ``connector``, ``modeltype``, ``space``, ``structure``) and
    ``<object>_default_string.<ext>`` its ``string.Template`` version. Objects
    always pass the Jinja2 name; with ``engine='string'`` a name ``X.ext`` is
    looked up as ``X_string.ext`` first (in every directory), then as ``X.ext``
    in the user directories only (the installed ``X.ext`` files are Jinja2).
    The whole-network reports are ``network_default.txt``, ``network_default.md``
    and ``network_default.html`` (and ``network_default_string.txt``).
    Since Population, PopulationView and Assembly all pass
    ``population_default.txt``, that name given with a view's or an assembly's
    context selects ``populationview_default.txt`` or ``assembly_default.txt``.

Jinja2 helpers
    filters ``fmt(value, unit=None)`` (a value in a report: numbers ``{:.6g}``,
    units as symbols, arrays summarised as min/mean/max, ``None`` → ``none``,
    never empty), ``fmt_param(value, name, units)`` (a model parameter with its
    unit), ``num`` (a number), ``unit(name)`` (a unit symbol), ``md`` (a
    Markdown table cell); globals ``text_table(headers, rows, indent=0)`` (an
    aligned plain-text table), ``param_block(parameters, units, indent=8,
    from_connector=())`` and ``entry_block(entries, indent=8)`` (aligned
    ``name  value unit`` lines), ``inline_params(parameters, units)``,
    ``call(name, parameters, units)`` (``Name(p=v unit, ...)``),
    ``stats(stats, unit, count)`` (``mean ± std unit (min, max)``),
    ``component_block(key, value, indent=4)`` (a nested model such as an STDP
    timing dependence), ``other_items(*known)`` / ``other_items_of(mapping,
    *known)`` (the keys a template does not know, so that nothing an object
    reports is lost) and ``format_value``. HTML templates (``.html``) are
    autoescaped.

Context completed before rendering
    Before a template is rendered (not for ``template=None``), cell-type
    contexts get ``weight_unit`` ('mV' for voltage-jump synapses such as
    IF_curr_delta, else 'uS' or 'nA'), a projection onto such cells gets
    ``weight_unit='mV'``, and synapse parameters that a connector gives per
    connection (``column_names`` of FromListConnector) read
    ``given per connection by the connector``.

String engine context
    The context is flattened: the key path joined with ``_`` (``$celltype_name``,
    ``$celltype_parameters_tau_m``). A leaf is formatted as by ``fmt`` (model
    parameters and initial values with their unit). A mapping or a list ``$key``
    is one line (a component with ``name`` and ``parameters`` as
    ``Name(p=v unit, ...)``, a group with ``label`` and ``size`` as
    ``label (N cells, CellType)``, other mappings ``k=v, ...``); ``$key_block`` is
    the same as an indented multi-line block (every line starts with 8 spaces;
    nested entries 2 more); ``$key_count`` is the number of entries; a mapping
    of statistics (``min``, ``mean``, ``max``) also has ``$key_text``.
    ``$_block`` is the whole context as a block and ``$_others_block`` every
    key but ``name``, ``label``, ``description``, ``parameters`` and ``units``.

Network context (``network_context(simulation)``, ``sim.describe(template=None)``)
    All counts are global (all MPI processes). Numbers are in the unit given
    beside them; every entry that a report prints also has a non-empty ``text``.
    A *value entry* is ``{name, unit, value, heterogeneous, min, mean, max, text}``:
    ``value`` is the common value (None if heterogeneous), ``min``/``mean``/``max``
    are None unless heterogeneous numbers.

    - ``pynnlite_version``: str
    - ``totals``: ``{populations, cells, neurons, spike_sources, projections,
      connections, current_sources}`` (ints)
    - ``summary``: list of ``{aspect, description}``: Populations, Topology,
      Connectivity, Neuron models, Synapse models, Plasticity, Input,
      Measurements (Nordlie, Gewaltig & Plesser 2009, table 1)
    - ``populations``: list (creation order) of ``{label, size, shape,
      first_id, last_id, celltype, celltype_description, kind ('neuron' or
      'spike source'), structure ({name, parameters: [value entry], text} or
      None), structure_text, parameters: [value entry], initial_values: [value
      entry], recorded: [recording entry], annotations: {key: text}}``
    - ``projections``: list (creation order) of ``{label, pre, post, pre_size,
      post_size, receptor_type, source, connector: {name, parameters: [value
      entry], seed, text}, synapse_type: {name, description, plastic,
      parameters: [value entry], components: [component], text},
      connections, weight: stats, delay: stats, synaptic_values: [stats],
      space: {axes, scale_factor, offset, periodic_boundaries, text},
      annotations}`` where *stats* is ``{name, unit, count, min, mean, max,
      std, text}`` over all connections (current values)
    - ``neuron_models`` / ``spike_source_models``: list of ``{name,
      description, populations (labels), synapses ('conductance-based' |
      'current-based' | 'voltage jumps' | 'none'), weight_unit, receptor_types,
      state_variables: [value entry of the default initial values],
      recordable}``
    - ``synapse_models``: list of ``{name, description, plastic, projections
      (labels), parameters: [{name, unit, text}], components: [component]}``
      where a *component* (e.g. an STDP timing or weight dependence) is
      ``{role, name, description, parameters: [value entry], text}``
    - ``inputs``: ``{spike_sources: [{label, size, celltype, parameters: [value
      entry], targets (projection labels), text}], current_sources: [{name,
      description, parameters: [value entry], targets: [{label, size}],
      cells, text}]}``
    - ``recordings``: list of recording entries ``{population, variable, unit,
      cells, sampling_interval (ms, None for spikes), text}``
    - ``simulation``: ``{backend, timestep, min_delay, max_delay, time,
      num_processes, seed, seeds: [{used_by, seed}], settings: [{setting,
      value}]}``
    - ``annotations``: the simulation's annotations, ``{key: text}``
"""
from __future__ import annotations

import math
import os
import re
import string
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from pynnlite.errors import TemplateError

__all__ = ["ENGINES", "FORMATS", "ENV_VAR", "render", "describe_network", "network_context",
           "space_context", "population_values", "connection_stats", "weight_unit", "flatten_context",
           "add_template_dir", "remove_template_dir", "template_search_path", "available_templates",
           "format_value", "format_number", "unit_symbol"]

#: Template engines ``render`` accepts.
ENGINES = ("default", "jinja2", "string")
#: Report format -> default whole-network template.
FORMATS = {"text": "network_default.txt", "markdown": "network_default.md", "html": "network_default.html"}
#: Environment variable with extra template directories (``os.pathsep``-separated).
ENV_VAR = "PYNNLITE_TEMPLATE_PATH"
#: Inserted before the extension to name a template's ``string.Template`` version.
STRING_SUFFIX = "_string"
#: Marker of the installed directory in ``template_search_path()``.
PACKAGE = "pynnlite.templates"

_user_dirs: list[Path] = []

# ---------------------------------------------------------------- template directories


def add_template_dir(path: str | os.PathLike) -> None:
    """Search ``path`` for templates before the installed ones (directories are
    searched in the order they were added)."""
    directory = Path(path).expanduser()
    if not directory.is_dir():
        raise TemplateError(f"template directory {str(path)!r} does not exist or is not a directory")
    directory = directory.resolve()
    if directory not in _user_dirs:
        _user_dirs.append(directory)


def remove_template_dir(path: str | os.PathLike) -> None:
    """Stop searching ``path`` (added with ``add_template_dir``); no error if absent."""
    directory = Path(path).expanduser().resolve()
    if directory in _user_dirs:
        _user_dirs.remove(directory)


def _env_dirs() -> list[Path]:
    value = os.environ.get(ENV_VAR, "")
    dirs = []
    for entry in value.split(os.pathsep):
        if not entry:
            continue
        directory = Path(entry).expanduser()
        if not directory.is_dir():
            raise TemplateError(f"template directory {entry!r} (from ${ENV_VAR}) does not exist "
                                f"or is not a directory")
        dirs.append(directory)
    return dirs


def _package_dir() -> Any:
    return resources.files(PACKAGE)


def template_search_path() -> list[str]:
    """The directories searched for templates, in order (the installed ones last)."""
    return [str(d) for d in _user_dirs] + [str(d) for d in _env_dirs()] + [PACKAGE]


def _string_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}{STRING_SUFFIX}.{ext}" if dot else name + STRING_SUFFIX


def _is_string_name(name: str) -> bool:
    stem = name.rpartition(".")[0] or name
    return stem.endswith(STRING_SUFFIX)


def _listing(directory: Any) -> list[str]:
    try:
        return sorted(entry.name for entry in directory.iterdir()
                      if entry.is_file() and not entry.name.startswith((".", "__"))
                      and not entry.name.endswith((".py", ".pyc")))
    except OSError:  # pragma: no cover - unreadable directory
        return []


def available_templates(engine: str = "jinja2") -> list[str]:
    """The template names that ``render(engine, name, ...)`` finds (sorted)."""
    engine = _engine(engine)
    user = [name for d in _user_dirs + _env_dirs() for name in _listing(d)]
    package = _listing(_package_dir())
    if engine == "string":
        names = {name for name in user if not name.endswith(".j2")}
        names |= {_plain_name(name) for name in user + package if _is_string_name(name)}
    else:
        names = {name for name in user + package if not _is_string_name(name)}
    return sorted(names)


def _plain_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem[: -len(STRING_SUFFIX)]
    return f"{stem}.{ext}" if ext else stem


def _find(name: str, engine: str) -> tuple[str, str]:
    """(source, origin) of template ``name`` for ``engine``."""
    if os.sep in name or (os.altsep and os.altsep in name):
        path = Path(name).expanduser()
        if path.is_file():
            return path.read_text(encoding="utf-8"), str(path)
    user_dirs = _user_dirs + _env_dirs()
    package = _package_dir()
    if engine == "string":
        candidates = [(_string_name(name), user_dirs + [package])]
        if not _is_string_name(name):
            candidates.append((name, user_dirs))
        else:
            candidates.append((name, user_dirs + [package]))
    else:
        candidates = [(name, user_dirs + [package])]
    for candidate, directories in candidates:
        for directory in directories:
            entry = directory / candidate
            if entry.is_file():
                origin = f"{PACKAGE}/{candidate}" if directory is package else str(entry)
                return entry.read_text(encoding="utf-8"), origin
    raise TemplateError(
        f"no template {name!r} for the {engine!r} engine in {', '.join(template_search_path())}; "
        f"available templates are: {', '.join(available_templates(engine))}")


def _is_inline(template: str, engine: str) -> bool:
    if "\n" in template:
        return True
    if engine == "string":
        return "$" in template
    return any(token in template for token in ("{{", "{%", "{#"))


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
    if name == "stop" and value is None:
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


def other_items(context: Mapping[str, Any], known: Iterable[str]) -> list[tuple[str, Any]]:
    """The (key, value) pairs of ``context`` not in ``known`` (for templates that print
    whatever else an object reports, e.g. the components of an STDP synapse)."""
    known = set(known)
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


# ---------------------------------------------------------------- engines


def _engine(engine: str) -> str:
    if engine not in ENGINES:
        raise TemplateError(f"unknown template engine {engine!r}; available engines are: "
                            f"{', '.join(repr(e) for e in ENGINES)}")
    if engine == "default":
        try:
            import jinja2  # noqa: F401
        except ImportError:  # pragma: no cover - jinja2 is a dependency
            return "string"
        return "jinja2"
    return engine


def render(engine: str, template: str | None, context: dict[str, Any]) -> Any:
    """Render ``template`` (a name or template text) with ``context``; the context
    itself if ``template`` is None. See the module docstring for the lookup rules."""
    engine = _engine(engine)
    if template is None:
        return context
    if not isinstance(template, str):
        raise TemplateError(f"template must be a template name, template text or None, got "
                            f"{type(template).__name__}")
    if _is_inline(template, engine):
        context = _augmented(context)
        if engine == "string":
            return _render_string(template, "<template text>", context)
        return _render_jinja2(None, template, context)
    context = _augmented(context)
    name = _kind_default(template, context)
    if engine == "string":
        source, origin = _find(name, engine)
        return _render_string(source, origin, context)
    return _render_jinja2(name, None, context)


def _celltype_weight_unit(context: Mapping[str, Any]) -> str | None:
    """Unit name of the synaptic weights onto cells of a cell-type context (None for sources)."""
    if context.get("weight_unit"):
        return context["weight_unit"]
    if not context.get("receptor_types"):
        return None
    from pynnlite.models import cells
    cls = getattr(cells, str(context.get("name")), None)
    if getattr(cls, "voltage_based_synapses", False) or context.get("voltage_based_synapses"):
        return "mV"
    return "uS" if context.get("conductance_based") else "nA"


def _augmented(context: Any) -> Any:
    """The context with what the templates need but some objects do not yet report: the weight
    unit of cell types (mV for voltage-jump synapses) and of projections onto such cells."""
    if not isinstance(context, Mapping):
        return context
    result = dict(context)
    if "receptor_types" in result and "conductance_based" in result and "weight_unit" not in result:
        unit = _celltype_weight_unit(result)
        if unit is not None:
            result["weight_unit"] = unit
    for key in ("celltype", "pre", "post"):
        if isinstance(result.get(key), Mapping):
            result[key] = _augmented(result[key])
    if isinstance(result.get("populations"), list):
        result["populations"] = [_augmented(p) for p in result["populations"]]
    connector, synapse = result.get("connector"), result.get("synapse_type")
    if isinstance(connector, Mapping) and isinstance(synapse, Mapping) \
            and isinstance(connector.get("parameters"), Mapping) and isinstance(synapse.get("parameters"), Mapping):
        given = connector["parameters"].get("column_names") or ()
        if isinstance(given, (list, tuple)) and any(name in synapse["parameters"] for name in given):
            parameters = {name: GIVEN_BY_CONNECTOR if name in given else value
                          for name, value in synapse["parameters"].items()}
            result["synapse_type"] = dict(synapse, parameters=parameters)
    post = result.get("post")
    if "weight_unit" in result and isinstance(post, Mapping):
        celltypes = [post.get("celltype")] if "celltype" in post else \
            [p.get("celltype") for p in post.get("populations", [])]
        combined = _combined_units(c["weight_unit"] for c in celltypes
                                   if isinstance(c, Mapping) and c.get("weight_unit"))
        if combined:
            result["weight_unit"] = combined
    return result


def _kind_default(name: str, context: Any) -> str:
    """Views and assemblies pass the Population default; give them their own."""
    if name != "population_default.txt" or not isinstance(context, Mapping):
        return name
    if "populations" in context and "first_id" not in context:
        return "assembly_default.txt"
    if "parent" in context and "first_id" not in context:
        return "populationview_default.txt"
    return name


# -- jinja2

_jinja_env: Any = None


def _jinja_environment() -> Any:
    global _jinja_env
    if _jinja_env is None:
        import jinja2

        def load(name: str) -> Any:
            source, origin = _find(_kind_default(name, None), "jinja2")
            return source, origin, lambda: False

        def autoescape(name: str | None) -> bool:
            return bool(name) and name.endswith((".html", ".htm"))

        env = jinja2.Environment(loader=jinja2.FunctionLoader(load), undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                 autoescape=autoescape)
        env.filters.update(fmt=format_value, fmt_param=format_param, unit=unit_symbol, md=markdown_cell,
                           num=format_number)
        env.globals.update(text_table=text_table, format_value=format_value, param_block=param_block,
                           entry_block=entry_block, inline_params=inline_params, call=call_text,
                           component_block=component_block, stats=stats_text,
                           other_items_of=lambda mapping, *known: other_items(mapping, known),
                           other_items=jinja2.pass_context(lambda ctx, *known: other_items(
                               {k: v for k, v in ctx.get_all().items() if k not in env.globals}, known)))
        _jinja_env = env
    return _jinja_env


def _render_jinja2(name: str | None, source: str | None, context: Mapping[str, Any]) -> str:
    """Render the template called ``name`` (or the template text ``source``)."""
    import jinja2
    env = _jinja_environment()
    origin = name if name is not None else "<template text>"
    try:
        compiled = env.get_template(name) if name is not None else env.from_string(source)
        return compiled.render(dict(context))
    except jinja2.UndefinedError as exc:
        where = _template_location(exc, origin)
        missing = re.fullmatch(r"'([^']*)' is undefined", str(exc))
        hint = (f"the context has no key {missing.group(1)!r}; its keys are: {', '.join(map(str, context))}"
                if missing else "a key missing from a part of the context")
        raise TemplateError(f"template {where}: {exc} ({hint})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template {exc.name or origin!r}, line {exc.lineno}: {exc.message}") from None
    except TemplateError:
        raise
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template {origin!r}: {exc}") from None


def _template_location(exc: BaseException, origin: str) -> str:
    """'name', line N of the innermost template frame of a rendering error."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename and not filename.endswith(".py"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return repr(origin)
    filename, lineno = found
    if filename == "<template>":
        filename = origin
    elif filename.startswith(PACKAGE + "/"):
        filename = filename[len(PACKAGE) + 1:]
    return f"{filename!r}, line {lineno}"


# -- string.Template

_IDENTIFIER = re.compile(r"[^0-9a-zA-Z_]")
_BLOCK_INDENT = 8


def _render_string(source: str, origin: str, context: Mapping[str, Any]) -> str:
    flat = flatten_context(context)
    try:
        return string.Template(source).substitute(flat)
    except KeyError as exc:
        key = exc.args[0]
        raise TemplateError(f"template {origin!r}: no key {key!r} in the context (${key}); "
                            f"available keys are: {', '.join(sorted(flat))}") from None
    except ValueError as exc:
        raise TemplateError(f"template {origin!r}: {exc}") from None


def flatten_context(context: Mapping[str, Any]) -> dict[str, str]:
    """The flat ``$key`` -> text mapping the string engine substitutes (see module doc)."""
    flat: dict[str, str] = {}
    _flatten(context, "", flat, None)
    flat["_block"] = _block(context, _BLOCK_INDENT, None)
    flat["_others_block"] = _block(context, _BLOCK_INDENT, None, skip=_MAIN_KEYS)
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
    """One-line text of a context value (see the module doc, string engine)."""
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


# ---------------------------------------------------------------- network context


def _value_entry(name: str, values: Any, unit: str | None) -> dict[str, Any]:
    """A value entry (see module doc) from the values of every cell (or one value)."""
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


def _combined_units(units: Iterable[str]) -> str:
    """The one unit name of ``units``, or their symbols joined with ' or ' ('' if none)."""
    units = list(dict.fromkeys(units))
    if len(units) <= 1:
        return units[0] if units else ""
    return " or ".join(unit_symbol(u) for u in units)


def _synapse_kind(celltype: Any) -> tuple[str, str]:
    if celltype.is_source or not celltype.receptor_types:
        return "none", ""
    if getattr(celltype, "voltage_based_synapses", False):
        return "voltage jumps", "mV"
    if celltype.conductance_based:
        return "conductance-based", "uS"
    return "current-based", "nA"


def _structure_entry(structure: Any) -> dict[str, Any] | None:
    if structure is None:
        return None
    name = type(structure).__name__
    parameters = structure.get_parameters() if hasattr(structure, "get_parameters") else {}
    entries = []
    for key, value in parameters.items():
        if key == "rng":
            continue
        unit = "um" if key in _LENGTH_NAMES else None
        entry = _value_entry(key, value if not isinstance(value, (list, tuple)) else None, unit)
        entry["value"] = _plain(value)
        entry["text"] = format_value(value, unit)
        entries.append(entry)
    args = ", ".join(f"{e['name']}={e['text']}" for e in entries)
    return {"name": name, "parameters": entries, "text": _call_text(name, args)}


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


def _annotations(mapping: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): format_value(v) for k, v in mapping.items()}


def _recorded_entries(population: Any, simulation: Any) -> list[dict[str, Any]]:
    recorder = getattr(population, "recorder", None)
    entries = []
    if recorder is None:
        return entries
    for variable, mask in recorder.recorded.items():
        cells = int(np.count_nonzero(mask))
        if cells == 0:
            continue
        unit = None if variable == "spikes" else population.celltype.variable_unit(variable)
        interval = None if variable == "spikes" else float(recorder.sampling_interval or simulation.dt)
        what = f"{cells} of {population.size} cells"
        text = f"spike times of {what}" if variable == "spikes" else \
            f"{variable} ({unit_symbol(unit) or 'dimensionless'}) of {what}, every {format_number(interval)} ms"
        entries.append({"population": population.label, "variable": variable, "unit": unit_symbol(unit),
                        "cells": cells, "sampling_interval": interval, "text": text})
    return entries


def _population_entry(population: Any, simulation: Any) -> dict[str, Any]:
    celltype = population.celltype
    values = population_values(population)
    parameters, initial = values["parameters"], values["initial_values"]
    structure = _structure_entry(population.structure)
    size = population.size
    return {"label": population.label, "size": size, "shape": list(population.shape),
            "first_id": population.first_id, "last_id": population.last_id,
            "celltype": celltype.name, "celltype_description": celltype.description or celltype.name,
            "kind": "spike source" if celltype.is_source else "neuron",
            "structure": structure,
            "structure_text": structure["text"] if structure else "none set (default: Line, 1 µm spacing)",
            "parameters": parameters, "initial_values": initial,
            "recorded": _recorded_entries(population, simulation),
            "annotations": _annotations(getattr(population, "annotations", {}))}


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


def _components(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Nested models of a synapse type context (e.g. STDP timing and weight dependences)."""
    components = []
    for role, value in context.items():
        if isinstance(value, Mapping) and "name" in value and role not in ("units",):
            params = value.get("parameters") if isinstance(value.get("parameters"), Mapping) else {}
            units = value.get("units") if isinstance(value.get("units"), Mapping) else {}
            entries = _mapping_entries(params, units)
            args = ", ".join(f"{e['name']}={e['text']}" for e in entries)
            components.append({"role": str(role).replace("_", " "), "name": value["name"],
                               "description": value.get("description") or value["name"],
                               "parameters": entries, "text": _call_text(value['name'], args)})
    return components


def _synapse_entry(synapse_type: Any, weight_unit: str, min_delay: float,
                   from_connector: Iterable[str] = ()) -> dict[str, Any]:
    context = synapse_type.describe_context()
    units = dict(synapse_type.units)
    units.setdefault("weight", weight_unit)
    entries = _mapping_entries(synapse_type.parameter_space, units)
    given = set(from_connector)
    for entry in entries:
        if entry["name"] in given:
            entry.update(value=None, text=GIVEN_BY_CONNECTOR)
        elif entry["name"] == "delay" and synapse_type.parameter_space.get("delay") is None:
            entry["text"] = f"min_delay ({format_value(min_delay, 'ms')})"
    args = ", ".join(f"{e['name']}={e['text']}" for e in entries)
    return {"name": synapse_type.name, "description": synapse_type.description or synapse_type.name,
            "plastic": bool(getattr(synapse_type, "plastic", False)), "parameters": entries,
            "components": _components(context), "text": _call_text(synapse_type.name, args)}


def _connector_entry(connector: Any) -> dict[str, Any]:
    parameters = connector.get_parameters()
    units = {"delays": "ms", "distance": "um"}
    entries = _mapping_entries(parameters, units)
    args = ", ".join(f"{e['name']}={e['text']}" for e in entries)
    rng = getattr(connector, "rng", None)
    return {"name": type(connector).__name__, "parameters": entries,
            "seed": getattr(rng, "seed", None) if rng is not None else None,
            "text": _call_text(type(connector).__name__, args)}


def _projection_entry(projection: Any) -> dict[str, Any]:
    w_unit = weight_unit(projection)
    synapse = _synapse_entry(projection.synapse_type, w_unit, projection.simulation.min_delay,
                             getattr(projection.connector, "column_names", ()) or ())
    others = []
    names = [n for n in list(projection.synapse_parameter_names()) + list(projection.synapse_state_names())
             if n not in ("weight", "delay")]
    for name in dict.fromkeys(names):
        others.append(connection_stats(projection, name, projection.synapse_type.units.get(name)))
    connections = projection.size(gather=True)
    return {"label": projection.label, "pre": projection.pre.label, "post": projection.post.label,
            "pre_size": projection.pre.size, "post_size": projection.post.size,
            "receptor_type": projection.receptor_type, "source": projection.source or "spikes",
            "connector": _connector_entry(projection.connector), "synapse_type": synapse,
            "connections": int(connections),
            "weight": connection_stats(projection, "weight", w_unit),
            "delay": connection_stats(projection, "delay", "ms"),
            "synaptic_values": others, "space": space_context(getattr(projection, "space", None)),
            "annotations": _annotations(getattr(projection, "annotations", {}))}


def _current_source_entry(source: Any) -> dict[str, Any]:
    entries = _mapping_entries(source.parameter_space, source.units)
    targets = [{"label": t.label, "size": int(t.size)} for t in source.targets]
    cells = sum(t["size"] for t in targets)
    args = ", ".join(f"{e['name']}={e['text']}" for e in entries)
    return {"name": source.name, "description": source.description or source.name, "parameters": entries,
            "targets": targets, "cells": cells, "text": _call_text(source.name, args)}


def _model_entries(populations: list[Any], sources: bool) -> list[dict[str, Any]]:
    models: dict[str, dict[str, Any]] = {}
    for population in populations:
        celltype = population.celltype
        if bool(celltype.is_source) != sources:
            continue
        entry = models.get(celltype.name)
        if entry is None:
            kind, unit = _synapse_kind(celltype)
            state = [_value_entry(n, v, celltype.units.get(n))
                     for n, v in type(celltype).default_initial_values.items()]
            entry = {"name": celltype.name, "description": celltype.description or celltype.name,
                     "populations": [], "synapses": kind, "weight_unit": unit_symbol(unit),
                     "receptor_types": list(celltype.receptor_types), "state_variables": state,
                     "recordable": list(celltype.recordable)}
            models[celltype.name] = entry
        entry["populations"].append(population.label)
    return list(models.values())


def _synapse_models(projections: list[Any]) -> list[dict[str, Any]]:
    models: dict[str, dict[str, Any]] = {}
    weight_units: dict[str, list[str]] = {}
    for projection in projections:
        synapse_type = projection.synapse_type
        entry = models.get(synapse_type.name)
        if entry is None:
            parameters = []
            for name in synapse_type.parameter_space:
                symbol = unit_symbol(synapse_type.units.get(name))
                parameters.append({"name": name, "unit": symbol, "text": symbol or "dimensionless"})
            entry = {"name": synapse_type.name, "description": synapse_type.description or synapse_type.name,
                     "plastic": bool(getattr(synapse_type, "plastic", False)), "projections": [],
                     "parameters": parameters, "components": _components(synapse_type.describe_context())}
            models[synapse_type.name] = entry
            weight_units[synapse_type.name] = []
        if "weight" not in synapse_type.units:
            for symbol in unit_symbol(weight_unit(projection)).split(" or "):
                if symbol not in weight_units[synapse_type.name]:
                    weight_units[synapse_type.name].append(symbol)
        entry["projections"].append(projection.label)
    for name, entry in models.items():
        for parameter in entry["parameters"]:
            if parameter["name"] == "weight" and weight_units[name]:
                parameter["unit"] = parameter["text"] = " or ".join(weight_units[name])
    return list(models.values())


def _seeds(simulation: Any) -> list[dict[str, Any]]:
    seeds: list[dict[str, Any]] = []

    def add(used_by: str, rng: Any) -> None:
        seed = getattr(rng, "seed", None)
        if seed is not None:
            seeds.append({"used_by": used_by, "seed": int(seed), "rng": type(rng).__name__})

    add("default RNG", simulation.default_rng)
    for population in simulation.populations:
        for name, value in population.celltype.parameter_space.items():
            if _is_random_distribution(value):
                add(f"population {population.label}: {name}", value.rng)
        structure = population.structure
        if structure is not None and getattr(structure, "rng", None) is not None:
            add(f"population {population.label}: structure", structure.rng)
    for projection in simulation.projections:
        rng = getattr(projection.connector, "rng", None)
        if rng is not None:
            add(f"projection {projection.label}: connector", rng)
        for name, value in projection.synapse_type.parameter_space.items():
            if _is_random_distribution(value):
                add(f"projection {projection.label}: {name}", value.rng)
    return seeds


def _settings(simulation: Any, seeds: list[dict[str, Any]]) -> list[dict[str, str]]:
    min_setting = getattr(simulation, "min_delay_setting", None)
    max_setting = getattr(simulation, "max_delay_setting", "given")
    min_delay = format_value(simulation.min_delay, "ms") + (" (auto: the smallest delay)" if min_setting == "auto" else "")
    max_delay = format_value(simulation.max_delay, "ms") + (" (default)" if max_setting is None else "")
    groups: dict[int, list[str]] = {}
    for entry in seeds:
        groups.setdefault(entry["seed"], []).append(entry["used_by"])
    seed_text = "; ".join(f"{seed} ({', '.join(users)})" for seed, users in groups.items()) or "none"
    return [{"setting": "Backend", "value": str(simulation.backend)},
            {"setting": "Time step", "value": format_value(simulation.dt, "ms")},
            {"setting": "Minimum delay", "value": min_delay},
            {"setting": "Maximum delay", "value": max_delay},
            {"setting": "Simulated time", "value": format_value(simulation.t, "ms")},
            {"setting": "MPI processes", "value": str(simulation.comm.size)},
            {"setting": "Random seeds", "value": seed_text}]


def _call_text(name: Any, args: str) -> str:
    """``Name(args)``, or ``Name (no parameters)``."""
    return f"{name}({args})" if args else f"{name} (no parameters)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _join(items: Iterable[str], empty: str = "none") -> str:
    items = list(dict.fromkeys(items))
    return ", ".join(items) if items else empty


def _summary(ctx: dict[str, Any], simulation: Any) -> list[dict[str, str]]:
    totals = ctx["totals"]
    pops = ctx["populations"]
    prjs = ctx["projections"]
    structures = [f"{p['label']}: {p['structure']['name']}" for p in pops if p["structure"] is not None]
    spaces = [f"{p['label']}: {p['space']['text']}" for p in prjs if p["space"]["text"] != "Space(axes=xyz)"]
    topology = "; ".join(structures) if structures else "none (no spatial structure set)"
    if spaces:
        topology += "; distances in " + "; ".join(spaces)
    population_text = (f"{totals['populations']} ({totals['cells']} cells): "
                       + _join(f"{p['label']} ({p['size']} × {p['celltype']})" for p in pops)) if pops else "none"
    connectivity = (f"{_plural(totals['projections'], 'projection')}, "
                    f"{_plural(totals['connections'], 'connection')}: "
                    + _join(p["connector"]["name"] for p in prjs)) if prjs else "none"
    neurons = _join(m["name"] for m in ctx["neuron_models"])
    synapses = _join(f"{m['name']} ({_join(p['receptor_type'] for p in prjs if p['synapse_type']['name'] == m['name'])})"
                     for m in ctx["synapse_models"])
    plastic = [m["name"] for m in ctx["synapse_models"] if m["plastic"]]
    inputs = [f"{s['celltype']} ({s['label']}, {s['size']} cells)" for s in ctx["inputs"]["spike_sources"]]
    inputs += [f"{c['name']} into {_join(t['label'] for t in c['targets'])}" for c in ctx["inputs"]["current_sources"]]
    by_variable: dict[str, list[str]] = {}
    for r in ctx["recordings"]:
        by_variable.setdefault(r["variable"], []).append(f"{r['population']}: {r['cells']} cells")
    measurements = "; ".join(f"{v} ({', '.join(where)})" for v, where in by_variable.items()) or "nothing recorded"
    return [{"aspect": "Populations", "description": population_text},
            {"aspect": "Topology", "description": topology},
            {"aspect": "Connectivity", "description": connectivity},
            {"aspect": "Neuron models", "description": neurons},
            {"aspect": "Synapse models", "description": synapses},
            {"aspect": "Plasticity", "description": _join(plastic)},
            {"aspect": "Input", "description": _join(inputs)},
            {"aspect": "Measurements", "description": measurements}]


def network_context(simulation: Any) -> dict[str, Any]:
    """The documented context of the whole-network report (module docstring).

    Collective under MPI: every process must call it (global counts and
    statistics are reduced over the processes)."""
    from pynnlite import __version__
    populations = list(simulation.populations)
    projections = list(simulation.projections)
    pop_entries = [_population_entry(p, simulation) for p in populations]
    prj_entries = [_projection_entry(p) for p in projections]
    spike_sources = []
    for population, entry in zip(populations, pop_entries):
        if population.celltype.is_source:
            targets = [p.label for p in projections
                       if any(pop is population for pop, _ in _segments(p.pre))]
            args = ", ".join(f"{e['name']}={e['text']}" for e in entry["parameters"])
            spike_sources.append({"label": entry["label"], "size": entry["size"], "celltype": entry["celltype"],
                                  "parameters": entry["parameters"], "targets": targets,
                                  "text": _call_text(entry['celltype'], args)})
    current_sources = [_current_source_entry(s) for s in simulation.current_sources]
    recordings = [r for entry in pop_entries for r in entry["recorded"]]
    seeds = _seeds(simulation)
    sources = sum(p.size for p in populations if p.celltype.is_source)
    cells = sum(p.size for p in populations)
    ctx: dict[str, Any] = {
        "pynnlite_version": __version__,
        "totals": {"populations": len(populations), "cells": cells, "neurons": cells - sources,
                   "spike_sources": sources, "projections": len(projections),
                   "connections": sum(p["connections"] for p in prj_entries),
                   "current_sources": len(current_sources)},
        "summary": [],
        "populations": pop_entries,
        "projections": prj_entries,
        "neuron_models": _model_entries(populations, sources=False),
        "spike_source_models": _model_entries(populations, sources=True),
        "synapse_models": _synapse_models(projections),
        "inputs": {"spike_sources": spike_sources, "current_sources": current_sources},
        "recordings": recordings,
        "simulation": {"backend": str(simulation.backend), "timestep": float(simulation.dt),
                       "min_delay": float(simulation.min_delay), "max_delay": float(simulation.max_delay),
                       "time": float(simulation.t), "num_processes": int(simulation.comm.size),
                       "seed": getattr(simulation.default_rng, "seed", None), "seeds": seeds,
                       "settings": _settings(simulation, seeds)},
        "annotations": _annotations(getattr(simulation, "annotations", {})),
    }
    ctx["summary"] = _summary(ctx, simulation)
    return ctx


def describe_network(simulation: Any, format: str = "text", template: str | None = "default",
                     engine: str = "default") -> Any:
    """The whole-network report of ``simulation`` in ``format`` ('text', 'markdown', 'html').

    ``template``: 'default' (the format's default template), None (the context dict,
    see ``network_context``), a template name or template text. Under MPI every
    process must call this; only rank 0 gets the text, the others get ''.
    """
    if format not in FORMATS:
        raise TemplateError(f"unknown report format {format!r}; available formats are: "
                            f"{', '.join(repr(f) for f in FORMATS)}")
    engine = _engine(engine)
    context = network_context(simulation)
    if template is None:
        return context
    if template == "default":
        template = FORMATS[format]
    text = render(engine, template, context)
    return text if simulation.comm.rank == 0 else ""
