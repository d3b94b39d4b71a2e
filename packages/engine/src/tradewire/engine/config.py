"""BacktestConfig: the frozen, keyword-only settings of one simulation run."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Literal

from tradewire.engine.core.models import CommissionModel, NoCommission, NoSlippage, SlippageModel

__all__ = ["BacktestConfig"]


@dataclass(frozen=True, kw_only=True, slots=True)
class BacktestConfig:
    """Settings of one backtest. Unknown keywords raise TypeError; every field is documented here.

    Attributes:
        cash: Starting cash in `currency` (decimal text or Decimal; never a float).
        currency: Account currency, reported in `Account.currency` and `Trade.commission_currency`.
        account: "margin" (Alpaca-like: leverage, shorting, margin calls) or "cash"
            (Binance-spot-like: long-only holdings paid in full, no margin).
        leverage: Margin account only: buying power multiple; initial margin = 1/leverage.
        maintenance_margin: Margin account: equity must stay above this fraction of gross exposure,
            else the venue liquidates every position (MARGIN_CALL, then error LIQUIDATION).
        margin_warning: MARGIN_WARNING once equity falls below maintenance × this ratio.
        allow_short: Margin account: whether sells may open short positions.
        fill_at: "next_open" (market orders fill at the next bar's open, the default) or "close"
            (at the close of the bar during which they were placed).
        participation: Optional volume participation cap (e.g. Decimal("0.1")): a fill takes at most
            this fraction of the bar's volume (or quote size); the rest keeps working.
        slippage: Slippage model for taker fills.
        commission: Commission model.
        quantity_decimals: Quantity precision (lot step 10**-n); finer quantities are floored to it.
        history_bars: Completed bars kept per symbol for `get_bars` (bounded so memory stays flat).
        order_history: Finished orders kept for `get_order` / order history; older ones are forgotten
            (fills are always kept in full, compactly, for the results).
        equity_every: Seconds between equity-curve samples; 0 (the default) samples every step, at the
            data's own frequency, which the metrics need (the last step is always kept).
        risk_free_rate: Annual risk-free rate (0.04 = 4 %) for Sharpe and Sortino; stated in the results.
        provider: `provider` written into Bar/Quote messages.
    """

    cash: Decimal | str | int = "100000"
    currency: str = "USD"
    account: Literal["margin", "cash"] = "margin"
    leverage: Decimal | str | int = 1
    maintenance_margin: Decimal | str = "0.25"
    margin_warning: Decimal | str = "1.25"
    allow_short: bool = True
    fill_at: Literal["next_open", "close"] = "next_open"
    participation: Decimal | str | None = None
    slippage: SlippageModel = field(default_factory=NoSlippage)
    commission: CommissionModel = field(default_factory=NoCommission)
    quantity_decimals: int = 8
    history_bars: int = 5_000
    order_history: int = 10_000
    equity_every: int = 0
    risk_free_rate: Decimal | str | int = 0
    provider: str = "backtest"

    def __post_init__(self) -> None:
        for name in ("cash", "leverage", "maintenance_margin", "margin_warning", "risk_free_rate"):
            v = getattr(self, name)
            if isinstance(v, float):
                raise TypeError(f"BacktestConfig.{name} must be decimal text or Decimal, not float")
        if self.account not in ("margin", "cash"):
            raise ValueError(f"account must be 'margin' or 'cash', not {self.account!r}")
        if self.fill_at not in ("next_open", "close"):
            raise ValueError(f"fill_at must be 'next_open' or 'close', not {self.fill_at!r}")
        if Decimal(self.leverage) < 1:
            raise ValueError("leverage must be >= 1")
        if self.participation is not None and not 0 < Decimal(self.participation) <= 1:
            raise ValueError("participation must be in (0, 1]")
        if self.equity_every < 0:
            raise ValueError("equity_every must be >= 0 seconds")
        if not -1 < Decimal(self.risk_free_rate) < 1:
            raise ValueError("risk_free_rate is an annual fraction in (-1, 1), e.g. 0.04 for 4 %")
        if not 0 <= self.quantity_decimals <= 12:
            raise ValueError("quantity_decimals must be in 0..12")

    def replace(self, **changes: Any) -> BacktestConfig:
        """A copy with some fields changed."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return BacktestConfig(**values)
