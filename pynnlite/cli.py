"""The ``pynnlite`` command: run PyNN and pynnlite scripts, list backends, describe networks.

::

    pynnlite run SCRIPT [ARGS...] [--backend numpy|mpi] [-n N] [--as-pynn] [--no-progress]
    pynnlite run -m MODULE [ARGS...] [...]        # a module, as python -m (e.g. pytest)
    pynnlite describe SCRIPT [ARGS...] [--backend NAME] [--as-pynn] [--format text|markdown|html]
                      [--template NAME] [--report-file FILE]
    pynnlite backends

Options of pynnlite may come before SCRIPT or anywhere after it; the other arguments
are the script's (``sys.argv[1:]``), so ``get_simulator()``-style arguments pass
through: ``pynnlite run --as-pynn model.py nest --plot-figure``. After ``--`` every
argument is the script's.

``--backend`` chooses the backend that PyNN simulator names (``nest``, ``neuron``,
``brian2``, ``mock`` ...) and pynnlite's examples use (it sets ``PYNNLITE_BACKEND``);
``-n N`` (N > 1) runs the MPI backend on N processes, launching ``mpiexec -n N``;
``--as-pynn`` makes every ``import pyNN...`` resolve to pynnlite (see
``pynnlite.pynn_alias``); ``--no-progress`` hides the progress bar of long runs.

``describe`` runs the script's network construction only (``run()`` does nothing) and
prints the whole-network report (``sim.describe()``) of each simulation it built; the
script's own output goes to standard error, so standard output is the report alone.
"""
from __future__ import annotations

import contextlib
import os
import runpy
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any

#: Options taking a value, by command: option -> destination.
VALUE_OPTIONS = {
    "run": {"--backend": "backend", "-n": "processes", "--np": "processes", "-m": "module"},
    "describe": {"--backend": "backend", "--format": "format", "--template": "template",
                 "--report-file": "report_file", "-m": "module"},
}
#: Flags, by command: option -> destination.
FLAG_OPTIONS = {
    "run": {"--as-pynn": "as_pynn", "--no-progress": "no_progress"},
    "describe": {"--as-pynn": "as_pynn"},
}
#: Options that are pynnlite's only before the script (after it, they are the script's).
ONLY_BEFORE_SCRIPT = {"-m"}

USAGE = """usage: pynnlite run SCRIPT [ARGS...] [--backend numpy|mpi] [-n N] [--as-pynn] [--no-progress]
       pynnlite run -m MODULE [ARGS...] [options]
       pynnlite describe SCRIPT [ARGS...] [--backend NAME] [--as-pynn] [--format text|markdown|html]
                         [--template NAME] [--report-file FILE]
       pynnlite backends
       pynnlite --version

Run PyNN and pynnlite model scripts (see 'pynnlite help' or the pynnlite.cli docstring)."""

#: Environment variables that show the process was started by an MPI launcher.
MPI_LAUNCHER_VARIABLES = ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS")


class UsageError(Exception):
    """A mistake on the command line (exit status 2)."""


@dataclass
class Invocation:
    """A parsed ``run`` or ``describe`` command line."""

    command: str
    target: str | None = None            # script path, or module name with -m
    script_args: list[str] = field(default_factory=list)
    backend: str | None = None
    processes: int | None = None
    module: str | None = None
    as_pynn: bool = False
    no_progress: bool = False
    format: str = "text"
    template: str | None = None
    report_file: str | None = None


def parse(command: str, tokens: list[str]) -> Invocation:
    """Split the tokens of ``pynnlite <command> ...`` into pynnlite's options and the script's."""
    values, flags = VALUE_OPTIONS[command], FLAG_OPTIONS[command]
    inv = Invocation(command)
    i = 0
    before_script = True
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            if before_script:
                raise UsageError("'--' must come after the script")
            inv.script_args.extend(tokens[i + 1:])
            break
        name, has_inline, inline = token.partition("=")
        option = name if token.startswith("-") else None
        is_ours = option in values or option in flags
        if is_ours and not before_script and option in ONLY_BEFORE_SCRIPT:
            is_ours = False
        if is_ours:
            if option in flags:
                if has_inline:
                    raise UsageError(f"{option} takes no value")
                setattr(inv, flags[option], True)
                i += 1
                continue
            if has_inline:
                value = inline
                i += 1
            else:
                if i + 1 >= len(tokens):
                    raise UsageError(f"{option} needs a value")
                value = tokens[i + 1]
                i += 2
            setattr(inv, values[option], value)
            if option == "-m":
                inv.target = value
                before_script = False
            continue
        if before_script:
            if token in ("-h", "--help"):
                raise UsageError(USAGE)
            if token.startswith("-") and token != "-":
                raise UsageError(f"unknown option {token!r} before the script")
            inv.target = token
            before_script = False
        else:
            inv.script_args.append(token)
        i += 1
    if inv.target is None:
        raise UsageError(f"pynnlite {command}: give a script (or -m MODULE)\n{USAGE}")
    if inv.processes is not None:
        try:
            inv.processes = int(inv.processes)
        except ValueError:
            raise UsageError(f"-n needs a whole number of processes, got {inv.processes!r}") from None
        if inv.processes < 1:
            raise UsageError(f"-n needs at least 1 process, got {inv.processes}")
    if inv.command == "describe" and inv.format not in ("text", "markdown", "html"):
        raise UsageError(f"--format must be text, markdown or html, got {inv.format!r}")
    return inv


# -- backends ------------------------------------------------------------------------
def find_mpiexec() -> str | None:
    """The MPI launcher: ``PYNNLITE_MPIEXEC``, else the ``mpiexec`` next to this Python
    (the one the ``mpi`` extra installs), else the first on ``PATH``."""
    configured = os.environ.get("PYNNLITE_MPIEXEC")
    if configured:
        return configured
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    return shutil.which("mpiexec") or shutil.which("mpirun")


def under_mpi_launcher() -> bool:
    return any(os.environ.get(name) for name in MPI_LAUNCHER_VARIABLES)


def python_command(code: str) -> list[str]:
    """A command running ``code`` with this Python, without the current directory on the
    path (run from a source checkout, its ``pynnlite`` folder would hide the installed package)."""
    return [sys.executable, "-c", f"import sys\nif sys.path and sys.path[0] == '':\n    del sys.path[0]\n{code}"]


def _check_import(module: str, timeout: float = 120.0) -> tuple[bool, str]:
    """Import ``module`` in a fresh interpreter: (ok, first line of the error or '')."""
    try:
        done = subprocess.run(python_command(f"import {module}"), capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"importing {module} did not finish within {timeout:g} s"
    if done.returncode == 0:
        return True, ""
    lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
    return False, lines[-1] if lines else f"exit status {done.returncode}"


def mpi_status(timeout: float = 60.0) -> tuple[bool, str]:
    """Whether MPI jobs can run here: mpi4py loads and ``mpiexec -n 2`` starts two ranks."""
    probe = ("from mpi4py import MPI; import mpi4py; "
             "print(MPI.COMM_WORLD.Get_size(), mpi4py.__version__, MPI.Get_library_version().splitlines()[0])")
    try:
        done = subprocess.run(python_command(probe), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "mpi4py did not start within the time limit"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return False, f"mpi4py cannot load an MPI runtime ({lines[-1] if lines else 'error'}); " \
                      f"install it with: pip install \"pynnlite[mpi]\""
    _, version, library = done.stdout.strip().split(" ", 2)
    library = " ".join(library.split())
    launcher = find_mpiexec()
    if launcher is None:
        return False, f"mpi4py {version} ({library.strip()}) loads, but no mpiexec was found"
    try:
        launched = subprocess.run([launcher, "-n", "2", sys.executable, "-c",
                                   "from mpi4py import MPI; w = MPI.COMM_WORLD; "
                                   "print(w.Get_size()) if w.Get_rank() == 0 else None"],
                                  capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"{launcher} -n 2 did not finish within {timeout:g} s"
    if launched.returncode != 0 or launched.stdout.strip() != "2":
        return False, f"{launcher} -n 2 failed: {(launched.stderr.strip().splitlines() or ['?'])[-1]}"
    return True, f"mpi4py {version}, {library.strip()}, launcher {launcher}"


def cmd_backends(_: list[str]) -> int:
    from pynnlite.backend_registry import _entry_points
    found = _entry_points()
    if not found:
        print("No pynnlite backends are installed.")
        return 1
    print("pynnlite backends (entry-point group 'pynnlite.backends'):")
    width = max(len(name) for name in found)
    usable = {}
    for name in sorted(found):
        module = found[name].value
        ok, why = _check_import(module)
        usable[name] = ok
        state = "available" if ok else f"NOT available: {why}"
        print(f"  {name:<{width}}  {module:<28} {state}")
    ok, detail = mpi_status()
    if ok:
        print(f"MPI: usable ({detail})")
        if usable.get("mpi"):
            print("     run on N processes with: pynnlite run -n N SCRIPT [ARGS...]")
    else:
        print(f"MPI: not usable: {detail}")
    return 0


# -- running scripts -------------------------------------------------------------------
def _child_command(inv: Invocation) -> list[str]:
    command = python_command("from pynnlite.cli import main\nsys.exit(main())") + \
        [inv.command, "--backend", inv.backend or "mpi"]
    if inv.as_pynn:
        command.append("--as-pynn")
    if inv.no_progress:
        command.append("--no-progress")
    command += ["-m", inv.target] if inv.module else [inv.target]
    return command + ["--"] + inv.script_args


def _prepare_environment(inv: Invocation) -> None:
    from pynnlite.utility.run_control import PROGRESS_ENV
    from pynnlite.utility.script_tools import BACKEND_ENV
    # the backend that PyNN simulator names (and a missing simulator argument) stand for
    os.environ[BACKEND_ENV] = inv.backend or os.environ.get(BACKEND_ENV) or "numpy"
    if inv.no_progress:
        os.environ[PROGRESS_ENV] = "0"


def _execute(inv: Invocation) -> None:
    """Run the script (or module) in this process as ``__main__``."""
    if inv.as_pynn:
        from pynnlite import pynn_alias
        pynn_alias.install()
    if inv.module:
        sys.argv = [inv.target] + inv.script_args
        sys.path.insert(0, os.getcwd())
        runpy.run_module(inv.target, run_name="__main__", alter_sys=True)
        return
    script = inv.target
    if not os.path.isfile(script):
        raise UsageError(f"no such script: {script}")
    sys.argv = [script] + inv.script_args
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")


def _check_backend(inv: Invocation) -> None:
    from pynnlite.backend_registry import list_backends
    if inv.backend and inv.backend not in list_backends():
        raise UsageError(f"--backend {inv.backend!r} is not installed; installed backends: "
                         f"{', '.join(list_backends())}")
    if inv.processes and inv.processes > 1:
        if inv.backend is None:
            inv.backend = "mpi"
        elif inv.backend != "mpi":
            raise UsageError(f"the {inv.backend} backend runs in one process; use --backend mpi with -n")


def cmd_run(tokens: list[str]) -> int:
    inv = parse("run", tokens)
    _check_backend(inv)
    if inv.processes and inv.processes > 1 and not under_mpi_launcher():
        launcher = find_mpiexec()
        if launcher is None:
            print("pynnlite run: -n needs an MPI launcher (mpiexec); install one with: "
                  "pip install \"pynnlite[mpi]\"", file=sys.stderr)
            return 2
        command = [launcher, "-n", str(inv.processes)] + _child_command(inv)
        return subprocess.call(command)
    _prepare_environment(inv)
    _execute(inv)
    return 0


def _report(simulation: Any, inv: Invocation) -> str:
    from pynnlite import descriptions
    return descriptions.describe_network(simulation, format=inv.format, template=inv.template or "default")


def cmd_describe(tokens: list[str]) -> int:
    from pynnlite import simulation as simulation_state
    from pynnlite.utility import run_control
    inv = parse("describe", tokens)
    _check_backend(inv)
    _prepare_environment(inv)
    os.environ.setdefault(run_control.PROGRESS_ENV, "0")
    stdout = sys.stdout
    failure: BaseException | None = None
    run_control.construction_only(True)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            _execute(inv)
    except run_control.ConstructionFinished:
        pass
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            failure = exit_
    except UsageError:
        raise
    except Exception as error:  # noqa: BLE001 - reported below
        failure = error
        traceback.print_exc()
    finally:
        run_control.construction_only(False)
    simulations = run_control.skipped_simulations()
    current = simulation_state._current
    if current is not None and not any(s is current for s in simulations):
        simulations.append(current)
    if not simulations:
        print("pynnlite describe: the script built no network (no setup() with a run() or an "
              "unfinished simulation)", file=sys.stderr)
        return 1
    if failure is not None:
        ran = bool(run_control.skipped_simulations())
        note = ("after its construction (expected: run() did not simulate, so there are no results)"
                if ran else "during construction; the report shows the network built until then")
        print(f"pynnlite describe: the script stopped {note}: {type(failure).__name__}: {failure}",
              file=sys.stderr)
    reports = [_report(sim, inv) for sim in simulations]
    text = "\n".join(r for r in reports if r)
    if inv.report_file:
        with open(inv.report_file, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return 0 if failure is None or run_control.skipped_simulations() else 1


COMMANDS = {"run": cmd_run, "describe": cmd_describe, "backends": cmd_backends}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pynnlite`` console command; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE if args else USAGE, file=sys.stdout if args else sys.stderr)
        if args and args[0] == "help":
            print(__doc__)
        return 0 if args else 2
    if args[0] == "--version":
        import pynnlite
        print(f"pynnlite {pynnlite.__version__}")
        return 0
    command = COMMANDS.get(args[0])
    if command is None:
        print(f"pynnlite: unknown command {args[0]!r}\n{USAGE}", file=sys.stderr)
        return 2
    try:
        return command(args[1:])
    except UsageError as error:
        print(f"pynnlite {args[0]}: {error}" if not str(error).startswith("usage:") else str(error),
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
