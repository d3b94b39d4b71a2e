"""Simulated instants (ns since the epoch) as the datetimes protocol messages carry."""

from __future__ import annotations

import datetime as dt

__all__ = ["ns_to_dt"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def ns_to_dt(ns: int) -> dt.datetime:
    """Simulated time (ns since epoch) as an aware UTC datetime (microsecond precision)."""
    return _EPOCH + dt.timedelta(microseconds=ns // 1000)
