"""Precision (rest.md, "normalize, don't refuse"): fine values brought onto the grid, over-long ones refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from tradewire.protocol import errors as pe
from tradewire.protocol import reject_codes
from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.checks import D, error_body, expect_error, is_order, on_grid
from tradewire.testkit.conformance.registry import scenario
from tradewire.testkit.conformance.session import Session

#: What a client sizing by `notional / price` sends: far finer than any lot step.
FINE_QTY = "2.123456789123456789"
#: A price tail finer than any tick, added to a price on the grid.
TAIL = Decimal("0.000000001")


def grid_of(quote: Any) -> str:
    """The quote's side printed with the most decimals: one price ending in zero prints shorter than
    the grid (93.8 on a cent grid), so the finer of bid and ask stands for the venue's tick (`last`
    may be a mid, finer than the tick)."""
    sides: tuple[str, str] = (quote.bid, quote.ask)
    return min(sides, key=lambda p: D(p).as_tuple().exponent)


def tick_of(printed: str) -> Decimal:
    """One unit of the last decimal of a price the venue printed (its grid, as the suite's other scenarios assume)."""
    exp = D(printed).as_tuple().exponent
    return Decimal(1).scaleb(exp if isinstance(exp, int) else -2)


async def created(s: Session, order_id: str) -> Any:
    """The order as its ORDER_CREATED (or BRACKET_ORDER_CREATED) event reported it."""
    ev = await s.until(
        lambda e: is_order("ORDER_CREATED", order_id)(e) or is_order("BRACKET_ORDER_CREATED", order_id)(e),
        f"the creation event of {order_id}",
    )
    return ev.order


async def same_everywhere(s: Session, order_id: str, field: str) -> Decimal:
    """`field` of an order, asserted equal in its creation event and in GET /v1/orders/{id}."""
    event = await created(s, order_id)
    got = await s.client.get_order(order_id)
    assert getattr(event, field) == getattr(got, field), (
        f"{field}: ORDER_CREATED carries {getattr(event, field)}, GET answers {getattr(got, field)}"
    )
    return D(getattr(got, field))


@scenario("CF-PRC-001", requires={cap.LIMIT_ORDERS})
async def fine_quantity_is_floored(s: Session) -> None:
    """A quantity finer than the lot step is accepted, floored toward zero; the order carries the floored value."""
    await s.step()
    q = await s.client.get_quote(s.symbol)
    low = on_grid(D(q.bid) / 2, q.bid)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity=FINE_QTY, order_type="LIMIT", limit_price=low
    )
    qty = await same_everywhere(s, h.id, "quantity")
    asked = D(FINE_QTY)
    assert 0 < qty < asked and asked - qty < 1, f"quantity {qty} is not {FINE_QTY} floored to a lot step"
    assert qty == qty.quantize(Decimal("1E-12")), f"quantity {qty} kept the client's 18 decimals"
    o = await s.client.get_order(h.id)
    assert D(o.remaining_quantity) == qty, f"remaining_quantity {o.remaining_quantity}, quantity {qty}"
    await s.client.cancel_order(h.id)


@scenario("CF-PRC-002", requires={cap.LIMIT_ORDERS})
async def fine_limit_prices_move_away_from_the_market(s: Session) -> None:
    """A buy limit finer than the tick moves down to it and a sell limit up: never more aggressive than asked."""
    await s.step()
    q = await s.client.get_quote(s.symbol)
    grid = grid_of(q)
    tick = tick_of(grid)
    low = D(on_grid(D(q.bid) / 2, grid))
    high = D(on_grid(D(q.ask) * 2, grid))
    buy_at, sell_at = low + tick - TAIL, high + TAIL  # just below the tick above low; just above high
    b = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="1", order_type="LIMIT", limit_price=str(buy_at)
    )
    buy = await same_everywhere(s, b.id, "limit_price")
    assert buy == low, f"buy limit {buy_at} became {buy}, expected it moved down to {low}"
    a = await s.client.submit_order(
        symbol=s.symbol, side="SELL", quantity="1", order_type="LIMIT", limit_price=str(sell_at)
    )
    sell = await same_everywhere(s, a.id, "limit_price")
    assert sell == high + tick, f"sell limit {sell_at} became {sell}, expected it moved up to {high + tick}"
    for h in (a, b):
        await s.client.cancel_order(h.id)


@scenario("CF-PRC-003", requires={cap.STOP_ORDERS})
async def fine_stop_prices_move_away_from_the_market(s: Session) -> None:
    """A buy stop finer than the tick moves up to it and a sell stop down (a stop such as 183.1502999999 is normal input)."""
    await s.step()
    q = await s.client.get_quote(s.symbol)
    grid = grid_of(q)
    tick = tick_of(grid)
    above = D(on_grid(D(q.ask) * 2, grid))
    below = D(on_grid(D(q.bid) / 2, grid))
    b = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="1", order_type="STOP", stop_price=str(above + TAIL)
    )
    buy = await same_everywhere(s, b.id, "stop_price")
    assert buy == above + tick, f"buy stop {above + TAIL} became {buy}, expected {above + tick}"
    a = await s.client.submit_order(
        symbol=s.symbol, side="SELL", quantity="1", order_type="STOP", stop_price=str(below + tick - TAIL)
    )
    sell = await same_everywhere(s, a.id, "stop_price")
    assert sell == below, f"sell stop {below + tick - TAIL} became {sell}, expected {below}"
    for h in (a, b):
        await s.client.cancel_order(h.id)


@scenario("CF-PRC-004", requires={cap.LIMIT_ORDERS, cap.BRACKETS})
async def fine_exits_follow_their_exit_side(s: Session) -> None:
    """On a long entry a fine stop_loss moves down and a fine take_profit up (the stop / limit of the sell exit)."""
    await s.step()
    q = await s.client.get_quote(s.symbol)
    grid = grid_of(q)
    tick = tick_of(grid)
    low = D(on_grid(D(q.bid) / 2, grid))
    stop, target = D(on_grid(low / 2, grid)), D(on_grid(D(q.ask) * 2, grid))
    h = await s.client.submit_order(
        symbol=s.symbol,
        side="BUY",
        quantity="1",
        order_type="LIMIT",
        limit_price=str(low),
        stop_loss=str(stop + tick - TAIL),
        take_profit=str(target + TAIL),
    )
    assert await same_everywhere(s, h.id, "stop_loss") == stop, "stop_loss did not move down to the tick"
    o = await s.client.get_order(h.id)
    assert D(o.take_profit) == target + tick, f"take_profit {target + TAIL} became {o.take_profit}"
    await s.client.cancel_order(h.id)


@scenario("CF-PRC-005", requires={cap.MARKET_ORDERS})
async def fine_round_trip_leaves_no_position(s: Session) -> None:
    """A buy and a sell of the same fine quantity both fill the floored amount and leave no position behind."""
    await s.require_flat()
    await s.step()
    fills = []
    for side in ("BUY", "SELL"):
        h = await s.client.submit_order(symbol=s.symbol, side=side, quantity=FINE_QTY, order_type="MARKET")
        done = await s.until(is_order("ORDER_FILLED", h.id), f"the market {side} of {FINE_QTY} to fill")
        fills.append(D(done.order.filled_quantity))
    assert fills[0] == fills[1] and 0 < fills[0] < D(FINE_QTY), f"filled {fills}"
    left = await s.client.list_positions(s.symbol)
    assert not left, f"a phantom position is left after buying and selling {FINE_QTY}: {left}"


@scenario("CF-PRC-006", requires={cap.MARKET_ORDERS})
async def below_one_lot_is_invalid_quantity(s: Session) -> None:
    """A quantity that floors to nothing is 422 ORDER_REJECTED, reject_code INVALID_QUANTITY, with lot_step and min_quantity."""
    err = await expect_error(
        s.client.submit_order(symbol=s.symbol, side="BUY", quantity="0.000000000001", order_type="MARKET"),
        pe.OrderRejected,
        "ORDER_REJECTED",
    )
    details = err.details if isinstance(err.details, dict) else {}
    assert details.get(reject_codes.KEY) == reject_codes.INVALID_QUANTITY, f"details {err.details}"
    for key in ("lot_step", "min_quantity"):
        assert D(details.get(key, "0")) > 0, f"details.{key} missing or not a positive decimal: {err.details}"


@scenario("CF-PRC-007")
async def over_long_decimals_are_refused_naming_the_field(s: Session) -> None:
    """A decimal over 64 characters or 40 significant digits is 400 INVALID_REQUEST naming the field."""
    for field, value in (
        ("quantity", "1" * 1000),
        ("quantity", "1." + "1" * 45),
        ("limit_price", "100." + "0" * 70),
    ):
        kind = {"order_type": "LIMIT", "limit_price": "1.00"} if field == "limit_price" else {}
        fields: dict[str, Any] = {"symbol": s.symbol, "side": "BUY", "quantity": "1", **kind, field: value}
        err = await expect_error(
            s.client.submit_order(**fields), pe.InvalidRequest, "INVALID_REQUEST", f"{field} of {len(value)}"
        )
        assert isinstance(err.details, dict) and err.details.get("field") == field, (
            f"{field} of {len(value)} characters: details {err.details}"
        )


@scenario("CF-PRC-008", requires={cap.WIRE})
async def over_long_decimals_on_the_wire(s: Session) -> None:
    """On the wire a 1,000-digit quantity, as a string or a JSON number, answers 400 naming the field."""
    http = s.http()
    head = orjson.dumps({"symbol": s.symbol, "side": "BUY", "order_type": "MARKET"})[:-1]
    for q in (b'"' + b"7" * 1000 + b'"', b"7" * 1000):
        r = await http.post(
            "/v1/orders",
            content=head + b',"quantity":' + q + b"}",
            headers={"Content-Type": "application/json"},
        )
        body = error_body(r, 400, "INVALID_REQUEST")
        assert body.get("details", {}).get("field") == "quantity", f"details {body.get('details')}"
