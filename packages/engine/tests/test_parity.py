"""Pins "two ways in, one core": the same actions through the in-process Backtest and through the
async BacktestVenue give byte-identical event logs; and a run is byte-identical across processes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from typing import Any

from tradewire.engine import Backtest, BacktestVenue, PerShare, sample_data
from tradewire.protocol import codec
from tradewire.protocol import messages as m

# step -> list of (method, kwargs) in SubmitOrderRequest / Venue terms
ACTIONS: dict[int, list[tuple[str, dict[str, Any]]]] = {
    1: [
        (
            "submit",
            {
                "symbol": "AAPL",
                "side": "BUY",
                "quantity": "10",
                "order_type": "MARKET",
                "stop_loss": "120.00",
                "take_profit": "150.00",
            },
        ),
        (
            "submit",
            {
                "symbol": "MSFT",
                "side": "BUY",
                "quantity": "5",
                "order_type": "LIMIT",
                "limit_price": "200.00",
                "client_order_id": "m1",
            },
        ),
    ],
    3: [("submit", {"symbol": "BTC/USD", "side": "SELL", "quantity": "0.5", "order_type": "MARKET"})],
    5: [("modify", {"client_order_id": "m1", "limit_price": "245.00"})],
    9: [
        (
            "submit",
            {
                "symbol": "BTC/USD",
                "side": "BUY",
                "quantity": "0.5",
                "order_type": "TRAILING_STOP",
                "trailing_distance": "3",
                "trailing_type": "PERCENT",
            },
        )
    ],
    12: [("close", {"symbol": "AAPL", "quantity": "4"})],
    15: [
        (
            "submit",
            {
                "symbol": "MSFT",
                "side": "SELL",
                "quantity": "5",
                "order_type": "STOP",
                "stop_price": "230.00",
                "oco_group_id": "x",
            },
        ),
        (
            "submit",
            {
                "symbol": "MSFT",
                "side": "SELL",
                "quantity": "5",
                "order_type": "LIMIT",
                "limit_price": "300.00",
                "oco_group_id": "x",
            },
        ),
    ],
    40: [("cancel_all", {})],
    60: [("close_all", {})],
}
CONFIG = {
    "cash": "100000",
    "commission": PerShare(__import__("decimal").Decimal("0.01")),
    "participation": "0.0000001",
}
ENUMS = {"side": m.Side, "order_type": m.OrderType, "trailing_type": m.TrailingType}


def _request(kw: dict[str, Any]) -> m.SubmitOrderRequest:
    return m.SubmitOrderRequest(**{k: (ENUMS[k][v] if k in ENUMS else v) for k, v in kw.items()})


class InProcess:
    def __init__(self) -> None:
        self.step = 0

    def on_start(self, bt: Backtest) -> None:
        self.bt = bt

    def on_step(self, step: Any) -> None:
        self.step += 1
        for name, kw in ACTIONS.get(self.step, []):
            bt = self.bt
            if name == "submit":
                bt.operations.submit_request(_request(kw))
            elif name == "modify":
                kw = dict(kw)
                found = bt.operations.list_orders(
                    m.ListOrdersRequest(client_order_id=kw.pop("client_order_id")), False
                )
                if found:
                    bt.modify(found[0].id, **kw)
            elif name == "close":
                bt.close_position(kw["symbol"], kw["quantity"])
            elif name == "cancel_all":
                bt.cancel_all()
            elif name == "close_all":
                bt.close_all()


def in_process_log(**cfg: Any) -> list[bytes]:
    out: list[m.ServerMessage] = []
    Backtest(sample_data(), event_log=out.append, **(CONFIG | cfg)).run(InProcess())
    return [codec.encode(x) for x in out]


async def venue_log(**cfg: Any) -> list[bytes]:
    v = BacktestVenue(sample_data(), **(CONFIG | cfg))
    out: list[bytes] = []
    last_step = 0
    async for batch in v.stream():
        out.extend(codec.encode(x) for x in batch.messages)
        if batch.step != last_step:
            last_step = batch.step or 0
            for name, kw in ACTIONS.get(last_step, []):
                if name == "submit":
                    await v.submit_order(_request(kw))
                elif name == "modify":
                    kw = dict(kw)
                    found = await v.list_orders(
                        m.ListOrdersRequest(client_order_id=kw.pop("client_order_id"))
                    )
                    if found:
                        await v.modify_order(found[0].id, m.ModifyOrderRequest(**kw))
                elif name == "close":
                    await v.close_position(
                        f"pos-{kw['symbol']}", m.ClosePositionRequest(quantity=kw["quantity"])
                    )
                elif name == "cancel_all":
                    await v.cancel_all_orders()
                elif name == "close_all":
                    await v.close_all_positions()
        await v.ack(batch.event_ids)
    return out


async def test_in_process_and_venue_event_logs_are_identical():
    a = in_process_log()
    b = await venue_log()
    _same(a, b)


async def test_parity_with_fills_at_the_close_and_leverage():
    cfg = {"fill_at": "close", "leverage": "2", "participation": None}
    a = in_process_log(**cfg)
    b = await venue_log(**cfg)
    assert len(a) == len(b) > 1500
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert x == y, f"event {i} differs:\n{x!r}\n{y!r}"


def _same(a: list[bytes], b: list[bytes]) -> None:
    kinds = {codec.to_dict(codec.decode(m.ServerMessage, x)).get("event") for x in a}
    # the scenario really exercises the lifecycle
    assert {
        "BRACKET_ORDER_CREATED",
        "ORDER_MODIFIED",
        "ORDER_PARTIALLY_FILLED",
        "ORDER_CANCELLED",
        "POSITION_CLOSED",
        "TRADE_FILLED",
    } <= kinds
    assert len(a) == len(b) > 1500
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert x == y, f"event {i} differs:\n{x!r}\n{y!r}"


SCRIPT = textwrap.dedent("""
    import hashlib, sys
    sys.path.insert(0, sys.argv[1])
    import test_parity as t
    print(hashlib.sha256(b"\\n".join(t.in_process_log())).hexdigest())
""")


def test_event_log_is_byte_identical_across_processes():
    here = os.path.dirname(__file__)
    digests = set()
    for seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, here],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    assert digests == {hashlib.sha256(b"\n".join(in_process_log())).hexdigest()}
