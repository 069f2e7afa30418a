"""Populations, views, assemblies and cell IDs (PyNN's ``pyNN.common.populations``)."""
from __future__ import annotations

from typing import Any

from pynnlite.populations import ID, Assembly, BasePopulation, Population, PopulationView

#: PyNN's name for the behaviour of a cell ID; pynnlite's IDs are ``pynnlite.populations.ID``.
IDMixin = ID

__all__ = ["IDMixin", "ID", "BasePopulation", "Population", "PopulationView", "Assembly", "is_conductance"]


def is_conductance(target_cell: Any) -> bool:
    """Whether synaptic weights onto ``target_cell`` (an ID, a population or a cell type)
    are conductances (µS) rather than currents (nA)."""
    celltype = getattr(target_cell, "celltype", target_cell)
    return bool(getattr(celltype, "conductance_based", False))
