"""pynnlite.utility.plotting: PyNN's Figure/Panel/comparison_plot on recorded Neo data, headless."""
import numpy as np
import pytest

plotting = pytest.importorskip("pynnlite.utility.plotting")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _recorded(sim, tstop=100.0):
    cells = sim.Population(4, sim.IF_cond_exp(i_offset=np.array([0.0, 0.5, 1.0, 1.5])), label="cells")
    cells.record(["spikes", "v", "gsyn_exc"])
    sim.run(tstop)
    return cells.get_data().segments[0]


def _is_png(path):
    with open(path, "rb") as handle:
        return handle.read(8) == PNG_MAGIC


def test_matplotlib_is_headless():
    import matplotlib
    assert matplotlib.get_backend().lower() == "agg"


def test_figure_of_signals_spikes_image_table_and_histogram(sim, tmp_path):
    segment = _recorded(sim)
    v = segment.filter(name="v")[0]
    table = plotting.DataTable(np.arange(5.0), 2 * np.arange(5.0) + 1)
    popt, _ = table.fit_curve(lambda x, a, b: a * x + b, (1.0, 0.0))
    assert popt == pytest.approx([2.0, 1.0])
    histogram = plotting.isi_histogram(segment)
    figure = plotting.Figure(
        plotting.Panel(v, ylabel="auto", yticks=True, y_offset=1.0),
        plotting.Panel(segment.spiketrains, xlabel="Time (ms)", xticks=True, markersize=1),
        plotting.Panel(list(segment.spiketrains), data_labels=["as a list"]),
        plotting.Panel(np.arange(12.0).reshape(3, 4)),
        plotting.Panel(table, show_fit=True),
        plotting.Panel(histogram),
        title="every kind of panel", annotations="made by the tests")
    path = tmp_path / "sub" / "figure.png"                      # missing folders are created
    figure.save(str(path))
    assert _is_png(path)
    axes = figure.fig.axes
    assert axes[0].get_ylabel() == "v (mV)"
    assert len(axes[0].lines) == 4                               # one line per cell
    assert axes[1].get_xlabel() == "Time (ms)"
    figure.close()


def test_panel_rejects_what_it_cannot_draw(sim):
    with pytest.raises(TypeError, match="cannot plot a dict"):
        plotting.Figure(plotting.Panel({"a": 1}))
    with pytest.raises(ValueError, match="2-D"):
        plotting.Figure(plotting.Panel(np.zeros(3)))


def test_comparison_plot(sim, tmp_path):
    cells = sim.Population(4, sim.IF_cond_exp(i_offset=np.array([0.0, 0.5, 1.0, 1.5])), label="cells")
    cells.record(["spikes", "v", "gsyn_exc"])
    sim.run(100.0)
    sim.reset()
    cells.set(i_offset=0.8)
    sim.run(100.0)
    first, second = cells.get_data().segments
    figure = plotting.comparison_plot([first, second], ["run 1", "run 2"], title="comparison")
    path = tmp_path / "comparison.png"
    figure.save(str(path))
    assert _is_png(path)
    # one panel per variable and cell (v, gsyn_exc of 4 cells), then one raster per segment
    assert len(figure.fig.axes) == 2 * 4 + 2
    assert len(figure.fig.axes[0].lines) == 2                   # a line per segment
    assert figure.fig.axes[-1].get_xlabel() == "Time (ms)"
    figure.close()


def test_connection_plot_is_also_in_plotting(sim):
    a = sim.Population(2, sim.IF_curr_exp())
    prj = sim.Projection(a, a, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1))
    assert plotting.connection_plot(prj) == "O \n O"
