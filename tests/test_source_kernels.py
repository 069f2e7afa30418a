"""Spike-source kernels of the numpy backend, driven directly (no engine).

Each test states the statistical or exact property it checks.
"""
from __future__ import annotations

import numpy as np
import pytest

from pynnlite.backends.numpy import sources
from pynnlite.errors import InvalidParameterValueError
from pynnlite.models import cells
from pynnlite.parameters import Sequence

STREAM = 0x1234_5678_9ABC


def build(model: str, n: int = 1, dt: float = 0.1, keys=None, stream: int = STREAM, **params):
    """A kernel for the cells ``keys`` (default 0..n-1) of a ``model`` population, and a fresh state."""
    keys = np.arange(n, dtype=np.int64) if keys is None else np.asarray(keys, dtype=np.int64)
    cell_type = getattr(cells, model)
    values = {**cell_type.default_parameters, **params}
    arrays = {}
    for name, value in values.items():
        if name in cell_type.sequence_parameters:
            column = np.empty(keys.size, dtype=object)
            column[:] = [value[k] if isinstance(value, list) else value for k in keys]
            arrays[name] = column
        else:
            full = np.broadcast_to(np.asarray(value, dtype=float), (max(n, keys.max(initial=-1) + 1),))
            arrays[name] = full[keys].copy()
    kernel_class = sources.SOURCE_KERNELS[model]
    kernel = kernel_class(arrays, dt, stream, keys)
    state = {k: np.full(keys.size, float(v)) for k, v in kernel_class.internal_state.items()}
    return kernel, state


def as_pairs(result) -> list[tuple[int, int]]:
    cell, step = result
    return list(zip(cell.tolist(), step.tolist()))


def check_sorted(result) -> None:
    cell, step = result
    assert cell.dtype == np.int64 and step.dtype == np.int64
    order = np.lexsort((cell, step))
    np.testing.assert_array_equal(order, np.arange(cell.size))


# -- declarations -----------------------------------------------------------------------

def test_every_source_model_has_a_kernel():
    """Each spike-source cell type maps to a kernel; with no cells or an empty window nothing is emitted."""
    source_models = [name for name in cells.__all__ if getattr(cells, name).is_source]
    assert sorted(source_models) == sorted(sources.SOURCE_KERNELS)
    for model in source_models:
        kernel, state = build(model, n=3)
        cell, step = kernel.spikes(state, 0, 0)
        assert cell.size == step.size == 0


# -- keyed uniforms ------------------------------------------------------------------------

def test_fallback_keyed_uniform_is_a_pure_function_in_open_unit_interval():
    """u(stream, key, counter) ∈ (0, 1), mean ≈ 1/2 (within 5σ), and the value for a (key, counter)
    pair does not depend on which other pairs are drawn with it."""
    keys = np.repeat(np.arange(1000), 100)
    counters = np.tile(np.arange(100), 1000)
    u = sources._fallback_keyed_uniform(STREAM, keys, counters)
    assert np.all((u > 0) & (u < 1))
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / u.size)
    subset = sources._fallback_keyed_uniform(STREAM, keys[::7], counters[::7])
    np.testing.assert_array_equal(subset, u[::7])
    other_stream = sources._fallback_keyed_uniform(STREAM + 1, keys, counters)
    assert np.mean(other_stream == u) < 1e-3


def test_keyed_uniform_uses_the_project_generator_when_available():
    """sources.keyed_uniform is pynnlite.random.keyed_uniform once that module exists."""
    project = pytest.importorskip("pynnlite.random")
    keys, counters = np.arange(10), np.arange(10) * 3
    np.testing.assert_array_equal(sources.keyed_uniform(7, keys, counters),
                                  project.keyed_uniform(7, keys, counters))


# -- SpikeSourcePoisson ----------------------------------------------------------------------

def test_poisson_rate_within_three_sigma():
    """Total count of N cells over T: |count − N·rate·T| < 3·√(N·rate·T) (Poisson variance)."""
    n, rate, dt, steps = 2000, 20.0, 0.1, 50_000   # 5 s
    kernel, state = build("SpikeSourcePoisson", n=n, dt=dt, rate=rate)
    result = kernel.spikes(state, 0, steps)
    check_sorted(result)
    expected = n * rate * steps * dt / 1000.0
    assert abs(result[0].size - expected) < 3 * np.sqrt(expected)
    per_cell = np.bincount(result[0], minlength=n)
    assert per_cell.var() / per_cell.mean() == pytest.approx(1.0, abs=0.1)  # Fano factor 1


def test_poisson_isi_cv_is_one():
    """Exponential intervals: coefficient of variation of the ISIs ≈ 1 (±0.03 over ~40 000 ISIs)
    and mean ISI ≈ 1000/rate ms."""
    n, rate, dt = 400, 50.0, 0.01
    kernel, state = build("SpikeSourcePoisson", n=n, dt=dt, rate=rate)
    cell, step = kernel.spikes(state, 0, 200_000)   # 2 s
    order = np.lexsort((step, cell))
    cell, t = cell[order], step[order] * dt
    same = cell[1:] == cell[:-1]
    isi = np.diff(t)[same]
    assert isi.size > 30_000
    assert isi.std() / isi.mean() == pytest.approx(1.0, abs=0.03)
    assert isi.mean() == pytest.approx(1000.0 / rate, rel=0.03)


def test_poisson_respects_start_and_duration():
    """Spikes only at times in [start, start + duration): steps in [floor(start/dt), floor(stop/dt)]."""
    kernel, state = build("SpikeSourcePoisson", n=200, rate=200.0, start=50.0, duration=100.0)
    cell, step = kernel.spikes(state, 0, 3000)
    assert step.size > 0.5 * 200 * 200 * 0.1
    assert step.min() >= 500 and step.max() <= 1500


def test_zero_rate_is_silent_and_a_new_rate_starts_the_train_from_now():
    """rate = 0: no spikes. Rebuilding the kernel with a changed rate (keeping the state) applies
    the new rate from the current window on: count within 3σ of N·rate·T for each window."""
    n, dt = 1000, 0.1
    kernel, state = build("SpikeSourcePoisson", n=n, dt=dt, rate=0.0)
    assert kernel.spikes(state, 0, 10_000)[0].size == 0
    for rate, first in ((10.0, 10_000), (100.0, 20_000), (10.0, 30_000)):
        kernel, _ = build("SpikeSourcePoisson", n=n, dt=dt, rate=rate)
        cell, step = kernel.spikes(state, first, 10_000)
        expected = n * rate * 1.0
        assert abs(cell.size - expected) < 3 * np.sqrt(expected)
        assert step.min() >= first and step.max() < first + 10_000


# -- window splitting and the MPI property ------------------------------------------------------

SPLIT_CASES = [
    ("SpikeSourcePoisson", dict(rate=np.linspace(0.0, 300.0, 40))),
    ("SpikeSourceGamma", dict(alpha=np.linspace(0.5, 6.0, 40), beta=np.linspace(10.0, 900.0, 40))),
    ("SpikeSourcePoissonRefractory", dict(rate=np.linspace(0.0, 150.0, 40), tau_refrac=np.linspace(0, 6, 40))),
    ("SpikeSourceInhGamma", dict(a=[Sequence([0.5 + 0.2 * k, 4.0, 1.0]) for k in range(40)],
                                 b=[Sequence([0.01, 0.002 + 0.001 * k, 0.05]) for k in range(40)],
                                 tbins=[Sequence([5.0 * k, 300.0, 450.0 + k]) for k in range(40)])),
    ("SpikeSourceArray", dict(spike_times=[Sequence(np.sort(np.random.default_rng(k).uniform(0, 800, k)))
                                          for k in range(40)])),
]


@pytest.mark.parametrize("model,params", SPLIT_CASES)
def test_windows_split_differently_give_identical_spikes(model, params):
    """spikes(0, N) equals the concatenation of spikes over any cut of [0, N) into consecutive windows."""
    n, total = 40, 8000
    kernel, state = build(model, n=n, start=20.0, duration=700.0, **params) if model != "SpikeSourceArray" \
        else build(model, n=n, **params)
    whole = as_pairs(kernel.spikes(state, 0, total))
    assert len(whole) > 100
    rng = np.random.default_rng(3)
    for _ in range(3):
        cuts = np.sort(rng.choice(np.arange(1, total), size=int(rng.integers(1, 40)), replace=False))
        bounds = [0, *cuts.tolist(), total]
        kernel, state = build(model, n=n, start=20.0, duration=700.0, **params) if model != "SpikeSourceArray" \
            else build(model, n=n, **params)
        pieces = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            result = kernel.spikes(state, a, b - a)
            check_sorted(result)
            pieces.extend(as_pairs(result))
        assert pieces == whole


@pytest.mark.parametrize("model,params", SPLIT_CASES)
def test_subset_of_cells_gives_the_same_spikes_as_the_full_population(model, params):
    """A process owning cells K of the population (cell_keys = K) emits, for them, exactly the spikes
    the full population emits for K (random trains depend only on stream and cell key)."""
    n, total = 40, 8000
    full_kernel, full_state = build(model, n=n, **params)
    full = as_pairs(full_kernel.spikes(full_state, 0, total))
    keys = np.array([1, 5, 6, 17, 22, 39])
    local = {k: i for i, k in enumerate(keys)}
    sub_params = {name: ([value[k] for k in range(n)] if isinstance(value, list) else value)
                  for name, value in params.items()}
    kernel, state = build(model, n=n, keys=keys, **sub_params)
    got = as_pairs(kernel.spikes(state, 0, total))
    expected = [(local[c], s) for c, s in full if c in local]
    assert got == expected and len(got) > 0


# -- SpikeSourceGamma ----------------------------------------------------------------------------

def test_gamma_rate_and_isi_statistics():
    """Mean rate beta/alpha: count within 3σ of N·T·beta/alpha (stationary count variance mean/alpha);
    ISIs: mean alpha/beta, CV 1/√alpha."""
    n, alpha, beta, dt, steps = 2000, 4.0, 80.0, 0.01, 300_000   # 3 s, mean rate 20 Hz
    kernel, state = build("SpikeSourceGamma", n=n, dt=dt, alpha=alpha, beta=beta)
    cell, step = kernel.spikes(state, 0, steps)
    expected = n * beta / alpha * steps * dt / 1000.0
    assert abs(cell.size - expected) < 3 * np.sqrt(expected / alpha)
    order = np.lexsort((step, cell))
    c, t = cell[order], step[order] * dt
    isi = np.diff(t)[c[1:] == c[:-1]]
    assert isi.mean() == pytest.approx(1000.0 * alpha / beta, rel=0.02)
    assert isi.std() / isi.mean() == pytest.approx(1 / np.sqrt(alpha), abs=0.02)


# -- SpikeSourcePoissonRefractory -------------------------------------------------------------------

def test_poisson_refractory_mean_rate_and_dead_time():
    """NEST ppd_sup_generator convention: mean rate = rate (count within 3σ, count variance
    mean·(1 − rate·τ)²); no two spikes of a cell closer than tau_refrac (to the step)."""
    n, rate, dead, dt, steps = 1000, 50.0, 5.0, 0.1, 40_000   # 4 s
    kernel, state = build("SpikeSourcePoissonRefractory", n=n, dt=dt, rate=rate, tau_refrac=dead)
    cell, step = kernel.spikes(state, 0, steps)
    expected = n * rate * steps * dt / 1000.0
    fano = (1 - rate * dead / 1000.0) ** 2
    assert abs(cell.size - expected) < 3 * np.sqrt(expected * fano)
    order = np.lexsort((step, cell))
    c, s = cell[order], step[order]
    gaps = np.diff(s)[c[1:] == c[:-1]]
    assert gaps.min() >= int(round(dead / dt)) - 1


def test_poisson_refractory_rejects_rate_faster_than_dead_time():
    """1000/rate must exceed tau_refrac (ms), as in NEST."""
    with pytest.raises(InvalidParameterValueError):
        build("SpikeSourcePoissonRefractory", rate=250.0, tau_refrac=4.0)


# -- SpikeSourceArray --------------------------------------------------------------------------------

def test_spike_array_steps_contain_the_times_and_past_spikes_are_dropped():
    """A spike at t (ms) is emitted in the step that contains t, floor(t/dt); spikes of steps before
    the first window are dropped; two spikes in one step are both emitted; output sorted by step then
    cell."""
    times = [Sequence([0.04, 0.05, 0.15, 1.0, 2.24, 2.26, 0.55]), Sequence([1.0, 1.01, 3.0]), Sequence([])]
    kernel, state = build("SpikeSourceArray", n=3, dt=0.1, spike_times=times)
    result = kernel.spikes(state, 0, 100)
    check_sorted(result)
    assert as_pairs(result) == [(0, 0), (0, 0), (0, 1), (0, 5), (0, 10), (1, 10), (1, 10), (0, 22), (0, 22),
                                (1, 30)]
    kernel, state = build("SpikeSourceArray", n=3, dt=0.1, spike_times=times)
    assert as_pairs(kernel.spikes(state, 10, 15)) == [(0, 10), (1, 10), (1, 10), (0, 22), (0, 22)]
    assert as_pairs(kernel.spikes(state, 25, 75)) == [(1, 30)]


def test_spike_array_time_off_the_grid_goes_in_the_step_that_contains_it():
    """Measured with PyNN 0.13 + NEST 3 (default spike_precision='off_grid', dt = 0.1 ms): a spike at
    2.04, 3.05, 4.06, 7.0995 ms acts as one at 2.0, 3.0, 4.0, 7.0 ms; 6.0999996 ms as one at 6.0 ms
    (NEST keeps the exact time, it does not round it to its 1 µs tic). Float noise is on the grid:
    0.3/0.1 = 2.9999999999999996 is step 3, as NEST has it; so is a time within float noise of a grid
    point (pynnlite.timegrid), e.g. the sum of a thousand 0.1 ms, 99.9999999999986 ms (NEST, which allows a few
    ulps only, puts that one in step 999: measured)."""
    times = [2.04, 3.05, 4.06, 7.0995, 6.0999996, 7.0000004, 0.3, 0.1 * 3, 0.7, 0.1 * 7,
             float(np.nextafter(3.0, 0.0)), float(np.cumsum(np.full(1000, 0.1))[-1]), 0.55, 0.45]
    kernel, state = build("SpikeSourceArray", n=len(times), dt=0.1, spike_times=[Sequence([t]) for t in times])
    cell, step = kernel.spikes(state, 0, 1100)
    assert step[np.argsort(cell, kind="stable")].tolist() == [20, 30, 40, 70, 60, 70, 3, 3, 7, 7, 30, 1000, 5, 4]


def test_recorded_spike_times_are_the_given_times_and_step_times_without_float_noise(sim):
    """Measured with PyNN 0.13 + NEST 3.10 (dt = 0.1 ms): a SpikeSourceArray with spike_times
    [0.3, 0.7, 3.05, 5.0, 12.34] records [0.3, 0.7000000000000001, 3.05, 5.0, 12.34] — the times
    as given (NEST keeps off-grid times exactly), not the steps' 3.0 and 12.3. A time within float
    noise of a grid point records as that point (0.1 + 0.2 -> 0.3). Cells' spike times are their
    steps' times as PyNN reports times: 0.3 ms, not 3 × 0.1 = 0.30000000000000004."""
    sim.setup(timestep=0.1)
    given = [0.1 + 0.2, 0.7, 3.05, 5.0, 12.34]
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=given))
    cell = sim.Population(1, sim.IF_curr_delta(v_thresh=-64.0, tau_refrac=0.1))
    sim.Projection(source, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=5.0, delay=0.1))
    source.record("spikes")
    cell.record("spikes")
    sim.run(20.0)
    recorded = source.get_data().segments[0].spiketrains[0].magnitude.tolist()
    assert recorded == [0.3, 0.7, 3.05, 5.0, 12.34]
    fired = cell.get_data().segments[0].spiketrains[0].magnitude.tolist()
    # each input acts from the step containing its time, 1 step of delay later, and the jump fires
    # the cell at once (NEST's iaf_psc_delta tests the threshold right after adding the input)
    assert fired == [0.4, 0.8, 3.1, 5.1, 12.4]
    sim.end()


@pytest.mark.parametrize("celltype", ["SpikeSourcePoisson", "SpikeSourceGamma"])
def test_random_sources_record_their_own_spike_times_and_act_from_the_step_containing_them(sim, celltype):
    """The random sources draw spike times in continuous time and record them (PyNN+NEST's default
    SpikeSourcePoisson, NEST poisson_generator_ps, records precise times too: measured 12.8624,
    20.7006, ... ms at dt = 0.1 ms); each spike acts from the step containing it, as a
    SpikeSourceArray time does: through a 0.1 ms delay an IF_curr_delta target fires when the jump
    arrives, floor(t/dt)·dt + 0.1 ms."""
    sim.setup(timestep=0.1)
    parameters = {"rate": 30.0} if celltype == "SpikeSourcePoisson" else {"alpha": 2.0, "beta": 60.0}
    source = sim.Population(4, getattr(sim, celltype)(**parameters))
    target = sim.Population(4, sim.IF_curr_delta(v_thresh=-64.0, tau_refrac=0.1))
    sim.Projection(source, target, sim.OneToOneConnector(), sim.StaticSynapse(weight=5.0, delay=0.1))
    source.record("spikes")
    target.record("spikes")
    sim.run(1000.0)
    sent = [train.magnitude for train in source.get_data().segments[0].spiketrains]
    fired = [train.magnitude for train in target.get_data().segments[0].spiketrains]
    steps = np.concatenate([np.floor(t / 0.1) for t in sent])
    assert steps.size > 60 and np.mean(np.concatenate(sent) / 0.1 - steps > 1e-6) > 0.95   # not step times
    for times, out in zip(sent, fired):
        step = np.floor(times / 0.1).astype(int)
        isolated = step[np.r_[True, np.diff(step) > 3]]   # inputs clear of the refractory step
        expected = np.round((isolated + 1) * 0.1, 12)
        assert expected.size and np.isin(expected, out).all()
    sim.end()


@pytest.mark.parametrize("kind, arguments, message", [
    ("DCSource", {"amplitude": "a"}, "amplitude: expected a number"),
    ("DCSource", {"amplitude": float("inf")}, "amplitude: NaN or infinity"),
    ("NoisyCurrentSource", {"mean": float("inf")}, "mean: NaN or infinity")])
def test_bad_current_source_parameters_are_errors_at_creation(sim, kind, arguments, message):
    """A string amplitude was accepted and made every later run fail with a bare ValueError;
    an infinite one drove the cell to fire on every step."""
    with pytest.raises(InvalidParameterValueError, match=message):
        getattr(sim, kind)(**arguments)
    sim.DCSource(amplitude=0.5, start=1.0, stop=float("inf"))   # a source that never stops: allowed
