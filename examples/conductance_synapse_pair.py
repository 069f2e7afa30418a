"""Two passive cells and a conductance synapse with a nonlinearity, jaxley style.

jaxley's tutorial network: two single-compartment cells (length 10 µm, radius 1 µm:
area 62.83 µm², c_m = 1 µF/cm², leak 1e-4 S/cm² reversing at −70 mV), a
``ConductanceSynapse`` from cell 0 to cell 1 with g_S = 1e-4 µS, v_th = −35 mV, Δ = 10 mV,
e_syn = 0 mV, and a current step of 0.003 nA into cell 0 from 5 to 45 ms; δt = 0.025 ms,
60 ms. In pynnlite each cell is a NonSpikingNeuron with the compartment's absolute
capacitance and leak conductance, and the synapse a GradedSynapse:

    I_syn = g_S·f((V_pre − v_th)/Δ)·(e_syn − V_post),  f = sigmoid (jaxley's default) or relu,

and jaxley 0.14's TanhConductanceSynapse (g_S·tanh((V_pre − x_offset)·slope), x_offset = −70 mV,
slope = 1/mV) is the same synapse with nonlinearity 'tanh', v_th = x_offset, Δ = 1/slope.
(tanh is negative below v_th: with v_th = −35 mV the "conductance" would be negative at rest.)

The figure shows the presynaptic response and the postsynaptic one for each nonlinearity,
with the postsynaptic steady state predicted in closed form during the step:
V_post = (g_L·E_L + g_S·f·e_syn)/(g_L + g_S·f).

Writes ``<output>/conductance_synapse_pair.png`` and ``conductance_synapse_pair.npz``.

    python examples/conductance_synapse_pair.py [--output results] [--backend numpy]
    pynnlite run -n 2 examples/conductance_synapse_pair.py      # MPI backend, the same traces
"""
from __future__ import annotations

import argparse
import math
import os

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pynnlite import get_backend  # noqa: E402
from pynnlite.models.graded import NONLINEARITIES  # noqa: E402

# jaxley's default compartment, in absolute units
AREA_CM2 = 2 * math.pi * 1e-4 * 10e-4            # lateral surface of a 10 µm × 1 µm-radius cylinder (cm²)
CM_NF = 1.0 * AREA_CM2 * 1e3                      # 1 µF/cm² → nF
G_LEAK_US = 1e-4 * AREA_CM2 * 1e6                 # 1e-4 S/cm² → µS
E_LEAK = -70.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="results")
    parser.add_argument("--dt", type=float, default=0.025)
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    args = parser.parse_args()
    sim = get_backend(args.backend)
    root = sim.rank() == 0              # under MPI, rank 0 gets the recorded data, prints and writes
    if root:
        os.makedirs(args.output, exist_ok=True)

    traces = {}
    settings = {"sigmoid": (-35.0, 10.0), "relu": (-35.0, 10.0), "tanh": (-70.0, 1.0)}   # v_th, Δ
    for name, (v_th, delta) in settings.items():
        sim.setup(timestep=args.dt)
        cell = sim.NonSpikingNeuron(cm=CM_NF, g_m=G_LEAK_US, v_rest=E_LEAK)
        pre = sim.Population(1, cell, initial_values={"v": E_LEAK}, label="cell 0")
        post = sim.Population(1, cell, initial_values={"v": E_LEAK}, label="cell 1")
        synapse = sim.GradedSynapse(weight=1e-4, e_rev=0.0, v_th=v_th, delta=delta, nonlinearity=name)
        sim.Projection(pre, post, sim.OneToOneConnector(), synapse, label=f"{name} synapse")
        sim.DCSource(amplitude=0.003, start=5.0, stop=45.0).inject_into(pre)
        pre.record("v")
        post.record("v")
        sim.run(60.0)
        blocks = [p.get_data() for p in (pre, post)]          # every process calls get_data
        sim.end()
        if root:
            traces[name] = tuple(np.asarray(b.segments[0].analogsignals[0])[:, 0] for b in blocks)
    if not root:
        return

    v_pre = traces["sigmoid"][0]
    t = np.arange(v_pre.size) * args.dt
    plateau = E_LEAK + 0.003 / G_LEAK_US                  # presynaptic steady state during the step
    predicted = {}
    for name in traces:
        v_th, delta = settings[name]
        f = float(NONLINEARITIES[name](np.array([(plateau - v_th) / delta]))[0])
        gs = 1e-4 * f
        predicted[name] = (G_LEAK_US * E_LEAK + gs * 0.0) / (G_LEAK_US + gs)
        print(f"{name:8s}: post at 44 ms {traces[name][1][int(44.0 / args.dt)]:8.3f} mV, "
              f"closed-form asymptote for a long step {predicted[name]:8.3f} mV")

    np.savez(os.path.join(args.output, "conductance_synapse_pair.npz"), t=t, v_pre=v_pre,
             **{f"v_post_{k}": v[1] for k, v in traces.items()},
             **{f"plateau_{k}": v for k, v in predicted.items()})
    fig, axes = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    axes[0].plot(t, v_pre, "k")
    axes[0].axhline(plateau, ls=":", c="gray")
    axes[0].set(ylabel="cell 0 V (mV)", title="jaxley-style pair: 0.003 nA step into cell 0")
    for name, (_, v_post) in traces.items():
        v_th, delta = settings[name]
        line, = axes[1].plot(t, v_post, label=f"{name}, v_th = {v_th:g} mV, Δ = {delta:g} mV")
        axes[1].axhline(predicted[name], ls=":", c=line.get_color())
    axes[1].set(xlabel="time (ms)", ylabel="cell 1 V (mV)")
    axes[1].legend(title="nonlinearity (dotted: long-step asymptote)", fontsize=8)
    fig.tight_layout()
    path = os.path.join(args.output, "conductance_synapse_pair.png")
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
