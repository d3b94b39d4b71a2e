"""Property seam: every generated message type survives encode → decode unchanged, and matches its wire table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.protocol._generated.wire_table import ENUMS, MESSAGES

DECIMALS = st.from_regex(r"-?[0-9]{1,12}(\.[0-9]{1,10})?", fullmatch=True)
TIMESTAMPS = st.datetimes(
    min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def scalar(kind: str) -> st.SearchStrategy[Any]:
    if kind == "string":
        return st.text(max_size=12)
    if kind == "bool":
        return st.booleans()
    if kind == "int":
        return st.integers(0, 2**31 - 1)
    if kind == "decimal":
        return DECIMALS
    if kind == "timestamp":
        return TIMESTAMPS
    if kind == "json":
        return JSON.map(codec.json_to_value)
    if kind.startswith("enum:"):
        enum_cls = getattr(m, kind[5:])
        return st.sampled_from([enum_cls(n) for n in ENUMS[kind[5:]]["emit"]])
    return st.deferred(lambda: message(getattr(m, kind[8:])))


def message(cls: type) -> st.SearchStrategy[Any]:
    spec = MESSAGES[cls.__name__]
    if spec["tagged_union"]:
        return st.one_of(
            [
                message(getattr(m, f["kind"][8:])).map(lambda v, n=f["name"]: cls(**{n: v}))
                for f in spec["fields"]
            ]
        )
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for f in spec["fields"]:
        value = scalar(f["kind"])
        if f["repeated"]:
            value = st.lists(value, max_size=3)
        elif not f["required"]:
            value = st.none() | value
        fields[f["name"]] = value
    return st.builds(cls, **fields)


@pytest.mark.parametrize("name", sorted(MESSAGES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_message_round_trips(name: str, data: st.DataObject) -> None:
    cls = getattr(m, name)
    original = data.draw(message(cls))
    wire = codec.encode(original)
    again = codec.decode(cls, wire)
    assert codec.encode(again) == wire
    assert again == original or _equal_modulo_json(again, original)


def _equal_modulo_json(a: Any, b: Any) -> bool:
    # google.protobuf.Value numbers are doubles: 3 and 3.0 are the same JSON value.
    return codec.to_dict(a) == codec.to_dict(b)


def test_message_type_tags_cover_the_stream() -> None:
    tags = {spec["type_tag"] for spec in MESSAGES.values() if spec["type_tag"]}
    assert tags == {
        "candle",
        "quote",
        "order",
        "trade",
        "position",
        "account",
        "financing",
        "backtest_complete",
        "connection",
        "data_staleness",
        "rate_limit",
        "error",
        "ping",
        "batch",
        "event_ack",
        "pong",
    }


def test_decimals_never_become_floats() -> None:
    bar = codec.decode(
        m.Bar,
        b'{"symbol":"A","provider":"p","timeframe":"1d","timestamp":"2025-01-01T00:00:00Z",'
        b'"open":0.1,"high":"0.30000000000000004","low":0.1,"close":0.2,"volume":3}',
    )
    assert (bar.open, bar.high, bar.close, bar.volume) == ("0.1", "0.30000000000000004", "0.2", "3")
    assert orjson.loads(codec.encode(bar))["open"] == "0.1"
