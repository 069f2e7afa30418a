"""Tests of pynnlite.random: PyNN 0.13-compatible RNGs and distributions, and keyed streams."""

import numpy as np
import pytest
from lazyarray import VectorizedIterable, larray
from scipy import special, stats

import pynnlite.random as random
from pynnlite.errors import InvalidDimensionsError, InvalidParameterValueError, NonExistentParameterError
from pynnlite.random import (GSLRNG, AbstractRNG, NativeRNG, NumpyRNG, RandomDistribution, WrappedRNG,
                             keyed_uniform)


@pytest.fixture
def mpi_config(monkeypatch):
    """Pretend to be a given MPI rank among n processes (PyNN's tests patch get_mpi_config too)."""
    def set_config(rank, size):
        monkeypatch.setattr(random, "get_mpi_config", lambda: (rank, size))
    return set_config


# ---------------------------------------------------------------- NumpyRNG

def test_available_distributions_are_pynn_013s():
    # pyNN.random.available_distributions, names and positional order
    assert random.available_distributions == {
        "binomial": ("n", "p"),
        "gamma": ("k", "theta"),
        "exponential": ("beta",),
        "lognormal": ("mu", "sigma"),
        "normal": ("mu", "sigma"),
        "normal_clipped": ("mu", "sigma", "low", "high"),
        "normal_clipped_to_boundary": ("mu", "sigma", "low", "high"),
        "poisson": ("lambda_",),
        "uniform": ("low", "high"),
        "uniform_int": ("low", "high"),
        "vonmises": ("mu", "kappa"),
    }


def test_class_hierarchy_has_pynn_names():
    assert issubclass(NumpyRNG, WrappedRNG) and issubclass(WrappedRNG, AbstractRNG)
    assert issubclass(NativeRNG, NumpyRNG)
    assert issubclass(RandomDistribution, VectorizedIterable)


def test_next_shapes_follow_pynn():
    # PyNN: n=None -> a float, n>=1 -> array of n, n=0 -> empty array, n<0 -> ValueError
    rng = NumpyRNG(seed=987)
    assert isinstance(rng.next(distribution="uniform", parameters={"low": 0, "high": 1}), float)
    assert rng.next(1, "uniform", {"low": 0, "high": 1}).shape == (1,)
    assert len(rng.next(5, "uniform", {"low": 0, "high": 1})) == 5
    assert len(rng.next(0)) == 0
    with pytest.raises(ValueError):
        rng.next(-1, "uniform", {"low": 0, "high": 1})
    # without a distribution: uniform in [0, 1)
    values = rng.next(1000)
    assert values.min() >= 0 and values.max() < 1


def test_numpy_rng_gives_the_same_numbers_as_randomstate():
    # PyNN's NumpyRNG wraps numpy.random.RandomState seeded with `seed`, so a seed
    # gives the same numbers in pynnlite and in PyNN.
    reference = np.random.RandomState(1234)
    rng = NumpyRNG(seed=1234)
    assert np.array_equal(rng.next(5, "normal", {"mu": 1.0, "sigma": 2.0}), reference.normal(1.0, 2.0, 5))
    assert np.array_equal(rng.next(4, "uniform_int", (0, 10)), reference.randint(0, 10, 4))
    assert np.array_equal(rng.next(3, "gamma", {"k": 2.0, "theta": 0.5}), reference.gamma(2.0, 0.5, 3))
    assert np.array_equal(rng.permutation(10), reference.permutation(10))  # RandomState methods are delegated


def test_positional_parameters_in_next():
    a = NumpyRNG(seed=5).next(4, "normal", (0.5, 0.2))
    b = NumpyRNG(seed=5).next(4, "normal", {"mu": 0.5, "sigma": 0.2})
    assert np.array_equal(a, b)


def test_seed_must_be_an_int():
    with pytest.raises(InvalidParameterValueError, match="seed"):
        NumpyRNG(seed=2.3)
    with pytest.raises(InvalidParameterValueError, match="seed"):
        NumpyRNG(seed=-1)


def test_seed_none_is_drawn_from_entropy_and_reported():
    a, b = NumpyRNG(), NumpyRNG()
    assert isinstance(a.seed, int) and isinstance(b.seed, int)
    assert a.seed != b.seed or a.next(4).tolist() != b.next(4).tolist()
    # the reported seed reproduces the sequence
    c = NumpyRNG()
    assert np.array_equal(c.next(5), NumpyRNG(seed=c.seed).next(5))


def test_parallel_safe_mask_selects_from_the_full_draw(mpi_config):
    # PyNN: with parallel_safe=True all n values are drawn on every process and masked
    mpi_config(1, 2)
    rng = NumpyRNG(seed=1000, parallel_safe=True)
    check = NumpyRNG(seed=1000, parallel_safe=True)
    mask = np.array((0, 1, 0, 1, 0), bool)
    assert rng.seed == 1000
    assert rng.next(5, "uniform", (0, 1), mask=mask).tolist() == check.next(5, "uniform", (0, 1))[mask].tolist()
    # an index array works as a mask too
    idx = np.array([4, 0])
    assert np.array_equal(NumpyRNG(seed=3).next(5, mask=idx), NumpyRNG(seed=3).next(5)[idx])


def test_parallel_unsafe_offsets_seed_by_rank_and_draws_only_the_masked_count(mpi_config):
    # PyNN: with parallel_safe=False the seed is increased by the MPI rank, and with
    # a mask only as many values as the mask selects are drawn
    mpi_config(0, 2)
    rng0 = NumpyRNG(seed=1000, parallel_safe=False)
    mpi_config(1, 2)
    rng1 = NumpyRNG(seed=1000, parallel_safe=False)
    assert (rng0.seed, rng1.seed) == (1000, 1001)
    draw0 = rng0.next(5, "uniform", (0, 1), mask=np.array((1, 0, 1, 0, 1), bool))
    draw1 = rng1.next(5, "uniform", (0, 1), mask=np.array((0, 1, 0, 1, 0), bool))
    assert (len(draw0), len(draw1)) == (3, 2)
    assert np.array_equal(draw1, np.random.RandomState(1001).uniform(0, 1, 2))


def test_bad_mask_is_rejected():
    with pytest.raises(InvalidDimensionsError, match="mask"):
        NumpyRNG(seed=1).next(5, mask=np.ones(4, bool))
    with pytest.raises(InvalidParameterValueError, match="mask"):
        NumpyRNG(seed=1).next(5, mask=np.array([7]))


def test_gslrng_is_not_available():
    with pytest.raises(ImportError, match="NumpyRNG"):
        GSLRNG(seed=654)
    assert random.have_gsl is False


def test_native_rng_draws_like_numpy_rng():
    rng = NativeRNG(seed=8274528)
    assert str(rng) == "NativeRNG(seed=8274528)"
    assert np.array_equal(rng.next(3), NumpyRNG(seed=8274528).next(3))


def test_default_rng_is_reproducible():
    first = random.set_default_rng_seed(random.DEFAULT_SEED).next(3)
    assert random.get_default_rng().seed == random.DEFAULT_SEED
    again = random.set_default_rng_seed(random.DEFAULT_SEED)
    assert random.get_default_rng() is again
    assert np.array_equal(again.next(3), first)
    assert random.set_default_rng_seed(7).seed == 7
    random.set_default_rng_seed(random.DEFAULT_SEED)


def test_describe_and_repr():
    rng = NumpyRNG(seed=12)
    assert repr(rng) == "NumpyRNG(seed=12)"
    assert "seed 12" in rng.describe() and "parallel safe" in rng.describe()


# ------------------------------------------------------------ RandomDistribution

def test_uniform_distribution_is_reproducible():
    a = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=1)).next(5)
    b = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=1)).next(5)
    assert np.array_equal(a, b)
    assert np.array_equal(a, np.random.RandomState(1).uniform(0, 1, 5))


def test_positional_and_named_parameters_are_equivalent():
    rng = NumpyRNG(seed=2)
    positional = RandomDistribution("normal", (0.5, 0.2), rng)
    named = RandomDistribution("normal", mu=0.5, sigma=0.2, rng=rng)
    assert positional.parameters == named.parameters == {"mu": 0.5, "sigma": 0.2}
    assert positional.name == named.name == "normal"
    assert positional.rng is named.rng is rng
    assert np.array_equal(RandomDistribution("gamma", (2.0, 3.0), rng=NumpyRNG(seed=4)).next(6),
                          RandomDistribution("gamma", k=2.0, theta=3.0, rng=NumpyRNG(seed=4)).next(6))


def test_default_rng_is_a_new_numpy_rng():
    # PyNN documents: "If the rng argument is not supplied (or is None), then the
    # method or function creates a new NumpyRNG for its own use."
    a = RandomDistribution("uniform", (0, 1))
    b = RandomDistribution("uniform", (0, 1))
    assert isinstance(a.rng, NumpyRNG) and a.rng is not b.rng
    assert isinstance(a.rng.seed, int)


def test_distribution_errors_name_the_valid_choices():
    with pytest.raises(InvalidParameterValueError, match="normal_clipped_to_boundary"):
        RandomDistribution("gaussian", (0, 1))
    with pytest.raises(NonExistentParameterError, match="mu, sigma"):
        RandomDistribution("normal", mu=0, sd=1)
    with pytest.raises(InvalidParameterValueError, match="missing: sigma"):
        RandomDistribution("normal", mu=0)
    # PyNN: wrong number of positional parameters, or mixed positional and named -> ValueError
    with pytest.raises(ValueError, match="mu, sigma"):
        RandomDistribution("normal", (0.5,))
    with pytest.raises(ValueError):
        RandomDistribution("normal", (0.5, 0.2), mu=0.5, sigma=0.2)
    with pytest.raises(InvalidParameterValueError, match="rng"):
        RandomDistribution("normal", (0, 1), rng=np.random.RandomState(1))


def test_unknown_distribution_or_missing_parameter_is_a_key_error_as_in_pynn():
    # measured with PyNN 0.13: RandomDistribution('foo', (0, 1)) and RandomDistribution(3, ...)
    # raise KeyError('foo'), RandomDistribution('uniform') and ('normal', mu=0) KeyError
    # ("Incorrect parameterization ..."); a PyNN script's `except KeyError` must still catch ours
    for make in (lambda: RandomDistribution("foo", (0, 1)), lambda: RandomDistribution("foo", mu=0),
                 lambda: RandomDistribution(3, (0, 1)), lambda: RandomDistribution("uniform"),
                 lambda: RandomDistribution("normal", mu=0), lambda: NumpyRNG(seed=1).next(3, "foo", {})):
        with pytest.raises(KeyError) as caught:
            make()
        assert isinstance(caught.value, InvalidParameterValueError)    # still a pynnlite ValueError
    with pytest.raises(KeyError) as caught:
        RandomDistribution("gaussian", (0, 1))
    assert str(caught.value).startswith("distribution='gaussian' is not available; choose one of: binomial")


@pytest.mark.parametrize("name, params, message", [
    ("normal", (0, -1), "sigma"),
    ("lognormal", (0, -0.1), "sigma"),
    ("uniform", (3, 1), "low"),
    ("uniform_int", (3, 3), "low"),
    ("uniform_int", (0.5, 3), "whole"),
    ("binomial", (10, 1.5), "p"),
    ("binomial", (10, -0.1), "p"),
    ("binomial", (-1, 0.5), "n"),
    ("gamma", (0, 1), "k"),
    ("exponential", (-2,), "beta"),
    ("poisson", (-1,), "lambda_"),
    ("normal_clipped", (0, 1, 2, 1), "low"),
    ("normal_clipped_to_boundary", (0, 1, 2, 1), "low"),
    ("vonmises", (0, -1), "kappa"),
    ("normal", (float("nan"), 1), "NaN"),
])
def test_bad_parameter_values_are_rejected_at_construction(name, params, message):
    with pytest.raises(InvalidParameterValueError, match=message):
        RandomDistribution(name, params, rng=NumpyRNG(seed=1))


def test_clipped_distributions_sequential():
    rng = NumpyRNG(seed=987)
    # PyNN: normal_clipped_to_boundary sets values beyond the bounds to the bounds
    vals = RandomDistribution("normal_clipped_to_boundary", mu=0, sigma=1, low=-0.5, high=0.5, rng=rng).next(1000)
    assert vals.min() == -0.5 and vals.max() == 0.5
    # normal_clipped redraws values outside [low, high]
    vals = RandomDistribution("normal_clipped", mu=0, sigma=1, low=0, high=1, rng=rng).next(1000)
    assert vals.min() >= 0 and vals.max() <= 1.0
    # PyNN: too many redraws (here P(x > 5) ~ 3e-7) raise rather than loop forever
    with pytest.raises(Exception, match="redraws"):
        RandomDistribution("normal_clipped", mu=0, sigma=1, low=5, high=np.inf, rng=rng).next(1000)


def test_repr_and_str():
    rd = RandomDistribution("normal", (0.5, 0.2), rng=NumpyRNG(seed=3))
    assert repr(rd) == "RandomDistribution('normal', mu=0.5, sigma=0.2, rng=NumpyRNG(seed=3))"
    assert str(rd) == "RandomDistribution('normal', {'mu': 0.5, 'sigma': 0.2}, NumpyRNG(seed=3))"


def test_lazily_evaluate_with_mask_equals_masked_full_draw():
    shape = (20,)
    mask = np.array([1, 4, 5, 19])
    part = RandomDistribution("normal", (0, 1), rng=NumpyRNG(seed=11)).lazily_evaluate(mask=mask, shape=shape)
    full = RandomDistribution("normal", (0, 1), rng=NumpyRNG(seed=11)).lazily_evaluate(shape=shape)
    assert full.shape == shape
    assert np.array_equal(part, full[mask])
    # 2-D, through lazyarray, with a slice address
    rd = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=12))
    block = larray(rd, shape=(4, 5))[1:3, :]
    assert np.array_equal(block, np.random.RandomState(12).uniform(0, 1, 20).reshape(4, 5)[1:3, :])
    bool_mask = np.zeros(20, bool)
    bool_mask[[2, 3]] = True
    rd = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=13))
    assert np.array_equal(larray(rd, shape=(20,))[bool_mask], NumpyRNG(seed=13).next(20)[bool_mask])


def test_lazily_evaluate_without_parallel_safety_draws_only_what_is_asked():
    rd = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(seed=14, parallel_safe=False))
    values = rd.lazily_evaluate(mask=np.array([3, 7]), shape=(10,))
    assert np.array_equal(values, np.random.RandomState(14).uniform(0, 1, 2))


# ---------------------------------------------------------------- keyed streams

def test_stream_keys_are_deterministic_per_seed_and_call():
    a, b = NumpyRNG(seed=21), NumpyRNG(seed=21)
    b.next(100)  # sequential draws do not change the keyed streams
    keys_a = [a.stream_key() for _ in range(5)]
    keys_b = [b.stream_key() for _ in range(5)]
    assert keys_a == keys_b
    assert len(set(keys_a)) == 5
    assert all(0 <= k < 2 ** 64 for k in keys_a)
    assert NumpyRNG(seed=22).stream_key() != keys_a[0]


def test_stream_keys_do_not_depend_on_rank(mpi_config):
    # keyed values are parallel safe by construction, even with parallel_safe=False
    mpi_config(0, 2)
    k0 = NumpyRNG(seed=5, parallel_safe=False).stream_key()
    mpi_config(1, 2)
    k1 = NumpyRNG(seed=5, parallel_safe=False).stream_key()
    assert k0 == k1


def test_keyed_uniform_is_in_the_open_unit_interval():
    u = keyed_uniform(99, np.arange(200_000), 0)
    assert u.dtype == np.float64 and u.shape == (200_000,)
    assert u.min() > 0 and u.max() < 1


def test_keyed_uniform_is_a_function_of_stream_key_counter():
    keys = np.arange(10_000)
    full = keyed_uniform(7, keys, 3)
    assert np.array_equal(full, keyed_uniform(7, keys, 3))
    # any split of the keys gives bitwise the same values
    for a, b in [(0, 1), (17, 18), (123, 4567), (9_999, 10_000), (5, 9_000)]:
        assert np.array_equal(keyed_uniform(7, keys[a:b], 3), full[a:b])
    assert np.array_equal(keyed_uniform(7, keys[::7], 3), full[::7])
    # broadcasting keys against counters
    grid = keyed_uniform(7, keys[:5, None], np.arange(4)[None, :])
    assert grid.shape == (5, 4)
    assert np.array_equal(grid[:, 3], full[:5])
    assert np.array_equal(grid[2], keyed_uniform(7, 2, np.arange(4)))
    # different streams, keys or counters give different values
    assert not np.any(keyed_uniform(8, keys, 3) == full)
    assert not np.any(keyed_uniform(7, keys, 4) == full)
    assert np.unique(keyed_uniform(7, np.repeat(keys[:300], 300), np.tile(np.arange(300), 300))).size == 90_000


def test_keyed_uniform_chi_square():
    # 100 equal bins, 1e5 values: chi2 has 99 degrees of freedom, mean 99 and sd sqrt(198)
    u = keyed_uniform(2024, np.arange(100_000), 0)
    counts = np.bincount((u * 100).astype(int), minlength=100)
    chi2 = ((counts - 1000.0) ** 2 / 1000.0).sum()
    assert abs(chi2 - 99) < 4 * np.sqrt(2 * 99)
    # successive counters of one key are uncorrelated: lag-1 correlation ~ N(0, 1/n)
    v = keyed_uniform(2024, 5, np.arange(100_000))
    assert abs(np.corrcoef(v[:-1], v[1:])[0, 1]) < 4 / np.sqrt(v.size)


def test_keyed_uniform_rejects_non_integers():
    with pytest.raises(InvalidParameterValueError, match="keys"):
        keyed_uniform(1, np.array([0.5]), 0)
    with pytest.raises(InvalidParameterValueError, match="stream"):
        keyed_uniform(1.5, np.arange(3), 0)


def _truncnorm_moments(mu, sigma, low, high):
    # Normal(mu, sigma) conditioned on [low, high]: with a, b the standardised bounds
    # and Z = Phi(b) - Phi(a), mean = mu + sigma (phi(a) - phi(b)) / Z,
    # var = sigma^2 [1 + (a phi(a) - b phi(b)) / Z - ((phi(a) - phi(b)) / Z)^2]
    a, b = (low - mu) / sigma, (high - mu) / sigma
    phi = stats.norm.pdf
    Z = special.ndtr(b) - special.ndtr(a)
    m = (phi(a) - phi(b)) / Z
    return mu + sigma * m, sigma ** 2 * (1 + (a * phi(a) - b * phi(b)) / Z - m ** 2)


def _clipped_normal_moments(mu, sigma, low, high):
    # min(max(X, low), high), X ~ Normal: with a, b standardised, E = a Phi(a) + phi(a) - phi(b)
    # + b (1 - Phi(b)) and E[.^2] = a^2 Phi(a) + Phi(b) - Phi(a) + a phi(a) - b phi(b) + b^2 (1 - Phi(b))
    a, b = (low - mu) / sigma, (high - mu) / sigma
    phi, Phi = stats.norm.pdf, special.ndtr
    m1 = a * Phi(a) + phi(a) - phi(b) + b * (1 - Phi(b))
    m2 = a * a * Phi(a) + Phi(b) - Phi(a) + a * phi(a) - b * phi(b) + b * b * (1 - Phi(b))
    return mu + sigma * m1, sigma ** 2 * (m2 - m1 ** 2)


KEYED_CASES = [
    # name, parameters, (mean, variance) in closed form
    ("binomial", (20, 0.3), (6.0, 20 * 0.3 * 0.7)),
    ("gamma", (2.5, 2.0), (2.5 * 2.0, 2.5 * 2.0 ** 2)),
    ("exponential", (3.0,), (3.0, 9.0)),
    ("lognormal", (0.5, 0.4), (np.exp(0.5 + 0.08), (np.exp(0.16) - 1) * np.exp(1 + 0.16))),
    ("normal", (1.0, 2.0), (1.0, 4.0)),
    ("normal_clipped", (0.0, 1.0, -0.5, 2.0), _truncnorm_moments(0.0, 1.0, -0.5, 2.0)),
    ("normal_clipped", (1.0, 2.0, 7.0, 9.0), _truncnorm_moments(1.0, 2.0, 7.0, 9.0)),   # far upper tail
    ("normal_clipped_to_boundary", (0.0, 1.0, -0.5, 0.5), _clipped_normal_moments(0.0, 1.0, -0.5, 0.5)),
    ("poisson", (4.2,), (4.2, 4.2)),
    ("poisson", (0.05,), (0.05, 0.05)),
    ("uniform", (-1.0, 3.0), (1.0, 16 / 12)),
    ("uniform_int", (2, 9), (5.0, (7 ** 2 - 1) / 12)),   # high is excluded: 7 values 2..8
]


@pytest.mark.parametrize("name, params, moments", KEYED_CASES)
def test_keyed_values_mean_and_variance_match_theory(name, params, moments):
    # sample mean within 4 standard errors sqrt(var/n); sample variance within
    # 4 standard errors sqrt((m4 - var^2)/n), m4 the fourth central moment
    n = 100_000
    mean, var = moments
    rd = RandomDistribution(name, params, rng=NumpyRNG(seed=31))
    x = rd.keyed_values(keys=np.arange(n), counters=2).astype(float)
    assert abs(x.mean() - mean) < 4 * np.sqrt(var / n)
    m4 = ((x - x.mean()) ** 4).mean()
    assert abs(x.var() - var) < 4 * np.sqrt(max(m4 - var ** 2, 1e-300) / n)


def test_keyed_vonmises_circular_moments():
    # von Mises(mu, kappa): E[cos(X - mu)] = I1(kappa)/I0(kappa), E[sin(X - mu)] = 0,
    # E[cos^2] = (1 + I2/I0)/2; values wrapped into [-pi, pi) like numpy's
    n, mu, kappa = 100_000, 2.5, 3.0
    x = RandomDistribution("vonmises", (mu, kappa), rng=NumpyRNG(seed=5)).keyed_values(keys=np.arange(n))
    assert x.min() >= -np.pi and x.max() < np.pi
    r1 = special.i1(kappa) / special.i0(kappa)
    r2 = special.iv(2, kappa) / special.i0(kappa)
    c, s = np.cos(x - mu), np.sin(x - mu)
    assert abs(c.mean() - r1) < 4 * np.sqrt(((1 + r2) / 2 - r1 ** 2) / n)
    assert abs(s.mean()) < 4 * np.sqrt((1 - r2) / 2 / n)
    # kappa = 0 is the uniform distribution on the circle
    u = RandomDistribution("vonmises", (0.0, 0.0), rng=NumpyRNG(seed=5)).keyed_values(keys=np.arange(n))
    assert abs(u.mean()) < 4 * np.pi / np.sqrt(3 * n)


ALL_DISTRIBUTIONS = [(name, params) for name, params, _ in KEYED_CASES] + [("vonmises", (0.3, 2.0))]


@pytest.mark.parametrize("name, params", ALL_DISTRIBUTIONS)
def test_keyed_values_do_not_depend_on_how_keys_are_split(name, params):
    rd = RandomDistribution(name, params, rng=NumpyRNG(seed=8))
    stream = rd.rng.stream_key()
    keys = np.arange(5_000)
    full = rd.keyed_values(stream, keys, 4)
    for a, b in [(0, 1), (1, 2), (10, 333), (4_000, 5_000), (2_500, 2_503)]:
        assert np.array_equal(rd.keyed_values(stream, keys[a:b], 4), full[a:b])
    assert np.array_equal(rd.keyed_values(stream, keys[::-1], 4), full[::-1])
    assert not np.array_equal(rd.keyed_values(stream + 1, keys, 4), full)


def test_keyed_values_dtype_and_bounds():
    keys = np.arange(20_000)
    assert RandomDistribution("poisson", (3.0,), rng=NumpyRNG(seed=1)).keyed_values(1, keys).dtype == np.int64
    ints = RandomDistribution("uniform_int", (-3, 4), rng=NumpyRNG(seed=1)).keyed_values(1, keys)
    assert ints.dtype == np.int64 and set(np.unique(ints)) == set(range(-3, 4))
    clipped = RandomDistribution("normal_clipped", (0, 1, -0.2, 0.3), rng=NumpyRNG(seed=1)).keyed_values(1, keys)
    assert clipped.min() >= -0.2 and clipped.max() <= 0.3
    # far tail, where sequential redrawing gives up: the truncated inverse CDF still works
    tail = RandomDistribution("normal_clipped", (0, 1, 5, np.inf), rng=NumpyRNG(seed=1)).keyed_values(1, keys)
    assert np.all(np.isfinite(tail)) and tail.min() >= 5
    tail = RandomDistribution("normal_clipped", (0, 1, 40, 41), rng=NumpyRNG(seed=1)).keyed_values(1, keys)
    assert tail.min() >= 40 and tail.max() <= 41 and abs(tail.mean() - 40.025) < 0.001  # mean ~ low + 1/low
    binom = RandomDistribution("binomial", (10, 1.0), rng=NumpyRNG(seed=1)).keyed_values(1, keys)
    assert np.all(binom == 10)
    big = RandomDistribution("poisson", (1e7,), rng=NumpyRNG(seed=1)).keyed_values(1, keys[:2000])
    assert abs(big.mean() - 1e7) < 4 * np.sqrt(1e7 / 2000)


def test_keyed_values_default_stream_comes_from_the_rng():
    keys = np.arange(100)
    a = RandomDistribution("normal", (0, 1), rng=NumpyRNG(seed=44))
    b = RandomDistribution("normal", (0, 1), rng=NumpyRNG(seed=44))
    first = a.keyed_values(keys=keys)
    assert np.array_equal(first, b.keyed_values(keys=keys))
    assert not np.array_equal(first, a.keyed_values(keys=keys))   # next stream
    assert np.array_equal(first, a.keyed_values(NumpyRNG(seed=44).stream_key(), keys))
    with pytest.raises(InvalidParameterValueError, match="keys"):
        a.keyed_values(1)
