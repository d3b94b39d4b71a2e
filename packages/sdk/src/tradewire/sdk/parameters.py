"""A strategy's parameters: its public class-level settings with the instance's values, as text."""

from __future__ import annotations

from typing import Any

from tradewire.sdk.strategy import Strategy

__all__ = ["strategy_parameters"]


def strategy_parameters(strategy: Strategy) -> dict[str, str]:
    """Name -> value text of every public, non-callable attribute the strategy's classes define
    (`fast = 10`, `symbols = ("AAPL",)`), with the value the instance runs with, in definition order."""
    out: dict[str, str] = {}
    for cls in reversed(type(strategy).__mro__):
        if not issubclass(cls, Strategy) or cls is Strategy:
            continue
        for name, value in vars(cls).items():
            if (
                name.startswith("_")
                or callable(value)
                or isinstance(value, (property, staticmethod, classmethod))
            ):
                continue
            out[name] = _text(getattr(strategy, name, value))
    return out


def _text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return str(value)
