"""Stream messages encoded once (through the protocol codec, or by the venue) and shared by every client."""

from __future__ import annotations

import datetime as dt

import betterproto2
import orjson

from tradewire.protocol import codec
from tradewire.protocol.messages import EventBatch, ServerMessage

_EMPTY_TAIL = b"[]}"


class Wire:
    """One encoded server message: its JSON text and its backtest event id.

    A plain slotted class rather than a frozen dataclass: one is built per live event on the hot path.
    """

    __slots__ = ("event_id", "is_complete", "text")

    def __init__(self, text: str, event_id: str | None = None, is_complete: bool = False) -> None:
        self.text = text
        self.event_id = event_id
        self.is_complete = is_complete

    @classmethod
    def of(cls, message: betterproto2.Message, event_id: str | None = None) -> Wire:
        """Encode a ServerMessage (or a bare stream event) once."""
        is_complete = type(message) is ServerMessage and message.backtest_complete is not None
        return cls(codec.encode(message).decode(), event_id, is_complete)


class Batch:
    """A backtest batch, encoded: what one `batch` frame carries, shared by every client.

    `texts` and `event_ids` are aligned (None: a message without an id, such as an error notice);
    `ids` lists the ids alone. The joined texts are made once, by the first client to need them.
    """

    __slots__ = ("_body", "event_ids", "ids", "texts", "timestamp")

    def __init__(self, texts: list[str], event_ids: list[str | None], timestamp: str) -> None:
        self.texts = texts
        self.event_ids = event_ids
        # every message of a simulated step has an id but a rare error notice: share the list then
        self.ids: list[str] = event_ids if None not in event_ids else [i for i in event_ids if i is not None]  # type: ignore[assignment]
        self.timestamp = timestamp
        self._body: str | None = None

    @property
    def body(self) -> str:
        """The messages joined as the inside of a JSON array."""
        body = self._body
        if body is None:
            texts = self.texts
            body = self._body = texts[0] if len(texts) == 1 else ",".join(texts)
        return body

    def wires(self) -> list[Wire]:
        """The messages one per frame (clients without batched framing)."""
        return [Wire(t, i) for t, i in zip(self.texts, self.event_ids, strict=True)]


def event_id_of(message: ServerMessage) -> str | None:
    """The `event_id` a stream message carries, if any."""
    event = codec.payload(message)
    return getattr(event, "event_id", None)


def _codec_head(batch_id: str, timestamp: str) -> str:
    stamp = dt.datetime.fromisoformat(timestamp.removesuffix("Z") + "+00:00")
    head = codec.encode(EventBatch(batch_id=batch_id, timestamp=stamp, events=[]))
    assert head.endswith(_EMPTY_TAIL)
    return head[:-3].decode() + "["


def _fast_head(batch_id: str, timestamp: str) -> str:
    return (
        f'{{"type":"batch","batch_id":{orjson.dumps(batch_id).decode()},"timestamp":"{timestamp}","events":['
    )


_PROBE = "2024-03-01T14:31:00.125Z"
#: The batch envelope written directly (one per frame on the hot path), unless the codec's layout
#: of EventBatch differs from the one assumed here; then every head goes through the codec.
_head = _fast_head if _fast_head("b-1", _PROBE) == _codec_head("b-1", _PROBE) else _codec_head


def batch_frame(batch_id: str, timestamp: str, body: str) -> str:
    """A `{"type":"batch",...}` frame (batched framing extension) around already encoded messages.

    `timestamp` is wire timestamp text and `body` the messages' texts joined with commas. The
    envelope has the codec's layout for an EventBatch (checked at import) and the messages are
    spliced into its `events` array, so each message is encoded once however many clients get it.
    """
    return f"{_head(batch_id, timestamp)}{body}]}}"


def join(wires: list[Wire]) -> str:
    """Messages as the `body` of a batch frame."""
    return wires[0].text if len(wires) == 1 else ",".join([w.text for w in wires])
