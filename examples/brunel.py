"""Brunel (2000): a sparse network of excitatory and inhibitory integrate-and-fire neurons.

Brunel N (2000) Dynamics of sparsely connected networks of excitatory and inhibitory
spiking neurons. J Comput Neurosci 8:183-208.

N_E = 4·order excitatory and N_I = order inhibitory cells (IF_curr_delta: each spike
makes the membrane potential jump by J = 0.1 mV, or -g·J from inhibitory cells); every
cell receives exactly C_E = ε·N_E excitatory and C_I = ε·N_I inhibitory inputs
(FixedNumberPreConnector), all with delay D = 1.5 ms, and C_E independent Poisson inputs
at rate η·ν_thr each, where ν_thr = θ / (J·C_E·τ_m) is the rate that brings the mean
membrane potential to threshold. τ_m = 20 ms, θ = 20 mV, V_reset = 10 mV, τ_ref = 2 ms.
The relative inhibition g and the external drive η select the state (the paper's Fig. 8):

    SR       g = 3,   η = 2    synchronous regular: neurons fire near-periodically, in step
    AI       g = 5,   η = 2    asynchronous irregular: Poisson-like firing, flat population rate
    SI-fast  g = 6,   η = 4    synchronous irregular, fast population oscillation
    SI-slow  g = 4.5, η = 0.9  synchronous irregular, slow population oscillation

Writes the spikes (Neo pickle), the statistics (JSON) and a raster + population-rate
plot (PNG) to --output, and prints the mean rate, the CV of the inter-spike intervals and
the synchrony (Fano factor of the population spike count in 1 ms bins).

    python examples/brunel.py --state AI
    python examples/brunel.py --state SR --order 500 --tstop 300
    pynnlite run -n 4 examples/brunel.py --state AI        # MPI backend on 4 processes
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from pynnlite import get_backend

STATES = {"SR": (3.0, 2.0), "AI": (5.0, 2.0), "SI-fast": (6.0, 4.0), "SI-slow": (4.5, 0.9)}
#: J·C_E of the paper (0.1 mV × 1000 inputs), in mV, kept when the network is smaller.
TOTAL_COUPLING = 100.0


def build_and_run(sim, state: str = "AI", order: int = 500, epsilon: float = 0.1, J: float | None = None,
                  tstop: float = 500.0, n_record: int = 500, seed: int = 2000, dt: float = 0.1):
    """Build the network with simulator module ``sim`` and run it for ``tstop`` ms.

    Returns (excitatory population, inhibitory population, parameters dict, timings).
    """
    g, eta = STATES[state]
    tau_m, theta, v_reset, tau_ref, delay = 20.0, 20.0, 10.0, 2.0, 1.5
    n_exc, n_inh = 4 * order, order
    c_exc, c_inh = int(epsilon * n_exc), int(epsilon * n_inh)
    if J is None:
        J = TOTAL_COUPLING / c_exc                       # mV: J·C_E as in the paper
    nu_thr = theta / (J * c_exc * tau_m)                 # per synapse, in spikes/ms
    p_rate = 1000.0 * eta * nu_thr * c_exc               # Poisson rate per neuron (Hz)
    started = time.perf_counter()
    sim.setup(timestep=dt, min_delay=delay, max_delay=delay)
    celltype = sim.IF_curr_delta(tau_m=tau_m, v_rest=0.0, v_reset=v_reset,
                                 v_thresh=theta, tau_refrac=tau_ref, i_offset=0.0)
    exc = sim.Population(n_exc, celltype, label="E")
    inh = sim.Population(n_inh, celltype, label="I")
    rng = sim.NumpyRNG(seed=seed)
    for population in (exc, inh):
        population.initialize(v=sim.RandomDistribution("uniform", (0.0, theta), rng=rng))
    excitatory = sim.StaticSynapse(weight=J, delay=delay)
    inhibitory = sim.StaticSynapse(weight=-g * J, delay=delay)
    targets = exc + inh
    sim.Projection(exc, targets, sim.FixedNumberPreConnector(c_exc, rng=rng), excitatory,
                   receptor_type="excitatory", label="E→all")
    sim.Projection(inh, targets, sim.FixedNumberPreConnector(c_inh, rng=rng), inhibitory,
                   receptor_type="inhibitory", label="I→all")
    noise = sim.Population(n_exc + n_inh, sim.SpikeSourcePoisson(rate=p_rate), label="external")
    sim.Projection(noise, targets, sim.OneToOneConnector(), excitatory, receptor_type="excitatory",
                   label="external→all")
    exc[:min(n_record, n_exc)].record("spikes")
    inh[:min(n_record, n_inh)].record("spikes")
    exc[:2].record("v")
    built = time.perf_counter()
    sim.run(tstop)
    parameters = dict(state=state, g=g, eta=eta, J=J, order=order, epsilon=epsilon, N_E=n_exc, N_I=n_inh,
                      C_E=c_exc, C_I=c_inh, nu_thr_Hz=1000.0 * nu_thr, external_rate_Hz=p_rate, delay=delay,
                      tstop=tstop, dt=dt, seed=seed)
    return exc, inh, parameters, {"build": built - started, "run": time.perf_counter() - built}


def mean_field_rate(parameters: dict, tau_m: float = 20.0, theta: float = 20.0, v_reset: float = 10.0,
                    tau_ref: float = 2.0) -> float:
    """The stationary rate (Hz) of the asynchronous state predicted by Brunel's mean-field
    theory (diffusion approximation: eqs. 4, 5 and 21 of the paper), solved for ν:

        μ = C_E·J·τ·(ν_ext + ν·(1 − g·γ)),  σ² = J²·C_E·τ·(ν_ext + ν·(1 + g²·γ)),  γ = C_I/C_E
        1/ν = τ_ref + τ·√π ∫ from (V_r − μ)/σ to (θ − μ)/σ of exp(u²)·(1 + erf u) du

    For the paper's AI network (C_E = 1000, J = 0.1 mV, g = 5, η = 2) this gives 38 Hz.
    """
    from scipy import integrate, optimize, special
    c_exc, J, g = parameters["C_E"], parameters["J"], parameters["g"]
    gamma = parameters["C_I"] / c_exc
    tau, t_ref = tau_m / 1000.0, tau_ref / 1000.0                     # s
    nu_ext = parameters["external_rate_Hz"] / c_exc                     # Hz per synapse

    def transfer(nu: float) -> float:
        mu = c_exc * J * tau * (nu_ext + nu * (1.0 - g * gamma))
        sigma = np.sqrt(J * J * c_exc * tau * (nu_ext + nu * (1.0 + g * g * gamma)))
        # exp(u²)(1 + erf u) = erfcx(-u), without overflow
        integral = integrate.quad(lambda u: special.erfcx(-u), (v_reset - mu) / sigma, (theta - mu) / sigma,
                                  limit=200)[0]
        return 1.0 / (t_ref + tau * np.sqrt(np.pi) * integral) - nu

    return float(optimize.brentq(transfer, 1e-3, 1.0 / t_ref - 1e-3))


def spike_statistics(spiketrains, tstop: float, t_skip: float = 100.0, bin_ms: float = 1.0) -> dict:
    """Rate, irregularity and synchrony of recorded spike trains after ``t_skip`` ms.

    rate: mean firing rate (Hz); cv_isi: mean coefficient of variation of the
    inter-spike intervals over cells with at least 3 spikes (1 for Poisson, 0 for
    clock-like firing); fano_population: variance / mean of the number of spikes of all
    recorded cells per ``bin_ms`` bin (about 1 for asynchronous firing, ≫ 1 when the
    cells fire together).
    """
    trains = [np.asarray(st.rescale("ms").magnitude) for st in spiketrains]
    trains = [t[t >= t_skip] for t in trains]
    duration = (tstop - t_skip) / 1000.0
    counts = np.array([t.size for t in trains])
    rate = counts.mean() / duration if trains else 0.0
    cvs = [np.std(np.diff(t)) / np.mean(np.diff(t)) for t in trains if t.size >= 3]
    edges = np.arange(t_skip, tstop + bin_ms / 2, bin_ms)
    pooled = np.histogram(np.concatenate(trains) if trains else [], bins=edges)[0]
    fano = pooled.var() / pooled.mean() if pooled.mean() > 0 else 0.0
    return {"rate_Hz": float(rate), "cv_isi": float(np.mean(cvs)) if cvs else float("nan"),
            "fano_population": float(fano), "cells": len(trains), "cells_with_isi": len(cvs)}


def plot(segment, stats: dict, parameters: dict, path: str, n_cells: int = 100) -> None:
    """Raster of ``n_cells`` excitatory cells, population rate, membrane potentials (``segment``:
    the excitatory cells' recorded data)."""
    import neo
    import quantities as pq
    from pynnlite.utility.plotting import Figure, Panel
    times = np.concatenate([np.asarray(st.magnitude) for st in segment.spiketrains] or [np.zeros(0)])
    edges = np.arange(0.0, parameters["tstop"] + 1.0, 1.0)
    rate = np.histogram(times, bins=edges)[0] * 1000.0 / max(len(segment.spiketrains), 1)
    population_rate = neo.AnalogSignal(rate[:, None], units=pq.Hz, sampling_period=1.0 * pq.ms,
                                       name="population rate")
    Figure(
        Panel(segment.spiketrains[:n_cells], yticks=True, markersize=1),
        Panel(population_rate, ylabel="E rate (Hz), 1 ms bins", yticks=True, legend=False),
        Panel(segment.filter(name="v")[0], ylabel="v (mV)", yticks=True, xticks=True, xlabel="Time (ms)"),
        title=f"Brunel (2000), state {parameters['state']}: g = {parameters['g']}, η = {parameters['eta']}",
        annotations=(f"{parameters['N_E']} E + {parameters['N_I']} I cells, C_E = {parameters['C_E']}, "
                     f"J = {parameters['J']:g} mV; rate {stats['rate_Hz']:.1f} Hz, CV(ISI) {stats['cv_isi']:.2f}, "
                     f"population Fano factor {stats['fano_population']:.1f}"),
    ).save(path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", choices=sorted(STATES), default="AI")
    parser.add_argument("--order", type=int, default=500, help="N_E = 4·order, N_I = order")
    parser.add_argument("--epsilon", type=float, default=0.1, help="connection probability")
    parser.add_argument("--tstop", type=float, default=500.0, help="simulated time (ms)")
    parser.add_argument("--seed", type=int, default=2000)
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    parser.add_argument("--output", default="results", help="folder for the data and the plot")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the PNG")
    args = parser.parse_args(argv)
    sim = get_backend(args.backend)
    exc, inh, parameters, timings = build_and_run(sim, args.state, args.order, args.epsilon, tstop=args.tstop,
                                                  seed=args.seed)
    t_skip = min(100.0, args.tstop / 5)
    stats = {label: spike_statistics(p.get_data("spikes").segments[0].spiketrains, args.tstop, t_skip)
             for label, p in (("E", exc), ("I", inh))}
    predicted = mean_field_rate(parameters)
    result = {"parameters": parameters, "statistics": stats, "mean_field_rate_Hz": predicted, "timings": timings}
    stem = os.path.join(args.output, f"brunel_{args.state}")
    os.makedirs(args.output, exist_ok=True)
    (exc + inh).write_data(stem + ".pkl")
    # get_data involves every process (the whole Block lands on rank 0), so it is called on all
    segment = None if args.no_plot else exc.get_data().segments[0]
    if sim.rank() == 0:
        with open(stem + ".json", "w") as handle:
            json.dump(result, handle, indent=2)
        if not args.no_plot:
            plot(segment, stats["E"], parameters, stem + ".png")
        e = stats["E"]
        print(f"Brunel network, state {args.state} (g = {parameters['g']}, eta = {parameters['eta']}): "
              f"{parameters['N_E']} + {parameters['N_I']} cells, {args.tstop:g} ms on {args.backend}")
        print(f"Excitatory rate {e['rate_Hz']:.2f} Hz, CV(ISI) {e['cv_isi']:.2f}, population Fano factor "
              f"{e['fano_population']:.1f}; inhibitory rate {stats['I']['rate_Hz']:.2f} Hz")
        print(f"Mean-field rate of the asynchronous state: {predicted:.2f} Hz"
              + ("" if args.state == "AI" else " (not this state: it is the AI prediction for these g, eta)"))
        print(f"Build {timings['build']:.1f} s, run {timings['run']:.1f} s; results in {stem}.*")
    sim.end()
    return result


if __name__ == "__main__":
    main()
