"""Stream frames without I/O: decode a server frame into a Delivery, encode acks and pongs."""

from __future__ import annotations

import itertools
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk._candles import candle_from_json, wire_candle

__all__ = ["PONG", "Delivery", "StreamState", "ack_frame", "parse_frame"]

PONG = b'{"type":"pong"}'
_log = logging.getLogger("tradewire.sdk.stream")
_SERVER = m.ServerMessage
_from_dict = codec.from_dict
_payload = codec.payload


@dataclass(slots=True)
class Delivery:
    """What one frame brought: its events (protocol event messages), their ids and the batch id.

    Attributes:
        events: The decoded events (CandleEvent, OrderEvent, ...), in order; unknown types are skipped.
            Candles are `Candle`s instead of CandleEvents when the stream was asked for `candles`.
        event_ids: Every `event_id` of the frame (unknown types included, so they are released too).
        batch_id: The frame's batch id under the batched framing; None for one-event frames.
        complete: Whether the frame carried `backtest_complete` (the end of a backtest).
        raw: The frame as received.
        bars: How many of the events are candles.
    """

    events: list[Any]
    event_ids: list[str] = field(default_factory=list)
    batch_id: str | None = None
    complete: bool = False
    raw: bytes | str = b""
    bars: int = 0


@dataclass(frozen=True, slots=True)
class StreamState:
    """A change of the client's own connection to the gateway, passed to `Strategy.on_connection`.

    Attributes:
        state: "connected", "disconnected", "reconnecting" or "closed".
        attempt: Reconnect attempt number (0 on the first connect).
        delay: Seconds until the next attempt ("reconnecting").
        error: Why the connection dropped, when known.
    """

    state: str
    attempt: int = 0
    delay: float = 0.0
    error: str | None = None


def _decode_events(items: list[Any], delivery: Delivery, candles: bool) -> None:
    events = delivery.events
    ids = delivery.event_ids
    bars = 0
    for item in items:
        decode = _protocol_event
        kind = None
        if type(item) is dict:
            eid = item.get("event_id")
            if type(eid) is str:
                ids.append(eid)
            kind = item.get("type")
            if candles and kind == "candle":
                decode = candle_from_json
        try:
            events.append(decode(item))
        except codec.UnknownMessageType:
            continue  # clients ignore unknown types (their ids are still released)
        except codec.DecodeError as e:
            # a message this client cannot read is skipped, not fatal; its id is still released
            _log.warning("skipping an undecodable stream message: %s", e.message)
            continue
        if kind == "candle":
            bars += 1
        elif kind == "backtest_complete":
            delivery.complete = True
    delivery.bars = bars


# Stream message classes by type tag, learnt from the codec's ServerMessage union on first sight:
# later messages of a known type decode straight into their class, without the union wrapper.
_BY_TAG: dict[str, type] = {}


def _protocol_event(item: Any) -> Any:
    tag = item.get("type") if type(item) is dict else None
    cls = _BY_TAG.get(tag) if type(tag) is str else None
    if cls is not None:
        return _from_dict(cls, item)
    event = _payload(_from_dict(_SERVER, item))
    if isinstance(tag, str):  # always, once the union decoded it
        _BY_TAG[tag] = type(event)
    return event


def parse_frame(raw: bytes | str, candles: bool = False) -> Delivery | None:
    """A server frame as a Delivery; None for a JSON `ping` (answer it with PONG).

    With `candles`, candle messages arrive as `Candle`s (what a Strategy's `on_candle` takes, the
    protocol Bar made on demand) instead of protocol `CandleEvent`s.

    Raises:
        codec.DecodeError: the frame is not a valid server message.
    """
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise codec.DecodeError("", f"frame is not JSON ({e.msg})") from None
    if type(obj) is not dict:
        raise codec.DecodeError("", "frame is not a JSON object")
    kind = obj.get("type")
    if kind == "ping":
        return None
    try:
        if kind == "batch":
            events = obj.get("events")
            delivery = Delivery([], batch_id=obj.get("batch_id"), raw=raw)
            _decode_events(events if type(events) is list else [], delivery, candles)
        else:
            delivery = Delivery([], raw=raw)
            _decode_events([obj], delivery, candles)
    except codec.DecodeError:
        raise
    except Exception:  # a decimal sent as a JSON number: decode again keeping its exact digits
        return _parse_exact(raw, candles)
    return delivery


def _parse_exact(raw: bytes | str, candles: bool) -> Delivery:
    frame = codec.decode_frame(raw)
    if isinstance(frame, m.EventBatch):
        delivery = Delivery([], batch_id=frame.batch_id, raw=raw)
        messages = frame.events
    else:
        delivery = Delivery([], raw=raw)
        messages = [frame]
    for message in messages:
        event = _payload(message)
        eid = getattr(event, "event_id", None)
        if eid:
            delivery.event_ids.append(eid)
        delivery.complete = delivery.complete or type(event) is m.BacktestCompleteEvent
        if type(event) is m.CandleEvent:
            delivery.bars += 1
            if candles:
                event = wire_candle(event)
        delivery.events.append(event)
    return delivery


class _CorrelationIds:
    """UUID-shaped correlation ids for acks: a random uuid4 prefix per process and a counter.

    The spec asks for a fresh UUID per ack, for logs only; these stay unique (72 random bits per
    process, 48 counted) for a tenth of `str(uuid.uuid4())`, whose UUID object costs ~3 µs per ack.
    """

    def __init__(self) -> None:
        self.reseed()
        os.register_at_fork(after_in_child=self.reseed)  # a forked child must not repeat the parent's ids

    def reseed(self) -> None:
        self.prefix = str(uuid.uuid4())[:24].encode()  # "xxxxxxxx-xxxx-4xxx-yxxx-"
        self.counter = itertools.count()

    def __call__(self) -> bytes:
        return b"%s%012x" % (self.prefix, next(self.counter) & 0xFFFF_FFFF_FFFF)


_correlation_id = _CorrelationIds()
# One ack per step on a backtest's hot path: the bytes orjson writes for the ack dict, as a template.
_BATCH_ACK = b'{"type":"event_ack","correlation_id":"%s","events_processed":[],"timestamp":%d,"batch_id":%s}'


def ack_frame(delivery: Delivery) -> bytes | None:
    """The `event_ack` that releases a delivery (by batch id, else by its event ids); None if nothing to release."""
    batch_id = delivery.batch_id
    if batch_id is None:
        if not delivery.event_ids:
            return None
        body: dict[str, Any] = {
            "type": "event_ack",
            "correlation_id": _correlation_id().decode(),
            "events_processed": delivery.event_ids,
            "timestamp": time.time_ns() // 1_000_000,
        }
        return orjson.dumps(body)
    return _BATCH_ACK % (_correlation_id(), time.time_ns() // 1_000_000, orjson.dumps(batch_id))
