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


@pytest.mark.parametrize("stamp", STAMPS)
@pytest.mark.parametrize("batch_id", ["b-1", 'b-"x\\é'])
def test_fast_head_equals_codec(stamp: dt.datetime, batch_id: str) -> None:
    assert wire._head is wire._fast_head
    assert wire._fast_head(batch_id, stamp) == wire._codec_head(batch_id, stamp)
    assert (
        wire.timestamp_text(stamp)
        == orjson.loads(codec.encode(EventBatch(batch_id="b", timestamp=stamp, events=[])))["timestamp"]
    )


def test_batch_frame_splices_encoded_messages() -> None:
    stamp = STAMPS[1]
    wires = [wire.Wire(b'{"type":"ping","timestamp":"x"}'), wire.Wire(b'{"type":"ping","timestamp":"y"}')]
    for n in (1, 2):
        frame = orjson.loads(wire.batch_frame("b-7", stamp, wires[:n]))
        expected = orjson.loads(codec.encode(EventBatch(batch_id="b-7", timestamp=stamp, events=[])))
        expected["events"] = [orjson.loads(w.data) for w in wires[:n]]
        assert frame == expected
