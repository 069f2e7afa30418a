"""The MPI backend: ``import pynnlite.backends.mpi as sim``, run with ``mpiexec -n N python model.py``.

The same API as ``pynnlite.backends.numpy``. Cells are distributed round-robin over
the processes of ``MPI.COMM_WORLD``; each process builds the state of its own cells
and the synapses onto them, and spikes are exchanged once per min-delay slice with
MPI collectives. Results are bitwise identical for any number of processes and equal
to the numpy backend's. Under a single process it behaves exactly as ``numpy``.

Needs mpi4py and an MPI runtime: ``pip install "pynnlite[mpi]"``; without them,
importing this module raises ``pynnlite.errors.MPINotAvailableError`` saying so.
On more than one process, an uncaught exception on any rank prints that rank's
traceback and aborts the whole job (``MPI.COMM_WORLD.Abort(1)``).
"""
from pynnlite.backends.mpi.runtime import bind_to_cores, install_fault_handlers, load_mpi

load_mpi()   # a clear MPINotAvailableError if mpi4py or the MPI runtime is missing
# before anything else can fail: an error on one rank while importing the rest must end the
# job, not leave that rank in MPI_Finalize and the others in the first collective
install_fault_handlers()
bind_to_cores()   # PYNNLITE_MPI_BIND=1: one CPU per process when the launcher did not bind

from pynnlite.api import *  # noqa: E402,F401,F403
from pynnlite.api import __all__ as _api_names  # noqa: E402
from pynnlite.backends.mpi.comm import MPIComm, world_state  # noqa: E402
from pynnlite.backends.mpi.engine import MPIEngine  # noqa: E402
from pynnlite import random as _random  # noqa: E402
from pynnlite.control import SimulatorControl  # noqa: E402
from pynnlite.simulation import SingleProcess, set_default_setup  # noqa: E402


def _communicator():
    """MPIComm on more than one process; on one, the numpy backend's SingleProcess."""
    state = world_state()
    return MPIComm(state) if state.size > 1 else SingleProcess()


if world_state().size > 1:
    # NumpyRNG() without a seed: every process uses rank 0's entropy seed
    _random.broadcast_seed = lambda seed: MPIComm().bcast(seed, root=0)

_control = SimulatorControl("mpi", MPIEngine, comm_factory=_communicator)
globals().update(_control.functions())
set_default_setup(_control.setup)   # a network built before setup() gets this backend's defaults

__all__ = list(_api_names) + list(_control.functions())
