"""Importing the MPI backend fails on the last rank (a module of the import chain is broken
there) while the others go on to setup(): the job must end at once, non-zero, with that
rank's message — not hang with the failed rank in MPI_Finalize and the others in a collective.

    mpiexec -n 2 python fail_import.py
"""
import sys

from mpi4py import MPI

if MPI.COMM_WORLD.Get_rank() == MPI.COMM_WORLD.Get_size() - 1:
    sys.modules["pynnlite.api"] = None   # "from pynnlite.api import *" raises ImportError here

import pynnlite.backends.mpi as sim  # noqa: E402

sim.setup(timestep=0.1)
sim.run(10.0)
sim.end()
