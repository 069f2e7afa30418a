"""The example models in examples/, run at reduced size, each checked against a
physiological property or a closed form stated in the test."""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from example_support import EXAMPLES, example, is_png


@pytest.fixture(autouse=True)
def _numpy_backend(monkeypatch):
    monkeypatch.delenv("PYNNLITE_BACKEND", raising=False)


@pytest.mark.parametrize("benchmark", ["COBA", "CUBA"])
def test_vogels_abbott_rates(benchmark, tmp_path):
    """Full size (4000 cells), 400 ms: the self-sustained activity of Brette et al. (2007)
    benchmarks 1 and 2 stays at low rates, 5–40 Hz, in both populations."""
    args = ["--benchmark", benchmark, "--tstop", "400", "--output", str(tmp_path)] + \
        (["--plot"] if benchmark == "CUBA" else [])
    result = example("vogels_abbott").main(args)
    assert 5.0 < result["rate_exc"] < 40.0
    assert 5.0 < result["rate_inh"] < 40.0
    assert os.path.isfile(result["stem"] + "_exc.pkl")
    if benchmark == "CUBA":
        assert is_png(result["stem"] + ".png")


def test_brunel_asynchronous_irregular(tmp_path):
    """State AI (g = 5, η = 2), 1000 + 250 cells: the rate averaged over four seeds is within
    10 % of the mean-field (Siegert) prediction for these parameters (each seed within 25 %: one
    network of this size varies by ±15 % from seed to seed — PyNN 0.13 + NEST 3.10, on-grid
    iaf_psc_delta, seeds 1, 2, 3, 2000: 62.5, 49.9, 52.4, 60.1 Hz, mean 56.2 Hz against 60.4 Hz
    predicted), firing is irregular (mean CV of the inter-spike intervals > 0.8, Poisson-like)
    and asynchronous (the population spike count in 1 ms bins has a Fano factor under 20:
    pooled cells are nearly independent)."""
    brunel = example("brunel")
    result = brunel.main(["--state", "AI", "--order", "250", "--tstop", "500", "--output", str(tmp_path)])
    predicted = result["mean_field_rate_Hz"]
    assert 50.0 < predicted < 70.0                       # Siegert for C_E = 100, J = 1 mV
    runs = [result["statistics"]]
    for seed in (1, 2, 3):
        runs.append(brunel.main(["--state", "AI", "--order", "250", "--tstop", "500", "--seed", str(seed),
                                 "--no-plot", "--output", str(tmp_path / str(seed))])["statistics"])
    for population in ("E", "I"):
        rates = [run[population]["rate_Hz"] for run in runs]
        assert abs(np.mean(rates) - predicted) < 0.1 * predicted, rates
        for stats in (run[population] for run in runs):
            assert abs(stats["rate_Hz"] - predicted) < 0.25 * predicted, stats
            assert stats["cv_isi"] > 0.8, stats
            assert stats["fano_population"] < 20.0, stats
    assert is_png(tmp_path / "brunel_AI.png")
    # the paper's network (C_E = 1000, J = 0.1 mV) is predicted at 38 Hz (Brunel 2000, Fig. 8C)
    paper = dict(C_E=1000, C_I=250, J=0.1, g=5.0, external_rate_Hz=2.0 * 20.0 / (0.1 * 1000 * 20.0) * 1000 * 1000)
    assert brunel.mean_field_rate(paper) == pytest.approx(38.0, abs=1.0)


def test_brunel_synchronous_regular(tmp_path):
    """State SR (g = 3, η = 2), 2000 + 500 cells: neurons fire regularly (mean CV of the
    ISIs < 0.3) near saturation (> 150 Hz; the refractory period is 2 ms), and in step: the
    population spike count in 1 ms bins has a Fano factor > 40, i.e. a mean pairwise count
    correlation above 0.08 among the 500 recorded cells (AI: about 0.01)."""
    result = example("brunel").main(["--state", "SR", "--order", "500", "--tstop", "300", "--no-plot",
                                     "--output", str(tmp_path)])
    stats = result["statistics"]["E"]
    assert stats["cv_isi"] < 0.3, stats
    assert stats["rate_Hz"] > 150.0, stats
    assert stats["fano_population"] > 40.0, stats


def test_izhikevich_cell_types(tmp_path):
    """Izhikevich (2003) Fig. 2 under the same current step: RS adapts (last ISI over first
    > 1.5, no burst), IB fires an initial burst (first ISIs < 10 ms) then tonic spikes
    (> 20 ms apart), CH fires repeated bursts (most ISIs < 10 ms, several pauses > 20 ms),
    FS fires fast without pauses (rate > 3× RS, every ISI < 10 ms)."""
    stats = example("izhikevich_cell_types").main(["--output", str(tmp_path)])
    rs, ib, ch, fs = stats["RS"], stats["IB"], stats["CH"], stats["FS"]
    assert rs["adaptation"] > 1.5 and rs["burst_fraction"] == 0.0
    assert ib["isi_ms"][0] < 10.0 and ib["isi_ms"][1] < 10.0
    assert np.median(ib["isi_ms"][3:]) > 20.0
    assert ch["burst_fraction"] > 0.5 and sum(isi > 20.0 for isi in ch["isi_ms"]) >= 3
    assert fs["rate_Hz"] > 3 * rs["rate_Hz"] and max(fs["isi_ms"]) < 10.0
    assert is_png(tmp_path / "izhikevich_cell_types.png")


def test_current_injection(tmp_path):
    """The DC-driven IF_curr_exp cell fires with the closed-form interval
    τ_ref + τ_m ln((V∞ − V_reset)/(V∞ − V_thresh)) (18.09 ms for 0.5 nA) to within one
    time step; the step-driven cell is silent at 0.3 nA (V∞ = −53 mV < threshold) and fires
    with the closed-form intervals at 0.5 and 0.7 nA; the readout population responds."""
    module = example("current_injection")
    stats = module.main(["--output", str(tmp_path)])
    predicted = module.dc_interval(0.5)
    assert predicted == pytest.approx(18.094, abs=1e-3)
    assert all(abs(isi - predicted) <= 0.1 + 1e-9 for isi in stats["dc"]["isi_ms"])
    steps = np.array(stats["steps"]["spike_times_ms"])
    assert steps.size > 0 and steps[0] > 200.0           # silent while 0.3 nA is on (50–200 ms)
    during = {amplitude: np.diff(steps[(steps > start) & (steps < stop)])
              for amplitude, start, stop in ((0.5, 200.0, 350.0), (0.7, 350.0, 450.0))}
    assert during[0.5] == pytest.approx(module.dc_interval(0.5), abs=0.1 + 1e-9)
    assert during[0.7] == pytest.approx(module.dc_interval(0.7), abs=0.1 + 1e-9)
    assert stats["readout_rate_Hz"] > 0
    assert is_png(tmp_path / "current_injection.png")


def _tm_closed_form(times, U, tau_rec, tau_facil):
    """Responses u·x of the two-state Tsodyks–Markram model (the y state of the
    three-state model, τ_psc = 2 ms ≪ τ_rec, is neglected): before each spike u decays
    with τ_facil and x recovers with τ_rec; at the spike u ← u + U(1 − u), the response
    is u·x, then x ← x(1 − u)."""
    u, x, last, out = 0.0, 1.0, None, []
    for t in times:
        if last is not None:
            u = u * math.exp(-(t - last) / tau_facil) if tau_facil > 0 else 0.0
            x = 1.0 - (1.0 - x) * math.exp(-(t - last) / tau_rec)
        u = u + U * (1.0 - u)
        out.append(u * x)
        x = x * (1.0 - u)
        last = t
    return np.array(out)


def test_tsodyks_markram_depression_and_facilitation(tmp_path):
    """Depressing synapses (U 0.5, τ_rec 800 ms) shrink to < 0.2 of the first response
    during a 20 Hz train and recover partly after 500 ms; facilitating ones (U 0.04,
    τ_facil 1 s) grow more than 3-fold; static ones stay constant. Each train follows the
    two-state Tsodyks–Markram recurrence to within 3 %."""
    module = example("tsodyks_markram")
    result = module.main(["--output", str(tmp_path)])
    times = result["spike_times"]
    amplitudes = {k: np.array(v) for k, v in result["amplitudes_nA"].items()}
    static, depressing, facilitating = (amplitudes[k] / amplitudes[k][0] for k in module.SYNAPSES)
    np.testing.assert_allclose(static, 1.0, rtol=1e-9)
    assert depressing[-2] < 0.2 and depressing[-1] > 2 * depressing[-2]
    assert facilitating[-2] > 3.0
    for name, (U, tau_rec, tau_facil) in (("depressing", (0.5, 800.0, 0.0)),
                                          ("facilitating", (0.04, 100.0, 1000.0))):
        expected = _tm_closed_form(times, U, tau_rec, tau_facil)
        np.testing.assert_allclose(amplitudes[name] / amplitudes[name][0], expected / expected[0], rtol=0.03)
    assert is_png(tmp_path / "tsodyks_markram.png")


def test_stdp_window(tmp_path):
    """Weight changes after 10 pairings follow the pair-rule window of the additive model:
    Δw = n·w_max·A+·exp(−Δt/τ+) for Δt > 0 and −n·w_max·A−·exp(Δt/τ−) for Δt < 0
    (to within 2 %, the rest being the 200-ms-apart pairings' faint interaction); the
    teacher makes every post cell fire once per pairing."""
    module = example("stdp")
    result = module.main(["--pairs-per-side", "5", "--repeats", "10", "--output", str(tmp_path)])
    dt = np.array(result["delta_t_ms"])
    dw = np.array(result["weight_change_mV"])
    assert result["post_spikes"] == [10] * dt.size
    expected = module.window(dt, 10)
    np.testing.assert_allclose(dw, expected, rtol=0.02, atol=1e-4)
    assert np.all(dw[dt > 0.5] > 0) and np.all(dw[dt < -0.5] < 0)
    assert is_png(tmp_path / "stdp.png")


#: full-scale population rates (Hz), Potjans & Diesmann (2014), as used by the published
#: PyNN and NEST versions for the DC compensation of K-scaling
FULL_SCALE = {"L23E": 0.971, "L23I": 2.868, "L4E": 4.746, "L4I": 5.396, "L5E": 8.142, "L5I": 9.078,
              "L6E": 0.991, "L6I": 7.523}


def test_microcircuit_rates(tmp_path):
    """2 % of the cells, in-degrees × 0.02 with the DC compensation of the published
    versions, 300 ms: every population fires within a factor 2.5 of the full-scale
    model's rate (0.97–9.1 Hz), L2/3E and L6E are the quietest excitatory populations
    (< 2 Hz), and in every layer the inhibitory cells fire faster than the excitatory ones."""
    result = example("microcircuit").main(["--scale", "0.02", "--tstop", "300", "--output", str(tmp_path)])
    rates = result["rates_Hz"]
    assert result["description"]["sizes"]["L23E"] == 414 and result["description"]["k_scale"] == 0.02
    for name, reference in FULL_SCALE.items():
        assert reference / 2.5 < rates[name] < reference * 2.5, (name, rates[name])
    assert rates["L23E"] < 2.0 and rates["L6E"] < 2.0
    for layer in ("L23", "L4", "L5", "L6"):
        assert rates[layer + "I"] > rates[layer + "E"], layer
    assert is_png(tmp_path / "microcircuit_0.02.png")


def test_microcircuit_same_on_two_mpi_processes(tmp_path):
    """The microcircuit on the MPI backend (2 processes, launched by ``pynnlite run -n 2``)
    has exactly the rates of the numpy run: same network, same spikes."""
    from pynnlite import cli, list_backends
    if "mpi" not in list_backends() or not cli.mpi_status(timeout=60)[0]:
        pytest.skip("MPI is not usable here")
    args = [os.path.join(EXAMPLES, "microcircuit.py"), "--scale", "0.01", "--tstop", "150", "--no-plot"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYNNLITE_")}
    for label, extra in (("numpy", []), ("mpi", ["-n", "2"])):
        done = subprocess.run([sys.executable, "-m", "pynnlite", "run", *extra, *args, "--output",
                               str(tmp_path / label)], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
    numpy_run = json.loads((tmp_path / "numpy" / "microcircuit_0.01.json").read_text())
    mpi_run = json.loads((tmp_path / "mpi" / "microcircuit_0.01.json").read_text())
    assert (numpy_run["processes"], mpi_run["processes"]) == (1, 2)
    assert mpi_run["rates_Hz"] == numpy_run["rates_Hz"]
    assert mpi_run["description"]["total_synapses"] == numpy_run["description"]["total_synapses"]
