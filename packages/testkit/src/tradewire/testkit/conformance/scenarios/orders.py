"""Orders: every order type and time in force; submit, get, list with filters, modify, cancel, cancel-all."""

from __future__ import annotations

from typing import Any

from tradewire.protocol import errors as pe
from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.checks import (
    D,
    expect_error,
    is_order,
    is_type,
    never,
    on_grid,
    wire_name,
    wire_shape,
)
from tradewire.testkit.conformance.market import Market, bars, ramp
from tradewire.testkit.conformance.registry import scenario
from tradewire.testkit.conformance.session import Session

#: A quiet AAPL market: bar 2 dips to 99.20, bar 4 spikes to 101.50, bar 6 gaps up to 102.
STEPS = Market(
    (
        bars(
            "AAPL",
            [
                ("100.00", "100.50", "99.50", "100.00", "1000"),
                ("100.00", "100.20", "99.80", "100.00", "1000"),
                ("99.90", "100.00", "99.20", "99.60", "1000"),
                ("99.60", "100.40", "99.55", "100.30", "1000"),
                ("100.50", "101.50", "100.30", "101.20", "1000"),
                ("101.20", "101.40", "100.90", "101.00", "1000"),
                ("102.00", "102.30", "101.90", "102.10", "1000"),
                ("102.10", "102.20", "101.90", "102.00", "1000"),
            ],
        ),
    )
)


async def far_prices(s: Session) -> tuple[str, str]:
    """(buy limit far below, sell limit far above) the current quote: prices that never trade."""
    q = await s.client.get_quote(s.symbol)
    return on_grid(D(q.bid) / 2, q.bid), on_grid(D(q.ask) * 2, q.ask)


def bar_instant(s: Session, symbol: str, hhmm: str) -> Any:
    """The envelope time of the step that delivered `symbol`'s bar starting at `hhmm`."""
    for e in s.trace:
        if is_type("candle")(e) and e.bar.symbol == symbol and e.bar.timestamp.strftime("%H:%M") == hhmm:
            return e.timestamp
    raise AssertionError(f"no candle of {symbol} starting at {hhmm} in the trace")


def fills_of(s: Session, order_id: str) -> list[Any]:
    """Trades of one order in the trace."""
    return [e.trade for e in s.trace if is_type("trade")(e) and e.trade.order_id == order_id]


@scenario("CF-ORD-001", requires={cap.MARKET_ORDERS}, golden=True)
async def market_buy_fills_once(s: Session) -> None:
    """A market buy produces ORDER_CREATED, then exactly one fill for the full quantity and ORDER_FILLED."""
    await s.step()
    h = await s.client.submit_order(symbol=s.symbol, side="BUY", quantity="10", order_type="MARKET")
    assert h.id, "the OrderHandle has no id"
    assert wire_name(h.status) in ("PENDING", "OPEN", "FILLED"), f"handle status {wire_name(h.status)}"
    done = await s.until(is_order("ORDER_FILLED", h.id), f"ORDER_FILLED for market buy {h.id}")
    assert s.events("order", "ORDER_CREATED", h.id), "no ORDER_CREATED before the fill"
    assert [D(f.quantity) for f in fills_of(s, h.id)] == [10], f"fills: {fills_of(s, h.id)}"
    o = await s.client.get_order(h.id)
    assert wire_name(o.status) == "FILLED" and D(o.filled_quantity) == 10 and D(o.remaining_quantity) == 0
    assert o.average_fill_price == done.order.average_fill_price


@scenario("CF-ORD-002", requires={cap.LIMIT_ORDERS})
async def resting_limit_is_listed(s: Session) -> None:
    """A buy limit far below the market rests OPEN and is returned by GET /v1/orders and GET /v1/orders/{id}."""
    await s.step()
    low, _ = await far_prices(s)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="5", order_type="LIMIT", limit_price=low
    )
    await s.until(is_order("ORDER_CREATED", h.id), f"ORDER_CREATED for {h.id}")
    o = await s.client.get_order(h.id)
    assert wire_name(o.status) == "OPEN", f"status {wire_name(o.status)}"
    assert (wire_name(o.side), wire_name(o.order_type), D(o.quantity), D(o.limit_price)) == (
        "BUY",
        "LIMIT",
        D(5),
        D(low),
    )
    assert D(o.filled_quantity) == 0 and D(o.remaining_quantity) == 5
    assert wire_name(o.time_in_force) == "GTC", "time_in_force must default to GTC"
    assert h.id in [x.id for x in await s.client.list_orders()], "the working order is not in GET /v1/orders"
    await s.client.cancel_order(h.id)


@scenario("CF-ORD-003", requires={cap.LIMIT_ORDERS, cap.MARKET_CONTROL}, market=STEPS, golden=True)
async def limit_buy_fills_at_limit(s: Session) -> None:
    """A buy limit at 99.50 waits while lows stay above it, then fills at 99.50 on the bar that reaches it."""
    await s.step()
    h = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="10", order_type="LIMIT", limit_price="99.50"
    )
    done = await s.until(is_order("ORDER_FILLED", h.id), "the buy limit to fill")
    assert D(done.order.average_fill_price) == D("99.50"), f"wrong fill price: {s.describe(done)}"
    assert done.timestamp == bar_instant(s, "AAPL", "14:32"), f"filled on the wrong bar: {s.describe(done)}"


@scenario("CF-ORD-004", requires={cap.LIMIT_ORDERS, cap.MARKET_CONTROL, cap.PACING})
async def limit_below_market_never_fills(s: Session) -> None:
    """A buy limit below every bar's low never fills and is still OPEN when the run ends."""
    await s.step()
    h = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="10", order_type="LIMIT", limit_price="99.00"
    )
    await s.run_to_end()
    never(
        s.trace,
        lambda e: is_order("ORDER_FILLED", h.id)(e) or is_order("ORDER_PARTIALLY_FILLED", h.id)(e),
        "fill of the buy limit at 99.00 (every low is above 99.50)",
    )
    o = await s.client.get_order(h.id)
    assert wire_name(o.status) == "OPEN", f"status {wire_name(o.status)} after the run"


@scenario("CF-ORD-005", requires={cap.STOP_ORDERS, cap.MARKET_CONTROL}, market=STEPS, golden=True)
async def stop_buy_triggers_at_stop(s: Session) -> None:
    """A buy stop at 101.00 does nothing below it and fills at 101.00 on the bar whose high crosses it."""
    await s.step()
    h = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="10", order_type="STOP", stop_price="101.00"
    )
    done = await s.until(is_order("ORDER_FILLED", h.id), "the buy stop to trigger")
    assert D(done.order.average_fill_price) == D("101.00"), f"wrong fill price: {s.describe(done)}"
    assert done.timestamp == bar_instant(s, "AAPL", "14:34"), (
        f"triggered on the wrong bar: {s.describe(done)}"
    )


@scenario("CF-ORD-006", requires={cap.STOP_LIMIT_ORDERS, cap.MARKET_CONTROL}, market=STEPS, golden=True)
async def stop_limit_fills_within_limit(s: Session) -> None:
    """A buy stop-limit (stop 101.00, limit 101.20) triggers on the spike and fills at no more than 101.20."""
    await s.step()
    h = await s.client.submit_order(
        symbol="AAPL",
        side="BUY",
        quantity="10",
        order_type="STOP_LIMIT",
        stop_price="101.00",
        limit_price="101.20",
    )
    done = await s.until(is_order("ORDER_FILLED", h.id), "the stop-limit to fill")
    px = D(done.order.average_fill_price)
    assert D("101.00") <= px <= D("101.20"), f"stop-limit filled at {px}, outside [stop, limit]"


@scenario("CF-ORD-007", requires={cap.STOP_LIMIT_ORDERS, cap.MARKET_CONTROL, cap.PACING}, market=STEPS)
async def stop_limit_gap_through_limit_rests(s: Session) -> None:
    """A buy stop-limit (stop 101.80, limit 101.85) triggered by a gap open at 102.00 must not fill above its limit."""
    await s.step()
    h = await s.client.submit_order(
        symbol="AAPL",
        side="BUY",
        quantity="10",
        order_type="STOP_LIMIT",
        stop_price="101.80",
        limit_price="101.85",
    )
    await s.run_to_end()
    never(
        s.trace,
        is_order("ORDER_FILLED", h.id),
        "fill of a stop-limit whose limit was never reached after the trigger",
    )


TRAIL = Market(
    (
        bars(
            "AAPL",
            [
                ("100.00", "100.50", "99.50", "100.00", "1000"),
                ("100.20", "101.00", "100.00", "100.80", "1000"),
                ("101.00", "102.00", "100.80", "101.80", "1000"),
                ("101.80", "101.90", "100.50", "100.70", "1000"),
                ("100.70", "100.90", "100.20", "100.50", "1000"),
            ],
        ),
    )
)


@scenario("CF-ORD-008", requires={cap.TRAILING_STOP_ORDERS, cap.MARKET_CONTROL}, market=TRAIL, golden=True)
async def trailing_stop_follows_high(s: Session) -> None:
    """A sell trailing stop 1.00 below the high-water mark rides the rise to 102.00 and fills at 101.00."""
    await s.step()
    buy = await s.client.submit_order(symbol="AAPL", side="BUY", quantity="10", order_type="MARKET")
    trail = await s.client.submit_order(
        symbol="AAPL",
        side="SELL",
        quantity="10",
        order_type="TRAILING_STOP",
        trailing_distance="1.00",
        trailing_type="ABSOLUTE",
    )
    done = await s.until(is_order("ORDER_FILLED", trail.id), "the trailing stop to trigger")
    assert D(done.order.average_fill_price) == D("101.00"), f"wrong fill price: {s.describe(done)}"
    assert s.events("order", "ORDER_FILLED", buy.id), "the entry did not fill first"


@scenario("CF-ORD-009", requires={cap.LIMIT_ORDERS})
async def list_filters(s: Session) -> None:
    """GET /v1/orders filters by symbol, side, status, client_order_id and limit, newest first."""
    await s.step()
    low, _ = await far_prices(s)
    a = await s.client.submit_order(
        symbol=s.symbol,
        side="BUY",
        quantity="1",
        order_type="LIMIT",
        limit_price=low,
        client_order_id="cf-ord-009-a",
    )
    b = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="2", order_type="LIMIT", limit_price=low
    )
    ours = {a.id, b.id}
    mine = [o for o in await s.client.list_orders(symbol=s.symbol) if o.id in ours]
    assert {o.id for o in mine} == ours, f"symbol filter returned {[o.id for o in mine]}"
    assert all(o.symbol == s.symbol for o in await s.client.list_orders(symbol=s.symbol))
    assert not [o for o in await s.client.list_orders(symbol=s.symbol + "X") if o.id in ours]
    assert ours <= {o.id for o in await s.client.list_orders(status=["OPEN", "PENDING"])}
    assert not ours & {o.id for o in await s.client.list_orders(status=["PARTIALLY_FILLED"])}
    assert ours <= {o.id for o in await s.client.list_orders(side="BUY")}
    assert not ours & {o.id for o in await s.client.list_orders(side="SELL")}
    by_cid = await s.client.list_orders(client_order_id="cf-ord-009-a")
    assert [o.id for o in by_cid] == [a.id], f"client_order_id filter returned {[o.id for o in by_cid]}"
    assert len(await s.client.list_orders(limit=1)) == 1, "limit=1 must return one order"
    listed = await s.client.list_orders()
    times = [o.created_at for o in listed]
    assert times == sorted(times, reverse=True), "GET /v1/orders must be newest first"
    await s.client.cancel_all_orders(s.symbol)


@scenario("CF-ORD-010", requires={cap.LIMIT_ORDERS, cap.MARKET_ORDERS})
async def history_holds_finished_orders(s: Session) -> None:
    """GET /v1/orders/history holds filled and cancelled orders (status filter works); GET /v1/orders does not."""
    await s.step()
    low, _ = await far_prices(s)
    rest = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="1", order_type="LIMIT", limit_price=low
    )
    await s.client.cancel_order(rest.id)
    mkt = await s.client.submit_order(symbol=s.symbol, side="BUY", quantity="1", order_type="MARKET")
    await s.until(is_order("ORDER_FILLED", mkt.id), f"ORDER_FILLED for {mkt.id}")
    hist = {o.id: wire_name(o.status) for o in await s.client.list_order_history()}
    assert hist.get(rest.id) == "CANCELLED", f"history: cancelled order shows {hist.get(rest.id)}"
    assert hist.get(mkt.id) == "FILLED", f"history: filled order shows {hist.get(mkt.id)}"
    working = {o.id for o in await s.client.list_orders()}
    assert not working & {rest.id, mkt.id}, "finished orders listed as working"
    cancelled = {o.id for o in await s.client.list_order_history(status=["CANCELLED"])}
    assert rest.id in cancelled and mkt.id not in cancelled, "history status filter"


@scenario("CF-ORD-011", requires={cap.LIMIT_ORDERS})
async def modify_price_and_quantity(s: Session) -> None:
    """PATCH changes a working limit's price and total quantity, emits ORDER_MODIFIED, and GET shows the change."""
    await s.step()
    low, _ = await far_prices(s)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="5", order_type="LIMIT", limit_price=low
    )
    lower = on_grid(D(low) - D("0.50"), low)
    res = await s.client.modify_order(h.id, limit_price=lower, quantity="7")
    oid = res.order.id
    assert D(res.order.limit_price) == D(lower) and D(res.order.quantity) == 7, f"PATCH answered {res.order}"
    if res.previous_order_id is None:
        await s.until(is_order("ORDER_MODIFIED", h.id), f"ORDER_MODIFIED for {h.id}")
    o = await s.client.get_order(oid)
    assert D(o.limit_price) == D(lower) and D(o.quantity) == 7 and D(o.remaining_quantity) == 7
    empty = await s.client.modify_order(oid)
    assert D(empty.order.limit_price) == D(lower), "an empty PATCH must change nothing"
    await s.client.cancel_order(oid)


@scenario("CF-ORD-012", requires={cap.LIMIT_ORDERS})
async def cancel_is_idempotent(s: Session) -> None:
    """DELETE cancels a working order (ORDER_CANCELLED); a second DELETE answers success with the same order."""
    await s.step()
    low, _ = await far_prices(s)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="3", order_type="LIMIT", limit_price=low
    )
    first = await s.client.cancel_order(h.id)
    assert first.success and wire_name(first.order.status) in ("CANCELLED", "PENDING_CANCEL")
    await s.until(is_order("ORDER_CANCELLED", h.id), f"ORDER_CANCELLED for {h.id}")
    again = await s.client.cancel_order(h.id)
    assert again.success and wire_name(again.order.status) == "CANCELLED", (
        "second cancel must be a no-op success"
    )
    assert again.order.id == h.id


@scenario("CF-ORD-013", requires={cap.MARKET_ORDERS})
async def finished_order_not_modifiable(s: Session) -> None:
    """Cancelling or modifying a filled order answers 409 ORDER_NOT_MODIFIABLE."""
    await s.step()
    h = await s.client.submit_order(symbol=s.symbol, side="BUY", quantity="1", order_type="MARKET")
    await s.until(is_order("ORDER_FILLED", h.id), f"ORDER_FILLED for {h.id}")
    err = await expect_error(s.client.cancel_order(h.id), pe.OrderNotModifiable, "ORDER_NOT_MODIFIABLE")
    assert err.details == {"order_id": h.id}, f"409 details {err.details}"
    await expect_error(
        s.client.modify_order(h.id, quantity="2"), pe.OrderNotModifiable, "ORDER_NOT_MODIFIABLE"
    )


@scenario("CF-ORD-014", requires={cap.LIMIT_ORDERS, cap.MARKET_CONTROL})
async def cancel_all_by_symbol(s: Session) -> None:
    """DELETE /v1/orders?symbol= cancels only that symbol's working orders; without a symbol, all of them."""
    await s.step()
    a1 = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="1", order_type="LIMIT", limit_price="50.00"
    )
    a2 = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="1", order_type="LIMIT", limit_price="51.00"
    )
    m1 = await s.client.submit_order(
        symbol="MSFT", side="BUY", quantity="1", order_type="LIMIT", limit_price="90.00"
    )
    res = await s.client.cancel_all_orders("AAPL")
    assert (res.cancelled_count, res.failed_count) == (2, 0), f"cancel-all AAPL answered {res}"
    left = {o.id for o in await s.client.list_orders()}
    assert m1.id in left and not {a1.id, a2.id} & left, f"working after cancel-all AAPL: {left}"
    res = await s.client.cancel_all_orders()
    assert res.cancelled_count == 1 and not await s.client.list_orders(), "cancel-all left orders working"
    assert (await s.client.cancel_all_orders()).cancelled_count == 0


@scenario("CF-ORD-015", requires={cap.LIMIT_ORDERS})
async def idempotent_client_order_id(s: Session) -> None:
    """Submitting twice with the same client_order_id returns the first order's handle and creates one order."""
    await s.step()
    low, _ = await far_prices(s)
    first = await s.client.submit_order(
        symbol=s.symbol,
        side="BUY",
        quantity="1",
        order_type="LIMIT",
        limit_price=low,
        client_order_id="cf-ord-015",
    )
    again = await s.client.submit_order(
        symbol=s.symbol,
        side="BUY",
        quantity="1",
        order_type="LIMIT",
        limit_price=low,
        client_order_id="cf-ord-015",
    )
    assert again.id == first.id, f"second submit created {again.id}, first was {first.id}"
    assert again.client_order_id == "cf-ord-015"
    found = await s.client.list_orders(client_order_id="cf-ord-015")
    assert [o.id for o in found] == [first.id]
    await s.client.cancel_order(first.id)


BRACKET = Market((ramp("AAPL", 12, "100.00", "0.50"),))


@scenario("CF-ORD-016", requires={cap.BRACKETS, cap.MARKET_CONTROL}, market=BRACKET, golden=True)
async def bracket_take_profit_cancels_stop(s: Session) -> None:
    """An entry with stop_loss and take_profit creates both exit legs once filled; the take-profit fill cancels the stop leg."""
    await s.step()
    h = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="10", order_type="MARKET", stop_loss="98.00", take_profit="102.00"
    )
    created = await s.until(
        lambda e: is_order("BRACKET_ORDER_CREATED", h.id)(e) or is_order("ORDER_CREATED", h.id)(e),
        "the entry's creation event",
    )
    assert wire_name(created.event) == "BRACKET_ORDER_CREATED", (
        f"entry with exits reported as {s.describe(created)}"
    )
    await s.until(is_order("ORDER_FILLED", h.id), "the entry to fill")
    legs = await s.collect(
        lambda e: is_order("ORDER_CREATED")(e) and e.order.parent_order_id == h.id,
        "both exit legs (ORDER_CREATED with parent_order_id)",
        count=2,
    )
    kinds = sorted((wire_name(e.order.order_type), wire_name(e.order.side)) for e in legs)
    assert kinds == [("LIMIT", "SELL"), ("STOP", "SELL")], f"exit legs: {kinds}"
    assert all(e.parent_order_id == h.id for e in legs), "legs must carry top-level parent_order_id"
    tp = next(e.order.id for e in legs if wire_name(e.order.order_type) == "LIMIT")
    sl = next(e.order.id for e in legs if wire_name(e.order.order_type) == "STOP")
    await s.until(is_order("ORDER_FILLED", tp), "the take-profit leg to fill")
    await s.until(is_order("ORDER_CANCELLED", sl), "the stop-loss leg to be cancelled")


@scenario("CF-ORD-017", requires={cap.LIMIT_ORDERS, cap.OCO, cap.MARKET_CONTROL}, market=STEPS, golden=True)
async def oco_fill_cancels_sibling(s: Session) -> None:
    """Two orders of one oco_group_id: when the buy limit at 99.50 fills, the sibling is cancelled."""
    await s.step()
    a = await s.client.submit_order(
        symbol="AAPL",
        side="BUY",
        quantity="5",
        order_type="LIMIT",
        limit_price="99.50",
        oco_group_id="cf-oco",
    )
    b = await s.client.submit_order(
        symbol="AAPL", side="BUY", quantity="5", order_type="STOP", stop_price="101.00", oco_group_id="cf-oco"
    )
    await s.until(is_order("ORDER_FILLED", a.id), "the OCO limit to fill")
    await s.until(is_order("ORDER_CANCELLED", b.id), "the OCO sibling to be cancelled")
    never(s.trace, is_order("ORDER_FILLED", b.id), "fill of the cancelled OCO sibling")


@scenario("CF-ORD-018", requires={cap.LIMIT_ORDERS, cap.DAY})
async def every_time_in_force_is_echoed(s: Session) -> None:
    """GTC and DAY limits are accepted in upper or lower case and reported with the canonical spelling."""
    await s.step()
    low, _ = await far_prices(s)
    for given, want in (("GTC", "GTC"), ("day", "DAY"), ("DAY", "DAY"), ("gtc", "GTC")):
        h = await s.client.submit_order(
            symbol=s.symbol,
            side="BUY",
            quantity="1",
            order_type="LIMIT",
            limit_price=low,
            time_in_force=given,
        )
        o = await s.client.get_order(h.id)
        assert wire_name(o.time_in_force) == want, (
            f"time_in_force {given!r} came back as {wire_name(o.time_in_force)}"
        )
        await s.client.cancel_order(h.id)


@scenario("CF-ORD-019", requires={cap.WIRE, cap.MARKET_ORDERS})
async def wire_encoding_of_orders(s: Session) -> None:
    """On the wire: 201 + JSON handle; orders, trades, positions and account use decimal strings, `Z` times, no nulls."""
    await s.step()
    http = s.http()
    r = await http.post(
        "/v1/orders", json={"symbol": s.symbol, "side": "buy", "quantity": "3", "order_type": "market"}
    )
    assert r.status_code == 201, f"submit answered {r.status_code}: {r.text[:200]}"
    assert r.headers["content-type"].startswith("application/json")
    handle = r.json()
    wire_shape(handle, "OrderHandle")
    await s.until(is_order("ORDER_FILLED", handle["id"]), "the fill")
    # A live venue streams minute bars (events.md): without a candle seen yet, ask for 1m bars.
    candle = next((e for e in s.trace if is_type("candle")(e) and e.bar.symbol == s.symbol), None)
    if candle is None and not s.has(cap.LIVE):
        candle = await s.seen(
            lambda e: is_type("candle")(e) and e.bar.symbol == s.symbol, f"a {s.symbol} candle"
        )
    tf = "1m" if candle is None else wire_name(candle.bar.timeframe)
    for path in (
        f"/v1/orders/{handle['id']}",
        "/v1/orders/history",
        "/v1/trades",
        "/v1/positions",
        "/v1/account",
        f"/v1/quotes/{s.symbol}",
        f"/v1/bars/{s.symbol}?timeframe={tf}&limit=2",
        "/v1/capabilities",
        "/v1/status",
    ):
        r = await http.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json"), (
            f"GET {path}: {r.status_code} {r.headers.get('content-type')}"
        )
        wire_shape(r.json(), f"GET {path}")
    order = (await http.get(f"/v1/orders/{handle['id']}")).json()
    assert order["side"] == "BUY" and order["order_type"] == "MARKET" and order["status"] == "FILLED", (
        f"enums must be emitted in canonical spelling: {order}"
    )


@scenario("CF-ORD-020", requires={cap.STOP_ORDERS})
async def change_the_type_cannot_take(s: Session) -> None:
    """PATCH of a limit_price onto a working STOP order answers 409 ORDER_NOT_MODIFIABLE and changes nothing."""
    await s.step()
    _, high = await far_prices(s)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="1", order_type="STOP", stop_price=high
    )
    await expect_error(
        s.client.modify_order(h.id, limit_price="1.00"), pe.OrderNotModifiable, "ORDER_NOT_MODIFIABLE"
    )
    o = await s.client.get_order(h.id)
    assert o.limit_price is None and D(o.stop_price) == D(high), f"the refused PATCH changed the order: {o}"
    await s.client.cancel_order(h.id)


@scenario(
    "CF-ORD-021",
    requires={cap.MARKET_ORDERS, cap.MARKET_CONTROL},
    market=Market(STEPS.series, {"participation": "0.1"}),
)
async def modify_quantity_below_filled(s: Session) -> None:
    """A partly filled order cannot shrink below its filled quantity (400); its remaining quantity can be cancelled."""
    await s.step()
    h = await s.client.submit_order(symbol="AAPL", side="BUY", quantity="250", order_type="MARKET")
    await s.until(is_order("ORDER_PARTIALLY_FILLED", h.id), "the first partial fill")
    await expect_error(s.client.modify_order(h.id, quantity="50"), pe.TradewireError)
    o = await s.client.get_order(h.id)
    assert D(o.quantity) == 250 and wire_name(o.status) == "PARTIALLY_FILLED", f"after the refused PATCH: {o}"
    res = await s.client.cancel_order(h.id)
    assert res.success and wire_name(res.order.status) == "CANCELLED" and D(res.order.filled_quantity) == 100


@scenario("CF-ORD-022", requires={cap.TRAILING_STOP_ORDERS, cap.MARKET_CONTROL}, market=TRAIL, golden=True)
async def trailing_stop_percent(s: Session) -> None:
    """A sell trailing stop of 1 PERCENT trails the high-water mark and fills once price falls 1% below it."""
    await s.step()
    await s.client.submit_order(symbol="AAPL", side="BUY", quantity="10", order_type="MARKET")
    trail = await s.client.submit_order(
        symbol="AAPL",
        side="SELL",
        quantity="10",
        order_type="TRAILING_STOP",
        trailing_distance="1",
        trailing_type="percent",
    )
    o = await s.client.get_order(trail.id)
    assert wire_name(o.trailing_type) == "PERCENT" and D(o.trailing_distance) == 1, f"order {o}"
    done = await s.until(is_order("ORDER_FILLED", trail.id), "the percent trailing stop to trigger")
    assert D(done.order.average_fill_price) == D("100.98"), (
        f"1% below the 102.00 high is 100.98: {s.describe(done)}"
    )


@scenario("CF-ORD-023", requires={cap.WIRE, cap.LIMIT_ORDERS})
async def list_query_forms(s: Session) -> None:
    """`status` works comma-separated and repeated; `since` takes `+00:00` (percent-encoded) as well as `Z`."""
    await s.step()
    low, _ = await far_prices(s)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="1", order_type="LIMIT", limit_price=low
    )
    http = s.http()
    comma = (await http.get("/v1/orders", params={"status": "OPEN,PENDING"})).json()
    repeated = (await http.get("/v1/orders", params=[("status", "OPEN"), ("status", "PENDING")])).json()
    assert h.id in [o["id"] for o in comma], "status=OPEN,PENDING misses the open order"
    assert [o["id"] for o in comma] == [o["id"] for o in repeated], (
        "comma-separated and repeated status differ"
    )
    created = (await s.client.get_order(h.id)).created_at
    for since in (created.strftime("%Y-%m-%dT%H:%M:%SZ"), created.strftime("%Y-%m-%dT%H:%M:%S+00:00")):
        r = await http.get("/v1/orders", params={"since": since})
        assert r.status_code == 200 and h.id in [o["id"] for o in r.json()], f"since={since}: {r.text[:200]}"
    later = (created.replace(microsecond=0) + __import__("datetime").timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    r = await http.get("/v1/orders", params={"since": later})
    assert h.id not in [o["id"] for o in r.json()], "since filter let an older order through"
    await s.client.cancel_order(h.id)


@scenario("CF-ORD-024", requires={cap.BRACKETS, cap.LIMIT_ORDERS, cap.MARKET_CONTROL}, golden=True)
async def bracket_exits_modified(s: Session) -> None:
    """PATCHing the stop_loss of a working bracket entry emits BRACKET_ORDER_MODIFIED and GET shows the new level."""
    await s.step()
    h = await s.client.submit_order(
        symbol="AAPL",
        side="BUY",
        quantity="5",
        order_type="LIMIT",
        limit_price="90.00",
        stop_loss="85.00",
        take_profit="120.00",
    )
    res = await s.client.modify_order(h.id, stop_loss="86.00")
    assert D(res.order.stop_loss) == D("86.00"), f"PATCH answered {res.order}"
    ev = await s.until(
        lambda e: is_order("BRACKET_ORDER_MODIFIED", h.id)(e) or is_order("ORDER_MODIFIED", h.id)(e),
        "the modification event",
    )
    assert wire_name(ev.event) == "BRACKET_ORDER_MODIFIED", f"exit change reported as {s.describe(ev)}"
    assert D((await s.client.get_order(h.id)).stop_loss) == D("86.00")
    await s.client.cancel_order(h.id)


@scenario("CF-ORD-025", requires={cap.MARKET_ORDERS, cap.NOTIONAL})
async def market_orders_sized_by_notional(s: Session) -> None:
    """A market buy and sell sized by notional fill what that amount buys at the fill price, never more.

    rest.md "Sized by notional": the order echoes `notional`; once filled its `quantity` is what
    filled and nothing remains; the fills cost at most the notional (commission aside).
    """
    await s.step()
    q = await s.client.get_quote(s.symbol)
    # 10.5 units' worth at the ask, in cents: whatever the lot step, flooring loses under a tenth.
    notional = (D(q.ask) * D("10.5")).quantize(D("0.01"))
    h = await s.client.submit_order(symbol=s.symbol, side="BUY", notional=str(notional), order_type="MARKET")
    assert h.id, "the OrderHandle has no id"
    done = await s.until(is_order("ORDER_FILLED", h.id), f"ORDER_FILLED for the notional buy {h.id}")
    created = s.events("order", "ORDER_CREATED", h.id)
    assert created and D(created[0].order.notional) == notional, f"ORDER_CREATED: {created}"
    o = await s.client.get_order(h.id)
    assert o.notional is not None and D(o.notional) == notional, (
        f"GET /v1/orders/{{id}} notional {o.notional}"
    )
    assert D(o.filled_quantity) > 0 and D(o.quantity) == D(o.filled_quantity), s.describe(done)
    assert D(o.remaining_quantity) == 0, f"remaining_quantity {o.remaining_quantity}"
    fills = fills_of(s, h.id)
    spent = sum((D(f.quantity) * D(f.price) for f in fills), D(0))
    assert sum((D(f.quantity) for f in fills), D(0)) == D(o.filled_quantity), f"fills {fills}"
    assert notional * D("0.9") <= spent <= notional, f"spent {spent} of the notional {notional}"

    q = await s.client.get_quote(s.symbol)
    sell_notional = (D(q.bid) * D("4.5")).quantize(D("0.01"))
    sold = await s.client.submit_order(
        symbol=s.symbol, side="SELL", notional=str(sell_notional), order_type="MARKET"
    )
    await s.until(is_order("ORDER_FILLED", sold.id), f"ORDER_FILLED for the notional sell {sold.id}")
    out = await s.client.get_order(sold.id)
    got = sum((D(f.quantity) * D(f.price) for f in fills_of(s, sold.id)), D(0))
    assert D(out.notional) == sell_notional and 0 < got <= sell_notional, f"sold {got} of {sell_notional}"
    assert D(out.quantity) == D(out.filled_quantity) > 0 and D(out.remaining_quantity) == 0, out
