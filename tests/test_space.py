"""Tests of pynnlite.space: PyNN 0.13's Space and structures, and pair helpers for connectors."""
from math import sqrt
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from pynnlite import space
from pynnlite.errors import InvalidDimensionsError, InvalidParameterValueError
from pynnlite.random import NumpyRNG

A = np.array([0.0, 0.0, 0.0])
B = np.array([1.0, 1.0, 1.0])
C = np.array([-1.0, -1.0, -1.0])
D = np.array([2.0, 3.0, 4.0])
ABCD = np.array([A, B, C, D])   # PyNN's Space.distances takes one point per row


# ------------------------------------------------------------------ Space

def test_distances_in_3d_follow_pynn_layout():
    # PyNN: A (N, 3) or (3,), B (M, 3) or (3,); the result is flattened, entry i*M + j
    s = space.Space()
    assert s.distances(A, B) == pytest.approx(sqrt(3))
    assert s.distances(A, B).shape == (1,)
    assert s.distances(C, B) == pytest.approx(sqrt(12))
    assert_allclose(s.distances(A, ABCD), [0.0, sqrt(3), sqrt(3), sqrt(29)])
    assert np.array_equal(s.distances(A, ABCD), s.distances(ABCD, A))
    expected = np.array([[0.0, sqrt(3), sqrt(3), sqrt(29)],
                         [sqrt(3), 0.0, sqrt(12), sqrt(14)],
                         [sqrt(3), sqrt(12), 0.0, sqrt(50)],
                         [sqrt(29), sqrt(14), sqrt(50), 0.0]])
    assert s.distances(ABCD, ABCD).shape == (16,)
    assert_allclose(s.distances(ABCD, ABCD), expected.ravel())
    assert_allclose(s.distances(ABCD[:2], ABCD).reshape(2, 4), expected[:2])


def test_distance_generator_gives_a_matrix_for_fromfunction():
    s = space.Space()
    generator = s.distance_generator(lambda i: ABCD[i], lambda j: ABCD[j])
    assert_allclose(generator(0, np.arange(4)), [0.0, sqrt(3), sqrt(3), sqrt(29)])
    matrix = np.fromfunction(generator, shape=(4, 4), dtype=int)
    assert matrix.shape == (4, 4)
    assert_allclose(matrix, s.distances(ABCD, ABCD).reshape(4, 4))


def test_collapsed_axes():
    # only the named axes count: |A - D| along x is 2, in xy sqrt(4 + 9), in yz sqrt(9 + 16)
    assert space.Space(axes="x").distances(A, B) == pytest.approx(1.0)
    assert space.Space(axes="xy").distances(A, B) == pytest.approx(sqrt(2))
    assert space.Space(axes="x").distances(A, D) == pytest.approx(2.0)
    assert space.Space(axes="xy").distances(A, D) == pytest.approx(sqrt(13))
    assert space.Space(axes="yz").distances(A, D) == pytest.approx(5.0)
    assert space.Space(axes="xz").distances(A, D) == pytest.approx(sqrt(20))
    assert_allclose(space.Space(axes="yz").distances(D, ABCD), [5.0, sqrt(13), sqrt(41), 0.0])
    assert np.array_equal(space.Space(axes="xyz").axes, space.Space().axes)


def test_scale_factor_and_offset_apply_to_the_second_argument():
    # PyNN: B' = scale_factor * (B + offset), offset first; d = |A - B'|
    s = space.Space(scale_factor=2.0, offset=1.0)
    assert s.distances(A, B) == pytest.approx(sqrt(48))     # B' = (4, 4, 4)
    assert s.distances(B, A) == pytest.approx(sqrt(3))      # A' = (2, 2, 2)
    assert s.distances(C, B) == pytest.approx(sqrt(75))
    assert s.distances(B, C) == pytest.approx(sqrt(3))      # C' = 0
    assert_allclose(s.distances(A, ABCD), [sqrt(12), sqrt(48), 0.0, sqrt(200)])
    # per-axis offset
    s = space.Space(offset=np.array([1.0, 0.0, -1.0]))
    assert s.distances(A, A) == pytest.approx(sqrt(2))


def test_periodic_boundaries_use_the_nearest_image():
    # PyNN: along a periodic axis of length L, d = min(|d|, L - |d|)
    s = space.Space(periodic_boundaries=((-1.0, 4.0), (-1.0, 4.0), (-1.0, 4.0)))   # L = 5
    assert s.distances(A, B) == pytest.approx(sqrt(3))
    assert s.distances(A, D) == pytest.approx(sqrt(4 + 4 + 1))
    assert s.distances(C, D) == pytest.approx(sqrt(4 + 1 + 0))
    assert_allclose(s.distances(C, ABCD), [sqrt(3), sqrt(12), 0.0, sqrt(5)])
    # across the boundary of a 10 µm ring along x only: 1 and 9 are 2 apart
    ring = space.Space(periodic_boundaries=((0.0, 10.0), None, None))
    assert ring.distances(np.array([1.0, 0, 0]), np.array([9.0, 0, 0])) == pytest.approx(2.0)
    assert ring.distances(np.array([1.0, 0, 0]), np.array([9.0, 3, 0])) == pytest.approx(sqrt(4 + 9))
    # a 2-D space may omit the z entry
    flat = space.Space(axes="xy", periodic_boundaries=((0.0, 10.0), (0.0, 10.0)))
    assert flat.distances(np.array([0.5, 0.5, 0]), np.array([9.5, 9.5, 7])) == pytest.approx(sqrt(2))


def test_expand_gives_the_absolute_displacement_per_axis():
    s = space.Space(axes="xz")
    d = s.distances(ABCD, A, expand=True).reshape(2, 4, 1)
    assert_allclose(d[:, :, 0], [[0, 1, 1, 2], [0, 1, 1, 4]])


def test_module_distance_function():
    # PyNN's distance(src, tgt, mask, scale_factor, offset, periodic_boundaries) on cells
    cell1 = SimpleNamespace(position=np.array([2.3, 4.5, 6.7]))
    cell2 = SimpleNamespace(position=np.array([5.3, 8.5, -5.3]))
    assert space.distance(cell1, cell2) == pytest.approx(13.0)
    assert space.distance(cell1, cell2, mask=np.array([0, 1])) == pytest.approx(5.0)
    assert space.distance(cell1, cell2, offset=np.array([-3.0, -4.0, 12.0])) == pytest.approx(0.0)
    cell2.position = np.array([10.6, 17.0, -10.6])
    assert space.distance(cell1, cell2, scale_factor=0.5) == pytest.approx(13.0)
    cell2.position = np.array([-1.7, 8.5, -5.3])
    assert space.distance(cell1, cell2, periodic_boundaries=np.array([7.0, 1e12, 1e12])) == pytest.approx(13.0)


# ------------------------------------------------- pair helpers (positions (3, N))

@pytest.fixture
def positions():
    rng = np.random.RandomState(3)
    return rng.uniform(0, 10, (3, 7)), rng.uniform(0, 10, (3, 5))


@pytest.mark.parametrize("kwargs", [
    {},
    {"axes": "xz"},
    {"scale_factor": 0.5, "offset": 2.0},
    {"periodic_boundaries": ((0, 10), None, (0, 10))},
    {"axes": "y", "periodic_boundaries": (None, (0, 10), None), "offset": np.array([0, 3.0, 0])},
])
def test_pair_distances_equal_the_entries_of_distances(positions, kwargs):
    pre, post = positions
    s = space.Space(**kwargs)
    full = s.distances(pre.T, post.T).reshape(7, 5)
    assert np.array_equal(s.distance_matrix(pre, post), full)
    i, j = np.meshgrid(np.arange(7), np.arange(5), indexing="ij")
    pairs = s.pair_distances(pre, post, i.ravel(), j.ravel())
    assert np.array_equal(pairs, full.ravel())
    assert_allclose(np.sqrt((s.pair_displacements(pre, post, i.ravel(), j.ravel()) ** 2).sum(axis=0)),
                    full.ravel(), rtol=1e-12)


def test_pair_displacements_are_post_minus_pre(positions):
    # PyNN's DisplacementDependentProbabilityConnector: disp = (post.positions.T[j] - pre.positions.T[i]).T
    pre, post = positions
    i, j = np.array([0, 6, 3, 3]), np.array([4, 0, 2, 2])
    disp = space.Space().pair_displacements(pre, post, i, j)
    assert disp.shape == (3, 4)
    assert np.array_equal(disp, (post.T[j] - pre.T[i]).T)
    # excluded axes are zero
    assert np.all(space.Space(axes="xy").pair_displacements(pre, post, i, j)[2] == 0)


def test_pair_displacement_across_a_periodic_boundary():
    pre = np.array([[1.0], [0.0], [0.0]])
    post = np.array([[9.0], [0.0], [0.0]])
    ring = space.Space(periodic_boundaries=((0.0, 10.0), None, None))
    assert_allclose(ring.pair_displacements(pre, post, [0], [0])[:, 0], [-2.0, 0.0, 0.0])
    assert ring.pair_distances(pre, post, [0], [0]) == pytest.approx([2.0])


def test_pair_helpers_check_their_input(positions):
    pre, post = positions
    s = space.Space()
    with pytest.raises(InvalidDimensionsError, match="pre_positions"):
        s.pair_distances(pre.T, post, [0], [0])
    with pytest.raises(InvalidParameterValueError, match="post_index"):
        s.pair_distances(pre, post, [0], [5])
    with pytest.raises(InvalidDimensionsError, match="same length"):
        s.pair_displacements(pre, post, [0, 1], [0])
    with pytest.raises(InvalidParameterValueError, match="pre_index"):
        s.pair_distances(pre, post, np.array([0.5]), [0])


def test_space_rejects_bad_arguments():
    with pytest.raises(InvalidParameterValueError, match="axes"):
        space.Space(axes="xq")
    with pytest.raises(InvalidParameterValueError, match="axes"):
        space.Space(axes="yx")    # PyNN only knows x, y, z, xy, yz, xz, xyz
    with pytest.raises(InvalidParameterValueError, match=r"periodic_boundaries\[0\]"):
        space.Space(periodic_boundaries=((5, 1), None, None))
    with pytest.raises(InvalidParameterValueError, match="periodic_boundaries"):
        space.Space(periodic_boundaries=((0, 1),))
    with pytest.raises(InvalidParameterValueError, match="scale_factor"):
        space.Space(scale_factor="big")
    with pytest.raises(InvalidDimensionsError, match="A"):
        space.Space().distances(np.zeros((4, 2)), B)
    with pytest.raises(InvalidDimensionsError, match="B"):
        space.Space().distances(A, np.zeros((2, 2, 3)))


# ------------------------------------------------------------------ structures

def test_line():
    # PyNN: cell i at (x0 + i*dx, y, z)
    assert_allclose(space.Line().generate_positions(4), np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0]]).T)
    line = space.Line(dx=100.0, x0=-100.0, y=444.0, z=987.0)
    assert_allclose(line.generate_positions(2), np.array([[-100, 444, 987], [0, 444, 987]]).T)
    assert line.get_parameters() == dict(dx=100.0, x0=-100.0, y=444.0, z=987.0)
    assert space.Line() == space.Line(1.0, 0.0, 0.0, 0.0)
    assert space.Line() != space.Line(dx=2.0)
    # PyNN accepts a negative spacing: the line runs towards -x
    assert_allclose(space.Line(dx=-1.0).generate_positions(3)[0], [0, -1, -2])
    assert space.Line().generate_positions(0).shape == (3, 0)


def test_grid2d_size_and_positions():
    # nx = sqrt(n * aspect_ratio), ny = n / nx; y varies fastest.
    # n=6, aspect_ratio=1.5: nx = 3, ny = 2; with dx=2: x = 0,0,2,2,4,4 and y = 0,1,0,1,0,1
    grid = space.Grid2D(aspect_ratio=1.5, dx=2.0)
    assert grid.calculate_size(6) == (3, 2)
    assert_allclose(grid.generate_positions(6), [[0, 0, 2, 2, 4, 4], [0, 1, 0, 1, 0, 1], [0] * 6])
    # PyNN's own cases
    assert [space.Grid2D().calculate_size(n) for n in (1, 4, 9)] == [(1, 1), (2, 2), (3, 3)]
    grid2 = space.Grid2D(aspect_ratio=3.0, dx=11.1, dy=9.9, x0=123, y0=456, z=789)
    assert [grid2.calculate_size(n) for n in (3, 12, 27)] == [(3, 1), (6, 2), (9, 3)]
    expected = np.array([[123 + 11.1 * (k // 2), 456 + 9.9 * (k % 2), 789] for k in range(12)]).T
    assert_allclose(grid2.generate_positions(12), expected, rtol=1e-15)


@pytest.mark.parametrize("aspect_ratio, n", [(1.0, 10), (3.0, 4), (1.0, 2), (0.75, 3)])
def test_grid2d_rejects_n_that_does_not_fill_the_grid(aspect_ratio, n):
    # (0.75, 3): sqrt(2.25) = 1.5 is not a whole number of columns
    with pytest.raises(InvalidDimensionsError, match="aspect_ratio"):
        space.Grid2D(aspect_ratio=aspect_ratio).generate_positions(n)


def test_grid3d_size_and_positions():
    # nx = round((n*XY*XZ)^(1/3)), ny = round(nx/XY), nz = round(nx/XZ); z varies fastest, then y
    assert [space.Grid3D().calculate_size(n) for n in (1, 8, 27)] == [(1, 1, 1), (2, 2, 2), (3, 3, 3)]
    grid = space.Grid3D(aspect_ratioXY=3.0, aspect_ratioXZ=2.0, dx=11, dy=9, dz=7, x0=123, y0=456, z0=789)
    assert grid.calculate_size(36) == (6, 2, 3)
    assert grid.calculate_size(288) == (12, 4, 6)
    with pytest.raises(InvalidDimensionsError, match="aspect_ratioXY"):
        grid.calculate_size(100)
    with pytest.raises(InvalidDimensionsError):
        space.Grid3D().calculate_size(10)
    assert_allclose(space.Grid3D().generate_positions(8),
                    np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1],
                              [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]]).T)
    p = grid.generate_positions(36)
    assert_allclose(p[:, 1], [123, 456, 789 + 7])
    assert_allclose(p[:, 3], [123, 456 + 9, 789])
    assert_allclose(p[:, 6], [123 + 11, 456, 789])
    assert grid.get_parameters()["aspect_ratios"] == (3.0, 2.0)   # PyNN's parameter name


def test_random_fill_order_permutes_the_grid_points():
    # PyNN: fill_order='random' applies rng.permutation to the cells
    grid = space.Grid2D(fill_order="random", rng=NumpyRNG(seed=9))
    p = grid.generate_positions(16)
    sequential = space.Grid2D().generate_positions(16)
    order = np.random.RandomState(9).permutation(16)
    assert np.array_equal(p, sequential[:, order])
    grid3 = space.Grid3D(fill_order="random", rng=NumpyRNG(seed=9))
    p3 = grid3.generate_positions(27)
    assert sorted(map(tuple, p3.T)) == sorted(map(tuple, space.Grid3D().generate_positions(27).T))
    assert isinstance(space.Grid2D(fill_order="random").generate_positions(4), np.ndarray)


def test_cuboid_samples_are_inside_and_uniform():
    # uniform on [-w/2, w/2]: mean 0 and variance w^2/12 per axis
    n = 20_000
    c = space.Cuboid(3, 4, 5)
    p = c.sample(n, np.random.RandomState(1))
    assert p.shape == (n, 3)
    half = np.array([1.5, 2.0, 2.5])
    assert np.all(np.abs(p) <= half)
    assert np.all(np.abs(p.mean(axis=0)) < 4 * np.sqrt((2 * half) ** 2 / 12 / n))
    assert_allclose(p.var(axis=0), (2 * half) ** 2 / 12, rtol=0.05)


def test_sphere_samples_are_inside_and_uniform_in_volume():
    # uniform in a ball of radius R: r has density 3 r^2 / R^3, so E[r] = 3R/4 and
    # Var[r] = 3R^2/5 - (3R/4)^2 = 3R^2/80
    n, R = 20_000, 2.5
    p = space.Sphere(R).sample(n, NumpyRNG(seed=2))
    assert p.shape == (n, 3)
    r = np.sqrt((p ** 2).sum(axis=1))
    assert r.max() < R
    assert abs(r.mean() - 0.75 * R) < 4 * R * np.sqrt(3 / 80 / n)
    assert np.all(np.abs(p.mean(axis=0)) < 4 * R * np.sqrt(1 / 5 / n))   # Var[x] = R^2/5


def test_sphere_uses_the_random_numbers_as_pynn_does():
    # PyNN draws one triple uniform in [-1, 1) at a time, keeping those strictly inside the unit ball
    reference = np.random.RandomState(7)
    kept = []
    while len(kept) < 50:
        candidate = reference.uniform(-1, 1, size=(1, 3))
        if (candidate ** 2).sum() < 1:
            kept.append(candidate[0])
    rng = NumpyRNG(seed=7)
    assert_allclose(space.Sphere(2.0).sample(50, rng), 2.0 * np.array(kept), rtol=0, atol=0)
    assert rng.uniform() == reference.uniform()   # same generator state afterwards


def test_random_structure():
    n = 1000
    rs = space.RandomStructure(boundary=space.Sphere(2.5), origin=(1.0, 1.0, 1.0), rng=NumpyRNG(seed=4))
    p = rs.generate_positions(n)
    assert p.shape == (3, n)
    assert np.all(np.sqrt(((p - 1.0) ** 2).sum(axis=0)) < 2.5)
    assert rs.get_parameters() == {"boundary": rs.boundary, "origin": (1.0, 1.0, 1.0), "rng": rs.rng}
    assert isinstance(space.RandomStructure(space.Cuboid(1, 1, 1)).rng, NumpyRNG)
    cube = space.RandomStructure(space.Cuboid(2, 4, 6), origin=(10, 0, -5), rng=NumpyRNG(seed=4))
    q = cube.generate_positions(500)
    assert np.all(np.abs(q - np.array([[10], [0], [-5]])) <= np.array([[1], [2], [3]]))


def test_describe_context_repr_and_equality():
    grid = space.Grid2D(aspect_ratio=2.0, dx=3.0)
    assert grid.describe_context() == {
        "name": "Grid2D",
        "parameters": {"aspect_ratio": 2.0, "dx": 3.0, "dy": 1.0, "x0": 0.0, "y0": 0.0, "z": 0,
                       "fill_order": "sequential"}}
    assert repr(space.Line(dx=2.0)) == "Line(dx=2.0, x0=0.0, y=0.0, z=0.0)"
    assert grid == space.Grid2D(aspect_ratio=2.0, dx=3.0)
    assert grid != space.Grid2D(aspect_ratio=2.0, dx=3.0, fill_order="random")
    assert grid != space.Line()
    assert space.Sphere(1.0) == space.Sphere(1.0) and space.Cuboid(1, 2, 3) != space.Cuboid(1, 2, 4)
    assert repr(space.Cuboid(1, 2, 3)) == "Cuboid(width=1, height=2, depth=3)"


def test_structures_reject_bad_arguments():
    with pytest.raises(InvalidParameterValueError, match="fill_order"):
        space.Grid2D(fill_order="diagonal")
    with pytest.raises(InvalidParameterValueError, match="aspect_ratio"):
        space.Grid2D(aspect_ratio=0)
    with pytest.raises(InvalidParameterValueError, match="aspect_ratioXZ"):
        space.Grid3D(aspect_ratioXZ=-1)
    with pytest.raises(InvalidParameterValueError, match="dx"):
        space.Line(dx=float("nan"))
    with pytest.raises(InvalidParameterValueError, match="radius"):
        space.Sphere(-1.0)
    with pytest.raises(InvalidParameterValueError, match="depth"):
        space.Cuboid(1, 1, -1)
    with pytest.raises(InvalidParameterValueError, match="boundary"):
        space.RandomStructure("ball")
    with pytest.raises(InvalidDimensionsError, match="origin"):
        space.RandomStructure(space.Sphere(1.0), origin=(0, 0))
    with pytest.raises(InvalidParameterValueError, match="n must"):
        space.Line().generate_positions(-1)
