"""Cell groups stepped together: one kernel call per step for several populations.

Each numpy call of a kernel step costs about half a microsecond whatever the array
size, so a network of many small populations of one cell type (excitatory and
inhibitory cells, the layers of a microcircuit) would pay that cost once per
population and step. Populations whose kernels are plain per-cell arithmetic
(``batchable`` kernel classes: no per-cell state beyond the arrays, no coupling
across cells) and that share kernel class and receptor types are therefore joined
into a ``KernelBatch``: their state variables are concatenated into one array
each, every member's ``state[name]`` becomes a view of its slice, and one kernel
built from the concatenated parameters advances them all. The ring buffer of
synaptic input is the batch's: a member's cell at local position ``p`` has
column ``offset + p``.

A stepping *unit* is either a batch or a lone ``CellGroup`` (``group.unit is
group``, ``group.offset == 0``); the engine advances units and splits their spikes
per member once per communication slice.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.backends.numpy.engine import CellGroup


class KernelBatch:
    """Several CellGroups with one kernel, concatenated state and one input ring buffer."""

    def __init__(self, members: list["CellGroup"]):
        self.members = members
        self.offsets = np.cumsum([0] + [g.n for g in members[:-1]]).astype(np.int64)
        self.n = int(sum(g.n for g in members))
        first = members[0]
        self.engine = first.engine
        self.kernel_cls = first.kernel_cls
        self.receptors = first.receptors
        self.gids = np.concatenate([g.gids for g in members])
        self.kernel: Any = None
        self.i_ext_window: np.ndarray | None = None
        size = max(g.buffer.shape[0] for g in members)
        step = self.engine.sim.step_count
        for group in members:
            group.resize_buffer(size, step)
        self.buffer = np.concatenate([g.buffer for g in members], axis=2)
        names = [name for name in first.state if all(name in g.state for g in members)]
        self.state = {name: np.concatenate([np.asarray(g.state[name], dtype=float) for g in members])
                      for name in names}
        for group, offset in zip(members, self.offsets.tolist()):
            group.unit, group.offset = self, offset
            group.state = {name: values[offset:offset + group.n] for name, values in self.state.items()}
            group.buffer = None

    def dissolve(self) -> None:
        """Give every member its own arrays again (copies of its slices), pending input included."""
        for group, offset in zip(self.members, self.offsets.tolist()):
            group.state = {name: values.copy() for name, values in group.state.items()}
            group.buffer = self.buffer[:, :, offset:offset + group.n].copy()
            group.unit, group.offset = group, 0
            group.kernel = None

    def build_kernel(self) -> None:
        parts = [g.population.local_parameters() for g in self.members]
        params = {name: np.concatenate([np.asarray(p[name], dtype=float) for p in parts]) for name in parts[0]}
        self.kernel = self.kernel_cls(params, self.engine.sim.dt)

    def resize_buffer(self, size: int, step: int) -> None:
        self.buffer = _resized(self.buffer, size, step)

    def prepare_injection(self, first_step: int, n_steps: int) -> None:
        windows = []
        for group in self.members:
            group.prepare_injection(first_step, n_steps)
            windows.append(group.i_ext_window)
        if all(w is None for w in windows):
            self.i_ext_window = None
            return
        self.i_ext_window = np.concatenate(
            [w if w is not None else np.zeros((n_steps, g.n)) for w, g in zip(windows, self.members)], axis=1)
        for group in self.members:
            group.i_ext_window = None


def _resized(old: np.ndarray, size: int, step: int) -> np.ndarray:
    """Ring buffer of ``size`` slots keeping the pending input for steps >= ``step``."""
    if old.shape[0] == size:
        return old
    new = np.zeros((size,) + old.shape[1:])
    keep = min(old.shape[0], size)
    absolute = step + np.arange(keep)
    new[absolute % size] = old[absolute % old.shape[0]]
    return new


def form_units(groups: list["CellGroup"], alone: set) -> list[Any]:
    """Stepping units of these neuron groups, in the groups' order (a batch where its first
    member is): batchable groups with the same kernel class and receptors are joined;
    groups in ``alone`` (e.g. coupled by gap junctions or graded synapses) stay lone."""
    classes: dict[tuple, list] = {}
    for group in groups:
        if getattr(group.kernel_cls, "batchable", False) and group not in alone:
            classes.setdefault((group.kernel_cls, group.receptors), []).append(group)
    units: list[Any] = []
    batched: dict[Any, KernelBatch] = {}
    for members in classes.values():
        if len(members) > 1:
            batch = KernelBatch(members)
            for group in members:
                batched[group] = batch
    for group in groups:
        unit = batched.get(group, group)
        if unit not in units:
            units.append(unit)
    return units
