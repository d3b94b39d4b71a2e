"""Pins the account models (margin and spot cash), exact money, netting PnL, margin warnings and
liquidation, and the commission and slippage models."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradewire.engine import FixedBps, MakerTaker, PercentOfNotional, PerOrder, PerShare
from tradewire.protocol import errors

ROWS = [
    ("100.00", "101.00", "99.00", "100.50"),
    ("100.80", "102.00", "100.20", "101.50"),
    ("101.00", "101.20", "98.00", "98.50"),
    ("97.00", "99.00", "96.50", "98.00"),
]


def test_short_position_on_margin_account(bars, run):
    s, res = run(
        bars("AAPL", ROWS),
        {0: lambda bt: bt.sell("AAPL", 10), 2: lambda bt: bt.buy("AAPL", 10)},
        cash="10000",
    )
    opened = s.payloads("position")[0]["position"]
    assert (
        opened["side"] == "SHORT" and opened["quantity"] == "10" and opened["average_entry_price"] == "100.80"
    )
    assert res.round_trips[0].side == "SHORT" and res.round_trips[0].pnl == Decimal(
        "38.00"
    )  # 10 x (100.80-97.00)
    assert s.bt.cash == Decimal("10038")


def test_short_selling_can_be_disabled(bars, run):
    s, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.sell("AAPL", 10)}, allow_short=False)
    assert isinstance(s.errors[0], errors.OrderRejected) and res.fills == []


def test_margin_warning_then_call_then_liquidation(bars, run):
    rows = [
        ("100.00", "100.00", "100.00", "100.00"),
        ("100.00", "100.00", "99.00", "99.00"),
        ("95.00", "95.00", "90.00", "90.00"),
        ("90.00", "91.00", "89.00", "91.00"),
    ]
    s, res = run(bars("X", rows), {0: lambda bt: bt.buy("X", 350)}, cash="10000", leverage="4")
    kinds = s.kinds()
    assert "account:MARGIN_WARNING" in kinds and "account:MARGIN_CALL" in kinds
    assert kinds.index("account:MARGIN_WARNING") < kinds.index("account:MARGIN_CALL")
    err = s.payloads("error")
    assert len(err) == 1 and err[0]["code"] == "LIQUIDATION" and "event_id" not in err[0]
    assert [(f.side, f.quantity, f.price) for f in res.fills] == [
        ("BUY", 350, Decimal("100.00")),
        ("SELL", 350, Decimal("90.00")),
    ]
    assert res.liquidations == 1 and s.bt.cash == Decimal("6500")


def test_leverage_limits_buying_power(bars, run):
    s, res = run(bars("X", ROWS), {0: lambda bt: bt.buy("X", 350)}, cash="10000", leverage="2")
    assert isinstance(s.errors[0], errors.OrderRejected)
    s, res = run(bars("X", ROWS), {0: lambda bt: bt.buy("X", 190)}, cash="10000", leverage="2")
    assert len(res.fills) == 1


def test_cash_account_is_long_only_and_paid_in_full(bars, run):
    s, res = run(
        bars("BTC/USD", ROWS),
        {
            0: lambda bt: bt.sell("BTC/USD", 1),
            1: lambda bt: bt.buy("BTC/USD", 200),
            2: lambda bt: bt.buy("BTC/USD", "0.5"),
        },
        account="cash",
        cash="10000",
    )
    assert isinstance(s.errors[0], errors.OrderRejected)
    assert s.errors[0].details["reject_code"] == "INSUFFICIENT_FUNDS"
    assert isinstance(s.errors[1], errors.OrderRejected)
    assert [(f.quantity, f.price) for f in res.fills] == [(Decimal("0.5"), Decimal("97.00"))]
    acct = s.bt.account()
    assert (acct.balance, acct.margin_used, acct.margin_available) == ("9951.50", "0.00", "9951.50")


def test_cash_account_refuses_unsupported_order_types(bars, run):
    s, _ = run(
        bars("BTC/USD", ROWS),
        {
            0: lambda bt: bt.sell("BTC/USD", 1, "STOP", stop_price="90.00"),
            1: lambda bt: bt.buy("BTC/USD", 1, stop_loss="90.00"),
        },
        account="cash",
    )
    assert isinstance(s.errors[0], errors.UnsupportedOperation)
    assert "not supported by the cash (spot) account" in s.errors[0].message
    assert isinstance(s.errors[1], errors.UnsupportedOperation)


def test_netting_average_price_and_realized_pnl(bars, run):
    s, res = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: bt.buy("AAPL", 10),  # 100.80
            1: lambda bt: bt.buy("AAPL", 20),  # 101.00
            2: lambda bt: bt.sell("AAPL", 15),  # 97.00
        },
    )
    last = s.payloads("position")[-1]["position"]
    # average (10*100.80 + 20*101.00)/30 = 100.9333...; 15 sold at 97.00
    assert last["average_entry_price"] == "100.933333"  # price scale + 4 decimals
    assert last["quantity"] == "15" and last["realized_pnl"] == "-59.00"
    assert res.fills[-1].price == Decimal("97.00")


@pytest.mark.parametrize(
    ("model", "fee", "text"),
    [
        (PerShare(Decimal("0.005"), minimum=Decimal("1")), Decimal("1"), "1.00"),
        (PerShare(Decimal("0.2")), Decimal("2"), "2.00"),
        (PercentOfNotional(Decimal("0.1")), Decimal("1.008"), "1.008"),
        (PerOrder(Decimal("4.95")), Decimal("4.95"), "4.95"),
        (MakerTaker(Decimal("1"), Decimal("7.5")), Decimal("0.756"), "0.756"),
    ],
)
def test_commission_models(bars, run, model, fee, text):
    s, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", 10)}, commission=model)
    assert res.fills[0].commission == fee
    assert s.bt.cash == Decimal(100000) - Decimal("1008.00") - fee
    assert s.payloads("trade")[0]["trade"]["commission"] == text


def test_fixed_bps_slippage_rounds_against_the_trader(bars, run):
    _, res = run(
        bars("AAPL", ROWS),
        {0: lambda bt: bt.buy("AAPL", 1), 1: lambda bt: bt.sell("AAPL", 1)},
        slippage=FixedBps(Decimal("10")),
    )
    # buy 100.80 + 0.1008 -> 100.91 (up to the tick); sell 101.00 - 0.101 -> 100.89
    assert [f.price for f in res.fills] == [Decimal("100.91"), Decimal("100.89")]


def test_config_rejects_floats_and_unknown_fields():
    from tradewire.engine import BacktestConfig

    with pytest.raises(TypeError):
        BacktestConfig(cash=1000.5)
    with pytest.raises(TypeError):
        BacktestConfig(cahs="1")  # type: ignore[call-arg]


def test_symbols_with_different_price_scales_share_one_exact_cash(bars, run):
    fx = [("1.1000", "1.1010", "1.0990", "1.1005")] * 3
    eq = [
        ("100.00", "101.00", "99.00", "100.50"),
        ("100.80", "102.00", "100.20", "101.50"),
        ("101.00", "101.20", "98.00", "98.50"),
    ]
    s, res = run(
        [bars("EUR/USD", fx), bars("AAPL", eq)],
        {
            0: lambda bt: (bt.buy("EUR/USD", "1000.5"), bt.buy("AAPL", 3)),
        },
        cash="10000",
    )
    assert [(f.symbol, f.quantity, f.price) for f in res.fills] == [
        ("EUR/USD", Decimal("1000.5"), Decimal("1.1000")),
        ("AAPL", Decimal(3), Decimal("100.80")),
    ]
    # 10000 - 1000.5 * 1.1 - 3 * 100.80 = 8597.05, exactly
    assert s.bt.cash == Decimal("8597.05")
    assert s.bt.account().balance == "8597.05"


def test_spread_slippage_on_quotes(run):
    import numpy as np

    from tradewire.engine import SpreadSlippage, from_arrays

    ts = np.datetime64("2024-03-01T14:30:00", "ns") + np.arange(2) * np.timedelta64(1, "s")
    q = from_arrays("X", ts, bid=np.array([10.00, 10.00]), ask=np.array([10.04, 10.04]), price_decimals=2)
    _, res = run(
        q,
        {0: lambda bt: bt.buy("X", 1), 1: lambda bt: bt.sell("X", 1)},
        slippage=SpreadSlippage(Decimal("0.5")),
    )
    # half the 0.04 spread against the trader: buy 10.04 + 0.02, sell 10.00 - 0.02
    assert [f.price for f in res.fills] == [Decimal("10.06"), Decimal("9.98")]
