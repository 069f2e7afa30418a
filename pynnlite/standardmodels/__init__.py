"""The standard model base classes and types, under the names of PyNN's ``pyNN.standardmodels``.

pynnlite declares its models as data in ``pynnlite.models`` (cells, synapses) and
``pynnlite.current_sources``; this package gives them PyNN's names
(``StandardCellType`` is ``pynnlite.models.base.CellType`` ...) and the submodules
``cells``, ``receptors``, ``synapses`` and ``electrodes`` re-export the types themselves.
"""
from __future__ import annotations

from typing import Any, Callable

from pynnlite.current_sources import CurrentSource
from pynnlite.errors import NoModelAvailableError
from pynnlite.models import synapses as _synapses
from pynnlite.models.base import CellType, ModelType, SynapseType

StandardModelType = ModelType
StandardCellType = CellType
StandardSynapseType = SynapseType
StandardCurrentSource = CurrentSource

__all__ = ["StandardModelType", "StandardCellType", "StandardSynapseType", "StandardCurrentSource",
           "ModelNotAvailable", "build_translations"]


def _stdp_base_classes() -> dict[str, type]:
    """The STDP rule base classes, where the plasticity models declare them."""
    try:
        from pynnlite.models import plasticity
    except ImportError:  # pragma: no cover - plasticity models not installed
        plasticity = _synapses
    return {name: getattr(plasticity, name) for name in ("STDPWeightDependence", "STDPTimingDependence")
            if hasattr(plasticity, name)}


globals().update(_stdp_base_classes())
__all__ += sorted(_stdp_base_classes())


class ModelNotAvailable:
    """Stand-in for a standard model that a backend does not provide: creating one raises
    ``NoModelAvailableError``."""

    def __init__(self, *args: Any, **kwargs: Any):
        raise NoModelAvailableError(f"{type(self).__name__} is not available in this backend")


def build_translations(*translations: tuple) -> dict[str, dict[str, Any]]:
    """A table mapping standard parameter names to a backend's names and scales.

    Each item is ``(name, backend_name)``, ``(name, backend_name, factor)`` (backend value
    = factor × standard value) or ``(name, backend_name, forward, reverse)`` with
    ``forward``/``reverse`` functions or expression strings of the parameter names.
    Returns ``{name: {'translated_name', 'forward_transform', 'reverse_transform'}}``.
    """
    table: dict[str, dict[str, Any]] = {}
    for item in translations:
        if len(item) == 2:
            name, backend_name = item
            forward: Any = name
            reverse: Any = backend_name
        elif len(item) == 3:
            name, backend_name, factor = item
            forward = _scaled(name, float(factor))
            reverse = _scaled(backend_name, 1.0 / float(factor))
        elif len(item) == 4:
            name, backend_name, forward, reverse = item
        else:
            raise ValueError(f"a translation is (name, backend_name[, factor | forward, reverse]), got {item!r}")
        table[name] = {"translated_name": backend_name, "forward_transform": forward, "reverse_transform": reverse}
    return table


def _scaled(name: str, factor: float) -> Callable[..., Any]:
    def transform(**values: Any) -> Any:
        return values[name] * factor
    transform.__name__ = f"{name}_times_{factor:g}"
    return transform
