"""The MPI engine: the numpy engine on this process's cells, with one spike collective per slice.

Each process advances only its own cells (round-robin by global ID) and holds only
the synapses whose post-synaptic cell it owns; after every min-delay slice the
spikes of all populations are exchanged in a single collective
(``MPIComm.exchange_spike_lists``) and delivered exactly as on one process, in
the canonical (step, index) order, so that ring buffers receive the same
additions in the same order and results are bitwise those of the numpy backend.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pynnlite.backends.mpi.comm import _INDEX_MASK, _STEP_BITS
from pynnlite.backends.numpy.engine import NumpyEngine
from pynnlite.errors import InvalidParameterValueError

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.populations import Population


class _PopulationSpikes:
    """A spike exchange in flight whose result is keyed by population."""

    def __init__(self, populations: list, exchange: Any):
        self.populations, self.exchange = populations, exchange

    def finish(self) -> dict:
        return dict(zip(self.populations, self.exchange.finish()))


class MPIEngine(NumpyEngine):
    """Executes a Simulation's network on every process of the MPI job."""

    def _begin_exchange(self, local: dict["Population", tuple[np.ndarray, np.ndarray]]) -> Any:
        comm = self.sim.comm
        if comm.size == 1 or not hasattr(comm, "begin_spike_exchange"):
            return super()._begin_exchange(local)
        return _PopulationSpikes(list(local), comm.begin_spike_exchange(list(local.values()),
                                                                        first_step=self.slice_start))

    def run(self, n_steps: int) -> None:
        """As the numpy engine's, after checking that spikes fit the exchange's keys."""
        if self.sim.comm.size > 1:
            largest = max((p.size for p in self.sim.populations), default=0)
            if largest > _INDEX_MASK + 1:
                raise InvalidParameterValueError(
                    f"a population of {largest} cells is too large for the MPI spike exchange (at most 2**32)")
            if self.slice_steps() >= 1 << _STEP_BITS:
                raise InvalidParameterValueError("communication slice too long for the MPI spike exchange")
        super().run(n_steps)
