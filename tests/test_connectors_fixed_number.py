"""FixedNumberPre-, FixedNumberPost- and FixedTotalNumberConnector.

PyNN 0.13 facts checked here:
* FixedNumberPre/PostConnector(n, allow_self_connections=True, with_replacement=False, rng=None, ...):
  without replacement no pair repeats while n <= number of candidates; if n exceeds it,
  "all possible single connections are made before starting to add duplicate connections";
  with replacement every partner is drawn from the whole population (repeats possible);
  n may be a RandomDistribution, drawn once per post (Pre) or per pre (Post) cell.
* FixedTotalNumberConnector(n, allow_self_connections=True, with_replacement=True, ...):
  note the default with_replacement=True.
Statistical tests accept 4 standard deviations around the expectation (closed forms in comments).
"""
import inspect

import numpy as np
import pytest

from pynnlite import errors
from pynnlite.connectors.base import ConnectionContext
from pynnlite.connectors.fixed_number import (FixedNumberPostConnector, FixedNumberPreConnector,
                                              FixedTotalNumberConnector)
from pynnlite.random import NumpyRNG, RandomDistribution
from pynnlite.space import Space

STREAM = 0x5151


def context(n_pre, n_post, post_local=None, same=False, stream=STREAM):
    pre_ids = np.arange(100, 100 + n_pre)
    post_ids = pre_ids[:n_post].copy() if same else np.arange(50_000, 50_000 + n_post)
    return ConnectionContext(
        pre_size=n_pre, post_size=n_post,
        post_local=np.arange(n_post) if post_local is None else np.asarray(post_local),
        pre_ids=pre_ids, post_ids=post_ids, pre_positions_fn=lambda: np.zeros((3, n_pre)),
        post_positions_fn=lambda: np.zeros((3, n_post)), space=Space(), stream=stream, rng=None,
        timestep=0.1)


def assert_split_invariant(connector, n_pre, n_post, **kw):
    """Building all post cells, or two halves (contiguous or interleaved) as two processes would,
    gives the same connections for each post cell. ``connector`` may be a factory: each process
    creates its own connector (and RandomDistribution for n) from the same script."""
    make = connector if callable(connector) else (lambda: connector)
    full = make().connect(context(n_pre, n_post, **kw))
    for parts in ([np.arange(n_post // 2), np.arange(n_post // 2, n_post)],
                  [np.arange(0, n_post, 2), np.arange(1, n_post, 2)]):
        for part in parts:
            sub = make().connect(context(n_pre, n_post, post_local=part, **kw))
            mine = np.isin(full.post, part)
            np.testing.assert_array_equal(sub.pre, full.pre[mine])
            np.testing.assert_array_equal(sub.post, full.post[mine])
    return full


def pair_counts(a, n_pre, n_post):
    m = np.zeros((n_pre, n_post), dtype=int)
    np.add.at(m, (a.pre, a.post), 1)
    return m


def within_4_sigma(observed, expected, variance):
    return np.all(np.abs(np.asarray(observed) - expected) <= 4 * np.sqrt(variance) + 1e-9)


def test_pynn_signatures_and_defaults():
    for cls, replacement in ((FixedNumberPreConnector, False), (FixedNumberPostConnector, False),
                             (FixedTotalNumberConnector, True)):
        params = inspect.signature(cls).parameters
        assert list(params) == ["n", "allow_self_connections", "with_replacement", "location_selector", "rng", "safe",
                                "callback"]
        assert params["with_replacement"].default is replacement
        assert params["allow_self_connections"].default is True


# ------------------------------------------------------------ FixedNumberPre

def test_fixed_number_pre_exactly_n_per_post_without_repeats():
    a = FixedNumberPreConnector(7).connect(context(50, 40))
    m = pair_counts(a, 50, 40)
    assert np.all(m.sum(axis=0) == 7)          # exactly n pre cells per post cell
    assert m.max() == 1 and not a.may_repeat    # without replacement: no pair twice
    assert np.all(np.diff(a.post) >= 0)         # post-major
    assert np.all(np.diff(a.pre)[np.diff(a.post) == 0] > 0)   # pre ascending within a post cell


@pytest.mark.parametrize("n", [3, 7])      # 3 of 10 uses distinct uniform integers, 7 of 10 ranks all candidates
def test_fixed_number_pre_choice_is_uniform(n):
    # each of the 10 pre cells is chosen by a post cell with probability n/10, independently across
    # 2000 post cells: its count is Binomial(2000, n/10)
    a = FixedNumberPreConnector(n).connect(context(10, 2000))
    counts = np.bincount(a.pre, minlength=10)
    assert within_4_sigma(counts, 2000 * n / 10, 2000 * n / 10 * (1 - n / 10))
    assert pair_counts(a, 10, 2000).max() == 1


def test_fixed_number_pre_n_larger_than_population_connects_all_then_duplicates():
    # PyNN: "If n is greater than the size of the pre-synaptic population, all possible single
    # connections are made before starting to add duplicate connections": n = 23 of 10 -> every pre
    # cell twice, then 3 distinct ones a third time
    a = FixedNumberPreConnector(23).connect(context(10, 30))
    m = pair_counts(a, 10, 30)
    assert np.all(m.sum(axis=0) == 23)
    assert m.min() == 2 and m.max() == 3
    assert np.all((m == 3).sum(axis=0) == 3)
    assert a.may_repeat


def test_fixed_number_pre_with_replacement_repeats_and_is_uniform():
    # with replacement each of the n = 30 draws is uniform over 10 pre cells: count of a pre cell over
    # 500 post cells ~ Binomial(15000, 0.1); with 30 draws among 10 cells repeats are certain
    a = FixedNumberPreConnector(30, with_replacement=True).connect(context(10, 500))
    m = pair_counts(a, 10, 500)
    assert np.all(m.sum(axis=0) == 30)
    assert a.may_repeat and m.max() > 1
    assert within_4_sigma(m.sum(axis=1), 15000 * 0.1, 15000 * 0.1 * 0.9)


def test_fixed_number_pre_with_replacement_small_n_still_may_repeat():
    # 5 draws among 10 with replacement: P(no repeat) = 10*9*8*7*6 / 10^5 = 0.3024 per post cell
    a = FixedNumberPreConnector(5, with_replacement=True).connect(context(10, 1000))
    m = pair_counts(a, 10, 1000)
    without_repeat = (m.max(axis=0) == 1).sum()
    assert within_4_sigma(without_repeat, 1000 * 0.3024, 1000 * 0.3024 * 0.6976)


def test_fixed_number_pre_no_self_connections():
    # n = 9 of 10 cells onto themselves without self-connections: every other cell exactly once
    a = FixedNumberPreConnector(9, allow_self_connections=False).connect(context(10, 10, same=True))
    m = pair_counts(a, 10, 10)
    assert np.all(np.diag(m) == 0) and np.all(m + np.eye(10, dtype=int) == 1)
    b = FixedNumberPreConnector(20, allow_self_connections=False, with_replacement=True).connect(
        context(10, 10, same=True))
    assert not np.any(b.pre == b.post)


def test_fixed_number_pre_no_self_connections_more_than_candidates():
    # 12 of the 9 other cells: all 9 once, then 3 of them a second time, never itself
    a = FixedNumberPreConnector(12, allow_self_connections=False).connect(context(10, 10, same=True))
    m = pair_counts(a, 10, 10)
    assert np.all(np.diag(m) == 0) and np.all(m.sum(axis=0) == 12)
    off = m[~np.eye(10, dtype=bool)]
    assert off.min() == 1 and off.max() == 2


def test_fixed_number_pre_random_number_per_post():
    # n ~ Poisson(6) drawn once per post cell: the total over 2000 post cells has mean 12000 and
    # variance 12000 (sum of independent Poisson)
    n = RandomDistribution("poisson", lambda_=6, rng=NumpyRNG(seed=3))
    a = FixedNumberPreConnector(n).connect(context(40, 2000))
    per_post = np.bincount(a.post, minlength=2000)
    assert within_4_sigma(per_post.sum(), 12000, 12000)
    assert per_post.min() < per_post.max()
    assert pair_counts(a, 40, 2000).max() == 1 or np.any(per_post > 40)


def test_fixed_number_pre_random_n_is_the_same_on_any_split():
    assert_split_invariant(
        lambda: FixedNumberPreConnector(RandomDistribution("uniform_int", (2, 9), rng=NumpyRNG(seed=8))), 30, 20)


def test_fixed_number_pre_split_invariant():
    assert_split_invariant(FixedNumberPreConnector(5), 20, 31)
    assert_split_invariant(FixedNumberPreConnector(15), 20, 31)
    assert_split_invariant(FixedNumberPreConnector(25, with_replacement=True), 20, 31)
    assert_split_invariant(FixedNumberPreConnector(6, allow_self_connections=False), 20, 20, same=True)


def test_fixed_number_pre_at_a_million_connections():
    # 10,000 -> 10,000 with n = 100: exactly 100 distinct pre cells per post cell
    # (its build time is measured in benchmarks/, not here)
    a = FixedNumberPreConnector(100).connect(context(10_000, 10_000))
    assert a.pre.size == 1_000_000
    assert np.unique(a.post.astype(np.int64) * 10_000 + a.pre).size == 1_000_000


def test_fixed_number_no_candidates_is_an_error():
    with pytest.raises(errors.ConnectionError, match="no candidate"):
        FixedNumberPreConnector(1, allow_self_connections=False).connect(context(1, 1, same=True))
    assert FixedNumberPreConnector(0).connect(context(0, 3)).pre.size == 0


@pytest.mark.parametrize("n", [-1, 2.5, True, "3", RandomDistribution("normal", (5, 1))])
def test_bad_n_is_an_error_naming_n(n):
    for cls in (FixedNumberPreConnector, FixedNumberPostConnector, FixedTotalNumberConnector):
        with pytest.raises(errors.InvalidParameterValueError, match="^n "):
            cls(n)


def test_negative_random_n_is_an_error():
    n = RandomDistribution("uniform_int", (-5, -1), rng=NumpyRNG(seed=1))
    with pytest.raises(errors.InvalidParameterValueError, match="non-negative"):
        FixedNumberPreConnector(n).connect(context(5, 5))


def test_bad_flags():
    with pytest.raises(errors.InvalidParameterValueError, match="with_replacement"):
        FixedNumberPreConnector(3, with_replacement="no")
    with pytest.raises(errors.InvalidParameterValueError, match="allow_self_connections"):
        FixedNumberPostConnector(3, allow_self_connections=None)


# ----------------------------------------------------------- FixedNumberPost

def test_fixed_number_post_exactly_n_per_pre():
    a = FixedNumberPostConnector(6).connect(context(40, 25))
    m = pair_counts(a, 40, 25)
    assert np.all(m.sum(axis=1) == 6) and m.max() == 1
    assert np.all(np.diff(a.post) >= 0)


def test_fixed_number_post_uniform_over_posts():
    # each pre cell picks 3 of 10 post cells: a post cell's in-degree over 3000 pre cells ~ Binomial(3000, 0.3)
    a = FixedNumberPostConnector(3).connect(context(3000, 10))
    assert within_4_sigma(np.bincount(a.post, minlength=10), 900, 3000 * 0.3 * 0.7)


def test_fixed_number_post_more_than_population_and_self():
    a = FixedNumberPostConnector(21, allow_self_connections=False).connect(context(8, 8, same=True))
    m = pair_counts(a, 8, 8)
    assert np.all(np.diag(m) == 0) and np.all(m.sum(axis=1) == 21)   # 7 others x 3
    assert m[~np.eye(8, dtype=bool)].min() == 3


def test_fixed_number_post_split_keeps_each_process_share():
    # every process draws all pre cells' targets and keeps those onto its own post cells
    full = assert_split_invariant(FixedNumberPostConnector(4), 25, 30)
    assert np.all(np.bincount(full.pre, minlength=25) == 4)
    assert_split_invariant(lambda: FixedNumberPostConnector(
        RandomDistribution("poisson", (3,), rng=NumpyRNG(seed=2)), with_replacement=True), 25, 30)


def test_fixed_number_post_random_n():
    n = RandomDistribution("binomial", (10, 0.5), rng=NumpyRNG(seed=4))
    a = FixedNumberPostConnector(n).connect(context(1000, 20))
    # sum of 1000 Binomial(10, 0.5): mean 5000, variance 2500
    assert within_4_sigma(a.pre.size, 5000, 2500)


# ---------------------------------------------------------- FixedTotalNumber

def test_fixed_total_number_exact_total_with_replacement_default():
    c = FixedTotalNumberConnector(500)
    assert c.with_replacement is True            # PyNN's default
    a = c.connect(context(20, 30))
    assert a.pre.size == 500 and a.may_repeat
    assert np.all(np.diff(a.post) >= 0)


def test_fixed_total_number_is_uniform_over_pairs():
    # 20000 connections among 10 x 10 pairs with replacement: each pair ~ Binomial(20000, 0.01), and
    # each post cell ~ Binomial(20000, 0.1)
    a = FixedTotalNumberConnector(20000).connect(context(10, 10))
    m = pair_counts(a, 10, 10)
    assert within_4_sigma(m, 200, 20000 * 0.01 * 0.99)
    assert within_4_sigma(m.sum(axis=0), 2000, 20000 * 0.1 * 0.9)


def test_fixed_total_number_split_invariant_and_total_preserved():
    c = FixedTotalNumberConnector(777)
    full = assert_split_invariant(c, 23, 41)
    assert full.pre.size == 777
    parts = [c.connect(context(23, 41, post_local=p)).pre.size for p in np.array_split(np.arange(41), 5)]
    assert sum(parts) == 777


def test_fixed_total_number_without_replacement_distinct():
    a = FixedTotalNumberConnector(300, with_replacement=False).connect(context(20, 30))
    m = pair_counts(a, 20, 30)
    assert m.sum() == 300 and m.max() == 1 and not a.may_repeat
    assert_split_invariant(FixedTotalNumberConnector(300, with_replacement=False), 20, 30)
    assert_split_invariant(FixedTotalNumberConnector(500, with_replacement=False), 20, 30)   # most pairs


def test_fixed_total_number_without_replacement_more_than_pairs():
    # 2 x 90 + 5: every pair (no self-connections) twice, then 5 distinct pairs a third time
    a = FixedTotalNumberConnector(185, allow_self_connections=False, with_replacement=False).connect(
        context(10, 10, same=True))
    m = pair_counts(a, 10, 10)
    assert m.sum() == 185 and np.all(np.diag(m) == 0)
    off = m[~np.eye(10, dtype=bool)]
    assert off.min() == 2 and (off == 3).sum() == 5


def test_fixed_total_number_no_self_connections():
    a = FixedTotalNumberConnector(5000, allow_self_connections=False).connect(context(10, 10, same=True))
    assert a.pre.size == 5000 and not np.any(a.pre == a.post)
    # 5000 over the 90 allowed pairs: each ~ Binomial(5000, 1/90)
    off = pair_counts(a, 10, 10)[~np.eye(10, dtype=bool)]
    assert within_4_sigma(off, 5000 / 90, 5000 / 90 * (1 - 1 / 90))


def test_fixed_total_number_random_total():
    n = RandomDistribution("uniform_int", (100, 200), rng=NumpyRNG(seed=6))
    a = FixedTotalNumberConnector(n).connect(context(10, 10))
    assert 100 <= a.pre.size < 200


def test_fixed_total_number_nothing_to_connect():
    with pytest.raises(errors.ConnectionError, match="no pair"):
        FixedTotalNumberConnector(3, allow_self_connections=False).connect(context(1, 1, same=True))


def test_rng_must_be_an_rng():
    with pytest.raises(errors.InvalidParameterValueError, match="rng"):
        FixedNumberPreConnector(3, rng=12345)


@pytest.fixture
def nsim():
    sim = pytest.importorskip("pynnlite.backends.numpy")
    sim.setup(timestep=0.1)
    yield sim
    sim.end()


def test_projection_fixed_numbers(nsim):
    sim = nsim
    pre = sim.Population(30, sim.IF_curr_exp())
    post = sim.Population(20, sim.IF_curr_exp())
    a = sim.Projection(pre, post, sim.FixedNumberPreConnector(4, rng=sim.NumpyRNG(seed=1)))
    w = a.get("weight", format="array")
    assert np.all((~np.isnan(w)).sum(axis=0) == 4)
    b = sim.Projection(pre, post, sim.FixedNumberPostConnector(3, rng=sim.NumpyRNG(seed=1)))
    assert np.all((~np.isnan(b.get("weight", format="array"))).sum(axis=1) == 3)
    c = sim.Projection(pre, post, sim.FixedTotalNumberConnector(50, rng=sim.NumpyRNG(seed=1)))
    assert c.size() == 50
