"""The names every backend module exports besides its control functions (PyNN's simulator-module API)."""
import logging  # noqa: F401   PyNN's simulator modules export numpy as np and logging through `import *`
import numpy as np  # noqa: F401

from pynnlite import errors, random, space  # noqa: F401
from pynnlite.connectors import *  # noqa: F401,F403
from pynnlite.connectors import __all__ as _connector_names
from pynnlite.current_sources import ACSource, DCSource, NoisyCurrentSource, StepCurrentSource  # noqa: F401
from pynnlite.models.cells import *  # noqa: F401,F403
from pynnlite.models.cells import __all__ as _cell_names
from pynnlite.models.synapses import *  # noqa: F401,F403
from pynnlite.models.synapses import __all__ as _synapse_names
from pynnlite.models.electrical import *  # noqa: F401,F403
from pynnlite.models.electrical import __all__ as _electrical_names
from pynnlite.models.graded import *  # noqa: F401,F403
from pynnlite.models.graded import __all__ as _graded_names
from pynnlite.models.receptors import *  # noqa: F401,F403
from pynnlite.models.receptors import __all__ as _receptor_names
from pynnlite.parameters import ArrayParameter, Sequence  # noqa: F401
from pynnlite.network import Network  # noqa: F401
from pynnlite.populations import ID, Assembly, Population, PopulationView  # noqa: F401
from pynnlite.projections import Projection  # noqa: F401
from pynnlite.random import GSLRNG, NativeRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pynnlite.space import Space  # noqa: F401

__all__ = (["np", "logging", "errors", "random", "space", "Sequence", "ArrayParameter", "ID", "Population", "PopulationView", "Assembly",
            "Projection", "Network", "Space", "NumpyRNG", "GSLRNG", "NativeRNG", "RandomDistribution",
            "DCSource", "ACSource", "StepCurrentSource", "NoisyCurrentSource"]
           + list(_connector_names) + list(_cell_names) + list(_synapse_names)
           + list(_graded_names) + list(_electrical_names) + list(_receptor_names))
