"""Precision (rest.md, "normalize, don't refuse"): on the grid, never more aggressive, idempotent, exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradewire.protocol import precision, reject_codes
from tradewire.protocol.errors import OrderRejected
from tradewire.protocol.messages import (
    ModifyOrderRequest,
    ModifyPositionExitsRequest,
    OrderType,
    Side,
    SubmitOrderRequest,
    TrailingType,
)
from tradewire.protocol.precision import Grid

CENT = Grid(Decimal("0.01"))
STEPS = st.sampled_from(
    [Decimal(s) for s in ("0.01", "0.00000001", "1", "0.25", "0.05", "5", "0.0003", "1E-12")]
)
# Positive decimals of up to 40 significant digits, from 1e-40 to 1e+20: what clients send and beyond.
VALUES = st.builds(
    lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
    st.integers(min_value=1, max_value=10**40 - 1),
    st.integers(min_value=-40, max_value=-20),
)
SIDES = st.sampled_from([Side.BUY, Side.SELL])
PRICE_FIELDS = st.sampled_from(["limit_price", "stop_price", "stop_loss", "take_profit"])


def scaled(value: Decimal, exponent: int) -> int:
    """`value` as a whole count of 10**exponent, by integers (no decimal context involved)."""
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int) and exp >= exponent
    n: int = int("".join(map(str, digits)) or "0") * pow(10, exp - exponent)
    return -n if sign else n


def low_exponent(*values: Decimal) -> int:
    exps = [e for v in values if isinstance(e := v.as_tuple().exponent, int)]
    assert len(exps) == len(values)
    return min(exps)


def multiple_of(value: Decimal, step: Decimal) -> bool:
    """Exact check by integers: value / step is whole."""
    e = low_exponent(value, step)
    return scaled(value, e) % scaled(step, e) == 0


def within_one_step(a: Decimal, b: Decimal, step: Decimal) -> bool:
    """|a - b| < step, by integers."""
    e = low_exponent(a, b, step)
    return abs(scaled(a, e) - scaled(b, e)) < scaled(step, e)


@given(VALUES, STEPS, st.booleans())
def test_to_step_lands_on_the_grid_within_one_step_in_the_asked_direction(
    value: Decimal, step: Decimal, up: bool
) -> None:
    moved = precision.to_step(value, step, up)
    assert multiple_of(moved, step)
    assert (moved >= value) if up else (moved <= value)
    assert within_one_step(moved, value, step)
    assert precision.to_step(moved, step, up) == moved  # idempotent
    assert precision.to_step(moved, step, not up) == moved


@given(VALUES, STEPS)
def test_a_value_on_the_grid_is_returned_as_given(value: Decimal, step: Decimal) -> None:
    on = precision.to_step(value, step, up=True)
    assert str(precision.to_step(on, step, up=False)) == str(on)


@given(VALUES, PRICE_FIELDS, SIDES, STEPS)
def test_prices_never_become_more_aggressive(value: Decimal, field: str, side: Side, tick: Decimal) -> None:
    grid = Grid(tick)
    try:
        moved = precision.price(value, grid, field, side)
    except OrderRejected as e:
        assert value < tick and not precision.rounds_up(field, side)
        assert e.details[reject_codes.KEY] == reject_codes.INVALID_PRICE
        return
    buying = side == Side.BUY
    # A buy limit no higher, a sell limit no lower; a buy stop no lower, a sell stop no higher;
    # an entry's stop_loss is its exit side's stop and its take_profit that side's limit.
    no_higher = {
        "limit_price": buying,
        "stop_price": not buying,
        "stop_loss": buying,
        "take_profit": not buying,
    }[field]
    assert (moved <= value) if no_higher else (moved >= value)
    assert multiple_of(moved, tick)
    assert precision.price(moved, grid, field, side) == moved


@given(VALUES, STEPS)
def test_quantities_are_floored_to_the_lot_step(value: Decimal, lot: Decimal) -> None:
    grid = Grid(Decimal("0.01"), lot)
    if value < lot:
        with pytest.raises(OrderRejected):
            precision.quantity(value, grid)
        return
    q = precision.quantity(value, grid)
    assert q <= value and within_one_step(q, value, lot) and multiple_of(q, lot)
    assert precision.quantity(q, grid) == q


def test_the_specs_examples() -> None:
    grid = Grid.of_scales(2, 8)
    assert str(precision.quantity(Decimal("54.13012882970661470174299015"), grid)) == "54.13012882"
    assert str(precision.price(Decimal("183.1502999999"), grid, "stop_price", Side.SELL)) == "183.15"
    assert str(precision.price(Decimal("183.1502999999"), grid, "stop_price", Side.BUY)) == "183.16"
    assert str(precision.price(Decimal("149.505"), grid, "limit_price", Side.BUY)) == "149.50"
    assert str(precision.price(Decimal("149.505"), grid, "limit_price", Side.SELL)) == "149.51"
    # long position (entry BUY): stop-loss down, take-profit up; short: the other way
    assert str(precision.price(Decimal("145.009"), grid, "stop_loss", Side.BUY)) == "145.00"
    assert str(precision.price(Decimal("160.001"), grid, "take_profit", Side.BUY)) == "160.01"
    assert str(precision.price(Decimal("145.001"), grid, "stop_loss", Side.SELL)) == "145.01"
    assert str(precision.price(Decimal("160.009"), grid, "take_profit", Side.SELL)) == "160.00"


def test_arithmetic_is_exact_beyond_the_default_28_digits() -> None:
    value = Decimal("12345678901234567890.123456789012345678901")  # 41 digits
    assert precision.to_step(value, Decimal("1E-20"), up=False) == Decimal(
        "12345678901234567890.12345678901234567890"
    )
    assert precision.to_step(value, Decimal("1E-20"), up=True) == Decimal(
        "12345678901234567890.12345678901234567891"
    )


def test_a_quantity_below_the_minimum_is_invalid_quantity_with_the_grid_in_details() -> None:
    grid = Grid(Decimal("0.01"), Decimal("0.001"), Decimal("0.01"))
    with pytest.raises(OrderRejected) as e:
        precision.quantity(Decimal("0.0099"), grid)
    assert e.value.details == {
        "reject_code": "INVALID_QUANTITY",
        "field": "quantity",
        "lot_step": "0.001",
        "min_quantity": "0.01",
    }
    assert precision.quantity(Decimal("0.0109"), grid) == Decimal("0.010")
    with pytest.raises(OrderRejected):
        precision.quantity(Decimal("0.000000009"), Grid(Decimal("0.01")))


def test_a_price_that_would_move_to_zero_is_invalid_price() -> None:
    with pytest.raises(OrderRejected) as e:
        precision.price(Decimal("0.004"), CENT, "limit_price", Side.BUY)
    assert e.value.details == {"reject_code": "INVALID_PRICE", "field": "limit_price", "tick_size": "0.01"}
    assert precision.price(Decimal("0.004"), CENT, "limit_price", Side.SELL) == Decimal("0.01")


def test_a_grid_takes_positive_decimals_only() -> None:
    for bad in (Decimal(0), Decimal(-1), Decimal("NaN"), 0.01):
        with pytest.raises(ValueError):
            Grid(bad)  # type: ignore[arg-type]
    assert Grid(Decimal("0.01"), Decimal("0.1"), Decimal("0.05")).minimum == Decimal("0.1")


def test_normalize_submit_moves_every_field_and_keeps_the_clients_text_when_nothing_moves() -> None:
    req = SubmitOrderRequest(
        symbol="AAPL",
        side=Side.BUY,
        quantity="54.13012882970661470174299015",
        order_type=OrderType.LIMIT,
        limit_price="149.5051",
        stop_loss="145.0099",
        take_profit="160.0001",
        display_quantity="5.000000001",
    )
    out = precision.normalize_submit(req, Grid.of_scales(2))
    assert (out.quantity, out.limit_price, out.stop_loss, out.take_profit, out.display_quantity) == (
        "54.13012882",
        "149.50",
        "145.00",
        "160.01",
        "5.00000000",
    )
    assert req.quantity == "54.13012882970661470174299015"  # the caller's request is not changed
    plain = SubmitOrderRequest(
        symbol="AAPL", side=Side.SELL, quantity="10", order_type=OrderType.LIMIT, limit_price="149.5"
    )
    assert precision.normalize_submit(plain, Grid.of_scales(2)) is plain


def test_trailing_distances_widen_when_absolute_and_stay_when_percent() -> None:
    req = SubmitOrderRequest(
        symbol="AAPL",
        side=Side.SELL,
        quantity="1",
        order_type=OrderType.TRAILING_STOP,
        trailing_distance="1.001",
        trailing_type=TrailingType.ABSOLUTE,
    )
    assert precision.normalize_submit(req, CENT).trailing_distance == "1.01"
    pct = SubmitOrderRequest(
        symbol="AAPL",
        side=Side.SELL,
        quantity="1",
        order_type=OrderType.TRAILING_STOP,
        trailing_distance="1.001",
        trailing_type=TrailingType.PERCENT,
    )
    assert precision.normalize_submit(pct, CENT) is pct


def test_normalize_modify_and_exits_follow_the_orders_side() -> None:
    mod = precision.normalize_modify(
        ModifyOrderRequest(quantity="2.123456789", limit_price="99.999"), Side.SELL, CENT
    )
    assert (mod.quantity, mod.limit_price) == ("2.12345678", "100.00")
    exits = precision.normalize_exits(
        ModifyPositionExitsRequest(stop_loss="95.555", take_profit="110.555"), Side.BUY, CENT
    )
    assert (exits.stop_loss, exits.take_profit) == ("95.55", "110.56")
    short = precision.normalize_exits(ModifyPositionExitsRequest(stop_loss="95.555"), Side.SELL, CENT)
    assert short.stop_loss == "95.56"
