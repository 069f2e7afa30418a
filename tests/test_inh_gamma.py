"""SpikeSourceInhGamma, checked against PyNN 0.13's declaration and the known statistics of the
gamma process (rate 1/(a·b), ISI CV 1/√a per bin, age carried across bins) — never against the
code's own earlier output — and bitwise across MPI process counts. Statistical checks use thousands
of independent trains and fixed streams."""
import math

import numpy as np
import pytest
from mpi_support import assert_mpi_equals_numpy
from test_source_kernels import build

from pynnlite import errors
from pynnlite.parameters import Sequence


# -- SpikeSourceInhGamma --------------------------------------------------------------------------

def test_inh_gamma_declaration_follows_pynn(sim):
    celltype = sim.SpikeSourceInhGamma
    defaults = celltype.default_parameters
    assert [list(defaults[k]) for k in ("a", "b", "tbins")] == [[1.0], [1.0], [0.0]]
    assert (defaults["start"], defaults["duration"]) == (0.0, 1e10)
    assert celltype.units == {"a": "dimensionless", "b": "s", "tbins": "ms", "start": "ms", "duration": "ms"}
    assert celltype.recordable == ["spikes"] and not celltype.injectable
    assert "SpikeSourceInhGamma" in celltype().describe()


def test_inh_gamma_rejects_bad_parameters(sim):
    for bad in (dict(a=[1.0, -1.0], b=[1.0, 1.0], tbins=[0.0, 5.0]), dict(b=[0.0]),
                dict(a=[1.0, 1.0], b=[1.0, 1.0], tbins=[5.0, 1.0]), dict(duration=-1.0)):
        with pytest.raises(errors.InvalidParameterValueError):   # sequences: at the Population, as PyNN
            sim.Population(1, sim.SpikeSourceInhGamma(**bad))
    sim.Population(1, sim.SpikeSourceInhGamma(a=[1.0, 2.0]))     # tbins and b of another length
    with pytest.raises(errors.InvalidParameterValueError, match="same length"):
        sim.run(1.0)


BINS = [(0.0, 2000.0, 4.0, 0.0125),      # 20 Hz, CV 0.5
        (2000.0, 3500.0, 0.5, 0.02),     # 100 Hz, CV √2 (hazard unbounded near 0: no thinning bound)
        (3500.0, 5000.0, 9.0, 1 / 900)]  # 100 Hz, CV 1/3


def test_inh_gamma_rate_and_isi_statistics_per_bin():
    """Within each bin: rate 1/(a·b) Hz (b in s), and the intervals starting at a spike of the bin
    (far enough from its end that the next spike is in it) are Gamma(a, b): mean a·b, CV 1/√a.
    Rate: the count of N cells in a bin of length T is N·T/(a·b) up to a transient of less than one
    spike per cell at the bin's start (renewal theory) plus 4σ (count variance ≈ mean/a)."""
    n, dt = 2000, 0.01
    kernel, state = build("SpikeSourceInhGamma", n=n, dt=dt, a=Sequence([x[2] for x in BINS]),
                          b=Sequence([x[3] for x in BINS]), tbins=Sequence([x[0] for x in BINS]))
    cell, step = kernel.spikes(state, 0, int(5000.0 / dt))
    t = step * dt
    order = np.lexsort((t, cell))
    c, t = cell[order], t[order]
    same = c[1:] == c[:-1]
    for lo, hi, a, b in BINS:
        mean_isi = 1000.0 * a * b
        count = np.count_nonzero((t >= lo) & (t < hi))
        expected = n * (hi - lo) / mean_isi
        assert abs(count - expected) < n * (abs(1 / a - 1) / 2 + 1) * 0.5 + 4 * math.sqrt(expected / min(a, 1.0))
        starts = same & (t[:-1] >= lo) & (t[:-1] < hi - 12 * mean_isi)
        isi = (t[1:] - t[:-1])[starts]
        assert isi.size > 50_000
        assert isi.mean() == pytest.approx(mean_isi, rel=0.015)
        assert isi.std() / isi.mean() == pytest.approx(1 / math.sqrt(a), rel=0.02)


def test_inh_gamma_age_carries_over_bin_boundaries():
    """The hazard depends on the time since the last spike, not since the bin began: with equal
    parameters in two bins the train is one gamma renewal process, so the intervals starting in the
    50 ms before the boundary are still Gamma(4, 12.5 ms): mean 50 ms, CV 0.5. (Restarting the
    process at the boundary would lengthen them by the time already waited.)"""
    n, dt = 20_000, 0.01
    kernel, state = build("SpikeSourceInhGamma", n=n, dt=dt, a=Sequence([4.0, 4.0]), b=Sequence([0.0125, 0.0125]),
                          tbins=Sequence([0.0, 500.0]))
    cell, step = kernel.spikes(state, 0, int(800.0 / dt))
    t = step * dt
    order = np.lexsort((t, cell))
    c, t = cell[order], t[order]
    starts = (c[1:] == c[:-1]) & (t[:-1] >= 450.0) & (t[:-1] < 500.0)
    isi = (t[1:] - t[:-1])[starts]
    assert isi.size > 15_000
    assert isi.mean() == pytest.approx(50.0, rel=0.015)
    assert isi.std() / isi.mean() == pytest.approx(0.5, rel=0.03)
    crossing = isi[isi > 0][(t[:-1][starts] + isi) >= 500.0]
    assert crossing.size > 5000


def test_inh_gamma_start_duration_and_bins_before_the_first():
    """No spike before max(start, tbins[0]) nor at or after start + duration; the first interval
    is measured from start (age 0 there): with a = 1 the first spike after tbins[0] follows it by
    an exponential time of mean a·b (memorylessness)."""
    n, dt = 4000, 0.1
    kernel, state = build("SpikeSourceInhGamma", n=n, dt=dt, a=Sequence([1.0]), b=Sequence([0.01]),
                          tbins=Sequence([100.0]), start=50.0, duration=300.0)
    cell, step = kernel.spikes(state, 0, 5000)
    assert step.min() >= 1000 and step.max() < 3500
    first = np.array([step[cell == k].min() for k in range(200)]) * dt
    assert (first - 100.0).mean() == pytest.approx(10.0, abs=4 * 10.0 / math.sqrt(200) + dt)


def test_inh_gamma_in_a_network_is_bitwise_equal_under_mpi(tmp_path):
    """Keyed draws: the same spikes (and the driven IF_facets_hardware1 cells' v) on 1 (numpy), 2
    and 3 processes, with per-cell bins and parameters changed between runs."""
    assert_mpi_equals_numpy("inh_gamma_network.py", tmp_path)
