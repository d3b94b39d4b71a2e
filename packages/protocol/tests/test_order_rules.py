"""Order rules (rest.md, POST /v1/orders): price fields per type as the spec's table, one set of messages, reject codes."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tradewire.protocol import codec, decimals, order_rules, reject_codes
from tradewire.protocol.errors import InvalidRequest, InvalidValue, ValidationError
from tradewire.protocol.messages import (
    ClosePositionRequest,
    ModifyOrderRequest,
    ModifyPositionExitsRequest,
    OrderType,
    RejectReason,
    SubmitOrderRequest,
    TrailingType,
)

REST_MD = next(
    (
        p / "docs" / "spec" / "rest.md"
        for p in Path(__file__).resolve().parents
        if (p / "noxfile.py").is_file()
    ),
    None,
)


def order(**changes: Any) -> SubmitOrderRequest:
    fields: dict[str, Any] = {"symbol": "AAPL", "side": "BUY", "quantity": "1", "order_type": "MARKET"}
    fields.update(changes)
    return codec.from_dict(SubmitOrderRequest, {k: v for k, v in fields.items() if v is not None})


def test_price_rules_are_the_specs_table() -> None:
    assert REST_MD is not None and REST_MD.is_file(), "docs/spec/rest.md is missing"
    text = REST_MD.read_text()
    table = text[text.index("| order_type | requires | must not have |") :].split("\n\n")[0]
    rows = re.findall(r"^\| `(\w+)` \| (.*?) \| (.*?) \|$", table, re.M)
    assert len(rows) == len(order_rules.PRICE_RULES)
    for name, requires, forbids in rows:
        required, forbidden = order_rules.PRICE_RULES[OrderType[name]]
        assert set(required) == set(re.findall(r"`(\w+)`", requires)), name
        assert set(forbidden) == set(re.findall(r"`(\w+)`", forbids)), name


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"order_type": "LIMIT"}, "Invalid request: Limit orders require limit_price", "limit_price"),
        ({"order_type": "STOP"}, "Invalid request: Stop orders require stop_price", "stop_price"),
        (
            {"order_type": "STOP_LIMIT", "stop_price": "1"},
            "Invalid request: Stop limit orders require limit_price",
            "limit_price",
        ),
        (
            {"order_type": "TRAILING_STOP", "trailing_type": "ABSOLUTE"},
            "Invalid request: Trailing stop orders require trailing_distance",
            "trailing_distance",
        ),
        (
            {"order_type": "TRAILING_STOP", "trailing_distance": "1"},
            "Invalid request: Trailing stop orders require trailing_type",
            "trailing_type",
        ),
    ],
)
def test_a_missing_required_field_is_invalid_request_naming_it(
    changes: dict[str, str], message: str, field: str
) -> None:
    with pytest.raises(InvalidRequest) as e:
        order_rules.check_submit(order(**changes))
    assert e.value.message == message
    assert e.value.details == {"field": field}


def test_a_forbidden_field_is_invalid_value_with_field_and_provided() -> None:
    with pytest.raises(InvalidValue) as e:
        order_rules.check_submit(order(limit_price="10.00"))
    assert e.value.message == "Invalid value: limit_price is not allowed for Market orders"
    assert e.value.details == {"field": "limit_price", "provided": "10.00"}
    with pytest.raises(InvalidValue) as e:
        order_rules.check_price_fields(OrderType.STOP_LIMIT, Decimal("1"), Decimal("2"), Decimal("0.50"))
    assert e.value.details == {"field": "trailing_distance", "provided": "0.50"}


def test_positivity_quantity_is_validation_error_prices_invalid_value() -> None:
    with pytest.raises(ValidationError) as q:
        order_rules.check_submit(order(quantity="0"))
    assert q.value.message == "Validation error: quantity must be greater than 0"
    assert q.value.details == {"field": "quantity", "provided": "0"}
    for field in ("stop_loss", "take_profit", "leverage", "display_quantity"):
        with pytest.raises(InvalidValue) as e:
            order_rules.check_submit(order(**{field: "-1"}))
        assert e.value.message == f"Invalid value: {field} must be greater than 0"
        assert e.value.details == {"field": field, "provided": "-1"}


def test_relational_rules() -> None:
    with pytest.raises(InvalidValue, match="PERCENT trailing_distance must be below 100"):
        order_rules.check_submit(
            order(order_type="TRAILING_STOP", trailing_distance="100", trailing_type="PERCENT")
        )
    order_rules.check_submit(
        order(order_type="TRAILING_STOP", trailing_distance="100", trailing_type="ABSOLUTE")
    )
    with pytest.raises(InvalidValue, match="display_quantity must be below quantity"):
        order_rules.check_submit(order(quantity="10", display_quantity="10"))
    order_rules.check_trailing(TrailingType.PERCENT, Decimal("99.99"), "99.99")


def test_lengths() -> None:
    with pytest.raises(ValidationError, match="symbol must be 1-20 characters"):
        order_rules.check_submit(order(symbol="S" * 21))
    with pytest.raises(ValidationError) as e:
        order_rules.check_submit(order(client_order_id="c" * 65))
    assert e.value.details == {"field": "client_order_id"}
    order_rules.check_submit(order(client_order_id="c" * 64, oco_group_id="o" * 64, symbol="S" * 20))


def test_decimal_value_takes_text_int_and_decimal_and_refuses_the_rest_naming_the_field() -> None:
    assert order_rules.decimal_value("quantity", "1.50") == Decimal("1.50")
    assert order_rules.decimal_value("quantity", 3) == 3
    assert order_rules.decimal_value("quantity", Decimal("0.1")) == Decimal("0.1")
    for bad in (1.5, True, "abc", "NaN", Decimal("Infinity"), None):
        with pytest.raises(InvalidRequest) as e:
            order_rules.decimal_value("limit_price", bad)
        assert e.value.details == {"field": "limit_price"}, bad


def test_over_long_decimals_are_invalid_request_naming_the_field() -> None:
    for long in ("1" * 1000, "0." + "0" * 70 + "1", "1." + "2" * decimals.MAX_DIGITS):
        with pytest.raises(InvalidRequest) as e:
            order_rules.decimal_value("quantity", long)
        assert e.value.details == {"field": "quantity"}
        with pytest.raises(codec.DecodeError) as d:
            order(quantity=long)
        assert d.value.details == {"field": "quantity"} and "too long" in d.value.message
    fine = "54.13012882970661470174299015"
    assert order(quantity=fine).quantity == fine
    assert order_rules.decimal_value("quantity", "9" * decimals.MAX_DIGITS) == Decimal(
        "9" * decimals.MAX_DIGITS
    )


def test_decimal_bounds() -> None:
    assert decimals.excess("1" * 40) is None
    assert decimals.excess("0.000000000000000000000000000000000000000000000000000000000001") is None
    assert decimals.excess("1" * 41) == "more than 40 significant digits"
    assert decimals.excess("0." + "0" * 63) == "longer than 64 characters"
    assert decimals.too_long(Decimal("1E+100")) == "longer than 64 characters"
    head = b'{"symbol":"A","side":"BUY","order_type":"MARKET","quantity":'
    for number in (b"1" * 80, b"7" * 1000):  # JSON numbers: within a double, and beyond one
        with pytest.raises(codec.DecodeError, match="too long") as e:
            codec.decode(SubmitOrderRequest, head + number + b"}")
        assert e.value.details == {"field": "quantity"}
    with pytest.raises(codec.DecodeError, match="not valid JSON"):
        codec.decode(SubmitOrderRequest, head + b"7" * 5000 + b"}")


def test_amendments_exits_and_closes() -> None:
    with pytest.raises(ValidationError):
        order_rules.check_modify(ModifyOrderRequest(quantity="-1"))
    with pytest.raises(InvalidValue) as e:
        order_rules.check_modify(ModifyOrderRequest(limit_price="0"))
    assert e.value.details == {"field": "limit_price", "provided": "0"}
    order_rules.check_modify(ModifyOrderRequest())
    with pytest.raises(ValidationError):
        order_rules.check_exits(ModifyPositionExitsRequest())
    with pytest.raises(InvalidValue):
        order_rules.check_exits(ModifyPositionExitsRequest(take_profit="-2"))
    with pytest.raises(InvalidRequest, match="Limit orders require limit_price"):
        order_rules.check_close(ClosePositionRequest(order_type=OrderType.LIMIT))
    with pytest.raises(InvalidValue):
        order_rules.check_close(ClosePositionRequest(order_type=OrderType.STOP))
    with pytest.raises(ValidationError):
        order_rules.check_close(ClosePositionRequest(quantity="0"))


def test_reject_codes_follow_the_schema_and_enums_md() -> None:
    for reason in RejectReason:
        code = reject_codes.code_of(reason)
        assert code in (reason.name, reject_codes.INSUFFICIENT_FUNDS, reject_codes.INVALID_SYMBOL, "UNKNOWN")
    assert reject_codes.code_of(RejectReason.INSUFFICIENT_MARGIN) == "INSUFFICIENT_FUNDS"
    assert reject_codes.code_of(RejectReason.SYMBOL_NOT_TRADEABLE) == "INVALID_SYMBOL"
    assert reject_codes.code_of(RejectReason.POST_ONLY_VIOLATED) == "POST_ONLY_VIOLATED"
    assert reject_codes.FUNDS == {"INSUFFICIENT_FUNDS", "INSUFFICIENT_BALANCE", "INSUFFICIENT_MARGIN"}
    assert reject_codes.code_in({"reject_code": "X", "reject_reason": "Y"}) == "X"
    assert reject_codes.code_in({"reject_reason": "Y"}) == "Y"
    assert reject_codes.code_in({"reject_code": 3}) is None and reject_codes.code_in("x") is None


def test_rejected_gives_one_message_and_code_per_reason() -> None:
    err = reject_codes.rejected(RejectReason.INSUFFICIENT_MARGIN, order_id="ord-1")
    assert err.message == "Order rejected: insufficient buying power (margin)"
    assert err.details == {"reject_code": "INSUFFICIENT_FUNDS", "order_id": "ord-1"}
    assert reject_codes.rejected(RejectReason.POST_ONLY_VIOLATED).details == {
        "reject_code": "POST_ONLY_VIOLATED"
    }
    assert reject_codes.rejected(RejectReason.UNKNOWN).message == "Order rejected: rejected"


def test_a_close_is_market_or_limit_with_a_price() -> None:
    order_rules.check_close_type(None, None)
    order_rules.check_close_type(OrderType.LIMIT, "1.00")
    with pytest.raises(InvalidValue) as e:
        order_rules.check_close_type(int(OrderType.STOP_LIMIT), "1.00")
    assert e.value.details == {"field": "order_type", "provided": "STOP_LIMIT"}
    with pytest.raises(InvalidRequest):
        order_rules.check_close_type(OrderType.LIMIT, None)


# -- sizing by quote notional (rest.md "Sized by notional") -----------------------------------------


def test_a_market_order_may_be_sized_by_notional_instead_of_quantity() -> None:
    order_rules.check_submit(order(quantity=None, notional="250.50"))
    with pytest.raises(codec.DecodeError) as e:
        order_rules.check_submit(order(quantity=None))
    assert e.value.message == "quantity: missing required field", "the answer from before notional existed"
    assert e.value.details == {"field": "quantity"}


@pytest.mark.parametrize(
    ("changes", "error", "message", "field"),
    [
        (
            {"notional": "100"},
            InvalidValue,
            "Invalid value: give quantity or notional, not both",
            "quantity",
        ),
        (
            {"quantity": None, "notional": "100", "order_type": "LIMIT", "limit_price": "10"},
            InvalidValue,
            "Invalid value: notional is not allowed for Limit orders; only Market orders are sized by notional",
            "notional",
        ),
        (
            {"quantity": None, "notional": "0"},
            ValidationError,
            "Validation error: notional must be greater than 0",
            "notional",
        ),
        (
            {"quantity": None, "notional": "100", "stop_loss": "90"},
            InvalidValue,
            "Invalid value: stop_loss is not allowed on an order sized by notional",
            "stop_loss",
        ),
        (
            {"quantity": None, "notional": "100", "take_profit": "120"},
            InvalidValue,
            "Invalid value: take_profit is not allowed on an order sized by notional",
            "take_profit",
        ),
        (
            {"quantity": None, "notional": "100", "oco_group_id": "g"},
            InvalidValue,
            "Invalid value: oco_group_id is not allowed on an order sized by notional",
            "oco_group_id",
        ),
        (
            {"quantity": None, "notional": "100", "display_quantity": "1"},
            InvalidValue,
            "Invalid value: display_quantity is not allowed on an order sized by notional",
            "display_quantity",
        ),
    ],
)
def test_notional_rules(changes: dict[str, Any], error: type[Exception], message: str, field: str) -> None:
    with pytest.raises(error) as e:
        order_rules.check_submit(order(**changes))
    assert isinstance(e.value, InvalidRequest | InvalidValue | ValidationError)
    assert e.value.message == message
    assert e.value.details is not None and e.value.details["field"] == field


def test_a_venue_that_sizes_by_quantity_only_refuses_notional_with_501() -> None:
    from tradewire.protocol.errors import UnsupportedOperation

    assert order_rules.quantity_of(order(), "somewhere") == "1"
    with pytest.raises(UnsupportedOperation) as e:
        order_rules.quantity_of(order(quantity=None, notional="5"), "somewhere")
    assert e.value.details == {"platform": "somewhere", "field": "notional"}
    assert "somewhere" in e.value.message
