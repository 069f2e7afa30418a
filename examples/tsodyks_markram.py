"""Short-term synaptic plasticity: depressing and facilitating Tsodyks–Markram synapses.

Tsodyks MV, Markram H (1997) The neural code between neocortical pyramidal neurons depends
on neurotransmitter release probability. PNAS 94:719-723; Markram H, Wang Y, Tsodyks M
(1998) Differential signaling via the same axonal terminal. PNAS 95:5323-5328.

One pre-synaptic cell fires a regular train (--rate Hz, --spikes spikes) and, after a
pause of --recovery ms, one test spike. It contacts three post-synaptic cells (kept
below threshold) through three synapse types with the same weight:

    static        StaticSynapse                                       constant responses
    depressing    TsodyksMarkramSynapse U 0.5,  τ_rec 800 ms, τ_facil 0    responses shrink
    facilitating  TsodyksMarkramSynapse U 0.04, τ_rec 100 ms, τ_facil 1000 ms  responses grow

The response to each spike is the jump of the post-synaptic current (isyn_exc), i.e.
u·x·weight. Writes the recorded signals (Neo pickle), the response amplitudes (JSON) and
a figure (PNG) to --output.

    python examples/tsodyks_markram.py
"""
from __future__ import annotations

import argparse
import json
import math
import os

import numpy as np

from pynnlite import get_backend

SYNAPSES = ("static", "depressing", "facilitating")
TAU_SYN = 2.0      # ms, of the post-synaptic current
DELAY = 1.0        # ms


def spike_times(rate: float, n_spikes: int, recovery: float, start: float = 50.0) -> list[float]:
    train = [start + k * 1000.0 / rate for k in range(n_spikes)]
    return train + [train[-1] + recovery]


def build_and_run(sim, rate: float = 20.0, n_spikes: int = 10, recovery: float = 500.0, weight: float = 0.5,
                  dt: float = 0.1):
    times = spike_times(rate, n_spikes, recovery)
    tstop = times[-1] + 100.0
    sim.setup(timestep=dt, min_delay=DELAY)
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=times), label="pre")
    post = sim.Population(3, sim.IF_curr_exp(tau_syn_E=TAU_SYN, v_thresh=0.0), label="post")
    types = {
        "static": sim.StaticSynapse(weight=weight, delay=DELAY),
        "depressing": sim.TsodyksMarkramSynapse(U=0.5, tau_rec=800.0, tau_facil=0.0, weight=weight, delay=DELAY),
        "facilitating": sim.TsodyksMarkramSynapse(U=0.04, tau_rec=100.0, tau_facil=1000.0, weight=weight,
                                                  delay=DELAY),
    }
    for k, name in enumerate(SYNAPSES):
        sim.Projection(pre, post[k:k + 1], sim.AllToAllConnector(), types[name], receptor_type="excitatory",
                       label=name)
    post.record(["v", "isyn_exc"])
    sim.run(tstop)
    return post, times


def response_amplitudes(data, times: list[float], dt: float = 0.1) -> dict[str, list[float]]:
    """The jump of isyn_exc (nA) at each spike's arrival: the sample at the arrival shows
    the current just before the input, the next one after one step of decay plus the jump
    (``data``: the post cells' Neo Block)."""
    segment = data.segments[0]
    isyn = np.asarray(segment.filter(name="isyn_exc")[0].magnitude)
    decay = math.exp(-dt / TAU_SYN)
    arrivals = [int(round((t + DELAY) / dt)) for t in times]
    return {name: [float(isyn[k + 1, column] - isyn[k, column] * decay) for k in arrivals]
            for column, name in enumerate(SYNAPSES)}


def plot(data, amplitudes: dict, times: list[float], path: str) -> None:
    """Membrane potential behind each synapse and the relative responses (``data``: the post
    cells' Neo Block with ``v``)."""
    import neo
    from pynnlite.utility.plotting import DataTable, Figure, Panel
    v = data.segments[0].filter(name="v")[0]
    panels = []
    for k, name in enumerate(SYNAPSES):
        trace = neo.AnalogSignal(v.magnitude[:, k:k + 1], units=v.units, sampling_period=v.sampling_period,
                                 name=name)
        panels.append(Panel(trace, ylabel=f"{name} (mV)", yticks=True, legend=False))
    panels[-1].options.update(xticks=True, xlabel="Time (ms)")
    relative = {name: np.array(a) / a[0] for name, a in amplitudes.items()}
    index = np.arange(1, len(times) + 1, dtype=float)
    panels.append(Panel(*[DataTable(index, relative[name]) for name in SYNAPSES], data_labels=list(SYNAPSES),
                        xticks=True, yticks=True, xlabel="spike number (last: after the pause)",
                        ylabel="response / first response"))
    Figure(*panels, title="Tsodyks-Markram synapses: depression and facilitation",
           size=(6, 1.8 * len(panels) + 1.2)).save(path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="rate of the pre-synaptic train (Hz)")
    parser.add_argument("--spikes", type=int, default=10, help="spikes in the train")
    parser.add_argument("--recovery", type=float, default=500.0, help="pause before the test spike (ms)")
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    parser.add_argument("--output", default="results", help="folder for the data and the plot")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the PNG")
    args = parser.parse_args(argv)
    sim = get_backend(args.backend)
    post, times = build_and_run(sim, args.rate, args.spikes, args.recovery)
    stem = os.path.join(args.output, "tsodyks_markram")
    os.makedirs(args.output, exist_ok=True)
    post.write_data(stem + ".pkl")
    # get_data involves every process and gives the whole Block on rank 0 (elsewhere this
    # process's cells): it is called on all, the results are worked out on rank 0
    data = post.get_data()
    result = {"spike_times": times, "amplitudes_nA": None}
    if sim.rank() == 0:
        amplitudes = result["amplitudes_nA"] = response_amplitudes(data, times)
        with open(stem + ".json", "w") as handle:
            json.dump(result, handle, indent=2)
        if not args.no_plot:
            plot(data, amplitudes, times, stem + ".png")
        for name in SYNAPSES:
            a = np.array(amplitudes[name])
            print(f"{name:13} first {a[0]:.4f} nA, last of the train {a[-2] / a[0]:.2f}×, "
                  f"after {args.recovery:g} ms {a[-1] / a[0]:.2f}× the first")
    sim.end()
    return result


if __name__ == "__main__":
    main()
