"""Structured connectivity between 2-D layers: kernel (pattern), convolutional, locally
connected and average-pooling connectors.

Layers
------
A layer is a Population with a shape ``(height, width)`` or ``(channels, height,
width)`` (``Population((2, 28, 28), ...)``), or a 1-D population with a
``Grid2D`` structure (one channel; height = the grid's nx, width = its ny).
Cells are numbered in C order: index = (c·height + row)·width + column, which
for a Grid2D is its sequential fill (y fastest). ``layer_shape(population)``
returns (channels, height, width).

Connectors
----------
* ``KernelConnector(kernel, padding='same', **parameter_kernels)`` — sns-toolbox
  pattern connections and conex lateral input. The kernel (kh, kw) is centred
  on each post cell and applied within each channel: post (c, r, q) receives
  from pre (c, r + a − kh//2, q + b − kw//2) with kernel element [a, b]
  (cross-correlation, zero padding: no connection outside the layer). A 3-D
  kernel (kd, kh, kw) also spans channels (pre channel c + d − kd//2), as
  conex's lateral conv3d. ``padding='same'`` needs odd kernel sizes and equal
  pre and post shapes; ``padding='valid'`` makes post (c, H − kh + 1, W − kw + 1).
* ``Conv2dConnector(kernel_shape, stride=1, padding=0, in_channels, out_channels,
  weights)`` — conex Conv2dDendriticInput / torch conv2d: post (o, r, q)
  receives from pre (i, r·s − p + a, q·s − p + b) with weight[o, i, a, b];
  post shape (C_out, ⌊(H + 2p − kh)/s⌋ + 1, ⌊(W + 2p − kw)/s⌋ + 1).
* ``Local2dConnector(...)`` — the same geometry with untied weights: one weight
  per (o, r, q, i, a, b) (conex Local2dDendriticInput's kernel_shape).
* ``AveragePool2dConnector(kernel_shape=None, stride=None)`` — channel c to
  channel c, weight 1/(block size) so each post cell's weights sum to 1.
  Without kernel_shape it is adaptive average pooling to the post shape (conex
  AveragePool2D: rows ⌊r·H/Ho⌋ … ⌈(r+1)·H/Ho⌉ − 1); with it, blocks of
  kernel_shape every ``stride`` (default kernel_shape).

Kernels may carry any parameter of the synapse type: ``weights``/``kernel`` is
the weight kernel and further keyword arguments (``e_rev=…``, ``e_lo=…``) are
kernels of the same shape. Every kernel position inside the layer becomes an
ordinary connection (zero-valued elements included, so the kernel can be
changed later), seen by get/set/save.

Shared kernels
--------------
Projections made by Kernel-, Conv2d- and Local2dConnector keep the map from
connections to kernel elements: ``prj.kernel`` reads the weight kernel back
from the connections and ``prj.kernel = K`` sets every connection from its
element; ``prj.get_kernel('e_rev')`` / ``prj.set_kernel(e_rev=K)`` do the same
for other parameters. If a Conv2d/Local2d connector has no ``weights``, the
kernel comes from the synapse type's weight: a number, an array of the kernel's
shape, or a RandomDistribution drawn once per kernel element (so the weights
are shared). ``prj.set(weight=...)`` on individual connections unties them;
the kernel then reports the mean of each element's connections.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from pynnlite.connectors.base import ConnectionArrays, ConnectionContext, Connector
from pynnlite.errors import ConnectionError, InvalidDimensionsError, InvalidParameterValueError

__all__ = ["KernelConnector", "Conv2dConnector", "Local2dConnector", "AveragePool2dConnector"]


# -- layer shapes -----------------------------------------------------------------------

def layer_shape(cells: Any, argument: str = "population") -> tuple[int, int, int]:
    """(channels, height, width) of a population with a 2-D (or channels × 2-D) structure."""
    from pynnlite.populations import Population
    from pynnlite.space import Grid2D
    label = getattr(cells, "label", "?")
    if isinstance(cells, Population):
        shape = tuple(int(s) for s in cells.shape)
        if len(shape) == 3:
            return shape  # type: ignore[return-value]
        if len(shape) == 2:
            return (1, shape[0], shape[1])
        if len(shape) == 1 and isinstance(cells.structure, Grid2D):
            nx, ny = cells.structure.calculate_size(cells.size)
            return (1, nx, ny)
    raise InvalidDimensionsError(
        f"{argument} {label!r} has no 2-D structure: create it as Population((height, width), ...) or "
        f"Population((channels, height, width), ...), or with structure=Grid2D(...)")


def _pair(name: str, value: Any, minimum: int) -> tuple[int, int]:
    values = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(values) != 2 or not all(isinstance(v, (int, np.integer)) and v >= minimum for v in values):
        raise InvalidParameterValueError(f"{name} must be an integer >= {minimum} or a pair of them, got {value!r}")
    return int(values[0]), int(values[1])


def _output_size(size: int, kernel: int, stride: int, padding: int, axis: str, argument: str) -> int:
    if kernel > size + 2 * padding:
        raise InvalidDimensionsError(
            f"{argument} {kernel} is larger than the input {axis} {size} plus padding 2×{padding}: "
            f"give padding >= {(kernel - size + 1) // 2} or a smaller kernel")
    return (size + 2 * padding - kernel) // stride + 1


# -- shared kernels ----------------------------------------------------------------------

class SharedKernel:
    """The map from a projection's connections to the elements of a kernel, and its values."""

    def __init__(self, shape: tuple[int, ...], index: np.ndarray, values: dict[str, np.ndarray]):
        self.shape = tuple(int(s) for s in shape)
        self.size = int(np.prod(self.shape))
        self.index = np.asarray(index, dtype=np.int64)
        self.values = {name: np.asarray(v, dtype=float).reshape(self.shape) for name, v in values.items()}
        self.projection: Any = None

    def bind(self, projection: Any) -> None:
        """Attach to the projection; tie the weights to the kernel when the connector gave none."""
        self.projection = projection
        if "weight" in self.values:
            return
        spec = projection.synapse_type.parameter_space.get("weight")
        kernel = None
        if hasattr(spec, "keyed_values"):
            kernel = np.asarray(spec.keyed_values(projection.rng.stream_key(), np.arange(self.size), 0),
                                dtype=float)
        elif isinstance(spec, (int, float, np.integer, np.floating)):
            kernel = np.full(self.size, float(spec))
        elif isinstance(spec, (list, tuple, np.ndarray)) and np.shape(spec) == self.shape:
            kernel = np.asarray(spec, dtype=float).ravel()
        if kernel is not None:
            self.values["weight"] = kernel.reshape(self.shape)
            # the whole kernel is checked, so that every process finds the same error
            projection._store({"weight": projection._checked("weight", kernel)[self.index]})

    def get(self, name: str) -> np.ndarray:
        """The kernel of attribute ``name``: each element's value, exactly, while the connections
        sharing it are equal; else their mean, summed in the projection's (pre, post) order on
        any number of processes. Elements without connections: the kernel given (else NaN)."""
        projection = self.projection
        table = projection._table
        column = np.asarray(projection._column(name), dtype=float)
        comm = projection.simulation.comm
        low, high = np.full(self.size, np.inf), np.full(self.size, np.inf)
        np.minimum.at(low, self.index, column)
        np.minimum.at(high, self.index, -column)
        if comm.size > 1:
            low, high = np.asarray(comm.allreduce_min(low)), np.asarray(comm.allreduce_min(high))
        high = -high
        used = low <= high
        fallback = self.values.get(name)
        kernel = fallback.ravel().copy() if fallback is not None else np.full(self.size, np.nan)
        if np.array_equal(low[used], high[used]):
            kernel[used] = low[used]
        else:
            index, column = self.index, column
            if comm.size > 1:   # every connection, in the order one process holds them
                index, column = comm.collect_columns([index, column], "all", table.post, table.flat_index())
                index = index.astype(np.int64)
            sums = np.bincount(index, column, minlength=self.size)
            counts = np.bincount(index, minlength=self.size)
            kernel[used] = sums[used] / counts[used]
        return kernel.reshape(self.shape)

    def set(self, kernels: dict[str, Any]) -> None:
        projection = self.projection
        names = projection.synapse_parameter_names()
        checked = {}
        for name, value in kernels.items():
            if name not in names:
                raise InvalidParameterValueError(
                    f"{name!r} is not a parameter of {projection.synapse_type.name}; valid: {', '.join(names)}")
            array = _numbers(f"kernel {name}", value)
            if array.ndim and array.shape != self.shape:
                raise InvalidDimensionsError(f"kernel {name}: expected shape {self.shape}, got {array.shape}")
            array = np.broadcast_to(array, self.shape)
            checked[name] = (array.copy(), projection._checked(name, array.ravel().copy())[self.index])
        projection._store({name: column for name, (_, column) in checked.items()})
        for name, (array, _) in checked.items():
            self.values[name] = array


def projection_kernel(projection: Any) -> SharedKernel:
    kernel = getattr(projection, "_kernel", None)
    if kernel is None:
        raise ConnectionError(
            f"projection {projection.label!r} has no shared kernel: only KernelConnector, Conv2dConnector and "
            f"Local2dConnector projections have one (its connector is {type(projection.connector).__name__})")
    return kernel


@dataclass
class KernelConnectionArrays(ConnectionArrays):
    """Connections plus the kernel element each one uses."""

    kernel: SharedKernel | None = None

    def take(self, permutation: np.ndarray) -> "KernelConnectionArrays":
        super().take(permutation)
        if self.kernel is not None:
            self.kernel.index = self.kernel.index[permutation]
        return self


def _kernel_values(kernels: dict[str, Any], weights: np.ndarray | None, shape: tuple) -> dict[str, np.ndarray]:
    """The per-element parameter kernels, checked against ``shape``, with ``weights`` (if given)
    as the weight kernel."""
    values = _check_kernels(kernels, shape, "kernel")
    if weights is not None:
        values["weight"] = _check_kernels({"weights": weights}, shape, "")["weights"]
    return values


def _numbers(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array; InvalidParameterValueError naming ``name`` unless it holds numbers."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterValueError(f"{name} must be an array of numbers, got {value!r}") from None


def _check_kernels(kernels: dict[str, Any], shape: tuple[int, ...], what: str) -> dict[str, np.ndarray]:
    out = {}
    for name, value in kernels.items():
        label = f"{what} {name!r}".strip()
        array = _numbers(label, value)
        if array.shape != shape:
            raise InvalidDimensionsError(f"{label} must have shape {shape}, got {array.shape}")
        if np.isnan(array).any():
            raise InvalidParameterValueError(f"{label}: NaN is not a valid value")
        out[name] = array
    return out


def _finish(connector: Connector, context: ConnectionContext, pre: np.ndarray, post: np.ndarray,
            element: np.ndarray, shape: tuple[int, ...] | None, values: dict[str, np.ndarray],
            fixed: dict[str, np.ndarray] | None = None) -> ConnectionArrays:
    """Drop self-connections if asked, attach values per connection and the shared kernel."""
    if not getattr(connector, "allow_self_connections", True):
        keep = ~context.is_self(pre, post)
        pre, post, element = pre[keep], post[keep], element[keep]
        if fixed:
            fixed = {k: v[keep] for k, v in fixed.items()}
    connector.progress(1.0)
    per_connection = {name: kernel.ravel()[element] for name, kernel in values.items()}
    per_connection.update(fixed or {})
    kernel = SharedKernel(shape, element, values) if shape is not None else None
    return KernelConnectionArrays(pre, post, per_connection, kernel=kernel)


def _geometry(pre_shape, post_shape, kernel_hw, stride, padding, argument, out_channels=None):
    """Output shape of a strided 2-D window; checks the post layer matches."""
    _, H, W = pre_shape
    kh, kw = kernel_hw
    sh, sw = stride
    ph, pw = padding
    out = (out_channels if out_channels is not None else pre_shape[0],
           _output_size(H, kh, sh, ph, "height", argument), _output_size(W, kw, sw, pw, "width", argument))
    if tuple(post_shape) != out:
        raise InvalidDimensionsError(
            f"postsynaptic population shape (channels, height, width) = {tuple(post_shape)} does not match the "
            f"output of the connector for input {tuple(pre_shape)}: expected {out}")
    return out


def _windows(posts: np.ndarray, out_shape, in_shape, kernel_hw, stride, padding, in_channel_offsets):
    """For each post (rows) and kernel element (columns): pre index and validity.

    ``in_channel_offsets(co)`` gives, for the post channels co (n,), the pre channels (n, K)
    of the K kernel elements; spatial offsets come from the element's (a, b)."""
    kh, kw = kernel_hw
    co, ro, wo = np.unravel_index(posts, out_shape)
    ci, a, b = in_channel_offsets(co)
    ri = ro[:, None] * stride[0] - padding[0] + a
    wi = wo[:, None] * stride[1] - padding[1] + b
    C, H, W = in_shape
    valid = (ri >= 0) & (ri < H) & (wi >= 0) & (wi < W) & (ci >= 0) & (ci < C)
    pre = (np.clip(ci, 0, C - 1) * H + np.clip(ri, 0, H - 1)) * W + np.clip(wi, 0, W - 1)
    return pre, valid


class KernelConnector(Connector):
    """Pattern (kernel) connectivity between 2-D layers, sns-toolbox/conex-lateral style.

    ``kernel``: weights, shape (kh, kw) — applied within each channel — or (kd, kh, kw) —
    spanning kd channels; ``padding``: 'same' (odd sizes, equal layer shapes) or 'valid';
    further keyword arguments are kernels of other synapse parameters (e.g. ``e_rev=``).
    ``allow_self_connections``: whether the kernel centre connects a cell to itself when
    pre and post are the same population.
    """

    parameter_names = ("kernel", "padding", "allow_self_connections")

    def __init__(self, kernel: Any, padding: str = "same", allow_self_connections: bool = True,
                 safe: bool = True, callback: Callable[[float], None] | None = None, **kernels: Any):
        super().__init__(None, safe, callback)
        array = _numbers("kernel", kernel)
        if array.ndim not in (2, 3) or 0 in array.shape:
            raise InvalidDimensionsError(f"kernel must be a 2-D (kh, kw) or 3-D (kd, kh, kw) array, got shape {array.shape}")
        if np.isnan(array).any():
            raise InvalidParameterValueError("kernel: NaN is not a valid value")
        if padding not in ("same", "valid"):
            raise InvalidParameterValueError(f"padding must be 'same' or 'valid', got {padding!r}")
        if padding == "same" and any(s % 2 == 0 for s in array.shape):
            raise InvalidDimensionsError(f"padding='same' needs odd kernel sizes, got kernel shape {array.shape}")
        self.kernel = array
        self.padding = padding
        self.allow_self_connections = allow_self_connections
        self.kernels = _check_kernels(kernels, array.shape, "kernel")

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        projection = context.extra["projection"]
        pre_shape = layer_shape(projection.pre, "presynaptic_population")
        post_shape = layer_shape(projection.post, "postsynaptic_population")
        k3 = self.kernel if self.kernel.ndim == 3 else self.kernel[None]
        kd, kh, kw = k3.shape
        C, H, W = pre_shape
        if self.padding == "same":
            if tuple(post_shape) != tuple(pre_shape):
                raise InvalidDimensionsError(
                    f"KernelConnector(padding='same') needs pre and post layers of the same shape, got "
                    f"presynaptic {pre_shape} and postsynaptic {post_shape}")
            pd, ph, pw = (kd // 2 if self.kernel.ndim == 3 else 0), kh // 2, kw // 2
        else:
            pd, ph, pw = 0, 0, 0
            for size, k, axis in ((H, kh, "height"), (W, kw, "width")):
                if k > size:
                    raise InvalidDimensionsError(
                        f"kernel size {k} is larger than the input {axis} {size} with padding='valid'")
            if self.kernel.ndim == 3 and kd > C:
                raise InvalidDimensionsError(f"kernel depth {kd} is larger than the input channels {C}")
            out = ((C - kd + 1) if self.kernel.ndim == 3 else C, H - kh + 1, W - kw + 1)
            if tuple(post_shape) != out:
                raise InvalidDimensionsError(
                    f"postsynaptic population shape {post_shape} does not match KernelConnector(padding='valid') "
                    f"output {out} for input {pre_shape}")
        d, a, b = np.unravel_index(np.arange(kd * kh * kw), (kd, kh, kw))

        def channels(co):
            return co[:, None] + d[None, :] - pd, a[None, :], b[None, :]

        posts = np.asarray(context.post_local, dtype=np.int64)
        pre, valid = _windows(posts, post_shape, pre_shape, (kh, kw), (1, 1), (ph, pw), channels)
        element = np.broadcast_to(np.arange(kd * kh * kw), valid.shape)
        post = np.broadcast_to(posts[:, None], valid.shape)
        values = {"weight": self.kernel, **self.kernels}
        return _finish(self, context, pre[valid], post[valid], element[valid], self.kernel.shape, values)

    def get_parameters(self) -> dict[str, Any]:
        return {"kernel": self.kernel.tolist(), "padding": self.padding,
                "allow_self_connections": self.allow_self_connections,
                **{name: k.tolist() for name, k in self.kernels.items()}}


class _Strided2d(Connector):
    """Common arguments of the convolution-like connectors."""

    parameter_names = ("kernel_shape", "stride", "padding", "in_channels", "out_channels")

    def __init__(self, kernel_shape: Any, stride: Any = 1, padding: Any = 0, in_channels: int | None = None,
                 out_channels: int | None = None, allow_self_connections: bool = True, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        super().__init__(None, safe, callback)
        self.kernel_shape = _pair("kernel_shape", kernel_shape, 1)
        self.stride = _pair("stride", stride, 1)
        self.padding = _pair("padding", padding, 0)
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if value is not None and not (isinstance(value, (int, np.integer)) and value >= 1):
                raise InvalidParameterValueError(f"{name} must be a positive integer or None, got {value!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.allow_self_connections = allow_self_connections

    def _shapes(self, context: ConnectionContext) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        projection = context.extra["projection"]
        pre_shape = layer_shape(projection.pre, "presynaptic_population")
        post_shape = layer_shape(projection.post, "postsynaptic_population")
        if self.in_channels is not None and self.in_channels != pre_shape[0]:
            raise InvalidDimensionsError(
                f"in_channels={self.in_channels} does not match the presynaptic population's {pre_shape[0]} "
                f"channels (shape {pre_shape})")
        if self.out_channels is not None and self.out_channels != post_shape[0]:
            raise InvalidDimensionsError(
                f"out_channels={self.out_channels} does not match the postsynaptic population's {post_shape[0]} "
                f"channels (shape {post_shape})")
        _geometry(pre_shape, post_shape, self.kernel_shape, self.stride, self.padding, "kernel_shape",
                  out_channels=post_shape[0])
        return pre_shape, post_shape

    def _window_connections(self, context, pre_shape, post_shape):
        kh, kw = self.kernel_shape
        c_in = pre_shape[0]
        ci, a, b = np.unravel_index(np.arange(c_in * kh * kw), (c_in, kh, kw))

        def channels(co):
            n = co.size
            return np.broadcast_to(ci, (n, ci.size)), a[None, :], b[None, :]

        posts = np.asarray(context.post_local, dtype=np.int64)
        pre, valid = _windows(posts, post_shape, pre_shape, (kh, kw), self.stride, self.padding, channels)
        return posts, pre, valid, c_in * kh * kw

    def get_parameters(self) -> dict[str, Any]:
        return {"kernel_shape": self.kernel_shape, "stride": self.stride, "padding": self.padding,
                "in_channels": self.in_channels, "out_channels": self.out_channels}


class Conv2dConnector(_Strided2d):
    """Convolutional connectivity with a kernel shared by all positions (conex Conv2d).

    ``weights`` (optional): shape (out_channels, in_channels, kh, kw); without it the kernel
    comes from the synapse type's weight (a number, an array of that shape, or a
    RandomDistribution drawn once per kernel element). Further keyword arguments are kernels of
    other synapse parameters, same shape. Padding is zero padding (no connection).
    """

    parameter_names = _Strided2d.parameter_names + ("weights",)

    def __init__(self, kernel_shape: Any, stride: Any = 1, padding: Any = 0, in_channels: int | None = None,
                 out_channels: int | None = None, weights: Any = None, allow_self_connections: bool = True,
                 safe: bool = True, callback: Callable[[float], None] | None = None, **kernels: Any):
        super().__init__(kernel_shape, stride, padding, in_channels, out_channels, allow_self_connections,
                         safe, callback)
        self.weights = None if weights is None else _numbers("weights", weights)
        if self.weights is not None:
            if self.weights.ndim != 4 or self.weights.shape[2:] != self.kernel_shape:
                raise InvalidDimensionsError(
                    f"weights must have shape (out_channels, in_channels, {self.kernel_shape[0]}, "
                    f"{self.kernel_shape[1]}), got {self.weights.shape}")
            for name, value, axis in (("out_channels", out_channels, 0), ("in_channels", in_channels, 1)):
                if value is not None and self.weights.shape[axis] != value:
                    raise InvalidDimensionsError(f"weights shape {self.weights.shape} does not match {name}={value}")
        self.kernels = kernels

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        pre_shape, post_shape = self._shapes(context)
        shape = (post_shape[0], pre_shape[0]) + self.kernel_shape
        values = _kernel_values(self.kernels, self.weights, shape)
        posts, pre, valid, k = self._window_connections(context, pre_shape, post_shape)
        co = np.unravel_index(posts, post_shape)[0]
        element = co[:, None] * k + np.arange(k)[None, :]
        post = np.broadcast_to(posts[:, None], valid.shape)
        return _finish(self, context, pre[valid], post[valid], element[valid], shape, values)

    def get_parameters(self) -> dict[str, Any]:
        return {**super().get_parameters(), "weights": None if self.weights is None else self.weights.tolist()}


class Local2dConnector(_Strided2d):
    """Locally connected (untied) 2-D connectivity (conex Local2d): the geometry of Conv2dConnector
    with one weight per (out channel, row, column, in channel, a, b).

    ``weights`` (optional): shape (out_channels, H_out, W_out, in_channels, kh, kw) (conex's
    kernel_shape); otherwise from the synapse type's weight as for Conv2dConnector.
    """

    parameter_names = _Strided2d.parameter_names + ("weights",)

    def __init__(self, kernel_shape: Any, stride: Any = 1, padding: Any = 0, in_channels: int | None = None,
                 out_channels: int | None = None, weights: Any = None, allow_self_connections: bool = True,
                 safe: bool = True, callback: Callable[[float], None] | None = None, **kernels: Any):
        super().__init__(kernel_shape, stride, padding, in_channels, out_channels, allow_self_connections,
                         safe, callback)
        self.weights = None if weights is None else _numbers("weights", weights)
        self.kernels = kernels

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        pre_shape, post_shape = self._shapes(context)
        shape = tuple(post_shape) + (pre_shape[0],) + self.kernel_shape
        values = _kernel_values(self.kernels, self.weights, shape)
        posts, pre, valid, k = self._window_connections(context, pre_shape, post_shape)
        element = posts[:, None] * k + np.arange(k)[None, :]
        post = np.broadcast_to(posts[:, None], valid.shape)
        return _finish(self, context, pre[valid], post[valid], element[valid], shape, values)

    def get_parameters(self) -> dict[str, Any]:
        return {**super().get_parameters(), "weights": None if self.weights is None else self.weights.tolist()}


class AveragePool2dConnector(Connector):
    """Average pooling: channel c → channel c, weight 1/(block size) per connection, so that each
    post cell's weights sum to 1.

    ``kernel_shape=None``: adaptive pooling to the post layer's height and width (conex
    AveragePool2D; blocks may overlap when the sizes do not divide). Otherwise blocks of
    ``kernel_shape`` every ``stride`` (default: kernel_shape), no padding.
    """

    parameter_names = ("kernel_shape", "stride")

    def __init__(self, kernel_shape: Any = None, stride: Any = None, safe: bool = True,
                 callback: Callable[[float], None] | None = None):
        super().__init__(None, safe, callback)
        self.kernel_shape = None if kernel_shape is None else _pair("kernel_shape", kernel_shape, 1)
        if stride is not None and self.kernel_shape is None:
            raise InvalidParameterValueError("stride needs kernel_shape (adaptive pooling has no stride)")
        self.stride = (None if self.kernel_shape is None
                       else (self.kernel_shape if stride is None else _pair("stride", stride, 1)))

    def connect(self, context: ConnectionContext) -> ConnectionArrays:
        projection = context.extra["projection"]
        pre_shape = layer_shape(projection.pre, "presynaptic_population")
        post_shape = layer_shape(projection.post, "postsynaptic_population")
        C, H, W = pre_shape
        if post_shape[0] != C:
            raise InvalidDimensionsError(
                f"AveragePool2dConnector keeps the channels: postsynaptic population shape {post_shape} must have "
                f"{C} channels like the presynaptic {pre_shape}")
        Ho, Wo = post_shape[1:]
        if self.kernel_shape is None:
            if Ho > H or Wo > W:
                raise InvalidDimensionsError(
                    f"adaptive average pooling cannot enlarge: postsynaptic population shape {post_shape} is larger "
                    f"than the presynaptic {pre_shape}")
            r0 = (np.arange(Ho) * H) // Ho
            r1 = -((-(np.arange(Ho) + 1) * H) // Ho)
            q0 = (np.arange(Wo) * W) // Wo
            q1 = -((-(np.arange(Wo) + 1) * W) // Wo)
        else:
            _geometry(pre_shape, post_shape, self.kernel_shape, self.stride, (0, 0), "kernel_shape")
            r0 = np.arange(Ho) * self.stride[0]
            r1 = r0 + self.kernel_shape[0]
            q0 = np.arange(Wo) * self.stride[1]
            q1 = q0 + self.kernel_shape[1]
        max_h, max_w = int((r1 - r0).max()), int((q1 - q0).max())
        posts = np.asarray(context.post_local, dtype=np.int64)
        c, ro, wo = np.unravel_index(posts, post_shape)
        da, db = np.unravel_index(np.arange(max_h * max_w), (max_h, max_w))
        ri = r0[ro][:, None] + da[None, :]
        wi = q0[wo][:, None] + db[None, :]
        valid = (ri < r1[ro][:, None]) & (wi < q1[wo][:, None])
        block = ((r1 - r0)[ro] * (q1 - q0)[wo]).astype(float)
        pre = (c[:, None] * H + np.minimum(ri, H - 1)) * W + np.minimum(wi, W - 1)
        post = np.broadcast_to(posts[:, None], valid.shape)
        weight = np.broadcast_to((1.0 / block)[:, None], valid.shape)
        self.progress(1.0)
        return ConnectionArrays(pre[valid], post[valid], {"weight": weight[valid].copy()})

    def get_parameters(self) -> dict[str, Any]:
        return {"kernel_shape": self.kernel_shape, "stride": self.stride}
