"""The parameter space: each parameter's values, typed from the strategy's class attribute of that name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.strategy import Strategy

__all__ = ["Parameter", "parameter_kind", "parse_values", "space_of"]

#: Column names of the trials table a parameter may not take.
RESERVED = frozenset(
    {"trial_id", "window", "phase", "status", "error", "objective", "returns", "days", "symbols"}
)
_KINDS: tuple[type, ...] = (bool, int, float, Decimal, str)


@dataclass(frozen=True, slots=True)
class Parameter:
    """One swept parameter: its name, the type of the class attribute, and its values in order."""

    name: str
    kind: type
    values: tuple[Any, ...]


def parameter_kind(strategy: type[Strategy], name: str) -> type:
    """The type of `strategy`'s class attribute `name` (bool, int, float, Decimal or str).

    Raises:
        ConfigurationError: no such attribute, a handler, a private name or an unsupported type.
    """
    if name.startswith("_") or name.startswith("on_") or not hasattr(strategy, name):
        raise ConfigurationError(f"{strategy.__name__} has no parameter {name!r} (a class attribute)")
    if name in RESERVED:
        raise ConfigurationError(f"{name!r} is a column of the trials table; rename the parameter")
    value = getattr(strategy, name)
    for kind in _KINDS:
        if type(value) is kind:
            return kind
    raise ConfigurationError(
        f"{strategy.__name__}.{name} is a {type(value).__name__}; sweep bool, int, float, Decimal or str"
    )


def _one(kind: type, text: str, name: str) -> Any:
    text = text.strip()
    try:
        if kind is bool:
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "1")
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if kind is Decimal:
            return Decimal(text)
    except (ValueError, InvalidOperation):
        raise ConfigurationError(f"{name}: {text!r} is not a {kind.__name__}") from None
    return text


def parse_values(kind: type, spec: str, name: str = "parameter") -> tuple[Any, ...]:
    """`"5:50:5"` (start:stop:step, stop included when on the grid), `"a,b,c"` or one value.

    Raises:
        ConfigurationError: a value of the wrong type, a zero or backwards step, an empty range.
    """
    if ":" in spec and kind in (int, float, Decimal):
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise ConfigurationError(f"{name}: a range is START:STOP[:STEP], got {spec!r}")
        try:
            start, stop = Decimal(parts[0].strip()), Decimal(parts[1].strip())
            step = Decimal(parts[2].strip()) if len(parts) == 3 else Decimal(1)
        except InvalidOperation:
            raise ConfigurationError(f"{name}: {spec!r} is not a numeric range") from None
        if step <= 0 or stop < start:
            raise ConfigurationError(f"{name}: {spec!r} needs START <= STOP and a positive STEP")
        exact: list[Decimal] = []
        value = start
        while value <= stop:  # Decimal steps: 0.1 + 0.2 lands on 0.3, no float drift
            exact.append(value)
            value += step
        if kind is int and any(v != v.to_integral_value() for v in exact):
            raise ConfigurationError(f"{name} is an int; {spec!r} has fractional values")
        return tuple(int(v) if kind is int else float(v) if kind is float else v for v in exact)
    values = tuple(_one(kind, part, name) for part in spec.split(","))
    if not values:
        raise ConfigurationError(f"{name}: no values in {spec!r}")
    return values


def space_of(strategy: type[Strategy], params: Mapping[str, Any]) -> list[Parameter]:
    """The space of `params` (name → range text, or an iterable of values, or one value), in order.

    Raises:
        ConfigurationError: an unknown parameter, a value of the wrong type, no values.
    """
    space = []
    for name, given in params.items():
        kind = parameter_kind(strategy, name)
        if isinstance(given, str):
            values = parse_values(kind, given, name)
        elif isinstance(given, Iterable):
            values = tuple(_one(kind, str(v), name) if not isinstance(v, kind) else v for v in given)
        else:
            values = (given if isinstance(given, kind) else _one(kind, str(given), name),)
        if not values:
            raise ConfigurationError(f"{name}: no values")
        if len(set(values)) != len(values):
            raise ConfigurationError(f"{name}: values repeat ({', '.join(map(str, values))})")
        space.append(Parameter(name, kind, values))
    if not space:
        raise ConfigurationError("nothing to sweep: give at least one parameter (--param NAME=VALUES)")
    return space
