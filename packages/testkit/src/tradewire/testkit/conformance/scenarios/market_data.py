"""Market data: candles as scripted, bars history (never the future), quotes, quote-driven fills, odd symbols."""

from __future__ import annotations

import datetime as dt

from tradewire.protocol import errors as pe
from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.checks import D, expect_error, is_order, is_type, wire_name
from tradewire.testkit.conformance.market import DEFAULT, Market, quotes, ramp
from tradewire.testkit.conformance.registry import DEFAULT_TIMEOUT, scenario
from tradewire.testkit.conformance.session import Session
from tradewire.testkit.conformance.stream import kind


@scenario("CF-MKT-001", requires={cap.MARKET_CONTROL, cap.PACING}, golden=True)
async def candles_carry_scripted_bars(s: Session) -> None:
    """Every scripted bar arrives once as a candle with its start, OHLCV (prices keeping their scale) and timeframe, in order."""
    await s.run_to_end()
    assert s.market is not None
    for series in s.market.series:
        got = [e.bar for e in s.trace if kind(e) == "candle" and e.bar.symbol == series.symbol]
        assert len(got) == len(series.rows), (
            f"{series.symbol}: {len(got)} candles for {len(series.rows)} bars"
        )
        for bar, row, start in zip(got, series.rows, series.times(), strict=True):
            assert bar.timestamp == start, f"{series.symbol} bar starting {bar.timestamp}, expected {start}"
            have = tuple(D(x) for x in (bar.open, bar.high, bar.low, bar.close, bar.volume))
            assert have == tuple(D(x) for x in row), f"{series.symbol} {start}: got {have}, scripted {row}"
            text = (bar.open, bar.high, bar.low, bar.close)
            assert text == row[:4], f"{series.symbol} {start}: prices {text} lost the scale of {row[:4]}"
            assert wire_name(bar.timeframe) == "1m"


@scenario("CF-MKT-002", requires={cap.PACING})
async def bars_history_never_from_future(s: Session) -> None:
    """GET /v1/bars?limit= returns completed bars up to the current instant, oldest first — never future bars."""
    for _ in range(5):
        await s.step()
    await s.seen(lambda e: kind(e) == "candle" and e.bar.symbol == s.symbol, f"a {s.symbol} candle")
    candle = [e for e in s.trace if kind(e) == "candle" and e.bar.symbol == s.symbol][-1]  # the held instant
    tf = wire_name(candle.bar.timeframe)
    got = await s.client.get_bars(s.symbol, tf, limit=3)
    assert 1 <= len(got) <= 3, f"limit=3 answered {len(got)} bars"
    starts = [b.timestamp for b in got]
    assert starts == sorted(starts), "bars must be oldest first"
    assert starts[-1] <= candle.bar.timestamp, (
        f"GET /v1/bars returned a bar starting {starts[-1]} while the stream is at the bar of {candle.bar.timestamp}"
    )
    assert all(b.symbol == s.symbol and wire_name(b.timeframe) == tf for b in got)


@scenario("CF-MKT-003", requires={cap.MARKET_CONTROL, cap.PACING})
async def bars_window_inclusive(s: Session) -> None:
    """GET /v1/bars with start and end returns exactly the bars whose start lies in [start, end]."""
    for _ in range(8):
        await s.step()
    t0 = dt.datetime(2024, 3, 1, 14, 31, tzinfo=dt.UTC)
    t1 = dt.datetime(2024, 3, 1, 14, 33, tzinfo=dt.UTC)
    got = await s.client.get_bars("AAPL", "1m", start=t0, end=t1)
    assert [b.timestamp for b in got] == [t0, t0 + dt.timedelta(minutes=1), t1], f"window returned {got}"
    row = DEFAULT.bar_rows("AAPL").rows[1]
    assert D(got[0].open) == D(row[0]) and D(got[0].close) == D(row[3])


@scenario("CF-MKT-004")
async def quote_shape_and_unknown_symbol(s: Session) -> None:
    """GET /v1/quotes/{symbol} answers bid <= ask (both present); an unknown symbol is 404 SYMBOL_NOT_FOUND."""
    if s.paced:
        await s.step()
    q = await s.client.get_quote(s.symbol)
    assert q.symbol == s.symbol and D(q.bid) > 0 and D(q.ask) >= D(q.bid), f"quote {q}"
    err = await expect_error(s.client.get_quote("NOPE123"), pe.SymbolNotFound, "SYMBOL_NOT_FOUND")
    assert err.details == {"symbol": "NOPE123"}, f"details {err.details}"


QUOTES = Market(
    (
        quotes(
            "AAPL",
            [
                ("100.00", "100.02", "500", "500"),
                ("100.01", "100.03", "500", "500"),
                ("100.05", "100.07", "500", "500"),
                ("100.04", "100.06", "500", "500"),
            ],
        ),
    )
)


@scenario("CF-MKT-005", requires={cap.MARKET_CONTROL, cap.MARKET_ORDERS}, market=QUOTES, golden=True)
async def quotes_stream_and_fill_at_ask(s: Session) -> None:
    """Scripted quotes arrive as quote events with their exact bid/ask; a market buy fills at the ask of the held quote."""
    b = await s.step()
    (first,) = [e for e in b.events if is_type("quote")(e)]
    assert (D(first.quote.bid), D(first.quote.ask)) == (D("100.00"), D("100.02")), f"quote {first.quote}"
    q = await s.client.get_quote("AAPL")
    assert (D(q.bid), D(q.ask)) == (D("100.00"), D("100.02")), (
        f"GET /v1/quotes disagrees with the stream: {q}"
    )
    h = await s.client.submit_order(symbol="AAPL", side="BUY", quantity="10", order_type="MARKET")
    done = await s.until(is_order("ORDER_FILLED", h.id), "the market buy to fill")
    assert D(done.order.average_fill_price) == D("100.02"), f"the ask was 100.02: {s.describe(done)}"
    assert done.timestamp == first.timestamp, "a market order against a live quote must fill in the held step"


SLASH = Market((ramp("BTC/USD", 6, "60000.00", "10.00"),))


@scenario("CF-MKT-006", requires={cap.MARKET_CONTROL, cap.MARKET_ORDERS}, market=SLASH, golden=True)
async def symbol_with_slash(s: Session) -> None:
    """A symbol containing '/' works in paths (quote, bars) and is echoed unchanged in orders, trades and positions."""
    await s.step()
    await s.step()
    q = await s.client.get_quote("BTC/USD")
    assert q.symbol == "BTC/USD"
    assert all(b.symbol == "BTC/USD" for b in await s.client.get_bars("BTC/USD", "1m", limit=2))
    h = await s.client.submit_order(symbol="BTC/USD", side="BUY", quantity="0.5", order_type="MARKET")
    done = await s.until(is_order("ORDER_FILLED", h.id), "the BTC/USD buy to fill")
    assert done.order.symbol == "BTC/USD" and D(done.order.filled_quantity) == D("0.5")
    pos = await s.client.list_positions("BTC/USD")
    assert [p.symbol for p in pos] == ["BTC/USD"]
    assert (await s.client.get_position(pos[0].id)).symbol == "BTC/USD"


# A live venue closes its first minute candle up to a minute after the connection: a whole bar
# period on top of the usual allowance, or the scenario fails by when in the minute it started.
@scenario("CF-MKT-007", timeout=DEFAULT_TIMEOUT + 60)
async def live_candles_and_bars_agree(s: Session) -> None:
    """Candles stream for the symbol, and GET /v1/bars?limit=5 returns at most 5 bars, oldest first, none after them."""
    candle = await s.until(lambda e: kind(e) == "candle" and e.bar.symbol == s.symbol, f"a {s.symbol} candle")
    got = await s.client.get_bars(s.symbol, wire_name(candle.bar.timeframe), limit=5)
    assert 1 <= len(got) <= 5, f"limit=5 answered {len(got)} bars"
    starts = [b.timestamp for b in got]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), (
        f"bars not strictly oldest first: {starts}"
    )
    assert starts[-1] <= candle.timestamp, (
        f"a bar starts {starts[-1]}, after the stream's now {candle.timestamp}"
    )
