"""Discovery of backends through the ``pynnlite.backends`` entry-point group."""
from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from types import ModuleType

from pynnlite.errors import BackendNotFoundError

ENTRY_POINT_GROUP = "pynnlite.backends"


def _entry_points() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def list_backends() -> list[str]:
    """Names of the installed backends, sorted."""
    return sorted(_entry_points())


def get_backend(name: str) -> ModuleType:
    """The backend module registered as ``name`` (e.g. 'numpy', 'mpi')."""
    found = _entry_points()
    if name not in found:
        raise BackendNotFoundError(
            f"no backend named {name!r}; installed backends: {', '.join(sorted(found)) or 'none'}")
    return importlib.import_module(found[name].value)
