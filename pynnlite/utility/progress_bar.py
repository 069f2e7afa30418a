"""Progress bars on the terminal: PyNN's ``ProgressBar`` and ``SimulationProgressBar``, and
the bar pynnlite shows during long ``run()`` calls (:class:`RunProgress`)."""
from __future__ import annotations

import os
import sys
import time
from typing import IO


class ProgressBar:
    """A one-line bar ``[ ####      ]  40%`` redrawn in place on standard output.

    width: characters of the whole bar including the brackets; char: the fill
    character; mode ``'fixed'`` pads the bar to its full width, ``'dynamic'`` lets it
    grow (any other mode is ``'fixed'``). Call it (or ``set_level``) with a fraction
    in [0, 1]; values outside are clipped. Connectors accept it as ``callback``.
    """

    def __init__(self, width: int = 77, char: str = "#", mode: str = "fixed"):
        self.width = int(width)
        self.char = char
        self.mode = mode if mode in ("fixed", "dynamic") else "fixed"

    def render(self, level: float) -> str:
        """The text of the bar at ``level`` (no carriage return)."""
        level = min(max(float(level), 0.0), 1.0)
        inner = max(self.width - 2, 0)
        filled = int(round(level * inner))
        bar = self.char * filled
        if self.mode == "fixed":
            bar += " " * (inner - filled)
        return f"[ {bar} ] {100 * level:3.0f}%"

    def set_level(self, level: float) -> None:
        """Draw the bar at ``level`` (a fraction in [0, 1])."""
        sys.stdout.write(self.render(level) + " \r")
        sys.stdout.flush()

    def __call__(self, level: float) -> None:
        self.set_level(level)


class SimulationProgressBar(ProgressBar):
    """A ProgressBar to pass to ``run(..., callbacks=[...])``: called with the current
    time (ms), it draws ``t / t_stop`` and asks to be called again ``interval`` ms later.

    The bar has one character per interval (``t_stop / interval`` wide).
    """

    def __init__(self, interval: float, t_stop: float, char: str = "#", mode: str = "fixed"):
        super().__init__(width=int(t_stop / interval), char=char, mode=mode)
        self.interval = float(interval)
        self.t_stop = float(t_stop)

    def __call__(self, t: float) -> float:  # type: ignore[override]
        self.set_level(t / self.t_stop)
        return t + self.interval


def _clock(seconds: float) -> str:
    """A duration as ``42.0 s``, ``3 min 05 s`` or ``2 h 07 min``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


class RunProgress:
    """The terminal bar of one long ``run()``: simulated time, wall time, estimated finish.

    ``pynnlite.utility.run_control`` advances the simulation in chunks and calls
    :meth:`update` after each; the bar appears only once the run is expected to take
    more than ``show_after`` seconds of wall time, and is erased at the end.
    """

    def __init__(self, t_start: float, t_stop: float, stream: IO[str] | None = None, width: int = 24,
                 show_after: float = 2.0):
        self.t_start = float(t_start)
        self.t_stop = float(t_stop)
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.show_after = show_after
        self.wall_start = time.perf_counter()
        self.shown = False
        self._last_length = 0

    def fraction(self, t: float) -> float:
        span = self.t_stop - self.t_start
        return 1.0 if span <= 0 else min(max((t - self.t_start) / span, 0.0), 1.0)

    def estimate_total(self, t: float) -> float | None:
        """Expected wall time (s) of the whole run from the progress so far (None: unknown)."""
        done = self.fraction(t)
        if done <= 0:
            return None
        return (time.perf_counter() - self.wall_start) / done

    def text(self, t: float) -> str:
        done = self.fraction(t)
        wall = time.perf_counter() - self.wall_start
        filled = int(round(done * self.width))
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {100 * done:3.0f}%  "
                f"t = {t:.1f}/{self.t_stop:.1f} ms  wall {_clock(wall)}")
        total = self.estimate_total(t)
        if total is not None and done < 1:
            remaining = max(total - wall, 0.0)
            finish = time.strftime("%H:%M:%S", time.localtime(time.time() + remaining))
            line += f"  ~{_clock(remaining)} left (done at {finish})"
        return line

    def update(self, t: float) -> None:
        total = self.estimate_total(t)
        if not self.shown and (total is None or total < self.show_after):
            return
        self.shown = True
        line = self.text(t)
        pad = " " * max(self._last_length - len(line), 0)
        self.stream.write("\r" + line + pad)
        self.stream.flush()
        self._last_length = len(line)

    def close(self) -> None:
        """Erase the bar (the terminal line is left as it was before the run)."""
        if self.shown:
            self.stream.write("\r" + " " * self._last_length + "\r")
            self.stream.flush()
            self.shown = False


def terminal_stream() -> IO[str] | None:
    """Standard error if it is a terminal (and ``TERM`` is not ``dumb``), else None."""
    stream = sys.stderr
    try:
        is_tty = stream.isatty()
    except (AttributeError, ValueError):
        return None
    if not is_tty or os.environ.get("TERM") == "dumb":
        return None
    return stream
