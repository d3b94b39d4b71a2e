"""Walk-forward windows: rolling or anchored in-sample spans, each followed by its out-of-sample span."""

# Spans are calendar-aware: "2y" and "6m" move by months (a month is not a fixed number of seconds),
# "w", "d" and "h" by fixed durations. A day past the end of a shorter month is clamped to its last day.

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Window", "add_span", "parse_span", "walk_forward_windows"]

_SPAN = re.compile(r"^\s*(\d+)\s*(y|m|w|d|h)\s*$")
_FIXED_NS = {"w": 7 * 86_400 * 10**9, "d": 86_400 * 10**9, "h": 3_600 * 10**9}


@dataclass(frozen=True, slots=True)
class Window:
    """One walk-forward step: in-sample [train_start, train_end), out-of-sample [test_start, test_end).

    Times are ns since the Unix epoch (UTC); the out-of-sample span starts where the in-sample one
    ends, and the last one may be cut short by the end of the data.
    """

    index: int
    train_start: int
    train_end: int
    test_start: int
    test_end: int


def parse_span(text: str) -> tuple[int, str]:
    """`"2y"` → (24, "m"), `"6m"` → (6, "m"), `"30d"` → (30, "d"), `"12h"`, `"4w"`.

    Raises:
        ValueError: not a positive whole number followed by y, m, w, d or h.
    """
    match = _SPAN.match(text)
    if match is None or int(match.group(1)) <= 0:
        raise ValueError(f"not a span: {text!r} (use a number and y, m, w, d or h: 2y, 6m, 30d)")
    n, unit = int(match.group(1)), match.group(2)
    return (n * 12, "m") if unit == "y" else (n, unit)


def add_span(ns: int, span: tuple[int, str]) -> int:
    """`ns` moved forward by `span` (from `parse_span`)."""
    n, unit = span
    if unit != "m":
        return ns + n * _FIXED_NS[unit]
    t = np.datetime64(ns, "ns")
    month = t.astype("datetime64[M]")
    offset = int((t - month.astype("datetime64[ns]")).astype(np.int64))
    target = (month + n).astype("datetime64[ns]").astype(np.int64)
    after = (month + n + 1).astype("datetime64[ns]").astype(np.int64)
    # Jan 31 + 1 month is the last day of February (same time of day), not March 3
    day_ns = _FIXED_NS["d"]
    if target + offset >= after:
        offset = (after - target) - day_ns + offset % day_ns
    return int(target + offset)


def walk_forward_windows(
    first_ns: int,
    last_ns: int,
    train: str,
    test: str,
    step: str | None = None,
    anchored: bool = False,
) -> list[Window]:
    """The windows covering data from `first_ns` to `last_ns` (both inclusive, ns).

    Args:
        train: In-sample span ("2y"). Anchored windows all start at `first_ns` and grow by `step`.
        test: Out-of-sample span ("6m").
        step: How far each window moves on (default: `test`, so the out-of-sample spans tile).
        anchored: Keep every in-sample span starting at the beginning of the data.

    Raises:
        ValueError: a span is malformed, or the data is too short for one in-sample span.
    """
    train_span, test_span = parse_span(train), parse_span(test)
    step_span = parse_span(step) if step is not None else test_span
    windows: list[Window] = []
    while True:
        k = len(windows)
        # k steps from the start at once, so month-end clamping never drifts from window to window
        steps = (step_span[0] * k, step_span[1])
        if anchored:
            train_start, train_end = first_ns, add_span(add_span(first_ns, train_span), steps)
        else:
            train_start = add_span(first_ns, steps)
            train_end = add_span(train_start, train_span)
        if train_end > last_ns:
            break
        test_end = min(add_span(train_end, test_span), last_ns + 1)
        windows.append(Window(k, train_start, train_end, train_end, test_end))
    if not windows:
        raise ValueError(f"the data is shorter than one in-sample span ({train}) followed by any test")
    return windows
