"""One symbol's market: last price, a scripted book of levels, market trades and klines."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tradewire.testkit.fakes.binance.config import SymbolSpec
from tradewire.testkit.fakes.binance.prices import PricePath
from tradewire.testkit.fakes.binance.wire import d8

INTERVAL_MS = {
    "1s": 1000, "1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000,
    "1h": 3_600_000, "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000, "8h": 28_800_000,
    "12h": 43_200_000, "1d": 86_400_000, "3d": 259_200_000, "1w": 604_800_000, "1M": 2_592_000_000,
}  # fmt: skip


@dataclass
class Level:
    price: Decimal
    qty: Decimal  # what is left of it until the next step


@dataclass
class MarketTrade:
    id: int
    time: int
    price: Decimal
    qty: Decimal
    buyer_maker: bool


@dataclass
class SymbolMarket:
    spec: SymbolSpec
    last: Decimal
    bids: list[Level] = field(default_factory=list)  # best first
    asks: list[Level] = field(default_factory=list)
    path: PricePath | None = None
    trades: list[MarketTrade] = field(default_factory=list)
    next_trade_id: int = 1
    book_update_id: int = 1

    @property
    def symbol(self) -> str:
        return self.spec.symbol

    def rebuild_book(self) -> None:
        """Fresh levels around the last price: `levels` a side, `level_gap` apart, `level_qty` each."""
        s = self.spec
        self.bids = [Level(self.last - s.level_gap * i, s.level_qty) for i in range(1, s.levels + 1)]
        self.asks = [Level(self.last + s.level_gap * i, s.level_qty) for i in range(1, s.levels + 1)]
        self.bids = [lv for lv in self.bids if lv.price > 0]
        self.book_update_id += 1

    def set_book(self, bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]]) -> None:
        self.bids = [Level(p, q) for p, q in sorted(bids, key=lambda b: -b[0])]
        self.asks = [Level(p, q) for p, q in sorted(asks, key=lambda a: a[0])]
        self.book_update_id += 1

    def print_trade(self, time: int, price: Decimal, qty: Decimal, buyer_maker: bool) -> MarketTrade:
        trade = MarketTrade(self.next_trade_id, time, price, qty, buyer_maker)
        self.next_trade_id += 1
        self.trades.append(trade)
        return trade

    def best_bid(self) -> Level:
        """The best level with quantity left (a zero level when the side is empty)."""
        return next((lv for lv in self.bids if lv.qty > 0), Level(Decimal(0), Decimal(0)))

    def best_ask(self) -> Level:
        return next((lv for lv in self.asks if lv.qty > 0), Level(Decimal(0), Decimal(0)))

    def klines(self, interval: str, start: int | None, end: int | None, limit: int) -> list[list[object]]:
        """Bars built from the printed trades, oldest first, as `GET /api/v3/klines` rows."""
        size = INTERVAL_MS[interval]
        bars: dict[int, list[MarketTrade]] = {}
        for t in self.trades:
            bars.setdefault(t.time - t.time % size, []).append(t)
        opens = sorted(o for o in bars if (start is None or o >= start) and (end is None or o <= end))
        if start is None:
            opens = opens[-limit:]
        return [kline_row(o, size, bars[o]) for o in opens[:limit]]


def kline_values(open_time: int, size: int, trades: list[MarketTrade]) -> dict[str, object]:
    prices = [t.price for t in trades]
    volume = sum((t.qty for t in trades), Decimal(0))
    quote = sum((t.qty * t.price for t in trades), Decimal(0))
    taker_base = sum((t.qty for t in trades if not t.buyer_maker), Decimal(0))
    taker_quote = sum((t.qty * t.price for t in trades if not t.buyer_maker), Decimal(0))
    return {
        "t": open_time, "T": open_time + size - 1, "o": prices[0], "h": max(prices), "l": min(prices),
        "c": prices[-1], "v": volume, "n": len(trades), "q": quote, "V": taker_base, "Q": taker_quote,
        "f": trades[0].id, "L": trades[-1].id,
    }  # fmt: skip


def kline_row(open_time: int, size: int, trades: list[MarketTrade]) -> list[object]:
    k = kline_values(open_time, size, trades)
    return [
        k["t"], d8(k["o"]), d8(k["h"]), d8(k["l"]), d8(k["c"]), d8(k["v"]),  # type: ignore[arg-type]
        k["T"], d8(k["q"]), k["n"], d8(k["V"]), d8(k["Q"]), "0",  # type: ignore[arg-type]
    ]  # fmt: skip
