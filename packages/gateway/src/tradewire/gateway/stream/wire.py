"""Stream messages encoded once (through the protocol codec) and shared by every client."""

from __future__ import annotations

import datetime as dt

import betterproto2

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


def batch_frame(batch_id: str, timestamp: dt.datetime, wires: list[Wire]) -> str:
    """A `{"type":"batch",...}` frame (batched framing extension) around already encoded messages.

    The envelope comes from the codec (EventBatch with no events) and the encoded messages are spliced
    into its empty `events` array, so each message is encoded once however many clients receive it.
    """
    head = codec.encode(EventBatch(batch_id=batch_id, timestamp=timestamp, events=[]))
    assert head.endswith(_EMPTY_TAIL)
    return (head[:-3] + b"[" + b",".join(w.data for w in wires) + b"]}").decode()
