"""describe() of single objects: template engines, template lookup, errors, golden files.

Golden files live in tests/golden/; regenerate them with
``PYNNLITE_REGENERATE_GOLDEN=1 python -m pytest tests/test_describe*.py``.
The networks are built on a simulation whose engine does nothing: nothing in a
description depends on the dynamics, so the goldens do not change with the kernels.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

import pynnlite
from pynnlite import descriptions
from pynnlite import simulation as _simulation
from pynnlite.connectors import AllToAllConnector, FixedProbabilityConnector, FromListConnector, OneToOneConnector
from pynnlite.current_sources import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource
from pynnlite.errors import TemplateError
from pynnlite.models.base import ModelType, SynapseType
from pynnlite.models.cells import (IF_cond_exp, IF_curr_delta, IF_curr_exp, SpikeSourceArray,
                                   SpikeSourcePoisson)
from pynnlite.models.synapses import StaticSynapse
from pynnlite.populations import Assembly, Population
from pynnlite.projections import Projection
from pynnlite.random import NumpyRNG, RandomDistribution
from pynnlite.simulation import Simulation
from pynnlite.space import Cuboid, Grid2D, Line, RandomStructure, Space

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("PYNNLITE_REGENERATE_GOLDEN", "") not in ("", "0")


# ---------------------------------------------------------------- helpers

class NullEngine:
    """An engine that accepts every call and only advances the clock."""

    def __init__(self, simulation: Simulation):
        self.simulation = simulation

    def run(self, n_steps: int) -> None:
        self.simulation.step_count += n_steps

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


@pytest.fixture
def net():
    """A simulation with a null engine, current while the test runs."""
    simulation = Simulation("numpy", NullEngine, timestep=0.1, min_delay=0.2, max_delay=5.0, rng_seed=1234)
    previous = _simulation._current
    _simulation.set_current(simulation)
    yield simulation
    _simulation.set_current(previous)


def normalise(text: str) -> str:
    return text.replace(f"pynnlite {pynnlite.__version__}", "pynnlite <version>")


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with tests/golden/``name`` (rewrite it when regenerating)."""
    path = GOLDEN / name
    text = normalise(text)
    if REGENERATE or not path.exists():
        if not REGENERATE:
            pytest.fail(f"golden file {path} is missing; run with PYNNLITE_REGENERATE_GOLDEN=1 to create it")
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from the golden file (PYNNLITE_REGENERATE_GOLDEN=1 to update)"


#: A field that renders empty: "Label:" with nothing after, "name =" with nothing,
#: "()" or a Python None / NaN leaking into the text.
EMPTY_FIELD = re.compile(r"(:|(?<!=)=)[ \t]*$|\(\s*\)|\bNone\b|\bnan\b", re.MULTILINE)


def assert_no_empty_fields(text: str) -> None:
    bad = [line for line in text.splitlines() if EMPTY_FIELD.search(line)]
    assert not bad, "empty fields in:\n" + "\n".join(bad)
    assert text.strip(), "empty description"


# ---------------------------------------------------------------- a small network

class FakeTimingDependence(ModelType):
    default_parameters: ClassVar[dict] = {"tau_plus": 20.0, "tau_minus": 20.0}
    units: ClassVar[dict] = {"tau_plus": "ms", "tau_minus": "ms"}
    description = "pair-based spike timing"


class FakeWeightDependence(ModelType):
    default_parameters: ClassVar[dict] = {"w_min": 0.0, "w_max": 0.05, "A_plus": 0.01, "A_minus": 0.012}
    units: ClassVar[dict] = {"w_min": "uS", "w_max": "uS"}
    description = "additive weight dependence"


class FakeSTDP(SynapseType):
    """A plastic synapse type whose context nests its timing and weight dependences, as STDP does."""

    default_parameters: ClassVar[dict] = {"weight": 0.0, "delay": None, "dendritic_delay_fraction": 1.0}
    units: ClassVar[dict] = {"delay": "ms"}
    plastic = True
    description = "spike-timing-dependent plasticity"

    def __init__(self, **parameters: Any):
        super().__init__(**parameters)
        self.timing_dependence = FakeTimingDependence(tau_plus=15.0)
        self.weight_dependence = FakeWeightDependence()

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context["timing_dependence"] = self.timing_dependence.describe_context()
        context["weight_dependence"] = self.weight_dependence.describe_context()
        return context


def build(simulation: Simulation) -> dict[str, Any]:
    rng = NumpyRNG(seed=42)
    exc = Population(8, IF_cond_exp(tau_m=15.0, e_rev_I=-80.0), structure=Grid2D(aspect_ratio=2.0, dx=10.0, dy=20.0),
                     label="exc")
    exc.set(v_thresh=np.linspace(-52.0, -48.0, 8))
    exc.initialize(v=RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
    exc.annotate(layer="L2/3")
    inh = Population(4, IF_curr_exp(), label="inh")
    delta = Population(3, IF_curr_delta(), label="delta")
    stim = Population(5, SpikeSourcePoisson(rate=12.5, start=5.0), label="stim")
    times = Population(2, SpikeSourceArray(spike_times=[[1.0, 2.5, 7.0], [3.0]]), label="times")
    e2e = Projection(exc, exc, FixedProbabilityConnector(0.3, allow_self_connections=False, rng=rng),
                     StaticSynapse(weight=RandomDistribution("normal_clipped", mu=0.004, sigma=0.001, low=0.0,
                                                             high=1.0, rng=rng), delay=0.5),
                     receptor_type="excitatory", label="exc→exc",
                     space=Space(axes="xy", periodic_boundaries=((0, 100), (0, 100), None)))
    i2e = Projection(inh, exc, AllToAllConnector(), StaticSynapse(weight=0.05), receptor_type="inhibitory")
    s2i = Projection(stim, inh, FixedProbabilityConnector(0.5, rng=rng), StaticSynapse(weight=0.2, delay=1.0))
    t2d = Projection(times, delta[0:2], OneToOneConnector(), StaticSynapse(weight=0.5, delay=0.3),
                     label="times→delta")
    # labelled: the default label counts every Assembly made before it (PyNN's "assembly<n>")
    lst = Projection(Assembly(exc[0:2], inh[1:2], label="exc and inh"), delta, FromListConnector([(0, 0, 0.1, 1.0), (2, 2, 0.3, 2.0)]),
                     StaticSynapse(), label="from list")
    stdp = Projection(stim, exc, FixedProbabilityConnector(0.25, rng=NumpyRNG(seed=7)), FakeSTDP(weight=0.001),
                      label="plastic")
    dc = DCSource(amplitude=0.25, start=10.0, stop=50.0)
    exc[0:3].inject(dc)
    ac = ACSource(amplitude=0.1, offset=0.05, frequency=8.0)
    inh.inject(ac)
    noise = NoisyCurrentSource(mean=0.0, stdev=0.02, dt=1.0)
    inh[2:4].inject(noise)
    steps = StepCurrentSource(amplitudes=[0.1, -0.05, 0.0], times=[5.0, 15.0, 25.0])
    delta.inject(steps)
    exc.record(["spikes", "v"], sampling_interval=0.5)
    inh.record("spikes")
    exc[0:2].record("gsyn_exc")
    return dict(exc=exc, inh=inh, delta=delta, stim=stim, times=times, e2e=e2e, i2e=i2e, s2i=s2i, t2d=t2d,
                lst=lst, stdp=stdp, dc=dc, ac=ac, noise=noise, steps=steps, rng=rng)


# ---------------------------------------------------------------- golden files of every default template

def objects(n: dict[str, Any]) -> dict[str, Any]:
    return {
        "population": n["exc"], "population_source": n["times"], "populationview": n["exc"][2:5],
        "assembly": Assembly(n["exc"], n["inh"][1:3], label="exc + inh"), "projection": n["e2e"], "projection_list": n["lst"],
        "projection_stdp": n["stdp"], "connector_probability": n["e2e"].connector,
        "connector_onetoone": n["t2d"].connector, "connector_list": n["lst"].connector,
        "modeltype_cell": n["exc"].celltype, "modeltype_delta": n["delta"].celltype,
        "modeltype_source": n["stim"].celltype, "modeltype_synapse": n["e2e"].synapse_type,
        "modeltype_stdp": n["stdp"].synapse_type, "modeltype_dcsource": n["dc"], "modeltype_step": n["steps"],
        "modeltype_noise": n["noise"],
    }


STRUCTURES = {"structure_grid2d": Grid2D(aspect_ratio=2.0, dx=10.0, dy=20.0), "structure_line": Line(dx=5.0),
              "structure_random": RandomStructure(Cuboid(100.0, 50.0, 20.0), origin=(0.0, 10.0, 0.0),
                                                  rng=NumpyRNG(seed=3))}


@pytest.mark.parametrize("engine", ["jinja2", "string"])
def test_golden_objects(net, engine):
    n = build(net)
    for name, obj in objects(n).items():
        text = obj.describe(engine=engine)
        assert_no_empty_fields(text)
        check_golden(f"{name}_{engine}.txt", text)
    for name, structure in STRUCTURES.items():
        text = descriptions.render(engine, "structure_default.txt", structure.describe_context())
        assert_no_empty_fields(text)
        check_golden(f"{name}_{engine}.txt", text)
    space = descriptions.space_context(n["e2e"].space)
    text = descriptions.render(engine, "space_default.txt", space)
    assert_no_empty_fields(text)
    check_golden(f"space_{engine}.txt", text)


def test_default_engine_is_jinja2(net):
    n = build(net)
    assert n["exc"].describe() == n["exc"].describe(engine="jinja2")
    assert n["e2e"].describe(engine="default") == n["e2e"].describe(engine="jinja2")


def test_views_and_assemblies_get_their_own_defaults(net):
    n = build(net)
    view = n["exc"][1:3]
    assert view.describe().startswith('PopulationView "view of \'exc\' with size 2"')
    assert view.describe() == descriptions.render("jinja2", "populationview_default.txt", view.describe_context())
    assembly = n["exc"] + n["inh"]
    assert assembly.describe().startswith("Assembly ")
    assert assembly.describe(engine="string").startswith("Assembly ")


def test_projection_names_its_target_and_units(net):
    """PyNN's projection template printed an empty 'Target'; ours names the receptor type."""
    n = build(net)
    text = n["i2e"].describe()
    assert "Receptor type (target): inhibitory" in text
    assert "weight  0.05 µS" in text            # conductance-based post cells
    assert "Weights: 0.05 µS (all connections)" in text
    text = n["s2i"].describe()
    assert "weight  0.2 nA" in text              # current-based post cells
    for engine in ("jinja2", "string"):
        for prj in (n["e2e"], n["i2e"], n["s2i"], n["t2d"], n["lst"], n["stdp"]):
            assert_no_empty_fields(prj.describe(engine=engine))


def test_stdp_components_are_described(net):
    n = build(net)
    text = n["stdp"].synapse_type.describe()
    assert "Timing dependence: FakeTimingDependence (pair-based spike timing)" in text
    assert "tau_plus   15 ms" in text
    assert "w_max    0.05 µS" in text
    assert "Plasticity: plastic" in text
    text = n["stdp"].describe()
    assert "Weight dependence: FakeWeightDependence" in text


# ---------------------------------------------------------------- template=None, engines, errors

def test_template_none_returns_the_context(net):
    n = build(net)
    for obj in objects(n).values():
        assert obj.describe(template=None) == obj.describe_context()


def test_unknown_engine_lists_the_engines(net):
    n = build(net)
    with pytest.raises(TemplateError) as info:
        n["exc"].describe(engine="cheetah")
    for engine in ("'default'", "'jinja2'", "'string'"):
        assert engine in str(info.value)
    assert "cheetah" in str(info.value)


def test_unknown_template_lists_the_available_names(net):
    n = build(net)
    with pytest.raises(TemplateError) as info:
        n["exc"].describe(template="no_such_template.txt")
    message = str(info.value)
    assert "no_such_template.txt" in message
    for name in ("population_default.txt", "projection_default.txt", "network_default.html"):
        assert name in message
    with pytest.raises(TemplateError) as info:
        n["exc"].describe(template="no_such_template.txt", engine="string")
    assert "population_default.txt" in str(info.value) and "network_default.html" not in str(info.value)


def test_missing_key_names_the_key_and_the_template(net, tmp_path):
    n = build(net)
    (tmp_path / "broken.txt").write_text("Population {{ label }}\nSize {{ number_of_cells }}\n")
    descriptions.add_template_dir(tmp_path)
    try:
        with pytest.raises(TemplateError) as info:
            n["exc"].describe(template="broken.txt")
    finally:
        descriptions.remove_template_dir(tmp_path)
    message = str(info.value)
    assert "number_of_cells" in message and "broken.txt" in message and "line 2" in message
    with pytest.raises(TemplateError) as info:
        n["exc"].describe(template="{{ celltype.no_such_field }}")
    assert "no_such_field" in str(info.value) and "<template text>" in str(info.value)
    with pytest.raises(TemplateError) as info:
        n["exc"].describe(template="Size $number_of_cells", engine="string")
    assert "number_of_cells" in str(info.value)


def test_missing_template_directory_names_the_path(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere"
    with pytest.raises(TemplateError) as info:
        descriptions.add_template_dir(missing)
    assert str(missing) in str(info.value)
    monkeypatch.setenv(descriptions.ENV_VAR, str(missing))
    with pytest.raises(TemplateError) as info:
        descriptions.render("jinja2", "population_default.txt", {})
    assert str(missing) in str(info.value) and descriptions.ENV_VAR in str(info.value)


def test_user_template_directories_come_first(net, tmp_path, monkeypatch):
    n = build(net)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "population_default.txt").write_text("mine: {{ label }} has {{ size }} cells\n")
    (second / "population_default.txt").write_text("env: {{ label }}\n")
    (second / "custom.txt").write_text("custom {{ label }}\n")
    (second / "custom_string.txt").write_text("custom string $label\n")
    (second / "plain.txt").write_text("plain $label\n")
    monkeypatch.setenv(descriptions.ENV_VAR, os.pathsep.join([str(second), ""]))
    assert n["exc"].describe(template="custom.txt") == "custom exc\n"
    assert n["exc"].describe() == "env: exc\n"
    descriptions.add_template_dir(first)
    try:
        assert descriptions.template_search_path()[:2] == [str(first.resolve()), str(second)]
        assert n["exc"].describe() == "mine: exc has 8 cells\n"
        assert n["exc"].describe(template="custom.txt", engine="string") == "custom string exc\n"
        assert n["exc"].describe(template="plain.txt", engine="string") == "plain exc\n"
        # the installed string default is still found for the string engine
        assert n["exc"].describe(engine="string").startswith('Population "exc"')
        assert "custom.txt" in descriptions.available_templates("jinja2")
    finally:
        descriptions.remove_template_dir(first)
    assert n["exc"].describe() == "env: exc\n"


def test_template_text_is_rendered_directly(net):
    n = build(net)
    assert n["exc"].describe(template="{{ label }}: {{ size }}") == "exc: 8"
    assert n["exc"].describe(template="$label: $size", engine="string") == "exc: 8"
    assert n["exc"].describe(template="$celltype_parameters_tau_m", engine="string") == "15 ms"
    assert n["exc"].describe(template="{{ celltype.parameters.tau_m|fmt(celltype.units.tau_m) }}") == "15 ms"
    assert n["exc"].describe(template="line one\nno syntax") == "line one\nno syntax"


def test_template_file_path(net, tmp_path):
    n = build(net)
    path = tmp_path / "by_path.txt"
    path.write_text("{{ label }} by path")
    assert n["exc"].describe(template=str(path)) == "exc by path"


def test_string_engine_flattening(net):
    n = build(net)
    flat = descriptions.flatten_context(n["e2e"].describe_context())
    assert flat["synapse_type_parameters_delay"] == "0.5 ms"
    assert flat["weight_unit"] == "µS"
    assert flat["connector"] == "FixedProbabilityConnector(p_connect=0.3, allow_self_connections=False)"
    assert flat["delays_text"] == "0.5 ms (all connections)"
    assert all(line.startswith(" " * 8) for line in flat["synapse_type_parameters_block"].splitlines())
    assert all(value.strip() for value in flat.values())


# ---------------------------------------------------------------- formatting of values

@pytest.mark.parametrize("value, unit, expected", [
    (0.1, "ms", "0.1 ms"), (1e10, "ms", "1e+10 ms"), (-0.0, "mV", "0 mV"), (3, None, "3"),
    (0.004, "uS", "0.004 µS"), (1.0 / 3.0, "nA", "0.333333 nA"), (None, "ms", "none"), (True, None, "True"),
    ("", None, "none"), ([], None, "none"), (np.array([2.0, 2.0]), "mV", "2 mV (all 2 values)"),
    (np.array([1.0, 2.0, 4.0]), "ms", "[1, 2, 4] ms"), (np.arange(20.0), "Hz", "min 0 / mean 9.5 / max 19 Hz (20 values)"),
    (float("nan"), None, "NaN"), ({"a": 1}, None, "a=1"), ({}, None, "none"), ("/mV", None, "/mV"),
])
def test_format_value(value, unit, expected):
    assert descriptions.format_value(value, unit) == expected


def test_format_special_values():
    from pynnlite.parameters import Sequence
    assert descriptions.format_value(Sequence([1, 2, 3]), "ms") == "[1, 2, 3] ms"
    assert descriptions.format_value(Sequence([]), "ms") == "[] (no values)"
    assert descriptions.format_value(Sequence(range(20)), "ms").endswith("… (20 values)] ms")
    dist = RandomDistribution("uniform", (-65.0, -55.0), rng=NumpyRNG(seed=5))
    assert descriptions.format_value(dist, "mV") == "random uniform(low=-65, high=-55) mV [NumpyRNG seed 5]"
    assert descriptions.format_value(lambda d: d, None) == "function (lambda)"
    assert descriptions.format_param(None, "delay", {}) == "none (the simulation's min_delay)"
    assert descriptions.format_param(0.5, "weight", {}).startswith("0.5 (nA for current-based")
    assert descriptions.format_param(3.0, "dx", {}) == "3 µm"
    assert descriptions.format_value(object()) == "object"


def test_text_table_alignment():
    table = descriptions.text_table(["Name", "Size"], [["exc", 320], ["inh", 80]], indent=2)
    assert table.splitlines() == ["  Name  Size", "  ----  ----", "  exc    320", "  inh     80"]


def test_population_templates_prefer_population_values(net):
    """When a Population/PopulationView context reports its own (current, per-cell) values as
    value entries, the default templates print them instead of the cell type's."""
    n = build(net)
    for group in (n["exc"], n["exc"][2:6]):
        context = dict(group.describe_context(), **descriptions.population_values(group))
        text = descriptions.render("jinja2", "population_default.txt", context)
        assert_no_empty_fields(text)
        assert re.search(r"v_thresh    min -5[0-9.]+ / mean -[0-9.]+ / max -4?[0-9.]+ mV", text)
        assert "Initial values\n        v         min -6" in text and "cell type defaults" not in text
