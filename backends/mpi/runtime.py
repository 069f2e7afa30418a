"""Loading mpi4py and the MPI runtime, and what happens when a process fails.

``load_mpi()`` imports ``mpi4py.MPI`` and turns every way that can fail (mpi4py
missing, the MPI library missing or unloadable, MPI failing to initialise) into
one clear ``MPINotAvailableError`` naming what to install.

``install_fault_handlers()`` makes a failure on any process end the whole job
promptly: an uncaught exception prints that rank's traceback and calls
``MPI.COMM_WORLD.Abort(1)`` (so no other rank waits forever in a collective and
``mpiexec`` exits non-zero); at normal exit, every process checks in one last
collective that all processes made the same sequence of communicating calls.
"""
from __future__ import annotations

import atexit
import os
import sys
import time
import traceback
from types import ModuleType
from typing import Any

from pynnlite.errors import MPINotAvailableError

INSTALL_HINT = 'pip install "pynnlite[mpi]"   (installs mpi4py and the mpich MPI runtime)'

_MPI: ModuleType | None = None
_handlers_installed = False
_aborting = False


def load_mpi() -> ModuleType:
    """The ``mpi4py.MPI`` module, or a clear ``MPINotAvailableError``."""
    global _MPI
    if _MPI is not None:
        return _MPI
    try:
        import mpi4py  # noqa: F401
    except ImportError as err:
        raise MPINotAvailableError(
            f"the MPI backend (pynnlite.backends.mpi) needs the mpi4py package, which is not "
            f"installed ({err}). Install it with: {INSTALL_HINT}") from None
    try:
        from mpi4py import MPI
    except Exception as err:  # ImportError (no libmpi), RuntimeError (MPI_Init failed), ...
        raise MPINotAvailableError(
            f"the MPI backend (pynnlite.backends.mpi) found mpi4py but could not load or start an MPI "
            f"runtime: {type(err).__name__}: {err}. Install one with: {INSTALL_HINT}, or point mpi4py "
            f"at your cluster's MPI library") from None
    try:
        MPI.COMM_WORLD.Get_size()
    except Exception as err:
        raise MPINotAvailableError(
            f"the MPI backend could not initialise MPI: {type(err).__name__}: {err}. {INSTALL_HINT}") from None
    _MPI = MPI
    return MPI


#: Seconds between printing an abort message and MPI_Abort (output forwarding by mpiexec).
ABORT_GRACE_SECONDS = 0.5


def abort(message: str, exit_code: int = 1) -> None:
    """Print ``message`` to stderr and end every process of the job."""
    global _aborting
    _aborting = True
    MPI = load_mpi()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        os.write(2, (message if message.endswith("\n") else message + "\n").encode())
        # give the launcher time to forward this message (and the other ranks', which usually
        # fail at the same collective) before MPI_Abort tears the job down
        time.sleep(ABORT_GRACE_SECONDS)
    finally:
        try:
            MPI.COMM_WORLD.Abort(exit_code)
        finally:
            os._exit(exit_code)  # MPI_Abort may return in this process; never run exit handlers


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
    MPI = load_mpi()
    world = MPI.COMM_WORLD
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    abort(f"pynnlite.backends.mpi: uncaught exception on MPI rank {world.Get_rank()} of {world.Get_size()}; "
          f"aborting all processes.\n{text}")


def _at_exit() -> None:
    """Last collective: every process must have made the same communicating calls."""
    MPI = _MPI
    if MPI is None or _aborting or MPI.Is_finalized():
        return
    from pynnlite.backends.mpi.comm import world_state
    try:
        world_state().check_exit()
    except BaseException as err:  # a mismatch, or any MPI error: do not leave ranks hanging
        abort(f"pynnlite.backends.mpi: rank {MPI.COMM_WORLD.Get_rank()} at exit: {err}")


def bind_to_cores() -> bool:
    """With ``PYNNLITE_MPI_BIND=1``: pin each process of a node to its own CPU when the
    launcher did not bind them (``mpiexec`` of the mpich wheel does not by default).

    Off by default: collectives wait by yielding (comm.wait), so unbound processes do not
    pile up on one CPU, and on a machine shared with other work, unbound processes can move
    away from a busy CPU (measured on the 2-core development VM: unbound 1.44-1.65 s, bound
    1.45-1.78 s for the same run). Binds only when every process of the node has the same
    CPU set with at least one CPU per process. Returns whether it bound.
    """
    MPI = load_mpi()
    world = MPI.COMM_WORLD
    if world.Get_size() == 1 or not hasattr(os, "sched_setaffinity"):
        return False
    if os.environ.get("PYNNLITE_MPI_BIND", "0").strip().lower() not in ("1", "yes", "true", "on"):
        return False
    node = world.Split_type(MPI.COMM_TYPE_SHARED)
    try:
        cpus = tuple(sorted(os.sched_getaffinity(0)))
        masks = node.allgather(cpus)
        local_rank, local_size = node.Get_rank(), node.Get_size()
        if local_size < 2 or any(m != cpus for m in masks) or local_size > len(cpus):
            return False
        os.sched_setaffinity(0, {cpus[local_rank]})
        return True
    finally:
        node.Free()


def install_fault_handlers() -> None:
    """Abort the whole job on an uncaught exception and check call sequences at exit
    (only when running on more than one process)."""
    global _handlers_installed
    MPI = load_mpi()
    if _handlers_installed or MPI.COMM_WORLD.Get_size() == 1:
        return
    sys.excepthook = _excepthook
    atexit.register(_at_exit)   # runs before mpi4py's MPI_Finalize (atexit is last-in, first-out)
    _handlers_installed = True
