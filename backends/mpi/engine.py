"""The MPI engine: the numpy engine on this process's cells, with one spike collective per slice.

Each process advances only its own cells (round-robin by global ID) and holds only
the synapses whose post-synaptic cell it owns. The numpy engine already does
everything through the simulation's communicator: after every min-delay slice the
spikes of all populations are exchanged in a single collective
(``MPIComm.begin_spike_exchange``) and delivered exactly as on one process, in the
canonical (step, global id) order, so that ring buffers receive the same additions
in the same order and results are bitwise those of the numpy backend.
"""
from __future__ import annotations

from pynnlite.backends.numpy.engine import NumpyEngine


class MPIEngine(NumpyEngine):
    """Executes a Simulation's network on every process of the MPI job (the numpy engine
    with the MPI communicator: see the module docstring)."""
