"""Shared fixtures: a fresh numpy-backend simulation per test."""
import pytest


@pytest.fixture
def sim():
    import pynnlite.backends.numpy as sim
    sim.setup(timestep=0.1)
    yield sim
    sim.end()
