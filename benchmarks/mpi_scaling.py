"""Strong scaling of the MPI backend: the Vogels–Abbott COBA network scaled to 32,000 and to
96,000 cells with ~80 synapses per cell (p = 80/n), 1 s, on 1 and 2 processes (``mpiexec -n 1`` / ``-n 2``).

    python benchmarks/mpi_scaling.py --repeats 3        # 32,000 and 96,000 cells, best of 3
    python benchmarks/mpi_scaling.py --n 8000 --tstop 200 --processes 1 2 3
    python benchmarks/mpi_scaling.py --n 32000 --pynn-python /tmp/nestvenv/bin/python


Reports, per process count: build and run time (the slowest rank), speed-up over one process,
peak memory per process (``getrusage``), the synapses and synapse-table bytes held by each
process, the run time split into computation and spike exchange (communication proper, from a
synchronised latency measurement of the same exchange, and waiting for slower ranks), and a
check that the spike trains are identical for every process count, and how much CPU time the
rest of the machine took during each run (other processes, and time the host stole from the
virtual CPUs: a two-process run feels both, a one-process run hardly). From the measured
computation (split into a part that divides by P and a part every process repeats) and
communication, it projects the efficiency at 16 and 64 processes. It also runs the network with
half the cells (same synapses per cell) on one process: the run time of one full network over
that of one half network is the most two processes can give, with communication free.

With ``--pynn-python`` (an interpreter with PyNN and nest-simulator) the same network also
runs under PyNN+NEST with 1 and 2 threads (NEST's parallelism on one machine; the PyPI
wheel has no MPI), for the time ratio and NEST's own speed-up on this machine.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


# -- worker: runs under mpiexec ---------------------------------------------------------------

def build_network(sim, n: int, synapses_per_cell: float, seed: int = 98765):
    """The VA COBA network of examples/vogels_abbott.py with p = synapses_per_cell / n."""
    dt, delay = 0.1, 0.2
    sim.setup(timestep=dt, min_delay=delay, max_delay=delay)
    celltype = sim.IF_cond_exp(tau_m=20.0, cm=0.2, tau_syn_E=5.0, tau_syn_I=10.0, v_thresh=-50.0,
                               v_reset=-60.0, tau_refrac=5.0, v_rest=-60.0, e_rev_E=0.0, e_rev_I=-80.0)
    n_exc = int(round(0.8 * n))
    exc = sim.Population(n_exc, celltype, label="Excitatory_Cells")
    inh = sim.Population(n - n_exc, celltype, label="Inhibitory_Cells")
    rng = sim.NumpyRNG(seed=seed, parallel_safe=True)
    v_init = sim.RandomDistribution("uniform", (-60.0, -50.0), rng=rng)
    exc.initialize(v=v_init)
    inh.initialize(v=v_init)
    connector = sim.FixedProbabilityConnector(synapses_per_cell / n, rng=rng)
    excitatory = sim.StaticSynapse(weight=4e-3, delay=delay)
    inhibitory = sim.StaticSynapse(weight=51e-3, delay=delay)
    projections = [sim.Projection(exc, exc, connector, excitatory, receptor_type="excitatory"),
                   sim.Projection(exc, inh, connector, excitatory, receptor_type="excitatory"),
                   sim.Projection(inh, exc, connector, inhibitory, receptor_type="inhibitory"),
                   sim.Projection(inh, inh, connector, inhibitory, receptor_type="inhibitory")]
    stimulus = sim.Population(20, sim.SpikeSourcePoisson(rate=100.0, duration=50.0), label="expoisson")
    kick = sim.FixedProbabilityConnector(0.01, rng=rng)
    for target in (exc, inh):
        projections.append(sim.Projection(stimulus, target, kick, sim.StaticSynapse(weight=0.1, delay=delay),
                                          receptor_type="excitatory"))
    exc.record("spikes")
    inh.record("spikes")
    return exc, inh, projections


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker(args) -> None:
    import numpy as np
    import pynnlite.backends.mpi as sim
    from mpi4py import MPI
    from pynnlite.backends.mpi.comm import world_state

    world = MPI.COMM_WORLD
    rss_imports = peak_rss_mb()
    world.Barrier()
    t0 = time.perf_counter()
    exc, inh, projections = build_network(sim, args.n, args.synapses)
    world.Barrier()
    t1 = time.perf_counter()
    state = world_state()
    seconds0, exchanges0 = state.spike_seconds, state.spike_exchanges
    sim.run(args.tstop)
    t2 = time.perf_counter()
    exchange_seconds = state.spike_seconds - seconds0
    exchanges = state.spike_exchanges - exchanges0
    rss_peak = peak_rss_mb()

    # communication proper: the same exchange, synchronised, with the run's mean spike load
    local_spikes = [int(sum(len(c) for c in pop.recorder.current.spike_cells)) for pop in (exc, inh)]
    latency = 0.0
    if world.Get_size() > 1 and exchanges:
        comm = sim.MPIComm()
        per_slice = max(0, round(sum(local_spikes) / exchanges))
        sample = (np.int64(1) << 32) + np.arange(per_slice, dtype=np.int64)   # keys: backends/numpy/spikes.py
        repeats = 500
        best = math.inf
        for _ in range(3):
            world.Barrier()
            started = time.perf_counter()
            for _ in range(repeats):
                comm.begin_spike_exchange(sample, tag=0).finish()
            best = min(best, (time.perf_counter() - started) / repeats)
        latency = best
    synapses = int(sum(len(p._table) for p in projections))
    synapse_bytes = int(sum(p._table.nbytes for p in projections))
    total_synapses = int(sum(p.size() for p in projections))
    spikes = [exc.get_spike_counts(), inh.get_spike_counts()]
    # every recorded spike (population index, time) of every process, sorted: identical trains
    # give identical digests whatever the process count (the recorders' arrays, not Neo
    # objects, so that large networks are checked quickly)
    local = []
    for pop in (exc, inh):
        cells, times = pop.recorder.current.spikes()
        local.append((cells.astype(np.int64), times.astype(float)))
    gathered = world.gather(local, root=0)
    digest = None
    if world.Get_rank() == 0:
        h = hashlib.sha256()
        for k in range(2):
            cells = np.concatenate([g[k][0] for g in gathered])
            times = np.concatenate([g[k][1] for g in gathered])
            order = np.lexsort((times, cells))
            h.update(cells[order].tobytes())
            h.update(times[order].tobytes())
        digest = h.hexdigest()[:16]
    record = dict(rank=world.Get_rank(), build=t1 - t0, run=t2 - t1, exchange=exchange_seconds,
                  exchanges=exchanges, latency=latency, synapses=synapses, synapse_mb=synapse_bytes / 2**20,
                  rss_imports_mb=rss_imports, rss_peak_mb=rss_peak)
    records = world.gather(record, root=0)
    if world.Get_rank() == 0:
        rates = [sum(c.values()) / max(len(c), 1) * 1000.0 / args.tstop for c in spikes]
        print("RESULT " + json.dumps(dict(processes=world.Get_size(), ranks=records, digest=digest,
                                          total_synapses=total_synapses, rate_exc=rates[0], rate_inh=rates[1],
                                          slices=exchanges)), flush=True)
    sim.end()


def nest_worker(args) -> None:
    """The same network under PyNN+NEST with ``--threads`` threads; prints its timings."""
    import pyNN.nest as sim
    setup = sim.setup
    sim.setup = lambda **kwargs: setup(threads=args.threads, **kwargs)
    t0 = time.perf_counter()
    exc, inh, _ = build_network(sim, args.n, args.synapses)
    t1 = time.perf_counter()
    sim.run(args.tstop)
    t2 = time.perf_counter()
    counts = exc.get_spike_counts()
    rate = sum(counts.values()) / max(len(counts), 1) * 1000.0 / args.tstop
    print("RESULT " + json.dumps(dict(threads=args.threads, build=t1 - t0, run=t2 - t1, rate_exc=rate)), flush=True)


# -- driver --------------------------------------------------------------------------------------

def mpiexec() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return beside if os.access(beside, os.X_OK) else "mpiexec"


def run_worker(launcher: list[str], mode: list[str], n: int, args) -> dict:
    """Run this script as a worker (``mode``: its worker flags) under ``launcher``; its RESULT line."""
    command = launcher + [os.path.abspath(__file__)] + mode + [
        "--n", str(n), "--synapses", str(args.synapses), "--tstop", str(args.tstop)]
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{out.stdout}\n{out.stderr}")
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


def machine_cpu_seconds() -> tuple[float, float] | None:
    """CPU seconds of the whole machine so far, (busy, stolen by the host), from /proc/stat
    (Linux); None elsewhere."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / tick, steal / tick


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(processes: int, n: int, args) -> dict:
    """One worker run on ``processes`` processes, with the CPU time the rest of the machine took
    meanwhile (``others``: busy time not spent by this run's processes; ``steal``: time the host
    gave the virtual CPUs to someone else), so that a disturbed run shows as one."""
    machine_before, ours_before = machine_cpu_seconds(), children_cpu_seconds()
    result = run_worker([mpiexec(), "-n", str(processes), sys.executable], ["--worker"], n, args)
    machine_after, ours = machine_cpu_seconds(), children_cpu_seconds() - ours_before
    if machine_before is not None and machine_after is not None:
        result["others"] = max(machine_after[0] - machine_before[0] - ours, 0.0)
        result["steal"] = machine_after[1] - machine_before[1]
    return result


def measure_nest(python: str, threads: int, n: int, args) -> dict:
    return run_worker([python], ["--nest-worker", "--threads", str(threads)], n, args)


def report_nest(rows: dict[int, dict], nest: dict[int, dict]) -> None:
    print(f"PyNN+NEST, same network: {'threads':>7} {'build s':>8} {'run s':>8} {'total s':>8} "
          f"{'its speed-up':>12} {'pynnlite/NEST total':>20}")
    for threads, r in nest.items():
        total = r["build"] + r["run"]
        ours = rows.get(threads)
        ratio = f"{ours['total'] / total:20.3f}" if ours else f"{'—':>20}"
        speedup = (nest[1]["build"] + nest[1]["run"]) / total if 1 in nest else float("nan")
        print(f"{'':25}{threads:7d} {r['build']:8.2f} {r['run']:8.2f} {total:8.2f} {speedup:12.2f} {ratio}"
              f"   (exc rate {r['rate_exc']:.2f} Hz)")


def summarise(result: dict) -> dict:
    ranks = result["ranks"]
    slowest = max(ranks, key=lambda r: r["build"] + r["run"])
    compute = [r["run"] - r["exchange"] for r in ranks]
    comm = [min(r["exchanges"] * r["latency"], r["exchange"]) for r in ranks]
    wait = [r["exchange"] - c for r, c in zip(ranks, comm)]
    return dict(processes=result["processes"], build=slowest["build"], run=max(r["run"] for r in ranks),
                total=slowest["build"] + slowest["run"], compute=sum(compute) / len(ranks),
                comm=sum(comm) / len(ranks), wait=sum(wait) / len(ranks),
                latency=max(r["latency"] for r in ranks), slices=result["slices"],
                rss=max(r["rss_peak_mb"] for r in ranks), rss_imports=max(r["rss_imports_mb"] for r in ranks),
                synapses=[r["synapses"] for r in ranks], synapse_mb=[r["synapse_mb"] for r in ranks],
                digest=result["digest"], rates=(result["rate_exc"], result["rate_inh"]),
                total_synapses=result["total_synapses"], others=result.get("others"), steal=result.get("steal"))


def project(one: dict, two: dict, processes: int) -> tuple[float, float]:
    """Projected run time and efficiency on ``processes`` processes (strong scaling).

    Computation: c(P) = parallel/P + serial, the two parts solved from the measured mean
    computation per process on 1 and 2 processes (serial = work every process repeats: the
    per-step Python overhead and the handling of every spike of the network). Communication per
    slice: the measured synchronised latency at P = 2, growing as log2(P) (recursive-doubling
    allgather); waiting for slower ranks: the measured wait at P = 2, growing as log2(P).
    """
    parallel = min(max(2.0 * (one["compute"] - two["compute"]), 0.0), one["compute"])
    serial = one["compute"] - parallel
    steps = math.log2(processes)
    run = parallel / processes + serial + two["slices"] * two["latency"] * steps + two["wait"] * steps
    return run, one["run"] / (processes * run)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def report(n: int, rows: dict[int, dict], args, load: tuple[float, float], half: dict | None = None) -> None:
    base = rows[min(rows)]
    print(f"\nMPI backend, Vogels–Abbott COBA, {n} cells, {base['total_synapses']} synapses "
          f"({base['total_synapses'] / n:.1f} per cell), {args.tstop:g} ms, "
          f"{base['slices'] or rows[max(rows)]['slices']} communication slices; best of {args.repeats}")
    print(f"rates: {base['rates'][0]:.2f} Hz exc, {base['rates'][1]:.2f} Hz inh; machine load average "
          f"{load[0]:.2f} before, {load[1]:.2f} after ({os.cpu_count()} CPUs; other jobs slow MPI runs most)")
    print(f"{'procs':>5} {'build s':>8} {'run s':>8} {'total s':>8} {'speed-up':>8} {'compute s':>9} "
          f"{'comm s':>7} {'wait s':>7} {'peak MB/proc':>12} {'synapses/proc':>14} {'syn MB/proc':>11} "
          f"{'spikes':>8} {'others s':>8} {'steal s':>7}")
    for processes, r in rows.items():
        speedup = base["total"] / r["total"]
        same = "same" if r["digest"] == base["digest"] else "DIFFER"
        print(f"{processes:5d} {r['build']:8.2f} {r['run']:8.2f} {r['total']:8.2f} {speedup:8.2f} "
              f"{r['compute']:9.2f} {r['comm']:7.2f} {r['wait']:7.2f} {r['rss']:12.0f} "
              f"{max(r['synapses']):14d} {max(r['synapse_mb']):11.1f} {same:>8} "
              f"{_seconds(r['others']):>8} {_seconds(r['steal']):>7}")
    if 1 in rows and 2 in rows:
        one, two = rows[1], rows[2]
        speedup = one["total"] / two["total"]
        print(f"speed-up on 2 processes: {speedup:.2f}x (target >= 1.7); run only: {one['run'] / two['run']:.2f}x")
        if half is not None:
            print(f"ceiling: {n // 2} cells on 1 process run in {half['run']:.2f} s, so 2 processes, each running "
                  f"half the network, can give at most {one['run'] / half['run']:.2f}x (run only) with free "
                  f"communication")
        print(f"synapse memory per process on 2 processes: {max(two['synapse_mb']):.1f} MB of "
              f"{one['synapse_mb'][0]:.1f} MB on 1 ({max(two['synapse_mb']) / one['synapse_mb'][0]:.2f} of the total; "
              f"ideal 0.50); peak RSS above the imports: {two['rss'] - two['rss_imports']:.0f} MB vs "
              f"{one['rss'] - one['rss_imports']:.0f} MB")
        parallel = max(2.0 * (one["compute"] - two["compute"]), 0.0)
        serial = one["compute"] - parallel
        if serial < 0:
            print(f"computation: {one['compute']:.2f} s on 1 process, {two['compute']:.2f} s per process on 2 "
                  f"(more than halved: each process's arrays fit the caches better; the projection below "
                  f"takes no part as repeated by every process, so it is optimistic); exchange latency "
                  f"{two['latency'] * 1e6:.1f} us per slice; waiting {two['wait']:.2f} s")
        else:
            print(f"computation on 1 process {one['compute']:.2f} s = {parallel:.2f} s that divides by P + "
                  f"{serial:.2f} s every process repeats; exchange latency "
                  f"{two['latency'] * 1e6:.1f} us per slice on 2 processes; waiting {two['wait']:.2f} s")
        for processes in (16, 64):
            run, efficiency = project(one, two, processes)
            print(f"projected on {processes:2d} processes: run {run:.2f} s, speed-up {one['run'] / run:.1f}x, "
                  f"efficiency {efficiency:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--nest-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--pynn-python", help="interpreter with PyNN and nest-simulator: also run the network "
                        "under PyNN+NEST with 1 and 2 threads")
    parser.add_argument("--n", type=int, nargs="+", default=[32000, 96000], help="numbers of cells")
    parser.add_argument("--synapses", type=float, default=80.0, help="mean synapses per cell (p = synapses/n)")
    parser.add_argument("--tstop", type=float, default=1000.0, help="simulated time (ms)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=1, help="best of this many runs per process count")
    args = parser.parse_args()
    if args.worker or args.nest_worker:
        args.n = args.n[0]
        (worker if args.worker else nest_worker)(args)
        return
    for n in args.n:
        rows: dict[int, dict] = {}
        half = None   # half the cells on one process: the two-process ceiling
        load_before = os.getloadavg()[0]
        for _ in range(args.repeats):  # interleaved, so that a busy spell of the machine hits both
            for processes in args.processes:
                result = summarise(measure(processes, n, args))
                if processes not in rows or result["total"] < rows[processes]["total"]:
                    rows[processes] = result
            if 1 in args.processes and 2 in args.processes:
                result = summarise(measure(1, n // 2, args))
                if half is None or result["run"] < half["run"]:
                    half = result
        report(n, rows, args, (load_before, os.getloadavg()[0]), half)
        if args.pynn_python:
            report_nest(rows, {threads: measure_nest(args.pynn_python, threads, n, args) for threads in (1, 2)})


if __name__ == "__main__":
    main()
