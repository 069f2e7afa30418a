"""Projection.save to PyNN file objects under MPI, read back with FromFileConnector.

    mpiexec -n 2 python file_formats_save.py <scratch folder>

gather=True: rank 0 alone writes the file, holding every connection; gather=False: each rank
writes <name>.<rank> with its own connections, and FromFileConnector(distributed=True) reads
them back. Every rank prints ``rank <r> OK``.
"""
import os
import sys

import pynnlite.backends.mpi as sim
from pynnlite.file_formats import NumpyBinaryFile, PickleFile, StandardTextFile

folder = sys.argv[1]
sim.setup(timestep=0.1)
rank, size = sim.rank(), sim.num_processes()
pre, post = sim.Population(6, sim.IF_cond_exp()), sim.Population(5, sim.IF_cond_exp())
rng = sim.NumpyRNG(seed=11)
prj = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.5, rng=rng),
                     sim.StaticSynapse(weight=sim.RandomDistribution("uniform", (0.001, 0.01), rng=rng), delay=0.5))
everything = prj.get(["weight", "delay"], format="list", gather="all")
for cls in (StandardTextFile, PickleFile, NumpyBinaryFile):
    whole = os.path.join(folder, f"whole_{cls.__name__}")
    prj.save("all", cls(whole, mode="w"))
    prj.simulation.comm.barrier()
    assert os.path.exists(whole)
    assert len(cls(whole, mode="r").read()) == len(everything)
    again = sim.Projection(pre, post, sim.FromFileConnector(cls(whole, mode="r")), sim.StaticSynapse())
    assert again.get(["weight", "delay"], format="list", gather="all") == everything

    parts = os.path.join(folder, f"parts_{cls.__name__}")
    prj.save("all", cls(parts, mode="w"), gather=False)
    assert os.path.exists(f"{parts}.{rank}") and not os.path.exists(parts)
    assert len(cls(f"{parts}.{rank}", mode="r").read()) == len(prj.get("weight", format="list", gather=False))
    again = sim.Projection(pre, post, sim.FromFileConnector(cls(parts, mode="r"), distributed=True),
                           sim.StaticSynapse())
    assert again.get(["weight", "delay"], format="list", gather="all") == everything
print(f"rank {rank} OK", flush=True)
sim.end()
