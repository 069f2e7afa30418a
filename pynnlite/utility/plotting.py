"""Quick multi-panel figures of recorded Neo data (PyNN's ``pyNN.utility.plotting``).

``Figure(Panel(...), Panel(...), title=...).save("fig.png")`` stacks panels vertically;
a Panel draws each of its data items the way that suits it:

- ``neo.AnalogSignal`` / ``IrregularlySampledSignal``: one line per channel (labelled
  by cell index);
- a ``SpikeTrainList`` or a list of ``SpikeTrain``: a raster (y = cell index, from the
  ``source_index`` annotation);
- a 2-D numpy array: an image with a colour bar;
- :class:`DataTable`: a scatter plot (with its fitted curve if ``show_fit=True``);
- :class:`Histogram`: bars.

Panel options: ``xlabel``, ``ylabel`` (``'auto'``: signal name and units), ``xlim``,
``ylim``, ``xticks``/``yticks`` (tick labels are hidden unless True), ``legend``,
``y_offset`` (shift successive channels), ``data_labels`` and ``line_properties`` (one
per data item); anything else goes to matplotlib's ``plot``. Figure options:
``title``, ``annotations`` (text at the bottom), ``settings`` (matplotlib rcParams;
default :data:`DEFAULT_FIG_SETTINGS`), ``size`` ((width, height) in inches).

Matplotlib comes with the ``plot`` extra (``pip install "pynnlite[plot]"``). Figures
are drawn without a display (the Agg backend) unless ``MPLBACKEND`` chooses another.
"""
from __future__ import annotations

import os
from collections import defaultdict
from itertools import repeat
from typing import Any, Callable, Iterable

import numpy as np

try:
    import matplotlib
except ImportError as err:  # pragma: no cover - depends on the installation
    raise ImportError('pynnlite.utility.plotting needs matplotlib: pip install "pynnlite[plot]"') from err

if not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.gridspec import GridSpec  # noqa: E402
import neo  # noqa: E402
import quantities as pq  # noqa: E402

from pynnlite.utility import connection_plot  # noqa: E402,F401 - PyNN has it here too

__all__ = ["Figure", "Panel", "DataTable", "Histogram", "comparison_plot", "connection_plot", "isi_histogram",
           "plot_signal", "plot_signals", "plot_spiketrains", "plot_spiketrainlist", "plot_array_as_image",
           "scatterplot", "plot_hist", "variable_names", "handle_options", "DEFAULT_FIG_SETTINGS"]

#: matplotlib settings of a Figure unless ``settings`` gives others.
DEFAULT_FIG_SETTINGS = {
    "lines.linewidth": 0.5,
    "axes.linewidth": 0.5,
    "axes.labelsize": "small",
    "legend.fontsize": "small",
    "font.size": 8,
    "savefig.dpi": 150,
}


def handle_options(ax: Any, options: dict) -> None:
    """Apply (and remove from ``options``) the axis options a Panel understands."""
    if not options.pop("xticks", False):
        plt.setp(ax.get_xticklabels(), visible=False)
    if not options.pop("yticks", False):
        plt.setp(ax.get_yticklabels(), visible=False)
    for name, setter in (("xlabel", ax.set_xlabel), ("ylabel", ax.set_ylabel),
                         ("xlim", ax.set_xlim), ("ylim", ax.set_ylim)):
        if name in options:
            setter(options.pop(name))


def _corner_label(ax: Any, label: str | None) -> None:
    if label:
        ax.text(0.95, 0.95, label, transform=ax.transAxes, ha="right", va="top",
                bbox={"facecolor": "white", "alpha": 1.0})


def _auto_ylabel(signal: Any, options: dict) -> None:
    if options.get("ylabel") == "auto":
        options["ylabel"] = f"{signal.name} ({signal.units.dimensionality.string})"


def _channel_labels(signal: Any) -> list[int]:
    annotations = getattr(signal, "array_annotations", {}) or {}
    for key in ("channel_index", "source_ids"):
        if key in annotations and len(annotations[key]) == signal.shape[1]:
            return [int(v) for v in annotations[key]]
    return list(range(signal.shape[1]))


def _times_ms(signal: Any) -> np.ndarray:
    return signal.times.rescale(pq.ms).magnitude


def _signal_xlim(ax: Any, signal: Any) -> None:
    """The time axis spans the recording (so stacked panels line up); ``xlim`` overrides."""
    times = _times_ms(signal)
    if times.size > 1:
        ax.set_xlim(times[0], times[-1])


def plot_signal(ax: Any, signal: Any, index: int | None = None, label: str = "", **options: Any) -> None:
    """One channel (``index``; the only one if None) of an analog signal."""
    _auto_ylabel(signal, options)
    _signal_xlim(ax, signal)
    handle_options(ax, options)
    options.pop("legend", None)
    options.pop("y_offset", None)
    channels = _channel_labels(signal)
    column = 0 if index is None else index
    values = np.asarray(signal.magnitude)
    values = values[:, column] if values.ndim == 2 else values
    ax.plot(_times_ms(signal), values, label=f"{label} (Neuron {channels[column]})".strip(), **options)
    ax.legend()


def plot_signals(ax: Any, signal_array: Any, label_prefix: str = "", **options: Any) -> None:
    """Every channel of an analog signal in one panel, ordered by cell index."""
    signal = signal_array
    _auto_ylabel(signal, options)
    _signal_xlim(ax, signal)
    handle_options(ax, options)
    offset = options.pop("y_offset", None)
    if offset is not None and hasattr(offset, "rescale"):      # a quantity, e.g. -10 * mV
        offset = float(offset.rescale(signal.units).magnitude)
    show_legend = options.pop("legend", True)
    values = np.asarray(signal.magnitude)
    if values.ndim == 1:
        values = values[:, None]
    channels = _channel_labels(signal)
    times = _times_ms(signal)
    for k, column in enumerate(np.argsort(channels, kind="stable")):
        trace = values[:, column] + (k * offset if offset else 0.0)
        name = f"Neuron {channels[column]}"
        ax.plot(times, trace, label=f"{label_prefix} ({name})" if label_prefix else name, **options)
    if show_legend and values.shape[1]:
        ax.legend()


def _raster(ax: Any, trains: list, t_start: float, t_stop: float, label: str | None, options: dict) -> None:
    if t_stop > t_start:
        ax.set_xlim(t_start, t_stop)
    handle_options(ax, options)
    options.pop("legend", None)
    indices, times = [], []
    for position, train in enumerate(trains):
        index = train.annotations.get("source_index", position)
        spikes = train.rescale(pq.ms).magnitude
        times.append(spikes)
        indices.append(np.full(spikes.size, index, dtype=float))
    options.setdefault("markersize", 2)
    if times:
        ax.plot(np.concatenate(times), np.concatenate(indices), "k.", **options)
        cells = [train.annotations.get("source_index", p) for p, train in enumerate(trains)]
        ax.set_ylim(min(cells) - 0.5, max(cells) + 0.5)
    ax.set_ylabel("Neuron index")
    _corner_label(ax, label)


def _train_limits(trains: list) -> tuple[float, float]:
    if not trains:
        return 0.0, 0.0
    start = min(float(t.t_start.rescale(pq.ms)) for t in trains)
    stop = max(float(t.t_stop.rescale(pq.ms)) for t in trains)
    return start, stop


def plot_spiketrains(ax: Any, spiketrains: list, label: str = "", **options: Any) -> None:
    """A raster of a list of spike trains (y = ``source_index`` annotation)."""
    trains = list(spiketrains)
    _raster(ax, trains, *_train_limits(trains), label, options)


def plot_spiketrainlist(ax: Any, spiketrains: Any, label: str = "", **options: Any) -> None:
    """A raster of a ``neo.SpikeTrainList`` (``Segment.spiketrains``)."""
    trains = list(spiketrains)
    _raster(ax, trains, *_train_limits(trains), label, options)


def plot_array_as_image(ax: Any, arr: np.ndarray, label: str = "", **options: Any) -> None:
    """A 2-D array as an image, with a colour bar unless ``legend=False``."""
    handle_options(ax, options)
    show_legend = options.pop("legend", True)
    mesh = ax.pcolormesh(arr, **options)
    ax.set_aspect("equal")
    _corner_label(ax, label)
    if show_legend:
        ax.figure.colorbar(mesh, ax=ax)


def scatterplot(ax: Any, data_table: "DataTable", label: str = "", **options: Any) -> None:
    """The points of a DataTable (and its fitted curve with ``show_fit=True``); a label
    goes to the legend, so several tables can share a panel."""
    handle_options(ax, options)
    show_legend = options.pop("legend", True)
    if options.pop("show_fit", False):
        ax.plot(data_table.x, data_table.y_fit, "k-")
    ax.scatter(data_table.x, data_table.y, label=label, **options)
    if label and show_legend:
        ax.legend()


def plot_hist(ax: Any, histogram: "Histogram", label: str = "", **options: Any) -> None:
    """The bars of a Histogram."""
    handle_options(ax, options)
    options.pop("legend", None)
    histogram.evaluate()
    if histogram.values.size:
        ax.bar(histogram.bins[:-1], histogram.values, width=histogram.bin_width, align="edge", **options)
    _corner_label(ax, label)


def variable_names(segment: Any) -> set[str]:
    """Names of the analog signals (the recorded variables) of a Segment."""
    return {signal.name for signal in segment.analogsignals}


class Figure:
    """Panels stacked vertically in one matplotlib figure (``self.fig``).

    Options: ``title``, ``annotations``, ``settings``, ``size`` (see the module doc).
    """

    def __init__(self, *panels: "Panel", **options: Any):
        settings = options.get("settings")
        plt.rcParams.update(DEFAULT_FIG_SETTINGS if settings is None else settings)
        n = max(len(panels), 1)
        width, height = options.get("size", (6, 2 * n + 1.2))
        self.fig = plt.figure(figsize=(width, height))
        grid = GridSpec(n, 1, figure=self.fig, top=1 - 0.8 / height, hspace=0.25,
                        bottom=1.2 / height if options.get("annotations") else None)
        for k, panel in enumerate(panels):
            panel.plot(self.fig.add_subplot(grid[k, 0]))
        if options.get("title"):
            self.fig.text(0.5, 1 - 0.5 / height, options["title"], ha="center", va="top", fontsize="large")
        if options.get("annotations"):
            self.fig.text(0.01, 0.01, options["annotations"], fontsize=6, va="bottom")

    def save(self, filename: str) -> None:
        """Write the figure; the format follows the extension; missing folders are created."""
        folder = os.path.dirname(filename)
        if folder:
            os.makedirs(folder, exist_ok=True)
        self.fig.savefig(filename)

    def show(self) -> None:
        """Show the figure (with a display backend chosen through ``MPLBACKEND``)."""
        plt.show()

    def close(self) -> None:
        """Free the figure's memory."""
        plt.close(self.fig)


class Panel:
    """One panel of a Figure: data items and options (see the module doc)."""

    def __init__(self, *data: Any, **options: Any):
        self.data = list(data)
        self.data_labels = options.pop("data_labels", None)
        self.line_properties = options.pop("line_properties", None)
        self.options = options

    def plot(self, axes: Any) -> None:
        """Draw the data items in ``axes``."""
        labels = repeat(None) if self.data_labels is None else self.data_labels
        properties = repeat({}) if self.line_properties is None else self.line_properties
        for datum, label, props in zip(self.data, labels, properties):
            options = dict(props)
            options.update(self.options)
            _draw(axes, datum, label, options)


def _is_train_list(datum: Any) -> bool:
    return isinstance(datum, (list, tuple)) and all(isinstance(x, neo.SpikeTrain) for x in datum)


def _draw(axes: Any, datum: Any, label: str | None, options: dict) -> None:
    if isinstance(datum, DataTable):
        scatterplot(axes, datum, label=label, **options)
    elif isinstance(datum, Histogram):
        plot_hist(axes, datum, label=label, **options)
    elif isinstance(datum, (neo.AnalogSignal, neo.IrregularlySampledSignal)):
        plot_signals(axes, datum, label_prefix=label or "", **options)
    elif isinstance(datum, neo.core.spiketrainlist.SpikeTrainList):
        plot_spiketrainlist(axes, datum, label=label, **options)
    elif _is_train_list(datum):
        plot_spiketrains(axes, datum, label=label, **options)
    elif isinstance(datum, np.ndarray) and datum.ndim == 2:
        plot_array_as_image(axes, datum, label=label, **options)
    elif isinstance(datum, np.ndarray):
        raise ValueError(f"Panel: cannot plot an array with {datum.ndim} dimension(s); give a 2-D array")
    else:
        raise TypeError(f"Panel: cannot plot a {type(datum).__name__}; give an AnalogSignal, spike trains, "
                        f"a 2-D array, a DataTable or a Histogram")


def comparison_plot(segments: list, labels: list[str], title: str = "", annotations: str | None = None,
                    fig_settings: dict | None = None, with_spikes: bool = True) -> Figure:
    """A Figure comparing Segments: one panel per recorded variable and cell with a line
    per segment (each in its own colour and width), then a raster per segment."""
    colours = "bcgmkr"
    count = len(segments)
    properties = [{"linewidth": 2 * (count - k) - 1, "color": colours[k % len(colours)]} for k in range(count)]
    grouped: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    units: dict[str, Any] = {}
    for segment in segments:
        for signal in segment.analogsignals:
            if signal.name in units and signal.units != units[signal.name]:
                signal = signal.rescale(units[signal.name])
            units.setdefault(signal.name, signal.units)
            channels = _channel_labels(signal)
            for column in np.argsort(channels, kind="stable"):
                grouped[signal.name][channels[column]].append(signal[:, column])
    panels = []
    for name, by_channel in grouped.items():
        for traces in by_channel.values():
            ylabel = f"{name} ({traces[0].dimensionality})" if name else ""
            panels.append(Panel(*traces, line_properties=properties, data_labels=labels, yticks=True, ylabel=ylabel))
    if with_spikes and segments and len(segments[0].spiketrains) > 0:
        panels += [Panel(segment.spiketrains, data_labels=[label]) for segment, label in zip(segments, labels)]
    if panels:
        panels[-1].options.update(xticks=True, xlabel="Time (ms)")
    return Figure(*panels, title=title, settings=fig_settings, annotations=annotations)


class DataTable:
    """x, y data for a scatter plot, with optional curve fitting (``fit_curve``)."""

    def __init__(self, x: Any, y: Any):
        self.x = x
        self.y = y

    def fit_curve(self, f: Callable, p0: Iterable[float], **fitting_parameters: Any) -> tuple:
        """Fit ``y ≈ f(x, *p)`` from the start ``p0`` (scipy's ``curve_fit``); returns (popt, pcov)."""
        from scipy.optimize import curve_fit
        self._f = f
        self._popt, self._pcov = curve_fit(f, self.x, self.y, p0, **fitting_parameters)
        return self._popt, self._pcov

    @property
    def y_fit(self) -> Any:
        """The fitted curve at ``x`` (after :meth:`fit_curve`)."""
        return self._f(self.x, *self._popt)


class Histogram:
    """A histogram of ``data`` with about sqrt(N) bins, computed when first needed."""

    def __init__(self, data: Any):
        self.data = np.asarray(data, dtype=float)
        self.evaluated = False

    def evaluate(self) -> None:
        if self.evaluated:
            return
        n_bins = max(int(np.sqrt(self.data.size)), 1)
        if self.data.size:
            self.values, self.bins = np.histogram(self.data, bins=n_bins)
        else:
            self.values, self.bins = np.zeros(0, dtype=int), np.zeros(1)
        self.bin_width = float(self.bins[1] - self.bins[0]) if self.bins.size > 1 else 0.0
        self.evaluated = True

    def __iter__(self):
        """(left edge, count) of each bar."""
        self.evaluate()
        return iter(zip(self.bins[:-1], self.values))


def isi_histogram(segment: Any) -> Histogram:
    """Histogram of the inter-spike intervals (ms) of every spike train of a Segment."""
    intervals = [np.diff(train.rescale(pq.ms).magnitude) for train in segment.spiketrains]
    return Histogram(np.concatenate(intervals) if intervals else np.zeros(0))
