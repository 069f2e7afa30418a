"""Connectors: algorithms that decide which cells connect (PyNN 0.13 names and arguments)."""
from pynnlite.connectors.base import ConnectionArrays, ConnectionContext, Connector
from pynnlite.connectors.deterministic import AllToAllConnector, OneToOneConnector
from pynnlite.connectors.fixed_number import (FixedNumberPostConnector, FixedNumberPreConnector,
                                              FixedTotalNumberConnector)
from pynnlite.connectors.from_data import (ArrayConnector, CloneConnector, FromFileConnector,
                                           FromListConnector)
from pynnlite.connectors.probabilistic import (DisplacementDependentProbabilityConnector,
                                               DistanceDependentProbabilityConnector,
                                               FixedProbabilityConnector, IndexBasedProbabilityConnector)
from pynnlite.connectors.small_world import SmallWorldConnector
from pynnlite.connectors.structured import (AveragePool2dConnector, Conv2dConnector, KernelConnector,
                                            Local2dConnector)
from pynnlite.core import IndexBasedExpression  # noqa: F401 - importable from here, as from pyNN.connectors

__all__ = ["Connector", "ConnectionContext", "ConnectionArrays", "AllToAllConnector", "OneToOneConnector",
           "FixedProbabilityConnector", "FromListConnector",
           "DistanceDependentProbabilityConnector", "IndexBasedProbabilityConnector",
           "DisplacementDependentProbabilityConnector", "FixedNumberPreConnector", "FixedNumberPostConnector",
           "FixedTotalNumberConnector", "FromFileConnector", "ArrayConnector", "CloneConnector",
           "SmallWorldConnector",
           "KernelConnector", "Conv2dConnector", "Local2dConnector", "AveragePool2dConnector"]
