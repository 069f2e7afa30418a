"""Helpers of the MPI tests: find mpiexec, run a test script on N processes (or Python code in
a new interpreter), and check that a script's arrays are bitwise the numpy backend's on 2 and
3 processes."""
import importlib.util
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "mpi_scripts")


def _mpiexec() -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return beside if os.access(beside, os.X_OK) else shutil.which("mpiexec")


MPIEXEC = _mpiexec()
HAVE_MPI4PY = importlib.util.find_spec("mpi4py") is not None
needs_mpi = pytest.mark.skipif(
    MPIEXEC is None or not HAVE_MPI4PY,
    reason="the MPI tests need mpi4py and mpiexec: pip install \"pynnlite[mpi]\" (mpi4py + mpich)")


def run_script(script: str, *args: str, processes: int | None = None, timeout: float = 120.0,
               cwd: str | None = None, check: bool = True, env: dict | None = None):
    """Run ``script`` (a name in tests/mpi_scripts/, or a path relative to tests/) with
    ``processes`` MPI processes (None: plain python)."""
    path = os.path.join(SCRIPTS, script) if os.sep not in script else os.path.join(HERE, script)
    command = [sys.executable, path, *args]
    if processes is not None:
        command = [MPIEXEC, "-n", str(processes)] + command
    environment = dict(os.environ, **(env or {}))
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=environment)
    result.elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited with {result.returncode}\n"
                             f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-5000:]}")
    return result


def run_code(code: str, timeout: float = 120.0):
    """Run ``code`` in a new Python interpreter (e.g. with a module blocked); an AssertionError
    with its output unless it exits with 0."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"python -c exited with {result.returncode}\n"
                             f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-5000:]}")
    return result


def assert_mpi_equals_numpy(script: str, folder, processes=(2, 3), timeout: float = 300.0) -> None:
    """Run ``script numpy|mpi <out.npz>`` with the numpy backend, then with the MPI backend on
    each number of ``processes``: every saved array must be bitwise equal. Skips without MPI."""
    if MPIEXEC is None or not HAVE_MPI4PY:
        pytest.skip("needs mpi4py and mpiexec")
    reference = str(folder / "numpy.npz")
    run_script(script, "numpy", reference, timeout=timeout)
    expected = np.load(reference)
    for count in processes:
        path = str(folder / f"mpi{count}.npz")
        run_script(script, "mpi", path, processes=count, timeout=timeout)
        result = np.load(path)
        for key in expected.files:
            assert np.array_equal(expected[key], result[key]), (count, key)
