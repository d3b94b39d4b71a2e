"""Periods per year of an equity curve, from its own sampling interval and trading calendar."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Annualisation", "annualisation"]

DAY_NS = 86_400 * 10**9
#: Trading days a year on an exchange calendar (weekdays less holidays), the industry convention.
SESSION_DAYS = 252
#: Days a year of a market that never closes (crypto), as quantstats and LEAN count them.
ALWAYS_OPEN_DAYS = 365
_YEAR_DAYS = 365.25


@dataclass(frozen=True, slots=True)
class Annualisation:
    """How returns sampled at `ts` scale to a year: `periods_per_year` and the calendar it assumes."""

    periods_per_year: float
    calendar: str  # "24/7", "sessions" or "calendar" (weekly and coarser samples), "" when unknown


def _weekday(days: np.ndarray) -> np.ndarray:
    return (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0


def annualisation(ts: np.ndarray) -> Annualisation:
    """The sampling interval is the median gap between samples; the calendar is 24/7 when samples fall
    on weekends or cover whole days, else exchange sessions (252 days of the busiest day's samples)."""
    if ts.size < 2:
        return Annualisation(0.0, "")
    gaps = np.diff(ts)
    gaps = gaps[gaps > 0]
    if gaps.size == 0:
        return Annualisation(0.0, "")
    step = float(np.median(gaps))
    if step >= 2 * DAY_NS:  # weekly or monthly samples: a plain calendar year of them
        return Annualisation(_YEAR_DAYS * DAY_NS / step, "calendar")
    # a bar's sample is its end: one nanosecond earlier is still inside the bar's own day
    days = (ts - 1) // DAY_NS
    per_day = min(int(np.bincount(days - days[0]).max()), max(1, round(DAY_NS / step)))
    weekend = bool((_weekday(days) >= 5).any())
    first, last = int(days[0]), int(days[-1])
    spans_weekend = bool((_weekday(np.arange(first, last + 1)) >= 5).any())
    whole_days = per_day * step >= 0.95 * DAY_NS
    # A weekend inside the run without a sample says "exchange"; a sample on one says "always open".
    always_open = weekend or (not spans_weekend and whole_days)
    days_a_year = ALWAYS_OPEN_DAYS if always_open else SESSION_DAYS
    return Annualisation(float(days_a_year * per_day), "24/7" if always_open else "sessions")
