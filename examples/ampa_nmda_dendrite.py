"""A soma and a dendrite with AMPA and NMDA receptors, neurai/dendrify style.

A neuron of two compartments: a spiking soma (25 µm × 25 µm cylinder) and a passive dendrite
(100 µm × 1 µm), with specific capacitance 1 µF/cm², leak 40 µS/cm² (rest −70 mV) and axial
resistivity 150 Ω·cm. In pynnlite each compartment is a population of one cell and the axial
coupling (neurai's MCConn, dendrify's "half cylinders" conductance
g = 1/((r_soma + r_dend)/2), r = 4·R_a·L/(π·d²)) is an ElectricalSynapse:

    soma      = PointNeuron(LIF(cm, tau_m, ...))
    dendrite  = PointNeuron(NonSpikingNeuron(cm, g_m, v_rest), AMPA=AMPA(...), NMDA=NMDA(...))
    Projection(dendrite, soma, OneToOneConnector(), ElectricalSynapse(weight=g_couple))

Twenty synapses on the dendrite (each with an AMPA and an NMDA component of 0.1 and 0.2 nS
peak conductance, AMPA rise/decay 0.1/2 ms, NMDA 2/60 ms, peaks normalised to the weight) are
activated in synchronous groups of 2, 4, …, 20 every 250 ms. The same network is run with the
physiological magnesium block (mg = 1 mM) and without it (mg = 0). With the block the
dendritic response grows supralinearly with the number of active synapses (the NMDA current
unblocks as the dendrite depolarises); without it even two synapses depolarise strongly and the
soma fires. The figure shows both, and the Jahr–Stevens block B(V) = 1/(1 + mg·e^(−0.062·V)/3.57).

Writes ``<output>/ampa_nmda_dendrite.png`` and ``ampa_nmda_dendrite.npz``.

    python examples/ampa_nmda_dendrite.py [--output results] [--dt 0.05] [--backend numpy]
    pynnlite run -n 2 examples/ampa_nmda_dendrite.py      # MPI backend (the couplings agree to rounding)
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
from pynnlite.models.receptors import mg_block  # noqa: E402

CM = 1.0        # µF/cm²
GL = 40e-6      # S/cm²
RA = 150.0      # Ω·cm
E_LEAK = -70.0  # mV


def cylinder(length_um: float, diameter_um: float) -> tuple[float, float, float]:
    """(capacitance nF, leak conductance µS, axial resistance Ω) of a cylinder (dendrify's formulas)."""
    area = math.pi * length_um * diameter_um * 1e-8                       # cm²
    axial = 4.0 * RA * length_um * 1e-4 / (math.pi * (diameter_um * 1e-4) ** 2)   # Ω
    return CM * area * 1e3, GL * area * 1e6, axial


def build(sim, mg: float, bursts: list[float], groups: list[int], n_syn: int, w_ampa: float, w_nmda: float):
    c_soma, g_soma, r_soma = cylinder(25.0, 25.0)
    c_dend, g_dend, r_dend = cylinder(100.0, 1.0)
    g_couple = 1e6 / ((r_soma + r_dend) / 2.0)                             # µS
    soma = sim.Population(1, sim.PointNeuron(sim.LIF(cm=c_soma, tau_m=c_soma / g_soma, v_rest=E_LEAK,
                                                     v_reset=-60.0, v_thresh=-50.0, tau_refrac=2.0)),
                          initial_values={"v": E_LEAK}, label=f"soma (mg={mg})")
    dendrite = sim.Population(1, sim.PointNeuron(sim.NonSpikingNeuron(cm=c_dend, g_m=g_dend, v_rest=E_LEAK),
                                                 AMPA=sim.AMPA(tau_rise=0.1, tau_decay=2.0),
                                                 NMDA=sim.NMDA(tau_rise=2.0, tau_decay=60.0, mg=mg)),
                              initial_values={"v": E_LEAK}, label=f"dendrite (mg={mg})")
    sim.Projection(dendrite, soma, sim.OneToOneConnector(), sim.ElectricalSynapse(weight=g_couple),
                   label="axial coupling")
    times = [[t for t, k in zip(bursts, groups) if i < k] for i in range(n_syn)]
    inputs = sim.Population(n_syn, sim.SpikeSourceArray(spike_times=times), label="synapses")
    for receptor, weight in (("AMPA", w_ampa), ("NMDA", w_nmda)):
        sim.Projection(inputs, dendrite, sim.AllToAllConnector(), sim.StaticSynapse(weight=weight, delay=1.0),
                       receptor_type=receptor, label=f"inputs→{receptor}")
    dendrite.record(["v", "NMDA.gsyn", "AMPA.gsyn"])
    soma.record(["v", "spikes"])
    return soma, dendrite, g_couple


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="results")
    parser.add_argument("--dt", type=float, default=0.05)
    parser.add_argument("--w-ampa", type=float, default=0.1e-3, help="AMPA peak conductance per synapse (µS)")
    parser.add_argument("--w-nmda", type=float, default=0.2e-3, help="NMDA peak conductance per synapse (µS)")
    parser.add_argument("--backend", default=os.environ.get("PYNNLITE_BACKEND", "numpy"))
    args = parser.parse_args()
    sim = get_backend(args.backend)
    root = sim.rank() == 0              # under MPI, rank 0 gets the recorded data, prints and writes
    if root:
        os.makedirs(args.output, exist_ok=True)

    n_syn = 20
    groups = list(range(2, n_syn + 1, 2))
    interval = 250.0                      # long enough for the NMDA conductance (τ = 60 ms) to decay
    bursts = [50.0 + interval * i for i in range(len(groups))]
    tstop = bursts[-1] + interval
    results = {}
    for mg in (1.0, 0.0):
        sim.setup(timestep=args.dt)
        soma, dendrite, g_couple = build(sim, mg, bursts, groups, n_syn, args.w_ampa, args.w_nmda)
        sim.run(tstop)
        d_data, s_data = dendrite.get_data().segments[0], soma.get_data().segments[0]   # every process calls
        sim.end()
        if root:
            d = {s.name: np.asarray(s)[:, 0] for s in d_data.analogsignals}
            d["soma.v"] = np.asarray(s_data.analogsignals[0])[:, 0]
            d["soma.spikes"] = np.asarray(s_data.spiketrains[0])
            results[mg] = d
    if not root:
        return
    t = np.arange(results[1.0]["v"].size) * args.dt
    peaks = {mg: np.array([r["v"][(t >= b) & (t < b + interval)].max() - r["v"][t < b][-1] for b in bursts])
             for mg, r in results.items()}
    print(f"axial coupling {g_couple * 1e3:.2f} nS")
    for mg in results:
        print(f"mg = {mg} mM: dendritic peak depolarisation (mV) for {groups[0]}…{groups[-1]} synapses: "
              + " ".join(f"{p:.1f}" for p in peaks[mg]) + f"; soma spikes: {results[mg]['soma.spikes'].size}")

    np.savez(os.path.join(args.output, "ampa_nmda_dendrite.npz"), t=t, groups=groups, bursts=bursts,
             **{f"{key.replace('.', '_')}_mg{int(mg)}": value for mg, r in results.items() for key, value in r.items()},
             **{f"peaks_mg{int(mg)}": p for mg, p in peaks.items()})

    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    for mg, style in ((1.0, "-"), (0.0, "--")):
        r = results[mg]
        axes[0, 0].plot(t, r["v"], style, label=f"dendrite, mg = {mg:g} mM")
        axes[0, 0].plot(t, r["soma.v"], style, alpha=0.6, label=f"soma, mg = {mg:g} mM")
        axes[1, 0].plot(t, r["NMDA.gsyn"] * 1e3, style, label=f"NMDA g, mg = {mg:g} (before block)")
    axes[1, 0].plot(t, results[1.0]["AMPA.gsyn"] * 1e3, label="AMPA g")
    axes[0, 0].set(xlabel="time (ms)", ylabel="V (mV)", title="bursts of 2, 4, …, 20 synchronous synapses")
    axes[0, 0].legend(fontsize=7)
    axes[1, 0].set(xlabel="time (ms)", ylabel="conductance (nS)")
    axes[1, 0].legend(fontsize=7)
    for mg, marker in ((1.0, "o-"), (0.0, "s--")):
        axes[0, 1].plot(groups, peaks[mg], marker, label=f"mg = {mg:g} mM")
    axes[0, 1].set(xlabel="synchronous synapses", ylabel="dendritic peak (mV above rest)",
                   title="input–output of the dendrite (peak above the pre-burst level)")
    axes[0, 1].legend()
    v = np.linspace(-100.0, 40.0, 200)
    for mg in (0.5, 1.0, 2.0):
        axes[1, 1].plot(v, mg_block(v, mg=mg), label=f"mg = {mg:g} mM")
    axes[1, 1].set(xlabel="V (mV)", ylabel="B(V)", title="Jahr–Stevens Mg²⁺ block")
    axes[1, 1].legend()
    fig.tight_layout()
    path = os.path.join(args.output, "ampa_nmda_dendrite.png")
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
