"""Mock platform seam: the MockVenue through the Venue interface — seeded exact prices, bar history,
triggers on the price path, brackets, netting and the order of the events it streams."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import START, mock_venue

from tradewire.protocol import codec
from tradewire.protocol.errors import OrderRejected
from tradewire.protocol.messages import (
    ClosePositionRequest,
    GetBarsRequest,
    ListOrdersRequest,
    ListTradesRequest,
    OrderStatus,
    OrderType,
    Side,
    SubmitOrderRequest,
    Timeframe,
    TimeInForce,
    TrailingType,
)


def order(symbol="AAPL", side=Side.BUY, quantity="1", order_type=OrderType.MARKET, **kw):
    return SubmitOrderRequest(symbol=symbol, side=side, quantity=quantity, order_type=order_type, **kw)


def drain(venue):
    out = []
    while not venue._queue.empty():
        batch = venue._queue.get_nowait()
        out.extend(codec.to_dict(m) for m in batch.messages)
    return out


async def test_same_seed_same_prices_exact_decimals():
    a, b = mock_venue(seed=11), mock_venue(seed=11)
    for _ in range(50):
        a.tick(), b.tick()
    qa, qb = await a.get_quote("BTC/USD"), await b.get_quote("BTC/USD")
    assert qa == qb
    assert Decimal(qa.ask) - Decimal(qa.bid) > 0 and "." in qa.last and len(qa.last.split(".")[1]) == 2
    c = mock_venue(seed=12)
    c.tick()
    a2 = mock_venue(seed=11)
    a2.tick()
    assert (await c.get_quote("AAPL")).last != (await a2.get_quote("AAPL")).last


async def test_bars_history_and_live_aggregation():
    v = mock_venue()
    hist = await v.get_bars(GetBarsRequest(symbol="AAPL", timeframe=Timeframe.H1, limit=3))
    top = START.replace(minute=0)
    assert [b.timestamp for b in hist] == [top - dt.timedelta(hours=k) for k in (3, 2, 1)]
    for _ in range(61):
        v.tick()
    ones = await v.get_bars(GetBarsRequest(symbol="AAPL", timeframe=Timeframe.M1, limit=61))
    assert ones[-1].timestamp == START + dt.timedelta(minutes=60)
    assert [b.close for b in ones[:-1]] == [b.open for b in ones[1:]]  # the walk is continuous
    hour = await v.get_bars(GetBarsRequest(symbol="AAPL", timeframe=Timeframe.H1, limit=1))
    assert hour[0].timestamp == START.replace(minute=0)  # the hour holding the start, now complete
    last_minute = next(b for b in ones if b.timestamp == START.replace(minute=59))
    assert hour[0].close == last_minute.close  # the 14:00 bar closes with its 14:59 minute
    assert hour[0].open == ones[0].open  # and opens with the first live minute (14:30)
    assert all(b.timestamp < v.now for b in ones)


async def test_market_fill_event_order_and_netting_flip():
    v = mock_venue()
    await v.submit_order(order(quantity="2"))
    events = drain(v)
    assert [(e["type"], e["event"]) for e in events] == [
        ("order", "ORDER_CREATED"),
        ("order", "ORDER_FILLED"),
        ("trade", "TRADE_FILLED"),
        ("position", "POSITION_OPENED"),
        ("account", "BALANCE_UPDATED"),
    ]
    await v.submit_order(order(side=Side.SELL, quantity="5"))
    pos = (await v.list_positions())[0]
    assert pos.side.name == "SHORT" and pos.quantity == "3"
    await v.close_position(pos.id, ClosePositionRequest())
    assert await v.list_positions() == []
    account = await v.get_account()
    assert Decimal(account.balance) == Decimal(account.equity)
    trades = await v.list_trades(codec.decode_query(ListTradesRequest, {}))
    realized = sum(
        (Decimal(t.price) * Decimal(t.quantity) * (-1 if t.side == Side.BUY else 1) for t in trades),
        Decimal(0),
    )
    assert Decimal(account.balance) == Decimal("100000") + realized  # cash moves by exactly price × quantity


@pytest.mark.parametrize(
    "side, order_type, field",
    [(Side.BUY, OrderType.STOP, "stop_price"), (Side.SELL, OrderType.LIMIT, "limit_price")],
)
async def test_resting_orders_trigger_on_the_path(side, order_type, field):
    v = mock_venue()
    last = Decimal((await v.get_quote("MSFT")).last)
    price = str(last + Decimal("1.00"))
    handle = await v.submit_order(order("MSFT", side, "1", order_type, **{field: price}))
    assert handle.status == OrderStatus.OPEN
    for _ in range(5000):
        v.tick()
        if (await v.get_order(handle.id)).status == OrderStatus.FILLED:
            break
    filled = await v.get_order(handle.id)
    assert filled.status == OrderStatus.FILLED
    fill = Decimal(filled.average_fill_price)
    assert fill >= Decimal(price)  # a buy stop fills at or above its stop, a sell limit at or above its limit


async def test_trailing_stop_and_bracket_legs():
    v = mock_venue()
    entry = await v.submit_order(order(quantity="1", stop_loss="1.00", take_profit="100000.00"))
    legs = await v.list_orders(codec.decode_query(ListOrdersRequest, {}))
    assert {o.order_type for o in legs} == {OrderType.STOP, OrderType.LIMIT}
    assert all(o.parent_order_id == entry.id and o.reduce_only for o in legs)
    trail = await v.submit_order(
        order(
            side=Side.SELL,
            quantity="1",
            order_type=OrderType.TRAILING_STOP,
            trailing_distance="0.5",
            trailing_type=TrailingType.PERCENT,
            reduce_only=True,
        )
    )
    for _ in range(5000):
        v.tick()
        if (await v.get_order(trail.id)).status == OrderStatus.FILLED:
            break
    assert (await v.get_order(trail.id)).status == OrderStatus.FILLED
    assert await v.list_positions() == []
    statuses = [(await v.get_order(o.id)).status for o in legs]
    assert statuses == [OrderStatus.CANCELLED] * 2  # flat: legs cleaned up


async def test_reduce_only_that_increases_is_rejected():
    v = mock_venue()
    with pytest.raises(OrderRejected):
        await v.submit_order(order(reduce_only=True))


@pytest.mark.parametrize("tif", [TimeInForce.IOC, TimeInForce.FOK])
async def test_unfillable_ioc_and_fok_expire(tif):
    v = mock_venue()
    bid = Decimal((await v.get_quote("AAPL")).bid)
    handle = await v.submit_order(
        order(order_type=OrderType.LIMIT, limit_price=str(bid - 5), time_in_force=tif)
    )
    assert handle.status == OrderStatus.EXPIRED
    finished = await v.get_order(handle.id)
    assert finished.status == OrderStatus.EXPIRED and finished.filled_quantity == "0"
    assert [(e["type"], e["event"]) for e in drain(v)] == [
        ("order", "ORDER_CREATED"),
        ("order", "ORDER_EXPIRED"),
    ]
    assert await v.list_orders(codec.decode_query(ListOrdersRequest, {})) == []


async def test_reduce_only_larger_than_the_position_is_rejected_as_in_a_backtest():
    v = mock_venue()
    await v.submit_order(order(quantity="2"))
    drain(v)
    with pytest.raises(OrderRejected):
        await v.submit_order(
            order(side=Side.SELL, quantity="5", reduce_only=True, time_in_force=TimeInForce.IOC)
        )
    assert [(e["type"], e["event"]) for e in drain(v)] == [("order", "ORDER_REJECTED")]
    assert (await v.list_positions())[0].quantity == "2"


async def test_events_are_built_late_but_carry_the_state_of_their_moment():
    v = mock_venue()
    await v.submit_order(order(quantity="1"))
    await v.submit_order(order(quantity="2"))  # both batches still queued, neither built
    events = drain(v)
    positions = [e["position"]["quantity"] for e in events if e["type"] == "position"]
    balances = [Decimal(e["account"]["balance"]) for e in events if e["type"] == "account"]
    fills = [e["order"]["filled_quantity"] for e in events if e["event"] == "ORDER_FILLED"]
    assert positions == ["1", "3"] and fills == ["1", "2"]
    assert balances[0] > balances[1] == Decimal((await v.get_account()).balance)
