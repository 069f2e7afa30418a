"""Projections and the view of one connection (PyNN's ``pyNN.common.projections``)."""
from pynnlite.connections import Connection
from pynnlite.projections import Projection

__all__ = ["Projection", "Connection"]
