"""The event stream: ack pacing in both framings, per-event acks, reconnects, completion, connection events."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import orjson

from tradewire.protocol import codec
from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance import checks
from tradewire.testkit.conformance.checks import is_order, wire_name
from tradewire.testkit.conformance.describe import describe, describe_all
from tradewire.testkit.conformance.golden import LOCAL_TYPES
from tradewire.testkit.conformance.registry import scenario
from tradewire.testkit.conformance.session import Session
from tradewire.testkit.conformance.stream import EventTap, event_id, kind

#: Candles per step in the default market (two symbols).
PER_STEP = 2


async def id_tap(s: Session) -> EventTap:
    """A tap whose acks release exactly the ids given: a bare single-frame socket, or the venue in process."""
    if s.has(cap.WIRE):
        return await s.raw_stream("single")
    return await s.stream()


async def sim_events(tap: EventTap, n: int, timeout: float = 5.0) -> list[Any]:
    """The next `n` simulation events (gateway-local ones such as `connection` are skipped)."""
    out: list[Any] = []
    while len(out) < n:
        try:
            batch = await tap.next_batch(timeout)
        except TimeoutError:
            raise AssertionError(f"only {len(out)} of {n} events arrived: {describe_all(out)}") from None
        if batch is None:
            raise AssertionError(f"the stream ended after {describe_all(out)}")
        out.extend(e for e in batch.events if kind(e) not in LOCAL_TYPES)
    return out


async def quiet(tap: EventTap, seconds: float, why: str) -> None:
    """Assert no simulation event arrives for `seconds`."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        try:
            batch = await tap.next_batch(left)
        except TimeoutError:
            return
        if batch is None:
            raise AssertionError(f"the stream ended while {why}")
        sim = [e for e in batch.events if kind(e) not in LOCAL_TYPES]
        if sim:
            raise AssertionError(f"time advanced while {why}: {describe_all(sim)}")


def ids(events: list[Any]) -> list[str]:
    """Their event ids, asserting every one has an id."""
    out = []
    for e in events:
        eid = event_id(e)
        assert eid, f"backtest event without event_id: {describe(e)}"
        out.append(eid)
    return out


@scenario("CF-STR-001", requires={cap.PACING})
async def no_advance_until_every_id_acked(s: Session) -> None:
    """Simulated time does not advance while any event_id of the step is unacknowledged."""
    tap = await id_tap(s)
    first = await sim_events(tap, PER_STEP)
    a, b = ids(first)
    assert first[0].timestamp == first[1].timestamp, "the two candles of one step differ in time"
    await tap.ack_ids([a])
    await quiet(tap, 0.3, f"{b} was still unacknowledged")
    await tap.ack_ids([b])
    nxt = await sim_events(tap, 1)
    assert nxt[0].timestamp > first[0].timestamp, f"next step is not later: {describe(nxt[0])}"


@scenario("CF-STR-002", requires={cap.PACING})
async def acks_in_any_order_and_grouping(s: Session) -> None:
    """Acks release exactly the ids they list: empty, unknown and repeated ids release nothing; order is irrelevant."""
    tap = await id_tap(s)
    a, b = ids(await sim_events(tap, PER_STEP))
    await tap.ack_ids([])
    await tap.ack_ids(["evt-999999", b])
    await tap.ack_ids([b])
    await quiet(tap, 0.3, f"only {b} (plus unknown and repeated ids) was acknowledged")
    await tap.ack_ids([a])
    c, d = ids(await sim_events(tap, PER_STEP))
    await tap.ack_ids([d, c])  # one ack, reverse order
    e1 = await sim_events(tap, 1)
    assert event_id(e1[0]) not in (a, b, c, d), f"an id was reused: {describe(e1[0])}"


@scenario("CF-STR-003", requires={cap.PACING, cap.WIRE})
async def compatible_client_per_event_acks(s: Session) -> None:
    """A compatible client (one object per frame, one ack per event, [] for events without id) runs to completion."""
    tap = await s.raw_stream("single")
    seen: list[str] = []
    candles = 0
    while True:
        batch = await tap.next_batch(10)
        assert batch is not None, f"socket closed before backtest_complete after {len(seen)} ids"
        (event,), (raw,) = batch.events, batch.raw
        obj = orjson.loads(raw)
        assert isinstance(obj, dict) and isinstance(obj.get("type"), str), (
            f"frame is not one typed object: {raw[:200]}"
        )
        eid = event_id(event)
        if kind(event) in LOCAL_TYPES:
            assert eid is None, f"gateway-local event with an event_id: {raw[:200]}"
        else:
            assert eid is not None and re.fullmatch(r"evt-[0-9]+", eid), f"bad event_id in {raw[:200]}"
            seen.append(eid)
            candles += kind(event) == "candle"
        await tap.ack_ids([eid] if eid else [])
        if kind(event) == "backtest_complete":
            break
    nums = [int(i[4:]) for i in seen]
    assert nums == sorted(set(nums)), "event ids are not unique and increasing in emission order"
    assert candles == sum(len(x.rows) for x in s.market.series) if s.market else candles > 0
    await tap.wait_closed(15)
    assert tap.closed_code == 1000, (
        f"after backtest_complete the socket closed with {tap.closed_code}, not 1000"
    )
    acct = await s.client.get_account()
    assert acct.currency, "REST must stay up after the run"


@scenario("CF-STR-004", requires={cap.PACING, cap.WIRE})
async def batched_framing_acks_by_batch_id(s: Session) -> None:
    """With `framing=batch`, a frame is one `batch` object of a step's events; acking its batch_id releases them all."""
    tap = await s.raw_stream("batch")
    times: list[str] = []
    while len(times) < 3:
        batch = await tap.next_batch(5)
        assert batch is not None, "stream ended"
        obj = orjson.loads(batch.raw[0])
        if obj.get("type") != "batch":
            assert obj.get("type") in LOCAL_TYPES, f"unbatched simulation frame: {batch.raw[0][:200]}"
            continue
        assert obj.get("batch_id") and isinstance(obj.get("events"), list) and obj["events"], (
            "malformed batch frame"
        )
        sim = [e for e in obj["events"] if e.get("type") not in LOCAL_TYPES]
        assert all(e.get("event_id") for e in sim), "a simulation event of a batch has no event_id"
        await tap.send_ack([], batch_id=obj["batch_id"])
        if not sim:
            continue
        times.append(sim[0]["timestamp"])
    assert times == sorted(times) and len(set(times)) == 3, (
        f"steps did not advance one per batch ack: {times}"
    )


@scenario("CF-STR-005", requires={cap.PACING, cap.WIRE})
async def reconnect_loses_and_duplicates_nothing(s: Session) -> None:
    """Dropping the socket mid-step resends the unreleased events (same ids) and the run continues without gaps."""
    one = await s.raw_stream("single")
    a, b = ids(await sim_events(one, PER_STEP))
    await one.ack_ids([a])
    await one.close()
    await asyncio.sleep(0.2)
    two = await s.raw_stream("single")
    resent = await sim_events(two, 1)
    assert event_id(resent[0]) == b, (
        f"after reconnect expected the unreleased {b} again, got {describe(resent[0])}"
    )
    delivered = [a, b]
    pending = [resent[0]]
    while pending:
        e = pending.pop(0)
        eid = event_id(e)
        assert eid is not None, f"backtest event without event_id: {describe(e)}"
        if eid != b:
            assert eid not in delivered, f"{eid} delivered twice across the reconnect"
            delivered.append(eid)
        await two.ack_ids([eid])
        if kind(e) == "backtest_complete":
            break
        pending.extend(await sim_events(two, 1, timeout=10))
    nums = [int(i[4:]) for i in delivered]
    assert nums == list(range(nums[0], nums[0] + len(nums))), f"ids have gaps: {nums}"


@scenario("CF-STR-006", requires={cap.PACING})
async def backtest_complete_once_and_last(s: Session) -> None:
    """The run ends with exactly one backtest_complete, carrying an event_id, after every other event."""
    await s.run_to_end()
    sim = [e for e in s.trace if kind(e) not in LOCAL_TYPES]
    done = [e for e in sim if kind(e) == "backtest_complete"]
    assert len(done) == 1, f"{len(done)} backtest_complete events"
    assert sim[-1] is done[0], f"events after backtest_complete: {describe(sim[-1])}"
    assert event_id(done[0]), "backtest_complete without event_id"


@scenario("CF-STR-007", requires={cap.WIRE})
async def connected_event_first(s: Session) -> None:
    """The first message after the upgrade is `connection` CONNECTED naming the broker."""
    tap = await s.raw_stream("single")
    batch = await tap.next_batch(5)
    assert batch is not None, "socket closed at once"
    first = batch.events[0]
    assert kind(first) == "connection" and wire_name(first.event) == "CONNECTED", (
        f"first message: {describe(first)}"
    )
    assert first.broker, "CONNECTED without broker"
    assert event_id(first) is None if hasattr(first, "event_id") else True


@scenario("CF-STR-008", requires={cap.LIVE, cap.WIRE})
async def live_events_flow_without_acks(s: Session) -> None:
    """In live mode events carry no event_id and keep flowing to a client that never acknowledges."""
    tap = await s.raw_stream("single")
    events = await sim_events(tap, 6, timeout=10)
    for e in events:
        assert event_id(e) is None, f"live event with an event_id: {describe(e)}"
    times = [e.timestamp for e in events]
    assert times == sorted(times)


@scenario("CF-STR-009", requires={cap.PACING, cap.MARKET_CONTROL})
async def envelope_time_is_simulated(s: Session) -> None:
    """In backtest the envelope timestamp is the simulated instant: equal within a step, increasing across steps."""
    await s.run_to_end()
    candles = [e for e in s.trace if kind(e) == "candle"]
    by_time: dict[Any, list[Any]] = {}
    for c in candles:
        by_time.setdefault(c.timestamp, []).append(c)
        assert c.timestamp >= c.bar.timestamp, f"envelope before the bar began: {describe(c)}"
        assert c.timestamp.year == c.bar.timestamp.year == 2024, f"not simulated time: {describe(c)}"
    assert all(len(v) == PER_STEP for v in by_time.values()), "a step did not carry one candle per symbol"
    env = [e.timestamp for e in s.trace if kind(e) not in LOCAL_TYPES]
    assert env == sorted(env), "envelope timestamps go backwards"


@scenario("CF-STR-010", requires={cap.WIRE})
async def bad_client_frames_ignored(s: Session) -> None:
    """Unparseable frames, unknown client types and malformed acks are ignored: no error, no disconnect."""
    tap = await s.raw_stream("single")
    first = await sim_events(tap, PER_STEP if s.paced else 1, timeout=10)
    for text in (
        "not json",
        "[1,2]",
        '{"type":"subscribe","symbols":["AAPL"]}',
        '{"type":"event_ack","events_processed":"evt-1"}',
        '{"type":"event_ack"}',
        '{"type":"pong"}',
        '{"no_type":true}',
    ):
        await tap.send_text(text)
    if s.paced:
        await tap.ack_ids(ids(first))
    more = await sim_events(tap, 1, timeout=10)
    errors = [e for e in more if kind(e) == "error"]
    assert not errors, f"the server answered bad client frames with {describe_all(errors)}"
    assert tap.closed_code is None, f"the server closed the socket ({tap.closed_code})"


@scenario("CF-STR-011", requires={cap.PACING, cap.LIMIT_ORDERS})
async def order_events_join_held_step(s: Session) -> None:
    """Events of an order placed while a step is held join that step and must be acked before time moves."""
    tap = await id_tap(s)
    candles = await sim_events(tap, PER_STEP)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="1", order_type="LIMIT", limit_price="50.00"
    )
    (created,) = await sim_events(tap, 1)
    assert is_order("ORDER_CREATED", h.id)(created), f"expected ORDER_CREATED, got {describe(created)}"
    assert created.timestamp == candles[0].timestamp, f"order event not in the held step: {describe(created)}"
    await tap.ack_ids(ids(candles))
    await quiet(tap, 0.3, "ORDER_CREATED was still unacknowledged")
    await tap.ack_ids(ids([created]))
    nxt = await sim_events(tap, 1)
    assert nxt[0].timestamp > created.timestamp


@scenario("CF-STR-012", requires={cap.PACING, cap.WIRE})
async def several_clients_any_ack_releases(s: Session) -> None:
    """Two connected clients both receive every event; an event is released once either acknowledges it."""
    a = await s.raw_stream("single")
    b = await s.raw_stream("single")
    ea = await sim_events(a, PER_STEP)
    eb = await sim_events(b, PER_STEP)
    assert ids(ea) == ids(eb), f"clients saw different events: {ids(ea)} vs {ids(eb)}"
    await a.ack_ids(ids(ea)[:1])
    await b.ack_ids(ids(eb)[1:])
    na, nb = await sim_events(a, 1), await sim_events(b, 1)
    assert event_id(na[0]) == event_id(nb[0]) and na[0].timestamp > ea[0].timestamp


@scenario("CF-STR-013", requires={cap.WIRE, cap.SERVER_CONTROL})
async def shutdown_says_disconnecting(s: Session) -> None:
    """On gateway shutdown every client gets `connection` DISCONNECTING, then the socket closes with 1001."""
    tap = await s.raw_stream("single")
    await sim_events(tap, 1, timeout=10)
    assert s.conn.shutdown is not None
    s.conn.shutdown()
    seen: list[Any] = []
    while True:
        try:
            batch = await tap.next_batch(10)
        except TimeoutError:
            raise AssertionError(
                f"the socket stayed open after shutdown; saw {describe_all(seen[-5:])}"
            ) from None
        if batch is None:
            break
        seen.extend(batch.events)
    bye = [e for e in seen if kind(e) == "connection" and wire_name(e.event) == "DISCONNECTING"]
    assert bye, f"no DISCONNECTING before the close; last events {describe_all(seen[-5:])}"
    assert tap.closed_code == 1001, f"closed with {tap.closed_code}, not 1001"


@scenario("CF-STR-014", requires={cap.PACING})
async def early_ack_is_remembered(s: Session) -> None:
    """An ack naming ids not yet sent is remembered: pre-acking the next step lets time pass it without another ack."""
    tap = await id_tap(s)
    first = await sim_events(tap, PER_STEP)
    n = [int(i[4:]) for i in ids(first)]
    upcoming = [f"evt-{k}" for k in range(max(n) + 1, max(n) + 1 + PER_STEP)]
    await tap.ack_ids(ids(first) + upcoming)
    second = await sim_events(tap, PER_STEP)
    assert ids(second) == upcoming, f"ids are not evt-<n> in emission order: {ids(second)}"
    third = await sim_events(tap, 1)  # arrives only if the early acks released step two
    assert third[0].timestamp > second[0].timestamp


@scenario("CF-STR-015", requires={cap.PACING, cap.WIRE})
async def late_client_and_minimal_ack(s: Session) -> None:
    """The run waits for its first client (the first event is evt-1), and a bare ack without timestamp still releases."""
    await asyncio.sleep(0.3)
    tap = await s.raw_stream("single")
    first = await sim_events(tap, PER_STEP)
    assert ids(first)[0] == "evt-1", (
        f"events were emitted before any client connected: first is {describe(first[0])}"
    )
    await tap.send_text(orjson.dumps({"type": "event_ack", "events_processed": ids(first)}).decode())
    nxt = await sim_events(tap, 1)
    assert nxt[0].timestamp > first[0].timestamp, "an ack without timestamp/correlation_id was not honoured"


@scenario("CF-STR-016", requires={cap.WIRE, cap.HEARTBEAT, cap.PACING})
async def json_ping_after_silence(s: Session) -> None:
    """While a backtest step is held (outgoing silence) the server sends a JSON `ping` without event_id."""
    from websockets.asyncio.client import connect

    async with connect(s.ws_url, additional_headers=s.headers(), compression=None) as ws:
        got = []
        loop = asyncio.get_running_loop()
        end = loop.time() + 10
        while loop.time() < end:
            obj = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
            got.append(obj.get("type"))
            if obj.get("type") == "ping":
                assert "event_id" not in obj and "timestamp" in obj, f"ping frame {obj}"
                await ws.send('{"type":"pong"}')
                return
    raise AssertionError(f"no JSON ping within 10 s of a held step; frames: {got}")


@scenario("CF-STR-017", requires={cap.PACING, cap.WIRE})
async def sdk_single_framing_runs_to_end(s: Session) -> None:
    """The SDK in compatible single-frame mode (one ack per event) drives a backtest to backtest_complete."""
    from tradewire.sdk import AsyncClient
    from tradewire.testkit.conformance.stream import SdkTap

    assert s.conn.base_url is not None
    async with AsyncClient(s.conn.base_url, s.conn.api_key, framing="single", max_retries=0) as client:
        tap = SdkTap(client.stream(reconnect=False))
        await tap.start()
        candles = 0
        try:
            while True:
                batch = await tap.next_batch(10)
                assert batch is not None, "the SDK stream ended before backtest_complete"
                assert len(batch.events) <= 1, (
                    f"single framing delivered {len(batch.events)} events in one frame"
                )
                candles += sum(kind(e) == "candle" for e in batch.events)
                await tap.ack(batch)
                if any(kind(e) == "backtest_complete" for e in batch.events):
                    break
        finally:
            await tap.close()
    assert s.market is None or candles == sum(len(x.rows) for x in s.market.series), f"{candles} candles"


@scenario("CF-STR-018", requires={cap.WIRE, cap.MARKET_ORDERS})
async def frames_follow_encoding_rules(s: Session) -> None:
    """Every frame, trading events included, uses snake_case keys, decimal strings, `Z` timestamps and no nulls."""
    # The order goes in at the first market data, a candle or a quote: a live venue streams minute
    # bars (events.md) with quotes between them, so waiting for a candle could take a minute.
    tap = await s.raw_stream("single")
    frames = 0
    h = None
    traded = filled = False
    while frames < 40 and not (filled and frames >= 10):
        batch = await tap.next_batch(10)
        if batch is None:
            break
        for raw in batch.raw:
            checks.wire_shape(orjson.loads(raw), f"frame {frames + 1}")
            frames += 1
        if h is not None:
            traded = traded or any(
                is_order(wire_name(e.event), h.id)(e) for e in batch.events if kind(e) == "order"
            )
            filled = filled or any(is_order("ORDER_FILLED", h.id)(e) for e in batch.events)
        elif any(kind(e) in ("candle", "quote") for e in batch.events):
            h = await s.client.submit_order(symbol=s.symbol, side="BUY", quantity="1", order_type="MARKET")
        if batch.event_ids:  # harmless where acks are ignored
            await tap.ack_ids(batch.event_ids)
        if any(kind(e) == "backtest_complete" for e in batch.events):
            break
    assert h is not None and frames >= 10, f"only {frames} frames"
    assert traded, f"no frame carried an order event of {h.id}"


@scenario("CF-STR-019", requires={cap.PACING, cap.WIRE, cap.LIMIT_ORDERS})
async def batched_framing_order_events_same_step(s: Session) -> None:
    """With `framing=batch`, an order placed while a batch is held arrives as a further batch of the same step."""
    tap = await s.raw_stream("batch")
    held = None
    while held is None:
        batch = await tap.next_batch(5)
        assert batch is not None, "stream ended"
        if any(kind(e) == "candle" for e in batch.events):
            held = batch
        else:
            await tap.ack(batch)
    h = await s.client.submit_order(
        symbol=s.symbol, side="BUY", quantity="1", order_type="LIMIT", limit_price="50.00"
    )
    extra = await tap.next_batch(5)
    assert extra is not None and extra.handle and extra.handle != held.handle, "no further batch frame"
    created = [e for e in extra.events if is_order("ORDER_CREATED", h.id)(e)]
    assert created, f"the further batch lacks ORDER_CREATED: {describe_all(extra.events)}"
    assert created[0].timestamp == held.events[0].timestamp, "the order's batch is not of the held step"
    await tap.ack(held)
    await quiet(tap, 0.3, "the order's batch was still unacknowledged")
    await tap.ack(extra)
    nxt = await sim_events(tap, 1)
    assert nxt[0].timestamp > created[0].timestamp


@scenario("CF-STR-020", requires={cap.PACING, cap.WIRE, cap.SERVER_CONTROL}, server={"ack_timeout": 0.5})
async def ack_timeout_stops_the_run(s: Session) -> None:
    """With an ack timeout configured, an unacknowledged step stops the run: `error` INTERNAL_ERROR, then close 1011."""
    tap = await s.raw_stream("single")
    held = ids(await sim_events(tap, PER_STEP))
    seen: list[Any] = []
    while True:
        try:
            batch = await tap.next_batch(10)
        except TimeoutError:
            raise AssertionError(f"the run neither advanced nor stopped; saw {describe_all(seen)}") from None
        if batch is None:
            break
        seen.extend(batch.events)
    sim = [e for e in seen if kind(e) not in LOCAL_TYPES and kind(e) != "error"]
    assert not sim, f"time advanced without acks: {describe_all(sim)}"
    errors = [e for e in seen if kind(e) == "error"]
    assert errors and wire_name(errors[0].code) == "INTERNAL_ERROR", (
        f"expected error INTERNAL_ERROR: {describe_all(seen)}"
    )
    details = codec.value_to_json(errors[0].details) if errors[0].details is not None else None
    assert isinstance(details, dict) and details.get("reason") == "ack_timeout", f"error details {details}"
    assert set(held) <= set(details.get("pending", [])), f"pending {details.get('pending')} lacks {held}"
    assert tap.closed_code == 1011, f"closed with {tap.closed_code}, not 1011"
