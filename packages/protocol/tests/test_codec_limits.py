"""Hostile bodies: deep nesting and repeated keys are refused as DecodeError (400), never a crash."""

from __future__ import annotations

import pytest

from tradewire.protocol import codec
from tradewire.protocol.messages import SubmitOrderRequest

ORDER = b'"symbol":"AAPL","side":"BUY","order_type":"MARKET"'


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize("decode", [codec.decode, codec.decode_request])
def test_deep_nesting_with_a_float_is_a_decode_error(decode):
    # A JSON float sends the codec to the exact (stdlib, recursive) parse: 1,000 levels used to
    # raise RecursionError there.
    body = b"{" + ORDER + b',"quantity":1.5,"x":' + nested(1000) + b"}"
    with pytest.raises(codec.DecodeError, match=f"nested deeper than {codec.MAX_DEPTH} levels"):
        decode(SubmitOrderRequest, body)


def test_a_request_body_is_bounded_even_without_a_float():
    body = b"{" + ORDER + b',"quantity":"1","x":' + nested(codec.MAX_DEPTH + 1) + b"}"
    assert codec.decode(SubmitOrderRequest, body).quantity == "1"  # orjson's own bound is 1,024
    with pytest.raises(codec.DecodeError, match="nested deeper"):
        codec.decode_request(SubmitOrderRequest, body)


@pytest.mark.parametrize("decode", [codec.decode, codec.decode_request])
def test_nesting_up_to_the_limit_is_read(decode):
    body = b"{" + ORDER + b',"quantity":1.5,"x":' + nested(codec.MAX_DEPTH - 1) + b"}"
    assert decode(SubmitOrderRequest, body).quantity == "1.5"


def test_brackets_inside_strings_do_not_count():
    body = b"{" + ORDER + b',"quantity":1.5,"client_order_id":"' + b"[" * 100 + b'"}'
    assert codec.decode(SubmitOrderRequest, body).client_order_id == "[" * 100


def test_deep_free_form_details_are_refused():
    value = {"a": 1}
    for _ in range(200):
        value = {"a": value}
    with pytest.raises(codec.DecodeError, match="nested deeper"):
        codec._json_in(value)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (b"{" + ORDER + b',"quantity":"1","symbol":"MSFT"}', "symbol"),
        (b"{" + ORDER + b',"quantity":"1","side" : "SELL"}', "side"),  # blanks before the colon
        (b"{" + ORDER + b',"quantity":1.5,"quantity":"2"}', "quantity"),  # via the exact parse
        (b"{" + ORDER + b',"quantity":"1","x":{"a":1,"a":2}}', "a"),  # in a nested object
        (b"{" + ORDER + b',"quantity":"1","client_order_id":"t:1","order_type":"LIMIT"}', "order_type"),
    ],
)
def test_a_repeated_key_is_refused_by_name(body, key):
    assert codec.decode(SubmitOrderRequest, body)  # plain decode keeps last-wins (trusted server frames)
    with pytest.raises(codec.DecodeError) as refused:
        codec.decode_request(SubmitOrderRequest, body)
    assert refused.value.path == key and refused.value.reason == "duplicate key"


@pytest.mark.parametrize(
    "body",
    [
        b"{" + ORDER + b',"quantity":"1"}',
        b"{" + ORDER + b',"quantity":"1","client_order_id":"run:42:\\":x"}',  # colons inside a string
        b'{"symbol" : "AAPL",\n "side":\t"BUY", "order_type": "MARKET", "quantity": 1.25}',
        b"{" + ORDER + b',"quantity":"1","x":[{"a":1},{"a":2}]}',  # same key in different objects
    ],
)
def test_distinct_keys_pass(body):
    assert codec.decode_request(SubmitOrderRequest, body) == codec.decode(SubmitOrderRequest, body)
