"""Test venues: a small ack-paced backtest-like venue and a fast live venue (tests only)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterable

from tradewire.protocol.codec import server_message
from tradewire.protocol.errors import OrderNotFound, PositionNotFound, SymbolNotFound
from tradewire.protocol.messages import (
    Account,
    AccountEvent,
    AccountEventType,
    BacktestCompleteEvent,
    Bar,
    CandleEvent,
    Capabilities,
    Order,
    OrderEvent,
    OrderEventType,
    OrderHandle,
    OrderStatus,
    OrderType,
    PositionMode,
    Side,
    Timeframe,
    TimeInForce,
    TradingPlatform,
)
from tradewire.protocol.venue import PacedVenue, StreamBatch, Venue

T0 = dt.datetime(2024, 3, 1, 14, 30, tzinfo=dt.UTC)


class _Minimal(Venue):
    """The REST half of a venue that knows nothing (everything is empty or not found)."""

    async def get_account(self) -> Account:
        return Account(
            balance="1000",
            equity="1000",
            margin_used="0",
            margin_available="1000",
            unrealized_pnl="0",
            currency="USD",
        )

    async def get_order(self, order_id: str) -> Order:
        raise OrderNotFound(f"Order not found: {order_id}", {"resource": "order", "id": order_id})

    async def list_orders(self, request):  # type: ignore[no-untyped-def]
        return []

    async def list_order_history(self, request):  # type: ignore[no-untyped-def]
        return []

    async def modify_order(self, order_id, request):  # type: ignore[no-untyped-def]
        raise OrderNotFound(f"Order not found: {order_id}", {"resource": "order", "id": order_id})

    async def cancel_order(self, order_id):  # type: ignore[no-untyped-def]
        raise OrderNotFound(f"Order not found: {order_id}", {"resource": "order", "id": order_id})

    async def cancel_all_orders(self, symbol=None):  # type: ignore[no-untyped-def]
        from tradewire.protocol.messages import CancelAllResult

        return CancelAllResult(cancelled_count=0, failed_count=0)

    async def list_positions(self, symbol=None):  # type: ignore[no-untyped-def]
        return []

    async def get_position(self, position_id):  # type: ignore[no-untyped-def]
        raise PositionNotFound(
            f"Position not found: {position_id}", {"resource": "position", "id": position_id}
        )

    async def close_position(self, position_id, request):  # type: ignore[no-untyped-def]
        raise PositionNotFound(
            f"Position not found: {position_id}", {"resource": "position", "id": position_id}
        )

    async def close_all_positions(self, symbol=None):  # type: ignore[no-untyped-def]
        return []

    async def list_trades(self, request):  # type: ignore[no-untyped-def]
        return []

    async def get_quote(self, symbol):  # type: ignore[no-untyped-def]
        raise SymbolNotFound(f"Symbol not found: {symbol}", {"symbol": symbol})

    async def get_bars(self, request):  # type: ignore[no-untyped-def]
        return []

    async def capabilities(self) -> Capabilities:
        return Capabilities(
            supported_asset_classes=[],
            supported_order_types=[OrderType.MARKET],
            position_mode=PositionMode.NETTING,
        )


def candle(symbol: str, at: dt.datetime, price: str, event_id: str | None = None) -> CandleEvent:
    bar = Bar(
        symbol=symbol,
        provider="fake",
        timeframe=Timeframe.M1,
        timestamp=at - dt.timedelta(minutes=1),
        open=price,
        high=price,
        low=price,
        close=price,
        volume="1",
    )
    return CandleEvent(bar=bar, timestamp=at, event_id=event_id)


class StepVenue(_Minimal, PacedVenue):
    """Backtest-like, on the `PacedVenue` contract: `steps` steps of one candle per symbol, then
    backtest_complete.

    Time advances only when every id of the current step has been released with `ack`. A market
    order submitted during a step adds ORDER_CREATED, ORDER_FILLED and BALANCE_UPDATED to that step.
    Only `next_batch` is written here: the gateway reads it through the contract's `next_wire`.
    """

    platform = TradingPlatform.BACKTEST

    def __init__(self, steps: int, symbols: tuple[str, ...] = ("AAPL", "MSFT")) -> None:
        self.steps = steps
        self.symbols = symbols
        self.outstanding: set[str] = set()
        self.acked: list[list[str]] = []
        self.started = asyncio.Event()
        self.step = -1
        self.now = T0
        self._n = 0
        self._orders = 0
        self._extra: list[StreamBatch] = []
        self._wake = asyncio.Event()
        self._done = False
        self.stale: list[str] = []

    def _id(self) -> str:
        self._n += 1
        return f"evt-{self._n}"

    def stale_symbols(self) -> list[str]:
        return list(self.stale)

    def next_batch(self) -> StreamBatch | None:
        self.started.set()
        if self._extra:
            return self._extra.pop(0)
        if self.outstanding or self._done:
            return None
        if self.step == self.steps:  # backtest_complete has been released
            self._done = True
            return None
        self.step = step = self.step + 1
        self.now = T0 + dt.timedelta(minutes=step)
        if step < self.steps:
            events = [
                candle(s, self.now, f"{100 + step}.{i}0", self._id()) for i, s in enumerate(self.symbols)
            ]
        else:
            events = [BacktestCompleteEvent(broker="backtest", timestamp=self.now, event_id=self._id())]
        ids = [e.event_id for e in events]
        self.outstanding.update(ids)  # type: ignore[arg-type]
        return StreamBatch([server_message(e) for e in events], step, ids)  # type: ignore[arg-type]

    @property
    def finished(self) -> bool:
        return self._done

    async def stream(self) -> AsyncIterator[StreamBatch]:  # type: ignore[override]
        while True:
            batch = self.next_batch()
            if batch is not None:
                yield batch
            elif self._done:
                return
            else:
                self._wake.clear()
                await self._wake.wait()

    async def ack(self, event_ids: Iterable[str]) -> None:
        ids = list(event_ids)
        self.acked.append(ids)
        self.outstanding.difference_update(ids)
        self._wake.set()

    async def submit_order(self, request):  # type: ignore[no-untyped-def]
        self._orders += 1
        order = Order(
            id=f"ord-{self._orders}",
            symbol=request.symbol,
            side=request.side,
            order_type=OrderType.MARKET,
            quantity=request.quantity,
            filled_quantity="0",
            remaining_quantity=request.quantity,
            status=OrderStatus.OPEN,
            time_in_force=TimeInForce.GTC,
            created_at=self.now,
            updated_at=self.now,
        )
        filled = Order(
            **{
                **{k: getattr(order, k) for k in order.__dataclass_fields__},
                "status": OrderStatus.FILLED,
                "filled_quantity": request.quantity,
                "remaining_quantity": "0",
                "average_fill_price": "100",
            }
        )
        events = [
            OrderEvent(
                event=OrderEventType.ORDER_CREATED, order=order, timestamp=self.now, event_id=self._id()
            ),
            OrderEvent(
                event=OrderEventType.ORDER_FILLED, order=filled, timestamp=self.now, event_id=self._id()
            ),
            AccountEvent(
                event=AccountEventType.BALANCE_UPDATED,
                account=await self.get_account(),
                timestamp=self.now,
                event_id=self._id(),
            ),
        ]
        ids = [e.event_id for e in events]
        self.outstanding.update(ids)  # type: ignore[arg-type]
        self._extra.append(StreamBatch([server_message(e) for e in events], self.step, ids))  # type: ignore[arg-type]
        self._wake.set()
        if self.on_events is not None:
            self.on_events()
        return OrderHandle(id=order.id, status=OrderStatus.OPEN)


class FloodVenue(_Minimal):
    """Live: yields `batch` candles at a time as fast as the consumer takes them, `total` in all."""

    platform = TradingPlatform.MOCK

    def __init__(self, total: int = 10**9, batch: int = 100, pause: float = 0.0) -> None:
        self.total = total
        self.batch = batch
        self.pause = pause
        self.sent = 0
        self.go: asyncio.Event | None = None

    def start(self) -> None:
        """Begin flooding (call on the server's loop once the client is connected)."""
        assert self.go is not None
        self.go.set()

    async def stream(self) -> AsyncIterator[StreamBatch]:  # type: ignore[override]
        self.go = asyncio.Event()
        await self.go.wait()
        msg = server_message(candle("AAPL", T0, "100.00"))
        while self.sent < self.total:
            n = min(self.batch, self.total - self.sent)
            self.sent += n
            yield StreamBatch([msg] * n)
            await asyncio.sleep(self.pause)

    async def submit_order(self, request):  # type: ignore[no-untyped-def]
        return OrderHandle(id="ord-1", status=OrderStatus.FILLED)


SIDE_BUY = Side.BUY
