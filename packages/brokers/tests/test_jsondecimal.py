"""Broker JSON keeps decimals exact: numbers parsed from their text, never through float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradewire.brokers._live.jsondecimal import (
    BrokerJsonError,
    decimal_field,
    decimal_text,
    loads,
    optional_decimal,
)


def test_json_numbers_become_the_exact_decimal_of_their_text() -> None:
    body = loads(
        '{"bp": 173.21, "a": 0.1, "b": 0.2, "sz": 0.000000001, "big": 12345678901234567890.123456789}'
    )
    assert body["a"] + body["b"] == Decimal("0.3")  # float: 0.30000000000000004
    assert body["sz"] == Decimal("1E-9")
    assert body["big"] == Decimal("12345678901234567890.123456789")  # float keeps ~17 digits
    assert str(body["bp"]) == "173.21"


def test_integers_stay_exact_ints_and_exponents_become_decimals() -> None:
    body = loads(b'{"orderId": 9007199254740993, "s": 100, "e": 1e-8}')
    assert body["orderId"] == 9007199254740993  # 2**53 + 1: a float would round it
    assert isinstance(body["s"], int)
    assert body["e"] == Decimal("0.00000001")


@pytest.mark.parametrize("text", ['{"p": NaN}', '{"p": Infinity}', '{"p": -Infinity}', "{not json"])
def test_non_finite_numbers_and_bad_json_are_refused(text: str) -> None:
    with pytest.raises(BrokerJsonError):
        loads(text)


def test_decimal_field_reads_strings_decimals_and_ints() -> None:
    body = loads('{"qty": "10", "filled_avg_price": "105.8988475", "n": 3, "bp": 173.21}')
    assert decimal_field(body, "qty") == Decimal("10")
    assert decimal_field(body, "filled_avg_price") == Decimal("105.8988475")
    assert decimal_field(body, "n") == Decimal(3)
    assert decimal_field(body, "bp") == Decimal("173.21")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"p": 0.1}, "float"),
        ({"p": True}, "bool"),
        ({"p": "abc"}, "not a decimal"),
        ({"p": "NaN"}, "not finite"),
        ({"p": "1" * 70}, "longer than 64"),
        ({}, "missing"),
        ({"p": None}, "missing"),
        ({"p": [1]}, "not a decimal"),
    ],
)
def test_decimal_field_refuses_what_is_not_an_exact_finite_decimal(body: dict[str, object], why: str) -> None:
    with pytest.raises(BrokerJsonError, match=why):
        decimal_field(body, "p")


def test_optional_decimal_is_none_for_null_or_absent() -> None:
    body = loads('{"filled_avg_price": null, "limit_price": "187.5"}')
    assert optional_decimal(body, "filled_avg_price") is None
    assert optional_decimal(body, "stop_price") is None
    assert optional_decimal(body, "limit_price") == Decimal("187.5")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1E+2"), "100"),
        (Decimal("0.000000010"), "0.00000001"),
        (Decimal("1E-9"), "0.000000001"),
        (Decimal("187.50"), "187.5"),
        (Decimal("-0"), "0"),
        (Decimal("-0.000"), "0"),
        (Decimal("10"), "10"),
        (Decimal("-2.5"), "-2.5"),
    ],
)
def test_decimal_text_is_plain_digits_never_exponent_notation(value: Decimal, text: str) -> None:
    assert decimal_text(value) == text


def test_decimal_text_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        decimal_text(Decimal("NaN"))
