"""The embedding API as a type: what a transport that drives a `Backtest` itself may use, checked by mypy."""

# The SDK's in-process transport is typed against this Protocol rather than `Backtest` itself, so the
# seam between the two packages is a contract the type checker sees: a member the engine drops or
# retypes fails the SDK's type check, and the SDK cannot reach for anything not listed here.

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from tradewire.engine.config import BacktestConfig
from tradewire.engine.core.events import Fill, FillLog
from tradewire.engine.core.instrument import Instrument
from tradewire.engine.core.orders import OrderSnapshot
from tradewire.engine.messages import MessageBuilder
from tradewire.engine.operations import ProtocolOperations
from tradewire.engine.results.result import BacktestResult
from tradewire.engine.views import BarView, QuoteView
from tradewire.protocol import messages as m

__all__ = ["AccountSnapshot", "Embedding"]

#: (balance, equity, margin_used, margin_available, unrealized) in money scale.
AccountSnapshot = tuple[int, int, int, int, int]


class Embedding(Protocol):
    """The members of `Backtest` documented for embedding (see its docstring); `Backtest` implements it."""

    config: BacktestConfig
    operations: ProtocolOperations
    messages: MessageBuilder
    bar_views: list[BarView]
    quote_views: list[QuoteView]

    @property
    def instruments(self) -> list[Instrument]: ...

    @property
    def steps(self) -> int: ...

    @property
    def now_ns(self) -> int: ...

    @property
    def now(self) -> dt.datetime: ...

    @property
    def fill_log(self) -> FillLog: ...

    @property
    def fill_listeners(self) -> list[Callable[[Fill], None]]: ...

    @property
    def account_listeners(self) -> list[Callable[[AccountSnapshot], None]]: ...

    @property
    def records(self) -> list[tuple[int, int, int, object]] | None: ...

    def run(self, strategy: Any) -> BacktestResult: ...

    def result(self) -> BacktestResult: ...

    def instrument_index(self, symbol: str) -> int | None: ...

    def has_position(self, sym: int) -> bool: ...

    def open_order_snapshots(self) -> list[OrderSnapshot]: ...

    def account_snapshot(self) -> AccountSnapshot: ...

    def position_snapshot(self, sym: int) -> tuple[int, ...]: ...

    def last_close(self, sym: int) -> float | None: ...

    def position(self, symbol: str) -> Decimal: ...

    def account(self) -> m.Account: ...
