"""The whole-network report: :func:`network_context` (the context documented in the
docstring of :mod:`pynnlite.descriptions`, *Network context*) and :func:`describe_network`
(``sim.describe(...)``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterable

import numpy as np

from pynnlite.descriptions.contexts import (_mapping_entries, _plain, _segments, _synapse_kind, _value_entry,
                                            connection_stats, population_values, space_context, weight_unit)
from pynnlite.descriptions.engines import _engine, render
from pynnlite.descriptions.formatting import (GIVEN_BY_CONNECTOR, _LENGTH_NAMES, _call_text,
                                              _is_random_distribution, format_number, format_value,
                                              unit_symbol)
from pynnlite.errors import TemplateError


#: Report format -> default whole-network template.
FORMATS = {"text": "network_default.txt", "markdown": "network_default.md", "html": "network_default.html"}


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
    structure = _structure_entry(population._structure)
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
        structure = population._structure
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
    max_delay = format_value(simulation.max_delay, "ms") + (
        " (auto: the largest delay)" if min_setting == "auto" else " (default)" if max_setting is None else "")
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
    """The documented context of the whole-network report (package docstring).

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
