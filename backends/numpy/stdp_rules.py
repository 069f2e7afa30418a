"""The spike-timing rules of the numpy engine (plasticity.py): the event machinery they share
(PairPlasticity: traces per cell or per synapse, event times, time order) and the rules built on
it: pair-based STDP, Vogels et al. (2011) inhibitory STDP and reward-modulated STDP."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from pynnlite.backends.numpy.delivery import csr_entries
from pynnlite.backends.numpy.plastic_rule import RulePlasticity
from pynnlite.backends.numpy.weight_dependences import WEIGHT_DEPENDENCES
from pynnlite.backends.numpy.weight_dependences import sub as _sub
from pynnlite.connectors.base import ranges

if TYPE_CHECKING:  # pragma: no cover
    from pynnlite.populations import Population

_EMPTY_I = np.empty(0, dtype=np.int64)
_EMPTY_F = np.empty(0, dtype=float)
_MODULATOR, _POST, _PRE, _TRANSMIT = -1, 0, 1, 2
#: Effective times with a fractional dendritic delay are rounded to this grid (steps),
#: so that mathematically equal times compare equal.
_TIME_GRID = 2.0 ** 24


def _grid(t: np.ndarray) -> np.ndarray:
    return np.round(t * _TIME_GRID) / _TIME_GRID


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``ranges`` (concatenated aranges); cheaper for the few segments of one event run."""
    if starts.size <= 6:
        if starts.size == 1:
            a = int(starts[0])
            return np.arange(a, a + int(counts[0]))
        return np.concatenate([np.arange(a, a + c) for a, c in zip(starts.tolist(), counts.tolist())])
    return ranges(starts, counts)


def _repeat_time(cells: np.ndarray, t: np.ndarray) -> float | None:
    """The earliest time at which a cell has an event after an earlier one of its own (inf if
    every cell occurs once; None if a cell has two events at one time)."""
    if cells.size < 2:
        return math.inf
    order = np.lexsort((t, cells))
    c, ts = cells[order], t[order]
    again = c[1:] == c[:-1]
    if not again.any():
        return math.inf
    if (ts[1:][again] == ts[:-1][again]).any():
        return None
    return float(ts[1:][again].min())


# -- pair-based rules ---------------------------------------------------------------------------

class PairPlasticity(RulePlasticity):
    """Event machinery shared by the spike-timing rules: traces, event times, time order.

    Two exact representations of the traces, chosen at the start of each run:

    * *neuron traces* (when the route's delays and trace time constants are uniform and
      the trace columns agree per cell, the usual case): every synapse of a cell sees the
      same events at the same times, so one pre trace per pre cell and one post trace per
      post cell suffice; weights are stored column-contiguous. Events are cell events,
      processed per distinct event time of the slice (at most 2 per step of the slice).
    * *synapse traces* (otherwise): one pre and one post trace per synapse; events are
      synapse events, processed in rounds (round r = the r-th event of each synapse).

    A trace is kept as its value at its last event time, plus, for the post trace, the
    value at that time *without* that event (``*_before``): a pre event at the same time
    must not see it.
    """

    state_names = ("pre_trace", "post_trace")
    tau_pre_name = "tau_plus"
    tau_post_name = "tau_minus"
    nearest = False
    #: whether potentiate/depress read the event times t (else they get None from _cell_events)
    timed_hooks = True

    def __init__(self, route: Any, engine: Any):
        super().__init__(route, engine)
        self.f = float(getattr(self.synapse_type, "dendritic_delay_fraction", 1.0))
        self.neuron_mode = False
        self.dense = False
        self.blocks = False
        self._mark_pre = np.full(self.n_pre, -1, dtype=np.int64)
        self._mark_post = np.full(self.n_post, -1, dtype=np.int64)
        self._slice_out: Any = None
        self._mark = np.full(self.n, -1, dtype=np.int64)
        self._qindex = np.full(self.n_post, -1, dtype=np.int64)   # post cell -> its event in _cell_events

    # -- state ------------------------------------------------------------------------------------
    def load_state(self, first: int) -> None:
        xp = self._column("pre_trace")
        xq = self._column("post_trace")
        t0 = float(first)
        p = self.p
        XP, XQ = np.zeros(self.n_pre), np.zeros(self.n_post)
        XP[self.pre_csr] = xp
        XQ[self.post_position] = xq
        neuron_mode = (np.ndim(p["delay"]) == 0 and np.ndim(p[self.tau_pre_name]) == 0
                       and np.ndim(p[self.tau_post_name]) == 0
                       and not (self.pending and self.pending_format == "synapse")
                       and np.array_equal(XP[self.pre_csr], xp) and np.array_equal(XQ[self.post_position], xq))
        carried = self._carried({"pre_trace": xp, "post_trace": xq, **self.rule_columns()})
        if carried is not None and carried["neuron_mode"] != neuron_mode:
            carried = None
        self.neuron_mode = neuron_mode
        if not neuron_mode and self.pending and self.pending_format == "neuron":
            self._expand_pending()
        if neuron_mode:
            self._use_csc_storage()
            self.pre_of = self.pre_csr[self.order]
            self.post_of = self.post_position[self.order]
            # every (pre, post) pair once: rows and columns are complete and in cell order
            self.dense = (self.n == self.n_pre * self.n_post
                          and np.array_equal(self.pre_of, np.tile(np.arange(self.n_pre), self.n_post))
                          and np.array_equal(self.post_position, np.tile(np.arange(self.n_post), self.n_pre)))
            if self.dense:   # storage position of synapse (i, j): j·n_pre + i
                self._row_steps = np.arange(self.n_post, dtype=np.int64) * self.n_pre
                self._col_steps = np.arange(self.n_pre, dtype=np.int64)
            self.pending_format = "neuron"
            if carried is not None:
                self.XP, self.TP, self.XQ, self.TQ, self.XQB = carried["traces"]
            else:
                self.XP, self.TP = XP, np.full(self.n_pre, t0)
                self.XQ, self.TQ, self.XQB = XQ, np.full(self.n_post, t0), XQ.copy()
        else:
            self.pending_format = "synapse"
            if carried is not None:
                self.xp, self.tp, self.xq, self.tq, self.xqb = carried["traces"]
            else:
                self.xp, self.tp = xp.copy(), np.full(self.n, t0)
                self.xq, self.tq, self.xqb = xq.copy(), np.full(self.n, t0), xq.copy()
        self.load_rule_state(first, carried)
        # dense route, plain spike-pair hooks, uniform parameters: weights updated as a matrix
        self.blocks = (self.dense and type(self).potentiate is SpikePairPlasticity.potentiate
                       and type(self).depress is SpikePairPlasticity.depress
                       and all(v.__class__ is float for v in self.p.values()))

    def load_rule_state(self, first: int, carried: dict | None) -> None:
        pass

    def rule_columns(self) -> dict[str, np.ndarray]:
        return {}

    def snapshot(self) -> dict:
        traces = ((self.XP, self.TP, self.XQ, self.TQ, self.XQB) if self.neuron_mode
                  else (self.xp, self.tp, self.xq, self.tq, self.xqb))
        return {"neuron_mode": self.neuron_mode, "traces": traces, **self.rule_snapshot()}

    def rule_snapshot(self) -> dict:
        return {}

    def state_at(self, T: int) -> dict[str, np.ndarray]:
        t = float(T)
        if self.neuron_mode:
            XP = self.XP * np.exp(-(t - self.TP) * self.dt / self.p[self.tau_pre_name])
            XQ = self.XQ * np.exp(-(t - self.TQ) * self.dt / self.p[self.tau_post_name])
            xp, xq = XP[self.pre_csr], XQ[self.post_position]
        else:
            xp = self._to_csr(self.xp * np.exp(-(t - self.tp) * self.dt / self.p[self.tau_pre_name]))
            xq = self._to_csr(self.xq * np.exp(-(t - self.tq) * self.dt / self.p[self.tau_post_name]))
        return {"pre_trace": xp, "post_trace": xq, **self.rule_state_at(T)}

    def rule_state_at(self, T: int) -> dict[str, np.ndarray]:
        return {}

    def _expand_pending(self) -> None:
        """Neuron-level pending events to synapse-level ones (the run uses synapse traces)."""
        old, self.pending = self.pending, {}
        for key, entries in old.items():
            for kind, cells, t in entries:
                if kind == _POST:
                    syn, counts = csr_entries(self.csc_indptr, cells)
                    syn = self.csc_order[syn]
                else:
                    syn, counts = csr_entries(self.indptr, cells)
                if syn.size == 0:
                    continue
                t_syn = np.repeat(t, counts)
                kinds = np.full(syn.size, kind, dtype=np.int8)
                # by exact due step: neuron-level entries are filed under their earliest one
                self._defer(lambda i, s=syn, ts=t_syn, k=kinds: (s[i], ts[i], k[i]), t_syn,
                            np.ones(t_syn.size, dtype=bool))
        self.pending_format = "synapse"

    # -- rule hooks (S: storage positions; t: time in steps; x/y: trace values) -----------------
    def potentiate(self, S: Any, t: Any, x: np.ndarray) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def depress(self, S: Any, t: Any, y: np.ndarray) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def before_transmit(self, S: Any, t: Any) -> None:
        pass

    def on_modulator(self, t: float, count: int) -> None:
        pass

    def modulator_spikes(self, exchanged: dict) -> tuple[np.ndarray, np.ndarray] | None:
        return None

    # -- slices ------------------------------------------------------------------------------------
    def _pop_due(self, T: int) -> list:
        due = []
        if self.pending:
            for key in sorted(k for k in self.pending if k <= T):   # (a few keys: cheaper than every step)
                due.extend(self.pending.pop(key))
            if due and self.pending_format == "neuron":
                due = self._due_now(due, T)
        self.last_T = T
        return due

    def _due_now(self, entries: list, T: int) -> list:
        """Neuron-level entries are kept under the due step of their *earliest* event (see
        _defer_cells): the events of a popped entry that are due after T go back to pending."""
        due = []
        for kind, cells, t in entries:
            late = np.ceil(t - 1e-9) > T
            if late.any():
                self._defer_cells(kind, cells[late], t[late])
                now = ~late
                if now.any():
                    due.append((kind, cells[now], t[now]))
            else:
                due.append((kind, cells, t))
        return due

    def _defer_cells(self, kind: int, cells: np.ndarray, t: np.ndarray) -> None:
        """Neuron-level events, all later than the current slice, as one pending entry under
        the due step of the earliest (_due_now puts back those not yet due when it is popped):
        one entry per slice instead of one per distinct due step."""
        key = math.ceil(float(t.min()) - 1e-9)
        self.pending.setdefault(key, []).append((kind, cells, t))

    def _defer(self, entry_of, t: np.ndarray, later: np.ndarray) -> None:
        """Put the events ``later`` (mask over t) into pending buckets by due step."""
        if t.size == 1 or (later.all() and (t == t[0]).all()):
            self.pending.setdefault(math.ceil(float(t[0]) - 1e-9), []).append(entry_of(slice(None)))
            return
        keys = np.ceil(t[later] - 1e-9).astype(np.int64)
        idx = np.flatnonzero(later)
        if np.all(keys == keys[0]):
            self.pending.setdefault(int(keys[0]), []).append(entry_of(idx))
            return
        order = np.argsort(keys, kind="stable")
        keys, idx = keys[order], idx[order]
        bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])
        for a, b in zip(bounds[:-1], bounds[1:]):
            self.pending.setdefault(int(keys[a]), []).append(entry_of(idx[a:b]))

    def transmit(self, pre_index, pre_steps, post_cells, post_steps, modulator, T):
        if self.neuron_mode:
            out, changed = self._slice_neurons(pre_index, pre_steps, post_cells, post_steps, modulator, T)
        else:
            out, changed = self._slice_synapses(pre_index, pre_steps, post_cells, post_steps, modulator, T)
        if self.constraints and changed is not None:
            self._apply_constraints(None if changed is True else changed)
            if out is not None:   # the spikes transmit the weights after this slice's constraints
                csr = csr_entries(self.indptr, pre_index)[0]
                out[:] = self.w[csr if self.order is None else self.csr2store[csr]]
        return out

    # -- neuron traces -------------------------------------------------------------------------------
    def _cols(self, cells: np.ndarray) -> Any:
        """Storage positions (CSC storage) of the synapses of post cells ``cells`` (sorted)."""
        ip = self.csc_indptr
        if cells.size == 1 or cells[-1] - cells[0] + 1 == cells.size:   # consecutive cells
            return slice(int(ip[cells[0]]), int(ip[cells[-1] + 1]))
        return _ranges(ip[cells], ip[cells + 1] - ip[cells])

    def _slice_neurons(self, pre_index, pre_steps, post_cells, post_steps, modulator, T):
        f, D = self.f, self.p["delay"]
        due = self._pop_due(T)
        if f == 1.0 and (modulator is None or not modulator[0].size) and all(e[0] == _POST for e in due):
            done = self._slice_cells(pre_index, pre_steps, post_cells, post_steps, due, T)
            if done is not None:
                return done
        groups: list = []      # (kind, cells, times, output slots or None), each in time order

        def add(kind: int, c: np.ndarray, t: np.ndarray, slot: np.ndarray | None = None) -> None:
            if c.size:
                groups.append((kind, c, t, slot))

        def add_or_defer(kind: int, c: np.ndarray, t: np.ndarray) -> None:
            """Events of this slice now, later ones into the pending buckets."""
            later = t > T
            if later.any():
                self._defer(lambda i: (kind, c[i], t[i]), t, later)
                add(kind, c[~later], t[~later])
            else:
                add(kind, c, t)

        for kind, c, t in due:
            add(kind, c, t)
        out = counts = None
        if pre_index.size:
            counts = self.indptr[pre_index + 1] - self.indptr[pre_index]
            out = np.empty(int(counts.sum()))
            t_emit = pre_steps.astype(float)
            spike = np.arange(pre_index.size)
            if f == 1.0:     # the pre event is at emission; the spike transmits right after it
                add(_PRE, pre_index, t_emit, spike)
            else:
                add_or_defer(_PRE, pre_index, _grid(t_emit + (1.0 - f) * D))
                add(_TRANSMIT, pre_index, t_emit, spike)
        if post_cells.size:
            t_post = post_steps.astype(float) + f * D
            if f not in (0.0, 1.0):
                t_post = _grid(t_post)
            add_or_defer(_POST, post_cells, t_post)
        if modulator is not None and modulator[0].size:
            add(_MODULATOR, modulator[1].astype(np.int64), modulator[0].astype(float))
        if not groups:
            return out, None
        self._slice_out = (out, None if out is None else np.cumsum(counts) - counts, counts)
        changed: list = []
        t0 = groups[0][2][0]
        if all(g[2][0] == t0 and g[2][-1] == t0 and (g[2].size < 3 or (g[2] == t0).all()) for g in groups):
            # every event at one time (always so with one-step slices): the kinds in their order
            for k in (_MODULATOR, _POST, _PRE, _TRANSMIT):
                of_kind = [g for g in groups if g[0] == k]
                if not of_kind:
                    continue
                if len(of_kind) == 1:
                    _, c, t, slot = of_kind[0]
                    in_order = slot is not None and slot.size == pre_index.size
                else:
                    c = np.concatenate([g[1] for g in of_kind])
                    t = np.concatenate([g[2] for g in of_kind])
                    slot = np.concatenate([np.full(g[1].size, -1, dtype=np.int64) if g[3] is None else g[3]
                                           for g in of_kind])
                    in_order = False
                if slot is None:
                    slot = np.full(c.size, -1, dtype=np.int64)
                self._run(k, c, t, slot, changed, in_order)
        else:
            kind = np.concatenate([np.full(g[1].size, g[0], dtype=np.int8) for g in groups])
            cell = np.concatenate([g[1] for g in groups])
            t = np.concatenate([g[2] for g in groups])
            slot = np.concatenate([np.full(g[1].size, -1, dtype=np.int64) if g[3] is None else g[3]
                                   for g in groups])
            # consecutive events of one kind touch disjoint rows (or columns), and the traces they
            # read do not change between them: one vectorised step per run of a kind, in time order
            # (equal times: modulator, post, pre, transmission)
            order = np.lexsort((kind, t))
            k_sorted = kind[order]
            bounds = np.flatnonzero(np.r_[True, k_sorted[1:] != k_sorted[:-1], True])
            for a, b in zip(bounds[:-1], bounds[1:]):
                sel = order[a:b]
                self._run(int(k_sorted[a]), cell[sel], t[sel], slot[sel], changed)
        self._slice_out = None
        if not (self.constraints and changed):
            return out, None
        if any(c is True for c in changed):
            return out, True
        changed = [np.arange(c.start, c.stop) if isinstance(c, slice) else c for c in changed]
        return out, np.concatenate(changed)

    def _slice_cells(self, pre_index, pre_steps, post_cells, post_steps, due, T):
        """A slice with f = 1 and no modulator spike, as a few whole-slice array steps.

        Pre events are the slice's spikes at their emission times, post events the due ones and
        this slice's not later than T. Only traces connect synapses, and a cell's trace depends
        on that cell's events alone, so each synapse's events are applied in its own time order
        (post before pre at equal times) by _cell_events, with the same operations as one event
        at a time. A cell with two events in the slice splits it into batches at the later
        event's time. Returns None (nothing done) when a cell has two events of one kind at one
        time, left to the general path."""
        D = self.p["delay"]
        qc = [e[1] for e in due]
        qt = [e[2] for e in due]
        late = None
        if post_cells.size:
            t_post = post_steps.astype(float) + 1.0 * D
            late = t_post > T
            if late.any():
                now = ~late
                qc.append(post_cells[now])
                qt.append(t_post[now])
            else:
                late = None
                qc.append(post_cells)
                qt.append(t_post)
        if len(qc) == 1:
            qc, qt = qc[0], qt[0]
        elif qc:
            qc, qt = np.concatenate(qc), np.concatenate(qt)
        else:
            qc, qt = _EMPTY_I, _EMPTY_F
        pc, pt = pre_index, pre_steps.astype(float)
        split = not (self._distinct(pc, self._mark_pre) and self._distinct(qc, self._mark_post))
        if split:
            t_pre_repeat, t_post_repeat = _repeat_time(pc, pt), _repeat_time(qc, qt)
            if t_pre_repeat is None or t_post_repeat is None:
                return None
        if late is not None:
            self._defer_cells(_POST, post_cells[late], t_post[late])
        changed: list = []
        out = None
        if not split:
            S_pre, w_out, S_post = self._cell_events(pc, pt, qc, qt)
            out = w_out
            changed = [S for S in (S_pre, S_post) if S is not None]
        else:
            if pc.size:
                counts = self.indptr[pc + 1] - self.indptr[pc]
                out = np.empty(int(counts.sum()))
                out_start = np.cumsum(counts) - counts
            slot = np.arange(pc.size)
            t_split = min(t_pre_repeat, t_post_repeat)
            while pc.size or qc.size:
                # the events before the earliest repeat of a cell: each cell at most once
                p_now, q_now = pt < t_split, qt < t_split
                S_pre, w_out, S_post = self._cell_events(pc[p_now], pt[p_now], qc[q_now], qt[q_now])
                if w_out is not None:
                    s = slot[p_now]
                    out[ranges(out_start[s], counts[s])] = w_out
                changed.extend(S for S in (S_pre, S_post) if S is not None)
                p_next, q_next = ~p_now, ~q_now
                pc, pt, slot, qc, qt = pc[p_next], pt[p_next], slot[p_next], qc[q_next], qt[q_next]
                t_split = min(_repeat_time(pc, pt), _repeat_time(qc, qt))
        if not (self.constraints and changed):
            return out, None
        return out, np.concatenate(changed)

    def _cell_events(self, pc: np.ndarray, pt: np.ndarray, qc: np.ndarray, qt: np.ndarray
                     ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        """Pre events (cells pc at times pt) and post events (qc, qt), each of distinct cells,
        all later than the traces' last events: the result of processing them in time order.

        A synapse has an event of each kind at most; the two meet only on the synapses from a
        spiking pre cell to a spiking post cell (the rows' synapses whose post cell is in qc).
        Each trace value a synapse event reads is computed as the one-at-a-time code does:
        from the trace's state after its cell's earlier events. Weights: first the pre events
        of the synapses whose pre event comes first (or alone), then every post event, then the
        pre events that follow a post event on their synapse.

        Returns the storage positions of the pre events' synapses (rows of pc in order), the
        weights they transmit (right after their pre event), and those of the post events'."""
        # (the decay exponents are written (T_last − t)·dt/τ: bitwise −(t − T_last)·dt/τ, as IEEE
        # subtraction is sign-symmetric, one array step fewer)
        dt, nearest = self.dt, self.nearest
        tau_pre, tau_post = self.p[self.tau_pre_name], self.p[self.tau_post_name]
        K, M = pc.size, qc.size
        dense, blocks = self.dense, self.blocks
        timed = self.timed_hooks
        S_pre = S_post = y = x = t_rows = t_cols = None
        if K:
            xb = self.XP[pc] * np.exp((self.TP[pc] - pt) * dt / tau_pre)   # pre traces at their events
            # post traces at the pre events: from the last post event before (XQB: the value just
            # before a post event at the same time; the traces' last events are earlier, as a rule)
            XQ, TQ, XQB = self.XQ, self.TQ, self.XQB
            if dense:     # row of pc[k]: post cells 0..n_post-1 at positions j·n_pre + pc[k]
                if not blocks or self.constraints:
                    S_pre = (pc[:, None] + self._row_steps).ravel()
                tq = pt[:, None]
                if TQ.max() < pt.min():
                    y = (XQ * np.exp((TQ - tq) * dt / tau_post)).ravel()
                else:
                    y = np.where(TQ < tq, XQ * np.exp((TQ - tq) * dt / tau_post), XQB).ravel()
                if timed:
                    t_rows = np.repeat(pt, self.n_post)
            else:
                row_starts = self.indptr[pc]
                n_row = self.indptr[pc + 1] - row_starts
                S_pre = self.csr2store[ranges(row_starts, n_row)]
                post = self.post_of[S_pre]
                tq = np.repeat(pt, n_row)
                TQ_post = TQ[post]
                if TQ_post.max(initial=-math.inf) < pt.min():
                    y = XQ[post] * np.exp((TQ_post - tq) * dt / tau_post)
                else:
                    y = np.where(TQ_post < tq, XQ[post] * np.exp((TQ_post - tq) * dt / tau_post), XQB[post])
                if timed:
                    t_rows = tq
        if M:
            yb = self.XQ[qc] * np.exp((self.TQ[qc] - qt) * dt / tau_post)   # post traces at their events
            if dense:     # column of qc[m]: pre cells 0..n_pre-1 at positions qc[m]·n_pre + i
                if not blocks or self.constraints:
                    S_post = ((qc * self.n_pre)[:, None] + self._col_steps).ravel()
                x = (self.XP * np.exp((self.TP - qt[:, None]) * dt / tau_pre)).ravel()
                if timed:
                    t_cols = np.repeat(qt, self.n_pre)
            else:
                col_starts = self.csc_indptr[qc]
                n_col = self.csc_indptr[qc + 1] - col_starts
                S_post = ranges(col_starts, n_col)
                pre = self.pre_of[S_post]
                tp = np.repeat(qt, n_col)
                x = self.XP[pre] * np.exp((self.TP[pre] - tp) * dt / tau_pre)
                if timed:
                    t_cols = tp
        after = _EMPTY_I      # positions in S_pre of pre events that follow a post event
        if K and M:
            XPa = 1.0 if nearest else xb + 1.0      # pre traces right after their events
            XQa = 1.0 if nearest else yb + 1.0      # post traces right after theirs
            if dense:
                # synapse (pc[k], qc[m]) is x[m, pc[k]] and y[k, qc[m]]: (M, K) and (K, M) blocks
                x2, y2 = x.reshape(M, self.n_pre), y.reshape(K, self.n_post)
                lead = pt - qt[:, None]      # (M, K); < 0: the pre event comes first
                x2[:, pc] = np.where(lead < 0.0, XPa * np.exp(np.minimum(lead, 0.0) * dt / tau_pre), x2[:, pc])
                lag = qt - pt[:, None]       # (K, M); < 0: the post event comes first
                y2[:, qc] = np.where(lag < 0.0, XQa * np.exp(np.minimum(lag, 0.0) * dt / tau_post), y2[:, qc])
                k_a, m_a = np.nonzero(lag <= 0.0)     # equal times: post first
                if blocks:
                    return S_pre, self._block_weights(pc, qc, y2, x2, k_a, m_a, xb, yb, pt, qt), S_post
                after = k_a * self.n_post + qc[m_a]
            else:
                # the synapses with both events: a = position in S_pre, b = in S_post
                qindex = self._qindex
                qindex[qc] = np.arange(M)
                hit = qindex[post]
                qindex[qc] = -1
                a = np.flatnonzero(hit >= 0)
                m_a = hit[a]
                k_a = np.searchsorted(np.cumsum(n_row), a, side="right")
                b = np.cumsum(n_col)[m_a] - n_col[m_a] + (S_pre[a] - col_starts[m_a])
                tk, tm = pt[k_a], qt[m_a]
                first = tk < tm       # the post event reads the pre trace after the pre event
                i = np.flatnonzero(first)
                x[b[i]] = (XPa if nearest else XPa[k_a[i]]) * np.exp((tk[i] - tm[i]) * dt / tau_pre)
                j = np.flatnonzero(tm < tk)     # the pre event reads the post trace after the post event
                y[a[j]] = (XQa if nearest else XQa[m_a[j]]) * np.exp((tm[j] - tk[j]) * dt / tau_post)
                after = a[~first]     # equal times: post first
        if blocks:
            return S_pre, self._block_weights(pc, qc, None if y is None else y.reshape(K, self.n_post),
                                              None if x is None else x.reshape(M, self.n_pre),
                                              _EMPTY_I, _EMPTY_I, xb if K else None, yb if M else None, pt, qt), S_post
        w_out = None
        if K:
            if after.size:
                alone = np.ones(S_pre.size, dtype=bool)
                alone[after] = False
                self.depress(S_pre[alone], None if t_rows is None else t_rows[alone], y[alone])
            else:
                self.depress(S_pre, t_rows, y)
            w_out = self.w[S_pre]
        if M:
            self.potentiate(S_post, t_cols, x)
        if after.size:
            S = S_pre[after]
            self.depress(S, None if t_rows is None else t_rows[after], y[after])
            w_out[after] = self.w[S]
        if K:
            self.XP[pc] = 1.0 if nearest else xb + 1.0
            self.TP[pc] = pt
        if M:
            self.XQB[qc] = yb
            self.XQ[qc] = 1.0 if nearest else yb + 1.0
            self.TQ[qc] = qt
        return S_pre, w_out, S_post

    def _block_weights(self, pc, qc, y2, x2, k_a, m_a, xb, yb, pt, qt) -> np.ndarray | None:
        """_cell_events' weight updates and trace steps on a dense route whose rule is the plain
        spike-pair one with uniform parameters: the weights as a (post × pre) matrix, rows and
        columns instead of index arrays; the same weight dependence on the same values.
        (k_a[i], m_a[i]): the pre and post events of a synapse where the post event comes first."""
        W = self.w.reshape(self.n_post, self.n_pre)      # a view: CSC storage of a dense route
        wd, A_plus, A_minus = self.wd, self.p["A_plus"], self.p["A_minus"]
        w_out = None
        if y2 is not None:
            rows = W[:, pc]                                   # (n_post, K)
            new = wd.depress(rows, A_minus * y2.T, None)
            if k_a.size:                                      # those come after the post event
                new[qc[m_a], k_a] = rows[qc[m_a], k_a]
            W[:, pc] = new
            w_out = new.T.copy()                              # (K, n_post): CSR order
        if x2 is not None:
            W[qc] = wd.potentiate(W[qc], A_plus * x2, None)
        if k_a.size:
            post = qc[m_a]
            v = wd.depress(W[post, pc[k_a]], A_minus * y2[k_a, post], None)
            W[post, pc[k_a]] = v
            w_out[k_a, post] = v
        nearest = self.nearest
        if xb is not None:
            self.XP[pc] = 1.0 if nearest else xb + 1.0
            self.TP[pc] = pt
        if yb is not None:
            self.XQB[qc] = yb
            self.XQ[qc] = 1.0 if nearest else yb + 1.0
            self.TQ[qc] = qt
        return None if w_out is None else w_out.ravel()

    @staticmethod
    def _distinct(cells: np.ndarray, mark: np.ndarray) -> bool:
        if cells.size < 2:
            return True
        occurrence = np.arange(cells.size)
        mark[cells] = occurrence
        return bool(np.array_equal(mark[cells], occurrence))

    def _run(self, kind: int, cells: np.ndarray, t: np.ndarray, slots: np.ndarray, changed: list,
             in_order: bool = False) -> None:
        """Events of one kind, consecutive in time; a cell occurring twice splits the run."""
        if kind == _MODULATOR:
            for m, count in zip(t.tolist(), cells.tolist()):
                self.on_modulator(m, int(count))
            changed.append(True)
            return
        if not self._distinct(cells, self._mark_post if kind == _POST else self._mark_pre):
            order = np.argsort(t, kind="stable")       # r-th events of each cell, r = 0, 1, ...
            c_sorted = cells[order]
            by_cell = np.argsort(c_sorted, kind="stable")
            cs = c_sorted[by_cell]
            first = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]])
            rank = np.empty(cells.size, dtype=np.int64)
            rank[order[by_cell]] = np.arange(cells.size) - np.repeat(first, np.diff(np.r_[first, cells.size]))
            for r in range(int(rank.max()) + 1):
                sel = rank == r
                self._run(kind, cells[sel], t[sel], slots[sel], changed)
            return None
        dt = self.dt
        uniform_t = t.size == 1 or (t == t[0]).all()
        if kind == _POST:
            if uniform_t:
                order = np.argsort(cells)
                cells = cells[order]
                S = self._cols(cells)
                tau: Any = float(t[0])
                tq = tau
            else:
                ip = self.csc_indptr
                n_syn = ip[cells + 1] - ip[cells]
                S = _ranges(ip[cells], n_syn)
                tau = np.repeat(t, n_syn)
                tq = t
            tau_pre = self.p[self.tau_pre_name]
            if uniform_t and self.dense and cells.size == 1:   # the column holds every pre cell, in order
                x = self.XP * np.exp(-(tau - self.TP) * dt / tau_pre)
            else:
                pre = self.pre_of[S]
                if uniform_t and pre.size >= self.n_pre:
                    x = (self.XP * np.exp(-(tau - self.TP) * dt / tau_pre))[pre]
                else:
                    x = self.XP[pre] * np.exp(-(tau - self.TP[pre]) * dt / tau_pre)
            self.potentiate(S, tau, x)
            y = self.XQ[cells] * np.exp(-(tq - self.TQ[cells]) * dt / self.p[self.tau_post_name])
            self.XQB[cells] = y
            self.XQ[cells] = 1.0 if self.nearest else y + 1.0
            self.TQ[cells] = tq
            changed.append(S)
            return
        starts = self.indptr[cells]
        n_syn = self.indptr[cells + 1] - starts
        if cells.size == 1:
            a = int(starts[0])
            S = self.csr2store[a:a + int(n_syn[0])]
        else:
            S = self.csr2store[_ranges(starts, n_syn)]
        tau = float(t[0]) if uniform_t else np.repeat(t, n_syn)
        if kind == _PRE:
            tau_post = self.p[self.tau_post_name]
            if uniform_t and self.dense and cells.size == 1:   # the row holds every post cell, in order
                y = np.where(self.TQ < tau, self.XQ * np.exp(-(tau - self.TQ) * dt / tau_post), self.XQB)
            elif uniform_t and S.size >= self.n_post:
                y = np.where(self.TQ < tau, self.XQ * np.exp(-(tau - self.TQ) * dt / tau_post),
                             self.XQB)[self.post_of[S]]
            else:
                post = self.post_of[S]
                TQ = self.TQ[post]
                y = np.where(TQ < tau, self.XQ[post] * np.exp(-(tau - TQ) * dt / tau_post), self.XQB[post])
            self.depress(S, tau, y)
            x = self.XP[cells] * np.exp(-(t - self.TP[cells]) * dt / self.p[self.tau_pre_name])
            self.XP[cells] = 1.0 if self.nearest else x + 1.0
            self.TP[cells] = t
            changed.append(S)
            if self.f != 1.0:
                return
        else:
            self.before_transmit(S, tau)
        out, out_start, counts = self._slice_out
        if out is not None:
            live = slots >= 0
            if live.all():
                if in_order:
                    out[:] = self.w[S]
                else:
                    out[_ranges(out_start[slots], counts[slots])] = self.w[S]
            elif live.any():
                sub = _ranges(starts[live], n_syn[live])
                out[_ranges(out_start[slots[live]], counts[slots[live]])] = self.w[self.csr2store[sub]]

    # -- synapse traces --------------------------------------------------------------------------------
    def _slice_synapses(self, pre_index, pre_steps, post_cells, post_steps, modulator, T):
        f, D = self.f, self.p["delay"]
        batch = [(syn, t, kind, np.full(syn.size, -1, dtype=np.int64)) for syn, t, kind in self._pop_due(T)]
        out = None
        if pre_index.size:
            csr, counts = csr_entries(self.indptr, pre_index)
            t_emit = np.repeat(pre_steps.astype(float), counts)
            out = np.empty(csr.size)
            pos = np.arange(csr.size)
            if f == 1.0:     # the pre event is at emission; the spike transmits right after it
                self._schedule(csr, t_emit, _PRE, pos, T, batch)
            else:
                self._schedule(csr, _grid(t_emit + (1.0 - f) * _sub(D, csr)), _PRE, None, T, batch)
                self._schedule(csr, t_emit, _TRANSMIT, pos, T, batch)
        if post_cells.size:
            cols, counts = csr_entries(self.csc_indptr, post_cells)
            cols = self.csc_order[cols]
            t_seen = np.repeat(post_steps.astype(float), counts)
            if f != 0.0:
                t_seen = t_seen + f * _sub(D, cols)
                if f != 1.0:
                    t_seen = _grid(t_seen)
            self._schedule(cols, t_seen, _POST, None, T, batch)
        self._out = out
        changed = self._process(batch, modulator)
        self._out = None
        return out, changed

    def _schedule(self, syn: np.ndarray, t: np.ndarray, kind: int, pos: np.ndarray | None, T: int,
                  batch: list) -> None:
        """Events at times <= T go to this slice's batch, later ones to the pending buckets.
        ``pos``: each event's position in the slice's output (transmitting events) or None."""
        if syn.size == 0:
            return
        kinds = np.full(syn.size, kind, dtype=np.int8)
        if pos is None:
            pos = np.full(syn.size, -1, dtype=np.int64)
        later = t > T
        if not later.any():
            batch.append((syn, t, kinds, pos))
            return
        now = ~later
        if now.any():
            batch.append((syn[now], t[now], kinds[now], pos[now]))
        self._defer(lambda i: (syn[i], t[i], kinds[i]), t, later)

    def _process(self, batch: list, modulator: tuple[np.ndarray, np.ndarray] | None) -> Any:
        """Run the batch's events in time order; returns the synapses changed (True: all)."""
        if len(batch) == 1:
            syn, t, kind, pos = batch[0]
        elif batch:
            syn, t, kind, pos = (np.concatenate([b[i] for b in batch]) for i in range(4))
        else:
            syn, t, kind, pos = _EMPTY_I, _EMPTY_F, np.empty(0, np.int8), _EMPTY_I
        if modulator is not None and modulator[0].size:
            done = np.zeros(syn.size, dtype=bool)
            for m, count in zip(modulator[0].tolist(), modulator[1].tolist()):
                now = (t <= m) & ~done
                if now.any():
                    self._rounds(syn[now], t[now], kind[now], pos[now])
                    done |= now
                self.on_modulator(float(m), int(count))
            rest = ~done
            if rest.any():
                self._rounds(syn[rest], t[rest], kind[rest], pos[rest])
            return True
        if syn.size == 0:
            return None
        self._rounds(syn, t, kind, pos)
        return syn

    def _rounds(self, syn: np.ndarray, t: np.ndarray, kind: np.ndarray, pos: np.ndarray) -> None:
        E = syn.size
        mark = self._mark
        order = np.arange(E)
        mark[syn] = order
        if np.array_equal(mark[syn], order):      # each synapse has one event: one round
            self._round(syn, t, kind, pos)
            return
        srt = np.lexsort((kind, t, syn))
        s_syn = syn[srt]
        first = np.flatnonzero(np.r_[True, s_syn[1:] != s_syn[:-1]])
        rank = np.arange(E) - np.repeat(first, np.diff(np.r_[first, E]))
        srt = srt[np.argsort(rank, kind="stable")]
        bounds = np.r_[0, np.cumsum(np.bincount(rank))]
        for a, b in zip(bounds[:-1], bounds[1:]):
            sel = srt[a:b]
            self._round(syn[sel], t[sel], kind[sel], pos[sel])

    def _round(self, syn: np.ndarray, t: np.ndarray, kind: np.ndarray, pos: np.ndarray) -> None:
        """Events on distinct synapses: the kinds can be processed in any order."""
        k0 = kind[0]
        if (kind == k0).all():
            self._dispatch(int(k0), syn, t, pos)
            return
        for k in (_POST, _PRE, _TRANSMIT):
            sel = kind == k
            if sel.any():
                self._dispatch(k, syn[sel], t[sel], pos[sel])

    def _dispatch(self, kind: int, S: np.ndarray, t: np.ndarray, pos: np.ndarray) -> None:
        dt = self.dt
        if kind == _POST:
            x = self.xp[S] * np.exp(-(t - self.tp[S]) * dt / _sub(self.p[self.tau_pre_name], S))
            self.potentiate(S, t, x)
            y = self.xq[S] * np.exp(-(t - self.tq[S]) * dt / _sub(self.p[self.tau_post_name], S))
            self.xqb[S] = y
            self.xq[S] = 1.0 if self.nearest else y + 1.0
            self.tq[S] = t
            return
        if kind == _PRE:
            tq = self.tq[S]
            decayed = self.xq[S] * np.exp(-(t - tq) * dt / _sub(self.p[self.tau_post_name], S))
            self.depress(S, t, np.where(t > tq, decayed, self.xqb[S]))
            x = self.xp[S] * np.exp(-(t - self.tp[S]) * dt / _sub(self.p[self.tau_pre_name], S))
            self.xp[S] = 1.0 if self.nearest else x + 1.0
            self.tp[S] = t
            if self.f != 1.0:
                return
        else:
            self.before_transmit(S, t)
        out = self._out
        if out is not None:
            send = pos >= 0
            if send.all():
                out[pos] = self.w[S]
            elif send.any():
                out[pos[send]] = self.w[S[send]]


class SpikePairPlasticity(PairPlasticity):
    """STDPMechanism with SpikePairRule: a post event potentiates with amount A_plus·x_pre,
    a pre event depresses with amount A_minus·x_post, through the weight dependence."""

    timed_hooks = False

    def __init__(self, route: Any, engine: Any):
        super().__init__(route, engine)
        mechanism = self.synapse_type
        self.nearest = bool(getattr(mechanism.timing_dependence, "nearest", False))
        wd = mechanism.weight_dependence
        self.parameter_names = tuple(mechanism.timing_dependence.parameter_space) + tuple(wd.parameter_space)
        self.wd_class = WEIGHT_DEPENDENCES[wd.dependence]

    def load_rule_state(self, first: int, carried: dict | None) -> None:
        self.wd = self.wd_class(self.p)

    def potentiate(self, S, t, x):
        self.w[S] = self.wd.potentiate(self.w[S], _sub(self.p["A_plus"], S) * x, S)

    def depress(self, S, t, y):
        self.w[S] = self.wd.depress(self.w[S], _sub(self.p["A_minus"], S) * y, S)


class VogelsPlasticity(SpikePairPlasticity):
    """STDPMechanism with Vogels2011Rule (NEST vogels_sprekeler_synapse): a post event
    adds eta·x_pre; a pre event adds eta·x_post, then subtracts eta·α, α = 2·rho·tau/1000.
    The amounts given to the weight dependence are eta/w_max-scaled, so that the additive
    dependence makes exactly these changes."""

    tau_pre_name = "tau"
    tau_post_name = "tau"

    def potentiate(self, S, t, x):
        eta = _sub(self.p["eta"], S) / _sub(self.p["w_max"], S)
        self.w[S] = self.wd.potentiate(self.w[S], eta * x, S)

    def depress(self, S, t, y):
        eta = _sub(self.p["eta"], S) / _sub(self.p["w_max"], S)
        alpha = 2.0 * _sub(self.p["rho"], S) * _sub(self.p["tau"], S) / 1000.0
        w = self.wd.potentiate(self.w[S], eta * y, S)
        self.w[S] = self.wd.depress(w, eta * alpha, S)


class RewardModulatedPlasticity(PairPlasticity):
    """RewardModulatedSTDP (NEST stdp_dopamine_synapse): pairs change the eligibility c;
    dw/dt = c·(d − b) is integrated exactly between a synapse's events; a modulator spike
    brings every synapse to its time and adds 1/tau_d to d."""

    parameter_names = ("tau_plus", "tau_minus", "A_plus", "A_minus", "tau_c", "tau_d", "b", "w_min", "w_max")
    state_names = ("pre_trace", "post_trace", "c", "d")

    def __init__(self, route: Any, engine: Any):
        super().__init__(route, engine)
        modulator = self.synapse_type.modulator
        self.modulator: list[tuple["Population", np.ndarray]] = []
        if modulator is not None:
            for pop, indices in modulator._segments():
                mask = np.zeros(pop.size, dtype=bool)
                mask[indices] = True
                self.modulator.append((pop, mask))

    def rule_columns(self) -> dict[str, np.ndarray]:
        return {"c": self._column("c"), "d": self._column("d")}

    def load_rule_state(self, first: int, carried: dict | None) -> None:
        if carried is not None:
            self.c, self.d, self.tu = carried["c"], carried["d"], carried["tu"]
        else:
            self.c = self._stored(self._column("c").copy())
            self.d = self._stored(self._column("d").copy())
            self.tu = np.full(self.n, float(first))

    def rule_snapshot(self) -> dict:
        return {"c": self.c, "d": self.d, "tu": self.tu}

    def rule_state_at(self, T: int) -> dict[str, np.ndarray]:
        return {"c": self._to_csr(self.c), "d": self._to_csr(self.d)}   # brought to T by sync

    def sync(self, T: int) -> None:
        self._propagate(slice(None), float(T))

    def _propagate(self, S: Any, t: Any) -> None:
        """w, c, d of synapses S from their last update to time t (exact); w clipped."""
        p = self.p
        h = (t - self.tu[S]) * self.dt
        tau_c, tau_d = _sub(p["tau_c"], S), _sub(p["tau_d"], S)
        tau_s = tau_c * tau_d / (tau_c + tau_d)
        c0, d0 = self.c[S], self.d[S]
        dw = c0 * (d0 * tau_s * -np.expm1(-h / tau_s) - _sub(p["b"], S) * tau_c * -np.expm1(-h / tau_c))
        self.w[S] = np.minimum(np.maximum(self.w[S] + dw, _sub(p["w_min"], S)), _sub(p["w_max"], S))
        self.c[S] = c0 * np.exp(-h / tau_c)
        self.d[S] = d0 * np.exp(-h / tau_d)
        self.tu[S] = t

    def potentiate(self, S, t, x):
        self._propagate(S, t)
        self.c[S] += _sub(self.p["A_plus"], S) * x

    def depress(self, S, t, y):
        self._propagate(S, t)
        self.c[S] -= _sub(self.p["A_minus"], S) * y

    def before_transmit(self, S, t):
        self._propagate(S, t)

    def on_modulator(self, t: float, count: int) -> None:
        self._propagate(slice(None), t)
        self.d += count / self.p["tau_d"]

    def modulator_spikes(self, exchanged: dict) -> tuple[np.ndarray, np.ndarray] | None:
        """Distinct steps of the modulator's spikes in this slice, and their counts."""
        steps = []
        for pop, mask in self.modulator:
            indices, spike_steps = exchanged.get(pop, (None, None))
            if indices is not None and indices.size:
                steps.append(spike_steps[mask[indices]])
        if not steps:
            return None
        steps = np.concatenate(steps)
        if steps.size == 0:
            return None
        return np.unique(steps, return_counts=True)
