"""Weight dependences of the numpy engine's STDP rules (stdp_rules.py): each turns a
potentiation or depression amount into a new weight within the bounds w_min, w_max, per
synapse or for a subset S of the route's synapses (parameters as floats when uniform)."""
from __future__ import annotations

from typing import Any

import numpy as np

from pynnlite.models.plasticity import mirrored_bounds

__all__ = ["WEIGHT_DEPENDENCES", "sub", "uniform"]


def sub(value: Any, index: Any) -> Any:
    """A parameter for a subset of synapses: scalars (floats, see ``uniform``) stay scalars."""
    return value if value.__class__ is float else value[index]


def uniform(values: np.ndarray) -> Any:
    """A per-synapse parameter column as one float when every synapse has the same value."""
    if values.size and np.all(values == values[0]):
        return float(values[0])
    return values.astype(float, copy=True) if values.size else 0.0


# -- the dependences ---------------------------------------------------------------------

class _WeightDependence:
    """Turns a potentiation or depression amount a >= 0 into a new weight, within bounds.

    Synapses with mirrored bounds (w_max < w_min <= 0, models.plasticity.mirrored_bounds)
    learn on −w with bounds −w_min, −w_max: ``sign`` is −1 there (a scalar when uniform)."""

    def __init__(self, p: dict[str, Any]):
        mirrored = mirrored_bounds(p["w_min"], p["w_max"])
        self.sign = None
        if np.any(mirrored):
            sign = uniform(np.where(mirrored, -1.0, 1.0).ravel())
            p = {**p, "w_min": p["w_min"] * sign, "w_max": p["w_max"] * sign}
            self.sign = sign
        self.p = p

    def potentiate(self, w: np.ndarray, a: np.ndarray, S: Any) -> np.ndarray:
        if self.sign is None:
            return self._potentiate(w, a, S)
        sign = sub(self.sign, S)
        return sign * self._potentiate(sign * w, a, S)

    def depress(self, w: np.ndarray, a: np.ndarray, S: Any) -> np.ndarray:
        if self.sign is None:
            return self._depress(w, a, S)
        sign = sub(self.sign, S)
        return sign * self._depress(sign * w, a, S)

    # the factors up/down are >= 0, so a potentiation can only cross w_max and a depression w_min
    def _potentiate(self, w: np.ndarray, a: np.ndarray, S: Any) -> np.ndarray:
        return np.minimum(w + a * self.up(w, S), sub(self.p["w_max"], S))

    def _depress(self, w: np.ndarray, a: np.ndarray, S: Any) -> np.ndarray:
        return np.maximum(w - a * self.down(w, S), sub(self.p["w_min"], S))


class _Additive(_WeightDependence):
    def up(self, w, S):
        return sub(self.p["w_max"], S)

    down = up


class _Multiplicative(_WeightDependence):
    def up(self, w, S):
        return np.maximum(sub(self.p["w_max"], S) - w, 0.0)

    def down(self, w, S):
        return np.maximum(w - sub(self.p["w_min"], S), 0.0)


class _AddPotMulDep(_WeightDependence):
    up = _Additive.up
    down = _Multiplicative.down


class _Gutig(_WeightDependence):
    def up(self, w, S):
        w_max = sub(self.p["w_max"], S)
        return w_max * (np.maximum(w_max - w, 0.0) / w_max) ** sub(self.p["mu_plus"], S)

    def down(self, w, S):
        w_max = sub(self.p["w_max"], S)
        return w_max * (np.maximum(w - sub(self.p["w_min"], S), 0.0) / w_max) ** sub(self.p["mu_minus"], S)


class _SoftBound(_WeightDependence):
    def up(self, w, S):
        return np.maximum(w - sub(self.p["w_min"], S), 0.0) * np.maximum(sub(self.p["w_max"], S) - w, 0.0)

    down = up


WEIGHT_DEPENDENCES = {"additive": _Additive, "multiplicative": _Multiplicative,
                      "additive_potentiation_multiplicative_depression": _AddPotMulDep,
                      "gutig": _Gutig, "soft_bound": _SoftBound}
