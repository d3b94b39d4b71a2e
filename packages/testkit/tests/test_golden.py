"""Golden traces: ids are masked consistently, and a difference is reported as the first differing event."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tradewire.protocol import messages as m
from tradewire.testkit.conformance.golden import compare, normalize

T = dt.datetime(2024, 3, 1, 14, 31, tzinfo=dt.UTC)


def _order(oid: str, event: m.OrderEventType, eid: str, filled: str = "0") -> m.OrderEvent:
    order = m.Order(
        id=oid,
        symbol="AAPL",
        side=m.Side.BUY,
        order_type=m.OrderType.MARKET,
        quantity="10",
        filled_quantity=filled,
        remaining_quantity=str(10 - int(filled)),
        status=m.OrderStatus.OPEN,
        correlation_id="c-" + oid,
        time_in_force=m.TimeInForce.GTC,
        created_at=T,
        updated_at=T,
    )
    return m.OrderEvent(event=event, order=order, timestamp=T, event_id=eid)


def test_ids_masked_by_first_appearance_and_links_kept() -> None:
    a = normalize(
        [
            _order("ord-7", m.OrderEventType.ORDER_CREATED, "evt-3"),
            _order("ord-7", m.OrderEventType.ORDER_FILLED, "evt-4", "10"),
        ]
    )
    b = normalize(
        [
            _order("X1", m.OrderEventType.ORDER_CREATED, "e-a"),
            _order("X1", m.OrderEventType.ORDER_FILLED, "e-b", "10"),
        ]
    )
    assert a == b
    assert a[0]["order"]["id"] == a[1]["order"]["id"] == "<id:1>"
    assert a[0]["order"]["correlation_id"] == "<masked>"
    assert a[0]["timestamp"] == "2024-03-01T14:31:00Z"  # simulated time is part of the trace


def test_gateway_local_events_are_not_part_of_the_trace() -> None:
    conn = m.ConnectionEvent(event=m.ConnectionEventType.CONNECTED, broker="backtest", timestamp=T)
    assert normalize([conn]) == []


def test_compare_names_the_first_difference(tmp_path: Path) -> None:
    events = [
        _order("o1", m.OrderEventType.ORDER_CREATED, "e1"),
        _order("o1", m.OrderEventType.ORDER_FILLED, "e2", "10"),
    ]
    compare("CF-TST-001", events, update=True, directory=tmp_path)
    compare("CF-TST-001", events, directory=tmp_path)
    wrong = [events[0], _order("o1", m.OrderEventType.ORDER_CANCELLED, "e2")]
    with pytest.raises(AssertionError, match="event 2 differs") as info:
        compare("CF-TST-001", wrong, directory=tmp_path)
    assert "ORDER_CANCELLED" in str(info.value) and "ORDER_FILLED" in str(info.value)
    with pytest.raises(AssertionError, match="first missing event"):
        compare("CF-TST-001", events[:1], directory=tmp_path)
    with pytest.raises(AssertionError, match="--update-golden"):
        compare("CF-TST-404", events, directory=tmp_path)
