"""Cartesian space for distances between cells, and structures that place cells in it
(PyNN 0.13's ``pyNN.space``).  Positions and distances are in µm.

Conventions (as in PyNN):

* ``Space.distances(A, B)`` takes points as rows, ``A`` of shape (N, 3) or (3,)
  and ``B`` of shape (M, 3) or (3,), and returns the N*M distances flattened
  (row-major: entry ``i*M + j`` is between ``A[i]`` and ``B[j]``).  ``A`` plays
  the pre-synaptic role and ``B`` the post-synaptic one: ``offset`` and then
  ``scale_factor`` are applied to ``B``, i.e. B' = scale_factor * (B + offset).
* structures return positions as an array of shape (3, n), like
  ``Population.positions``.
* a displacement is post minus pre (PyNN's DisplacementDependentProbabilityConnector).
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Sequence

import numpy as np

from pynnlite.errors import InvalidDimensionsError, InvalidKeyError, InvalidParameterValueError, check_choice
from pynnlite.random import NumpyRNG, check_rng


def _number(name: str, value: Any, *, positive: bool = False, non_negative: bool = False) -> Any:
    """Check that ``value`` is a finite real number (and its sign); return it unchanged."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise InvalidParameterValueError(f"{name} must be a finite number, got {value!r}")
    if positive and not value > 0:
        raise InvalidParameterValueError(f"{name} must be > 0, got {value!r}")
    if non_negative and not value >= 0:
        raise InvalidParameterValueError(f"{name} must be >= 0, got {value!r}")
    return value


def _cell_count(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise InvalidParameterValueError(f"n must be a non-negative int (number of cells), got {n!r}")
    return int(n)


def distance(src: Any, tgt: Any, mask: Any = None, scale_factor: float = 1.0, offset: Any = 0.0,
             periodic_boundaries: Any = None) -> float:
    """Euclidean distance (µm) between two cells with a ``position`` attribute, as PyNN's ``distance``.

    ``mask`` selects the axes (e.g. ``[0, 1]`` ignores z); ``scale_factor`` and
    ``offset`` apply to the target: d = src - scale_factor * (tgt + offset);
    ``periodic_boundaries`` gives the period of each axis.
    """
    d = np.asarray(src.position, dtype=float) - scale_factor * (np.asarray(tgt.position, dtype=float) + offset)
    if periodic_boundaries is not None:
        period = np.asarray(periodic_boundaries, dtype=float)
        d = np.abs(d)
        d = np.minimum(d, period - d)
    if mask is not None:
        d = d[mask]
    return float(np.sqrt(np.dot(d, d)))


class Space:
    """A Cartesian space (1-, 2- or 3-D, optionally periodic) in which distances are computed.

    ``axes``: which axes count, one of 'x', 'y', 'z', 'xy', 'yz', 'xz', 'xyz'
    (None means 'xyz').  ``scale_factor`` and ``offset`` convert post-synaptic
    positions to the pre-synaptic coordinate system, offset first:
    post' = scale_factor * (post + offset).  ``periodic_boundaries``: None, or
    one ``(min, max)`` or None per axis, e.g. ``((0, 100), None, None)``;
    distances along a periodic axis use the nearest periodic image.
    """

    AXES: dict[str | None, list[int]] = {
        "x": [0], "y": [1], "z": [2],
        "xy": [0, 1], "yz": [1, 2], "xz": [0, 2], "xyz": [0, 1, 2], None: [0, 1, 2],
    }

    def __init__(self, axes: str | None = None, scale_factor: float = 1.0, offset: Any = 0.0,
                 periodic_boundaries: Sequence[tuple[float, float] | None] | None = None):
        if not (axes is None or isinstance(axes, str)) or axes not in self.AXES:
            raise InvalidKeyError(   # PyNN: KeyError
                f"axes={axes!r} is not valid; expected None or one of "
                f"{', '.join(repr(a) for a in self.AXES if a is not None)}")
        self.axes = np.array(self.AXES[axes])
        self.scale_factor = self._per_axis("scale_factor", scale_factor)
        self.offset = self._per_axis("offset", offset)
        self.periodic_boundaries = periodic_boundaries
        self._periods = self._check_boundaries(periodic_boundaries)
        self._axes_name = axes

    def describe_context(self) -> dict:
        from pynnlite import descriptions
        return descriptions.space_context(self)

    def describe(self, template: str | None = "space_default.txt", engine: str = "default"):
        """A description of this space (``template=None``: the context dict)."""
        from pynnlite import descriptions
        return descriptions.render(engine, template, self.describe_context())

    def __repr__(self) -> str:
        return (f"Space(axes={self._axes_name!r}, scale_factor={_plain(self.scale_factor)!r}, "
                f"offset={_plain(self.offset)!r}, periodic_boundaries={self.periodic_boundaries!r})")

    @staticmethod
    def _per_axis(name: str, value: Any) -> Any:
        try:
            arr = None if isinstance(value, str) else np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            arr = None
        if arr is None or arr.shape not in ((), (3,)) or not np.all(np.isfinite(arr)):
            raise InvalidParameterValueError(f"{name} must be a finite number or 3 numbers (x, y, z), got {value!r}")
        return value if arr.shape == () else arr

    def _check_boundaries(self, boundaries: Any) -> list[float | None]:
        """Period of each axis (None where not periodic)."""
        periods: list[float | None] = [None, None, None]
        if boundaries is None:
            return periods
        if isinstance(boundaries, str) or not isinstance(boundaries, (Sequence, np.ndarray)) or len(boundaries) > 3:
            raise InvalidParameterValueError(
                f"periodic_boundaries must be None or a tuple of (min, max) or None per axis, got {boundaries!r}")
        if len(boundaries) <= int(self.axes.max()):
            raise InvalidParameterValueError(
                f"periodic_boundaries needs an entry for each axis up to {'xyz'[int(self.axes.max())]}, "
                f"got {boundaries!r}")
        for axis, bounds in enumerate(boundaries):
            if bounds is None:
                continue
            try:
                low, high = (float(b) for b in bounds)
            except (TypeError, ValueError):
                raise InvalidParameterValueError(
                    f"periodic_boundaries[{axis}] must be (min, max) or None, got {bounds!r}") from None
            if not (math.isfinite(low) and math.isfinite(high) and high > low):
                raise InvalidParameterValueError(
                    f"periodic_boundaries[{axis}] must have finite min < max, got {bounds!r}")
            periods[axis] = high - low
        return periods

    def _axis_displacement(self, pre: np.ndarray, post: np.ndarray, axis: int) -> np.ndarray:
        """Signed post' - pre along one axis (post' scaled and offset), nearest periodic image."""
        offset = self.offset if np.ndim(self.offset) == 0 else self.offset[axis]
        scale = self.scale_factor if np.ndim(self.scale_factor) == 0 else self.scale_factor[axis]
        d = scale * (post + offset) - pre
        period = self._periods[axis]
        if period is not None:
            d = d - period * np.round(d / period)
        return d

    def distances(self, A: np.ndarray, B: np.ndarray, expand: bool = False) -> np.ndarray:
        """Distances (µm) between the points of ``A`` (N, 3) and of ``B`` (M, 3), flattened to (N*M,).

        A single point may be given with shape (3,).  With ``expand=True``
        the absolute displacement along each of the space's axes is returned
        instead, flattened from shape (number of axes, N, M).
        """
        A = self._points("A", A)
        B = self._points("B", B)
        parts = np.empty((self.axes.size, A.shape[0], B.shape[0]),
                         dtype=np.result_type(A.dtype, B.dtype, float))
        for k, axis in enumerate(self.axes):
            d = self._axis_displacement(A[:, axis, None], B[None, :, axis], axis)
            parts[k] = d * d
        d2 = parts if expand else parts.sum(axis=0)
        return np.sqrt(d2).ravel()

    @staticmethod
    def _points(name: str, X: Any) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim > 2 or X.ndim == 0 or X.shape[-1] != 3:
            raise InvalidDimensionsError(
                f"{name}: points must have shape (N, 3) or (3,) (one point per row), got {X.shape}")
        if not np.issubdtype(X.dtype, np.number):
            raise InvalidParameterValueError(f"{name}: positions must be numbers, got dtype {X.dtype}")
        return X.reshape(-1, 3)

    def distance_generator(self, f: Callable[[Any], np.ndarray],
                           g: Callable[[Any], np.ndarray]) -> Callable[[Any, Any], np.ndarray]:
        """A function (i, j) -> distances between points ``f(i)`` and ``g(j)``.

        ``f`` and ``g`` map cell indices to positions as rows (N, 3); 2-D index
        arrays (as from ``numpy.fromfunction``) give a 2-D result.
        """
        def distance_map(i, j):
            shape = []
            if isinstance(i, np.ndarray) and i.ndim == 2:
                i = i[:, 0]
                shape.append(i.size)
            if isinstance(j, np.ndarray) and j.ndim == 2:
                j = j[0, :]
                shape.append(j.size)
            d = self.distances(f(i), g(j))
            return d.reshape(shape) if shape else d
        return distance_map

    # -- helpers for connectors: positions as columns, (3, N), like Population.positions

    @staticmethod
    def _columns(name: str, X: Any) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[0] != 3:
            raise InvalidDimensionsError(f"{name} must have shape (3, N) (x, y, z rows), got {X.shape}")
        if not np.issubdtype(X.dtype, np.number):
            raise InvalidParameterValueError(f"{name}: positions must be numbers, got dtype {X.dtype}")
        return X

    @staticmethod
    def _indices(name: str, index: Any, size: int) -> np.ndarray:
        index = np.asarray(index)
        if index.ndim != 1 or not (np.issubdtype(index.dtype, np.integer) or index.size == 0):
            raise InvalidParameterValueError(f"{name} must be a 1-D array of ints, got {index.dtype} {index.shape}")
        if index.size and (index.min() < 0 or index.max() >= size):
            raise InvalidParameterValueError(
                f"{name} must be in [0, {size}), got values from {index.min()} to {index.max()}")
        return index.astype(np.intp, copy=False)

    def distance_matrix(self, pre_positions: np.ndarray, post_positions: np.ndarray) -> np.ndarray:
        """Distances (µm), shape (N, M), between pre positions (3, N) and post positions (3, M)."""
        pre = self._columns("pre_positions", pre_positions)
        post = self._columns("post_positions", post_positions)
        return self.distances(pre.T, post.T).reshape(pre.shape[1], post.shape[1])

    def pair_displacements(self, pre_positions: np.ndarray, post_positions: np.ndarray,
                           pre_index: np.ndarray, post_index: np.ndarray) -> np.ndarray:
        """Displacements post' - pre (µm), shape (3, K), for the K pairs (pre_index[k], post_index[k]).

        post' = scale_factor * (post + offset); periodic axes use the nearest
        image; axes not in the space are 0.  With a default Space() this is
        post - pre, what PyNN's DisplacementDependentProbabilityConnector passes
        to its function (that connector ignores the Projection's space).
        """
        pre = self._columns("pre_positions", pre_positions)
        post = self._columns("post_positions", post_positions)
        i = self._indices("pre_index", pre_index, pre.shape[1])
        j = self._indices("post_index", post_index, post.shape[1])
        if i.shape != j.shape:
            raise InvalidDimensionsError(
                f"pre_index and post_index must have the same length, got {i.size} and {j.size}")
        out = np.zeros((3, i.size), dtype=np.result_type(pre.dtype, post.dtype, float))
        for axis in self.axes:
            out[axis] = self._axis_displacement(pre[axis, i], post[axis, j], axis)
        return out

    def pair_distances(self, pre_positions: np.ndarray, post_positions: np.ndarray,
                       pre_index: np.ndarray, post_index: np.ndarray) -> np.ndarray:
        """Distances (µm), shape (K,), for the K pairs (pre_index[k], post_index[k]).

        Equal to the corresponding entries of `distances` (same axes, scale,
        offset and periodic boundaries).
        """
        pre = self._columns("pre_positions", pre_positions)
        post = self._columns("post_positions", post_positions)
        i = self._indices("pre_index", pre_index, pre.shape[1])
        j = self._indices("post_index", post_index, post.shape[1])
        if i.shape != j.shape:
            raise InvalidDimensionsError(
                f"pre_index and post_index must have the same length, got {i.size} and {j.size}")
        total = np.zeros(i.size, dtype=np.result_type(pre.dtype, post.dtype, float))
        for axis in self.axes:
            d = self._axis_displacement(pre[axis, i], post[axis, j], axis)
            total += d * d
        return np.sqrt(total)


def _plain(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.ndarray) else value


# ------------------------------------------------------------------ structures

class BaseStructure:
    """Base class of structures, which lay out the cells of a population."""

    parameter_names: tuple[str, ...] = ()

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.get_parameters().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(_equal(getattr(self, name), getattr(other, name)) for name in self.parameter_names)

    __hash__ = None  # mutable, compared by value

    def get_parameters(self) -> dict[str, Any]:
        """The structure's parameters, by name."""
        return {name: getattr(self, name) for name in self.parameter_names}

    def describe_context(self) -> dict[str, Any]:
        """Name and parameters of the structure, for reports."""
        return {"name": type(self).__name__, "parameters": self.get_parameters()}

    def describe(self, template: str | None = "structure_default.txt", engine: str = "default"):
        """A description of this structure (``template=None``: the context dict)."""
        from pynnlite import descriptions
        return descriptions.render(engine, template, self.describe_context())

    def generate_positions(self, n: int) -> np.ndarray:
        """Positions (µm) of ``n`` cells laid out by this structure, shape (3, n)."""
        raise NotImplementedError


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and bool(np.all(np.asarray(a) == np.asarray(b)))
    return bool(a == b)


class Line(BaseStructure):
    """Cells evenly spaced along x: x = x0 + i*dx, at fixed y and z (µm)."""

    parameter_names = ("dx", "x0", "y", "z")

    def __init__(self, dx: float = 1.0, x0: float = 0.0, y: float = 0.0, z: float = 0.0):
        self.dx = _number("dx", dx)
        self.x0 = _number("x0", x0)
        self.y = _number("y", y)
        self.z = _number("z", z)

    def generate_positions(self, n: int) -> np.ndarray:
        """Positions (µm) of ``n`` cells, shape (3, n): cell i at (x0 + i*dx, y, z)."""
        n = _cell_count(n)
        x = self.dx * np.arange(n, dtype=float) + self.x0
        return np.array((x, np.full(n, float(self.y)), np.full(n, float(self.z))))


class Grid2D(BaseStructure):
    """Cells on a regular grid in the xy plane, at height z (µm).

    ``aspect_ratio`` is nx/ny, the ratio of the numbers of points along x and y
    (not of the side lengths unless dx == dy).  For n cells, nx = sqrt(n *
    aspect_ratio) must be a whole number dividing n, and ny = n / nx.
    Sequential fill varies y fastest: cell i is at (x0 + (i // ny)*dx, y0 + (i % ny)*dy, z).
    ``fill_order='random'`` shuffles the cells over the grid points with ``rng``.
    """

    parameter_names = ("aspect_ratio", "dx", "dy", "x0", "y0", "z", "fill_order")

    def __init__(self, aspect_ratio: float = 1.0, dx: float = 1.0, dy: float = 1.0, x0: float = 0.0,
                 y0: float = 0.0, z: float = 0, fill_order: str = "sequential", rng: Any = None):
        self.aspect_ratio = _number("aspect_ratio", aspect_ratio, positive=True)
        check_choice("fill_order", fill_order, ("sequential", "random"))
        self.fill_order = fill_order
        self.rng = check_rng(rng)
        self.dx = _number("dx", dx)
        self.dy = _number("dy", dy)
        self.x0 = _number("x0", x0)
        self.y0 = _number("y0", y0)
        self.z = _number("z", z)

    def calculate_size(self, n: int) -> tuple[int, int]:
        """(nx, ny) of the grid holding ``n`` cells; raises if n does not fill such a grid."""
        n = _cell_count(n)
        nx_exact = math.sqrt(n * self.aspect_ratio)
        nx = int(round(nx_exact))
        if n == 0 or nx < 1 or abs(nx_exact - nx) > 1e-9 * nx_exact or n % nx != 0:
            raise InvalidDimensionsError(
                f"n={n} cells do not fill a Grid2D with aspect_ratio={self.aspect_ratio}: "
                f"nx = sqrt(n * aspect_ratio) = {nx_exact:g} must be a whole number dividing n")
        return nx, n // nx

    def generate_positions(self, n: int) -> np.ndarray:
        """Positions (µm) of ``n`` cells, shape (3, n), y varying fastest (see class doc)."""
        nx, ny = self.calculate_size(n)
        ix, iy = np.divmod(np.arange(n), ny)
        positions = np.array((self.x0 + self.dx * ix.astype(float),
                              self.y0 + self.dy * iy.astype(float),
                              np.full(n, float(self.z))))
        return _fill(self, positions)


class Grid3D(BaseStructure):
    """Cells on a regular 3-D grid (µm).

    ``aspect_ratioXY`` = nx/ny and ``aspect_ratioXZ`` = nx/nz (ratios of the
    numbers of points); nx = round((n * XY * XZ) ** (1/3)), ny = round(nx/XY),
    nz = round(nx/XZ) and nx*ny*nz must equal n.  Sequential fill varies z
    fastest, then y, then x: cell 0 at (x0, y0, z0), cell 1 at (x0, y0, z0 + dz).
    """

    parameter_names = ("aspect_ratios", "dx", "dy", "dz", "x0", "y0", "z0", "fill_order")

    def __init__(self, aspect_ratioXY: float = 1.0, aspect_ratioXZ: float = 1.0, dx: float = 1.0,
                 dy: float = 1.0, dz: float = 1.0, x0: float = 0.0, y0: float = 0.0, z0: float = 0,
                 fill_order: str = "sequential", rng: Any = None):
        self.aspect_ratios = (_number("aspect_ratioXY", aspect_ratioXY, positive=True),
                              _number("aspect_ratioXZ", aspect_ratioXZ, positive=True))
        check_choice("fill_order", fill_order, ("sequential", "random"))
        self.fill_order = fill_order
        self.rng = check_rng(rng)
        self.dx = _number("dx", dx)
        self.dy = _number("dy", dy)
        self.dz = _number("dz", dz)
        self.x0 = _number("x0", x0)
        self.y0 = _number("y0", y0)
        self.z0 = _number("z0", z0)

    def calculate_size(self, n: int) -> tuple[int, int, int]:
        """(nx, ny, nz) of the grid holding ``n`` cells; raises if n does not fill such a grid."""
        n = _cell_count(n)
        a, b = self.aspect_ratios
        nx = int(round(math.pow(n * a * b, 1 / 3.0)))
        ny = int(round(nx / a))
        nz = int(round(nx / b))
        if n == 0 or nx * ny * nz != n:
            raise InvalidDimensionsError(
                f"n={n} cells do not fill a Grid3D with aspect_ratioXY={a}, aspect_ratioXZ={b} "
                f"(nearest grid is {nx} x {ny} x {nz} = {nx * ny * nz})")
        return nx, ny, nz

    def generate_positions(self, n: int) -> np.ndarray:
        """Positions (µm) of ``n`` cells, shape (3, n), z varying fastest (see class doc)."""
        nx, ny, nz = self.calculate_size(n)
        ix, rest = np.divmod(np.arange(n), ny * nz)
        iy, iz = np.divmod(rest, nz)
        positions = np.array((self.x0 + self.dx * ix.astype(float),
                              self.y0 + self.dy * iy.astype(float),
                              self.z0 + self.dz * iz.astype(float)))
        return _fill(self, positions)


def _fill(grid: Grid2D | Grid3D, positions: np.ndarray) -> np.ndarray:
    """Apply the grid's fill order: sequential, or a random permutation of the cells."""
    if grid.fill_order == "sequential":
        return positions
    if grid.rng is None:
        grid.rng = NumpyRNG()
    return grid.rng.permutation(positions.T).T


class Shape:
    """Base class of volumes in which RandomStructure places cells."""

    def sample(self, n: int, rng: Any) -> np.ndarray:
        """``n`` points (µm) uniformly distributed in the volume, centred on 0, shape (n, 3)."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return vars(self) == vars(other)

    __hash__ = None


class Cuboid(Shape):
    """A box of ``width`` (x), ``height`` (y) and ``depth`` (z), in µm, centred on the origin."""

    def __init__(self, width: float, height: float, depth: float):
        self.width = _number("width", width, non_negative=True)
        self.height = _number("height", height, non_negative=True)
        self.depth = _number("depth", depth, non_negative=True)

    def __repr__(self) -> str:
        return f"Cuboid(width={self.width!r}, height={self.height!r}, depth={self.depth!r})"

    def sample(self, n: int, rng: Any) -> np.ndarray:
        """``n`` points (µm) uniformly distributed in the box, shape (n, 3)."""
        return 0.5 * rng.uniform(-1, 1, size=(n, 3)) * (self.width, self.height, self.depth)


class Sphere(Shape):
    """A ball of ``radius`` µm centred on the origin."""

    def __init__(self, radius: float):
        self.radius = _number("radius", radius, positive=True)

    def __repr__(self) -> str:
        return f"Sphere(radius={self.radius!r})"

    def sample(self, n: int, rng: Any) -> np.ndarray:
        """``n`` points (µm) uniformly distributed in the ball, shape (n, 3).

        Rejection sampling: triples uniform in [-1, 1)^3 are drawn in order and
        kept if strictly inside the unit sphere, consuming the same random
        numbers as PyNN (one triple at a time), then scaled by the radius.
        """
        accepted = []
        needed = int(n)
        while needed > 0:
            batch = int(needed * 2.0) + 16            # acceptance rate is pi/6 ~ 0.52
            state = _get_state(rng)
            candidates = rng.uniform(-1, 1, size=(batch, 3))
            inside = (candidates ** 2).sum(axis=1) < 1
            found = np.cumsum(inside)
            if found[-1] >= needed:
                last = int(np.searchsorted(found, needed)) + 1    # triples PyNN would have drawn
                if state is not None and last < batch:
                    _set_state(rng, state)                       # give back the unused draws
                    candidates = rng.uniform(-1, 1, size=(last, 3))
                candidates, inside = candidates[:last], inside[:last]
            accepted.append(candidates[inside])
            needed -= int(inside.sum())
        points = np.concatenate(accepted) if accepted else np.empty((0, 3))
        return self.radius * points


def _get_state(rng: Any) -> Any:
    get_state = getattr(rng, "get_state", None)
    return get_state() if callable(get_state) else None


def _set_state(rng: Any, state: Any) -> None:
    rng.set_state(state)


class RandomStructure(BaseStructure):
    """Cells placed uniformly at random inside ``boundary`` (a Cuboid or Sphere) centred on ``origin`` (µm)."""

    parameter_names = ("boundary", "origin", "rng")

    def __init__(self, boundary: Shape, origin: Sequence[float] = (0.0, 0.0, 0.0), rng: Any = None):
        if not isinstance(boundary, Shape):
            raise InvalidParameterValueError(
                f"boundary must be a Shape such as Cuboid or Sphere, got {type(boundary).__name__}")
        if isinstance(origin, str) or np.shape(origin) != (3,):
            raise InvalidDimensionsError(f"origin must be 3 coordinates (x, y, z), got {origin!r}")
        for axis, value in zip("xyz", origin):
            _number(f"origin ({axis})", value)
        self.boundary = boundary
        self.origin = origin
        self.rng = check_rng(rng) or NumpyRNG()

    def generate_positions(self, n: int) -> np.ndarray:
        """Positions (µm) of ``n`` cells, shape (3, n), uniform in the boundary volume."""
        n = _cell_count(n)
        return (np.asarray(self.origin, dtype=float) + self.boundary.sample(n, self.rng)).T
