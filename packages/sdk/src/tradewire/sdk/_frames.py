"""Stream frames without I/O: decode a server frame into a Delivery, encode acks and pongs."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

from tradewire.protocol import codec
from tradewire.protocol import messages as m

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
        event_ids: Every `event_id` of the frame (unknown types included, so they are released too).
        batch_id: The frame's batch id under the batched framing; None for one-event frames.
        complete: Whether the frame carried `backtest_complete` (the end of a backtest).
    """

    events: list[Any]
    event_ids: list[str] = field(default_factory=list)
    batch_id: str | None = None
    complete: bool = False
    raw: bytes | str = b""


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


def _decode_events(items: list[Any], delivery: Delivery) -> None:
    events = delivery.events
    ids = delivery.event_ids
    for item in items:
        if type(item) is dict:
            eid = item.get("event_id")
            if type(eid) is str:
                ids.append(eid)
        try:
            event = _payload(_from_dict(_SERVER, item))
        except codec.UnknownMessageType:
            continue  # clients ignore unknown types (their ids are still released)
        except codec.DecodeError as e:
            # a message this client cannot read is skipped, not fatal; its id is still released
            _log.warning("skipping an undecodable stream message: %s", e.message)
            continue
        if type(event) is m.BacktestCompleteEvent:
            delivery.complete = True
        events.append(event)


def parse_frame(raw: bytes | str) -> Delivery | None:
    """A server frame as a Delivery; None for a JSON `ping` (answer it with PONG).

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
            _decode_events(events if type(events) is list else [], delivery)
        else:
            delivery = Delivery([], raw=raw)
            _decode_events([obj], delivery)
    except codec.DecodeError:
        raise
    except Exception:  # a decimal sent as a JSON number: decode again keeping its exact digits
        return _parse_exact(raw)
    return delivery


def _parse_exact(raw: bytes | str) -> Delivery:
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
        delivery.events.append(event)
    return delivery


def ack_frame(delivery: Delivery) -> bytes | None:
    """The `event_ack` that releases a delivery (by batch id, else by its event ids); None if nothing to release."""
    if delivery.batch_id is None and not delivery.event_ids:
        return None
    body: dict[str, Any] = {
        "type": "event_ack",
        "correlation_id": str(uuid.uuid4()),
        "events_processed": [] if delivery.batch_id is not None else delivery.event_ids,
        "timestamp": time.time_ns() // 1_000_000,
    }
    if delivery.batch_id is not None:
        body["batch_id"] = delivery.batch_id
    return orjson.dumps(body)
