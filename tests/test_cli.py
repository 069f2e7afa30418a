"""The ``pynnlite`` command: run (with --as-pynn, -m, -n), describe and backends.

The scripts in tests/pynn_scripts/ are written for PyNN (``import pyNN.nest as sim``,
``get_simulator``, ``get_script_args``) and run here unmodified.
"""
import json
import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from pynnlite import cli

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "pynn_scripts")


def pynnlite(*args, cwd, timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYNNLITE_")}
    return subprocess.run([sys.executable, "-m", "pynnlite", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def script(name):
    return os.path.join(SCRIPTS, name)


def test_console_script_entry_point():
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("pynnlite") == "pynnlite.cli:main"


def test_run_unmodified_pynn_script(tmp_path):
    """``import pyNN.nest as sim`` + pyNN.random + pyNN.utility.Timer, run with --as-pynn;
    the 400-cell network fires at rates typical of cortex (5–60 Hz)."""
    done = pynnlite("run", "--as-pynn", script("balanced_network.py"), "out.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["time"] == pytest.approx(500.0)
    assert result["drive_connections"] == 400 * 40
    for label, rate in result["rates"].items():
        assert 5.0 < rate < 60.0, (label, rate)
    assert "ignores the setup() arguments threads" in done.stderr


def test_run_get_simulator_script_with_options_around_the_script(tmp_path):
    """get_simulator()-style arguments pass through; pynnlite's own options may follow."""
    done = pynnlite("run", script("get_simulator_script.py"), "nest", "--plot-figure", "--output-dir", "R",
                    "--as-pynn", "--backend", "numpy", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "R" / "summary.json").read_text())
    assert summary["simulator"] == "nest"
    assert os.path.isfile(tmp_path / summary["data_file"])
    with open(tmp_path / summary["figure_file"], "rb") as handle:
        assert handle.read(4) == b"\x89PNG"
    assert sum(summary["spike_counts"]) > 0
    assert "[" in done.stdout and "%" in done.stdout                 # SimulationProgressBar


def test_run_old_style_script_without_simulator_argument(tmp_path):
    """get_script_args(1) + ``from pyNN.<name> import *``; the simulator name may be left
    out under pynnlite run (the chosen backend fills it in)."""
    for args in (["nest"], []):
        done = pynnlite("run", "--as-pynn", script("brunel_get_script_args.py"), *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        rate = float(done.stdout.split("Mean rate:")[1].split()[0])
        assert 5.0 < rate < 80.0


def test_without_as_pynn_pynn_imports_fail(tmp_path):
    if any(os.path.isdir(os.path.join(p, "pyNN")) for p in sys.path if p):
        pytest.skip("PyNN itself is installed here")
    done = pynnlite("run", script("balanced_network.py"), "out.json", cwd=tmp_path)
    assert done.returncode != 0 and "No module named 'pyNN'" in done.stderr


def test_run_module_and_environment(tmp_path):
    (tmp_path / "probe_module.py").write_text(
        "import os, sys\nimport pyNN.mock as sim\n"
        "print(sim.__name__, os.environ.get('PYNNLITE_BACKEND'), os.environ.get('PYNNLITE_PROGRESS'), sys.argv[1:])\n")
    done = pynnlite("run", "--as-pynn", "--no-progress", "-m", "probe_module", "a", "-n", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # -n after the script is pynnlite's (one process: no mpiexec); after "--" it is the script's
    assert done.stdout.split() == ["pynnlite.backends.numpy", "numpy", "0", "['a']"]
    done = pynnlite("run", "--as-pynn", "-m", "probe_module", "a", "--", "-n", "3", cwd=tmp_path)
    assert done.stdout.split()[-3:] == ["['a',", "'-n',", "'3']"]


def test_describe_builds_without_simulating(tmp_path):
    done = pynnlite("describe", "--as-pynn", script("balanced_network.py"), "out.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = done.stdout
    for label in ("exc", "inh", "noise"):
        assert label in report
    assert "rates (Hz)" not in report and "rates (Hz)" in done.stderr   # the script's output
    result = json.loads((tmp_path / "out.json").read_text())
    assert result["time"] == 0.0 and result["rates"] == {"exc": 0.0, "inh": 0.0}
    done = pynnlite("describe", script("balanced_network.py"), "out.json", "--as-pynn", "--format", "markdown",
                    "--report-file", "report.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    markdown = (tmp_path / "report.md").read_text()
    assert "|" in markdown and "exc" in markdown


def test_backends_lists_numpy_and_mpi_status(tmp_path):
    done = pynnlite("backends", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "numpy" in done.stdout and "available" in done.stdout
    assert "MPI: usable" in done.stdout or "MPI: not usable" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["frobnicate"], "unknown command"),
    (["run"], "give a script"),
    (["run", "--bogus", "x.py"], "unknown option"),
    (["run", "-n", "2", "--backend", "numpy", "x.py"], "runs in one process"),
    (["run", "-n", "zero", "x.py"], "whole number"),
    (["run", "--backend", "nest", "x.py"], "not installed"),
    (["run", "no_such_script.py"], "no such script"),
    (["describe", "--format", "pdf", "x.py"], "--format"),
])
def test_usage_errors(args, message, capsys):
    assert cli.main(args) == 2
    assert message in capsys.readouterr().err


def test_parse_keeps_script_options_and_takes_pynnlite_options():
    inv = cli.parse("run", ["--as-pynn", "model.py", "nest", "--plot-figure", "-n", "4", "--backend=mpi",
                            "--", "--backend", "x"])
    assert (inv.target, inv.as_pynn, inv.processes, inv.backend) == ("model.py", True, 4, "mpi")
    assert inv.script_args == ["nest", "--plot-figure", "--backend", "x"]
    child = cli._child_command(inv)
    assert child[-6:] == ["model.py", "--", "nest", "--plot-figure", "--backend", "x"]


def _mpi_usable():
    from pynnlite import list_backends
    if "mpi" not in list_backends():
        return False
    ok, _ = cli.mpi_status(timeout=60)
    return ok


@pytest.mark.skipif(not os.environ.get("PYNNLITE_TEST_MPI", "1") == "1", reason="MPI tests disabled")
def test_run_on_two_mpi_processes_gives_the_numpy_result(tmp_path):
    """``-n 2`` launches mpiexec with the MPI backend; the network and its spikes do not
    depend on the number of processes, so the rates equal the one-process numpy run's."""
    if not _mpi_usable():
        pytest.skip("MPI is not usable here")
    done = pynnlite("run", "--as-pynn", script("balanced_network.py"), "numpy.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = pynnlite("run", "-n", "2", "--as-pynn", script("balanced_network.py"), "mpi.json", cwd=tmp_path,
                    timeout=600)
    assert done.returncode == 0, done.stderr
    on_one = json.loads((tmp_path / "numpy.json").read_text())
    on_two = json.loads((tmp_path / "mpi.json").read_text())
    assert on_two["drive_connections"] == on_one["drive_connections"]
    assert on_two["rates"] == pytest.approx(on_one["rates"], rel=1e-12)


def test_child_pythons_do_not_import_from_the_current_directory(tmp_path):
    """Run from a source checkout, its pynnlite/ folder must not hide the installed
    package in the processes pynnlite starts (mpiexec children, backend checks)."""
    (tmp_path / "pynnlite").mkdir()
    (tmp_path / "pynnlite" / "__init__.py").write_text("raise ImportError('the source folder was imported')\n")
    done = subprocess.run(cli.python_command("import pynnlite.cli\nprint('' in sys.path)"), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
