"""The cortical microcircuit of Potjans & Diesmann (2014), scaled down, on either backend.

Potjans TC, Diesmann M (2014) The cell-type specific cortical microcircuit: relating
structure and activity in a full-scale spiking network model. Cereb Cortex 24:785-806.

Eight populations (excitatory E and inhibitory I cells of layers 2/3, 4, 5 and 6) of
current-based integrate-and-fire cells (IF_curr_exp: C_m 250 pF, τ_m 10 ms, τ_syn
0.5 ms, τ_ref 2 ms, threshold −50 mV, reset −65 mV), connected with the published
connection probabilities (FixedTotalNumberConnector, multapses allowed), normally
distributed weights (87.8 pA, ×2 for L4E→L2/3E, ×−4 from inhibitory cells; s.d. 10 %)
and delays (1.5 ± 0.75 ms from E, 0.75 ± 0.375 ms from I), and driven by Poisson
background input at 8 Hz per external synapse (or the equivalent DC current).

Scaling, as in the published PyNN and NEST versions of the model:

- ``--scale`` (N-scaling, default 0.1) multiplies the number of cells;
- ``--k-scale`` (K-scaling, default: the same as ``--scale``) multiplies the in-degrees
  (recurrent and external); weights are multiplied by 1/√K so that the input variance
  is kept, and each population receives a DC current
  0.001·τ_syn·(1 − √K)·Σ_sources w·K_full·ν_full (nA) making up for the lost mean input,
  with ν_full the population rates of the full-scale model.

Writes the spikes (Neo pickle per population), the rates (JSON) and a raster with the
rate of each population (PNG) to --output; prints each population's rate next to the
full-scale model's.

    python examples/microcircuit.py                       # 10 % of the cells, 1 s
    python examples/microcircuit.py --scale 0.02 --tstop 300
    pynnlite run -n 4 examples/microcircuit.py            # MPI backend on 4 processes
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np

from pynnlite import get_backend

POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
#: cells per population in the full-scale model (1 mm² of cortex)
N_FULL = (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948)
#: probability of at least one connection, [target][source] in the order of POPULATIONS
CONNECTION_PROBABILITY = (
    (0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0),
    (0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0),
    (0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0),
    (0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0),
    (0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0),
    (0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0),
    (0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252),
    (0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443),
)
#: external (background) in-degrees
K_EXT = (1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100)
#: population rates (Hz) of the full-scale model, used for the DC compensation of K-scaling
FULL_SCALE_RATES = (0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523)
BACKGROUND_RATE = 8.0            # Hz per external synapse
W_MEAN = 0.0878                  # nA (87.8 pA: a PSP of about 0.15 mV)
G = -4.0                         # relative inhibitory weight
W_REL, W_REL_L4E_L23E = 0.1, 0.05
DELAY_MEAN = {"E": 1.5, "I": 0.75}   # ms
DELAY_SD = {"E": 0.75, "I": 0.375}   # ms
V0_MEAN, V0_SD = -58.0, 5.0          # mV, initial membrane potentials
CELL = dict(cm=0.25, tau_m=10.0, tau_refrac=2.0, tau_syn_E=0.5, tau_syn_I=0.5, v_reset=-65.0, v_rest=-65.0,
            v_thresh=-50.0, i_offset=0.0)


def full_scale_indegrees() -> np.ndarray:
    """K[target][source]: mean number of synapses a target cell receives from the source
    population in the full model, from the probability of at least one connection
    (pairs drawn with replacement: total = ln(1 − p) / ln(1 − 1/(N_pre·N_post)))."""
    n = np.array(N_FULL, dtype=float)
    p = np.array(CONNECTION_PROBABILITY)
    pairs = np.outer(n, n)
    total = np.round(np.log(1.0 - p) / np.log((pairs - 1.0) / pairs))
    return total / n[:, None]


def weight_matrix() -> np.ndarray:
    """Mean weights (nA) [target][source] of the full-scale model."""
    w = np.array([[W_MEAN if source.endswith("E") else G * W_MEAN for source in POPULATIONS]
                  for _ in POPULATIONS])
    w[POPULATIONS.index("L23E"), POPULATIONS.index("L4E")] = 2 * W_MEAN
    return w


def dc_compensation(k_scale: float, indegrees: np.ndarray, weights: np.ndarray, background: str) -> np.ndarray:
    """DC current (nA) per population making up for the mean input lost by K-scaling,
    plus, for ``background='dc'``, the mean current of the Poisson background."""
    mean_input = (weights * indegrees * np.array(FULL_SCALE_RATES)[None, :]).sum(axis=1)   # nA·Hz
    mean_input += W_MEAN * np.array(K_EXT) * BACKGROUND_RATE
    dc = 0.001 * CELL["tau_syn_E"] * (1.0 - math.sqrt(k_scale)) * mean_input
    if background == "dc":
        dc += 0.001 * CELL["tau_syn_E"] * W_MEAN * np.array(K_EXT) * BACKGROUND_RATE * math.sqrt(k_scale)
    return dc


def build(sim, scale: float = 0.1, k_scale: float | None = None, background: str = "poisson", seed: int = 55,
          dt: float = 0.1, record_v: int = 2):
    """Create the populations and projections; returns (populations dict, description dict)."""
    k_scale = scale if k_scale is None else k_scale
    sim.setup(timestep=dt, min_delay=dt, max_delay=20.0, rng_seed=seed)
    rng = sim.NumpyRNG(seed=seed)
    indegrees = full_scale_indegrees()
    weights = weight_matrix()
    dc = dc_compensation(k_scale, indegrees, weights, background)
    w_scaled = weights / math.sqrt(k_scale)
    populations = {}
    for k, name in enumerate(POPULATIONS):
        size = max(int(round(N_FULL[k] * scale)), 1)
        population = sim.Population(size, sim.IF_curr_exp(**dict(CELL, i_offset=float(dc[k]))), label=name)
        population.initialize(v=sim.RandomDistribution("normal", (V0_MEAN, V0_SD), rng=rng))
        population.record("spikes")
        population[:min(record_v, size)].record("v")
        populations[name] = population
    synapses = {}
    for t, target in enumerate(POPULATIONS):
        post = populations[target]
        if background == "poisson":
            rate = BACKGROUND_RATE * K_EXT[t] * k_scale
            drive = sim.Population(post.size, sim.SpikeSourcePoisson(rate=rate), label=f"{target}_background")
            sim.Projection(drive, post, sim.OneToOneConnector(),
                           sim.StaticSynapse(weight=W_MEAN / math.sqrt(k_scale), delay=dt),
                           receptor_type="excitatory", label=f"background→{target}")
        for s, source in enumerate(POPULATIONS):
            n_syn = int(round(indegrees[t, s] * k_scale * post.size))
            if n_syn == 0:
                continue
            kind = source[-1]
            w = w_scaled[t, s]
            relative_sd = W_REL_L4E_L23E if (source, target) == ("L4E", "L23E") else W_REL
            low, high = (0.0, math.inf) if kind == "E" else (-math.inf, 0.0)
            weight = sim.RandomDistribution("normal_clipped", mu=w, sigma=abs(w) * relative_sd, low=low, high=high,
                                            rng=rng)
            delay = sim.RandomDistribution("normal_clipped", mu=DELAY_MEAN[kind], sigma=DELAY_SD[kind], low=dt,
                                           high=math.inf, rng=rng)
            sim.Projection(populations[source], post, sim.FixedTotalNumberConnector(n_syn, rng=rng),
                           sim.StaticSynapse(weight=weight, delay=delay),
                           receptor_type="excitatory" if kind == "E" else "inhibitory", label=f"{source}→{target}")
            synapses[f"{source}->{target}"] = n_syn
    description = {"scale": scale, "k_scale": k_scale, "background": background, "seed": seed, "dt": dt,
                   "sizes": {name: p.size for name, p in populations.items()}, "synapses": synapses,
                   "total_synapses": int(sum(synapses.values())), "dc_nA": dict(zip(POPULATIONS, map(float, dc)))}
    return populations, description


def population_rates(spikes: dict, tstop: float, transient: float) -> dict[str, float]:
    """Mean rate (Hz) of every population after the first ``transient`` ms (``spikes``: name ->
    the population's spike trains)."""
    rates = {}
    for name, trains in spikes.items():
        counts = [int(np.count_nonzero(np.asarray(st.rescale("ms").magnitude) >= transient)) for st in trains]
        rates[name] = float(np.mean(counts) * 1000.0 / (tstop - transient)) if counts else 0.0
    return rates


def plot(spikes: dict, rates: dict, description: dict, path: str, fraction: float = 0.05,
         window: tuple[float, float] | None = None) -> None:
    """Raster of a fraction of each population (top: L2/3), and the population rates (``spikes``:
    name -> the population's spike trains)."""
    import matplotlib.pyplot as plt
    from pynnlite.utility.plotting import DEFAULT_FIG_SETTINGS
    plt.rcParams.update(DEFAULT_FIG_SETTINGS)
    figure, (raster, bars) = plt.subplots(1, 2, figsize=(9, 5), gridspec_kw={"width_ratios": [3, 1]})
    offset, ticks = 0, []
    colours = {"E": "#595289", "I": "#af143c"}
    for name in reversed(POPULATIONS):
        trains = spikes[name]
        shown = trains[:max(int(len(trains) * fraction), 1)]
        for k, train in enumerate(shown):
            t = np.asarray(train.rescale("ms").magnitude)
            raster.plot(t, np.full(t.size, offset + k), ".", color=colours[name[-1]], markersize=1)
        ticks.append((offset + len(shown) / 2, name))
        offset += len(shown) + 5
    raster.set_yticks([y for y, _ in ticks], [label for _, label in ticks])
    raster.set_xlabel("Time (ms)")
    if window:
        raster.set_xlim(*window)
    raster.set_title(f"{100 * fraction:g} % of the cells of each population")
    names = list(POPULATIONS)
    bars.barh(range(len(names))[::-1], [rates[n] for n in names],
              color=[colours[n[-1]] for n in names])
    bars.plot(list(FULL_SCALE_RATES), list(range(len(names))[::-1]), "k|", markersize=10, label="full scale")
    bars.set_yticks(list(range(len(names))[::-1]), names)
    bars.set_xlabel("rate (Hz)")
    bars.legend(loc="lower right")
    figure.suptitle(f"Potjans & Diesmann (2014) microcircuit, N × {description['scale']:g}, "
                    f"K × {description['k_scale']:g}")
    figure.tight_layout()
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of the cells (N-scaling)")
    parser.add_argument("--k-scale", type=float, default=None,
                        help="fraction of the in-degrees (K-scaling; default: --scale)")
    parser.add_argument("--background", choices=("poisson", "dc"), default="poisson")
    parser.add_argument("--tstop", type=float, default=1000.0, help="simulated time (ms)")
    parser.add_argument("--transient", type=float, default=100.0, help="time left out of the rates (ms)")
    parser.add_argument("--seed", type=int, default=55)
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    parser.add_argument("--output", default="results", help="folder for the data and the plot")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the PNG")
    args = parser.parse_args(argv)
    sim = get_backend(args.backend)
    started = time.perf_counter()
    populations, description = build(sim, args.scale, args.k_scale, args.background, args.seed)
    built = time.perf_counter()
    sim.run(args.tstop)
    finished = time.perf_counter()
    transient = min(args.transient, args.tstop / 2)          # short runs: leave out at most half
    # get_data involves every process (the whole Block lands on rank 0), so it is called on all
    spikes = {name: population.get_data("spikes").segments[0].spiketrains for name, population in populations.items()}
    rates = population_rates(spikes, args.tstop, transient)
    result = {"description": description, "rates_Hz": rates, "full_scale_rates_Hz": dict(zip(POPULATIONS,
              FULL_SCALE_RATES)), "tstop": args.tstop, "transient": transient,
              "processes": sim.num_processes(), "timings": {"build": built - started, "run": finished - built}}
    stem = os.path.join(args.output, f"microcircuit_{args.scale:g}")
    os.makedirs(args.output, exist_ok=True)
    for name, population in populations.items():
        population.write_data(f"{stem}_{name}.pkl")
    if sim.rank() == 0:
        with open(stem + ".json", "w") as handle:
            json.dump(result, handle, indent=2)
        if not args.no_plot:
            plot(spikes, rates, description, stem + ".png",
                 window=(max(transient, args.tstop - 200.0), args.tstop))
        print(f"Potjans-Diesmann microcircuit: {sum(description['sizes'].values())} cells "
              f"(N × {args.scale:g}), {description['total_synapses']} synapses (K × {description['k_scale']:g}), "
              f"{args.tstop:g} ms on {args.backend} ({sim.num_processes()} process(es))")
        for name in POPULATIONS:
            print(f"  {name:5} {rates[name]:6.2f} Hz   (full scale {dict(zip(POPULATIONS, FULL_SCALE_RATES))[name]:.2f} Hz)")
        print(f"Build {built - started:.1f} s, run {finished - built:.1f} s; results in {stem}*")
    sim.end()
    return result


if __name__ == "__main__":
    main()
