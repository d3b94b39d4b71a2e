"""google.protobuf.Value <-> plain JSON, for the free-form `details` fields."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import betterproto2

from tradewire.protocol._generated.google.protobuf import ListValue, NullValue, Struct, Value


def json_to_value(obj: Any) -> Value:
    """Any JSON value as a google.protobuf.Value (for `details` fields)."""
    if obj is None:
        return Value(null_value=NullValue.NULL_VALUE)
    if isinstance(obj, bool):
        return Value(bool_value=obj)
    if isinstance(obj, (int, float)):
        return Value(number_value=float(obj))
    if isinstance(obj, (str, Decimal)):
        return Value(string_value=str(obj))
    if isinstance(obj, Mapping):
        return Value(struct_value=Struct(fields={str(k): json_to_value(v) for k, v in obj.items()}))
    if isinstance(obj, (list, tuple)):
        return Value(list_value=ListValue(values=[json_to_value(v) for v in obj]))
    raise TypeError(f"{type(obj).__name__} is not JSON")


def value_to_json(value: Value) -> Any:
    """A google.protobuf.Value as plain JSON; whole numbers come back as ints."""
    name, inner_value = betterproto2.which_one_of(value, "kind")
    inner: Any = inner_value
    if name == "struct_value":
        return {k: value_to_json(v) for k, v in inner.fields.items()}
    if name == "list_value":
        return [value_to_json(v) for v in inner.values]
    if name == "number_value":
        return int(inner) if float(inner).is_integer() and abs(inner) < 2**53 else inner
    if name in ("string_value", "bool_value"):
        return inner
    return None
