"""The seed-system examples in examples/ (sns-toolbox, jaxley, neurai/dendrify, conex and the
methods report), run at reduced size, each checked against a physiological property or a closed
form stated in the test. These examples read ``sys.argv``: each is imported by path and its
``main()`` run with the arguments set there, writing into ``tmp_path``."""
import html.parser
import math
import re
import sys

import numpy as np
import pytest
from example_support import example, is_png


def run_example(name, monkeypatch, *args):
    """Run examples/<name>.py's main() with the command-line arguments ``args``."""
    module = example(name)
    monkeypatch.setattr(sys, "argv", [f"{name}.py", *map(str, args)])
    module.main()
    return module


@pytest.fixture(autouse=True)
def _numpy_backend(monkeypatch):
    monkeypatch.delenv("PYNNLITE_BACKEND", raising=False)


@pytest.fixture
def simulations(monkeypatch):
    """Every Simulation made current while the test runs (so the network an example built can
    be inspected after its ``sim.end()``)."""
    from pynnlite import simulation as _simulation
    made = []
    original = _simulation.set_current

    def recording(simulation):
        if simulation is not None:
            made.append(simulation)
        original(simulation)

    monkeypatch.setattr(_simulation, "set_current", recording)
    return made


# -- sns-toolbox: a circuit designed by gain ----------------------------------------------------

R = 20.0            # mV, the operating range of the designed circuit


def _clip(u):
    return np.clip(np.asarray(u, dtype=float) / R, 0.0, 1.0)


def test_graded_gain_network_steady_states(tmp_path, monkeypatch):
    """Non-spiking cells (G_m = 1 µS, rest 0) at steady state, at the end of each 50 ms input
    window. A and B sit at I/G_m. sns' design rules give closed forms with the clip synapse
    g(U) = g_max·clip(U/R, 0, 1), R = 20 mV:
    transmission of gain k has g_max = kR/(E − kR), E = 40 mV, so C = g·E/(G_m + g), which is
    A at A = 0 and R and concave in between (13.33 mV at A = 10 mV);
    the addition S = E(g_½(A) + g_½(B))/(G_m + g_½(A) + g_½(B)) with g_max = 1/3 is (A + B)/2 when
    one input is 0 and the other R; the modulation of ratio ½ (E = 0, g_max = 1) shunts M:
    M = E·g_1(C)/(G_m + g_1(C) + g_mod(B)), 20 mV → 13.33 mV when B switches to R.
    All within 0.05 mV (the windows are 10 τ long, τ = C/G_m = 5 ms, and cascades lag a bit)."""
    run_example("graded_gain_network", monkeypatch, "--output", tmp_path, "--dt", 0.2, "--tstop", 400)
    data = np.load(tmp_path / "graded_gain_network.npz")
    t = data["t"]
    ends = [int(round((50.0 * k + 48.0) / (t[1] - t[0]))) for k in range(8)]
    A, B, C, S, M = (data[name][ends] for name in "ABCSM")
    np.testing.assert_allclose(A, [0, 5, 10, 15, 20, 10, 20, 0], atol=0.05)
    np.testing.assert_allclose(B, [0, 0, R, R, 0, 0, R, R], atol=0.05)

    E = 40.0
    g_gain1 = 1.0 * R / (E - 1.0 * R) * _clip(A)                 # g_max = 1 µS
    g_half = lambda u: 0.5 * R / (E - 0.5 * R) * _clip(u)       # noqa: E731   g_max = 1/3 µS
    expected_C = g_gain1 * E / (1.0 + g_gain1)
    expected_S = E * (g_half(A) + g_half(B)) / (1.0 + g_half(A) + g_half(B))
    g_cm, g_mod = _clip(C), (1.0 / 0.5 - 1.0) * _clip(B)
    expected_M = E * g_cm / (1.0 + g_cm + g_mod)
    np.testing.assert_allclose(C, expected_C, atol=0.05)
    np.testing.assert_allclose(S, expected_S, atol=0.05)
    np.testing.assert_allclose(M, expected_M, atol=0.05)
    # the design's landmarks
    assert C[[0, 4]] == pytest.approx([0.0, R], abs=0.05)        # gain 1 exactly at 0 and R
    assert C[2] == pytest.approx(40.0 / 3.0, abs=0.05)           # concave: 13.33 mV at A = 10 mV
    assert S[4] == pytest.approx(R / 2, abs=0.05)                # (R + 0)/2
    assert M[4] == pytest.approx(R, abs=0.05) and M[6] == pytest.approx(40.0 / 3.0, abs=0.05)
    # the figure's transfer curve is the same closed form
    u = data["transfer_u"]
    np.testing.assert_allclose(data["transfer"], E * _clip(u) / (1.0 + _clip(u)), atol=1e-9)
    assert is_png(tmp_path / "graded_gain_network.png")


def test_graded_gain_network_edge_map(tmp_path, monkeypatch):
    """The centre-surround pattern layer (5×5 kernel: centre cross 0.25 µS at +40 mV, surround
    0.0625 µS at −40 mV, balanced: 1.25 µS each) seeing a bright 12×12 square at steady state
    equals V = 40(g_c − g_s)/(G_m + g_c + g_s), with g_c, g_s the kernel-weighted clip activations
    of the retina under each cell (zero padding), to 0.01 mV. Hence edges are enhanced: 0 in
    uniform regions (inside the square and far outside: balanced or silent), depolarised on the
    square's inner border, hyperpolarised on its outer border."""
    run_example("graded_gain_network", monkeypatch, "--output", tmp_path, "--dt", 0.2, "--tstop", 100)
    data = np.load(tmp_path / "graded_gain_network.npz")
    image, edges = data["image"], data["edges"]
    n = image.shape[0]
    assert image.shape == (24, 24) and image[6:18, 6:18].min() == R and image.sum() == R * 144

    activation = np.pad(_clip(image), 2)
    yy, xx = np.mgrid[-2:3, -2:3]
    centre = (xx ** 2 + yy ** 2) <= 1
    g_c, g_s = np.zeros((n, n)), np.zeros((n, n))
    for dy in range(5):
        for dx in range(5):
            window = activation[dy:dy + n, dx:dx + n]
            if centre[dy, dx]:
                g_c += 0.25 * window
            else:
                g_s += 0.0625 * window
    expected = 40.0 * (g_c - g_s) / (1.0 + g_c + g_s)
    np.testing.assert_allclose(edges, expected, atol=0.01)

    uniform_inside = edges[8:16, 8:16]                      # whole 5×5 neighbourhood bright
    outside = np.ones((n, n), bool)
    outside[4:20, 4:20] = False                             # whole neighbourhood dark
    assert np.abs(uniform_inside).max() < 0.01 and np.abs(edges[outside]).max() < 0.01
    inner = np.zeros((n, n), bool)
    inner[6:18, 6:18] = True
    inner[7:17, 7:17] = False
    outer = np.zeros((n, n), bool)
    outer[5:19, 5:19] = True
    outer[6:18, 6:18] = False
    assert edges[inner].min() > 2.0                          # bright side of the edge: depolarised
    assert edges[outer].max() < -1.0                         # dark side: hyperpolarised


# -- jaxley: two passive cells and a conductance synapse -----------------------------------------

AREA_CM2 = 2 * math.pi * 1e-4 * 10e-4       # 10 µm × 1 µm-radius cylinder: 62.83 µm²
C_NF = 1.0 * AREA_CM2 * 1e3                 # 1 µF/cm² → 6.283e-4 nF
G_L = 1e-4 * AREA_CM2 * 1e6                 # 1e-4 S/cm² → 6.283e-5 µS (τ = C/g_L = 10 ms)
E_L, G_S, I_STEP = -70.0, 1e-4, 0.003
NONLINEARITY = {"sigmoid": (lambda x: 1.0 / (1.0 + np.exp(-x)), -35.0, 10.0),
                "relu": (lambda x: np.maximum(x, 0.0), -35.0, 10.0),
                "tanh": (np.tanh, -70.0, 1.0)}


def test_conductance_synapse_pair(tmp_path, monkeypatch):
    """jaxley's pair: the presynaptic cell follows the passive closed form
    V = E_L + (I/g_L)(1 − e^(−(t − 5)/τ)), τ = C/g_L = 10 ms, during the 0.003 nA step (5–45 ms)
    and relaxes with τ after it (the synapse does not load it), to 1e-9 mV. The postsynaptic
    synaptic current, read from the trace as C·dV/dt − g_L(E_L − V), matches
    g_S·f((V_pre − v_th)/Δ)·(e_syn − V_post) at t = 10, 20, 30, 40 and 50 ms to 2 % of its peak,
    for f = sigmoid, relu and tanh; and every step is the exact exponential-Euler update with the
    start-of-step V_pre, to 1e-9 mV. With relu the post cell depolarises only while the pre cell is
    above v_th = −35 mV: it stays at E_L until the pre cell crosses and only relaxes once it has
    fallen back below."""
    module = run_example("conductance_synapse_pair", monkeypatch, "--output", tmp_path, "--dt", 0.05)
    assert (module.CM_NF, module.G_LEAK_US) == pytest.approx((C_NF, G_L), rel=1e-12)
    data = np.load(tmp_path / "conductance_synapse_pair.npz")
    t, v_pre = data["t"], data["v_pre"]
    dt = t[1] - t[0]
    tau = C_NF / G_L
    assert tau == pytest.approx(10.0)
    on = E_L + I_STEP / G_L * (1.0 - np.exp(-np.clip(t - 5.0, 0.0, 40.0) / tau))
    expected_pre = np.where(t > 45.0, E_L + (on - E_L) * np.exp(-(t - 45.0) / tau), on)
    np.testing.assert_allclose(v_pre, expected_pre, atol=1e-9)

    samples = [int(round(s / dt)) for s in (10.0, 20.0, 30.0, 40.0, 50.0)]
    for name, (f, v_th, delta) in NONLINEARITY.items():
        v_post = data[f"v_post_{name}"]
        g_syn = G_S * f((v_pre - v_th) / delta)
        i_model = g_syn * (0.0 - v_post)
        i_trace = C_NF * np.gradient(v_post, dt) - G_L * (E_L - v_post)
        scale = np.abs(i_model).max()
        assert scale > 1e-3, name                                    # the synapse does act
        np.testing.assert_allclose(i_trace[samples], i_model[samples], atol=0.02 * scale, err_msg=name)
        g_total = G_L + g_syn[:-1]
        v_inf = (G_L * E_L + g_syn[:-1] * 0.0) / g_total
        step = v_inf + (v_post[:-1] - v_inf) * np.exp(-g_total * dt / C_NF)
        np.testing.assert_allclose(v_post[1:], step, atol=1e-9, err_msg=name)

    v_relu = data["v_post_relu"]
    above = v_pre > -35.0
    first, last = np.argmax(above), len(above) - 1 - np.argmax(above[::-1])
    assert 15.0 < t[first] < 25.0 and 45.0 < t[last] < 55.0
    assert np.all(v_relu[:first + 1] == E_L)                     # silent synapse below v_th
    rising = np.diff(v_relu) > 0
    assert not np.any(rising & ~above[:-1])                      # depolarises only while pre is above
    assert np.all(rising[first:first + 100])                     # and does so as soon as it crosses
    assert np.all(np.diff(v_relu[last + 1:]) <= 0)               # only leak once it is below
    assert v_relu.max() > -30.0
    assert is_png(tmp_path / "conductance_synapse_pair.png")


# -- neurai/dendrify: AMPA and NMDA on a dendrite ------------------------------------------------

def test_ampa_nmda_dendrite(tmp_path, monkeypatch):
    """Bursts of k = 2, 4, …, 20 synchronous synapses on the dendrite, at δt = 0.1 ms:
    the receptor conductances are peak-normalised, so the AMPA peak is k·0.1 nS (to 0.5 %) and
    the NMDA peak k·0.2 nS (to 2.5 %: the previous burst has decayed to ~1.5 % after 250 ms),
    the same with and without Mg²⁺ (the block acts on the current, not the gating).
    With mg = 1 mM the dendritic depolarisation grows supralinearly with k (NMDA unblocks as the
    dendrite depolarises): the increments grow over 2…18 synapses and the response per synapse
    at 20 is > 1.3× that at 2. Removing the block (mg = 0) increases every response — more than
    5-fold for 2 synapses — and makes the soma fire far more (> 10×)."""
    run_example("ampa_nmda_dendrite", monkeypatch, "--output", tmp_path, "--dt", 0.1)
    data = np.load(tmp_path / "ampa_nmda_dendrite.npz")
    t, groups, bursts = data["t"], data["groups"], data["bursts"]
    assert list(groups) == list(range(2, 21, 2))
    for mg in (0, 1):
        for receptor, weight in (("AMPA", 0.1e-3), ("NMDA", 0.2e-3)):
            g = data[f"{receptor}_gsyn_mg{mg}"]
            peaks = np.array([g[(t >= b) & (t < b + 250.0)].max() for b in bursts])
            expected = groups * weight
            assert np.all(peaks >= expected * (1 - 0.005)), (receptor, mg, peaks)
            np.testing.assert_allclose(peaks, expected, rtol=0.005 if receptor == "AMPA" else 0.025,
                                       err_msg=f"{receptor}, mg = {mg}")
    np.testing.assert_allclose(data["NMDA_gsyn_mg1"], data["NMDA_gsyn_mg0"], atol=1e-12)

    blocked, unblocked = data["peaks_mg1"], data["peaks_mg0"]
    assert np.all(np.diff(blocked) > 0)
    assert np.all(np.diff(blocked[:9], n=2) > 0), blocked           # convex: supralinear
    assert blocked[-1] / groups[-1] > 1.3 * blocked[0] / groups[0], blocked
    assert np.all(unblocked > blocked), (unblocked, blocked)
    assert unblocked[0] > 5.0 * blocked[0]
    spikes_blocked, spikes_unblocked = data["soma_spikes_mg1"].size, data["soma_spikes_mg0"].size
    assert spikes_unblocked > 10 * max(spikes_blocked, 1)
    assert is_png(tmp_path / "ampa_nmda_dendrite.png")


# -- conex: a convolutional layer learning with STDP ---------------------------------------------

def test_conv_stdp_layer(tmp_path, monkeypatch, simulations):
    """Ten presentations of bars: STDP changes the kernels' shape, not only their scale (the
    learned kernel differs from the initial one normalised to 24 nA by > 0.3 nA somewhere);
    every weight stays within the additive rule's bounds [0, 10] nA; WeightNormalization holds
    (each map's 3×3 kernel sums to 24 nA, so does every cell's input); kernel sharing holds: all
    3600 expanded connections equal their kernel element K[m, 0, a, b] for post cell (m, y, x)
    and pre cell (y + a, x + b) (torch conv2d geometry); every map fires."""
    module = run_example("conv_stdp_layer", monkeypatch, "--output", tmp_path, "--presentations", 10, "--seed", 1)
    data = np.load(tmp_path / "conv_stdp_layer.npz")
    initial, learned = data["initial"], data["learned"]
    maps, n, k = module.MAPS, module.N, module.K
    assert initial.shape == learned.shape == (maps, 1, k, k)
    assert len(data["shown"]) == 10 and set(data["shown"]) == {"horizontal", "vertical"}

    assert np.all(learned >= 0.0) and np.all(learned <= 10.0)
    np.testing.assert_allclose(learned.sum(axis=(1, 2, 3)), module.WEIGHT_SUM, rtol=1e-9)
    rescaled = initial * (module.WEIGHT_SUM / initial.sum(axis=(1, 2, 3), keepdims=True))
    assert np.abs(learned - rescaled).max() > 0.3

    (simulation,) = simulations
    (projection,) = [p for p in simulation.projections if "STDP" in p.label]
    pre, post, weight = (np.array(c) for c in zip(*projection.get("weight", format="list")))
    out = n - k + 1
    assert len(weight) == maps * out * out * k * k == 3600
    m, y, x = np.unravel_index(post, (maps, out, out))
    channel, row, col = np.unravel_index(pre, (1, n, n))
    a, b = row - y, col - x
    assert np.all((0 <= a) & (a < k) & (0 <= b) & (b < k) & (channel == 0))
    np.testing.assert_allclose(weight, learned[m, 0, a, b], rtol=1e-12)
    per_cell = np.bincount(post, weights=weight, minlength=maps * out * out)
    np.testing.assert_allclose(per_cell, module.WEIGHT_SUM, rtol=1e-9)
    assert np.all(data["spike_counts"] > 0)
    assert is_png(tmp_path / "conv_stdp_layer.png")


# -- the methods-section report ------------------------------------------------------------------

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _CheckedHTML(html.parser.HTMLParser):
    """Parses a page, checking that every end tag closes the innermost open element; collects
    the text and, per table, the number of cells of each row."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text, self.tables = [], [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            return
        self.stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append(0)
        elif tag in ("td", "th"):
            self.tables[-1][-1] += 1

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _markdown_tables(text):
    """The pipe tables of a Markdown text: lists of rows, each a list of cells."""
    tables, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            assert line.rstrip().endswith("|") and not line.rstrip().endswith("\\|"), line
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            current.append([cell.strip() for cell in cells])
        elif current:
            tables.append(current)
            current = []
    return tables


def test_report_demo(tmp_path, monkeypatch, simulations):
    """The COBA network at 120 cells, 60 ms: report.md, report.html and report.txt are written
    (and the spikes); the HTML parses with html.parser with every element closed in order and
    every table row as wide as its header; every Markdown table has a separator row of ---
    cells and every row as many cells as its header, as many tables as the HTML; all three name
    every population and projection of the network; the population sizes (96, 24, 20) and the
    connection counts are the network's, and the summary's total is the sum over projections.
    The reports are deterministic: a second run writes identical files."""
    args = ["--n", 120, "--tstop", 60]
    run_example("report_demo", monkeypatch, *args, "--output", tmp_path / "a")
    (simulation,) = simulations
    read = {ext: (tmp_path / "a" / f"report.{ext}").read_text(encoding="utf-8") for ext in ("md", "html", "txt")}
    assert (tmp_path / "a" / "spikes_exc.pkl").is_file() and (tmp_path / "a" / "spikes_inh.pkl").is_file()

    parser = _CheckedHTML()
    parser.feed(read["html"])
    parser.close()
    assert parser.errors == [] and parser.stack == []
    assert parser.tables and all(len(set(rows)) == 1 for rows in parser.tables), parser.tables

    tables = _markdown_tables(read["md"])
    assert len(tables) == len(parser.tables)
    for rows in tables:
        width = len(rows[0])
        assert len(rows) >= 3, rows                               # header, separator, ≥ 1 row
        assert all(re.fullmatch(r":?-{3,}:?", cell) for cell in rows[1]), rows[1]
        assert all(len(row) == width for row in rows), rows

    populations = {p.label: p.size for p in simulation.populations}
    assert populations == {"Excitatory": 96, "Inhibitory": 24, "Poisson kick": 20}
    html_text = "".join(parser.text)
    for label in list(populations) + [p.label for p in simulation.projections]:
        for ext, text in (("md", read["md"]), ("html", html_text), ("txt", read["txt"])):
            assert label in text, (label, ext)

    (population_rows,) = [rows for rows in tables if rows[0][:2] == ["Population", "Size"]]
    size_column = population_rows[0].index("Size")
    sizes = {row[0].split("<br>")[0]: int(row[size_column]) for row in population_rows[2:]}
    assert sizes == populations
    (projection_rows,) = [rows for rows in tables if rows[0][0] == "Projection"]
    count_column = projection_rows[0].index("Connections")
    counts = {row[0]: int(row[count_column]) for row in projection_rows[2:]}
    assert counts == {p.label: len(p) for p in simulation.projections}
    total = sum(counts.values())
    assert f"{len(counts)} projections, {total} connections" in read["md"]
    assert f"{len(counts)} projections, {total} connections" in read["txt"]

    run_example("report_demo", monkeypatch, *args, "--output", tmp_path / "b")
    for ext, text in read.items():
        assert (tmp_path / "b" / f"report.{ext}").read_text(encoding="utf-8") == text, ext
