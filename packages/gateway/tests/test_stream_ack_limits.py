"""Large acks (events.md, acks): an ack listing more than MAX_ACK_IDS ids is refused whole with an
`error` INVALID_MESSAGE and the connection keeps working; acks are processed in O(ids)."""

from __future__ import annotations

import logging
import sys

from fakes import StepVenue
from harness import ack, connect, recv_json, serve, settings

from tradewire.gateway.stream.hub import Hub
from tradewire.gateway.stream.session import MAX_ACK_IDS, MAX_EARLY_ACKS, Session


async def test_ack_with_too_many_ids_gets_an_error_and_the_session_keeps_working():
    venue = StepVenue(steps=2)
    with serve(venue) as gw:
        async with await connect(gw) as ws:
            assert (await recv_json(ws))["event"] == "CONNECTED"
            first = [await recv_json(ws), await recv_json(ws)]
            await ack(ws, [f"x-{i}" for i in range(2 * MAX_ACK_IDS)])
            error = await recv_json(ws)
            assert error["type"] == "error" and error["code"] == "INVALID_MESSAGE"
            assert error["details"] == {"reason": "too_many_ids", "limit": MAX_ACK_IDS, "count": 20_000}
            for m in first:  # still served: the step is released by ordinary acks
                await ack(ws, [m["event_id"]])
            nxt = await recv_json(ws)
            assert nxt["type"] == "candle" and nxt["event_id"] == "evt-3"


async def test_ack_giving_a_key_twice_gets_an_error_and_releases_nothing():
    venue = StepVenue(steps=2)
    with serve(venue) as gw:
        async with await connect(gw) as ws:
            assert (await recv_json(ws))["event"] == "CONNECTED"
            first = [await recv_json(ws), await recv_json(ws)]
            ids = ",".join(f'"{m["event_id"]}"' for m in first)
            # last-wins would ack only the empty list; first-wins all: neither is what was sent
            await ws.send(f'{{"type":"event_ack","events_processed":[{ids}],"events_processed":[]}}')
            error = await recv_json(ws)
            assert error["type"] == "error" and error["code"] == "INVALID_MESSAGE"
            assert error["details"] == {"reason": "duplicate_key", "key": "events_processed"}
            for m in first:
                await ack(ws, [m["event_id"]])
            nxt = await recv_json(ws)
            assert nxt["type"] == "candle" and nxt["event_id"] == "evt-3"


def _opcodes(fn) -> int:  # type: ignore[no-untyped-def]
    """Bytecode instructions executed by `fn()` (its Python frames and those it calls)."""
    count = 0

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


async def test_ack_of_unknown_ids_is_linear_and_logs_nothing_per_id(caplog):
    hub = Hub(StepVenue(steps=1), settings())
    session = Session(lambda m: None, batched=True, paced=True, queue_limit=10, ping_interval=60)

    def work(n: int, tag: str) -> int:
        ids = [f"{tag}-{i}" for i in range(n)]

        def run() -> None:
            coro = hub.ack(session, ids, None)
            try:
                coro.send(None)  # nothing is released, so it never suspends
            except StopIteration:
                pass

        return _opcodes(run)

    with caplog.at_level(logging.DEBUG, logger="tradewire"):
        small, large = work(1000, "a"), work(MAX_ACK_IDS, "b")
    assert large <= 11 * small  # 10x the ids: about 10x the work, never the square
    assert len(session._early) == MAX_EARLY_ACKS
    assert not [r for r in caplog.records if r.name.startswith("tradewire")]
