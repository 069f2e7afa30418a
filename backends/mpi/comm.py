"""``MPIComm``: the communicator interface of ``pynnlite.simulation.SingleProcess`` over MPI.

Every collective starts with a fixed-size header that every process contributes to
(``Allgather`` of ``HEADER`` int64 words: operation, call number, the pynnlite call it
serves, payload length, dtype, row width, value). Collectives are non-blocking ones
completed by ``wait``, which yields the CPU while it waits (see there). Besides carrying
the sizes for the ``*v`` collectives that follow, the header lets every process check that
all processes are in the same call: a script in which processes make different
communicating calls (e.g. ``Projection.size()`` on rank 0 only, or ``Projection.get`` on
one rank and ``Population.get_data`` on another, which gather alike) fails with a
``CommunicationError`` naming each process's call at that collective instead of hanging
or mixing up data.

Spikes of a communication slice travel in one ``Allgather`` of a fixed-size buffer
holding the header and up to ``capacity`` spike keys inline; only when a process has
more spikes than that does an ``Allgatherv`` of the rest follow (and the capacity
grows, identically on every process). A spike is one int64 key (see
``backends/numpy/spikes.py``); the sorted keys of all processes are the canonical order.
There is no Python loop over spikes or connections, only over processes and
populations.
"""
from __future__ import annotations

import os
import sys
import time
import weakref
import zlib
from typing import Any

import numpy as np

from pynnlite.backends.mpi.runtime import load_mpi
from pynnlite.errors import CommunicationError, InvalidParameterValueError, PynnliteError

MPI = load_mpi()

HEADER = 7
#: Header words: operation (with _MAGIC), call number, the pynnlite call's label (api_call),
#: payload rows, dtype code, row width, value.
_OPERATION, _CALL, _LABEL, _ROWS, _DTYPE, _WIDTH, _VALUE = range(HEADER)
_MAGIC = 0x5059_4E4E_0000  # 'PYNN' in the high bits of the operation word
OPERATIONS = {1: "allgather_arrays", 2: "gather_arrays", 3: "allreduce_sum", 4: "allreduce_min",
              5: "bcast", 6: "barrier", 7: "exchange_spikes", 8: "collect_columns", 9: "exit",
              10: "agree_on_error"}
_OP = {name: code for code, name in OPERATIONS.items()}
_SPIKES = _OP["exchange_spikes"]
_INITIAL_CAPACITY = 256      # spikes per process carried inline in the slice's Allgather
_MAX_CAPACITY = 1 << 15      # beyond this the rest goes through Allgatherv
_INT_FLAG, _FLOAT_FLAG = 1, 2


class WorldState:
    """Per-process state shared by every MPIComm of this process: the call counter
    (so that the exit check sees every call) and the inline spike capacity."""

    def __init__(self, comm: Any):
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.calls = 0
        self.capacity = _INITIAL_CAPACITY
        #: wall-clock seconds spent in the spike exchange and the number of exchanges
        self.spike_seconds = 0.0
        self.spike_exchanges = 0
        self._header_recv = np.empty((self.size, HEADER), dtype=np.int64)
        self._spike_buffers: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        #: FixedAllgather objects alive (their persistent requests are freed before MPI_Finalize)
        self.persistent: "weakref.WeakSet[FixedAllgather]" = weakref.WeakSet()

    # -- headers ---------------------------------------------------------------
    def header(self, operation: str, n: int = 0, dtype_code: int = 0, width: int = 0,
               value: int = 0) -> np.ndarray:
        """Allgather this process's header; check that every process is in the same call;
        return all headers (size × HEADER)."""
        self.calls += 1
        label, name = api_call() if operation != "exit" else (0, "")
        send = np.array([_MAGIC + _OP[operation], self.calls, label, n, dtype_code, width, value], dtype=np.int64)
        recv = self._header_recv
        wait(self.comm.Iallgather(send, recv))
        self.check(recv, operation, label, name)
        return recv.copy()

    def check(self, headers: np.ndarray, operation: str, label: int = 0, name: str = "") -> None:
        """Raise a CommunicationError naming every process's call unless all processes are in
        this collective (operation and call number) of the same pynnlite call. Every process
        sees the same headers, so all of them raise, after one more collective that tells
        each process the others' call names."""
        ops, calls, labels = headers[:, _OPERATION], headers[:, _CALL], headers[:, _LABEL]
        mine = _MAGIC + _OP[operation]
        if np.all(ops == mine) and np.all(calls == self.calls) and np.all(labels == label):
            return
        names = self.comm.allgather(name)
        where = []
        for rank, (op, call) in enumerate(zip(ops.tolist(), calls.tolist())):
            kind = OPERATIONS.get(op - _MAGIC, f"an unknown operation ({op:#x})")
            serving = f" in {names[rank]}" if names[rank] else ""
            where.append(f"rank {rank}: {kind}{serving} (communicating call #{call})")
        raise CommunicationError(
            "the MPI processes made different communicating calls — " + "; ".join(where) +
            ". Every process must run the same pynnlite calls that involve all processes "
            "(setup, Population/Projection creation, run, Projection.size/get/save, "
            "Population.get_data/write_data/get_spike_counts/mean_spike_count, describe, end; "
            "get_min_delay/get_max_delay when min_delay is 'auto'; README's MPI section lists the "
            "others).")

    def check_exit(self) -> None:
        for plan in list(self.persistent):
            plan.free()
        self.header("exit")

    # -- spikes ----------------------------------------------------------------
    def spike_buffers(self) -> tuple[np.ndarray, np.ndarray]:
        """Send and receive buffers of the slice's Allgather: a header and ``capacity`` keys."""
        buffers = self._spike_buffers.get(self.capacity)
        if buffers is None:
            width = HEADER + self.capacity
            send = np.zeros(width, dtype=np.int64)
            send[_OPERATION] = _MAGIC + _SPIKES
            send[_ROWS] = self.capacity
            buffers = (send, np.empty((self.size, width), dtype=np.int64))
            self._spike_buffers = {self.capacity: buffers}
        return buffers


_world: WorldState | None = None
_labels: dict[Any, tuple[int, str]] = {}


def api_call() -> tuple[int, str]:
    """(label, name) of the pynnlite call the script made that led here: the outermost
    pynnlite function on the call stack (e.g. ``Projection.get``; contextlib's frames, of a
    pynnlite context manager, are looked through), the label a checksum of its name, so that
    processes can check they serve the same call."""
    frame = sys._getframe(1)
    outer = None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module == "contextlib":   # a pynnlite context manager's __exit__ runs within the call
            frame = frame.f_back
            continue
        if not (module == "pynnlite" or module.startswith("pynnlite.")):
            if outer is not None:
                break
        else:
            outer = frame
        frame = frame.f_back
    if outer is None:
        return 0, ""
    code = outer.f_code
    found = _labels.get(code)
    if found is None:
        name = getattr(code, "co_qualname", code.co_name)
        found = _labels[code] = (zlib.crc32(name.encode()) + 1, name)
    return found


def wait(request: Any) -> None:
    """Complete a non-blocking collective: a few quick tests, then yielding the CPU between tests.

    A collective whose data is on its way completes within a few tests (each one drives
    MPI's progress); spinning through them costs less than a system call. MPI's blocking
    collectives busy-wait for as long as it takes: on a machine with more runnable processes
    than cores (oversubscribed runs, other jobs), a process spinning for a slower one keeps
    that one from running. So after the quick tests ``sched_yield`` gives the core away
    between tests, which costs about a microsecond when nothing else wants the core.
    """
    test = request.Test
    for _ in range(_QUICK_TESTS):
        if test():
            return
    pause = _yield
    while not test():
        pause()


_yield = getattr(os, "sched_yield", lambda: time.sleep(0))
#: Tests before ``wait`` starts yielding (a test takes well under a microsecond).
_QUICK_TESTS = 16


def world_state() -> WorldState:
    global _world
    if _world is None:
        _world = WorldState(MPI.COMM_WORLD)
    return _world


def _dtype_code(dtype: np.dtype) -> int:
    if dtype.kind not in "biuf":
        raise InvalidParameterValueError(f"cannot communicate arrays of dtype {dtype} between MPI processes")
    return ord(dtype.char)


def _counts_displacements(counts: np.ndarray) -> tuple[list[int], list[int]]:
    counts = np.asarray(counts, dtype=np.int64)
    displacements = np.r_[0, np.cumsum(counts)[:-1]]
    return counts.tolist(), displacements.tolist()


def _pack_value(value: Any) -> tuple[int, int]:
    """(flag, int64 bits) of a Python/numpy number, for the header's value word."""
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    if isinstance(value, (int, np.integer)) and -(1 << 63) <= int(value) < (1 << 63):
        return _INT_FLAG, int(value)
    return _FLOAT_FLAG, int(np.array(float(value), dtype=np.float64).view(np.int64))


def _unpack_values(flags: np.ndarray, bits: np.ndarray) -> list[Any]:
    if np.all(flags == _INT_FLAG):
        return [int(b) for b in bits.tolist()]
    floats = bits.astype(np.int64).view(np.float64)
    return [int(b) if f == _INT_FLAG else float(x) for f, b, x in zip(flags.tolist(), bits.tolist(),
                                                                    floats.tolist())]


class MPIComm:
    """The communicator of a simulation running on every process of ``MPI.COMM_WORLD``."""

    def __init__(self, state: WorldState | None = None):
        self.state = state or world_state()
        self.comm = self.state.comm
        self.rank = self.state.rank
        self.size = self.state.size

    # -- small values ------------------------------------------------------------
    def _reduce(self, operation: str, value: Any) -> list[Any]:
        flag, bits = _pack_value(value)
        headers = self.state.header(operation, dtype_code=flag, value=bits)
        return _unpack_values(headers[:, _DTYPE], headers[:, _VALUE])

    def allreduce_sum(self, value: Any) -> Any:
        """Sum over processes, added in rank order (the same result on every process); a
        number, or an array summed element-wise."""
        if np.ndim(value) > 0:
            return self._reduce_arrays(value, np.add)
        values = self._reduce("allreduce_sum", value)
        total = values[0]
        for v in values[1:]:
            total = total + v
        return total

    def allreduce_min(self, value: Any) -> Any:
        if np.ndim(value) > 0:
            return self._reduce_arrays(value, np.minimum)
        return min(self._reduce("allreduce_min", value))

    def _reduce_arrays(self, value: Any, ufunc: Any) -> np.ndarray:
        array = np.asarray(value)
        parts = self.allgather_arrays(array.reshape(1, -1))
        if any(p.size != array.size for p in parts):
            raise CommunicationError("allreduce: the processes' arrays have different sizes")
        total = parts[0].reshape(array.shape).copy()
        for part in parts[1:]:
            total = ufunc(total, part.reshape(array.shape))
        return total

    def bcast(self, value: Any, root: int = 0) -> Any:
        self.state.header("bcast", value=root)
        return self.comm.bcast(value, root=root)

    def barrier(self) -> None:
        self.state.header("barrier")

    def agree_on_error(self, error: BaseException | None) -> None:
        """After checking this process's own data: if any process failed (``error`` not None
        there), raise on every process, with its class and message, the error that comes
        first by its ``order_key`` (the one a single process checking all the data raises:
        pynnlite.simulation.same_error_on_every_process), then by rank."""
        failed = self.state.header("agree_on_error", value=int(error is not None))[:, _VALUE]
        if not failed.any():
            return
        described = None
        if error is not None:
            attributes = {k: v for k, v in vars(error).items() if isinstance(v, (str, int, float, list, tuple))}
            described = (tuple(getattr(error, "order_key", ())), type(error).__module__,
                         type(error).__qualname__, str(error), attributes)
        everyone = self.comm.allgather(described)
        _, chosen = min((d[0], rank) for rank, d in enumerate(everyone) if d is not None)
        if self.rank == chosen:
            raise error
        raise _rebuilt_error(*everyone[chosen][1:])

    # -- arrays --------------------------------------------------------------------
    def _array_header(self, operation: str, array: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.dtype, tuple, int]:
        """Exchange sizes and dtypes. Returns this process's array (flattened, cast to the
        common dtype), rows per process, the common dtype, the trailing shape and the row width."""
        array = np.asarray(array)
        if array.ndim == 0:
            array = array.reshape(1)
        trailing = array.shape[1:]
        width = int(np.prod(trailing)) if trailing else 1
        headers = self.state.header(operation, n=array.shape[0], dtype_code=_dtype_code(array.dtype),
                                    width=width)
        rows, codes, widths = headers[:, _ROWS], headers[:, _DTYPE], headers[:, _WIDTH]
        filled = rows > 0
        if filled.any():
            common = widths[filled]
            if np.any(common != common[0]):
                raise CommunicationError(f"{operation}: the processes' arrays have different row shapes")
            if array.shape[0] == 0 and int(common[0]) != width:  # an empty array of another shape
                width = int(common[0])
                trailing = (width,)
        dtypes = [np.dtype(chr(c)) for c in codes[filled].tolist()] or [array.dtype]
        dtype = np.result_type(*dtypes)
        local = np.ascontiguousarray(array, dtype=dtype).reshape(-1)
        return local, rows, dtype, trailing, width

    def allgather_arrays(self, array: np.ndarray) -> list[np.ndarray]:
        """Every process's array, in rank order, on every process."""
        local, rows, dtype, trailing, width = self._array_header("allgather_arrays", array)
        recv = np.empty(int(rows.sum()) * width, dtype=dtype)
        wait(self.comm.Iallgatherv(local, [recv, _counts_displacements(rows * width)]))
        return _split(recv, rows, trailing, width)

    def gather_arrays(self, array: np.ndarray, root: int = 0) -> list[np.ndarray] | None:
        """Every process's array, in rank order, on ``root``; None elsewhere."""
        local, rows, dtype, trailing, width = self._array_header("gather_arrays", array)
        if self.rank == root:
            recv = np.empty(int(rows.sum()) * width, dtype=dtype)
            wait(self.comm.Igatherv(local, [recv, _counts_displacements(rows * width)], root=root))
            return _split(recv, rows, trailing, width)
        wait(self.comm.Igatherv(local, None, root=root))
        return None

    def fixed_allgatherv(self, count: int) -> "FixedAllgather":
        """A float64 Allgatherv repeated with the same sizes (per-step coupling exchanges): one
        header-checked collective now exchanges every process's ``count``; each
        ``FixedAllgather.exchange()`` then is one collective without a header, on buffers
        allocated once (a persistent request where MPI has them)."""
        headers = self.state.header("allgather_arrays", n=int(count), dtype_code=ord("d"), width=1)
        plan = FixedAllgather(self.comm, headers[:, _ROWS].astype(np.int64))
        self.state.persistent.add(plan)
        return plan

    # -- spikes ----------------------------------------------------------------------
    def begin_spike_exchange(self, keys: np.ndarray, tag: int = 0) -> "SpikeExchange":
        """Start exchanging a slice's spike keys (int64, one per spike); ``.finish()`` returns
        the keys of every process, sorted. One non-blocking collective in the common case, so
        a process can compute between the two calls while the others catch up. ``tag`` (the
        slice's first step) must be the same on every process: it is checked."""
        state = self.state
        started = time.perf_counter()
        capacity = state.capacity
        send, recv = state.spike_buffers()   # operation, label 0, capacity and dtype 0 are set once
        total = keys.size
        send[HEADER:HEADER + min(total, capacity)] = keys[:capacity]
        state.calls += 1
        send[_CALL] = state.calls
        send[_WIDTH] = tag
        send[_VALUE] = total
        request = self.comm.Iallgather(send, recv)
        request.Test()   # drives MPI's progress once, so that this process's keys leave now
        state.spike_seconds += time.perf_counter() - started
        return SpikeExchange(self, request, (send, recv), keys if total > capacity else None)

    # -- connections ---------------------------------------------------------------------
    def collect_columns(self, columns: list[np.ndarray], gather: Any, post: np.ndarray,
                        order: np.ndarray | None = None) -> list[np.ndarray]:
        """Connection columns of every process merged in the one-process creation order.

        ``gather=False``: this process's columns; ``True``: all on rank 0, this process's
        elsewhere; ``'all'``: all on every process. The merge sorts (stably) by ``order``
        when the connector gave a creation-order key per connection, else by ``post``:
        procedural connectors build post-major, posts ascending, and every post cell's
        connections live on one process in creation order.
        """
        if not gather:
            return columns
        key = np.asarray(order if order is not None else post, dtype=np.int64)
        n = key.size
        matrix = np.empty((n, len(columns) + 1), dtype=np.float64)
        for k, column in enumerate(columns):
            matrix[:, k] = column
        matrix[:, -1] = key
        if gather == "all":
            parts = self.allgather_arrays(matrix)
        else:
            parts = self.gather_arrays(matrix, root=0)
            if parts is None:
                return columns
        merged = np.concatenate([p.reshape(-1, len(columns) + 1) for p in parts])
        permutation = np.argsort(merged[:, -1].astype(np.int64), kind="stable")
        merged = merged[permutation]
        return [np.ascontiguousarray(merged[:, k]).astype(column.dtype, copy=False)
                for k, column in enumerate(columns)]


class FixedAllgather:
    """Send/receive buffers and the request of MPIComm.fixed_allgatherv: fill ``send``, call
    ``exchange()``, read ``recv`` (rank r's values at ``offsets[r]:offsets[r + 1]``)."""

    def __init__(self, comm: Any, counts: np.ndarray):
        self.counts = counts
        self.offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
        self.send = np.zeros(int(counts[comm.Get_rank()]))
        self.recv = np.zeros(int(self.offsets[-1]))
        self._message = [self.recv, (counts.tolist(), self.offsets[:-1].tolist()), MPI.DOUBLE]
        self._comm = comm
        init = getattr(comm, "Allgatherv_init", None)
        try:
            self._request = init(self.send, self._message) if init is not None else None
        except (NotImplementedError, MPI.Exception):   # an MPI before 4.0
            self._request = None

    def exchange(self) -> None:
        request = self._request
        if request is None:
            wait(self._comm.Iallgatherv(self.send, self._message))
            return
        request.Start()
        wait(request)

    def free(self) -> None:
        if self._request is not None:
            if not MPI.Is_finalized():
                self._request.Free()
            self._request = None

    def __del__(self) -> None:
        self.free()


class SpikeExchange:
    """A slice's spike exchange in flight (MPIComm.begin_spike_exchange)."""

    def __init__(self, comm: MPIComm, request: Any, buffers: tuple[np.ndarray, np.ndarray],
                 keys: np.ndarray | None):
        self.comm, self.request, self.buffers, self.keys = comm, request, buffers, keys

    def finish(self) -> np.ndarray:
        """Wait for every process's keys; all of them, sorted."""
        mpi, state = self.comm, self.comm.state
        started = time.perf_counter()
        wait(self.request)
        send, recv = self.buffers
        # the headers as Python lists: a loop over processes is cheaper than array operations
        # on these few words (this runs once per slice)
        headers = recv[:, :HEADER].tolist()
        expected = send[:_VALUE].tolist()   # every word but the last (this process's key count)
        if any(header[:_VALUE] != expected for header in headers):
            state.check(recv[:, :HEADER], "exchange_spikes", 0, "run")  # explains a different call ...
            raise CommunicationError("exchange_spikes: the processes are in different communication slices")
        capacity = expected[_ROWS]
        totals = [header[_VALUE] for header in headers]
        largest = max(totals)
        if largest <= capacity:   # every process's keys, from the inline part
            gathered = np.concatenate([recv[r, HEADER:HEADER + total] for r, total in enumerate(totals)])
        else:
            totals = np.array(totals, dtype=np.int64)
            extra_rows = np.maximum(totals - capacity, 0)
            extra = np.empty(int(extra_rows.sum()), dtype=np.int64)
            rest = self.keys[capacity:] if self.keys is not None else np.empty(0, dtype=np.int64)
            wait(mpi.comm.Iallgatherv(np.ascontiguousarray(rest), [extra, _counts_displacements(extra_rows)]))
            parts = []
            extras = _split(extra, extra_rows, (), 1)
            for r in range(mpi.size):
                parts += [recv[r, HEADER:HEADER + min(int(totals[r]), capacity)], extras[r]]
            gathered = np.concatenate(parts)
            state.capacity = min(_MAX_CAPACITY, 1 << int(2 * largest).bit_length())
        gathered.sort()
        state.spike_seconds += time.perf_counter() - started
        state.spike_exchanges += 1
        return gathered


def _rebuilt_error(module: str, name: str, message: str, attributes: dict) -> Exception:
    """An error of another process: the same error class (a pynnlite one, a builtin one or the
    script's own), message and simple attributes."""
    import importlib
    try:
        cls = getattr(importlib.import_module(module), name)
        if not (isinstance(cls, type) and issubclass(cls, Exception)):
            raise TypeError(name)
        if issubclass(cls, PynnliteError):
            error = cls.__new__(cls)
            Exception.__init__(error, message)
            vars(error).update(attributes)
        else:
            error = cls(message)
        str(error)
    except Exception:   # an error class that cannot be rebuilt: its message under the base class
        error = PynnliteError(f"{name} on another process: {message}")
    return error


def _split(flat: np.ndarray, rows: np.ndarray, trailing: tuple, width: int) -> list[np.ndarray]:
    bounds = np.r_[0, np.cumsum(np.asarray(rows, dtype=np.int64) * width)]
    return [flat[bounds[r]:bounds[r + 1]].reshape((-1,) + tuple(trailing)) for r in range(len(rows))]
