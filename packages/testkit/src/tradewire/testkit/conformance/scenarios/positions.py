"""Positions: opened, added to, reduced, flipped, closed (one, partly, all), exits moved; unknown ids."""

from __future__ import annotations

from tradewire.protocol import errors as pe
from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.checks import D, expect_error, is_order, is_position, wire_name
from tradewire.testkit.conformance.market import Market, ramp
from tradewire.testkit.conformance.registry import scenario
from tradewire.testkit.conformance.session import Session
from tradewire.testkit.conformance.stream import kind


async def buy(s: Session, qty: str, side: str = "BUY", symbol: str | None = None) -> str:
    """Submit a market order and step until it fills; returns the order id."""
    h = await s.client.submit_order(symbol=symbol or s.symbol, side=side, quantity=qty, order_type="MARKET")
    await s.until(is_order("ORDER_FILLED", h.id), f"ORDER_FILLED for the market {side} {qty} ({h.id})")
    return str(h.id)


async def position_of(s: Session, symbol: str) -> object:
    """The open position of `symbol` from GET /v1/positions?symbol=."""
    found = await s.client.list_positions(symbol)
    assert len(found) == 1 and found[0].symbol == symbol, (
        f"GET /v1/positions?symbol={symbol} returned {found}"
    )
    return found[0]


@scenario("CF-POS-001", requires={cap.MARKET_ORDERS}, golden=True)
async def position_opened(s: Session) -> None:
    """A filled buy opens a LONG position (POSITION_OPENED) listed by GET /v1/positions and GET /v1/positions/{id}."""
    await s.require_flat()
    await s.step()
    await buy(s, "10")
    ev = await s.until(is_position("POSITION_OPENED", s.symbol), "POSITION_OPENED")
    p = ev.position
    assert wire_name(p.side) == "LONG" and D(p.quantity) == 10, s.describe(ev)
    listed = await position_of(s, s.symbol)
    assert listed.id == p.id and D(listed.quantity) == 10  # type: ignore[attr-defined]
    one = await s.client.get_position(p.id)
    assert one.symbol == s.symbol and D(one.quantity) == 10
    trades = await s.client.list_trades(symbol=s.symbol)
    assert D(p.average_entry_price) == D(trades[0].price), "average_entry_price is not the fill price"


@scenario("CF-POS-002", requires={cap.MARKET_ORDERS}, golden=True)
async def position_added_to(s: Session) -> None:
    """A second buy adds to the position: POSITION_MODIFIED with the summed quantity and the weighted entry price."""
    await s.require_flat()
    await s.step()
    await buy(s, "10")
    await buy(s, "5")
    ev = await s.until(is_position("POSITION_MODIFIED", s.symbol), "POSITION_MODIFIED after the add")
    trades = await s.client.list_trades(symbol=s.symbol)
    assert len(trades) == 2, f"expected the two fills, GET /v1/trades returned {len(trades)}"
    avg = sum((D(t.quantity) * D(t.price) for t in trades), D(0)) / 15
    assert D(ev.position.quantity) == 15, s.describe(ev)
    assert abs(D(ev.position.average_entry_price) - avg) < D("0.01"), (
        f"{s.describe(ev)}; weighted average {avg}"
    )


@scenario("CF-POS-003", requires={cap.MARKET_ORDERS}, golden=True)
async def position_reduced(s: Session) -> None:
    """Selling part of a long reduces it (POSITION_MODIFIED, still LONG) and realizes the profit of the rising scripted market."""
    await s.require_flat()
    await s.step()
    await buy(s, "10")
    await s.step()
    await buy(s, "4", "SELL")
    ev = await s.until(is_position("POSITION_MODIFIED", s.symbol), "POSITION_MODIFIED after the reduction")
    assert wire_name(ev.position.side) == "LONG" and D(ev.position.quantity) == 6, s.describe(ev)
    if s.has(cap.MARKET_CONTROL):  # the scripted market rises; elsewhere the sign is the market's
        assert D(ev.position.realized_pnl) > 0, f"no realized profit: {s.describe(ev)}"


@scenario("CF-POS-004", requires={cap.MARKET_ORDERS, cap.MARKET_CONTROL, cap.MARGIN}, golden=True)
async def position_flipped(s: Session) -> None:
    """Selling 25 against a 10 long flips the position to SHORT 15."""
    await s.step()
    await buy(s, "10")
    await buy(s, "25", "SELL")
    p = await position_of(s, "AAPL")
    assert wire_name(p.side) == "SHORT" and D(p.quantity) == 15, f"after the flip: {p}"  # type: ignore[attr-defined]
    last = [
        e
        for e in s.trace
        if is_position("POSITION_MODIFIED")(e)
        or is_position("POSITION_OPENED")(e)
        or is_position("POSITION_CLOSED")(e)
    ][-1]
    assert wire_name(last.position.side) == "SHORT" and D(last.position.quantity) == 15, s.describe(last)


@scenario("CF-POS-005", requires={cap.MARKET_ORDERS}, golden=True)
async def position_closed(s: Session) -> None:
    """DELETE /v1/positions/{id} closes it: POSITION_CLOSED with quantity 0, then GET answers 404 POSITION_NOT_FOUND."""
    await s.require_flat()
    await s.step()
    await buy(s, "10")
    p = await position_of(s, s.symbol)
    h = await s.client.close_position(p.id)  # type: ignore[attr-defined]
    assert h.id, "closing answered no order handle"
    ev = await s.until(is_position("POSITION_CLOSED", s.symbol), "POSITION_CLOSED")
    assert D(ev.position.quantity) == 0, s.describe(ev)
    assert not await s.client.list_positions(s.symbol), "position still listed after POSITION_CLOSED"
    await expect_error(s.client.get_position(p.id), pe.PositionNotFound, "POSITION_NOT_FOUND")  # type: ignore[attr-defined]


@scenario("CF-POS-006", requires={cap.MARKET_ORDERS}, golden=True)
async def position_partly_closed(s: Session) -> None:
    """Closing 4 of 10 leaves 6; a close quantity larger than the position closes all of it."""
    await s.require_flat()
    await s.step()
    await buy(s, "10")
    p = await position_of(s, s.symbol)
    h = await s.client.close_position(p.id, quantity="4")  # type: ignore[attr-defined]
    await s.until(is_order("ORDER_FILLED", h.id), "the partial close to fill")
    assert D((await position_of(s, s.symbol)).quantity) == 6  # type: ignore[attr-defined]
    h = await s.client.close_position(p.id, quantity="100")  # type: ignore[attr-defined]
    await s.until(is_position("POSITION_CLOSED", s.symbol), "POSITION_CLOSED after an oversized close")
    assert not await s.client.list_positions(s.symbol)


@scenario("CF-POS-007", requires={cap.MARKET_ORDERS, cap.MARKET_CONTROL}, golden=True)
async def close_all_positions(s: Session) -> None:
    """DELETE /v1/positions closes every open position (one handle each); with nothing open it answers []."""
    await s.step()
    await buy(s, "10", symbol="AAPL")
    await buy(s, "3", symbol="MSFT")
    handles = await s.client.close_all_positions()
    assert len(handles) == 2, f"close-all answered {handles}"
    await s.seen(is_position("POSITION_CLOSED", "AAPL"), "AAPL POSITION_CLOSED")
    await s.seen(is_position("POSITION_CLOSED", "MSFT"), "MSFT POSITION_CLOSED")
    assert not await s.client.list_positions(), "positions left open after close-all"
    assert await s.client.close_all_positions() == [], "close-all with nothing open must answer []"


EXITS = Market((ramp("AAPL", 12, "100.00", "0.10"),))


@scenario("CF-POS-008", requires={cap.BRACKETS, cap.MARKET_CONTROL}, market=EXITS, golden=True)
async def move_position_exits(s: Session) -> None:
    """PATCH /v1/positions/{id} moves the stop-loss leg (trigger_price and order); without a take-profit leg it is 409."""
    await s.step()
    h = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="10", order_type="MARKET", stop_loss="95.00"
    )
    await s.until(is_order("ORDER_FILLED", h.id), "the entry to fill")
    leg = await s.until(
        lambda e: is_order("ORDER_CREATED")(e) and e.order.parent_order_id == h.id, "the stop-loss leg"
    )
    p = await position_of(s, "AAPL")
    res = await s.client.modify_position_exits(p.id, stop_loss="96.50")  # type: ignore[attr-defined]
    assert res.stop_loss is not None and D(res.stop_loss.trigger_price) == D("96.50"), f"PATCH answered {res}"
    moved = await s.client.get_order(res.stop_loss.order_ids[0])
    assert D(moved.stop_price) == D("96.50"), f"stop leg now {moved}"
    assert leg.order.id in res.stop_loss.order_ids or wire_name(
        (await s.client.get_order(leg.order.id)).status
    ) in ("CANCELLED",), "the old leg was neither moved nor replaced"
    await expect_error(
        s.client.modify_position_exits(p.id, take_profit="110.00"),  # type: ignore[attr-defined]
        pe.OrderNotModifiable,
        "ORDER_NOT_MODIFIABLE",
    )


@scenario("CF-POS-009")
async def unknown_position_not_found(s: Session) -> None:
    """GET and DELETE of an unknown position id answer 404 POSITION_NOT_FOUND."""
    err = await expect_error(s.client.get_position("pos-NOPE"), pe.PositionNotFound, "POSITION_NOT_FOUND")
    assert err.details == {"resource": "position", "id": "pos-NOPE"}, f"404 details {err.details}"
    await expect_error(s.client.close_position("pos-NOPE"), pe.PositionNotFound, "POSITION_NOT_FOUND")


@scenario("CF-POS-010", requires={cap.WIRE, cap.MARKET_ORDERS})
async def close_body_variants(s: Session) -> None:
    """DELETE /v1/positions/{id} with no body, no Content-Type, an empty body or `{}` closes it all at market."""
    await s.require_flat()
    await s.step()
    http = s.http()
    for variant in (
        {},
        {"content": b"", "headers": {"Content-Type": "application/json"}},
        {"content": b"{}", "headers": {"Content-Type": "application/json"}},
        {"content": b"junk"},
    ):
        await buy(s, "2")
        p = await position_of(s, s.symbol)
        r = await http.request("DELETE", f"/v1/positions/{p.id}", **variant)  # type: ignore[attr-defined]
        assert r.status_code == 200, f"DELETE with {variant}: {r.status_code} {r.text[:200]}"
        await s.until(
            is_position("POSITION_CLOSED", s.symbol), f"POSITION_CLOSED after DELETE with {variant}"
        )


@scenario("CF-POS-011", requires={cap.WIRE, cap.MARKET_ORDERS})
async def empty_exit_move_rejected(s: Session) -> None:
    """PATCH /v1/positions/{id} with neither stop_loss nor take_profit is 400 VALIDATION_ERROR."""
    from tradewire.testkit.conformance.checks import error_body

    await s.require_flat()
    await s.step()
    await buy(s, "2")
    p = await position_of(s, s.symbol)
    r = await s.http().patch(f"/v1/positions/{p.id}", json={})  # type: ignore[attr-defined]
    error_body(r, 400, "VALIDATION_ERROR")


@scenario("CF-POS-012", requires={cap.MARKET_ORDERS, cap.MARKET_CONTROL, cap.PACING})
async def position_marked_to_market(s: Session) -> None:
    """An open position's current_price follows the market and unrealized_pnl = (price - entry) x quantity."""
    await s.step()
    await buy(s, "10", symbol="AAPL")
    for _ in range(3):
        batch = await s.step()
    close = D(next(e.bar.close for e in batch.events if kind(e) == "candle" and e.bar.symbol == "AAPL"))
    p = await position_of(s, "AAPL")
    assert D(p.current_price) == close, f"current_price {p.current_price}, last close {close}"  # type: ignore[attr-defined]
    want = (close - D(p.average_entry_price)) * 10  # type: ignore[attr-defined]
    assert D(p.unrealized_pnl) == want, f"unrealized_pnl {p.unrealized_pnl}, expected {want}"  # type: ignore[attr-defined]
