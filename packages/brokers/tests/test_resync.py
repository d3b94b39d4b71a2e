"""Exactly-once, in-broker-order emission across a stream gap, from a REST snapshot plus the stream."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tradewire.brokers._live.resync import FillUpdate, OrderUpdate, SeenIds, Sequencer, Update

Seq = Sequencer[str]


def fill(execution_id: str, at: int, order: str = "o1") -> FillUpdate[str]:
    return FillUpdate(execution_id, order, at, payload=f"fill {execution_id}")


def state(order: str, at: int, filled: str, status: str) -> OrderUpdate[str]:
    # Alpaca-like version: (updated_at, filled_qty, status rank) grows with every change.
    rank = {"new": 0, "partially_filled": 1, "filled": 2, "canceled": 2}[status]
    return OrderUpdate(order, (at, Decimal(filled), rank), at, payload=f"{order} {status} {filled}")


def names(updates: list[Update[str]]) -> list[str]:
    return [u.payload for u in updates]


def test_live_updates_pass_once_and_repeats_are_dropped() -> None:
    seq = Seq()
    assert names(seq.feed(state("o1", 1, "0", "new"))) == ["o1 new 0"]
    assert seq.feed(state("o1", 1, "0", "new")) == []
    assert names(seq.feed(fill("e1", 2))) == ["fill e1"]
    assert seq.feed(fill("e1", 2)) == []
    # An older state arriving late is not newer than what clients already saw.
    assert names(seq.feed(state("o1", 3, "4", "partially_filled"))) == ["o1 partially_filled 4"]
    assert seq.feed(state("o1", 2, "0", "new")) == []


def test_after_a_gap_missed_and_held_updates_come_once_each_in_broker_order() -> None:
    seq = Seq()
    seq.feed(state("o1", 10, "0", "new"))
    seq.feed(fill("e1", 20))
    seq.feed(state("o1", 20, "4", "partially_filled"))
    seq.begin_gap()
    # The new stream delivers while the REST resync runs: held back, not lost.
    assert seq.feed(fill("e3", 50)) == []
    assert seq.feed(state("o1", 50, "10", "filled")) == []
    assert seq.in_gap
    snapshot: list[Update[str]] = [
        # fill activities since the gap start (overlap with what was emitted and with the stream)
        fill("e1", 20),
        fill("e2", 30),
        fill("e3", 50),
        # current order states: o1 is filled; o2 was placed and cancelled during the gap
        state("o1", 50, "10", "filled"),
        state("o2", 35, "0", "canceled"),
    ]
    out = seq.finish(snapshot)
    assert names(out) == ["fill e2", "o2 canceled 0", "fill e3", "o1 filled 10"]
    assert not seq.in_gap
    # Back to live: a late duplicate from the stream is still dropped.
    assert seq.feed(fill("e3", 50)) == []
    assert seq.feed(state("o1", 50, "10", "filled")) == []


def test_at_one_broker_instant_the_fill_goes_before_the_order_state_it_produced() -> None:
    seq = Seq()
    seq.begin_gap()
    out = seq.finish([state("o1", 7, "10", "filled"), fill("e9", 7)])
    assert names(out) == ["fill e9", "o1 filled 10"]


def test_a_restart_remembers_fills_already_reported() -> None:
    seq = Seq(seen_fills=SeenIds(["e1", "e2"]), versions={"o1": (20, Decimal(4), 1)})
    out = seq.finish(
        [fill("e1", 10), fill("e2", 20), fill("e3", 30), state("o1", 20, "4", "partially_filled")]
    )
    assert names(out) == ["fill e3"]


def test_seen_ids_keep_the_most_recent_within_capacity() -> None:
    seen = SeenIds(capacity=3)
    for i in range(5):
        assert seen.add(f"e{i}")
    assert not seen.add("e4")
    assert seen.recent() == ["e2", "e3", "e4"]
    assert "e0" not in seen and len(seen) == 3


def test_a_second_begin_gap_keeps_what_is_held() -> None:
    seq = Seq()
    seq.begin_gap()
    seq.feed(fill("e1", 1))
    seq.begin_gap()  # the new socket dropped too before the resync finished
    assert names(seq.finish([])) == ["fill e1"]


def test_forget_order_bounds_memory() -> None:
    seq = Seq()
    seq.feed(state("o1", 1, "10", "filled"))
    seq.forget_order("o1")
    assert "o1" not in seq.versions


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Update[str]], list[int], list[int]]:
    """A broker history (fills and states of a few orders, in broker time), and which of its updates
    the old stream, the new stream and the snapshot carry."""
    updates: list[Update[str]] = []
    at = 0
    for o in range(draw(st.integers(1, 3))):
        order, filled = f"o{o}", 0
        at += 1
        updates.append(state(order, at, "0", "new"))
        for _ in range(draw(st.integers(0, 3))):
            at += 1
            filled += 1
            updates.append(fill(f"{order}-e{filled}", at, order))
            updates.append(state(order, at, str(filled), "partially_filled"))
    n = len(updates)
    cut = draw(st.integers(0, n))  # the stream delivered updates[:cut] before it dropped
    resumed = draw(st.integers(cut, n))  # the new stream starts delivering at updates[resumed:]
    return updates, [cut, resumed], draw(st.lists(st.integers(0, n - 1), max_size=n))


@given(histories())
def test_every_fill_is_emitted_exactly_once_and_in_broker_order(
    case: tuple[list[Update[str]], list[int], list[int]],
) -> None:
    updates, (cut, resumed), replays = case
    seq = Seq()
    emitted: list[Update[str]] = []
    for u in updates[:cut]:
        emitted += seq.feed(u)
    for i in replays:  # the old socket re-delivered some updates (reconnect overlap)
        if i < cut:
            emitted += seq.feed(updates[i])
    seq.begin_gap()
    for u in updates[resumed:]:
        emitted += seq.feed(u)
    # The snapshot: every fill since the gap start (some overlap), and each order's current state.
    latest = {u.order_id: u for u in updates if isinstance(u, OrderUpdate)}
    snapshot = [u for u in updates[max(0, cut - 2) :] if isinstance(u, FillUpdate)] + list(latest.values())
    emitted += seq.finish(snapshot)
    fills = [u.execution_id for u in emitted if isinstance(u, FillUpdate)]
    assert fills == [u.execution_id for u in updates if isinstance(u, FillUpdate)]
    assert [u.at_ns for u in emitted] == sorted(u.at_ns for u in emitted)  # broker order throughout
    for order, last in latest.items():
        versions = [u.version for u in emitted if isinstance(u, OrderUpdate) and u.order_id == order]
        assert versions == sorted(set(versions))  # each state once, never going back
        assert versions[-1] == last.version  # clients end on the broker's current state
