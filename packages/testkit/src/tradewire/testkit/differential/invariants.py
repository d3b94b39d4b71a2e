"""What must hold in one recording: positions marked at their last close, equity = cash + holdings."""

# Both transports could share a defect (say, equity that moves only on fills); these checks catch what
# a comparison of the two cannot. They apply to symbols traded on bars: a quote-driven mark is skipped.

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from tradewire.testkit.differential.compare import Divergence
from tradewire.testkit.differential.snapshot import Snapshot

__all__ = ["unmarked"]


def _closes_by_time(snapshots: Sequence[Snapshot]) -> tuple[dict[str, dict[str, Decimal]], set[str]]:
    """{time: {symbol: close}} of the candles delivered at each time, and the symbols that had quotes."""
    closes: dict[str, dict[str, Decimal]] = {}
    quoted: set[str] = set()
    for s in snapshots:
        event = s.event
        if not isinstance(event, dict):
            continue
        if event.get("kind") == "candle":
            bar = event["bar"]
            closes.setdefault(s.time, {})[bar["symbol"]] = Decimal(bar["close"])
        elif event.get("kind") == "quote":
            quoted.add(event["quote"]["symbol"])
    return closes, quoted


def unmarked(snapshots: Sequence[Snapshot]) -> Divergence | None:
    """The first snapshot whose state is not marked to market, as a Divergence (left: seen, right: expected).

    At every snapshot each open position's `current_price` must be the close of the last candle of its
    symbol delivered so far (a handler sees the whole instant's state, so all candles of the instant
    count), and the account's equity must be its balance plus the signed value of every position.
    """
    closes, quoted = _closes_by_time(snapshots)
    last: dict[str, Decimal] = {}
    now = None
    for s in snapshots:
        if s.time != now:
            now = s.time
            last.update(closes.get(now, {}))
        holdings = Decimal(0)
        for symbol, position in s.state["positions"].items():
            price = Decimal(position["current_price"])
            holdings += Decimal(s.state["position"][symbol]) * price
            if symbol in quoted or symbol not in last:
                continue
            if price != last[symbol]:
                return Divergence(
                    s.where(),
                    f"positions.{symbol}.current_price",
                    position["current_price"],
                    str(last[symbol]),
                )
        account = s.state["account"]
        if account is not None:
            expected = Decimal(account["balance"]) + holdings
            if Decimal(account["equity"]) != expected:
                return Divergence(s.where(), "account.equity", account["equity"], str(expected))
    return None
