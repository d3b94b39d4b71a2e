"""Decoding seam: strict input rules of the codec (spec README "Encoding rules"), each failure naming its field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import orjson
import pytest

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.protocol.errors import InvalidRequest

ORDER = {"symbol": "AAPL", "side": "BUY", "quantity": "10", "order_type": "MARKET"}


def body(**changes: object) -> bytes:
    obj = dict(ORDER)
    for k, v in changes.items():
        if v is ...:
            obj.pop(k, None)
        else:
            obj[k] = v
    return orjson.dumps(obj)


def error_of(cls: type, data: bytes | str) -> codec.DecodeError:
    with pytest.raises(codec.DecodeError) as info:
        codec.decode(cls, data)
    return info.value


def test_malformed_decimal_names_the_path() -> None:
    order = {"id": "o", "symbol": "AAPL", "side": "BUY", "order_type": "MARKET", "quantity": "abc"}
    err = error_of(m.ModifyOrderResult, orjson.dumps({"order": order}))
    assert str(err) == 'order.quantity: not a decimal: "abc"'
    assert err.path == "order.quantity"
    assert isinstance(err, InvalidRequest) and err.status == 400


@pytest.mark.parametrize(
    "bad", ['"1e5"', '"1,000"', '" 1"', '"NaN"', '"Infinity"', '"+1"', '".5"', '"5."', '""']
)
def test_decimal_text_is_plain_digits(bad: str) -> None:
    err = error_of(m.SubmitOrderRequest, body().replace(b'"10"', bad.encode()))
    assert err.path == "quantity"


def test_decimal_json_numbers_are_taken_through_their_text() -> None:
    assert codec.decode(m.SubmitOrderRequest, body(quantity=10)).quantity == "10"
    raw = body().replace(b'"10"', b"66.66666666666666666666666667")
    assert codec.decode(m.SubmitOrderRequest, raw).quantity == "66.66666666666666666666666667"
    assert codec.decode(m.SubmitOrderRequest, body().replace(b'"10"', b"0.1")).quantity == "0.1"


@pytest.mark.parametrize("literal", [b"1e5", b"1E-7", b"NaN", b"Infinity", b"-Infinity"])
def test_decimal_numbers_in_exponent_form_or_not_finite_are_refused(literal: bytes) -> None:
    with pytest.raises(codec.DecodeError):
        codec.decode(m.SubmitOrderRequest, body().replace(b'"10"', literal))


def test_full_precision_strings_keep_their_scale() -> None:
    q = codec.decode(
        m.Quote,
        b'{"symbol":"X","provider":"p","bid":"1.03010","ask":"1.03022","last":"1.0","timestamp":"2025-01-15T14:30:00Z"}',
    )
    assert (q.bid, q.last) == ("1.03010", "1.0")
    assert b'"bid":"1.03010"' in codec.encode(q)


def test_unknown_enum_value_lists_the_allowed_spellings() -> None:
    err = error_of(m.SubmitOrderRequest, body(side="BUYX"))
    assert err.path == "side"
    assert 'unknown Side value "BUYX"' in err.reason and "BUY, SELL" in err.reason


@pytest.mark.parametrize(
    ("field", "value", "member"),
    [
        ("side", "buy", m.Side.BUY),
        ("side", "SELL", m.Side.SELL),
        ("order_type", "stop_limit", m.OrderType.STOP_LIMIT),
        ("order_type", "TRAILING_STOP", m.OrderType.TRAILING_STOP),
        ("time_in_force", "ioc", m.TimeInForce.IOC),
        ("trailing_type", "percent", m.TrailingType.PERCENT),
        ("margin_mode", "isolated", m.MarginMode.ISOLATED),
    ],
)
def test_spec_aliases_are_accepted(field: str, value: str, member: object) -> None:
    assert getattr(codec.decode(m.SubmitOrderRequest, body(**{field: value})), field) == member


@pytest.mark.parametrize("value", ["Buy", "SIDE_BUY", "bUY", 1, "UNSPECIFIED"])
def test_other_spellings_are_refused(value: object) -> None:
    assert error_of(m.SubmitOrderRequest, body(side=value)).path == "side"


def test_enum_wire_spellings_from_the_schema() -> None:
    bar = m.Bar(
        symbol="A",
        provider="p",
        timeframe=m.Timeframe.M1,
        timestamp=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        open="1",
        high="1",
        low="1",
        close="1",
        volume="0",
    )
    assert orjson.loads(codec.encode(bar))["timeframe"] == "1m"
    assert codec.enum_spelling(m.TradingPlatform.ALPACA_PAPER) == "alpaca-paper"
    assert codec.parse_enum(m.TradingPlatform, "tektii") == m.TradingPlatform.BACKTEST
    assert codec.parse_enum(m.Timeframe, "1h") == m.Timeframe.H1
    for bad in ("60m", "1H", "1min"):
        with pytest.raises(codec.DecodeError):
            codec.parse_enum(m.Timeframe, bad)


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"symbol": ...}, "symbol", "missing required field"),
        ({"symbol": 123}, "symbol", "expected a string, got a number"),
        ({"reduce_only": "yes"}, "reduce_only", "expected a boolean, got a string"),
        ({"quantity": True}, "quantity", "expected a decimal string, got a boolean"),
        ({"side": None}, "side", "missing required field"),
    ],
)
def test_missing_and_wrong_types(changes: dict[str, object], path: str, reason: str) -> None:
    err = error_of(m.SubmitOrderRequest, body(**changes))
    assert (err.path, err.reason) == (path, reason)


def test_unknown_keys_are_ignored_and_nulls_mean_absent() -> None:
    req = codec.decode(m.SubmitOrderRequest, body(extra_key={"x": 1}, limit_price=None))
    assert req.limit_price is None


def test_not_json_and_not_an_object() -> None:
    assert "not valid JSON" in error_of(m.SubmitOrderRequest, b"{").reason
    assert error_of(m.SubmitOrderRequest, b"[1]").reason == "expected an object, got an array"
    assert error_of(m.SubmitOrderRequest, b"{").to_body().message.startswith("Invalid JSON:")


def test_list_paths_and_integers() -> None:
    err = error_of(
        m.EventBatch,
        b'{"batch_id":"b","timestamp":"2025-01-01T00:00:00Z","events":[{"type":"ping","timestamp":"2025-01-01T00:00:00Z"},{"type":"candle","bar":{"symbol":"A","provider":"p","timeframe":"1m","timestamp":"2025-01-01T00:00:00Z","open":"x"}}]}',
    )
    assert err.path == "events[1].bar.open"
    assert (
        error_of(
            m.ConnectionStatus, b'{"connected":true,"latency_ms":1.5,"last_heartbeat":"2025-01-01T00:00:00Z"}'
        ).path
        == "latency_ms"
    )
    assert (
        error_of(
            m.ConnectionStatus,
            b'{"connected":true,"latency_ms":true,"last_heartbeat":"2025-01-01T00:00:00Z"}',
        ).path
        == "latency_ms"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-15T10:30:00Z", dt.datetime(2025, 1, 15, 10, 30, tzinfo=dt.UTC)),
        ("2025-01-15T10:30:00.125Z", dt.datetime(2025, 1, 15, 10, 30, 0, 125000, tzinfo=dt.UTC)),
        ("2025-01-15T11:30:00+01:00", dt.datetime(2025, 1, 15, 10, 30, tzinfo=dt.UTC)),
        ("2025-01-15T10:30:00.123456789Z", dt.datetime(2025, 1, 15, 10, 30, 0, 123456, tzinfo=dt.UTC)),
        ("2025-01-15t10:30:00.5z", dt.datetime(2025, 1, 15, 10, 30, 0, 500000, tzinfo=dt.UTC)),
    ],
)
def test_timestamps_in(text: str, expected: dt.datetime) -> None:
    status = codec.decode(
        m.ConnectionStatus, orjson.dumps({"connected": True, "latency_ms": 0, "last_heartbeat": text})
    )
    assert status.last_heartbeat == expected and status.last_heartbeat.tzinfo == dt.UTC


@pytest.mark.parametrize(
    "text", ["2025-01-15T10:30:00", "2025-01-15", "2025-01-15 10:30:00Z", "yesterday", "2025-13-45T10:30:00Z"]
)
def test_timestamps_without_offset_or_malformed_are_refused(text: str) -> None:
    err = error_of(
        m.ConnectionStatus, orjson.dumps({"connected": True, "latency_ms": 0, "last_heartbeat": text})
    )
    assert err.path == "last_heartbeat"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.datetime(2025, 1, 15, 10, 30, tzinfo=dt.UTC), "2025-01-15T10:30:00Z"),
        (dt.datetime(2025, 1, 15, 10, 30, 0, 125000, tzinfo=dt.UTC), "2025-01-15T10:30:00.125Z"),
        (dt.datetime(2025, 1, 15, 10, 30, 0, 125001, tzinfo=dt.UTC), "2025-01-15T10:30:00.125001Z"),
        (dt.datetime(2025, 1, 15, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))), "2025-01-15T10:30:00Z"),
    ],
)
def test_timestamps_out(value: dt.datetime, text: str) -> None:
    status = m.ConnectionStatus(connected=False, latency_ms=0, last_heartbeat=value)
    assert codec.to_dict(status) == {"connected": False, "latency_ms": 0, "last_heartbeat": text}


def test_required_fields_are_always_sent_and_optional_ones_omitted() -> None:
    result = m.CancelAllResult(cancelled_count=0, failed_count=0)
    assert codec.to_dict(result) == {"cancelled_count": 0, "failed_count": 0}
    result.failed_order_ids = ["ord-1"]
    assert codec.to_dict(result)["failed_order_ids"] == ["ord-1"]
    ready = m.ReadyStatus(ready=False, providers=[], provider_count=0)
    assert codec.to_dict(ready) == {"ready": False, "providers": [], "provider_count": 0}


def test_unset_required_fields_cannot_be_encoded() -> None:
    with pytest.raises(codec.EncodeError, match=r"OrderHandle\.status"):
        codec.encode(m.OrderHandle(id="x"))
    with pytest.raises(codec.EncodeError, match=r"CandleEvent\.bar"):
        codec.encode(m.CandleEvent(timestamp=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)))


def test_dec_formats_decimals_without_exponents() -> None:
    assert codec.dec(Decimal("1E+2")) == "100"
    assert codec.dec(Decimal("0.0000001")) == "0.0000001"
    assert codec.dec(Decimal("150.00")) == "150.00"
    assert codec.dec(Decimal("-0")) == "0"
    assert codec.dec(Decimal("-0.00")) == "0.00"
    assert codec.dec(7) == "7"
    with pytest.raises(TypeError):
        codec.dec(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        codec.dec(Decimal("NaN"))


def test_query_decoding() -> None:
    q = codec.decode_query(
        m.ListOrdersRequest,
        {
            "status": ["OPEN,PENDING", "FILLED"],
            "side": ["buy"],
            "limit": ["50"],
            "since": ["2025-01-01T00:00:00Z"],
            "unknown": ["x"],
        },
    )
    assert q.status == [m.OrderStatus.OPEN, m.OrderStatus.PENDING, m.OrderStatus.FILLED]
    assert (q.side, q.limit) == (m.Side.BUY, 50)
    assert q.since == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(codec.DecodeError, match="limit: not an integer"):
        codec.decode_query(m.ListOrdersRequest, {"limit": ["ten"]})
    with pytest.raises(codec.DecodeError, match="status"):
        codec.decode_query(m.ListOrdersRequest, {"status": ["open"]})  # only upper case in the filter
    with pytest.raises(codec.DecodeError, match="timeframe"):
        codec.decode_query(m.GetBarsRequest, {"symbol": ["AAPL"], "timeframe": ["60m"]})


def test_unknown_stream_types_are_a_distinct_error() -> None:
    with pytest.raises(codec.UnknownMessageType):
        codec.decode_frame(b'{"type":"future_thing","timestamp":"2025-01-01T00:00:00Z"}')


def test_union_wrapping() -> None:
    ping = m.PingEvent(timestamp=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    wrapped = codec.server_message(ping)
    assert wrapped.ping is ping and codec.payload(wrapped) is ping
    assert (
        codec.encode(wrapped) == codec.encode(ping) == b'{"type":"ping","timestamp":"2025-01-01T00:00:00Z"}'
    )


def test_error_details_carry_any_json() -> None:
    err = m.ErrorBody(
        code=m.ErrorCode.ORDER_NOT_FOUND,
        message="x",
        details=codec.json_to_value({"id": "o", "n": [1, 2.5, None, True]}),
    )
    assert orjson.loads(codec.encode(err))["details"] == {"id": "o", "n": [1, 2.5, None, True]}
