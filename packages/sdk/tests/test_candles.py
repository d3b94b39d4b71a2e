"""Pins the stream's Candle decoding: the Candles a strategy gets equal those made from protocol events."""

from __future__ import annotations

import asyncio
import io
import json
from decimal import Decimal
from typing import Any

import pytest

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk import Candle, Strategy, backtest
from tradewire.sdk._candles import WireCandle
from tradewire.sdk._frames import parse_frame
from tradewire.sdk.router import Router, candle_of

BAR = {
    "symbol": "AAPL",
    "provider": "backtest",
    "timeframe": "1m",
    "timestamp": "2024-03-01T14:30:00Z",
    "open": "180.10",
    "high": "180.44",
    "low": "180.02",
    "close": "180.31",
    "volume": "51200",
}
CANDLE = {"type": "candle", "bar": BAR, "timestamp": "2024-03-01T14:31:00.250Z", "event_id": "evt-1"}


def _batch(*events: Any) -> str:
    return json.dumps(
        {"type": "batch", "batch_id": "b-1", "timestamp": "2024-03-01T14:31:00Z", "events": events}
    )


def _values(c: Candle) -> tuple[Any, ...]:
    return (c.symbol, c.timeframe, c.ts, c.open, c.high, c.low, c.close, c.volume, codec.to_dict(c.exact))


def _both(frame: str) -> tuple[Any, Any]:
    proto, fast = parse_frame(frame), parse_frame(frame, candles=True)
    assert proto is not None and fast is not None
    return proto, fast


@pytest.mark.parametrize(
    ("variant", "direct"),
    [
        ({}, True),
        ({"open": "-0.5", "volume": "0"}, True),
        ({"timestamp": "2024-03-01T14:30:00.000001Z"}, True),
        ({"timestamp": "2024-03-01t14:30:00z"}, False),  # RFC 3339 lower case: through the codec
        ({"timestamp": "2024-03-01T15:30:00+01:00"}, False),  # an offset: through the codec
        ({"timestamp": "2024-03-01T14:30:00.123456789Z"}, False),  # nanoseconds: through the codec
    ],
)
def test_candles_equal_the_ones_made_from_protocol_events(variant: dict[str, Any], direct: bool) -> None:
    proto, fast = _both(_batch(dict(CANDLE, bar=dict(BAR, **variant))))
    (event,), (candle,) = proto.events, fast.events
    assert type(event) is m.CandleEvent and type(candle) is WireCandle
    assert (candle._exact is None) == direct  # decoded without the codec (Bar on demand), or through it
    assert _values(candle) == _values(candle_of(event))
    assert fast.event_ids == proto.event_ids == ["evt-1"] and fast.bars == proto.bars == 1


def test_invalid_candles_are_skipped_and_released_like_protocol_ones() -> None:
    bad = [
        dict(CANDLE, bar=dict(BAR, close="1e5"), event_id="evt-2"),
        dict(CANDLE, bar=dict(BAR, close="not-a-number"), event_id="evt-3"),
        dict(CANDLE, bar=dict(BAR, timeframe="7m"), event_id="evt-4"),
        dict(CANDLE, bar={k: v for k, v in BAR.items() if k != "provider"}, event_id="evt-5"),
        dict(CANDLE, event_id=7),
        dict(CANDLE, bar="AAPL", event_id="evt-6"),
        dict(
            CANDLE, bar=dict(BAR, timestamp="2024-13-45T14:30:00Z"), event_id="evt-7"
        ),  # canonical shape, no such day
        dict(CANDLE, timestamp="2024-03-01T25:00:00Z", event_id="evt-8"),
    ]
    proto, fast = _both(_batch(*bad, CANDLE))
    ids = ["evt-2", "evt-3", "evt-4", "evt-5", "evt-6", "evt-7", "evt-8", "evt-1"]
    assert fast.event_ids == proto.event_ids == ids
    assert len(fast.events) == len(proto.events) == 1 and fast.bars == proto.bars == 1


def test_a_decimal_sent_as_a_json_number_keeps_its_digits() -> None:
    frame = _batch(dict(CANDLE, bar=dict(BAR, close=180.310))).replace("180.31,", "180.310,")
    proto, fast = _both(frame)
    assert fast.events[0].exact.close == proto.events[0].bar.close == "180.310"
    assert fast.events[0].close == 180.31 and fast.bars == 1


def test_the_exact_bar_is_made_once_on_demand() -> None:
    (candle,) = _both(_batch(CANDLE))[1].events
    assert candle._exact is None
    assert candle.exact is candle.exact and candle.decimal("close") == Decimal("180.31")


class Recorder(Strategy):
    """Records every handler call with what it was given and `now`."""

    def on_start(self) -> None:
        self.seen: list[Any] = []

    def on_candle(self, bar: Candle) -> None:
        self.seen.append(("candle", _values(bar), self.now))

    def on_order(self, event: m.OrderEvent) -> None:
        self.seen.append(("order", codec.to_dict(event), self.now, self.position(event.order.symbol)))

    def on_trade(self, event: m.TradeEvent) -> None:
        self.seen.append(("trade", codec.to_dict(event), self.now))


class OnlyCandles(Recorder):
    """The one-plain-handler shape (`Router.simple_candle`), filtered to one symbol."""

    symbols = ("MSFT",)

    on_order = Strategy.on_order  # type: ignore[assignment]
    on_trade = Strategy.on_trade  # type: ignore[assignment]


class Buyer(Strategy):
    def on_candle(self, bar: Candle) -> None:
        if not self.position(bar.symbol) and bar.close > bar.open:
            self.buy(bar.symbol, 1)
        elif self.position(bar.symbol) and bar.close < bar.open:
            self.sell(bar.symbol, 1)


@pytest.fixture(scope="module")
def frames() -> list[str]:
    log = io.BytesIO()
    backtest(Buyer(), sample=True, symbols=["AAPL", "MSFT"], events_log=log)
    return [line.decode() for line in log.getvalue().splitlines()]


@pytest.mark.parametrize("cls", [Recorder, OnlyCandles])
def test_a_replayed_backtest_looks_the_same_to_a_strategy_either_way(
    cls: type[Recorder], frames: list[str]
) -> None:
    def replay(candles: bool) -> list[Any]:
        strategy = cls()
        strategy.on_start()
        router = Router(strategy)

        async def run() -> None:
            for raw in frames:
                delivery = parse_frame(raw, candles)
                assert delivery is not None
                await router.adeliver(delivery.events)

        asyncio.run(run())
        return strategy.seen

    proto = replay(False)
    assert sum(1 for s in proto if s[0] == "candle") > 100
    assert replay(True) == proto
