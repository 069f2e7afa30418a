"""Synaptic plasticity in the numpy engine: one small class per rule, event driven.

This module is the engine's side (``PlasticityManager``, ``RULES``); the rules live in
``plastic_rule.py`` (their base: columns in and out, storage order, weight constraints),
``stdp_rules.py`` (spike-timing rules), ``short_term_rules.py`` (Tsodyks-Markram and the
stochastic release rules) and ``weight_dependences.py`` (STDP weight dependences).

The engine hands every plastic route, at the end of each communication slice
(``min_delay``), the pre-synaptic spikes of the slice (all processes' spikes), the
post-synaptic spikes of its post cells (local) and, for reward-modulated STDP, the
modulator's spikes. The rule updates the synapses in the rows of the spiking
pre-synaptic cells and the columns of the spiking post-synaptic cells only, with
whole-array numpy over those rows and columns, and returns the weight each pre-synaptic
spike transmits; the route then scatters them into the ring buffers as for static
synapses. Cost is proportional to (spikes × fan-out + post spikes × fan-in), never
to synapses × steps. Under MPI a process holds the post cells and all their incoming
synapses and receives every pre-synaptic spike, so the same code runs unchanged.

Timing (times are in steps, as floats; ``f`` = dendritic_delay_fraction, D = delay
in steps): a pre spike at step p is an event of its synapse at p + (1 − f)·D, a post
spike at step q at q + f·D. An event is processed at the end of the slice containing
its time, so every event of a synapse is processed in time order; events of one
synapse at the same time: post before pre, and neither sees the other (NEST). A
spike transmits the weight its synapse has at its emission time (after the events up
to then, its own included when f = 1, as NEST).

Two exact representations of the spike-timing rules' traces (chosen per route and run,
see PairPlasticity): per cell, when delays and trace time constants are uniform (with f = 1
and no modulator spike a whole slice is then a few vectorised steps, see _cell_events;
otherwise events of one kind that are consecutive in time are one step), or per synapse
(a slice's events then run in *rounds*: round r holds the r-th event of every synapse, so
it touches each synapse at most once and is one vectorised update; the number of rounds
is the largest number of events of one synapse in a slice).

Synapse columns (weights, parameters, state) are copied into route-local arrays at the
start of each run and written back at its end, the state columns as their values at
the current time; the internal state (values at each synapse's or cell's last event)
is kept for the next run unless the columns were changed, so runs split exactly.
``reset()`` restores the state columns to their initial values (weights are kept).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pynnlite.backends.numpy.plastic_rule import RulePlasticity
from pynnlite.backends.numpy.short_term_rules import (MultiQuantalPlasticity, StochasticTransmission,
                                                      StochasticTsodyksMarkramPlasticity,
                                                      TsodyksMarkramPlasticity)
from pynnlite.backends.numpy.stdp_rules import RewardModulatedPlasticity, SpikePairPlasticity, VogelsPlasticity
from pynnlite.errors import InvalidModelError

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.projections import Projection

_EMPTY_I = np.empty(0, dtype=np.int64)

#: synapse type ``rule`` name -> the engine class that runs it
RULES = {"tsodyks_markram": TsodyksMarkramPlasticity, "stochastic": StochasticTransmission,
         "spike_pair": SpikePairPlasticity,
         "vogels2011": VogelsPlasticity, "reward_modulated": RewardModulatedPlasticity,
         "stochastic_tsodyks_markram": StochasticTsodyksMarkramPlasticity, "multiquantal": MultiQuantalPlasticity}


# -- the engine's bookkeeping -------------------------------------------------------------------

class PlasticityManager:
    """Builds the rule of every plastic route, runs it each slice, and keeps the
    initial values of synaptic state variables for ``reset()``."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.initial_state: dict["Projection", dict[str, np.ndarray]] = {}
        self.rules: list[RulePlasticity] = []

    def projection_added(self, projection: "Projection") -> None:
        if getattr(projection.synapse_type, "plastic", False):
            rule = getattr(projection.synapse_type, "rule", None)
            if rule not in RULES:
                raise InvalidModelError(f"the numpy backend has no plasticity rule for {projection.synapse_type.name}")
            columns = projection._table.columns
            self.initial_state[projection] = {name: columns[name].copy()
                                              for name in projection.synapse_state_names() if name in columns}

    def state_initialized(self, projection: "Projection", values: dict[str, np.ndarray]) -> None:
        if projection in self.initial_state:
            columns = projection._table.columns
            self.initial_state[projection].update({name: columns[name].copy() for name in values})

    def attach(self, routes: list) -> None:
        previous = {(id(r.projection), r.route.post_group.population): r for r in self.rules}
        self.rules = []
        for route in routes:
            synapse_type = getattr(getattr(route, "projection", None), "synapse_type", None)
            if not getattr(synapse_type, "plastic", False) or not hasattr(route, "indptr") or not route.synapses.size:
                continue   # (a route without synapses delivers nothing and learns nothing)
            rule = RULES[synapse_type.rule](route, self.engine)
            old = previous.get((id(route.projection), route.post_group.population))
            if old is not None:
                rule.inherit(old)
            route.plasticity = rule
            self.rules.append(rule)

    def begin_run(self, first: int) -> None:
        for rule in self.rules:
            rule.begin_run(first)

    def end_run(self, last: int) -> None:
        for rule in self.rules:
            rule.end_run(last)

    def deliver(self, route: Any, exchanged: dict, spikes: dict, ring_size: int, last: int) -> None:
        """One slice of a plastic route (ending at step ``last``): learning, then delivery of
        the pre spikes."""
        rule = route.plasticity
        pre_index, pre_steps = route.pre_spikes(exchanged)
        post = spikes.get(route.post_group)
        post_cells, post_steps = post if post is not None else (_EMPTY_I, _EMPTY_I)
        modulator = rule.modulator_spikes(exchanged) if hasattr(rule, "modulator_spikes") else None
        weights = rule.transmit(pre_index, pre_steps, np.asarray(post_cells, dtype=np.int64),
                                np.asarray(post_steps), modulator, last)
        if weights is not None:
            route.deliver(pre_index, pre_steps, ring_size, weights)

    def reset(self) -> None:
        for projection, columns in self.initial_state.items():
            table = projection._table
            for name, values in columns.items():
                table.columns[name][:] = values
            table.version += 1
        for rule in self.rules:
            rule.reset()

