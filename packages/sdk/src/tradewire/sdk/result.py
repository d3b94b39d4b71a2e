"""`RunResult`: what a finished run reports, identical in shape for every transport."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk.display import money_text, percent_text

__all__ = ["RunResult"]


@dataclass(slots=True)
class RunResult:
    """The outcome of running a strategy.

    Attributes:
        strategy: Strategy class name.
        platform: Where it ran (`backtest`, `alpaca-paper`, ...).
        transport: `inprocess` or `wire`.
        account: Final account (exact decimal text), or None if unknown.
        orders: Number of orders the strategy submitted.
        steps: Deliveries handled (instants, plus the extra batches of orders placed within them).
        events: Events handled.
        bars: Candles handled.
        elapsed_s: Wall-clock seconds of the run.
        start_cash: Cash at the start, when known.
        start_equity: Equity at the start (cash plus what the account already held), when known: the
            base of the total return. A backtest starts with cash alone; a live account may not.
        report: The engine's results object (`BacktestResult`): in-process backtests, and backtests
            over the wire run with `report=True`.
        partial: The strategy raised and the run stopped early: everything here ends at that instant
            (see `StrategyError`).
        run_id: The gateway's run (its `/health` and CONNECTED `run_id`; the backtest and mock
            gateways' order ids carry it); None in-process or when the gateway names none.
    """

    strategy: str
    platform: str
    transport: str
    account: m.Account | None = None
    # Not in the repr: asyncio.Runner.run reprs its finished task (so the result) when it restores the
    # SIGINT handler, and thousands of protocol messages took a third of a second there.
    _trades: list[m.Trade] | None = field(default=None, repr=False)
    orders: int = 0
    steps: int = 0
    events: int = 0
    bars: int = 0
    elapsed_s: float = 0.0
    start_cash: Decimal | None = None
    start_equity: Decimal | None = None
    partial: bool = False
    run_id: str | None = None
    report: Any = field(default=None, repr=False)
    _trade_source: Callable[[], list[m.Trade]] | None = field(default=None, repr=False)
    _counts: tuple[int, int] | None = field(default=None, repr=False)

    def trades_from(self, source: Callable[[], list[m.Trade]], buys: int, sells: int) -> None:
        """Build `trades` from `source` on first use (an in-process run keeps its fills in the engine's
        log, not as messages); `buys` and `sells` count them meanwhile."""
        self._trades = None
        self._trade_source = source
        self._counts = (buys, sells)

    @property
    def trades(self) -> list[m.Trade]:
        """Every fill, oldest first (protocol `Trade`; built on first use after an in-process run)."""
        if self._trades is None:
            self._trades = self._trade_source() if self._trade_source is not None else []
        return self._trades

    @trades.setter
    def trades(self, value: list[m.Trade]) -> None:
        self._trades = value

    @property
    def final_equity(self) -> Decimal | None:
        """Equity at the end (exact)."""
        return None if self.account is None else Decimal(self.account.equity)

    @property
    def final_cash(self) -> Decimal | None:
        """Cash balance at the end (exact)."""
        return None if self.account is None else Decimal(self.account.balance)

    @property
    def entries(self) -> int:
        """BUY fills."""
        if self._counts is not None:
            return self._counts[0]
        return sum(1 for t in self.trades if t.side == m.Side.BUY)

    @property
    def exits(self) -> int:
        """SELL fills."""
        if self._counts is not None:
            return self._counts[1]
        return sum(1 for t in self.trades if t.side == m.Side.SELL)

    def trade_dicts(self) -> list[Any]:
        """The fills as their wire JSON objects (for exact comparison and saving)."""
        return [codec.to_dict(t) for t in self.trades]

    def summary(self) -> dict[str, str]:
        """Human-readable key figures, in display order."""
        rows = {
            "strategy": self.strategy,
            "platform": f"{self.platform} ({self.transport})",
            "bars": f"{self.bars:,}",
            "fills": f"{len(self.trades):,} ({self.entries:,} buys / {self.exits:,} sells)",
        }
        currency = self.account.currency if self.account is not None else ""
        if self.start_cash is not None:
            rows["start cash"] = money_text(self.start_cash, currency)
        start = self.start_equity if self.start_equity is not None else self.start_cash
        if start is not None and start != self.start_cash:
            rows["start equity"] = money_text(start, currency)
        if self.account is not None:
            rows["final equity"] = money_text(self.account.equity, currency)
            rows["final cash"] = money_text(self.account.balance, currency)
            if start:
                ret = float(Decimal(self.account.equity) / start - 1)
                rows["total return"] = percent_text(ret, signed=True)
        if self.elapsed_s > 0:
            rows["elapsed"] = f"{self.elapsed_s:.2f} s ({self.bars / self.elapsed_s:,.0f} bars/s)"
        return rows
