"""Backends that execute pynnlite networks, one package each (found through the
``pynnlite.backends`` entry-point group)."""
