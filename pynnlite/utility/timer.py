"""Wall-clock timing of scripts (PyNN's ``Timer``)."""
from __future__ import annotations

import time
import warnings


class Timer:
    """A stopwatch that starts when it is created.

    ``elapsed_time()`` is the time since the (re)start, ``diff()`` the time since the
    last ``elapsed_time()``/``diff()``/``mark()``; ``mark(label)`` stores ``(label, diff())``
    in ``marks``. Times are in seconds (``format='long'``: in words).
    """

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []
        self.start()

    def start(self) -> None:
        """Start (or restart) the clock."""
        self._start_time = time.perf_counter()
        self._last_check = self._start_time

    def reset(self) -> None:
        """Set the time back to zero and keep the clock running."""
        self.start()

    def elapsed_time(self, format: str | None = None) -> float | str:  # noqa: A002 - PyNN's name
        """Seconds since the start (``format='long'``: e.g. ``'2 minutes, 3 seconds'``)."""
        now = time.perf_counter()
        self._last_check = now
        elapsed = now - self._start_time
        return self.time_in_words(elapsed) if format == "long" else elapsed

    def elapsedTime(self, format: str | None = None) -> float | str:  # noqa: N802,A002 - PyNN's old name
        """Deprecated name of :meth:`elapsed_time`."""
        warnings.warn("elapsedTime() is deprecated; use elapsed_time()", DeprecationWarning)
        return self.elapsed_time(format)

    def diff(self, format: str | None = None) -> float | str:  # noqa: A002
        """Seconds since the last ``elapsed_time()``, ``diff()`` or ``mark()``."""
        now = time.perf_counter()
        since = now - self._last_check
        self._last_check = now
        return self.time_in_words(since) if format == "long" else since

    def mark(self, label: str) -> None:
        """Store ``(label, seconds since the last check)`` in ``marks``."""
        self.marks.append((label, self.diff()))

    @staticmethod
    def time_in_words(s: float) -> str:
        """A duration in seconds as words: ``3723`` → ``'1 hour, 2 minutes, 3 seconds'``.

        Whole units from years (365.2425 days) down to seconds; parts that are zero are
        left out; ``'0 seconds'`` below one second.
        """
        remaining = int(s)
        parts = []
        for name, size in (("year", 31556952), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
            count, remaining = divmod(remaining, size)
            if count:
                parts.append(f"{count} {name}{'s' if count > 1 else ''}")
        return ", ".join(parts) if parts else "0 seconds"
