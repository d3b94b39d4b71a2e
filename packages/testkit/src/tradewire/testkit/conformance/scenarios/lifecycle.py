"""Order lifecycle: the fill event sequence, partial fills, expiry by time in force, and rejections with reasons."""

from __future__ import annotations

from decimal import Decimal

from tradewire.protocol import errors as pe
from tradewire.protocol import reject_codes
from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.checks import D, expect_error, is_order, is_type, never, on_grid, wire_name
from tradewire.testkit.conformance.market import DEFAULT, Market, bars, ramp
from tradewire.testkit.conformance.registry import scenario
from tradewire.testkit.conformance.session import Session
from tradewire.testkit.conformance.stream import kind

#: Event types that are market data, not the account's own events.
MARKET_DATA = frozenset({"quote", "candle"})


@scenario("CF-LIF-001", requires={cap.MARKET_ORDERS}, golden=True)
async def fill_sequence_order(s: Session) -> None:
    """One fill is reported as order (fill), trade, position, account — in that order, with nothing between."""
    await s.require_flat()
    await s.step()
    h = await s.client.submit_order(symbol=s.symbol, side="BUY", quantity="10", order_type="MARKET")
    await s.until(is_order("ORDER_FILLED", h.id), f"ORDER_FILLED for {h.id}")
    # A live venue may send the balance a moment later, and market data meanwhile: wait for it, and
    # judge the order of the account's own events (events.md), market data aside.
    await s.until(is_type("account"), "BALANCE_UPDATED after the fill")
    i = next(i for i, e in enumerate(s.trace) if is_order("ORDER_FILLED", h.id)(e))
    after = [e for e in s.trace[i:] if kind(e) not in MARKET_DATA][:4]
    seq = [kind(e) for e in after]
    assert seq == ["order", "trade", "position", "account"], f"after ORDER_FILLED came {seq}"
    trade, pos, acct = after[1:]
    assert trade.trade.order_id == h.id and D(trade.trade.quantity) == 10
    assert wire_name(pos.event) == "POSITION_OPENED" and pos.position.symbol == s.symbol
    assert wire_name(acct.event) == "BALANCE_UPDATED"


PARTIAL = DEFAULT.with_config(participation="0.1")


@scenario("CF-LIF-002", requires={cap.MARKET_ORDERS, cap.MARKET_CONTROL}, market=PARTIAL, golden=True)
async def partial_fills_add_up(s: Session) -> None:
    """With fills capped at 10% of bar volume, a 250-share buy fills 100, 100, 50: two PARTIALLY_FILLED, then FILLED."""
    await s.step()
    h = await s.client.submit_order(symbol="AAPL", side="BUY", quantity="250", order_type="MARKET")
    partials = await s.collect(is_order("ORDER_PARTIALLY_FILLED", h.id), "partial fills", count=2)
    assert [D(p.order.filled_quantity) for p in partials] == [100, 200], [s.describe(p) for p in partials]
    assert [D(p.order.remaining_quantity) for p in partials] == [150, 50]
    done = await s.until(is_order("ORDER_FILLED", h.id), "the final fill")
    trades = [e.trade for e in s.trace if is_type("trade")(e) and e.trade.order_id == h.id]
    assert [D(t.quantity) for t in trades] == [100, 100, 50], f"trades {[t.quantity for t in trades]}"
    avg = sum((D(t.quantity) * D(t.price) for t in trades), D(0)) / 250
    assert abs(D(done.order.average_fill_price) - avg) < Decimal("0.01"), (
        f"average_fill_price {done.order.average_fill_price} != volume-weighted {avg}"
    )


@scenario("CF-LIF-003", requires={cap.MARKET_ORDERS})
async def insufficient_funds_rejected(s: Session) -> None:
    """An order far beyond buying power answers 422 ORDER_REJECTED; its order is REJECTED with a reason."""
    await s.step()
    acct = await s.client.get_account()
    q = await s.client.get_quote(s.symbol)
    qty = str(int(D(acct.equity) * 100 / D(q.ask)) + 1)
    err = await expect_error(
        s.client.submit_order(symbol=s.symbol, side="BUY", quantity=qty, order_type="MARKET"),
        pe.OrderRejected,
        "ORDER_REJECTED",
    )
    assert isinstance(err.details, dict) and err.details.get(reject_codes.KEY) in reject_codes.FUNDS, (
        f"details {err.details}"
    )
    if s.paced:
        ev = await s.until(is_order("ORDER_REJECTED"), "the ORDER_REJECTED event")
        assert wire_name(ev.order.reject_reason) in (
            reject_codes.INSUFFICIENT_MARGIN,
            reject_codes.INSUFFICIENT_BALANCE,
        ), s.describe(ev)
        hist = [o for o in await s.client.list_order_history(status=["REJECTED"]) if o.id == ev.order.id]
        assert hist, "the rejected order is not in GET /v1/orders/history?status=REJECTED"


@scenario("CF-LIF-004", requires={cap.MARKET_ORDERS})
async def reduce_only_violation_rejected(s: Session) -> None:
    """A reduce_only sell with no position is refused: 422 ORDER_REJECTED, reason REDUCE_ONLY_VIOLATED."""
    await s.require_flat()
    await s.step()
    err = await expect_error(
        s.client.submit_order(
            symbol=s.symbol, side="SELL", quantity="5", order_type="MARKET", reduce_only=True
        ),
        pe.OrderRejected,
        "ORDER_REJECTED",
    )
    await check_rejection(s, err, reject_codes.REDUCE_ONLY_VIOLATED)


@scenario("CF-LIF-005", requires={cap.LIMIT_ORDERS, cap.POST_ONLY})
async def post_only_crossing_rejected(s: Session) -> None:
    """A post_only buy limit above the market would take liquidity: refused with POST_ONLY_VIOLATED, never filled."""
    await s.step()
    q = await s.client.get_quote(s.symbol)
    above = on_grid(D(q.ask) * D("1.5"), q.ask)
    err = await expect_error(
        s.client.submit_order(
            symbol=s.symbol, side="BUY", quantity="5", order_type="LIMIT", limit_price=above, post_only=True
        ),
        pe.OrderRejected,
        "ORDER_REJECTED",
    )
    await check_rejection(s, err, reject_codes.POST_ONLY_VIOLATED)


async def check_rejection(s: Session, err: pe.TradewireError, reason: str) -> None:
    """The 422 names the reason; on backtest targets the refused order is also reported as ORDER_REJECTED."""
    assert isinstance(err.details, dict) and err.details.get(reject_codes.KEY) == reason, (
        f"422 details {err.details}"
    )
    if s.paced:  # Tradewire's backtest records the refused order (event + history); live venues need not
        ev = await s.until(is_order("ORDER_REJECTED"), "the ORDER_REJECTED event")
        assert wire_name(ev.order.reject_reason) == reason, s.describe(ev)


@scenario("CF-LIF-006", requires={cap.LIMIT_ORDERS, cap.IOC}, golden=True)
async def ioc_unfilled_expires(s: Session) -> None:
    """An IOC buy limit below the market gets no fill and ends at once (EXPIRED or CANCELLED) with nothing filled."""
    await s.step()
    q = await s.client.get_quote(s.symbol)
    below = on_grid(D(q.bid) * D("0.9"), q.bid)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="5", order_type="LIMIT", limit_price=below, time_in_force="IOC"
    )
    ev = await s.until(
        lambda e: is_order("ORDER_EXPIRED", h.id)(e) or is_order("ORDER_CANCELLED", h.id)(e),
        "the IOC order to end",
    )
    # enums.md: IOC "cancel the rest", EXPIRED "time in force ran out": either ending is read as conformant
    assert wire_name(ev.event) in ("ORDER_EXPIRED", "ORDER_CANCELLED"), f"IOC ended with {s.describe(ev)}"
    assert D(ev.order.filled_quantity) == 0
    assert wire_name((await s.client.get_order(h.id)).status) == wire_name(ev.order.status)


@scenario(
    "CF-LIF-007", requires={cap.MARKET_ORDERS, cap.FOK, cap.MARKET_CONTROL}, market=PARTIAL, golden=True
)
async def fok_too_large_expires_unfilled(s: Session) -> None:
    """A FOK buy larger than the fillable volume ends (EXPIRED or CANCELLED) with no fill at all, never a partial."""
    await s.step()
    h = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="500", order_type="MARKET", time_in_force="FOK"
    )
    ev = await s.until(
        lambda e: (
            is_order("ORDER_EXPIRED", h.id)(e)
            or is_order("ORDER_CANCELLED", h.id)(e)
            or is_order("ORDER_FILLED", h.id)(e)
            or is_order("ORDER_PARTIALLY_FILLED", h.id)(e)
        ),
        "the FOK order to end",
    )
    assert wire_name(ev.event) in ("ORDER_EXPIRED", "ORDER_CANCELLED"), f"FOK ended with {s.describe(ev)}"
    never(s.trace, lambda e: is_type("trade")(e) and e.trade.order_id == h.id, "trade of the FOK order")


MIDNIGHT = Market((ramp("AAPL", 8, "100.00", "0.10", start="2024-03-01T23:56:00Z"),))


@scenario(
    "CF-LIF-008", requires={cap.LIMIT_ORDERS, cap.DAY, cap.MARKET_CONTROL}, market=MIDNIGHT, golden=True
)
async def day_order_expires_gtc_survives(s: Session) -> None:
    """Across the UTC day boundary a resting DAY limit ends ORDER_EXPIRED while an identical GTC limit stays OPEN."""
    await s.step()
    day = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="1", order_type="LIMIT", limit_price="90.00", time_in_force="DAY"
    )
    gtc = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="1", order_type="LIMIT", limit_price="90.00", time_in_force="GTC"
    )
    ev = await s.until(is_order("ORDER_EXPIRED", day.id), "the DAY order to expire after midnight")
    assert ev.timestamp.day == 2, f"DAY order expired before the day ended: {s.describe(ev)}"
    never(s.trace, is_order("ORDER_EXPIRED", gtc.id), "expiry of the GTC order")
    assert wire_name((await s.client.get_order(gtc.id)).status) == "OPEN"


@scenario("CF-LIF-009", requires={cap.LIMIT_ORDERS})
async def order_events_carry_full_order(s: Session) -> None:
    """Every order event carries `event`, the full order with side, type, quantities and timestamps."""
    await s.step()
    q = await s.client.get_quote(s.symbol)
    price = on_grid(D(q.bid) / 2, q.bid)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="2", order_type="LIMIT", limit_price=price
    )
    await s.client.cancel_order(h.id)
    created = await s.until(is_order("ORDER_CREATED", h.id), "ORDER_CREATED")
    cancelled = await s.until(is_order("ORDER_CANCELLED", h.id), "ORDER_CANCELLED")
    for ev in (created, cancelled):
        o = ev.order
        assert wire_name(o.side) == "BUY" and wire_name(o.order_type) == "LIMIT" and o.symbol == s.symbol, (
            s.describe(ev)
        )
        assert o.created_at is not None and o.updated_at is not None and ev.timestamp is not None, s.describe(
            ev
        )
        assert o.created_at <= o.updated_at, f"updated_at before created_at: {s.describe(ev)}"


GAP = Market(
    (
        bars(
            "AAPL",
            [
                ("100.00", "100.50", "99.50", "100.00", "1000"),
                ("100.00", "100.20", "99.80", "100.00", "1000"),
                ("95.00", "95.50", "94.50", "95.20", "1000"),
                ("95.20", "95.60", "95.00", "95.40", "1000"),
            ],
        ),
    )
)


@scenario(
    "CF-LIF-010", requires={cap.STOP_ORDERS, cap.MARKET_ORDERS, cap.MARKET_CONTROL}, market=GAP, golden=True
)
async def stop_gap_fills_at_open(s: Session) -> None:
    """A sell stop at 99.00 hit by a gap open at 95.00 fills at the open, not at the (unavailable) stop price."""
    await s.step()
    await s.client.submit_order(symbol="AAPL", side="BUY", quantity="10", order_type="MARKET")
    stop = await s.client.submit_order(
        symbol="AAPL", side="SELL", quantity="10", order_type="STOP", stop_price="99.00"
    )
    done = await s.until(is_order("ORDER_FILLED", stop.id), "the sell stop to fill")
    assert D(done.order.average_fill_price) == D("95.00"), f"a gap must fill at the open: {s.describe(done)}"
