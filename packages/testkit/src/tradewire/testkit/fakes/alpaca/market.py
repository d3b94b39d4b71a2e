"""Per-symbol market state: the quote and trades a price path made, and the bars built from them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from tradewire.testkit.fakes.alpaca.assets import Asset
from tradewire.testkit.fakes.alpaca.wire import ts0, ts9

_MINUTE = 60_000_000_000
_trade_ids = itertools.count(1)


@dataclass
class Trade:
    ns: int
    price: Decimal
    size: Decimal
    id: int


@dataclass
class Bar:
    start_ns: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal = Decimal(0)
    count: int = 0
    notional: Decimal = Decimal(0)

    def add(self, trade: Trade) -> None:
        self.high, self.low, self.close = max(self.high, trade.price), min(self.low, trade.price), trade.price
        self.volume += trade.size
        self.count += 1
        self.notional += trade.price * trade.size

    def json(self) -> dict[str, object]:
        vwap = (self.notional / self.volume).quantize(Decimal("0.000001")) if self.volume else self.close
        return {
            "t": ts0(self.start_ns),
            "o": self.open,
            "h": self.high,
            "l": self.low,
            "c": self.close,
            "v": self.volume,
            "n": self.count,
            "vw": vwap.normalize(),
        }


@dataclass
class SymbolMarket:
    asset: Asset
    spread: Decimal
    last: Decimal
    quote_ns: int
    trades: list[Trade] = field(default_factory=list)
    minute: Bar | None = None

    @property
    def bid(self) -> Decimal:
        return self.last - self.spread / 2

    @property
    def ask(self) -> Decimal:
        return self.last + self.spread / 2

    @property
    def quote_size(self) -> Decimal:
        return Decimal("0.5") if self.asset.crypto else Decimal(100)

    def tick(self, price: Decimal, ns: int) -> tuple[Trade, Bar | None]:
        """Trade at `price` now; returns the trade and the minute bar this trade closed, if any."""
        self.last, self.quote_ns = price, ns
        trade = Trade(ns, price, Decimal("0.01") if self.asset.crypto else Decimal(100), next(_trade_ids))
        self.trades.append(trade)
        closed = None
        start = ns - ns % _MINUTE
        if self.minute is not None and self.minute.start_ns != start:
            closed, self.minute = self.minute, None
        if self.minute is None:
            self.minute = Bar(start, price, price, price, price)
        self.minute.add(trade)
        return trade, closed

    def quote_json(self) -> dict[str, object]:
        if self.asset.crypto:
            return {
                "bp": self.bid,
                "bs": self.quote_size,
                "ap": self.ask,
                "as": self.quote_size,
                "t": ts9(self.quote_ns),
            }
        return {
            "t": ts9(self.quote_ns),
            "ax": "V",
            "ap": self.ask,
            "as": self.quote_size,
            "bx": "V",
            "bp": self.bid,
            "bs": self.quote_size,
            "c": ["R"],
            "z": "C",
        }

    def trade_json(self, trade: Trade) -> dict[str, object]:
        if self.asset.crypto:
            return {"p": trade.price, "s": trade.size, "t": ts9(trade.ns), "i": trade.id, "tks": "B"}
        return {
            "t": ts9(trade.ns),
            "x": "V",
            "p": trade.price,
            "s": trade.size,
            "c": ["@"],
            "i": trade.id,
            "z": "C",
        }

    def bars(self, timeframe: str, start_ns: int | None, end_ns: int | None) -> list[Bar]:
        """Bars of `timeframe` from the trades so far, each labelled with its start (left-labelled)."""
        buckets: dict[int, Bar] = {}
        for trade in self.trades:
            if (start_ns is not None and trade.ns < start_ns) or (end_ns is not None and trade.ns > end_ns):
                continue
            start = bucket_start(trade.ns, timeframe)
            bar = buckets.get(start)
            if bar is None:
                bar = buckets[start] = Bar(start, trade.price, trade.price, trade.price, trade.price)
            bar.add(trade)
        return [buckets[k] for k in sorted(buckets)]


def parse_timeframe(text: str) -> tuple[int, str]:
    """`5Min` -> (5, "Min"); raises ValueError outside Alpaca's ranges."""
    for unit, top in (("Min", 59), ("Hour", 23), ("Day", 1), ("Week", 1), ("Month", 12)):
        amount = text.removesuffix(unit)
        if amount != text and amount.isdigit() and 1 <= int(amount) <= top:
            return int(amount), unit
    raise ValueError(text)


def bucket_start(ns: int, timeframe: str) -> int:
    amount, unit = parse_timeframe(timeframe)
    if unit in ("Min", "Hour"):
        width = amount * _MINUTE * (60 if unit == "Hour" else 1)
        return ns - ns % width
    moment = datetime.fromtimestamp(ns // 1_000_000_000, UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "Week":
        day = day.fromordinal(day.toordinal() - day.weekday()).replace(tzinfo=UTC)
    elif unit == "Month":
        first = day.replace(day=1)
        day = first.replace(month=1 + (first.month - 1) // amount * amount)
    return int(day.timestamp()) * 1_000_000_000
