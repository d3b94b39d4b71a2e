"""One fill model: the mock and the backtest fill the same orders the same way given the same quote."""

from __future__ import annotations

import pytest
from conftest import mock_venue

from tradewire.engine import BacktestVenue, from_arrays
from tradewire.protocol import codec
from tradewire.protocol.messages import (
    ListTradesRequest,
    OrderType,
    Side,
    SubmitOrderRequest,
    TimeInForce,
)

ORDERS = [
    SubmitOrderRequest(symbol="AAPL", side=Side.BUY, quantity="3", order_type=OrderType.MARKET),
    SubmitOrderRequest(symbol="AAPL", side=Side.SELL, quantity="1.5", order_type=OrderType.MARKET),
    # marketable limit: fills at the touch; the far one rests; the IOC one below the bid expires
    SubmitOrderRequest(
        symbol="AAPL", side=Side.BUY, quantity="2", order_type=OrderType.LIMIT, limit_price="999"
    ),
    SubmitOrderRequest(
        symbol="AAPL", side=Side.BUY, quantity="1", order_type=OrderType.LIMIT, limit_price="1.00"
    ),
    SubmitOrderRequest(
        symbol="AAPL",
        side=Side.SELL,
        quantity="1",
        order_type=OrderType.LIMIT,
        limit_price="100000",
        time_in_force=TimeInForce.IOC,
    ),
    SubmitOrderRequest(
        symbol="AAPL",
        side=Side.BUY,
        quantity="1",
        order_type=OrderType.MARKET,
        stop_loss="1.00",
        take_profit="100000.00",
    ),
    # sized by quote notional: the quantity is worked out at the touch, floored to the lot
    SubmitOrderRequest(symbol="AAPL", side=Side.BUY, notional="1000.005", order_type=OrderType.MARKET),
    SubmitOrderRequest(symbol="AAPL", side=Side.SELL, notional="250.5", order_type=OrderType.MARKET),
]


async def _backtest_at(quote, run_id: str) -> BacktestVenue:
    """A backtest whose only market event is `quote`, held at that instant (cent prices: exact as floats
    once read at price_decimals=2), with the mock's run id (so the same order ids)."""
    series = from_arrays(
        "AAPL",
        [quote.timestamp.replace(tzinfo=None)],
        bid=[float(quote.bid)],
        ask=[float(quote.ask)],
        bid_size=[int(quote.bid_size)],
        ask_size=[int(quote.ask_size)],
        price_decimals=2,
    )
    venue = BacktestVenue(series, provider="mock", run_id=run_id)
    assert venue.next_batch() is not None  # the quote's step: now the backtest stands at it
    return venue


@pytest.mark.parametrize("ticks", [0, 7])
async def test_mock_and_backtest_fill_the_same_orders_alike(ticks):
    mock = mock_venue(symbols=("AAPL",))
    for _ in range(ticks):
        mock.tick()
    quote = await mock.get_quote("AAPL")
    backtest = await _backtest_at(quote, mock.run_id)
    assert codec.to_dict(await backtest.get_quote("AAPL")) == codec.to_dict(quote)
    for request in ORDERS:
        a, b = await mock.submit_order(request), await backtest.submit_order(request)
        assert codec.to_dict(a) == codec.to_dict(b)
        assert codec.to_dict(await mock.get_order(a.id)) == codec.to_dict(await backtest.get_order(b.id))
    everything = codec.decode_query(ListTradesRequest, {})
    trades = [codec.to_dict(t) for t in await mock.list_trades(everything)]
    assert trades == [codec.to_dict(t) for t in await backtest.list_trades(everything)]
    # two market orders, the marketable limit, the bracket entry and the two sized by notional
    assert len(trades) == 6
    assert codec.to_dict(await mock.get_account()) == codec.to_dict(await backtest.get_account())
    mine = [codec.to_dict(p) for p in await mock.list_positions()]
    assert mine == [codec.to_dict(p) for p in await backtest.list_positions()]
