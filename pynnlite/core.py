"""Small helpers with the names of PyNN's ``pyNN.core``, for scripts and extensions that import them."""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Iterator

import numpy as np

__all__ = ["is_listlike", "deprecated", "reraise", "ezip", "IndexBasedExpression"]


def is_listlike(obj: Any) -> bool:
    """True for lists, tuples, sets and numpy arrays of at least one dimension (values
    with a length that can become an array; iterators and strings are not)."""
    return isinstance(obj, (list, tuple, set)) or (isinstance(obj, np.ndarray) and obj.ndim > 0)


class deprecated:
    """Decorator: calling the function warns (DeprecationWarning) that it will go away,
    naming ``replacement`` if given."""

    def __init__(self, replacement: str = ""):
        self.replacement = replacement

    def __call__(self, func: Callable) -> Callable:
        message = f"{func.__name__}() is deprecated, and will be removed in a future release."
        if self.replacement:
            message += f" Use {self.replacement} instead."

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            return func(*args, **kwargs)

        wrapper.__doc__ = f"*Deprecated*. Use ``{self.replacement}`` instead." if self.replacement else \
            "*Deprecated*."
        return wrapper


def reraise(exception: BaseException, message: str) -> None:
    """Re-raise the exception being handled with ``message`` appended to its first argument."""
    args = list(exception.args) or [""]
    args[0] = f"{args[0]}{message}"
    exception.args = tuple(args)
    raise exception


def ezip(*args: Any) -> Iterator[tuple[Any, tuple]]:
    """Like zip, but yields (first item, tuple of the other items)."""
    for items in zip(*args):
        yield items[0], items[1:]


class IndexBasedExpression:
    """Base class of user expressions of the pre- and post-synaptic cell indices ``(i, j)``
    (for ``IndexBasedProbabilityConnector`` and weight/delay functions).

    Subclasses implement ``__call__(i, j)`` on arrays of indices; while a projection is
    built, ``self.projection`` is that projection (None otherwise).
    """

    @property
    def projection(self) -> Any:
        return getattr(self, "_projection", None)

    @projection.setter
    def projection(self, projection: Any) -> None:
        self._projection = projection

    def __call__(self, i: np.ndarray, j: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __call__(i, j)")
