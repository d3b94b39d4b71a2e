"""Pins BacktestVenue as a protocol Venue: ack pacing of stream(), orders placed inside a held step,
backtest_complete, and every REST-shaped method (filters, errors, no bars from the future)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest

from tradewire.engine import BacktestVenue
from tradewire.protocol import codec, errors
from tradewire.protocol import messages as m
from tradewire.protocol.venue import PacedVenue, StreamBatch, Venue

ROWS = [
    ("100.00", "101.00", "99.00", "100.50"),
    ("100.80", "102.00", "100.20", "101.50"),
    ("101.00", "101.20", "98.00", "98.50"),
    ("97.00", "99.00", "96.50", "98.00"),
]


def kinds(batch: StreamBatch) -> list[str]:
    return [codec.to_dict(x)["type"] for x in batch.messages]


async def test_stream_holds_time_until_every_id_is_acked(bars):
    v = BacktestVenue([bars("AAPL", ROWS), bars("MSFT", ROWS)])
    assert isinstance(v, Venue)
    it = v.stream().__aiter__()
    b1 = await it.__anext__()
    assert b1.step == 1 and kinds(b1) == ["candle", "candle"] and b1.event_ids == ["evt-1", "evt-2"]
    nxt = asyncio.ensure_future(it.__anext__())
    await v.ack(["evt-2", "evt-999", "bogus"])
    await asyncio.sleep(0.01)
    assert not nxt.done()  # evt-1 still held
    await v.ack(["evt-2"])  # repeated: ignored
    await asyncio.sleep(0.01)
    assert not nxt.done()
    await v.ack(["evt-1"])
    b2 = await asyncio.wait_for(nxt, 1)
    assert b2.step == 2 and b2.event_ids == ["evt-3", "evt-4"]
    assert codec.to_dict(b2.messages[0])["timestamp"] == "2024-03-01T14:32:00Z"


async def test_orders_inside_a_held_step_join_it_as_a_further_batch(bars):
    v = BacktestVenue(bars("AAPL", ROWS), fill_at="close")
    it = v.stream().__aiter__()
    b1 = await it.__anext__()
    handle = await v.submit_order(
        m.SubmitOrderRequest(symbol="AAPL", side=m.Side.BUY, quantity="10", order_type=m.OrderType.MARKET)
    )
    assert handle.id == "ord-000001" and handle.status == m.OrderStatus.FILLED and handle.correlation_id
    b1b = await asyncio.wait_for(it.__anext__(), 1)
    assert b1b.step == 1 and kinds(b1b) == ["order", "order", "trade", "position", "account"]
    assert b1b.event_ids == ["evt-2", "evt-3", "evt-4", "evt-5", "evt-6"]
    nxt = asyncio.ensure_future(it.__anext__())
    await v.ack(b1.event_ids)
    await asyncio.sleep(0.01)
    assert not nxt.done()  # the order's events are part of the step too
    await v.ack(b1b.event_ids)
    b2 = await asyncio.wait_for(nxt, 1)
    assert b2.step == 2 and kinds(b2) == ["candle"]


async def test_early_acks_are_remembered_and_the_run_ends_with_backtest_complete(bars):
    v = BacktestVenue(bars("AAPL", ROWS))
    await v.ack([f"evt-{i}" for i in range(1, 6)])  # acked before they were sent
    batches = [b async for b in v.stream()]
    assert [b.step for b in batches] == [1, 2, 3, 4, 4]
    last = codec.to_dict(batches[-1].messages[0])
    assert last == {
        "type": "backtest_complete",
        "broker": "backtest",
        "timestamp": "2024-03-01T14:34:00Z",
        "event_id": "evt-5",
    }
    assert v.finished


async def test_the_paced_contract_hand_over_paces_like_the_stream(bars):
    v = BacktestVenue(bars("AAPL", ROWS), fill_at="close")
    assert isinstance(v, PacedVenue)
    woken: list[int] = []
    v.on_events = lambda: woken.append(1)
    b1 = v.next_batch()
    assert b1 is not None and b1.step == 1 and b1.event_ids == ["evt-1"]
    assert v.next_batch() is None and not v.finished and not woken  # held until evt-1 is acked
    await v.submit_order(
        m.SubmitOrderRequest(symbol="AAPL", side=m.Side.BUY, quantity="10", order_type=m.OrderType.MARKET)
    )
    assert woken == [1]  # the consumer is told, once, that the held step has more events
    b1b = v.next_batch()
    assert b1b is not None and b1b.step == 1 and kinds(b1b)[0] == "order"
    await v.ack(b1.event_ids)
    assert v.next_batch() is None  # the order's events hold the step too
    await v.ack(b1b.event_ids)
    rest = []
    while (b := v.next_batch()) is not None:
        rest.append((b.step, kinds(b)))
        await v.ack(b.event_ids)
    assert rest == [(2, ["candle"]), (3, ["candle"]), (4, ["candle"]), (4, ["backtest_complete"])]
    assert v.finished


async def drive(v: BacktestVenue, actions: dict[int, object]) -> None:
    async for b in v.stream():
        act = actions.get(b.step)
        if act is not None and kinds(b)[0] == "candle":
            await act(v)  # type: ignore[operator]
        await v.ack(b.event_ids)


async def test_rest_methods_against_a_running_backtest(bars):
    v = BacktestVenue(bars("AAPL", ROWS))
    seen: dict[str, object] = {}

    async def step2(v: BacktestVenue) -> None:
        bars_ = await v.get_bars(m.GetBarsRequest(symbol="AAPL", timeframe=m.Timeframe(1), limit=10))
        seen["bars"] = [b.close for b in bars_]
        seen["quote"] = await v.get_quote("AAPL")
        await v.submit_order(
            m.SubmitOrderRequest(
                symbol="AAPL",
                side=m.Side.BUY,
                quantity="5",
                order_type=m.OrderType.MARKET,
                client_order_id="a",
            )
        )
        await v.submit_order(
            m.SubmitOrderRequest(
                symbol="AAPL",
                side=m.Side.SELL,
                quantity="1",
                order_type=m.OrderType.LIMIT,
                limit_price="150.00",
                client_order_id="b",
            )
        )
        seen["open"] = [o.id for o in await v.list_orders(m.ListOrdersRequest(side=m.Side.SELL))]
        seen["open_cid"] = [o.id for o in await v.list_orders(m.ListOrdersRequest(client_order_id="a"))]

    async def step3(v: BacktestVenue) -> None:
        seen["pos"] = await v.get_position("pos-AAPL")
        seen["cancel_all"] = await v.cancel_all_orders("AAPL")
        seen["close"] = await v.close_position("pos-AAPL", m.ClosePositionRequest(quantity="2"))
        with pytest.raises(errors.OrderNotModifiable):
            await v.modify_position_exits("pos-AAPL", m.ModifyPositionExitsRequest(stop_loss="90.00"))

    await drive(v, {2: step2, 3: step3})
    assert seen["bars"] == ["100.50", "101.50"]  # completed bars only, oldest first
    q = seen["quote"]
    assert (q.bid, q.ask, q.last) == ("101.50", "101.50", "101.50")  # type: ignore[attr-defined]
    assert seen["open"] == ["ord-000002"] and seen["open_cid"] == ["ord-000001"]
    assert seen["pos"].quantity == "5" and seen["pos"].average_entry_price == "101.00"  # type: ignore[attr-defined]
    assert seen["cancel_all"].cancelled_count == 1  # type: ignore[attr-defined]
    hist = await v.list_order_history(m.ListOrdersRequest())
    assert [o.id for o in hist] == ["ord-000003", "ord-000002", "ord-000001"]  # newest first
    assert [o.id for o in await v.list_order_history(m.ListOrdersRequest(limit=1))] == ["ord-000003"]
    trades = await v.list_trades(m.ListTradesRequest())
    assert [(t.side, t.quantity, t.price) for t in trades] == [
        (m.Side.SELL, "2", "97.00"),
        (m.Side.BUY, "5", "101.00"),
    ]
    assert [t.id for t in await v.list_trades(m.ListTradesRequest(order_id="ord-000001"))] == ["trd-000001"]
    positions = await v.list_positions()
    assert [(p.id, p.quantity) for p in positions] == [("pos-AAPL", "3")]
    acct = await v.get_account()
    assert acct.currency == "USD" and acct.balance == "99689.00"
    caps = await v.capabilities()
    assert (
        m.OrderType.TRAILING_STOP in caps.supported_order_types
        and caps.position_mode == m.PositionMode.NETTING
    )
    closed = await v.close_all_positions()
    assert len(closed) == 1


async def test_errors_are_typed(bars):
    v = BacktestVenue(bars("AAPL", ROWS))
    with pytest.raises(errors.OrderNotFound) as e:
        await v.get_order("ord-9")
    assert e.value.details == {"resource": "order", "id": "ord-9"}
    with pytest.raises(errors.PositionNotFound):
        await v.get_position("pos-AAPL")
    with pytest.raises(errors.SymbolNotFound):
        await v.get_quote("NOPE")
    with pytest.raises(errors.InvalidRequest):
        await v.get_bars(m.GetBarsRequest(symbol="AAPL", timeframe=m.Timeframe(11)))
    with pytest.raises(errors.PositionNotFound):
        await v.modify_position_exits("pos-AAPL", m.ModifyPositionExitsRequest(stop_loss="1.00"))
    since = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert await v.list_orders(m.ListOrdersRequest(since=since)) == []


async def test_get_bars_never_returns_the_future(bars):
    v = BacktestVenue(bars("AAPL", ROWS))
    out = {}

    async def look(v: BacktestVenue) -> None:
        out["b"] = await v.get_bars(
            m.GetBarsRequest(
                symbol="AAPL", timeframe=m.Timeframe(1), end=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
            )
        )

    await drive(v, {1: look})
    assert [b.timestamp for b in out["b"]] == [dt.datetime(2024, 3, 1, 14, 30, tzinfo=dt.UTC)]


def test_in_process_bars_are_completed_bars_only(bars):
    from tradewire.engine import Backtest, synthetic_bars

    seen = []

    def on_bar(bar):
        if bar.start_ns == first + 70_000 * 60 * 10**9:  # in the second data chunk
            seen.append([b.timestamp for b in bt.bars("X", 3)])
            seen.append(bar.time)

    data = synthetic_bars("X", 80_000, chunk_rows=65_536)
    first = int(next(data.chunks(0))["start"][0])
    bt = Backtest(data)
    bt.run(on_bar)
    stamps, now_bar = seen
    assert stamps[-1] == now_bar and len(stamps) == 3
    assert [(b - a).total_seconds() for a, b in itertools.pairwise(stamps)] == [60.0, 60.0]


async def test_order_before_the_first_step_waits_for_the_first_bar(bars):
    v = BacktestVenue(bars("AAPL", ROWS))
    await v.submit_order(
        m.SubmitOrderRequest(symbol="AAPL", side=m.Side.BUY, quantity="1", order_type=m.OrderType.MARKET)
    )
    it = v.stream().__aiter__()
    b0 = await it.__anext__()
    created = codec.to_dict(b0.messages[0])
    assert (b0.step, created["event"], created["timestamp"]) == (0, "ORDER_CREATED", "2024-03-01T14:30:00Z")
    await v.ack(b0.event_ids)
    b1 = await it.__anext__()
    assert kinds(b1) == ["candle", "order", "trade", "position", "account"]
    assert codec.to_dict(b1.messages[2])["trade"]["price"] == "100.00"  # the first bar's open


async def test_a_run_id_goes_into_every_order_and_trade_id_and_none_keeps_the_short_ids(bars):
    market = m.SubmitOrderRequest(symbol="AAPL", side=m.Side.BUY, quantity="1", order_type=m.OrderType.MARKET)
    ids = []
    for run_id in ("06p6k8s3m1a7q", ""):
        v = BacktestVenue(bars("AAPL", ROWS), fill_at="close", run_id=run_id)
        it = v.stream().__aiter__()
        await it.__anext__()
        handle = await v.submit_order(market)
        trades = await v.list_trades(m.ListTradesRequest())
        ids.append((v.run_id, handle.id, [(t.id, t.order_id) for t in trades]))
    assert ids == [
        (
            "06p6k8s3m1a7q",
            "ord-06p6k8s3m1a7q-000001",
            [("trd-06p6k8s3m1a7q-000001", "ord-06p6k8s3m1a7q-000001")],
        ),
        ("", "ord-000001", [("trd-000001", "ord-000001")]),
    ]
