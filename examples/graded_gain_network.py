"""A synthetic nervous system designed by gain, sns-toolbox style, in pynnlite.

Non-spiking neurons (C = 5 nF, G_m = 1 µS, rest 0 mV: sns' defaults and voltage convention)
connected by graded clip synapses built from sns' design rules:

* transmission:  C ← A with gain 1       (transmission_synapse(gain=1))
* addition:      S ← A and B, gain 0.5 each (sns' addition subnetwork: a sum of transmissions)
* modulation:    M ← C, shunted by B      (modulation_synapse(ratio=0.5): halves M's steady state when B = R
                 and M has no other synaptic conductance; with the C → M synapse also open the
                 reduction is smaller, as in sns)
* a 2-D pattern: a 24×24 "retina" of non-spiking cells seeing an image, and a second layer
  connected by a centre-surround KernelConnector (sns pattern connection) whose e_rev kernel
  makes the centre excitatory and the surround inhibitory: edges are enhanced.

R = 20 mV is the operating range. A steady state with the clip synapse is
U_post = Σg·E/(G_m + Σg), which equals gain·U_pre at U_pre = 0 and R and is concave in
between (sns' documented behaviour); the figure shows both.

Writes ``<output>/graded_gain_network.png`` and ``graded_gain_network.npz``.

    python examples/graded_gain_network.py [--output results] [--dt 0.1] [--backend numpy]
    pynnlite run -n 2 examples/graded_gain_network.py      # MPI backend, the same potentials
"""
from __future__ import annotations

import argparse
import os

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pynnlite import get_backend  # noqa: E402

R = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="results")
    parser.add_argument("--dt", type=float, default=0.1)
    parser.add_argument("--tstop", type=float, default=400.0)
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    args = parser.parse_args()
    sim = get_backend(args.backend)
    root = sim.rank() == 0              # under MPI, rank 0 gets the recorded data, prints and writes
    if root:
        os.makedirs(args.output, exist_ok=True)
    sim.setup(timestep=args.dt)

    # -- a small designed circuit ---------------------------------------------------------
    neuron = sim.NonSpikingNeuron(cm=5.0, g_m=1.0, v_rest=0.0)
    A = sim.Population(1, neuron, label="A")
    B = sim.Population(1, neuron, label="B")
    C = sim.Population(1, neuron, label="C = A")
    S = sim.Population(1, neuron, label="S = (A + B)/2")
    M = sim.Population(1, neuron, label="M = C shunted by B")
    one = sim.OneToOneConnector()
    sim.Projection(A, C, one, sim.transmission_synapse(gain=1.0, R=R), label="A→C")
    sim.Projection(A, S, one, sim.transmission_synapse(gain=0.5, R=R), label="A→S")
    sim.Projection(B, S, one, sim.transmission_synapse(gain=0.5, R=R), label="B→S")
    sim.Projection(C, M, one, sim.transmission_synapse(gain=1.0, R=R), label="C→M")
    sim.Projection(B, M, one, sim.modulation_synapse(ratio=0.5, R=R), label="B→M")
    # inputs: A ramps through its range in steps, B switches between 0 and R (currents in nA = mV·G_m)
    times = np.arange(0.0, args.tstop, 50.0)
    a_levels = np.tile([0.0, 5.0, 10.0, 15.0, 20.0, 10.0, 20.0, 0.0], 2)[:times.size]
    b_levels = np.where((times // 100) % 2 == 1, R, 0.0)
    sim.StepCurrentSource(times=list(times), amplitudes=list(a_levels)).inject_into(A)
    sim.StepCurrentSource(times=list(times), amplitudes=list(b_levels)).inject_into(B)
    circuit = [A, B, C, S, M]
    for pop in circuit:
        pop.record("v")

    # -- a 2-D pattern connection -------------------------------------------------------------
    n = 24
    image = np.zeros((n, n))
    image[6:18, 6:18] = R                # a bright square on a dark background
    retina = sim.Population((n, n), sim.NonSpikingNeuron(i_offset=image.ravel()), label="retina")
    edges = sim.Population((n, n), sim.NonSpikingNeuron(), label="edges")
    yy, xx = np.mgrid[-2:3, -2:3]
    centre = (xx ** 2 + yy ** 2) <= 1
    kernel = np.where(centre, 0.25, 0.0625)                # µS per synapse: centre and surround balance
    e_rev = np.where(centre, 40.0, -40.0)                  # excitatory centre, inhibitory surround
    pattern = sim.Projection(retina, edges, sim.KernelConnector(kernel, padding="same", e_rev=e_rev),
                             sim.GradedSynapse(e_lo=0.0, e_hi=R), label="retina→edges")
    edges.record("v", sampling_interval=args.tstop)      # the start and the final state

    sim.run(args.tstop)

    blocks = {pop.label: pop.get_data() for pop in circuit + [edges]}   # every process calls get_data
    n_pattern = pattern.size()                                           # and size
    sim.end()
    if not root:
        return
    signals = {label: np.asarray(b.segments[0].analogsignals[0])[:, 0] for label, b in blocks.items()
               if label != edges.label}
    t = np.arange(signals["A"].size) * args.dt
    edge_map = np.asarray(blocks[edges.label].segments[0].analogsignals[0])[-1].reshape(n, n)
    print(f"{n_pattern} pattern synapses; kernel {kernel.shape}; edge response range "
          f"{edge_map.min():.2f} … {edge_map.max():.2f} mV")

    # steady-state transfer of one transmission synapse of gain 1 (closed form)
    u = np.linspace(0.0, 1.5 * R, 61)
    syn = sim.transmission_synapse(gain=1.0, R=R)
    g = syn.parameter_space["weight"] * np.clip(u / R, 0, 1)
    transfer = g * syn.parameter_space["e_rev"] / (1.0 + g)

    np.savez(os.path.join(args.output, "graded_gain_network.npz"), t=t, image=image, edges=edge_map,
             transfer_u=u, transfer=transfer, **{k.split(" ")[0]: v for k, v in signals.items()})

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    ax = axes[0, 0]
    for label, v in signals.items():
        ax.plot(t, v, label=label)
    ax.set(xlabel="time (ms)", ylabel="U (mV, relative to rest)", title="gain-designed circuit")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    ax.plot(u, transfer, label="steady state, gain 1")
    ax.plot(u, np.minimum(u, R), "--", label="ideal k·U_pre (clipped at R)")
    ax.set(xlabel="U_pre (mV)", ylabel="U_post (mV)", title="transmission synapse transfer")
    ax.legend(fontsize=8)
    axes[1, 0].imshow(image, cmap="gray")
    axes[1, 0].set_title("retina input (mV)")
    limit = np.abs(edge_map).max()
    im = axes[1, 1].imshow(edge_map, cmap="RdBu_r", vmin=-limit, vmax=limit)
    axes[1, 1].set_title("centre-surround pattern layer (mV)")
    fig.colorbar(im, ax=axes[1, 1])
    fig.tight_layout()
    path = os.path.join(args.output, "graded_gain_network.png")
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
