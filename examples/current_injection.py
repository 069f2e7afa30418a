"""A small network driven by injected currents: DC, steps, a sine wave and noise.

Four current-based integrate-and-fire cells (IF_curr_exp: τ_m = 10 ms, C_m = 0.25 nF,
so R = 40 MΩ; threshold 15 mV above rest, 2 ms refractory period) each receive one
kind of current source:

    dc     DCSource 0.5 nA from 50 ms to 450 ms
    steps  StepCurrentSource 0.3 → 0.5 → 0.7 → 0 nA at 50, 200, 350, 450 ms
    sine   ACSource 0.4 nA ± 0.2 nA at 10 Hz from 50 ms to 450 ms
    noise  NoisyCurrentSource mean 0.45 nA, s.d. 0.2 nA, resampled every 1 ms

and all four excite a readout population of 20 conductance-based cells. Writes the
membrane potentials and spikes (Neo pickle), the firing statistics (JSON) and a figure
(PNG) to --output. The DC-driven cell is a closed-form check: its inter-spike interval
is τ_ref + τ_m ln((V∞ − V_reset)/(V∞ − V_thresh)) with V∞ = V_rest + R·I.

    python examples/current_injection.py
"""
from __future__ import annotations

import argparse
import json
import math
import os

import numpy as np

from pynnlite import get_backend

CELL = dict(tau_m=10.0, cm=0.25, v_rest=-65.0, v_reset=-70.0, v_thresh=-50.0, tau_refrac=2.0,
            tau_syn_E=2.0, tau_syn_I=5.0, i_offset=0.0)
SOURCES = ("dc", "steps", "sine", "noise")


def dc_interval(amplitude: float, cell: dict = CELL) -> float:
    """Inter-spike interval (ms) of an IF_curr_exp cell under a constant current (nA)."""
    v_inf = cell["v_rest"] + amplitude * cell["tau_m"] / cell["cm"]     # R = τ_m / C_m (MΩ·nA = mV)
    if v_inf <= cell["v_thresh"]:
        return math.inf
    return cell["tau_refrac"] + cell["tau_m"] * math.log((v_inf - cell["v_reset"]) / (v_inf - cell["v_thresh"]))


def build_and_run(sim, tstop: float = 500.0, seed: int = 17, dt: float = 0.1):
    sim.setup(timestep=dt, min_delay=1.0, rng_seed=seed)
    driven = sim.Population(len(SOURCES), sim.IF_curr_exp(**CELL), label="driven")
    driven.initialize(v=CELL["v_rest"])
    sources = {
        "dc": sim.DCSource(amplitude=0.5, start=50.0, stop=450.0),
        "steps": sim.StepCurrentSource(times=[50.0, 200.0, 350.0, 450.0], amplitudes=[0.3, 0.5, 0.7, 0.0]),
        "sine": sim.ACSource(amplitude=0.2, offset=0.4, frequency=10.0, phase=0.0, start=50.0, stop=450.0),
        "noise": sim.NoisyCurrentSource(mean=0.45, stdev=0.2, dt=1.0, start=50.0, stop=450.0),
    }
    for k, name in enumerate(SOURCES):
        sources[name].inject_into(driven[k:k + 1])
    readout = sim.Population(20, sim.IF_cond_exp(tau_m=15.0, v_thresh=-55.0), label="readout")
    sim.Projection(driven, readout, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=seed)),
                   sim.StaticSynapse(weight=0.02, delay=1.0), receptor_type="excitatory")
    driven.record(["spikes", "v"])
    readout.record("spikes")
    readout[:2].record("v")
    sim.run(tstop)
    return driven, readout, sources


def statistics(driven, readout, tstop: float) -> dict:
    trains = driven.get_data("spikes").segments[0].spiketrains
    stats = {}
    for name, train in zip(SOURCES, trains):
        t = np.asarray(train.rescale("ms").magnitude)
        stats[name] = {"spikes": int(t.size), "rate_Hz": float(t.size / (400.0 / 1000.0)),
                       "spike_times_ms": [float(x) for x in t], "isi_ms": [float(x) for x in np.diff(t)]}
    stats["dc"]["predicted_isi_ms"] = dc_interval(0.5)
    stats["readout_rate_Hz"] = float(readout.mean_spike_count() * 1000.0 / tstop)
    return stats


def plot(driven_data, readout_data, path: str) -> None:
    """Membrane potential of each driven cell, readout raster (Neo Blocks of the two populations)."""
    import neo
    from pynnlite.utility.plotting import Figure, Panel
    v = driven_data.segments[0].filter(name="v")[0]
    panels = [Panel(neo.AnalogSignal(v.magnitude[:, k:k + 1], units=v.units, sampling_period=v.sampling_period,
                                     name=name), ylabel=f"{name}: v (mV)", yticks=True, legend=False)
              for k, name in enumerate(SOURCES)]
    panels.append(Panel(readout_data.segments[0].spiketrains, ylabel="readout cell",
                        yticks=True, xticks=True, xlabel="Time (ms)", markersize=2))
    Figure(*panels, title="Current injection: DC, steps, sine, noise → readout",
           size=(6, 1.5 * len(panels) + 1.2)).save(path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tstop", type=float, default=500.0, help="simulated time (ms)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    parser.add_argument("--output", default="results", help="folder for the data and the plot")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the PNG")
    args = parser.parse_args(argv)
    sim = get_backend(args.backend)
    driven, readout, _ = build_and_run(sim, args.tstop, args.seed)
    stats = statistics(driven, readout, args.tstop)
    stem = os.path.join(args.output, "current_injection")
    os.makedirs(args.output, exist_ok=True)
    (driven + readout).write_data(stem + ".pkl")
    # get_data involves every process (the whole Block lands on rank 0), so it is called on all
    data = None if args.no_plot else (driven.get_data(), readout.get_data("spikes"))
    if sim.rank() == 0:
        with open(stem + ".json", "w") as handle:
            json.dump(stats, handle, indent=2)
        if not args.no_plot:
            plot(*data, stem + ".png")
        for name in SOURCES:
            print(f"{name:6} {stats[name]['spikes']:3d} spikes ({stats[name]['rate_Hz']:.1f} Hz while injected)")
        isi = stats["dc"]["isi_ms"]
        print(f"DC cell: inter-spike interval {np.median(isi):.2f} ms, closed form "
              f"{stats['dc']['predicted_isi_ms']:.2f} ms; readout rate {stats['readout_rate_Hz']:.1f} Hz")
    sim.end()
    return stats


if __name__ == "__main__":
    main()
