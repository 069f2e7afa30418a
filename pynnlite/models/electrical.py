"""Electrical synapses (gap junctions): PyNN 0.13's ElectricalSynapse plus a rectifying variant.

A connection i → j of a projection with ``ElectricalSynapse(weight=g)`` is one
gap junction of conductance g (µS) between cells i and j. It is symmetric, as
PyNN's (NEST makes gap junctions symmetric): the current

    I_j = g·(V_i − V_j)  into the post-synaptic cell j,
    I_i = g·(V_j − V_i)  into the presynaptic cell i,

so one connection is one junction; connecting j → i as well adds a second,
parallel junction. With ``rectified=True`` the junction conducts only while
V_i > V_j, and then current leaves i and enters j (sns-toolbox's rectified
ElectricalSynapse; the pre → post direction of the projection is the
direction of current flow).

Both cells need a membrane potential (no spike sources). The coupling is
evaluated once per step from the membrane potentials at the start of the step,
each side taking the other's potential at its linear extrapolation from the
previous step (second order in dt; NonSpikingNeuron and PointNeuron treat the
junction's own conductance exactly over the step, other cell types take the
current as constant over the step and extrapolate their own side too). The
extrapolation is bounded where h·g/cm is large (see
backends/numpy/couplings.py); explicit coupling stays stable for g·dt/cm well
below 1 on cell types that do not support the exact treatment.
There is no delay.
"""
from __future__ import annotations

from typing import Any, ClassVar

from pynnlite.errors import ConnectionError
from pynnlite.models.base import SynapseType
from pynnlite.models.graded import _check_projection_source

__all__ = ["ElectricalSynapse"]


class ElectricalSynapse(SynapseType):
    """Gap junction of conductance ``weight`` (µS), symmetric, or one-way with ``rectified=True``."""

    description = "electrical synapse (gap junction): I = weight·(V_pre − V_post), symmetric"
    default_parameters: ClassVar[dict[str, Any]] = {"weight": 0.0}
    units = {"weight": "uS"}
    constraints = {"weight": "non_negative"}
    weight_unit: ClassVar[str] = "uS"
    continuous: ClassVar[bool] = True
    transmits_spikes: ClassVar[bool] = False
    coupling: ClassVar[str] = "electrical"

    def __init__(self, rectified: bool = False, **parameters: Any):
        if rectified not in (True, False):
            raise ConnectionError(f"rectified must be True or False, got {rectified!r}")
        self.rectified = bool(rectified)
        super().__init__(**parameters)

    def check_projection(self, projection: Any) -> None:
        _check_projection_source(projection, "electrical", ("v",))
        for pop, _ in projection.post._segments():
            if "v" not in pop.celltype.default_initial_values:
                raise ConnectionError(f"postsynaptic_population {pop.label} has no membrane potential 'v'")

    def describe_context(self) -> dict[str, Any]:
        context = super().describe_context()
        context["parameters"]["rectified"] = self.rectified
        return context

    def __repr__(self) -> str:
        return f"ElectricalSynapse(weight={self.parameter_space['weight']!r}, rectified={self.rectified})"
