"""A convolutional layer learning its kernels with STDP, conex style.

Input: a 12×12 layer of Poisson spike sources showing, for 50 ms at a time, a horizontal or a
vertical bar (60 Hz on the bar, 2 Hz elsewhere). Output: four 10×10 feature maps of LIF neurons,
``Population((4, 10, 10), IF_curr_exp(...))``, fed through a ``Conv2dConnector(3)`` whose synapses
follow pair-based STDP with additive bounds, the incoming weights of each cell normalised
(conex ``WeightNormalization``). Competition between the maps comes from a lateral inhibitory
``KernelConnector`` whose 3-D kernel spans the channels at the same position (conex lateral
input, conv3d with "same" padding), without self-connections.

conex's ``Conv2dSTDP`` updates one shared kernel by the mean of the per-position updates. In
pynnlite each expanded connection learns individually; re-tying after every presentation with
``prj.kernel = prj.kernel`` (the kernel reads back the mean of each element's connections)
gives the same shared-kernel learning at the granularity of one presentation (without padding,
as here: with padding, kernel elements with fewer connections would move more than conex's).

Writes ``<output>/conv_stdp_layer.png`` (kernels before/after, spike raster) and
``conv_stdp_layer.npz``.

    python examples/conv_stdp_layer.py [--output results] [--presentations 120] [--seed 1] [--backend numpy]
    pynnlite run -n 2 examples/conv_stdp_layer.py      # MPI backend, the same kernels and spikes
"""
from __future__ import annotations

import argparse
import os

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pynnlite import get_backend  # noqa: E402

N, K, MAPS = 12, 3, 4
WEIGHT_SUM = 24.0      # nA: each cell's 9 incoming weights are normalised to this sum
A_PLUS, A_MINUS = 0.1, 0.06   # STDP amounts (× w_max per pair)
INHIBITION = 8.0               # nA, lateral inhibition between maps at the same position


def bar(orientation: str, position: int) -> np.ndarray:
    image = np.zeros((N, N))
    if orientation == "horizontal":
        image[position, :] = 1.0
    else:
        image[:, position] = 1.0
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="results")
    parser.add_argument("--presentations", type=int, default=120)
    parser.add_argument("--duration", type=float, default=50.0, help="ms per presentation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    args = parser.parse_args()
    sim = get_backend(args.backend)
    root = sim.rank() == 0              # under MPI, rank 0 gets the recorded data, prints and writes
    if root:
        os.makedirs(args.output, exist_ok=True)
    rng = np.random.default_rng(args.seed)   # the same bars on every process

    sim.setup(timestep=0.1, rng_seed=args.seed)
    retina = sim.Population((1, N, N), sim.SpikeSourcePoisson(rate=2.0), label="retina")
    maps = sim.Population((MAPS, N - K + 1, N - K + 1),
                          sim.IF_curr_exp(tau_m=10.0, tau_syn_E=2.0, tau_syn_I=2.0, v_thresh=-55.0,
                                          tau_refrac=2.0), label="feature maps")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=10.0, tau_minus=10.0, A_plus=A_PLUS, A_minus=A_MINUS),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=10.0),
        weight=sim.RandomDistribution("uniform", (1.0, 4.0)), delay=1.0,           # nA
        constraints=[sim.WeightNormalization(target=WEIGHT_SUM)])
    feedforward = sim.Projection(retina, maps, sim.Conv2dConnector(K, in_channels=1, out_channels=MAPS), stdp,
                                 receptor_type="excitatory", label="retina→maps (conv, STDP)")
    lateral_kernel = np.full((2 * MAPS - 1, 1, 1), INHIBITION)       # every other map at the same position
    sim.Projection(maps, maps, sim.KernelConnector(lateral_kernel, allow_self_connections=False),
                   sim.StaticSynapse(delay=1.0), receptor_type="inhibitory", label="lateral inhibition")
    initial = feedforward.kernel.copy()
    maps.record("spikes")

    shown = []
    for k in range(args.presentations):
        orientation = "horizontal" if rng.random() < 0.5 else "vertical"
        image = bar(orientation, int(rng.integers(2, N - 2)))
        retina.set(rate=2.0 + 58.0 * image.ravel())
        sim.run(args.duration)
        feedforward.kernel = feedforward.kernel      # re-tie: the shared kernel is the mean update
        shown.append(orientation)
    learned = feedforward.kernel
    n_plastic = feedforward.size()               # every process calls size, kernel and get_data
    spikes = maps.get_data().segments[0].spiketrains
    sim.end()
    if not root:
        return
    counts = np.array([len(st) for st in spikes]).reshape(MAPS, -1).sum(axis=1)
    print(f"{n_plastic} plastic synapses sharing {learned.size} kernel weights; "
          f"{args.presentations} presentations; spikes per map: {counts.tolist()}")
    for m in range(MAPS):
        k = learned[m, 0]
        print(f"map {m}: row-sum spread {np.ptp(k.sum(axis=1)):.2f}, column-sum spread {np.ptp(k.sum(axis=0)):.2f}")

    np.savez(os.path.join(args.output, "conv_stdp_layer.npz"), initial=initial, learned=learned,
             shown=np.array(shown), spike_counts=counts)
    fig = plt.figure(figsize=(11, 6))
    vmax = max(initial.max(), learned.max())
    for m in range(MAPS):
        ax = fig.add_subplot(3, MAPS, m + 1)
        ax.imshow(initial[m, 0], vmin=0, vmax=vmax, cmap="viridis")
        ax.set_title(f"map {m}: initial", fontsize=9)
        ax.axis("off")
        ax = fig.add_subplot(3, MAPS, MAPS + m + 1)
        ax.imshow(learned[m, 0], vmin=0, vmax=vmax, cmap="viridis")
        ax.set_title(f"map {m}: learned", fontsize=9)
        ax.axis("off")
    ax = fig.add_subplot(3, 1, 3)
    cells_per_map = (N - K + 1) ** 2
    for i, st in enumerate(spikes):
        ax.plot(np.asarray(st), np.full(len(st), i), ",", color=f"C{i // cells_per_map}")
    for k, orientation in enumerate(shown):
        ax.axvspan(k * args.duration, (k + 1) * args.duration, color="0.9" if orientation == "horizontal" else "1.0",
                   zorder=-1)
    ax.set(xlabel="time (ms) (grey: horizontal bar, white: vertical)", ylabel="cell (by map)")
    fig.tight_layout()
    path = os.path.join(args.output, "conv_stdp_layer.png")
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
