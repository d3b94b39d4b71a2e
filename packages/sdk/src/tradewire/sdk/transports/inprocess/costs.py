"""The engine's commission and slippage models from their command-line spelling (`percent:0.1`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.transports.inprocess.loader import engine

__all__ = ["COMMISSION_HELP", "SLIPPAGE_HELP", "commission_model", "slippage_model"]

#: Each spelling: the engine model it builds and its arguments (decimals, the later ones optional).
_COMMISSIONS = {
    "per-share": ("PerShare", ("rate", "minimum")),
    "percent": ("PercentOfNotional", ("percent",)),
    "per-order": ("PerOrder", ("amount",)),
    "maker-taker": ("MakerTaker", ("maker_bps", "taker_bps")),
}
_SLIPPAGES = {
    "bps": ("FixedBps", ("bps",)),
    "spread": ("SpreadSlippage", ("fraction", "bar_bps")),
}
_REQUIRED = {"PerShare": 1, "SpreadSlippage": 1}

COMMISSION_HELP = (
    "commission per fill: percent:0.1 (% of notional), per-share:0.005[,MIN], per-order:1, "
    "maker-taker:MAKER_BPS,TAKER_BPS, or none (the default)"
)
SLIPPAGE_HELP = (
    "slippage of market fills: bps:5 (basis points), spread:0.5[,BAR_BPS] (a fraction of the quoted "
    "spread; on bars BAR_BPS), or none (the default)"
)


def commission_model(spec: str) -> Any:
    """The engine's CommissionModel for `spec` (see COMMISSION_HELP)."""
    return _model("--commission", spec, _COMMISSIONS, "NoCommission")


def slippage_model(spec: str) -> Any:
    """The engine's SlippageModel for `spec` (see SLIPPAGE_HELP)."""
    return _model("--slippage", spec, _SLIPPAGES, "NoSlippage")


def _models() -> dict[str, Any]:
    """The engine's cost model classes by name."""
    te = engine()
    return {
        "NoCommission": te.NoCommission,
        "PerShare": te.PerShare,
        "PercentOfNotional": te.PercentOfNotional,
        "PerOrder": te.PerOrder,
        "MakerTaker": te.MakerTaker,
        "NoSlippage": te.NoSlippage,
        "FixedBps": te.FixedBps,
        "SpreadSlippage": te.SpreadSlippage,
    }


def _model(flag: str, spec: str, kinds: dict[str, tuple[str, tuple[str, ...]]], none: str) -> Any:
    models = _models()
    kind, _, args = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind == "none" and not args:
        return models[none]()
    if kind not in kinds:
        raise ConfigurationError(
            f"{flag} {spec!r}: choose one of {', '.join(kinds)} (e.g. {_example(kinds)})"
        )
    name, fields = kinds[kind]
    values = [v.strip() for v in args.split(",")] if args.strip() else []
    required = _REQUIRED.get(name, len(fields))
    if not required <= len(values) <= len(fields):
        raise ConfigurationError(f"{flag} {spec!r}: {kind} takes {','.join(fields).upper()}")
    numbers = {}
    for field, value in zip(fields, values, strict=False):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ConfigurationError(f"{flag} {spec!r}: {value!r} is not a number") from None
        if not number.is_finite() or number < 0:
            raise ConfigurationError(f"{flag} {spec!r}: {field} must be a number >= 0")
        numbers[field] = number
    return models[name](**numbers)


def _example(kinds: dict[str, tuple[str, tuple[str, ...]]]) -> str:
    return "percent:0.1" if "percent" in kinds else "bps:5"
