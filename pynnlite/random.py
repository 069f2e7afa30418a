"""Random number generators and random distributions, PyNN 0.13-compatible,
plus keyed (counter-based) streams for results that do not depend on the MPI layout.

Two ways of drawing values:

* sequential, as in PyNN: ``NumpyRNG.next`` and ``RandomDistribution.next`` use a
  ``numpy.random.RandomState`` (Mersenne Twister) seeded with ``seed``, so a
  given seed gives the same numbers as PyNN's ``NumpyRNG``;
* keyed: ``keyed_uniform(stream, keys, counters)`` is a pure function of its
  arguments, so a process can compute the values of the connections it owns
  without drawing anybody else's.  ``RandomDistribution.keyed_values`` turns
  keyed uniforms into values of the distribution by inverse transform.
"""
from __future__ import annotations

import numbers
import operator
import os
import sys
from contextlib import contextmanager
from functools import reduce
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
from lazyarray import VectorizedIterable
from scipy import special, stats

from pynnlite.errors import (InvalidDimensionsError, InvalidKeyError, InvalidParameterValueError,
                             NonExistentParameterError)

#: Parameter names of each distribution, in positional order (as in PyNN 0.13).
available_distributions: dict[str, tuple[str, ...]] = {
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

#: Redraw rounds allowed for ``normal_clipped`` in sequential draws (as in PyNN).
MAX_REDRAWS = 1000

#: Seed of the module's default generator (see `get_default_rng`).
DEFAULT_SEED = 4242

#: GSL is never available in pynnlite.
have_gsl = False

_DISCRETE = frozenset({"binomial", "poisson", "uniform_int"})
_SEED_LIMIT = 2 ** 32  # numpy.random.RandomState accepts seeds in [0, 2**32)
_MPI_ENV_SIZE = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS")


def get_mpi_config() -> tuple[int, int]:
    """(rank, number of processes) of this MPI job; (0, 1) outside MPI.

    mpi4py is only imported if it already was, or if the environment shows an
    MPI launcher, so that serial scripts do not initialise MPI.
    """
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is None:
        launched = any(os.environ.get(v, "1") not in ("", "0", "1") for v in _MPI_ENV_SIZE)
        if not launched:
            return 0, 1
        try:
            from mpi4py import MPI as mpi
        except ImportError:
            return 0, 1
    comm = mpi.COMM_WORLD
    return comm.Get_rank(), comm.Get_size()


#: Set by the MPI backend: broadcasts rank 0's value to every process (a checked collective).
broadcast_seed: Any = None


def _entropy_seed() -> int:
    """A seed from OS entropy; under MPI rank 0's, broadcast, so that every process of a
    job gets the same network from ``NumpyRNG()`` (every process must create it)."""
    seed = int.from_bytes(os.urandom(4), "little")
    if broadcast_seed is not None:
        return int(broadcast_seed(seed))
    rank, size = get_mpi_config()
    if size > 1:
        from mpi4py import MPI
        seed = int(MPI.COMM_WORLD.bcast(seed, root=0))
    return seed


# ---------------------------------------------------------------- keyed streams

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15       # 2**64 / golden ratio, odd
_KEY_MULT = 0xD1B54A32D192ED03     # odd multiplier spreading the keys
_MIX_A = 0xBF58476D1CE4E5B9        # SplitMix64 finaliser constants
_MIX_B = 0x94D049BB133111EB
_STREAM_SALT = 0x5EED5EED5EED5EED
_U_GOLDEN = np.uint64(_GOLDEN)
_U_KEY_MULT = np.uint64(_KEY_MULT)
_U_MIX_A = np.uint64(_MIX_A)
_U_MIX_B = np.uint64(_MIX_B)
_TWO_M52 = 2.0 ** -52


def _mix64(z: int) -> int:
    """SplitMix64 finaliser of one Python int (a bijection of 64-bit values)."""
    z &= _MASK64
    z = ((z ^ (z >> 30)) * _MIX_A) & _MASK64
    z = ((z ^ (z >> 27)) * _MIX_B) & _MASK64
    return z ^ (z >> 31)


def _mix64_inplace(z: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser applied in place to a uint64 array (wraps modulo 2**64)."""
    z ^= np.right_shift(z, np.uint64(30), out=tmp)
    z *= _U_MIX_A
    z ^= np.right_shift(z, np.uint64(27), out=tmp)
    z *= _U_MIX_B
    z ^= np.right_shift(z, np.uint64(31), out=tmp)
    return z


def _as_index_array(value: Any, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
        raise InvalidParameterValueError(f"{name} must be integers, got dtype {arr.dtype}")
    return arr


def _check_size(size: Any) -> tuple[int, ...] | None:
    """``size`` of a draw as numpy takes it: None (one value), an int >= 0 or a tuple of them."""
    dims = (size,) if not isinstance(size, (tuple, list)) else tuple(size)
    if size is not None and not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 0
                                    for d in dims):
        raise InvalidParameterValueError(f"size must be None, an int >= 0 or a tuple of them, got {size!r}")
    return None if size is None else tuple(int(d) for d in dims)


def _as_stream(stream: Any) -> int:
    if isinstance(stream, bool) or not isinstance(stream, numbers.Integral):
        raise InvalidParameterValueError(
            f"stream must be an int (e.g. from NumpyRNG.stream_key()), got {stream!r}")
    return int(stream) & _MASK64


def keyed_uniform(stream: int, keys: Any, counters: Any) -> np.ndarray:
    """Uniform floats in the open interval (0, 1), one per (key, counter) pair.

    A pure function of ``(stream, key, counter)``: ``keys`` and ``counters``
    (integer arrays) are broadcast together and each value depends only on its
    own pair, so any split of the keys between processes gives bitwise the same
    values.  Values are multiples of 2**-52 offset by 2**-53.
    """
    s1 = _mix64(_as_stream(stream) ^ _STREAM_SALT)
    s2 = _mix64(s1 + _GOLDEN)
    k, c = np.broadcast_arrays(_as_index_array(keys, "keys"), _as_index_array(counters, "counters"))
    h = k.astype(np.uint64)                      # fresh, contiguous copy
    tmp = np.empty_like(h)
    h *= _U_KEY_MULT
    h += np.uint64(s1)
    _mix64_inplace(h, tmp)                       # mix the key first ...
    h ^= np.uint64(s2)
    np.copyto(tmp, c, casting="unsafe")          # int64 -> uint64 wraps, as intended
    tmp *= _U_GOLDEN
    h += tmp                                     # ... then add counter * golden ratio ...
    _mix64_inplace(h, tmp)                       # ... and mix again
    h >>= np.uint64(12)                          # top 52 bits
    u = h.astype(np.float64)
    u += 0.5
    u *= _TWO_M52
    return u


# ------------------------------------------------------------------ generators

class AbstractRNG:
    """Base class of pynnlite's random number generators (PyNN's AbstractRNG)."""

    def __init__(self, seed: int | None = None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise InvalidParameterValueError(f"seed must be an int or None, not {type(seed).__name__}")
        self.seed = None if seed is None else int(seed)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed!r})"

    def next(self, n: int | None = None, distribution: str | None = None,
             parameters: Mapping[str, Any] | Sequence[Any] | None = None,
             mask: np.ndarray | None = None) -> Any:
        """Return ``n`` values of ``distribution`` (a single value if ``n`` is None)."""
        raise NotImplementedError

    # PyNN aliases
    def random(self, *args, **kwargs):
        return self.next(*args, **kwargs)

    def sample(self, *args, **kwargs):
        return self.next(*args, **kwargs)


class WrappedRNG(AbstractRNG):
    """An RNG wrapping a Python-level generator; knows the MPI rank (PyNN's WrappedRNG).

    With ``parallel_safe=False`` and a seed, the seed is increased by the MPI rank
    so that processes draw different sequences (PyNN behaviour).
    """

    def __init__(self, seed: int | None = None, parallel_safe: bool = True):
        super().__init__(seed)
        self.parallel_safe = bool(parallel_safe)
        self.mpi_rank, self.num_processes = get_mpi_config()
        if self.seed is not None and not self.parallel_safe:
            self.seed += self.mpi_rank

    def next(self, n: int | None = None, distribution: str | None = None,
             parameters: Mapping[str, Any] | Sequence[Any] | None = None,
             mask: np.ndarray | None = None) -> Any:
        """Return ``n`` values of ``distribution`` with ``parameters``.

        n=None returns a single value, n=0 an empty array, n<0 raises.
        Without a distribution, returns uniform floats in [0, 1).
        ``parameters`` is a dict of named parameters or a positional sequence.
        ``mask`` (boolean array of length n, or indices) selects the values
        returned: with ``parallel_safe`` all n values are drawn and then masked,
        so a value does not depend on which process asks for it; without it,
        under MPI only the selected number of values is drawn.
        """
        if distribution is None:
            distribution = "uniform"
            if parameters is None:
                parameters = {"low": 0.0, "high": 1.0}
        params = _resolve_parameters(distribution, parameters, {})
        if n is None:
            _check_shapes(distribution, params, 1)
            return self._next(distribution, 1, params)[0]
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise InvalidParameterValueError(f"n must be a non-negative int or None, got {n!r}")
        n = int(n)
        if n < 0:
            raise InvalidParameterValueError(f"n must be a non-negative int or None, got {n}")
        if mask is not None:
            mask = _check_mask(mask, n)
            if not self.parallel_safe and self.num_processes > 1:
                count = int(mask.sum()) if mask.dtype == bool else mask.size
                return self._draw(distribution, count, params)
        values = self._draw(distribution, n, params)
        return values if mask is None else values[mask]

    def _draw(self, distribution: str, n: int, params: dict[str, Any]) -> np.ndarray:
        _check_shapes(distribution, params, n)
        if n == 0:
            dtype = np.int64 if distribution in _DISCRETE else float
            return np.empty(0, dtype=dtype)
        return np.asarray(self._next(distribution, n, params))

    def _next(self, distribution: str, n: int, params: dict[str, Any]) -> np.ndarray:
        raise NotImplementedError

    def describe(self) -> str:
        safe = "Is" if self.parallel_safe else "Not"
        return (f"{type(self).__name__}() with seed {self.seed} for MPI rank {self.mpi_rank} "
                f"(MPI processes {self.num_processes}). {safe} parallel safe.")


class NumpyRNG(WrappedRNG):
    """Wrapper of ``numpy.random.RandomState`` (Mersenne Twister), as PyNN's NumpyRNG.

    ``seed=None`` draws a seed from OS entropy and stores it in ``.seed`` so it
    can be reported.  Other RandomState methods (``permutation``, ``uniform``,
    ``normal``, ...) are available on the NumpyRNG itself.
    ``stream_key()`` gives identifiers of keyed streams (see `keyed_uniform`).
    """

    def __init__(self, seed: int | None = None, parallel_safe: bool = True):
        if seed is None:
            seed = _entropy_seed()
        super().__init__(seed, parallel_safe)
        if not 0 <= self.seed < _SEED_LIMIT:
            raise InvalidParameterValueError(
                f"seed must be in [0, {_SEED_LIMIT - 1}] (numpy RandomState), got {self.seed}")
        self._stream_seed = int(seed)   # keyed streams do not depend on the MPI rank
        self._streams_issued = 0
        self.rng = np.random.RandomState(self.seed)

    def __getattr__(self, name: str) -> Any:
        # Give NumpyRNG the methods of the wrapped RandomState (as PyNN does).
        rng = self.__dict__.get("rng")
        if rng is None or name.startswith("_"):
            raise AttributeError(name)
        _before_drawing(self)
        return getattr(rng, name)

    def stream_key(self) -> int:
        """A new 64-bit keyed-stream identifier.

        Deterministic from (seed, number of previous calls) and independent of
        sequential draws, so every process running the same script gets the
        same streams in the same order.
        """
        _before_drawing(self)
        self._streams_issued += 1
        return _mix64(_mix64(self._stream_seed ^ _STREAM_SALT) + self._streams_issued * _GOLDEN)

    def _next(self, distribution: str, n: int, params: dict[str, Any]) -> np.ndarray:
        _before_drawing(self)
        rs, p = self.rng, params
        if distribution == "uniform":
            return rs.uniform(p["low"], p["high"], size=n)
        if distribution == "normal":
            return rs.normal(loc=p["mu"], scale=p["sigma"], size=n)
        if distribution == "normal_clipped":
            return self._normal_clipped(p["mu"], p["sigma"], p["low"], p["high"], n)
        if distribution == "normal_clipped_to_boundary":
            values = rs.normal(loc=p["mu"], scale=p["sigma"], size=n)
            return np.maximum(np.minimum(values, p["high"]), p["low"])
        if distribution == "uniform_int":
            return rs.randint(p["low"], p["high"], size=n)
        if distribution == "binomial":
            return rs.binomial(p["n"], p["p"], size=n)
        if distribution == "gamma":
            return rs.gamma(shape=p["k"], scale=p["theta"], size=n)
        if distribution == "exponential":
            return rs.exponential(scale=p["beta"], size=n)
        if distribution == "lognormal":
            return rs.lognormal(mean=p["mu"], sigma=p["sigma"], size=n)
        if distribution == "poisson":
            return rs.poisson(lam=p["lambda_"], size=n)
        if distribution == "vonmises":
            return rs.vonmises(p["mu"], p["kappa"], size=n)
        raise AssertionError(distribution)  # _resolve_parameters checked the name

    def normal_clipped(self, mu: float = 0.0, sigma: float = 1.0, low: float = -np.inf, high: float = np.inf,
                       size: int | tuple[int, ...] | None = None) -> Any:
        """Normal values (mean ``mu``, standard deviation ``sigma``) with those outside
        [``low``, ``high``] drawn again; one value for ``size=None``, else an array of that shape."""
        _resolve_parameters("normal_clipped", (mu, sigma, low, high), {})
        _before_drawing(self)
        shape = _check_size(size)
        values = self._normal_clipped(mu, sigma, low, high, 1 if shape is None else int(np.prod(shape)))
        return values[0] if shape is None else values.reshape(shape)

    def normal_clipped_to_boundary(self, mu: float = 0.0, sigma: float = 1.0, low: float = -np.inf,
                                   high: float = np.inf, size: int | tuple[int, ...] | None = None) -> Any:
        """Normal values (mean ``mu``, standard deviation ``sigma``) with those outside
        [``low``, ``high``] set to the nearer bound; one value for ``size=None``."""
        _resolve_parameters("normal_clipped_to_boundary", (mu, sigma, low, high), {})
        _before_drawing(self)
        return np.maximum(np.minimum(self.rng.normal(loc=mu, scale=sigma, size=_check_size(size)), high), low)

    def _normal_clipped(self, mu, sigma, low, high, n: int) -> np.ndarray:
        """Normal values, those outside [low, high] redrawn (at most MAX_REDRAWS rounds)."""
        values = self.rng.normal(loc=mu, scale=sigma, size=n)
        outside = np.flatnonzero((values > high) | (values < low))
        rounds = 0
        while outside.size > 0:
            if rounds > MAX_REDRAWS:
                raise InvalidParameterValueError(
                    f"normal_clipped(mu={mu}, sigma={sigma}, low={low}, high={high}): more than "
                    f"{MAX_REDRAWS} redraws needed; check the parameters (keyed_values has no such limit)")
            redrawn = self.rng.normal(loc=mu, scale=sigma, size=outside.size)
            values[outside] = redrawn
            outside = outside[(redrawn > high) | (redrawn < low)]
            rounds += 1
        return values


class NativeRNG(NumpyRNG):
    """PyNN's 'use the simulator's own RNG': pynnlite's simulators use NumpyRNG."""

    def __str__(self) -> str:
        return f"NativeRNG(seed={self.seed})"


class GSLRNG(WrappedRNG):
    """Placeholder for PyNN's GSL generators, which pynnlite does not provide."""

    def __init__(self, seed: int | None = None, type: str = "mt19937", parallel_safe: bool = True):  # noqa: A002
        raise ImportError("GSLRNG: the GNU Scientific Library (pygsl) is not available in pynnlite; "
                          "use pynnlite.random.NumpyRNG(seed=..., parallel_safe=...) instead")


def check_rng(rng: Any) -> Any:
    """``rng``, or InvalidParameterValueError unless it is None or a random number generator
    (pynnlite's, or one with numpy's methods such as ``permutation``)."""
    if rng is not None and not isinstance(rng, AbstractRNG) and not hasattr(rng, "permutation"):
        raise InvalidParameterValueError(
            f"rng must be a pynnlite.random RNG (e.g. NumpyRNG) or None, got {type(rng).__name__}")
    return rng


_default_rng: NumpyRNG | None = None


def get_default_rng() -> NumpyRNG:
    """The module's reproducible default generator, ``NumpyRNG(seed=DEFAULT_SEED)``."""
    global _default_rng
    if _default_rng is None:
        _default_rng = NumpyRNG(seed=DEFAULT_SEED)
    return _default_rng


def set_default_rng_seed(seed: int) -> NumpyRNG:
    """Replace the module's default generator by ``NumpyRNG(seed)`` and return it."""
    global _default_rng
    _default_rng = NumpyRNG(seed=seed)
    return _default_rng


# -------------------------------------------------------------- distributions

def _check_mask(mask: Any, n: int) -> np.ndarray:
    mask = np.asarray(mask)
    if mask.dtype == bool:
        if mask.shape != (n,):
            raise InvalidDimensionsError(f"mask: a boolean array of shape ({n},) was expected, got {mask.shape}")
        return mask
    if not np.issubdtype(mask.dtype, np.integer) or mask.ndim != 1:
        raise InvalidParameterValueError(
            f"mask must be a boolean array of length n or a 1-D array of indices, got dtype {mask.dtype}")
    if mask.size and (mask.min() < -n or mask.max() >= n):
        raise InvalidParameterValueError(f"mask: indices must be in [0, {n}), got {mask.min()}..{mask.max()}")
    return mask


def _resolve_parameters(distribution: str, positional: Any, named: Mapping[str, Any]) -> dict[str, Any]:
    """Named parameters of ``distribution`` from a positional sequence or dict, or keywords; validated."""
    if not isinstance(distribution, str) or distribution not in available_distributions:
        raise InvalidKeyError(
            f"distribution={distribution!r} is not available; choose one of: "
            f"{', '.join(available_distributions)}")
    expected = available_distributions[distribution]
    if isinstance(positional, Mapping):
        if named:
            raise InvalidParameterValueError("give the parameters either as a dict or as keywords, not both")
        positional, named = None, positional
    if positional is not None:
        if named:
            raise InvalidParameterValueError(
                f"give the parameters of '{distribution}' either positionally or by name, not both")
        if isinstance(positional, (str, bytes)) or not isinstance(positional, (Sequence, np.ndarray)):
            raise InvalidParameterValueError(
                f"parameters_pos must be a tuple or list ({', '.join(expected)}), got {positional!r}")
        if len(positional) != len(expected):
            raise InvalidParameterValueError(
                f"'{distribution}' takes {len(expected)} parameters ({', '.join(expected)}), "
                f"got {len(positional)}: {tuple(positional)!r}")
        params = dict(zip(expected, positional))
    else:
        for name in named:
            if name not in expected:
                raise NonExistentParameterError(name, f"the '{distribution}' distribution", expected)
        missing = [name for name in expected if name not in named]
        if missing:
            raise InvalidKeyError(
                f"'{distribution}' needs the parameters {', '.join(expected)}; missing: {', '.join(missing)}")
        params = {name: named[name] for name in expected}
    _validate(distribution, params)
    return params


def _check_shapes(distribution: str, params: dict[str, Any], n: int) -> None:
    """InvalidDimensionsError unless each parameter is one number or one per value drawn (``n``)."""
    for name, value in params.items():
        if np.ndim(value) and np.shape(value) not in ((n,), (1,)):
            raise InvalidDimensionsError(
                f"{distribution}: {name} must be one number or one per value drawn ({n}), got shape {np.shape(value)}")


def _validate(distribution: str, params: dict[str, Any]) -> None:
    arrays = {}
    for name, value in params.items():
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise InvalidParameterValueError(
                f"{distribution}: {name} must be a number, got {value!r}") from None
        if np.isnan(arr).any():
            raise InvalidParameterValueError(f"{distribution}: {name} must not be NaN")
        arrays[name] = arr

    def require(condition, message: str) -> None:
        if not np.all(condition):
            raise InvalidParameterValueError(f"{distribution}({_format_params(params)}): {message}")

    a = arrays
    if "sigma" in a:
        require(a["sigma"] >= 0, "sigma must be >= 0")
    if distribution == "binomial":
        require((a["n"] >= 0) & (a["n"] == np.floor(a["n"])), "n must be a whole number >= 0")
        require((a["p"] >= 0) & (a["p"] <= 1), "p must be in [0, 1]")
    elif distribution == "gamma":
        require(a["k"] > 0, "k must be > 0")
        require(a["theta"] > 0, "theta must be > 0")
    elif distribution == "exponential":
        require(a["beta"] > 0, "beta must be > 0")
    elif distribution == "poisson":
        require((a["lambda_"] >= 0) & np.isfinite(a["lambda_"]), "lambda_ must be finite and >= 0")
    elif distribution == "uniform":
        require(a["low"] <= a["high"], "low must be <= high")
        require(np.isfinite(a["low"]) & np.isfinite(a["high"]), "low and high must be finite")
    elif distribution == "uniform_int":
        require((a["low"] == np.floor(a["low"])) & (a["high"] == np.floor(a["high"])),
                "low and high must be whole numbers")
        require(a["low"] < a["high"], "low must be < high (high is excluded)")
    elif distribution == "normal_clipped":
        require(a["low"] < a["high"], "low must be < high")
        require((a["sigma"] > 0) | ((a["mu"] >= a["low"]) & (a["mu"] <= a["high"])),
                "with sigma=0, mu must lie in [low, high]")
    elif distribution == "normal_clipped_to_boundary":
        require(a["low"] <= a["high"], "low must be <= high")
    elif distribution == "vonmises":
        require(a["kappa"] >= 0, "kappa must be >= 0")


def _format_params(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


class RandomDistribution(VectorizedIterable):
    """Values drawn from a named distribution (PyNN's RandomDistribution).

    ``RandomDistribution('uniform', (-70, -50))``,
    ``RandomDistribution('normal', mu=0.5, sigma=0.1, rng=NumpyRNG(seed=1))``.
    Parameters are given either positionally (order of
    ``available_distributions[distribution]``) or by name, all of them, no defaults.
    Without ``rng`` a new ``NumpyRNG()`` is created, as in PyNN.
    """

    def __init__(self, distribution: str, parameters_pos: Sequence[Any] | None = None,
                 rng: AbstractRNG | None = None, **parameters_named: Any):
        if parameters_pos is not None and isinstance(parameters_pos, Mapping):
            raise InvalidParameterValueError(
                "parameters_pos must be a tuple or list; give named parameters as keywords")
        self.parameters = _resolve_parameters(distribution, parameters_pos, parameters_named)
        self.name = distribution
        if rng is None:
            rng = NumpyRNG()
        elif not isinstance(rng, AbstractRNG):
            raise InvalidParameterValueError(
                f"rng must be a pynnlite.random RNG (e.g. NumpyRNG), got {type(rng).__name__}")
        self.rng = rng

    def __repr__(self) -> str:
        return f"RandomDistribution({self.name!r}, {_format_params(self.parameters)}, rng={self.rng!r})"

    def __str__(self) -> str:
        return f"RandomDistribution('{self.name}', {self.parameters}, {self.rng})"

    def next(self, n: int | None = None, mask: np.ndarray | None = None) -> Any:
        """``n`` values (a single value if ``n`` is None); ``mask`` as in `NumpyRNG.next`."""
        return self.rng.next(n=n, distribution=self.name, parameters=self.parameters, mask=mask)

    def lazily_evaluate(self, mask: Any = None, shape: tuple[int, ...] | None = None) -> Any:
        """Values for an array of ``shape``, restricted to ``mask`` (any numpy index).

        Called by lazyarray.  With a parallel-safe rng the full shape is drawn and
        then indexed, so a value does not depend on which process asks for it.
        """
        if shape is None:
            raise InvalidParameterValueError("lazily_evaluate needs the shape of the full array")
        shape = tuple(int(s) for s in np.atleast_1d(shape)) if np.ndim(shape) else (int(shape),)
        size = reduce(operator.mul, shape, 1)
        if mask is None:
            return np.asarray(self.next(size)).reshape(shape)
        if getattr(self.rng, "parallel_safe", True):
            return np.asarray(self.next(size)).reshape(shape)[mask]
        partial = np.empty(shape, dtype=bool)[mask]
        return np.asarray(self.next(partial.size)).reshape(np.shape(partial))

    def keyed_values(self, stream: int | None = None, keys: Any = None, counters: Any = 0) -> np.ndarray:
        """Values of the distribution for each (key, counter) pair of keyed stream ``stream``.

        A pure function of (stream, parameters, key, counter) obtained by inverse
        transform of `keyed_uniform`; ``keys`` and ``counters`` broadcast together.
        Without ``stream``, takes ``self.rng.stream_key()``.
        Discrete distributions give int64, the others float64.
        """
        if keys is None:
            raise InvalidParameterValueError("keyed_values needs keys (an integer array)")
        if stream is None:
            if not hasattr(self.rng, "stream_key"):
                raise InvalidParameterValueError(
                    f"{type(self.rng).__name__} has no keyed streams; pass stream= explicitly")
            stream = self.rng.stream_key()
        u = keyed_uniform(stream, keys, counters)
        return _inverse_transform(self.name, self.parameters, u)


# ------------------------------------------------------- inverse transforms

def _inverse_transform(name: str, params: dict[str, Any], u: np.ndarray) -> np.ndarray:
    """Values of distribution ``name`` at quantiles ``u`` in (0, 1), element by element."""
    p = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    if name == "uniform":
        return p["low"] + (p["high"] - p["low"]) * u
    if name == "normal":
        return p["mu"] + p["sigma"] * special.ndtri(u)
    if name == "lognormal":
        return np.exp(p["mu"] + p["sigma"] * special.ndtri(u))
    if name == "exponential":
        return -p["beta"] * np.log(u)
    if name == "gamma":
        return p["theta"] * special.gammaincinv(p["k"], u)
    if name == "normal_clipped_to_boundary":
        return np.clip(p["mu"] + p["sigma"] * special.ndtri(u), p["low"], p["high"])
    if name == "normal_clipped":
        return _truncated_normal(p["mu"], p["sigma"], p["low"], p["high"], u)
    if name == "uniform_int":
        width = p["high"] - p["low"]
        return (p["low"] + np.minimum(np.floor(u * width), width - 1)).astype(np.int64)
    if name == "poisson":
        return _discrete_ppf(stats.poisson, (p["lambda_"],), u)
    if name == "binomial":
        return _discrete_ppf(stats.binom, (p["n"], p["p"]), u)
    if name == "vonmises":
        return _vonmises_ppf(p["mu"], p["kappa"], u)
    raise AssertionError(name)


def _truncated_normal(mu, sigma, low, high, u: np.ndarray) -> np.ndarray:
    """Normal(mu, sigma) conditioned on [low, high] (what redrawing gives), by inverse CDF.

    Works in the lower tail (flipping the interval when it lies above the mean)
    and with log probabilities, so that far-tail intervals keep their precision.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = (low - mu) / sigma
        b = (high - mu) / sigma
        flip = a > 0
        lo = np.where(flip, -b, a)
        hi = np.where(flip, -a, b)
        log_p_lo = special.log_ndtr(lo)
        log_p_hi = special.log_ndtr(hi)
        # P = p_hi * (1 - (1 - u) * (1 - p_lo / p_hi)), the quantile u of the interval
        ratio = np.exp(log_p_lo - log_p_hi)
        z = special.ndtri_exp(log_p_hi + np.log1p(-(1.0 - u) * (1.0 - ratio)))
        z = np.clip(z, lo, hi)
        z = np.where(flip, -z, z)
        values = mu + sigma * z
    values = np.where(sigma > 0, values, mu)
    return np.clip(values, low, high)


_TABLE_LIMIT = 1_000_000


def _discrete_ppf(dist, args: tuple[np.ndarray, ...], u: np.ndarray) -> np.ndarray:
    """Smallest integer k with CDF(k) >= u, for scipy discrete distribution ``dist``."""
    if all(a.ndim == 0 for a in args):
        kmax = dist.ppf(1.0 - 2.0 ** -53, *args)
        if np.isfinite(kmax) and kmax < _TABLE_LIMIT:
            cdf = dist.cdf(np.arange(int(kmax) + 1), *args)
            index = np.searchsorted(cdf, u, side="left")
            return np.minimum(index, int(kmax)).astype(np.int64)
    return dist.ppf(u, *args).astype(np.int64)


def _vonmises_ppf(mu, kappa, u: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Von Mises quantiles: safeguarded Newton on scipy's CDF, wrapped to [-pi, pi).

    Each element iterates on its own until converged, so its value does not
    depend on the other elements of ``u``.
    """
    mu, kappa, u = np.broadcast_arrays(mu, kappa, u)
    shape = u.shape
    mu, kappa, u = mu.ravel(), kappa.ravel(), u.ravel()
    # start from the normal approximation (large kappa) or the uniform one (small kappa)
    with np.errstate(divide="ignore"):
        x = np.where(kappa > 1.0, special.ndtri(u) / np.sqrt(np.maximum(kappa, 1e-300)),
                     (2.0 * u - 1.0) * np.pi)
    x = np.clip(x, -np.pi, np.pi)
    lo = np.full(x.shape, -np.pi)
    hi = np.full(x.shape, np.pi)
    active = np.flatnonzero(kappa > 0)
    x = np.where(kappa > 0, x, (2.0 * u - 1.0) * np.pi)
    for _ in range(iterations):
        if active.size == 0:
            break
        xa, ka, ua = x[active], kappa[active], u[active]
        f = stats.vonmises.cdf(xa, ka) - ua
        below = f < 0
        lo[active] = np.where(below, xa, lo[active])
        hi[active] = np.where(below, hi[active], xa)
        pdf = np.exp(ka * (np.cos(xa) - 1.0)) / (2.0 * np.pi * special.i0e(ka))
        with np.errstate(divide="ignore", invalid="ignore"):
            step = xa - f / pdf
        la, ha = lo[active], hi[active]
        bisect = ~((step > la) & (step < ha))
        new = np.where(bisect, 0.5 * (la + ha), step)
        done = np.abs(new - xa) <= 1e-13 * np.maximum(1.0, np.abs(xa))
        x[active] = new
        active = active[~done]
    values = mu + x
    values = np.mod(values + np.pi, 2.0 * np.pi) - np.pi
    return values.reshape(shape)


#: One dict per draws_undone_on_error block running: the NumpyRNGs drawn from in it, with
#: their state before the first draw.
_undo_journal: list[dict] = []


def _before_drawing(rng: "NumpyRNG") -> None:
    """Called before every draw of a NumpyRNG: remember its state for the running blocks."""
    if _undo_journal and any(rng not in saved for saved in _undo_journal):
        state = (rng._streams_issued, rng.rng.get_state())
        for saved in _undo_journal:
            saved.setdefault(rng, state)


@contextmanager
def draws_undone_on_error() -> Iterator[None]:
    """Run a block (or decorate a function); if it raises, every NumpyRNG it drew from is put
    back where it was before, so that a call that fails draws nothing: a script that catches
    the error and goes on gets the numbers a build without the failed call gets."""
    saved: dict = {}
    _undo_journal.append(saved)
    try:
        yield
    except BaseException:
        for rng, (issued, state) in saved.items():
            rng._streams_issued = issued
            rng.rng.set_state(state)
        raise
    finally:
        _undo_journal.pop()   # the blocks nest: this one is the last
