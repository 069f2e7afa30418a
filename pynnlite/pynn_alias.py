"""Make ``import pyNN...`` resolve to pynnlite, so PyNN scripts run unchanged
(``pynnlite run --as-pynn``).

:func:`install` puts a finder first on ``sys.meta_path`` that answers every ``pyNN``
import with the pynnlite module of the same role; the module objects are pynnlite's own,
so ``pyNN.random.NumpyRNG is pynnlite.random.NumpyRNG``:

- ``pyNN.nest``, ``pyNN.neuron``, ``pyNN.brian2``, ``pyNN.mock`` (and the other PyNN
  simulator names) → the chosen backend module (environment variable
  ``PYNNLITE_BACKEND``, default ``numpy``); ``pyNN.numpy``/``pyNN.mpi`` → that backend;
- ``pyNN.<simulator>.<module>`` (e.g. ``pyNN.neuron.random``) → as ``pyNN.<module>``;
- ``pyNN.<module>`` → ``pynnlite.<module>`` (``random``, ``space``, ``errors``,
  ``parameters``, ``connectors``, ``recording``, ``utility``, ``utility.plotting``,
  ``core``, ``common``, ``standardmodels``, ``descriptions`` ...), with the renamings
  of :data:`RENAMED`; where PyNN's module is a package with a renamed submodule and
  pynnlite's is a plain module (``pyNN.recording`` with ``pyNN.recording.files``), a
  small package stands for it whose other attributes are the pynnlite module's;
- ``pyNN`` itself → a small package whose other attributes are pynnlite's.

A ``pyNN`` module pynnlite has no counterpart for raises ``ModuleNotFoundError``
saying so.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import Callable

#: The PyNN API version pynnlite follows (``pyNN.__version__`` under --as-pynn).
PYNN_API_VERSION = "0.13.0"

#: PyNN module names whose pynnlite counterpart has another name.
RENAMED = {
    "recording.files": "pynnlite.file_formats",
    "models": "pynnlite.models.base",
    "standardmodels.base": "pynnlite.standardmodels",
}


class PyNNAliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``pyNN`` and ``pyNN.*`` and loads the pynnlite module that stands for each."""

    def find_spec(self, fullname: str, path=None, target=None):  # noqa: ANN001 - importlib's signature
        if fullname != "pyNN" and not fullname.startswith("pyNN."):
            return None
        if fullname == "pyNN":
            return importlib.machinery.ModuleSpec("pyNN", _PackageLoader(), is_package=True)
        target_name = resolve(fullname[len("pyNN."):])
        if target_name is None:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: pynnlite has no counterpart of it "
                f"(PyNN imports are redirected to pynnlite by 'pynnlite run --as-pynn')", name=fullname)
        if isinstance(target_name, str) and _renamed_children(fullname[len("pyNN."):]):
            return importlib.machinery.ModuleSpec(fullname, _ProxyLoader(target_name), is_package=True)
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(target_name), is_package=True)


def _renamed_children(name: str) -> list[str]:
    """The submodules of ``pyNN.<name>`` that RENAMED maps (after any simulator prefix)."""
    from pynnlite.utility.script_tools import PYNN_SIMULATORS
    from pynnlite.backend_registry import list_backends
    head, _, rest = name.partition(".")
    if (head in PYNN_SIMULATORS or head in list_backends()) and rest:
        name = rest
    return [key[len(name) + 1:] for key in RENAMED if key.startswith(name + ".")]


class _AliasLoader(importlib.abc.Loader):
    """Puts an existing pynnlite module in ``sys.modules`` under the ``pyNN`` name."""

    def __init__(self, target: str | Callable[[], ModuleType]):
        self.target = target

    def create_module(self, spec):  # noqa: ANN001
        return None

    def exec_module(self, module: ModuleType) -> None:
        target = self.target() if callable(self.target) else importlib.import_module(self.target)
        # the import system returns whatever sys.modules holds under the name after exec
        sys.modules[module.__name__] = target


class _ProxyLoader(importlib.abc.Loader):
    """A package standing for a plain pynnlite module: its submodules are imported through
    the finder, every other attribute is the module's (``pyNN.recording.Recorder is
    pynnlite.recording.Recorder``)."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):  # noqa: ANN001
        return None

    def exec_module(self, module: ModuleType) -> None:
        target = importlib.import_module(self.target)
        module.__doc__ = target.__doc__
        children = _renamed_children(module.__name__[len("pyNN."):])

        def __getattr__(name: str):  # noqa: N807 - module-level attribute hook (PEP 562)
            if name in children:
                return importlib.import_module(f"{module.__name__}.{name}")
            try:
                return getattr(target, name)
            except AttributeError:
                raise AttributeError(f"module {module.__name__!r} ({self.target}) has no attribute {name!r}") from None

        module.__getattr__ = __getattr__
        module.__dir__ = lambda: sorted(set(dir(target)) | set(children))


class _PackageLoader(importlib.abc.Loader):
    """The top-level ``pyNN`` package: PyNN's version, pynnlite's names."""

    def create_module(self, spec):  # noqa: ANN001
        return None

    def exec_module(self, module: ModuleType) -> None:
        import pynnlite
        module.__version__ = PYNN_API_VERSION
        module.__doc__ = "PyNN imports redirected to pynnlite (pynnlite run --as-pynn)."

        def __getattr__(name: str):  # noqa: N807 - module-level attribute hook (PEP 562)
            try:
                return getattr(pynnlite, name)
            except AttributeError:
                raise AttributeError(f"module 'pyNN' (pynnlite) has no attribute {name!r}") from None

        module.__getattr__ = __getattr__


def _backend_loader(simulator: str) -> Callable[[], ModuleType]:
    def load() -> ModuleType:
        from pynnlite.utility.script_tools import simulator_backend_module
        return simulator_backend_module(simulator)
    return load


def resolve(name: str) -> str | Callable[[], ModuleType] | None:
    """What ``pyNN.<name>`` stands for: a pynnlite module name, a function returning the
    backend module, or None if pynnlite has no counterpart."""
    from pynnlite.utility.script_tools import PYNN_SIMULATORS
    from pynnlite.backend_registry import list_backends
    head, _, rest = name.partition(".")
    if head in PYNN_SIMULATORS or head in list_backends():
        return resolve(rest) if rest else _backend_loader(head)
    if name in RENAMED:
        return RENAMED[name]
    candidate = f"pynnlite.{name}"
    try:
        found = importlib.util.find_spec(candidate)
    except (ImportError, AttributeError, ValueError):
        found = None
    return candidate if found is not None else None


_finder = PyNNAliasFinder()


def install() -> None:
    """Redirect ``pyNN`` imports to pynnlite (idempotent)."""
    if not is_installed():
        sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Stop redirecting and forget the ``pyNN`` names already imported."""
    while _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if n == "pyNN" or n.startswith("pyNN.")]:
        del sys.modules[name]


def is_installed() -> bool:
    return _finder in sys.meta_path
