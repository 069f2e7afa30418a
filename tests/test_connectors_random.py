"""Probability connectors: FixedProbability, DistanceDependent-, IndexBased- and
DisplacementDependentProbabilityConnector (PyNN 0.13 names, arguments and semantics).

Statistical tests compare counts with their expectation and accept 4 standard
deviations (closed forms given in each test); streams are fixed, so they are
deterministic.
"""
import numpy as np
import pytest

from pynnlite import errors
from pynnlite.connectors.base import ConnectionContext
from pynnlite.connectors.probabilistic import (DisplacementDependentProbabilityConnector,
                                               DistanceDependentProbabilityConnector, FixedProbabilityConnector,
                                               IndexBasedProbabilityConnector)
from pynnlite.space import Space

STREAM = 0x1234ABCD


def line(n, spacing=1.0, offset=0.0):
    """Positions (3, n) of cells on the x axis."""
    return np.vstack([offset + spacing * np.arange(n, dtype=float), np.zeros(n), np.zeros(n)])


def context(n_pre, n_post, post_local=None, same=False, stream=STREAM, pre_pos=None, post_pos=None,
            space=None, extra=None):
    """A build context; ``same`` makes post the same cells as pre (a population onto itself)."""
    pre_ids = np.arange(100, 100 + n_pre)
    post_ids = pre_ids[:n_post].copy() if same else np.arange(10_000, 10_000 + n_post)
    pre_pos = line(n_pre) if pre_pos is None else pre_pos
    post_pos = line(n_post) if post_pos is None else post_pos
    return ConnectionContext(
        pre_size=n_pre, post_size=n_post,
        post_local=np.arange(n_post) if post_local is None else np.asarray(post_local),
        pre_ids=pre_ids, post_ids=post_ids, pre_positions_fn=lambda: pre_pos,
        post_positions_fn=lambda: post_pos, space=space or Space(), stream=stream, rng=None,
        timestep=0.1, extra=extra or {})


def pairs(arrays):
    return list(zip(arrays.pre.tolist(), arrays.post.tolist()))


def assert_split_invariant(connector, n_pre, n_post, **kw):
    """Building all post cells at once, or in two halves, or in interleaved halves (as two
    processes would) gives the same connections for each post cell."""
    full = connector.connect(context(n_pre, n_post, **kw))
    for parts in ([np.arange(n_post // 2), np.arange(n_post // 2, n_post)],
                  [np.arange(0, n_post, 2), np.arange(1, n_post, 2)]):
        for part in parts:
            sub = connector.connect(context(n_pre, n_post, post_local=part, **kw))
            mine = np.isin(full.post, part)
            np.testing.assert_array_equal(sub.pre, full.pre[mine])
            np.testing.assert_array_equal(sub.post, full.post[mine])
    return full


def within_4_sigma(observed, expected, variance):
    return abs(observed - expected) <= 4 * np.sqrt(variance) + 1e-9


# ------------------------------------------------------------- FixedProbability

def test_fixed_probability_count_is_binomial():
    # N = 300 * 400 independent pairs with p = 0.1: count ~ Binomial(N, p), mean N p, variance N p (1 - p)
    c = FixedProbabilityConnector(0.1)
    a = c.connect(context(300, 400))
    n = 300 * 400
    assert within_4_sigma(a.pre.size, n * 0.1, n * 0.1 * 0.9)


def test_fixed_probability_split_invariant():
    assert_split_invariant(FixedProbabilityConnector(0.2), 50, 37)


def test_fixed_probability_no_mutual_as_pynn():
    # PyNN 0.13 accepts FixedProbabilityConnector(p, allow_self_connections='NoMutual') and keeps
    # only pairs with pre index > post index (a population onto itself). Measured with PyNN+NEST
    # (30 cells onto themselves, p = 0.3, 20 seeds): 129.75 ± 2.44 connections (p·N(N − 1)/2 =
    # 130.5), all from the larger index to the smaller; pynnlite raised InvalidParameterValueError.
    n, p = 30, 0.3
    counts = []
    for stream in range(20):
        a = FixedProbabilityConnector(p, allow_self_connections="NoMutual").connect(
            context(n, n, same=True, stream=STREAM + stream))
        assert np.all(a.pre > a.post)
        counts.append(a.pre.size)
    pairs_ = n * (n - 1) // 2     # 20 × 435 independent pairs, each kept with probability p
    assert within_4_sigma(sum(counts), 20 * pairs_ * p, 20 * pairs_ * p * (1 - p))
    assert FixedProbabilityConnector(p, allow_self_connections="NoMutual").get_parameters()[
        "allow_self_connections"] == "NoMutual"
    with pytest.raises(errors.InvalidParameterValueError, match="allow_self_connections"):
        FixedProbabilityConnector(p, allow_self_connections="yes")


# ---------------------------------------------------- DistanceDependentProbability

def test_distance_dependent_fraction_per_distance_bin_follows_expression():
    # pair (i, j) is connected with probability p(d) = exp(-d/50); in a bin of pairs, the count has
    # mean sum(p) and variance sum(p (1 - p)) (independent Bernoulli trials)
    n = 300
    c = DistanceDependentProbabilityConnector("exp(-d/50)")
    a = c.connect(context(n, n, pre_pos=line(n), post_pos=line(n, offset=0.5)))
    connected = np.zeros((n, n), dtype=bool)
    connected[a.pre, a.post] = True
    d = np.abs(line(n)[0][:, None] - line(n, offset=0.5)[0][None, :])
    p = np.exp(-d / 50)
    edges = np.arange(0, 325, 25)
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (d >= lo) & (d < hi)
        assert within_4_sigma(connected[in_bin].sum(), p[in_bin].sum(), (p * (1 - p))[in_bin].sum()), (lo, hi)
    # and the shape is decreasing: near pairs are connected far more often than distant ones
    assert connected[d < 25].mean() > 3 * connected[(d >= 100) & (d < 150)].mean()


def test_distance_dependent_step_expression_is_exact():
    # "d < 3" gives probabilities 0 or 1: exactly the pairs closer than 3 µm (strictly)
    a = DistanceDependentProbabilityConnector("d < 3").connect(context(10, 10))
    expected = [(i, j) for j in range(10) for i in range(10) if abs(i - j) < 3]
    assert pairs(a) == expected                      # post-major, pre ascending


def test_distance_dependent_uses_projection_space():
    # with Space(axes='y'), cells spread along x are all at distance 0
    a = DistanceDependentProbabilityConnector("d < 0.5").connect(context(5, 4, space=Space(axes="y")))
    assert a.pre.size == 20


def test_distance_dependent_accepts_a_function_of_distance():
    a = DistanceDependentProbabilityConnector(lambda d: (d < 2).astype(float)).connect(context(6, 6))
    assert pairs(a) == [(i, j) for j in range(6) for i in range(6) if abs(i - j) < 2]


@pytest.mark.parametrize("expression", ["d - 1", "-exp(-d)", "1 + d", "2*exp(-d/100)"])
def test_distance_expression_outside_0_1_at_creation_names_d_expression(expression):
    # checked at d = 0 and d = 1e12, the two points PyNN checks
    with pytest.raises(errors.InvalidParameterValueError, match="d_expression"):
        DistanceDependentProbabilityConnector(expression)


def test_distance_expression_outside_0_1_while_connecting_names_d_expression():
    c = DistanceDependentProbabilityConnector("where(d > 0, 1.5*exp(-d/10), 0)")   # 0 at d=0, 0 at d=1e12
    with pytest.raises(errors.InvalidParameterValueError, match=r"d_expression.*\[0, 1\]"):
        c.connect(context(5, 5))


@pytest.mark.parametrize("bad", ["exp(-d/", "__import__('os')", "x + 1", 3.0])
def test_invalid_distance_expressions(bad):
    with pytest.raises(errors.InvalidParameterValueError, match="d_expression"):
        DistanceDependentProbabilityConnector(bad)


def test_distance_dependent_split_invariant():
    assert_split_invariant(DistanceDependentProbabilityConnector("exp(-d/10)"), 60, 45)


# ------------------------------------------------------- IndexBasedProbability

def test_index_based_with_a_function_of_indices():
    # probability 1 where i == j + 1, 0 elsewhere: exactly those pairs
    a = IndexBasedProbabilityConnector(lambda i, j: (i == j + 1).astype(float)).connect(context(8, 8))
    assert pairs(a) == [(j + 1, j) for j in range(7)]


class IndexExpression:
    """Shaped like PyNN's IndexBasedExpression: a callable (i, j) with a ``projection`` attribute."""

    def __init__(self, p):
        self.p = p
        self.projection = None
        self.seen = []

    def __call__(self, i, j):
        self.seen.append(self.projection)
        return np.full(np.broadcast(i, j).shape, self.p)


def test_index_based_expression_object_gets_the_projection_on_a_copy():
    expr = IndexExpression(0.5)
    marker = object()
    IndexBasedProbabilityConnector(expr).connect(context(4, 4, extra={"projection": marker}))
    assert expr.seen == [marker]            # the copy that was called knew the projection (shallow copy)
    assert expr.projection is None          # the user's object is left unchanged, as in PyNN


def test_index_based_count_statistics():
    # p(i, j) = 0.3 for even i, 0 for odd i: count ~ Binomial(N_even_pairs, 0.3)
    c = IndexBasedProbabilityConnector(lambda i, j: np.where(i % 2 == 0, 0.3, 0.0))
    a = c.connect(context(200, 300))
    assert np.all(a.pre % 2 == 0)
    n = 100 * 300
    assert within_4_sigma(a.pre.size, 0.3 * n, n * 0.3 * 0.7)


def test_index_based_probability_outside_0_1_names_index_expression():
    with pytest.raises(errors.InvalidParameterValueError, match="index_expression"):
        IndexBasedProbabilityConnector(lambda i, j: i - j).connect(context(4, 4))
    with pytest.raises(errors.InvalidParameterValueError, match="index_expression"):
        IndexBasedProbabilityConnector("i < j")


def test_index_based_split_invariant():
    assert_split_invariant(IndexBasedProbabilityConnector(lambda i, j: 1.0 / (1 + abs(i - j))), 40, 33)


# ------------------------------------------------- DisplacementDependentProbability

def test_displacement_is_post_minus_pre_with_shape_3_by_n():
    # PyNN: disp = post.positions - pre.positions, an array of shape (3, N)
    shapes = []

    def f(disp):
        shapes.append(disp.shape)
        return (disp[0] > 0).astype(float)

    a = DisplacementDependentProbabilityConnector(f).connect(context(4, 4))
    assert pairs(a) == [(i, j) for j in range(4) for i in range(4) if j > i]
    assert all(s[0] == 3 for s in shapes)


def test_displacement_ignores_projection_space():
    # PyNN's connector uses raw positions; a Space that would hide x must not change the result
    f = lambda disp: (disp[0] > 0).astype(float)   # noqa: E731
    a = DisplacementDependentProbabilityConnector(f).connect(context(4, 4, space=Space(axes="y")))
    assert pairs(a) == [(i, j) for j in range(4) for i in range(4) if j > i]


def test_displacement_anisotropic_statistics():
    # p = 0.8 for post to the right (+x) of pre within 20 µm, 0.1 to the left within 20 µm, else 0
    f = lambda disp: np.where(np.abs(disp[0]) < 20, np.where(disp[0] > 0, 0.8, 0.1), 0.0)   # noqa: E731
    a = DisplacementDependentProbabilityConnector(f).connect(context(200, 200))
    dx = a.post - a.pre
    right = ((np.arange(200)[None, :] - np.arange(200)[:, None] > 0)
             & (np.abs(np.arange(200)[None, :] - np.arange(200)[:, None]) < 20)).sum()
    assert within_4_sigma((dx > 0).sum(), 0.8 * right, right * 0.8 * 0.2)
    assert within_4_sigma((dx < 0).sum(), 0.1 * right, right * 0.1 * 0.9)
    assert np.all(np.abs(dx) < 20)


def test_displacement_split_invariant():
    f = lambda disp: np.exp(-np.abs(disp[0]) / 5)   # noqa: E731
    assert_split_invariant(DisplacementDependentProbabilityConnector(f), 30, 41)


def test_displacement_bad_function():
    with pytest.raises(errors.InvalidParameterValueError, match="disp_function"):
        DisplacementDependentProbabilityConnector("d < 3")
    with pytest.raises(errors.InvalidParameterValueError, match="disp_function"):
        DisplacementDependentProbabilityConnector(lambda disp: -np.ones(disp.shape[1])).connect(context(3, 3))


# ---------------------------------------------------------- shared behaviour

RANDOM_CONNECTORS = [
    lambda **kw: DistanceDependentProbabilityConnector("d < 4", **kw),
    lambda **kw: IndexBasedProbabilityConnector(lambda i, j: np.ones(np.shape(i)), **kw),
    lambda **kw: DisplacementDependentProbabilityConnector(lambda disp: np.ones(disp.shape[1]), **kw),
]


@pytest.mark.parametrize("make", RANDOM_CONNECTORS)
def test_no_self_connections_by_cell_id(make):
    a = make(allow_self_connections=False).connect(context(6, 6, same=True))
    assert a.pre.size > 0 and not np.any(a.pre == a.post)
    b = make(allow_self_connections=True).connect(context(6, 6, same=True))
    assert np.any(b.pre == b.post)


@pytest.mark.parametrize("make", RANDOM_CONNECTORS)
def test_no_mutual_keeps_one_direction(make):
    # 'NoMutual' (as AllToAllConnector): only the connection from the larger cell ID to the smaller
    a = make(allow_self_connections="NoMutual").connect(context(6, 6, same=True))
    assert a.pre.size > 0 and np.all(a.pre > a.post)


@pytest.mark.parametrize("make", RANDOM_CONNECTORS)
def test_bad_allow_self_connections(make):
    with pytest.raises(errors.InvalidParameterValueError, match="allow_self_connections"):
        make(allow_self_connections="yes")


def test_same_seed_same_network_other_seed_other_network():
    c = DistanceDependentProbabilityConnector("exp(-d/20)")
    a, b = c.connect(context(80, 80)), c.connect(context(80, 80))
    other = c.connect(context(80, 80, stream=STREAM + 1))
    assert pairs(a) == pairs(b)
    assert pairs(a) != pairs(other)


def test_progress_callback_reaches_one():
    seen = []
    DistanceDependentProbabilityConnector("exp(-d/20)", callback=seen.append).connect(context(30, 30))
    assert seen and seen[-1] == 1.0 and all(0 <= x <= 1 for x in seen)


def test_describe_parameters():
    c = DistanceDependentProbabilityConnector("exp(-d/20)", allow_self_connections=False)
    assert c.get_parameters() == {"allow_self_connections": False, "d_expression": "exp(-d/20)"}


def test_rng_must_be_an_rng():
    for make in (lambda: DistanceDependentProbabilityConnector("d < 1", rng=42),
                 lambda: IndexBasedProbabilityConnector(lambda i, j: 0.5, rng="seed"),
                 lambda: DisplacementDependentProbabilityConnector(lambda d: 0.5, rng=object())):
        with pytest.raises(errors.InvalidParameterValueError, match="rng"):
            make()


# -------------------------------------------------------------- through Projection

@pytest.fixture
def nsim():
    sim = pytest.importorskip("pynnlite.backends.numpy")
    sim.setup(timestep=0.1)
    yield sim
    sim.end()


def test_projection_distance_dependent_on_a_line(nsim):
    from pynnlite.space import Line
    sim = nsim
    pop = sim.Population(12, sim.IF_curr_exp(), structure=Line(dx=10.0))
    prj = sim.Projection(pop, pop, sim.DistanceDependentProbabilityConnector("d < 25", allow_self_connections=False),
                         sim.StaticSynapse(weight=0.1))
    got = [(i, j) for i, j, _ in prj.get("weight", format="list")]
    assert got == [(i, j) for i in range(12) for j in range(12) if 0 < abs(i - j) * 10 < 25]  # (pre, post) order


def test_projection_fixed_probability_no_mutual(nsim):
    sim = nsim
    pop = sim.Population(30, sim.IF_curr_exp())
    prj = sim.Projection(pop, pop, sim.FixedProbabilityConnector(0.3, allow_self_connections="NoMutual",
                                                                 rng=sim.NumpyRNG(seed=5)))
    got = [(i, j) for i, j, _ in prj.get("weight", format="list")]
    assert got and all(i > j for i, j in got)


def test_projection_same_seed_same_connections(nsim):
    sim = nsim
    pre = sim.Population(30, sim.IF_curr_exp())
    post = sim.Population(40, sim.IF_curr_exp())
    f = lambda i, j: np.where((i + j) % 3 == 0, 0.5, 0.1)   # noqa: E731
    a = sim.Projection(pre, post, sim.IndexBasedProbabilityConnector(f, rng=sim.NumpyRNG(seed=11)))
    b = sim.Projection(pre, post, sim.IndexBasedProbabilityConnector(f, rng=sim.NumpyRNG(seed=11)))
    assert a.get("weight", format="list") == b.get("weight", format="list")
    assert len(a) > 0
