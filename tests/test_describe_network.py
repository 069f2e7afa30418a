"""Whole-network reports (``sim.describe()``): golden files in text, Markdown and HTML,
well-formed HTML, consistent Markdown tables, no empty fields, the documented context,
determinism, MPI behaviour.

Regenerate the golden files with ``PYNNLITE_REGENERATE_GOLDEN=1``.
"""
from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pynnlite
from pynnlite import descriptions
from pynnlite import simulation as _simulation
from pynnlite.connectors import AllToAllConnector, FixedProbabilityConnector, FromListConnector, OneToOneConnector
from pynnlite.control import SimulatorControl
from pynnlite.current_sources import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource
from pynnlite.errors import TemplateError
from pynnlite.models.cells import IF_cond_exp, IF_curr_delta, IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson
from pynnlite.models.synapses import StaticSynapse
from pynnlite.populations import Assembly, Population
from pynnlite.projections import Projection
from pynnlite.random import NumpyRNG, RandomDistribution
from pynnlite.simulation import Simulation, SingleProcess
from pynnlite.space import Grid2D, Space

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("PYNNLITE_REGENERATE_GOLDEN", "") not in ("", "0")
FORMATS = {"text": "txt", "markdown": "md", "html": "html"}


# ---------------------------------------------------------------- helpers

class NullEngine:
    """An engine that accepts every call and only advances the clock (reports do not depend
    on the dynamics, so the golden files do not change with the kernels)."""

    def __init__(self, simulation: Simulation):
        self.simulation = simulation

    def run(self, n_steps: int) -> None:
        self.simulation.step_count += n_steps

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


class TwoIdenticalRanks(SingleProcess):
    """Rank ``rank`` of two processes that hold the same local data (reductions double sums)."""

    size = 2

    def __init__(self, rank: int):
        self.rank = rank

    def allreduce_sum(self, value: float) -> float:
        return 2 * value


def new_simulation(comm: Any = None) -> Simulation:
    simulation = Simulation("numpy", NullEngine, timestep=0.1, min_delay="auto", max_delay=None,
                            comm=comm, rng_seed=2024)
    _simulation.set_current(simulation)
    return simulation


@pytest.fixture(autouse=True)
def restore_current():
    previous = _simulation._current
    yield
    _simulation.set_current(previous)


def normalise(text: str) -> str:
    return text.replace(f"pynnlite {pynnlite.__version__}", "pynnlite <version>")


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    text = normalise(text)
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; run with PYNNLITE_REGENERATE_GOLDEN=1 to create it")
    assert text == path.read_text(encoding="utf-8"), \
        f"{name} differs from the golden file (PYNNLITE_REGENERATE_GOLDEN=1 to update)"


EMPTY_FIELD = re.compile(r"(:|(?<!=)=)[ \t]*$|\(\s*\)|\bNone\b|\bnan\b", re.MULTILINE)


def check_text(text: str) -> None:
    """No field without a value: no 'Label:' or 'name =' at the end of a line, no '()',
    no Python None or NaN."""
    bad = [line for line in text.splitlines() if EMPTY_FIELD.search(line)]
    assert not bad, "empty fields in:\n" + "\n".join(bad)


def markdown_cells(line: str) -> list[str]:
    assert line.startswith("|") and line.rstrip().endswith("|"), f"not a table row: {line!r}"
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def check_markdown(text: str) -> int:
    """Every table row has as many columns as its header, the second row is the
    separator, and no cell is empty. Returns the number of tables."""
    check_text(re.sub(r"^\|.*$", "", text, flags=re.MULTILINE))
    tables = 0
    lines = text.splitlines()
    k = 0
    while k < len(lines):
        if not lines[k].startswith("|"):
            k += 1
            continue
        block = []
        while k < len(lines) and lines[k].startswith("|"):
            block.append(lines[k])
            k += 1
        tables += 1
        header = markdown_cells(block[0])
        assert len(block) >= 3, f"table without rows: {block[0]}"
        assert re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", block[1].strip()), f"bad separator row {block[1]!r}"
        assert len(markdown_cells(block[1])) == len(header), f"separator of {block[0]}"
        for row in block[2:]:
            cells = markdown_cells(row)
            assert len(cells) == len(header), f"{len(cells)} cells, header has {len(header)}: {row}"
            assert all(cells), f"empty cell in {row}"
            for cell in cells:
                assert not EMPTY_FIELD.search(cell.replace("<br>", "\n")), f"empty field in cell {cell!r}"
    return tables


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                 "track", "wbr"}


class WellFormed(HTMLParser):
    """Checks that every opened tag is closed in order, and collects the text of table cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.cells: list[str] = []
        self.rows: list[int] = []
        self._cell: list[str] | None = None
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in VOID_ELEMENTS:
            return
        self.stack.append(tag)
        if tag in ("td", "th"):
            self._cell = []
        if tag == "tr":
            self.rows.append(0)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag not in VOID_ELEMENTS:
            self.errors.append(f"<{tag} /> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            self.errors.append(f"</{tag}> closes a void element")
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}> "
                               f"at line {self.getpos()[0]}")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell).strip())
            self.rows[-1] += 1
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def check_html(text: str) -> WellFormed:
    parser = WellFormed()
    parser.feed(text)
    parser.close()
    assert parser.doctype, "no <!DOCTYPE html>"
    assert not parser.errors, "\n".join(parser.errors)
    assert not parser.stack, f"tags never closed: {parser.stack}"
    assert all(parser.cells), "empty table cell"
    for cell in parser.cells:
        assert not EMPTY_FIELD.search(cell), f"empty field in cell {cell!r}"
    check_text(re.sub(r"<[^>]+>", "", text.split("</style>")[-1]))
    return parser


def check_report(text: str, format: str) -> None:
    {"text": check_text, "markdown": check_markdown, "html": check_html}[format](text)


# ---------------------------------------------------------------- networks

def build_balanced(simulation: Simulation, n: int = 50) -> None:
    """A scaled-down Vogels–Abbott (COBA) network with a Poisson kick."""
    rng = NumpyRNG(seed=98765)
    cell = IF_cond_exp(tau_m=20.0, cm=0.2, tau_syn_E=5.0, tau_syn_I=10.0, v_thresh=-50.0, v_reset=-60.0,
                       tau_refrac=5.0, v_rest=-60.0, e_rev_E=0.0, e_rev_I=-80.0)
    exc = Population(int(n * 0.8), cell, label="Excitatory")
    inh = Population(n - int(n * 0.8), cell, label="Inhibitory")
    v_init = RandomDistribution("uniform", (-60.0, -50.0), rng=rng)
    exc.initialize(v=v_init)
    inh.initialize(v=v_init)
    connector = FixedProbabilityConnector(0.1, rng=rng)
    ex = StaticSynapse(weight=0.004, delay=0.2)
    ih = StaticSynapse(weight=0.051, delay=0.2)
    Projection(exc, exc, connector, ex, receptor_type="excitatory", label="E→E")
    Projection(exc, inh, connector, ex, receptor_type="excitatory", label="E→I")
    Projection(inh, exc, connector, ih, receptor_type="inhibitory", label="I→E")
    Projection(inh, inh, connector, ih, receptor_type="inhibitory", label="I→I")
    kick = Population(5, SpikeSourcePoisson(rate=100.0, duration=50.0), label="Poisson kick")
    Projection(kick, exc, FixedProbabilityConnector(0.2, rng=rng), StaticSynapse(weight=0.1, delay=0.2),
               label="kick→E")
    exc.record("spikes")
    inh.record("spikes")
    exc[0:2].record("v")


def build_mixed(simulation: Simulation) -> None:
    """Current-based and voltage-jump cells, views and assemblies, every current source,
    a structure, a periodic space, a connection list, heterogeneous parameters."""
    rng = NumpyRNG(seed=5)
    grid = Population(6, IF_curr_exp(tau_syn_E=2.0), structure=Grid2D(aspect_ratio=1.5, dx=50.0, dy=50.0),
                      label="grid | L4")
    grid.set(i_offset=np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5]))
    grid.annotate(area="V1")
    delta = Population(3, IF_curr_delta(), label="delta <jumps>")
    times = Population(2, SpikeSourceArray(spike_times=[[5.0, 10.0], [7.5]]), label="times")
    Projection(grid, grid, AllToAllConnector(allow_self_connections=False), StaticSynapse(weight=0.3, delay=1.0),
               space=Space(axes="xy", periodic_boundaries=((0, 150), (0, 100), None)), label="lateral")
    Projection(times, delta[1:3], OneToOneConnector(), StaticSynapse(weight=1.5, delay=0.5), label="jumps")
    # labelled: the default label counts every Assembly made before it (PyNN's "assembly<n>")
    Projection(Assembly(grid[0:2], delta, label="grid + delta"), grid, FromListConnector([(0, 1, 0.2, 1.0), (3, 4, -0.1, 2.0)]), StaticSynapse(),
               receptor_type="inhibitory", label="listed")
    Projection(grid, delta, FixedProbabilityConnector(0.5, rng=rng),
               StaticSynapse(weight=RandomDistribution("normal", mu=0.5, sigma=0.1, rng=rng), delay=0.3),
               label="to delta")
    DCSource(amplitude=0.5, start=20.0).inject_into(grid[0:3])
    ACSource(amplitude=0.2, frequency=5.0, phase=90.0).inject_into(delta)
    StepCurrentSource(amplitudes=[0.1, 0.0], times=[10.0, 30.0]).inject_into(grid)
    NoisyCurrentSource(mean=0.05, stdev=0.01).inject_into(delta)
    grid.record(["spikes", "v"], sampling_interval=1.0)
    delta.record("v")
    simulation.annotations["model"] = "test network"


def build_empty(simulation: Simulation) -> None:
    pass


NETWORKS = {"balanced": build_balanced, "mixed": build_mixed, "empty": build_empty}


def report(build, format: str, run: float = 100.0, **kwargs: Any) -> Any:
    simulation = new_simulation(kwargs.pop("comm", None))
    build(simulation)
    simulation.run(run)
    return descriptions.describe_network(simulation, format=format, **kwargs)


# ---------------------------------------------------------------- golden files and form

@pytest.mark.parametrize("network", sorted(NETWORKS))
@pytest.mark.parametrize("format", sorted(FORMATS))
def test_golden_network_reports(network, format):
    text = report(NETWORKS[network], format)
    check_report(text, format)
    check_golden(f"network_{network}.{FORMATS[format]}", text)


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_golden_network_report_string_engine(network):
    text = report(NETWORKS[network], "text", engine="string")
    check_text(text)
    check_golden(f"network_{network}_string.txt", text)


def test_markdown_tables_are_counted():
    assert check_markdown(report(build_mixed, "markdown")) == 10


def test_html_checker_catches_unclosed_and_empty():
    with pytest.raises(AssertionError):
        check_html("<!DOCTYPE html><html><body><p>text</body></html>")
    with pytest.raises(AssertionError):
        check_html("<!DOCTYPE html><html><body><table><tr><td></td></tr></table></body></html>")
    with pytest.raises(AssertionError):
        check_markdown("| a | b |\n|---|---|\n| 1 |\n")
    with pytest.raises(AssertionError):
        check_text("    Target:\n")


def test_html_escapes_labels():
    text = report(build_mixed, "html")
    assert "delta &lt;jumps&gt;" in text and "delta <jumps>" not in text
    check_html(text)


def test_markdown_escapes_pipes():
    text = report(build_mixed, "markdown")
    assert "grid \\| L4" in text and "delta &lt;jumps&gt;" in text and "<jumps>" not in text


def test_reports_are_deterministic():
    for format in FORMATS:
        for build in NETWORKS.values():
            assert report(build, format) == report(build, format)


# ---------------------------------------------------------------- content: what a methods section needs

def test_report_content_balanced():
    text = report(build_balanced, "text")
    for needle in ("Excitatory", "Inhibitory", "Poisson kick", "40  IF_cond_exp", "E→E", "I→I", "kick→E",
                   "FixedProbabilityConnector(p_connect=0.1, allow_self_connections=True)",
                   "StaticSynapse(weight=0.004 µS, delay=0.2 ms)", "0.051 µS (all connections)",
                   "tau_m       20 ms", "cm          0.2 nF", "e_rev_I     -80 mV",
                   "v         min -5", "Time step       0.1 ms", "Simulated time  100 ms",
                   "Minimum delay   0.2 ms (auto: the smallest delay)", "Maximum delay   0.2 ms (auto: the largest delay)",
                   "2024 (default RNG)", "98765 (projection E→E: connector, projection E→I: connector", "rate      100 Hz",
                   "MPI processes   1", "Backend         numpy"):
        assert needle in text, needle


def test_report_content_mixed():
    context = report(build_mixed, "text", template=None)
    by_label = {p["label"]: p for p in context["projections"]}
    assert by_label["jumps"]["weight"]["unit"] == "mV"          # IF_curr_delta: voltage jumps
    assert by_label["lateral"]["weight"]["unit"] == "nA"
    assert by_label["jumps"]["weight"]["text"] == "1.5 mV (all connections)"
    assert by_label["listed"]["synapse_type"]["parameters"][0]["text"] == descriptions.GIVEN_BY_CONNECTOR
    assert by_label["listed"]["weight"]["min"] == -0.1 and by_label["listed"]["connections"] == 2
    assert "periodic boundaries: x from 0 to 150 µm" in by_label["lateral"]["space"]["text"]
    grid = context["populations"][0]
    i_offset = next(e for e in grid["parameters"] if e["name"] == "i_offset")
    assert i_offset["heterogeneous"] and i_offset["min"] == 0.0 and i_offset["max"] == 0.5
    assert i_offset["mean"] == pytest.approx(0.25) and i_offset["text"] == "min 0 / mean 0.25 / max 0.5 nA"
    assert grid["structure"]["name"] == "Grid2D"
    models = {m["name"]: m for m in context["neuron_models"]}
    assert models["IF_curr_delta"]["synapses"] == "voltage jumps" and models["IF_curr_delta"]["weight_unit"] == "mV"
    sources = context["inputs"]["current_sources"]
    assert [s["name"] for s in sources] == ["DCSource", "ACSource", "StepCurrentSource", "NoisyCurrentSource"]
    assert sources[0]["cells"] == 3
    assert {(r["population"], r["variable"]) for r in context["recordings"]} == {
        ("grid | L4", "spikes"), ("grid | L4", "v"), ("delta <jumps>", "v")}


def test_every_parameter_has_its_unit():
    context = report(build_mixed, "text", template=None)
    simulation = _simulation.current()
    for population, entry in zip(simulation.populations, context["populations"]):
        for value in entry["parameters"] + entry["initial_values"]:
            unit = population.celltype.units.get(value["name"], "dimensionless")
            symbol = descriptions.unit_symbol(unit)
            assert value["unit"] == symbol
            if symbol:
                assert symbol in value["text"], (population.label, value)


# ---------------------------------------------------------------- the context

DOCUMENTED = {
    "": {"pynnlite_version", "totals", "summary", "populations", "projections", "neuron_models",
         "spike_source_models", "synapse_models", "inputs", "recordings", "simulation", "annotations"},
    "totals": {"populations", "cells", "neurons", "spike_sources", "projections", "connections",
               "current_sources"},
    "population": {"label", "size", "shape", "first_id", "last_id", "celltype", "celltype_description", "kind",
                   "structure", "structure_text", "parameters", "initial_values", "recorded", "annotations"},
    "value": {"name", "unit", "value", "heterogeneous", "min", "mean", "max", "text"},
    "projection": {"label", "pre", "post", "pre_size", "post_size", "receptor_type", "source", "connector",
                   "synapse_type", "connections", "weight", "delay", "synaptic_values", "space", "annotations"},
    "stats": {"name", "unit", "count", "min", "mean", "max", "std", "text"},
    "simulation": {"backend", "timestep", "min_delay", "max_delay", "time", "num_processes", "seed", "seeds",
                   "settings"},
    "neuron_model": {"name", "description", "populations", "synapses", "weight_unit", "receptor_types",
                     "state_variables", "recordable"},
    "synapse_model": {"name", "description", "plastic", "projections", "parameters", "components"},
    "current_source": {"name", "description", "parameters", "targets", "cells", "text"},
    "spike_source": {"label", "size", "celltype", "parameters", "targets", "text"},
    "recording": {"population", "variable", "unit", "cells", "sampling_interval", "text"},
}


def test_template_none_returns_the_documented_context():
    context = report(build_mixed, "text", template=None)
    assert set(context) == DOCUMENTED[""]
    assert set(context["totals"]) == DOCUMENTED["totals"]
    assert context["totals"] == {"populations": 3, "cells": 11, "neurons": 9, "spike_sources": 2,
                                 "projections": 4, "connections": context["totals"]["connections"],
                                 "current_sources": 4}
    for population in context["populations"]:
        assert set(population) == DOCUMENTED["population"]
        for value in population["parameters"] + population["initial_values"]:
            assert set(value) == DOCUMENTED["value"]
        for recording in population["recorded"]:
            assert set(recording) == DOCUMENTED["recording"]
    for projection in context["projections"]:
        assert set(projection) == DOCUMENTED["projection"]
        assert set(projection["weight"]) == DOCUMENTED["stats"] == set(projection["delay"])
    assert set(context["simulation"]) == DOCUMENTED["simulation"]
    assert all(set(m) == DOCUMENTED["neuron_model"] for m in context["neuron_models"])
    assert all(set(m) == DOCUMENTED["synapse_model"] for m in context["synapse_models"])
    assert all(set(s) == DOCUMENTED["current_source"] for s in context["inputs"]["current_sources"])
    assert all(set(s) == DOCUMENTED["spike_source"] for s in context["inputs"]["spike_sources"])
    assert [row["aspect"] for row in context["summary"]] == [
        "Populations", "Topology", "Connectivity", "Neuron models", "Synapse models", "Plasticity", "Input",
        "Measurements"]
    assert context["simulation"]["time"] == pytest.approx(100.0)
    for key in DOCUMENTED[""] - {"pynnlite_version"}:
        assert f"``{key}``" in descriptions.__doc__, f"{key} is not documented"


def test_describe_through_the_simulator_module(tmp_path):
    control = SimulatorControl("numpy", NullEngine)
    control.setup(timestep=0.1, rng_seed=3)
    try:
        build_balanced(control.simulation)
        context = control.describe(template=None)
        assert isinstance(context, dict) and set(context) == DOCUMENTED[""]
        text = control.describe(format="markdown", template="network_default.md")
        check_markdown(text)
        assert text.startswith("# Network description")
        assert control.describe(template="{{ totals.cells }} cells") == "55 cells"
    finally:
        control.end()


def test_format_and_engine_errors():
    simulation = new_simulation()
    with pytest.raises(TemplateError) as info:
        descriptions.describe_network(simulation, format="pdf")
    assert "'text'" in str(info.value) and "'markdown'" in str(info.value) and "'html'" in str(info.value)
    with pytest.raises(TemplateError) as info:
        descriptions.describe_network(simulation, engine="mako")
    assert "'jinja2'" in str(info.value) and "'string'" in str(info.value)
    with pytest.raises(TemplateError) as info:
        descriptions.describe_network(simulation, format="html", engine="string")
    assert "network_default.txt" in str(info.value)


# ---------------------------------------------------------------- MPI

def test_only_rank_zero_gets_the_text_and_counts_are_global():
    for rank in (0, 1):
        simulation = new_simulation(TwoIdenticalRanks(rank))
        build_balanced(simulation)
        local = {p.label: len(p) for p in simulation.projections}
        text = descriptions.describe_network(simulation, format="markdown")
        context = descriptions.describe_network(simulation, template=None)
        assert (text == "") == (rank == 1)
        assert context["simulation"]["num_processes"] == 2
        for entry in context["projections"]:
            assert entry["connections"] == 2 * local[entry["label"]]
            assert entry["weight"]["count"] == entry["connections"]
        if rank == 0:
            check_markdown(text)
            assert "| MPI processes | 2 |" in text


# ---------------------------------------------------------------- with the numpy backend

def test_report_after_a_run_with_the_numpy_backend():
    try:
        import pynnlite.backends.numpy as sim
    except ImportError as exc:  # pragma: no cover - backend being rewritten
        pytest.skip(f"numpy backend not importable: {exc}")
    sim.setup(timestep=0.1, min_delay=0.2, max_delay=0.2, rng_seed=11)
    try:
        build_balanced(_simulation.current(), n=100)
        sim.run(20.0)
        for format in FORMATS:
            text = sim.describe(format=format, template="default")
            check_report(text, format)
        text = sim.describe(format="text", template="default")
        assert "Simulated time  20 ms" in text and "Maximum delay   0.2 ms" in text
    finally:
        sim.end()


def test_mixed_post_units_and_empty_populations():
    simulation = new_simulation()
    empty = Population(0, IF_curr_exp(tau_m=12.0), label="empty")
    cond = Population(4, IF_cond_exp(), label="cond")
    delta = Population(4, IF_curr_delta(), label="delta")
    source = Population(3, SpikeSourceArray(spike_times=[1.0, 2.0]), label="source")
    Projection(source, cond + delta, AllToAllConnector(), StaticSynapse(weight=0.1), label="mixed")
    Projection(source, empty, AllToAllConnector(), StaticSynapse(weight=0.1), label="to nobody")
    context = descriptions.describe_network(simulation, template=None)
    mixed, nobody = context["projections"]
    assert mixed["weight"]["unit"] == "µS or mV" and mixed["weight"]["text"] == "0.1 µS or mV (all connections)"
    assert nobody["connections"] == 0 and nobody["weight"]["text"] == "no connections"
    tau_m = next(e for e in context["populations"][0]["parameters"] if e["name"] == "tau_m")
    assert tau_m["text"] == "12 ms"
    assert context["synapse_models"][0]["parameters"][0]["text"] == "µS or mV or nA"
    for format in FORMATS:
        check_report(descriptions.describe_network(simulation, format=format), format)
    text = simulation.projections[0].describe()
    assert "Weights: 0.1 µS or mV (all connections)" in text
