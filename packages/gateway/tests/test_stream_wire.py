"""The batch frame envelope written without the codec must equal the codec's EventBatch encoding."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import orjson
import pytest

from tradewire.gateway.stream import wire
from tradewire.protocol import codec
from tradewire.protocol.messages import EventBatch

STAMPS = [
    dt.datetime(2024, 3, 1, 14, 31, tzinfo=dt.UTC),
    dt.datetime(2024, 3, 1, 14, 31, 0, 125000, tzinfo=dt.UTC),
    dt.datetime(2024, 3, 1, 14, 31, 0, 125001, tzinfo=dt.UTC),
    dt.datetime(2024, 3, 1, 14, 31, 0, 1000, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
    dt.datetime(2024, 3, 1, 14, 31, 0, 5),
]


def _codec_frame(batch_id: str, stamp: dt.datetime, events: list[str]) -> str:
    messages = [codec.decode_frame(e) for e in events]
    return codec.encode(EventBatch(batch_id=batch_id, timestamp=stamp, events=messages)).decode()


@pytest.mark.parametrize("stamp", STAMPS)
@pytest.mark.parametrize("batch_id", ["b-1", 'b-"x\\é'])
def test_fast_head_equals_codec(stamp: dt.datetime, batch_id: str) -> None:
    text = codec.timestamp_text(stamp)
    assert (
        text == orjson.loads(codec.encode(EventBatch(batch_id="b", timestamp=stamp, events=[])))["timestamp"]
    )
    assert wire._head is wire._fast_head
    assert wire._fast_head(batch_id, text) == wire._codec_head(batch_id, text)
    assert wire.batch_frame(batch_id, text, "") == _codec_frame(batch_id, stamp, [])


def test_batch_frame_splices_encoded_messages() -> None:
    stamp = STAMPS[1]
    wires = [
        wire.Wire('{"type":"ping","timestamp":"2024-03-01T14:31:00Z"}'),
        wire.Wire('{"type":"ping","timestamp":"2024-03-01T14:31:01Z"}'),
    ]
    for n in (1, 2):
        frame = wire.batch_frame("b-7", codec.timestamp_text(stamp), wire.join(wires[:n]))
        assert frame == _codec_frame("b-7", stamp, [w.text for w in wires[:n]])


def test_batch_shares_its_joined_body_and_lists_ids_alone() -> None:
    batch = wire.Batch(['{"a":1}', '{"b":2}', '{"c":3}'], ["evt-1", None, "evt-3"], "2024-03-01T14:31:00Z")
    assert batch.body == '{"a":1},{"b":2},{"c":3}'
    assert batch.body is batch.body
    assert batch.ids == ["evt-1", "evt-3"]
    assert [(w.text, w.event_id) for w in batch.wires()] == [
        ('{"a":1}', "evt-1"),
        ('{"b":2}', None),
        ('{"c":3}', "evt-3"),
    ]
    every = wire.Batch(['{"a":1}'], ["evt-9"], "2024-03-01T14:31:00Z")
    assert every.ids is every.event_ids
