"""SmallWorldConnector(degree, rewiring, allow_self_connections=True, n_connections=None, rng=None, ...).

PyNN 0.13 documents but does not implement it: ``degree`` is "the region length where nodes
will be connected locally" (PyNN stores ``d_expression = "d < degree"``), ``rewiring`` "the
probability of rewiring each edge", ``n_connections`` "if specified, the number of efferent
synaptic connections per neuron". pynnlite rewires the post-synaptic end of a connection (as
PyNN 0.7 and sPyNNaker did).
"""
import inspect

import numpy as np
import pytest

from pynnlite import errors
from pynnlite.connectors.base import ConnectionContext
from pynnlite.connectors.small_world import SmallWorldConnector
from pynnlite.space import Space


def ring_positions(n, spacing=1.0):
    return np.vstack([spacing * np.arange(n, dtype=float), np.zeros(n), np.zeros(n)])


def context(n_pre, n_post=None, post_local=None, same=True, stream=77, space=None):
    n_post = n_pre if n_post is None else n_post
    pre_ids = np.arange(100, 100 + n_pre)
    post_ids = pre_ids[:n_post].copy() if same else np.arange(9000, 9000 + n_post)
    pre_pos, post_pos = ring_positions(n_pre), ring_positions(n_post)
    return ConnectionContext(
        pre_size=n_pre, post_size=n_post,
        post_local=np.arange(n_post) if post_local is None else np.asarray(post_local),
        pre_ids=pre_ids, post_ids=post_ids, pre_positions_fn=lambda: pre_pos,
        post_positions_fn=lambda: post_pos, space=space or Space(), stream=stream, rng=None, timestep=0.1)


def pairs(a):
    return list(zip(a.pre.tolist(), a.post.tolist()))


def test_signature_matches_pynn():
    params = list(inspect.signature(SmallWorldConnector).parameters)
    assert params == ["degree", "rewiring", "allow_self_connections", "n_connections", "location_selector", "rng",
                      "safe", "callback"]
    c = SmallWorldConnector(2.5, 0.1)
    assert c.d_expression == "d < 2.5"


def test_no_rewiring_is_the_distance_lattice():
    # rewiring = 0: exactly the pairs at distance d < degree (strict, as "d < degree")
    a = SmallWorldConnector(2.0, 0.0).connect(context(10))
    assert pairs(a) == [(i, j) for j in range(10) for i in range(10) if abs(i - j) < 2]
    assert not a.may_repeat


def test_no_self_connections_in_lattice_or_rewiring():
    lattice = SmallWorldConnector(2.0, 0.0, allow_self_connections=False).connect(context(10))
    assert pairs(lattice) == [(i, j) for j in range(10) for i in range(10) if 0 < abs(i - j) < 2]
    full = SmallWorldConnector(3.0, 1.0, allow_self_connections=False).connect(context(50))
    assert full.pre.size > 0 and not np.any(full.pre == full.post)


def test_rewiring_keeps_each_pre_cell_out_degree():
    # only the post-synaptic end moves, so each pre cell keeps its number of efferent connections
    lattice = SmallWorldConnector(3.0, 0.0).connect(context(60))
    rewired = SmallWorldConnector(3.0, 0.5).connect(context(60))
    assert np.array_equal(np.bincount(lattice.pre, minlength=60), np.bincount(rewired.pre, minlength=60))
    assert rewired.may_repeat


def test_rewired_fraction_statistics():
    # a lattice edge is rewired with probability r = 0.3 and then lands on a uniformly drawn post cell,
    # which lies outside the pre cell's lattice neighbourhood with probability (N - k)/N (k = 5 lattice
    # targets, N = 400): edges outside the lattice ~ Binomial(E, r (N - k)/N), E = number of edges
    n, r = 400, 0.3
    lattice = SmallWorldConnector(2.5, 0.0).connect(context(n))
    rewired = SmallWorldConnector(2.5, r).connect(context(n))
    in_lattice = np.abs(rewired.pre - rewired.post) < 2.5
    edges = lattice.pre.size
    k = 5
    p = r * (n - k) / n
    assert abs((~in_lattice).sum() - edges * p) <= 4 * np.sqrt(edges * p * (1 - p))


def test_full_rewiring_spreads_targets_uniformly():
    # rewiring = 1: every edge gets a uniform random target; each post cell's in-degree over
    # E = 200 * 5 edges ~ Binomial(E, 1/200)
    a = SmallWorldConnector(2.5, 1.0).connect(context(200))
    e = a.pre.size
    indegree = np.bincount(a.post, minlength=200)
    assert np.all(np.abs(indegree - e / 200) <= 4 * np.sqrt(e / 200 * (1 - 1 / 200)) + 1)
    assert (np.abs(a.pre - a.post) >= 2.5).mean() > 0.9


def test_n_connections_fixes_efferent_connections_per_pre_cell():
    a = SmallWorldConnector(1.0, 0.0, n_connections=4, allow_self_connections=False).connect(context(12))
    assert np.all(np.bincount(a.pre, minlength=12) == 4)
    # the 4 nearest other cells of each pre cell, ties going to the lower index
    nearest = {(i, j) for i in range(12)
               for j in sorted((j for j in range(12) if j != i), key=lambda j: (abs(i - j), j))[:4]}
    assert set(pairs(a)) == nearest
    b = SmallWorldConnector(1.0, 0.4, n_connections=4).connect(context(12))
    assert np.all(np.bincount(b.pre, minlength=12) == 4)


def test_n_connections_more_than_possible():
    with pytest.raises(errors.InvalidParameterValueError, match="n_connections"):
        SmallWorldConnector(1.0, 0.0, n_connections=10, allow_self_connections=False).connect(context(10))


def test_split_invariant():
    # every process computes every pre cell's edges and keeps those onto its own post cells
    c = SmallWorldConnector(4.0, 0.25)
    full = c.connect(context(70))
    for part in (np.arange(35), np.arange(35, 70), np.arange(0, 70, 3)):
        sub = c.connect(context(70, post_local=part))
        mine = np.isin(full.post, part)
        np.testing.assert_array_equal(sub.pre, full.pre[mine])
        np.testing.assert_array_equal(sub.post, full.post[mine])
    assert np.all(np.diff(full.post) >= 0)


def test_between_two_populations():
    a = SmallWorldConnector(1.5, 0.0, allow_self_connections=False).connect(context(5, 8, same=False))
    # different cells: no self-connection to exclude; lattice by distance between the two position sets
    assert pairs(a) == [(i, j) for j in range(8) for i in range(5) if abs(i - j) < 1.5]


def test_uses_projection_space():
    a = SmallWorldConnector(0.5, 0.0).connect(context(4, space=Space(axes="z")))
    assert a.pre.size == 16        # all cells at z = 0


@pytest.mark.parametrize("kwargs, name", [
    (dict(degree=-1, rewiring=0.1), "degree"),
    (dict(degree="far", rewiring=0.1), "degree"),
    (dict(degree=2, rewiring=1.5), "rewiring"),
    (dict(degree=2, rewiring=0.1, n_connections=-2), "n_connections"),
    (dict(degree=2, rewiring=0.1, allow_self_connections="maybe"), "allow_self_connections"),
])
def test_bad_arguments_are_named(kwargs, name):
    with pytest.raises(errors.InvalidParameterValueError, match=name):
        SmallWorldConnector(**kwargs)


def test_exported_from_the_package():
    import pynnlite.connectors as connectors
    for name in ("DistanceDependentProbabilityConnector", "IndexBasedProbabilityConnector",
                 "DisplacementDependentProbabilityConnector", "FixedNumberPreConnector",
                 "FixedNumberPostConnector", "FixedTotalNumberConnector", "FromFileConnector",
                 "ArrayConnector", "CloneConnector", "SmallWorldConnector",
                 "AllToAllConnector", "OneToOneConnector", "FixedProbabilityConnector", "FromListConnector"):
        assert name in connectors.__all__ and hasattr(connectors, name)
