"""MockVenue: a self-contained venue with synthetic prices, for trying clients without an account."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from functools import partial

from tradewire.gateway.providers.mock.book import TERMINAL, Book, Event, build_events
from tradewire.gateway.providers.mock.prices import TICK, Candle, PriceWalk, spread_of
from tradewire.protocol import order_rules, precision
from tradewire.protocol.codec import dec
from tradewire.protocol.errors import SymbolNotFound
from tradewire.protocol.messages import (
    Account,
    AssetClass,
    Bar,
    CancelAllResult,
    CancelOrderResult,
    CandleEvent,
    Capabilities,
    ClosePositionRequest,
    GetBarsRequest,
    ListOrdersRequest,
    ListTradesRequest,
    ModifyOrderRequest,
    ModifyOrderResult,
    ModifyPositionExitsRequest,
    ModifyPositionExitsResult,
    Order,
    OrderHandle,
    OrderType,
    Position,
    PositionMode,
    Quote,
    QuoteEvent,
    ServerMessage,
    Side,
    SubmitOrderRequest,
    Timeframe,
    Trade,
    TradingPlatform,
)
from tradewire.protocol.venue import StreamBatch, Venue

log = logging.getLogger("tradewire.gateway.mock")
PROVIDER = "mock"
_MODIFIABLE = ("quantity", "limit_price", "stop_price", "stop_loss", "take_profit", "trailing_distance")
#: Every symbol's grid: the walk's cent ticks, and the default 8 decimals for quantities (rest.md).
GRID = precision.Grid(TICK)


def _minute(t: dt.datetime) -> dt.datetime:
    return t.replace(second=0, microsecond=0)


class LazyBatch(StreamBatch):
    """A StreamBatch whose messages are built from the book's recorded events on first access.

    The hub drops a live batch without reading it when no stream client is connected, so an order
    submitted over REST with nobody listening never pays for its events' messages; when a client is
    connected they are built by the hub's task, after the REST response has gone out.
    """

    __slots__ = ("_built", "_events")

    def __init__(self, events: list[Event]) -> None:
        self._events = events
        self._built: list[ServerMessage] | None = None
        self.step = None
        self.event_ids = []

    @property
    def messages(self) -> list[ServerMessage]:
        if self._built is None:
            self._built = build_events(self._events)
            self._events = []
        return self._built

    @messages.setter
    def messages(self, value: list[ServerMessage]) -> None:
        self._built = value
        self._events = []


class MockVenue(Venue):
    """Seeded random-walk market with immediate market fills and price-path triggers.

    Simulated time starts at the current minute and advances one minute per `candle_interval`
    wall-clock seconds; every timestamp the mock emits is simulated time.

    Args:
        symbols: Instruments to quote and stream.
        seed: Seed of the random walk (same seed, same prices).
        candle_interval: Wall-clock seconds per 1m candle.
        history_bars: Bars of history per timeframe before the start.
        starting_balance: Account cash (decimal text).
        currency: Account currency.
        start: Simulated start time (default: now, floored to the minute).
    """

    platform = TradingPlatform.MOCK

    def __init__(
        self,
        symbols: Sequence[str] = ("AAPL", "MSFT", "SPY", "BTC/USD", "ETH/USD"),
        *,
        seed: int = 7,
        candle_interval: float = 1.0,
        history_bars: int = 1000,
        starting_balance: str = "100000",
        currency: str = "USD",
        start: dt.datetime | None = None,
    ) -> None:
        self.now = _minute(start or dt.datetime.now(dt.UTC))
        self.walks = {s: PriceWalk(s, seed, self.now, history_bars) for s in symbols}
        self.quotes = {s: self._quote(s, w.anchor) for s, w in self.walks.items()}
        self.book = Book(Decimal(starting_balance), currency)
        for s, w in self.walks.items():
            self.book.marks[s] = w.anchor
        self.candle_interval = candle_interval
        self._queue: asyncio.Queue[StreamBatch | None] = asyncio.Queue()
        self._ticker: asyncio.Task[None] | None = None

    # -- lifecycle / stream ---------------------------------------------------------------------
    async def connect(self) -> None:
        """Start the market clock."""
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(
                self._tick_forever(), name="tradewire-mock-ticker"
            )

    async def close(self) -> None:
        """Stop the market clock and end the stream."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        self._queue.put_nowait(None)

    async def stream(self) -> AsyncIterator[StreamBatch]:
        """Candles and quotes every tick, and the events of orders as they happen."""
        while True:
            batch = await self._queue.get()
            if batch is None:
                return
            yield batch

    async def _tick_forever(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at += self.candle_interval
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            self.tick()

    def tick(self) -> None:
        """Advance one simulated minute: a 1m candle and a quote per symbol, then triggered orders."""
        bar_start = self.now
        self.now = bar_start + dt.timedelta(minutes=1)
        now = self.now
        market: list[Event] = []
        trading: list[Event] = []
        for symbol, walk in self.walks.items():
            candle = walk.next_minute(bar_start)
            quote = self.quotes[symbol] = self._quote(symbol, candle.close, candle.volume)
            market.append(("candle", partial(self._candle_event, symbol, candle, now)))
            market.append(("quote", partial(QuoteEvent, quote=quote, timestamp=now)))
            trading += self.book.on_bar(symbol, candle, now)
        self._emit(market + trading)

    def _candle_event(self, symbol: str, candle: Candle, now: dt.datetime) -> CandleEvent:
        return CandleEvent(bar=self._bar(symbol, Timeframe.M1, candle), timestamp=now)

    def _emit(self, events: list[Event]) -> None:
        if events:
            self._queue.put_nowait(LazyBatch(events))

    def _quote(self, symbol: str, last: Decimal, volume: Decimal | None = None) -> Quote:
        half = spread_of(last)
        return Quote(
            symbol=symbol,
            provider=PROVIDER,
            bid=dec(last - half),
            bid_size="100",
            ask=dec(last + half),
            ask_size="100",
            last=dec(last),
            volume=None if volume is None else dec(volume),
            timestamp=self.now,
        )

    @staticmethod
    def _bar(symbol: str, timeframe: Timeframe, c: Candle) -> Bar:
        return Bar(
            symbol=symbol,
            provider=PROVIDER,
            timeframe=timeframe,
            timestamp=c.start,
            open=dec(c.open),
            high=dec(c.high),
            low=dec(c.low),
            close=dec(c.close),
            volume=dec(c.volume),
        )

    def _known(self, symbol: str) -> None:
        if symbol not in self.walks:
            raise SymbolNotFound(f"Symbol not found: {symbol}", {"symbol": symbol})

    # -- account / orders -----------------------------------------------------------------------
    async def get_account(self) -> Account:
        return self.book.account()

    async def submit_order(self, request: SubmitOrderRequest) -> OrderHandle:
        order_rules.check_submit(request)
        self._known(request.symbol)
        request = precision.normalize_submit(request, GRID)
        quote = self.quotes[request.symbol]
        handle, events = self.book.submit(request, Decimal(quote.bid), Decimal(quote.ask), self.now)
        self._emit(events)
        return handle

    async def get_order(self, order_id: str) -> Order:
        return self.book.get(order_id).order

    def _orders(self, request: ListOrdersRequest, working: bool) -> list[Order]:
        out = []
        source = self.book.working if working else self.book.orders
        for w in reversed(source.values()):  # insertion order = creation order; newest first
            o = w.order
            if (o.status not in TERMINAL) != working:
                continue
            if request.symbol is not None and o.symbol != request.symbol:
                continue
            if request.status and o.status not in request.status:
                continue
            if request.side is not None and o.side != request.side:
                continue
            if request.client_order_id is not None and o.client_order_id != request.client_order_id:
                continue
            if request.oco_group_id is not None and o.oco_group_id != request.oco_group_id:
                continue
            assert o.created_at is not None
            if request.since is not None and o.created_at < request.since:
                continue
            if request.until is not None and o.created_at >= request.until:
                continue
            out.append(o)
            if request.limit is not None and len(out) >= request.limit:
                break
        return out

    async def list_orders(self, request: ListOrdersRequest) -> list[Order]:
        return self._orders(request, working=True)

    async def list_order_history(self, request: ListOrdersRequest) -> list[Order]:
        return self._orders(request, working=False)

    async def modify_order(self, order_id: str, request: ModifyOrderRequest) -> ModifyOrderResult:
        order_rules.check_modify(request)
        known = self.book.get(order_id).order
        request = precision.normalize_modify(request, known.side, GRID, known.trailing_type)
        changes = {name: getattr(request, name) for name in _MODIFIABLE if getattr(request, name) is not None}
        order, events = self.book.modify(order_id, changes, self.now)
        self._emit(events)
        return ModifyOrderResult(order=order)

    async def cancel_order(self, order_id: str) -> CancelOrderResult:
        order, events = self.book.cancel(order_id, self.now)
        self._emit(events)
        return CancelOrderResult(success=True, order=order)

    async def cancel_all_orders(self, symbol: str | None = None) -> CancelAllResult:
        events: list[Event] = []
        count = 0
        for w in list(self.book.working.values()):
            if symbol is not None and w.order.symbol != symbol:
                continue
            events += self.book.cancel(w.order.id, self.now)[1]
            count += 1
        self._emit(events)
        return CancelAllResult(cancelled_count=count, failed_count=0)

    # -- positions ------------------------------------------------------------------------------
    async def list_positions(self, symbol: str | None = None) -> list[Position]:
        return [p for p in self.book.open_positions() if symbol is None or p.symbol == symbol]

    async def get_position(self, position_id: str) -> Position:
        return self.book.position(self.book.find_position(position_id))

    async def close_position(self, position_id: str, request: ClosePositionRequest) -> OrderHandle:
        order_rules.check_close(request)
        held = self.book.find_position(position_id)
        size = abs(held.quantity)
        quantity = min(Decimal(request.quantity), size) if request.quantity is not None else size
        order_type = request.order_type or OrderType.MARKET
        return await self.submit_order(
            SubmitOrderRequest(
                symbol=held.symbol,
                side=Side.SELL if held.quantity > 0 else Side.BUY,
                quantity=dec(quantity),
                order_type=order_type,
                limit_price=request.limit_price if order_type == OrderType.LIMIT else None,
                reduce_only=True,
            )
        )

    async def close_all_positions(self, symbol: str | None = None) -> list[OrderHandle]:
        return [
            await self.close_position(p.id, ClosePositionRequest())
            for p in self.book.open_positions()
            if symbol is None or p.symbol == symbol
        ]

    async def modify_position_exits(
        self, position_id: str, request: ModifyPositionExitsRequest
    ) -> ModifyPositionExitsResult:
        order_rules.check_exits(request)
        held = self.book.find_position(position_id)
        request = precision.normalize_exits(request, Side.BUY if held.quantity > 0 else Side.SELL, GRID)
        placed, events = self.book.move_exits(position_id, request.stop_loss, request.take_profit, self.now)
        self._emit(events)
        return ModifyPositionExitsResult(
            position_id=position_id, stop_loss=placed.get("stop_loss"), take_profit=placed.get("take_profit")
        )

    # -- fills and market data -----------------------------------------------------------------
    async def list_trades(self, request: ListTradesRequest) -> list[Trade]:
        out = []
        for t in reversed(self.book.trades):
            if request.symbol is not None and t.symbol != request.symbol:
                continue
            if request.order_id is not None and t.order_id != request.order_id:
                continue
            assert t.timestamp is not None
            if request.since is not None and t.timestamp < request.since:
                continue
            if request.until is not None and t.timestamp >= request.until:
                continue
            out.append(t)
            if request.limit is not None and len(out) >= request.limit:
                break
        return out

    async def get_quote(self, symbol: str) -> Quote:
        self._known(symbol)
        return self.quotes[symbol]

    async def get_bars(self, request: GetBarsRequest) -> list[Bar]:
        self._known(request.symbol)
        candles = self.walks[request.symbol].completed(request.timeframe, self.now)
        if request.start is not None:
            candles = [c for c in candles if c.start >= request.start]
        if request.end is not None:
            candles = [c for c in candles if c.start <= request.end]
        if request.limit is not None:
            candles = candles[-request.limit :] if request.limit else []
        return [self._bar(request.symbol, request.timeframe, c) for c in candles]

    async def capabilities(self) -> Capabilities:
        return Capabilities(
            supported_asset_classes=[AssetClass.STOCK, AssetClass.CRYPTO],
            supported_order_types=[
                OrderType.MARKET,
                OrderType.LIMIT,
                OrderType.STOP,
                OrderType.STOP_LIMIT,
                OrderType.TRAILING_STOP,
            ],
            position_mode=PositionMode.NETTING,
            features=["bracket_orders", "oco_orders", "trailing_stop", "idempotent_submit"],
        )
