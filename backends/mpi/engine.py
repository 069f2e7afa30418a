"""The MPI engine: the numpy engine on this process's cells, with one spike collective per slice.

Each process advances only its own cells (round-robin by global ID) and holds only
the synapses whose post-synaptic cell it owns; after every min-delay slice the
spikes of all populations are exchanged in a single collective
(``MPIComm.exchange_spike_lists``) and delivered exactly as on one process, in
the canonical (step, index) order, so that ring buffers receive the same
additions in the same order and results are bitwise those of the numpy backend.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pynnlite.backends.numpy.engine import NumpyEngine

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.populations import Population


class MPIEngine(NumpyEngine):
    """Executes a Simulation's network on every process of the MPI job."""

    def _exchange_spikes(self, local: dict["Population", tuple[np.ndarray, np.ndarray]]
                         ) -> dict["Population", tuple[np.ndarray, np.ndarray]]:
        comm = self.sim.comm
        if comm.size == 1 or not hasattr(comm, "exchange_spike_lists"):
            return super()._exchange_spikes(local)
        populations = list(local)
        exchanged = comm.exchange_spike_lists([local[p] for p in populations])
        return dict(zip(populations, exchanged))
