"""Stream messages encoded once (through the protocol codec) and shared by every client."""

from __future__ import annotations

import datetime as dt

import betterproto2
import orjson

from tradewire.protocol import codec
from tradewire.protocol.messages import EventBatch, ServerMessage

_EMPTY_TAIL = b"[]}"


class Wire:
    """One encoded server message: its JSON bytes, its backtest event id, and its text (made on demand).

    A plain slotted class rather than a frozen dataclass: one is built per event on the hot path.
    """

    __slots__ = ("_text", "data", "event_id", "is_complete")

    def __init__(self, data: bytes, event_id: str | None = None, is_complete: bool = False) -> None:
        self.data = data
        self.event_id = event_id
        self.is_complete = is_complete
        self._text: str | None = None

    @property
    def text(self) -> str:
        """The message as a str (WebSocket text frames carry str in ASGI)."""
        text = self._text
        if text is None:
            text = self._text = self.data.decode()
        return text

    @classmethod
    def of(cls, message: betterproto2.Message, event_id: str | None = None) -> Wire:
        """Encode a ServerMessage (or a bare stream event) once."""
        is_complete = type(message) is ServerMessage and message.backtest_complete is not None
        return cls(codec.encode(message), event_id, is_complete)


def event_id_of(message: ServerMessage) -> str | None:
    """The `event_id` a stream message carries, if any."""
    event = codec.payload(message)
    return getattr(event, "event_id", None)


def timestamp_text(value: dt.datetime) -> str:
    """A timestamp as the codec writes it (UTC, `Z`, milliseconds when whole, else microseconds)."""
    tz = value.tzinfo
    if tz is not None and tz is not dt.UTC:
        value = value.astimezone(dt.UTC)
        tz = dt.UTC
    text = value.isoformat()
    if tz is not None:
        text = text[:-6]  # "+00:00"
    us = value.microsecond
    if us and us % 1000 == 0:
        text = text[:-3]
    return text + "Z"


def _codec_head(batch_id: str, timestamp: dt.datetime) -> bytes:
    head = codec.encode(EventBatch(batch_id=batch_id, timestamp=timestamp, events=[]))
    assert head.endswith(_EMPTY_TAIL)
    return head[:-3] + b"["


def _fast_head(batch_id: str, timestamp: dt.datetime) -> bytes:
    return b"".join(
        (
            b'{"type":"batch","batch_id":',
            orjson.dumps(batch_id),
            b',"timestamp":"',
            timestamp_text(timestamp).encode(),
            b'","events":[',
        )
    )


_PROBE = dt.datetime(2024, 3, 1, 14, 31, 0, 125000, tzinfo=dt.UTC)
#: The batch envelope written directly (one per frame on the hot path), unless the codec's layout
#: of EventBatch differs from the one assumed here; then every head goes through the codec.
_head = _fast_head if _fast_head("b-1", _PROBE) == _codec_head("b-1", _PROBE) else _codec_head


def batch_frame(batch_id: str, timestamp: dt.datetime, wires: list[Wire]) -> str:
    """A `{"type":"batch",...}` frame (batched framing extension) around already encoded messages.

    The envelope has the codec's layout for an EventBatch (checked at import) and the encoded
    messages are spliced into its `events` array, so each message is encoded once however many
    clients receive it.
    """
    data = wires[0].data if len(wires) == 1 else b",".join([w.data for w in wires])
    return (_head(batch_id, timestamp) + data + b"]}").decode()
