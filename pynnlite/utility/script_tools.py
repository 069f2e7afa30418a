"""Helpers for the command line and the files of simulation scripts (PyNN's ``pyNN.utility``).

``get_simulator()`` and ``get_script_args()`` read the simulator name from the command
line as PyNN scripts expect (``python model.py nest --plot-figure``). A PyNN simulator
name (``nest``, ``neuron``, ``brian2``, ``mock`` ...) selects the pynnlite backend chosen
for the run (``pynnlite run --backend``, environment variable ``PYNNLITE_BACKEND``,
default ``numpy``); a pynnlite backend name (``numpy``, ``mpi``) selects that backend.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from datetime import datetime
from types import ModuleType

from pynnlite.errors import BackendNotFoundError

#: Environment variable naming the backend that PyNN simulator names resolve to.
BACKEND_ENV = "PYNNLITE_BACKEND"
#: Backend used when neither the command line nor the environment choose one.
DEFAULT_BACKEND = "numpy"
#: Simulator names of PyNN (and of its third-party backends) that resolve to the chosen backend.
PYNN_SIMULATORS = ("nest", "neuron", "brian2", "brian", "mock", "nemo", "pcsim", "moose", "genn",
                   "spiNNaker", "arbor", "nineml", "neuroml", "hardware")

#: Outgoing-mail settings of ``notify()``: a module ``settings`` on the path may define them.
try:  # pragma: no cover - depends on the user's environment
    from settings import EMAIL, SMTPHOST  # type: ignore[import-not-found]
except Exception:  # noqa: BLE001 - any failure means: not configured
    SMTPHOST = None
    EMAIL = None


def chosen_backend() -> str:
    """Name of the pynnlite backend that PyNN simulator names stand for in this run."""
    return os.environ.get(BACKEND_ENV) or DEFAULT_BACKEND


def backend_for(simulator: str) -> str:
    """The pynnlite backend name for a simulator name given on a command line.

    A pynnlite backend name is itself; a PyNN simulator name is the chosen backend
    (:func:`chosen_backend`); anything else is a ``BackendNotFoundError`` listing both.
    """
    from pynnlite.backend_registry import list_backends
    installed = list_backends()
    if simulator in installed:
        return simulator
    if simulator in PYNN_SIMULATORS:
        return chosen_backend()
    raise BackendNotFoundError(
        f"unknown simulator {simulator!r}: pynnlite backends are {', '.join(installed) or 'none'}; "
        f"PyNN simulator names ({', '.join(PYNN_SIMULATORS[:4])} ...) run on the chosen backend "
        f"({chosen_backend()!r})")


def simulator_backend_module(simulator: str) -> ModuleType:
    """The pynnlite backend module for a simulator name (see :func:`backend_for`)."""
    from pynnlite.backend_registry import get_backend
    return get_backend(backend_for(simulator))


def simulator_module(simulator: str) -> ModuleType:
    """The simulator module for a name given on the command line: the backend module (see
    :func:`backend_for`); when ``pyNN`` imports are redirected to pynnlite
    (``pynnlite run --as-pynn``) it is imported as ``pyNN.<name>``, as PyNN does.
    """
    from pynnlite import pynn_alias
    if pynn_alias.is_installed():
        return importlib.import_module(f"pyNN.{simulator}")
    return simulator_backend_module(simulator)


def _installed_backends() -> list[str]:
    from pynnlite.backend_registry import list_backends
    return list_backends()


def _known_simulator(name: str) -> bool:
    return name in PYNN_SIMULATORS or name in _installed_backends()


def _script_argv(n_wanted: int) -> list[str]:
    """The script's arguments; under ``pynnlite run`` a missing simulator name (the first
    argument) is filled in with the chosen backend."""
    argv = list(sys.argv[1:])
    if os.environ.get(BACKEND_ENV) and n_wanted > 0 and not (argv and _known_simulator(argv[0])):
        argv.insert(0, os.environ[BACKEND_ENV])
    return argv


def get_simulator(*arguments: tuple) -> tuple[ModuleType, argparse.Namespace]:
    """Parse the command line and return ``(simulator module, parsed arguments)``.

    The first positional argument is the simulator name (``args.simulator``). Each
    further argument is a tuple ``(name, help_text)`` or ``(name, help_text, options)``
    with ``options`` a dict of ``argparse.ArgumentParser.add_argument`` keywords.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("simulator", help="simulator: numpy or mpi (pynnlite), or a PyNN name "
                                          "(nest, neuron, brian2 ...) for the chosen pynnlite backend")
    for argument in arguments:
        if not isinstance(argument, (tuple, list)) or len(argument) < 2:
            raise TypeError(f"each argument must be (name, help_text[, options]), got {argument!r}")
        options = dict(argument[2]) if len(argument) > 2 else {}
        parser.add_argument(argument[0], help=argument[1], **options)
    args = parser.parse_args(_script_argv(1))
    return simulator_module(args.simulator), args


def get_script_args(n_args: int, usage: str = "") -> list[str]:
    """The first ``n_args`` command-line arguments given after the script name.

    The script is found in ``sys.argv`` by the calling module's ``__file__`` (so this
    works under ``mpiexec``, ``nrniv`` and the like); raises an Exception with ``usage``
    (or a count message) if there are fewer.
    """
    caller = sys._getframe(1).f_globals
    start = 0
    script = caller.get("__file__")
    if script:
        for candidate in (script, os.path.abspath(script)):
            if candidate in sys.argv:
                start = sys.argv.index(candidate)
                break
    argv = sys.argv[start + 1:]
    if os.environ.get(BACKEND_ENV) and n_args > 0 and len(argv) == n_args - 1 \
            and not (argv and _known_simulator(argv[0])):
        argv = [os.environ[BACKEND_ENV]] + argv
    args = argv[:n_args]
    if len(args) != n_args:
        raise Exception(usage or f"the script needs {n_args} argument(s), {len(args)} given")
    return args


def init_logging(logfile: str | None, debug: bool = False, num_processes: int = 1, rank: int = 0,
                 level: int | None = None) -> logging.Logger:
    """Configure the root logger; returns the ``"PyNN"`` logger.

    logfile: file to write (None: standard error); with several MPI processes each
    writes ``<logfile>.<rank>`` and every message starts with the rank.
    debug: DEBUG level instead of INFO; ``level`` (a ``logging`` level) overrides both.
    """
    if logfile:
        if num_processes > 1:
            logfile = f"{logfile}.{rank}"
        logfile = os.path.abspath(logfile)
    prefix = f"Rank {rank} of {num_processes}: " if num_processes > 1 else ""
    log_level = level if level else (logging.DEBUG if debug else logging.INFO)
    logging.basicConfig(level=log_level, filename=logfile, filemode="w",
                        format=prefix + "%(asctime)s %(levelname)-8s [%(name)s] %(message)s "
                                        "(%(pathname)s[%(lineno)d]:%(funcName)s)")
    return logging.getLogger("PyNN")


def normalized_filename(root: str, basename: str, extension: str, simulator: str,
                        num_processes: int | None = None, use_iso8601: bool = False) -> str:
    """``<root>/<date>/<basename>_<simulator>[_np<N>]_<date-time>.<extension>``.

    The date (``YYYYMMDD``, or ``YYYY-MM-DD`` with ``use_iso8601``) names a
    sub-directory; the file name carries the date and time of the call.
    """
    now = datetime.now()
    if use_iso8601:
        day, stamp = now.strftime("%Y-%m-%d"), now.strftime("%Y-%m-%dT%H:%M:%S")
    else:
        day, stamp = now.strftime("%Y%m%d"), now.strftime("%Y%m%d-%H%M%S")
    processes = f"_np{num_processes}" if num_processes else ""
    return os.path.join(root, day, f"{basename}_{simulator}{processes}_{stamp}.{extension}")


def notify(msg: str = "Simulation finished.", subject: str = "Simulation finished.",
           smtphost: str | None = SMTPHOST, address: str | None = EMAIL) -> None:
    """E-mail ``msg`` to ``address`` through ``smtphost`` (both from a ``settings`` module
    if not given); prints a note and sends nothing when either is missing."""
    if not (smtphost and address):
        print("notify(): no SMTP host or e-mail address given; no message sent.")
        return
    import smtplib
    from email.message import EmailMessage
    message = EmailMessage()
    message["From"] = message["To"] = address
    message["Subject"] = subject
    message.set_content(f"{msg}\nTimestamp: {datetime.now():%H:%M:%S, %Y-%m-%d}")
    with smtplib.SMTP(smtphost) as server:
        server.send_message(message)
