"""The spec's bar sizes (enums.md Timeframe) and their lengths in nanoseconds."""

from __future__ import annotations

__all__ = ["TIMEFRAME_NS", "timeframe_enum", "timeframe_of"]

_S = 1_000_000_000
TIMEFRAME_NS: dict[str, int] = {
    "1m": 60 * _S,
    "2m": 120 * _S,
    "5m": 300 * _S,
    "10m": 600 * _S,
    "15m": 900 * _S,
    "30m": 1800 * _S,
    "1h": 3600 * _S,
    "2h": 7200 * _S,
    "4h": 14400 * _S,
    "12h": 43200 * _S,
    "1d": 86400 * _S,
    "1w": 604800 * _S,
}
_BY_NS = {v: k for k, v in TIMEFRAME_NS.items()}
_ORDER = list(TIMEFRAME_NS)


def timeframe_of(ns: int) -> str | None:
    """The spec spelling of a bar length, or None when it is not one of the twelve."""
    return _BY_NS.get(ns)


def timeframe_enum(name: str) -> int:
    """The protocol Timeframe value (1 = "1m" ... 12 = "1w")."""
    return _ORDER.index(name) + 1
