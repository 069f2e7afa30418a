"""Firing patterns of Izhikevich (2003) neurons: one cell of each cortical and thalamic type.

Izhikevich EM (2003) Simple model of spiking neurons. IEEE Trans Neural Netw 14:1569-1572.

dv/dt = 0.04 v² + 5 v + 140 − u + I,  du/dt = a (b v − u);  at v ≥ 30 mV: v ← c, u ← u + d.
One population holds every type, with per-cell a, b, c, d (the paper's Fig. 2):

    RS   regular spiking (cortical pyramidal)   a 0.02  b 0.2   c -65  d 8     adapting
    IB   intrinsically bursting                 a 0.02  b 0.2   c -55  d 4     burst, then tonic
    CH   chattering                             a 0.02  b 0.2   c -50  d 2     repetitive bursts
    FS   fast spiking (interneuron)             a 0.1   b 0.2   c -65  d 2     fast, no adaptation
    LTS  low-threshold spiking (interneuron)    a 0.02  b 0.25  c -65  d 2     adapting, fast
    TC   thalamo-cortical                       a 0.02  b 0.25  c -65  d 0.05  tonic

Every cell gets the same current step (StepCurrentSource; I = 10 in the model's units,
i.e. 0.01 nA) from 50 ms to --tstop − 50 ms. Writes v and the spikes (Neo pickle), the
firing statistics (JSON) and one voltage trace per type (PNG) to --output.

    python examples/izhikevich_cell_types.py
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

from pynnlite import get_backend

#: name: (a, b, c, d), from Izhikevich (2003), Fig. 2
CELL_TYPES = {
    "RS": (0.02, 0.2, -65.0, 8.0),
    "IB": (0.02, 0.2, -55.0, 4.0),
    "CH": (0.02, 0.2, -50.0, 2.0),
    "FS": (0.1, 0.2, -65.0, 2.0),
    "LTS": (0.02, 0.25, -65.0, 2.0),
    "TC": (0.02, 0.25, -65.0, 0.05),
}


def build_and_run(sim, tstop: float = 500.0, amplitude: float = 0.01, dt: float = 0.1):
    """One cell per type, a current step of ``amplitude`` nA; returns (population, step times)."""
    sim.setup(timestep=dt)
    a, b, c, d = (np.array(column) for column in zip(*CELL_TYPES.values()))
    cells = sim.Population(len(CELL_TYPES), sim.Izhikevich(a=a, b=b, c=c, d=d), label="izhikevich")
    # start at rest: the stable root of 0.04 v² + (5 − b) v + 140 = 0 (u = b v)
    v0 = (-(5.0 - b) - np.sqrt((5.0 - b) ** 2 - 4 * 0.04 * 140.0)) / (2 * 0.04)
    cells.initialize(v=v0, u=b * v0)
    onset, offset = 50.0, tstop - 50.0
    step = sim.StepCurrentSource(times=[onset, offset], amplitudes=[amplitude, 0.0])
    cells.inject(step)
    cells.record(["spikes", "v"])
    sim.run(tstop)
    return cells, (onset, offset)


def firing_statistics(spiketrains, onset: float, offset: float) -> dict:
    """Per cell type: spike count during the step, rate (Hz), inter-spike intervals (ms),
    the adaptation index (last ISI / first ISI) and the fraction of ISIs under 10 ms
    (spikes within bursts)."""
    stats = {}
    for name, train in zip(CELL_TYPES, spiketrains):
        t = np.asarray(train.rescale("ms").magnitude)
        t = t[(t >= onset) & (t <= offset)]
        isi = np.diff(t)
        stats[name] = {
            "spikes": int(t.size),
            "rate_Hz": float(t.size / ((offset - onset) / 1000.0)),
            "first_spike_latency_ms": float(t[0] - onset) if t.size else None,
            "isi_ms": [float(x) for x in isi],
            "adaptation": float(isi[-1] / isi[0]) if isi.size >= 2 else None,
            "burst_fraction": float(np.mean(isi < 10.0)) if isi.size else 0.0,
        }
    return stats


def plot(data, path: str, amplitude: float) -> None:
    """Membrane potential of each cell type (``data``: the cells' Neo Block)."""
    import neo
    from pynnlite.utility.plotting import Figure, Panel
    v = data.segments[0].filter(name="v")[0]
    panels = []
    for k, name in enumerate(CELL_TYPES):
        trace = neo.AnalogSignal(v.magnitude[:, k:k + 1], units=v.units, sampling_period=v.sampling_period,
                                 name=name)
        panels.append(Panel(trace, ylabel=f"{name}\nv (mV)", yticks=True, legend=False, ylim=(-90, 40)))
    panels[-1].options.update(xticks=True, xlabel="Time (ms)")
    Figure(*panels, title="Izhikevich (2003) cell types",
           annotations=f"current step {1000 * amplitude:g} (model units; {amplitude:g} nA)",
           size=(6, 1.4 * len(panels) + 1.2)).save(path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tstop", type=float, default=500.0, help="simulated time (ms)")
    parser.add_argument("--amplitude", type=float, default=0.01, help="current step (nA)")
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    parser.add_argument("--output", default="results", help="folder for the data and the plot")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the PNG")
    args = parser.parse_args(argv)
    sim = get_backend(args.backend)
    cells, (onset, offset) = build_and_run(sim, args.tstop, args.amplitude)
    stats = firing_statistics(cells.get_data("spikes").segments[0].spiketrains, onset, offset)
    stem = os.path.join(args.output, "izhikevich_cell_types")
    os.makedirs(args.output, exist_ok=True)
    cells.write_data(stem + ".pkl")
    # get_data involves every process (the whole Block lands on rank 0), so it is called on all
    data = None if args.no_plot else cells.get_data()
    if sim.rank() == 0:
        with open(stem + ".json", "w") as handle:
            json.dump(stats, handle, indent=2)
        if not args.no_plot:
            plot(data, stem + ".png", args.amplitude)
        for name, s in stats.items():
            adaptation = f"{s['adaptation']:.2f}" if s["adaptation"] is not None else "-"
            print(f"{name:4} {s['spikes']:4d} spikes  {s['rate_Hz']:6.1f} Hz  last/first ISI {adaptation:>6}  "
                  f"ISIs < 10 ms: {100 * s['burst_fraction']:3.0f} %")
    sim.end()
    return stats


if __name__ == "__main__":
    main()
