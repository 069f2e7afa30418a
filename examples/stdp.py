"""Spike-timing-dependent plasticity: the STDP window measured with paired spikes.

Bi GQ, Poo MM (1998) Synaptic modifications in cultured hippocampal neurons. J Neurosci
18:10464-10472; Song S, Miller KD, Abbott LF (2000) Competitive Hebbian learning through
spike-timing-dependent synaptic plasticity. Nat Neurosci 3:919-926.

Each of --pairs-per-side·2 + 1 post-synaptic cells (IF_curr_delta) is made to fire at a
chosen time by a strong "teacher" input, and receives one plastic synapse
(STDPMechanism: SpikePairRule τ+ = τ− = 20 ms, A+ = 0.01, A− = 0.012;
AdditiveWeightDependence 0 ≤ w ≤ 1 mV; delay 1 ms) from its own pre-synaptic spike
source. The pre spike and the post spike are paired --repeats times, 200 ms apart, with
a timing Δt = t_post + delay − t_pre from −50 ms to +50 ms that differs from cell to
cell. The weight change against Δt is the STDP window: potentiation when the post cell
fires after the input arrives, depression when before, falling off as exp(−|Δt|/20 ms).

The plastic weights are 0.5 mV at most, far below the 20 mV the teacher gives, so they do
not move the post spikes. Writes the spikes (Neo pickle), the window (JSON) and a plot of
the measured window with the closed form (PNG) to --output.

    python examples/stdp.py
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

from pynnlite import get_backend

TAU_PLUS = TAU_MINUS = 20.0       # ms
A_PLUS, A_MINUS = 0.01, 0.012
W_MIN, W_MAX, W_START = 0.0, 1.0, 0.5   # mV
DELAY = 1.0                        # ms, of the plastic synapses
TEACHER_DELAY = 1.0                # ms
PERIOD = 200.0                     # ms between pairings


def window(dt: np.ndarray, repeats: int) -> np.ndarray:
    """Closed form: weight change (mV) after ``repeats`` pairings at Δt (additive rule,
    pairings far enough apart not to interact)."""
    dt = np.asarray(dt, dtype=float)
    single = np.where(dt > 0, W_MAX * A_PLUS * np.exp(-dt / TAU_PLUS),
                      np.where(dt < 0, -W_MAX * A_MINUS * np.exp(dt / TAU_MINUS), 0.0))
    return repeats * single


def build_and_run(sim, pairs_per_side: int = 10, max_dt: float = 50.0, repeats: int = 10, dt: float = 0.1):
    offsets = np.linspace(-max_dt, max_dt, 2 * pairs_per_side + 1)     # intended Δt per cell
    n = offsets.size
    pre_times = [100.0 + PERIOD * k for k in range(repeats)]
    # the post cell fires when the teacher's input arrives: t_post = t_teacher + TEACHER_DELAY
    teacher_times = [[t + offset - DELAY - TEACHER_DELAY for t in pre_times] for offset in offsets]
    tstop = pre_times[-1] + PERIOD
    sim.setup(timestep=dt, min_delay=min(DELAY, TEACHER_DELAY))
    pre = sim.Population(n, sim.SpikeSourceArray(spike_times=[pre_times] * n), label="pre")
    teacher = sim.Population(n, sim.SpikeSourceArray(spike_times=teacher_times), label="teacher")
    post = sim.Population(n, sim.IF_curr_delta(tau_m=10.0, v_rest=-70.0, v_reset=-70.0, v_thresh=-55.0,
                                               tau_refrac=2.0), label="post")
    post.initialize(v=-70.0)
    sim.Projection(teacher, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=20.0, delay=TEACHER_DELAY),
                   label="teacher→post")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=TAU_PLUS, tau_minus=TAU_MINUS, A_plus=A_PLUS, A_minus=A_MINUS),
        weight_dependence=sim.AdditiveWeightDependence(w_min=W_MIN, w_max=W_MAX),
        weight=W_START, delay=DELAY)
    plastic = sim.Projection(pre, post, sim.OneToOneConnector(), stdp, receptor_type="excitatory",
                             label="pre→post (STDP)")
    pre.record("spikes")
    post.record("spikes")
    sim.run(tstop)
    return pre, post, plastic, pre_times


def measured_window(pre, post, plastic, pre_times: list[float]) -> dict:
    """Δt from the recorded spikes (first pairing of each cell) and the weight change."""
    post_trains = post.get_data("spikes").segments[0].spiketrains
    weights = np.asarray(plastic.get("weight", format="array")).diagonal()
    timings, counts = [], []
    for train in post_trains:
        t = np.asarray(train.rescale("ms").magnitude)
        counts.append(int(t.size))
        timings.append(float(t[0] + DELAY - pre_times[0]) if t.size else float("nan"))
    return {"delta_t_ms": timings, "weight_change_mV": [float(w - W_START) for w in weights],
            "post_spikes": counts}


def plot(result: dict, repeats: int, path: str) -> None:
    from pynnlite.utility.plotting import DataTable, Figure, Panel
    dt = np.array(result["delta_t_ms"])
    dw = np.array(result["weight_change_mV"])
    figure = Figure(Panel(DataTable(dt, dw / W_MAX), data_labels=["simulated"], xticks=True, yticks=True,
                          xlabel="Δt = t_post + delay − t_pre (ms)", ylabel=f"Δw / w_max after {repeats} pairings"),
                    title="STDP window (pair rule, additive weights)", size=(6, 4))
    axes = figure.fig.axes[0]
    curve = np.linspace(dt.min(), dt.max(), 401)
    axes.plot(curve, window(curve, repeats) / W_MAX, "k-", linewidth=0.8, label="closed form")
    axes.axhline(0.0, color="grey", linewidth=0.5)
    axes.legend()
    figure.save(path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs-per-side", type=int, default=10, help="timings on each side of Δt = 0")
    parser.add_argument("--max-dt", type=float, default=50.0, help="largest |Δt| (ms)")
    parser.add_argument("--repeats", type=int, default=10, help="pairings per cell")
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    parser.add_argument("--output", default="results", help="folder for the data and the plot")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the PNG")
    args = parser.parse_args(argv)
    sim = get_backend(args.backend)
    pre, post, plastic, pre_times = build_and_run(sim, args.pairs_per_side, args.max_dt, args.repeats)
    result = measured_window(pre, post, plastic, pre_times)
    result["closed_form_mV"] = [float(x) for x in window(np.array(result["delta_t_ms"]), args.repeats)]
    result["repeats"] = args.repeats
    stem = os.path.join(args.output, "stdp")
    os.makedirs(args.output, exist_ok=True)
    (pre + post).write_data(stem + ".pkl")
    if sim.rank() == 0:
        with open(stem + ".json", "w") as handle:
            json.dump(result, handle, indent=2)
        if not args.no_plot:
            plot(result, args.repeats, stem + ".png")
        print(f"{'Δt (ms)':>8} {'Δw (mV)':>9} {'closed form':>12}")
        for t, w, c in zip(result["delta_t_ms"], result["weight_change_mV"], result["closed_form_mV"]):
            print(f"{t:8.1f} {w:9.5f} {c:12.5f}")
    sim.end()
    return result


if __name__ == "__main__":
    main()
