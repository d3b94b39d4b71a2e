"""LiveKernelVenue: the backtest's kernel on a wall clock, fed by a seeded random walk (live pacing)."""

# One fill model: orders match in the same Kernel a backtest uses, against the candles and quotes
# the walk produces each tick, exactly as a backtest matches them against a bar series with quotes.
# The clock is the wall clock (one simulated minute per `tick_interval` seconds), so the stream has
# no event ids and never waits for acks (spec events.md, live mode).

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import deque
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from typing import Any

from tradewire.engine.config import BacktestConfig
from tradewire.engine.core.events import K_CANDLE, K_QUOTE
from tradewire.engine.core.instrument import Instrument
from tradewire.engine.core.kernel import Kernel
from tradewire.engine.core.timestamps import ns_to_dt
from tradewire.engine.data.timeframes import TIMEFRAME_NS
from tradewire.engine.data.walk import TICK, Candle, PriceWalk, spread_of
from tradewire.engine.kernel_venue import KernelOperations
from tradewire.engine.messages import MessageBuilder
from tradewire.engine.operations import ProtocolOperations
from tradewire.protocol import messages as m
from tradewire.protocol.codec import dec
from tradewire.protocol.errors import SymbolNotFound
from tradewire.protocol.run_ids import new_run_id
from tradewire.protocol.venue import StreamBatch, Venue

__all__ = ["LiveKernelVenue", "LiveMarket"]

_MINUTE = dt.timedelta(minutes=1)
_MINUTE_NS = TIMEFRAME_NS["1m"]
#: The walk's prices are cents: every instrument's price scale.
PRICE_SCALE = 2
assert Decimal(1).scaleb(-PRICE_SCALE) == TICK
_QUOTE_SIZE = 100  # units on each side of every quote, as the mock always showed
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NON_LIVE_FEATURES = frozenset({"backtest", "market_control"})

Record = tuple[int, int, int, Any]


def _ns(t: dt.datetime) -> int:
    delta = t - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def _scaled(price: Decimal) -> int:
    return int(price.scaleb(PRICE_SCALE))


class _LastBar:
    """The one bar the kernel reads back per symbol (its `cols[s]` row 0): start and close."""

    __slots__ = ("d", "start")

    def __init__(self, start: int, close: int) -> None:
        self.start = [start]
        self.d = [close]


class LiveMarket:
    """The kernel of a live venue with its instruments and recent 1m bars (the operations' `Market`)."""

    def __init__(self, symbols: Sequence[str], config: BacktestConfig, run_id: str = "") -> None:
        self.config = config
        self.symbols = {s: i for i, s in enumerate(symbols)}
        instruments = [Instrument(i, s, PRICE_SCALE, "1m", _MINUTE_NS) for s, i in self.symbols.items()]
        self.kernel = Kernel(config, instruments, run_id)
        self.history: list[deque[tuple[int, int, int, int, int, int]]] = [
            deque(maxlen=config.history_bars) for _ in instruments
        ]

    def recent_bars(self, sym: int) -> list[tuple[int, int, int, int, int, int]]:
        return list(self.history[sym])


class _LazyBatch(StreamBatch):
    """A batch whose messages are built from kernel records on first access.

    The hub drops a live batch unread when no stream client is connected, so an order submitted with
    nobody listening never pays for its messages. Records hold snapshots, so late building still
    shows the state of the moment they were made.
    """

    __slots__ = ("_builder", "_built", "_records")

    def __init__(self, builder: MessageBuilder, records: list[Record]) -> None:
        self._builder = builder
        self._records = records
        self._built: list[m.ServerMessage] | None = None
        self.step = None
        self.event_ids = []

    @property
    def messages(self) -> list[m.ServerMessage]:
        if self._built is None:
            # live: no event ids (number 0 builds a message without one)
            self._built = [self._builder.message((r[0], 0, r[2], r[3])) for r in self._records]
            self._records = []
        return self._built

    @messages.setter
    def messages(self, value: list[m.ServerMessage]) -> None:
        self._built = value
        self._records = []


class LiveKernelVenue(KernelOperations, Venue):
    """A live venue whose orders fill in the engine's kernel against a seeded random walk.

    Simulated time starts at the current minute and advances one minute per `tick_interval`
    wall-clock seconds; each tick makes a 1m candle and a quote (around the close) per symbol,
    and working orders match against them as in a backtest. Every timestamp is simulated time.

    Args:
        symbols: Instruments to quote and stream.
        seed: Seed of the random walk (same seed, same prices).
        tick_interval: Wall-clock seconds per simulated minute.
        history_bars: Bars of walk history per timeframe before the start.
        config: Account and fill settings (BacktestConfig); `provider` is written into market data
            (default: the engine's defaults with provider "mock").
        start: Simulated start time (default: now, floored to the minute).
        run_id: The run, for order and trade ids (`ord-<run_id>-000001`) and the gateway's `run_id`
            (default: a fresh one, `tradewire.protocol.run_ids`: a restarted venue never repeats an id).
    """

    platform = m.TradingPlatform.MOCK

    def __init__(
        self,
        symbols: Sequence[str],
        *,
        seed: int = 7,
        tick_interval: float = 1.0,
        history_bars: int = 1000,
        config: BacktestConfig | None = None,
        start: dt.datetime | None = None,
        run_id: str | None = None,
    ) -> None:
        self.config = config or BacktestConfig(provider="mock")
        self.run_id = new_run_id() if run_id is None else run_id
        self.now = (start or dt.datetime.now(dt.UTC)).replace(second=0, microsecond=0)
        self.walks = {s: PriceWalk(s, seed, self.now, history_bars) for s in symbols}
        self.market = LiveMarket(list(self.walks), self.config, self.run_id)
        self.kernel = self.market.kernel
        self.operations = ProtocolOperations(self.market)
        self.tick_interval = tick_interval
        self._queue: asyncio.Queue[StreamBatch | None] = asyncio.Queue()
        self._ticker: asyncio.Task[None] | None = None
        k = self.kernel
        k.now = _ns(self.now)
        # the walk's anchor stands as the last close and the first quote until the first tick
        for s, walk in enumerate(self.walks.values()):
            price = _scaled(walk.anchor)
            k.cols[s] = _LastBar(_ns(self.now - _MINUTE), price)
            k.row[s] = 0
            self._set_quote(s, k.now, price)
        k.rec = []

    # -- lifecycle / stream ---------------------------------------------------------------------
    async def connect(self) -> None:
        """Start the market clock."""
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(
                self._tick_forever(), name="tradewire-live-clock"
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
            next_at += self.tick_interval
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            self.tick()

    def tick(self) -> None:
        """Advance one simulated minute: every symbol's candle and quote, then matching (as a backtest step)."""
        k = self.kernel
        bar_start = self.now
        self.now = bar_start + _MINUTE
        t = _ns(self.now)
        start = _ns(bar_start)
        qs = 10**k.qs
        k.now = t
        bars: list[tuple[int, int, int, int, int]] = []
        rec = k.rec
        assert rec is not None
        # market events first, then matching: the order of a backtest step with a bar and a quote
        for s, walk in enumerate(self.walks.values()):
            c: Candle = walk.next_minute(bar_start)
            o, h, lo, close = _scaled(c.open), _scaled(c.high), _scaled(c.low), _scaled(c.close)
            v = int(c.volume) * qs
            k.evt += 1
            k.cols[s] = _LastBar(start, close)
            k.row[s] = 0
            rec.append((K_CANDLE, k.evt, t, (s, start, o, h, lo, close, v)))
            self.market.history[s].append((start, o, h, lo, close, v))
            self._set_quote(s, t, close)
            bid, ask, bsz, asz = k.quote[s][1:]  # type: ignore[index]
            k.evt += 1
            rec.append((K_QUOTE, k.evt, t, (s, t, bid, ask, bsz, asz, close)))
            bars.append((start, o, h, lo, v))
        k.market_version += 1
        if k.n_working:
            for s, (b_start, o, h, lo, v) in enumerate(bars):
                if k.working[s]:
                    k._match_bar(s, b_start, o, h, lo, v)
                if k.working[s]:
                    k._match_quote(s)
        if k.watch:
            k.check_margin()
        self._emit()

    def _set_quote(self, s: int, t: int, close: int) -> None:
        k = self.kernel
        half = _scaled(spread_of(Decimal(close).scaleb(-PRICE_SCALE)))
        size = _QUOTE_SIZE * 10**k.qs
        k.quote[s] = (t, close - half, close + half, size, size)
        k.quote_mark[s] = True
        k.marks[s] = close
        k.has_price[s] = True
        k.market_version += 1

    def _emit(self) -> None:
        rec = self.kernel.rec
        if rec:
            self._queue.put_nowait(_LazyBatch(self.operations.messages, rec[:]))
            rec.clear()

    def _known(self, symbol: str) -> None:
        if symbol not in self.walks:
            raise SymbolNotFound(f"Symbol not found: {symbol}", {"symbol": symbol})

    def _after_command(self) -> None:
        self._emit()

    # -- market data and facts ------------------------------------------------------------------
    async def get_bars(self, request: m.GetBarsRequest) -> list[m.Bar]:
        """Completed bars of any timeframe: the walk's history before the start, then its live minutes."""
        self._known(request.symbol)
        candles = self.walks[request.symbol].completed(request.timeframe, self.now)
        if request.start is not None:
            candles = [c for c in candles if c.start >= request.start]
        if request.end is not None:
            candles = [c for c in candles if c.start <= request.end]
        if request.limit is not None:
            candles = candles[-request.limit :] if request.limit else []
        return [self._bar(request.symbol, request.timeframe, c) for c in candles]

    def _bar(self, symbol: str, timeframe: m.Timeframe, c: Candle) -> m.Bar:
        return m.Bar(
            symbol=symbol,
            provider=self.config.provider,
            timeframe=timeframe,
            timestamp=c.start,
            open=dec(c.open),
            high=dec(c.high),
            low=dec(c.low),
            close=dec(c.close),
            volume=dec(c.volume),
        )

    async def capabilities(self) -> m.Capabilities:
        """The kernel's capabilities, less what only a backtest does (scripted markets, ack pacing)."""
        caps = self.operations.capabilities()
        caps.features = [f for f in caps.features if f not in _NON_LIVE_FEATURES] + ["idempotent_submit"]
        return caps

    async def status(self) -> m.ConnectionStatus:
        """Always connected; `last_heartbeat` is the simulated instant."""
        return m.ConnectionStatus(connected=True, latency_ms=0, last_heartbeat=ns_to_dt(self.kernel.now))
