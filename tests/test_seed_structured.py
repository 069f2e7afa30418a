"""Structured 2-D connectivity: KernelConnector (sns pattern, conex lateral), Conv2dConnector,
Local2dConnector, AveragePool2dConnector and shared kernels.

Cells of a (channels, height, width) layer are numbered (c·H + r)·W + q. Each test checks a
connection matrix written out by hand for a small shape, or a closed form.
"""
from __future__ import annotations

import numpy as np
import pytest

from pynnlite.errors import ConnectionError, InvalidDimensionsError, InvalidParameterValueError

NaN = np.nan


def weights(prj):
    return prj.get("weight", format="array")


def layers(sim, pre_shape, post_shape):
    pre = sim.Population(pre_shape, sim.NonSpikingNeuron())
    post = sim.Population(post_shape, sim.NonSpikingNeuron())
    return pre, post


# -- KernelConnector ----------------------------------------------------------------------

def test_kernel_connector_same_padding_hand_checked(sim):
    """3×3 layer, kernel K = [[1,2,3],[4,5,6],[7,8,9]], 'same' zero padding: post (r, q) receives
    K[a, b] from pre (r + a − 1, q + b − 1). Columns (post cells) written out by hand."""
    K = np.arange(1.0, 10.0).reshape(3, 3)
    pre, post = layers(sim, (3, 3), (3, 3))
    W = weights(sim.Projection(pre, post, sim.KernelConnector(K), sim.GradedSynapse()))
    expected = np.full((9, 9), NaN)
    expected[[0, 1, 3, 4], 0] = [5, 6, 8, 9]                      # corner (0, 0)
    expected[[0, 1, 2, 3, 4, 5], 1] = [4, 5, 6, 7, 8, 9]          # edge (0, 1)
    expected[[1, 2, 4, 5], 2] = [4, 5, 7, 8]                      # corner (0, 2)
    expected[[0, 1, 3, 4, 6, 7], 3] = [2, 3, 5, 6, 8, 9]          # edge (1, 0)
    expected[:, 4] = np.arange(1, 10)                             # centre: the whole kernel
    expected[[1, 2, 4, 5, 7, 8], 5] = [1, 2, 4, 5, 7, 8]          # edge (1, 2)
    expected[[3, 4, 6, 7], 6] = [2, 3, 5, 6]                      # corner (2, 0)
    expected[[3, 4, 5, 6, 7, 8], 7] = [1, 2, 3, 4, 5, 6]          # edge (2, 1)
    expected[[4, 5, 7, 8], 8] = [1, 2, 4, 5]                      # corner (2, 2)
    np.testing.assert_array_equal(W, expected)


def test_kernel_connector_two_channels_stay_separate(sim):
    """A 2-D kernel on (2, 2, 2) layers acts within each channel: no connection between channels;
    each channel's block is the single-channel matrix."""
    K = np.array([[0.0, 1.0, 0.0], [2.0, 3.0, 4.0], [0.0, 5.0, 0.0]])
    pre, post = layers(sim, (2, 2, 2), (2, 2, 2))
    W = weights(sim.Projection(pre, post, sim.KernelConnector(K), sim.GradedSynapse()))
    # pre (0,0) seen by post (0,1) through K[1, 0] (the pre cell is on the post's left), etc.
    block = np.array([[3, 2, 1, 0],     # pre (0,0) → posts (0,0), (0,1), (1,0), (1,1)
                      [4, 3, 0, 1],     # pre (0,1)
                      [5, 0, 3, 2],     # pre (1,0)
                      [0, 5, 4, 3]], dtype=float)
    assert np.all(np.isnan(W[:4, 4:])) and np.all(np.isnan(W[4:, :4]))
    np.testing.assert_array_equal(W[:4, :4], block)
    np.testing.assert_array_equal(W[4:, 4:], block)


def test_kernel_connector_3d_spans_channels(sim):
    """A (3, 1, 1) kernel with 'same' padding is conex's lateral conv3d across depth: post channel c
    receives K[d] from pre channel c + d − 1 at the same position."""
    K = np.array([1.0, 2.0, 3.0]).reshape(3, 1, 1)
    pre, post = layers(sim, (3, 1, 2), (3, 1, 2))
    W = weights(sim.Projection(pre, post, sim.KernelConnector(K), sim.GradedSynapse()))
    expected = np.full((6, 6), NaN)
    for c in range(3):
        for q in range(2):
            for d in range(3):
                src = c + d - 1
                if 0 <= src < 3:
                    expected[src * 2 + q, c * 2 + q] = K[d, 0, 0]
    np.testing.assert_array_equal(W, expected)


def test_kernel_connector_parameter_kernels_and_valid_padding(sim):
    """Parameter kernels (here e_rev) travel with the weight kernel; padding='valid' maps a 4×4 layer
    onto 2×2 (post (r, q) ← pre (r + a, q + b))."""
    K = np.arange(9.0).reshape(3, 3) + 1
    E = -np.arange(9.0).reshape(3, 3)
    pre, post = layers(sim, (4, 4), (2, 2))
    prj = sim.Projection(pre, post, sim.KernelConnector(K, padding="valid", e_rev=E), sim.GradedSynapse())
    W, Er = prj.get(["weight", "e_rev"], format="array")
    for r in range(2):
        for q in range(2):
            for a in range(3):
                for b in range(3):
                    assert W[(r + a) * 4 + q + b, r * 2 + q] == K[a, b]
                    assert Er[(r + a) * 4 + q + b, r * 2 + q] == E[a, b]
    assert len(prj) == 36


def test_kernel_connector_grid2d_structure_equals_shape(sim):
    """A 1-D population with a Grid2D structure (nx = 4, ny = 4; cell i at row i // 4, column i % 4)
    is the layer (1, 4, 4)."""
    K = np.arange(9.0).reshape(3, 3)
    a = sim.Population(16, sim.NonSpikingNeuron(), structure=sim.space.Grid2D())
    b = sim.Population((4, 4), sim.NonSpikingNeuron())
    W1 = weights(sim.Projection(a, a, sim.KernelConnector(K), sim.GradedSynapse()))
    W2 = weights(sim.Projection(b, b, sim.KernelConnector(K), sim.GradedSynapse()))
    np.testing.assert_array_equal(W1, W2)


def test_kernel_connector_self_connections(sim):
    """allow_self_connections=False drops the kernel centre on a lateral (same-population) projection."""
    pop = sim.Population((3, 3), sim.NonSpikingNeuron())
    prj = sim.Projection(pop, pop, sim.KernelConnector(np.ones((3, 3)), allow_self_connections=False),
                         sim.GradedSynapse())
    assert np.all(np.isnan(np.diag(weights(prj))))
    assert len(prj) == 4 * 4 + 4 * 6 + 9 - 9   # corners 4, edges 6, centre 9 connections; minus 9 self


def test_graded_kernel_network_steady_state(sim):
    """Uniform input U on a 5×5 layer through a clip graded kernel K: a post cell with window
    entries S steadies at g·E/(g_m + g), g = (Σ_S K)·clip(U/20) — interior cells have all of K."""
    K = np.array([[0.1, 0.2, 0.1], [0.2, 0.4, 0.2], [0.1, 0.2, 0.1]])
    U = 10.0
    pre = sim.Population((5, 5), sim.NonSpikingNeuron(i_offset=U))
    post = sim.Population((5, 5), sim.NonSpikingNeuron())
    sim.Projection(pre, post, sim.KernelConnector(K), sim.GradedSynapse(e_rev=40.0, e_lo=0.0, e_hi=20.0))
    sim.run(300.0)
    v = post.simulation.engine.groups[post].state["v"].reshape(5, 5)
    g_interior = K.sum() * 0.5
    g_corner = K[1:, 1:].sum() * 0.5
    assert v[2, 2] == pytest.approx(g_interior * 40 / (1 + g_interior), abs=1e-9)
    assert v[0, 0] == pytest.approx(g_corner * 40 / (1 + g_corner), abs=1e-9)


# -- Conv2dConnector ------------------------------------------------------------------------

def conv_weights():
    """W[o, i, a, b] = 100·i + 10·a + b + 1 + 1000·o: every element identifiable."""
    o, i, a, b = np.meshgrid(np.arange(2), np.arange(2), np.arange(3), np.arange(3), indexing="ij")
    return 1000.0 * o + 100.0 * i + 10.0 * a + b + 1.0


def test_conv2d_stride2_padding1_two_channels_hand_checked(sim):
    """Input (2, 4, 4), kernel 3×3, stride 2, padding 1 → output (C_out, 2, 2). Post (o, r, q)
    receives W[o, i, a, b] from pre (i, 2r − 1 + a, 2q − 1 + b). Hand-checked posts of channel 0:
    (0,0): rows/cols 0–1 with a, b ∈ {1, 2}; (0,1): rows 0–1 (a ∈ {1,2}), cols 1–3 (b ∈ {0,1,2});
    (1,1): rows 1–3, cols 1–3, the whole kernel. 50 connections per output channel."""
    Wk = conv_weights()
    pre, post = layers(sim, (2, 4, 4), (2, 2, 2))
    prj = sim.Projection(pre, post, sim.Conv2dConnector((3, 3), stride=2, padding=1, weights=Wk),
                         sim.GradedSynapse())
    W = weights(prj)
    assert len(prj) == 2 * 50
    for i in range(2):
        col = W[:, 0]           # post (0, 0, 0)
        assert col[i * 16 + 0] == Wk[0, i, 1, 1] and col[i * 16 + 1] == Wk[0, i, 1, 2]
        assert col[i * 16 + 4] == Wk[0, i, 2, 1] and col[i * 16 + 5] == Wk[0, i, 2, 2]
        col = W[:, 1]           # post (0, 0, 1): pre cols 1, 2, 3
        assert [col[i * 16 + c] for c in (1, 2, 3)] == [Wk[0, i, 1, b] for b in range(3)]
        assert [col[i * 16 + 4 + c] for c in (1, 2, 3)] == [Wk[0, i, 2, b] for b in range(3)]
        col = W[:, 3]           # post (0, 1, 1): whole kernel on rows/cols 1..3
        for a in range(3):
            for b in range(3):
                assert col[i * 16 + (1 + a) * 4 + 1 + b] == Wk[0, i, a, b]
    assert np.count_nonzero(~np.isnan(W[:, 0])) == 8
    assert np.count_nonzero(~np.isnan(W[:, 1])) == 12
    assert np.count_nonzero(~np.isnan(W[:, 3])) == 18
    # output channel 1 has the same pattern with its own kernel
    np.testing.assert_array_equal(~np.isnan(W[:, 4:]), ~np.isnan(W[:, :4]))
    assert W[0, 4] == Wk[1, 0, 1, 1]


def test_conv2d_matches_a_direct_convolution(sim):
    """The expanded connections compute conex/torch conv2d: (W·x)[o, r, q] =
    Σ_{i,a,b} K[o,i,a,b]·x_pad[i, s·r + a, s·q + b] (cross-correlation, zero padding)."""
    rng = np.random.default_rng(0)
    K = rng.uniform(size=(3, 2, 3, 2))
    x = rng.normal(size=(2, 5, 6))
    s, p = (2, 1), (1, 0)
    Ho, Wo = (5 + 2 * p[0] - 3) // s[0] + 1, (6 + 2 * p[1] - 2) // s[1] + 1
    pre, post = layers(sim, (2, 5, 6), (3, Ho, Wo))
    prj = sim.Projection(pre, post, sim.Conv2dConnector((3, 2), stride=s, padding=p, weights=K),
                         sim.GradedSynapse())
    y = np.nan_to_num(weights(prj)).T @ x.ravel()
    xp = np.pad(x, ((0, 0), (p[0], p[0]), (p[1], p[1])))
    direct = np.array([[[np.sum(K[o] * xp[:, s[0] * r:s[0] * r + 3, s[1] * q:s[1] * q + 2])
                         for q in range(Wo)] for r in range(Ho)] for o in range(3)])
    np.testing.assert_allclose(y, direct.ravel(), atol=1e-12)


def test_shared_kernel_get_set(sim):
    """prj.kernel is the (C_out, C_in, kh, kw) weight kernel; assigning it updates every connection
    using each element; set_kernel(e_rev=...) does the same for another parameter; an individual
    set() unties the connections and the kernel then reports each element's mean."""
    Wk = conv_weights()
    pre, post = layers(sim, (2, 4, 4), (2, 2, 2))
    prj = sim.Projection(pre, post, sim.Conv2dConnector(3, stride=2, padding=1, weights=Wk), sim.GradedSynapse())
    np.testing.assert_array_equal(prj.kernel, Wk)
    before = weights(prj)
    prj.kernel = 2 * Wk
    np.testing.assert_array_equal(weights(prj), 2 * before)
    prj.set_kernel(e_rev=np.full(Wk.shape, -20.0))
    assert np.all(prj.get("e_rev", format="list", with_address=False) == np.full(len(prj), -20.0))
    np.testing.assert_array_equal(prj.get_kernel("e_rev"), np.full(Wk.shape, -20.0))
    w = np.asarray(prj.get("weight", format="list", with_address=False))
    w[0] += 8.0
    prj.set(weight=w)
    element = prj._kernel.index[0]
    uses = np.count_nonzero(prj._kernel.index == element)
    assert prj.kernel.ravel()[element] == pytest.approx(2 * Wk.ravel()[element] + 8.0 / uses)
    with pytest.raises(InvalidDimensionsError, match="kernel weight"):
        prj.kernel = np.ones((3, 3))


def test_shared_kernel_from_random_weights(sim):
    """Without ``weights`` the kernel is drawn from the synapse type's weight once per element:
    all connections of an element share the value."""
    pre, post = layers(sim, (1, 6, 6), (2, 6, 6))
    prj = sim.Projection(pre, post, sim.Conv2dConnector(3, padding=1),
                         sim.GradedSynapse(weight=sim.RandomDistribution("uniform", (0.0, 1.0))))
    K = prj.kernel
    assert K.shape == (2, 1, 3, 3) and len(np.unique(K)) == 18
    w = np.asarray(prj.get("weight", format="list", with_address=False))
    np.testing.assert_allclose(w, K.ravel()[prj._kernel.index], rtol=1e-14)


def test_kernel_of_a_projection_without_one(sim):
    pre, post = layers(sim, (4, 4), (2, 2))
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), sim.GradedSynapse())
    with pytest.raises(ConnectionError, match="no shared kernel"):
        prj.kernel


# -- Local2dConnector -----------------------------------------------------------------------

def test_local2d_untied_weights(sim):
    """Local2d: the conv geometry with one weight per (o, r, q, i, a, b): connection
    pre (i, r·s − p + a, q·s − p + b) → post (o, r, q) has weights[o, r, q, i, a, b]."""
    rng = np.random.default_rng(1)
    Wl = rng.uniform(size=(2, 2, 2, 2, 3, 3))
    pre, post = layers(sim, (2, 4, 4), (2, 2, 2))
    prj = sim.Projection(pre, post, sim.Local2dConnector(3, stride=2, padding=1, weights=Wl), sim.GradedSynapse())
    W = weights(prj)
    assert len(prj) == 2 * 50
    for o in range(2):
        for r in range(2):
            for q in range(2):
                for i in range(2):
                    for a in range(3):
                        for b in range(3):
                            ri, qi = 2 * r - 1 + a, 2 * q - 1 + b
                            value = W[i * 16 + ri * 4 + qi, (o * 2 + r) * 2 + q] if 0 <= ri < 4 and 0 <= qi < 4 else None
                            if value is not None:
                                assert value == Wl[o, r, q, i, a, b]
    assert prj.kernel.shape == Wl.shape


# -- AveragePool2dConnector -------------------------------------------------------------------

def test_average_pool_weights_sum_to_one(sim):
    """Pooling: each post cell's incoming weights sum to 1 (weight 1/block size), channel c → c."""
    for pre_shape, post_shape, kwargs in [((2, 4, 4), (2, 2, 2), {"kernel_shape": 2}),
                                          ((2, 5, 7), (2, 2, 3), {}),
                                          ((1, 6, 6), (1, 3, 3), {}),
                                          ((1, 5, 5), (1, 2, 2), {"kernel_shape": 3, "stride": 2})]:
        pre, post = layers(sim, pre_shape, post_shape)
        W = weights(sim.Projection(pre, post, sim.AveragePool2dConnector(**kwargs), sim.GradedSynapse()))
        np.testing.assert_allclose(np.nansum(W, axis=0), 1.0, rtol=1e-14)


def test_average_pool_hand_checked(sim):
    """2×2 blocks, stride 2 on (2, 4, 4): post (c, r, q) ← pre (c, 2r..2r+1, 2q..2q+1), weight 1/4.
    Adaptive 5 → 2: rows [0, 3) and [2, 5) (conex/torch adaptive pooling), weight 1/9."""
    pre, post = layers(sim, (2, 4, 4), (2, 2, 2))
    W = weights(sim.Projection(pre, post, sim.AveragePool2dConnector(2), sim.GradedSynapse()))
    expected = np.full((32, 8), NaN)
    for c in range(2):
        for r in range(2):
            for q in range(2):
                for a in range(2):
                    for b in range(2):
                        expected[c * 16 + (2 * r + a) * 4 + 2 * q + b, c * 4 + r * 2 + q] = 0.25
    np.testing.assert_array_equal(W, expected)
    pre, post = layers(sim, (1, 5, 5), (1, 2, 2))
    W = weights(sim.Projection(pre, post, sim.AveragePool2dConnector(), sim.GradedSynapse()))
    assert sorted(np.flatnonzero(~np.isnan(W[:, 0]))) == [0, 1, 2, 5, 6, 7, 10, 11, 12]
    assert sorted(np.flatnonzero(~np.isnan(W[:, 3]))) == [12, 13, 14, 17, 18, 19, 22, 23, 24]
    np.testing.assert_allclose(W[~np.isnan(W)], 1.0 / 9.0)


# -- bad input ------------------------------------------------------------------------------------

def test_structured_bad_input(sim):
    pre, post = layers(sim, (2, 4, 4), (2, 2, 2))
    with pytest.raises(InvalidDimensionsError, match="kernel_shape 5 is larger than the input height 4"):
        sim.Projection(pre, post, sim.Conv2dConnector(5), sim.GradedSynapse())
    with pytest.raises(InvalidDimensionsError, match="postsynaptic population shape"):
        sim.Projection(pre, post, sim.Conv2dConnector(3, padding=1), sim.GradedSynapse())
    with pytest.raises(InvalidDimensionsError, match="in_channels=3"):
        sim.Projection(pre, post, sim.Conv2dConnector(3, 2, 1, in_channels=3), sim.GradedSynapse())
    with pytest.raises(InvalidDimensionsError, match="weights"):
        sim.Projection(pre, post, sim.Conv2dConnector(3, 2, 1, weights=np.ones((2, 3, 3, 3))), sim.GradedSynapse())
    with pytest.raises(InvalidDimensionsError, match="weights"):
        sim.Conv2dConnector(3, weights=np.ones((2, 2, 2, 2)))
    with pytest.raises(InvalidDimensionsError, match="larger than the input"):
        small = sim.Population((3, 3), sim.NonSpikingNeuron())
        sim.Projection(small, small, sim.KernelConnector(np.ones((5, 5)), padding="valid"), sim.GradedSynapse())
    with pytest.raises(InvalidDimensionsError, match="same shape"):
        sim.Projection(pre, post, sim.KernelConnector(np.ones((3, 3))), sim.GradedSynapse())
    with pytest.raises(InvalidDimensionsError, match="odd"):
        sim.KernelConnector(np.ones((2, 3)))
    flat = sim.Population(16, sim.NonSpikingNeuron())
    with pytest.raises(InvalidDimensionsError, match="presynaptic_population .* no 2-D structure"):
        sim.Projection(flat, post, sim.Conv2dConnector(3), sim.GradedSynapse())
    with pytest.raises(InvalidDimensionsError, match="channels"):
        sim.Projection(pre, sim.Population((1, 2, 2), sim.NonSpikingNeuron()), sim.AveragePool2dConnector(),
                       sim.GradedSynapse())
    with pytest.raises(InvalidParameterValueError, match="stride"):
        sim.Conv2dConnector(3, stride=0)
    with pytest.raises(InvalidParameterValueError, match="e_hi"):
        sim.Projection(pre, pre, sim.KernelConnector(np.ones((3, 3)), e_lo=np.zeros((3, 3)), e_hi=np.zeros((3, 3))),
                       sim.GradedSynapse(e_lo=0.0, e_hi=20.0))


def test_structured_connections_with_spiking_synapses(sim):
    """Structured connectors are ordinary connectors: a Conv2d projection of spike sources onto
    IF_curr_exp cells with StaticSynapse delivers kernel-weighted spikes (here a single input spike
    reaches exactly the posts whose window contains it)."""
    src = sim.Population((1, 4, 4), sim.SpikeSourceArray(spike_times=[[5.0] if i == 5 else [] for i in range(16)]))
    post = sim.Population((1, 2, 2), sim.IF_curr_exp(v_thresh=100.0))
    prj = sim.Projection(src, post, sim.Conv2dConnector(3, stride=2, padding=1, weights=np.ones((1, 1, 3, 3))),
                         sim.StaticSynapse(delay=1.0))
    post.record("isyn_exc")
    sim.run(7.0)
    i_exc = np.asarray(post.get_data().segments[0].analogsignals[0])
    receives = ~np.isnan(weights(prj))[5]
    assert np.all((i_exc.max(axis=0) > 0) == receives)


def test_conv2d_with_stdp_and_retying(sim):
    """A Conv2d projection with a plastic synapse type learns per connection; ``prj.kernel = prj.kernel``
    re-ties every connection to its element's mean (conex Conv2dSTDP's shared update, per run)."""
    src = sim.Population((1, 5, 5), sim.SpikeSourcePoisson(rate=80.0))
    post = sim.Population((2, 3, 3), sim.IF_curr_exp(tau_syn_E=2.0))
    stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(A_plus=0.05, A_minus=0.05),
                             weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=5.0),
                             weight=sim.RandomDistribution("uniform", (1.0, 3.0)), delay=1.0)
    prj = sim.Projection(src, post, sim.Conv2dConnector(3), stdp)
    before = prj.kernel.copy()
    sim.run(200.0)
    w = np.asarray(prj.get("weight", format="list", with_address=False))
    index = prj._kernel.index
    means = np.bincount(index, w) / np.bincount(index)
    np.testing.assert_allclose(prj.kernel.ravel(), means, rtol=1e-12)
    assert not np.allclose(prj.kernel, before)
    prj.kernel = prj.kernel
    np.testing.assert_allclose(prj.get("weight", format="list", with_address=False), means[index], rtol=1e-12)
