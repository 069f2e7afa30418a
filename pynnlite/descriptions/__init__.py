"""Reports of network objects and whole networks, rendered from templates.

Every describable object (Population, PopulationView, Assembly, Projection,
connectors, cell and synapse types, current sources, structures) has
``describe(template=..., engine='default')``, which calls :func:`render` with the
object's ``describe_context()``; a whole network is described by
:func:`describe_network` (``sim.describe(...)``).

Modules
    ``engines`` (:func:`render`, the engines, template lookup and template
    directories), ``formatting`` (values as report text, the template helpers,
    :func:`flatten_context`), ``contexts`` (contexts of single objects:
    :func:`population_values`, :func:`connection_stats`, :func:`weight_unit`,
    :func:`space_context`) and ``network`` (:func:`network_context`,
    :func:`describe_network`). Every public name is importable from
    ``pynnlite.descriptions`` itself.

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
    key but ``name``, ``label``, ``description``, ``parameters``, ``units`` and
    PyNN's names below.

PyNN's context names
    For templates written for PyNN, contexts also have PyNN's keys: cell and
    synapse types ``default_parameters`` and ``default_initial_values``;
    populations ``size_local``, ``local_first_id`` and ``cell_parameters`` (the
    first local cell's parameters) and each annotation as a top-level key (unless
    the context has that key); projections ``size_local`` and ``plasticity`` (the
    synapse type's context). ``other_items`` and ``$_others_block`` leave them out.

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
# Every public name of the former module pynnlite/descriptions.py is importable from here;
# __all__ is the same as then (it never listed the template helpers and some constants).
from pynnlite.descriptions.contexts import connection_stats, population_values, space_context, weight_unit
from pynnlite.descriptions.engines import (ENGINES, ENV_VAR, PACKAGE, STRING_SUFFIX,  # noqa: F401
                                           add_template_dir, available_templates, remove_template_dir,
                                           render, template_search_path)
from pynnlite.descriptions.formatting import (GIVEN_BY_CONNECTOR, UNIT_SYMBOLS, call_text,  # noqa: F401
                                              component_block, entry_block, flatten_context, format_number,
                                              format_param, format_value, inline_params, markdown_cell,
                                              other_items, param_block, stats_text, text_table, unit_symbol)
from pynnlite.descriptions.network import FORMATS, describe_network, network_context

__all__ = ["ENGINES", "FORMATS", "ENV_VAR", "render", "describe_network", "network_context",
           "space_context", "population_values", "connection_stats", "weight_unit", "flatten_context",
           "add_template_dir", "remove_template_dir", "template_search_path", "available_templates",
           "format_value", "format_number", "unit_symbol"]
