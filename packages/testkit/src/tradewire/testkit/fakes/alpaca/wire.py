"""Alpaca's JSON conventions: decimal strings or raw numbers, RFC 3339 times, ids, JSON text."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

#: JSON values this module writes; Decimal is written as a bare number (market data) unless `dec()`-ed.
Json = Any


def dec(value: Decimal) -> str:
    """Decimal text as Alpaca writes it: no exponent, no trailing zeros (`"10"`, `"187.5"`)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def dec_or_none(value: Decimal | None) -> str | None:
    return None if value is None else dec(value)


def parse_decimal(value: object) -> Decimal | None:
    """A decimal from a request field: a JSON string or number (numbers arrive as Decimal, never float)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal | int | str):
        result = Decimal(str(value).strip())
        if not result.is_finite():
            raise ValueError(value)
        return result
    raise ValueError(value)


def _utc(ns: int) -> datetime:
    return datetime.fromtimestamp(ns // 1_000_000_000, UTC)


def ts6(ns: int) -> str:
    """Trading objects' times: `2026-03-16T18:38:01.942282Z` (microseconds, as Alpaca's order samples)."""
    return _utc(ns).strftime("%Y-%m-%dT%H:%M:%S") + f".{(ns // 1000) % 1_000_000:06d}Z"


def ts9(ns: int) -> str:
    """Stream and market-data times: nanoseconds, `2026-03-16T18:38:02.123456789Z`."""
    return _utc(ns).strftime("%Y-%m-%dT%H:%M:%S") + f".{ns % 1_000_000_000:09d}Z"


def ts0(ns: int) -> str:
    """Bar start times: whole seconds, `2021-02-01T16:01:00Z`."""
    return _utc(ns).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> int:
    """RFC 3339 (any offset, up to 9 fractional digits) or a date, to epoch nanoseconds."""
    raw = text.strip().replace("z", "Z")
    if len(raw) == 10:
        raw += "T00:00:00Z"
    fraction_ns = 0
    if "." in raw:
        head, rest = raw.split(".", 1)
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
        fraction_ns = int((digits + "000000000")[:9])
        raw = head + zone
    parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp()) * 1_000_000_000 + fraction_ns


def new_id() -> str:
    return str(uuid.uuid4())


def dumps(value: Json) -> str:
    """JSON text with Decimal written as a bare number from its own digits (never through float)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, int | str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise TypeError(f"not JSON for the fake: {type(value).__name__}")


def loads(text: str | bytes) -> Json:
    """Request JSON with numbers as Decimal, so a price never passes through float."""
    return json.loads(text, parse_float=Decimal)
