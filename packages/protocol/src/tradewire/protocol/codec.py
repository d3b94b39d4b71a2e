"""Strict JSON codec for the wire messages, compiled once per message class and serialised with orjson.

The rules come from the schema: betterproto2's generated classes give the Python shape, the wire table
(generated from the custom options in protocol/) gives spellings, presence and kinds. Per class this
module compiles a straight-line encoder and decoder (`exec` of generated source), so the hot path has
no per-field dispatch. Decoding is strict and every failure is one `DecodeError` naming the field path.
"""

from __future__ import annotations

import datetime as _dt
import json as _stdjson
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import accumulate
from typing import Any, TypeVar

import betterproto2
import orjson

from tradewire.protocol import decimals
from tradewire.protocol import messages as _m
from tradewire.protocol._generated.google.protobuf import Value
from tradewire.protocol._generated.wire_table import ENUMS, MESSAGES
from tradewire.protocol.errors import InvalidRequest
from tradewire.protocol.json_value import json_to_value, value_to_json

__all__ = [
    "MAX_DEPTH",
    "DecodeError",
    "EncodeError",
    "UnknownMessageType",
    "dec",
    "decode",
    "decode_frame",
    "decode_list",
    "decode_query",
    "decode_request",
    "encode",
    "encode_list",
    "enum_spelling",
    "from_dict",
    "json_to_value",
    "parse_enum",
    "payload",
    "refuse_repeated_keys",
    "server_message",
    "timestamp_text",
    "to_dict",
    "value_to_json",
]

M = TypeVar("M", bound=betterproto2.Message)
_UTC = _dt.UTC
_DECIMAL_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DEC = _DECIMAL_RE.fullmatch
_TIMESTAMP_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


#: Deepest nesting of arrays and objects the codec reads; deeper documents are refused (400), never
#: walked by a recursive Python parser (which would hit the interpreter's recursion limit).
MAX_DEPTH = 64
_STRING_B = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_QUOTE_BLANK = re.compile(rb'"[ \t\r\n]')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


class DecodeError(InvalidRequest):
    """Input that does not match the schema. `path` names the field (`order.quantity`, `events[2].bar`)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        text = f"{path}: {reason}" if path else reason
        super().__init__(text, {"field": path} if path else None)

    def within(self, prefix: str) -> DecodeError:
        """The same error seen from an enclosing message or list."""
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return type(self)(path, self.reason)

    def to_body(self) -> _m.ErrorBody:
        body = super().to_body()
        body.message = f"Invalid JSON: {self.message}"
        return body


class UnknownMessageType(DecodeError):
    """A stream message whose `type` this version does not know; clients ignore it."""


class EncodeError(ValueError):
    """A message that cannot go on the wire (a required field unset): a programming error."""


class _NeedsExactNumbers(Exception):
    """A decimal field arrived as a JSON float: parse the document again keeping number text."""


class _NumberText(str):
    """The literal text of a JSON number, kept when a document is parsed the exact way."""

    __slots__ = ()


# -- scalar helpers ------------------------------------------------------------------------------


def dec(value: Decimal | int | str) -> str:
    """Wire text of a decimal: plain digits, no exponent, scale kept (`Decimal("1E+2")` → `"100"`)."""
    if isinstance(value, str):
        if not _DEC(value):
            raise ValueError(f"not a decimal: {value!r}")
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not a decimal")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite decimal: {value}")
        if value.is_zero() and value.is_signed():
            value = value.copy_abs()  # "-0.00" is not a price anyone means
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not a decimal (floats are never money)")


# Both directions memoise whole values (every event of a step shares its instant); formatting also
# memoises the date part, because datetime.isoformat() on an aware value costs several times this.
_TS_IN: dict[str, _dt.datetime] = {}
_TS_OUT: dict[_dt.datetime, str] = {}
_DAYS: dict[int, str] = {}
_TS_CACHE_MAX = 4096
_TWO_DIGITS = tuple(f"{i:02d}" for i in range(60))


def _ts_to_json(value: _dt.datetime) -> str:
    text = _TS_OUT.get(value)
    if text is None:
        if len(_TS_OUT) >= _TS_CACHE_MAX:
            _TS_OUT.clear()
        text = _TS_OUT[value] = _format_ts(value)
    return text


def timestamp_text(value: _dt.datetime) -> str:
    """A timestamp as the codec writes it: UTC, `Z`, milliseconds when whole, else microseconds."""
    return _ts_to_json(value)


def _format_ts(value: _dt.datetime) -> str:
    tz = value.tzinfo
    if tz is not None and tz is not _UTC:
        value = value.astimezone(_UTC)
    ordinal = value.toordinal()
    day = _DAYS.get(ordinal)
    if day is None:
        if len(_DAYS) >= _TS_CACHE_MAX:
            _DAYS.clear()
        day = _DAYS[ordinal] = value.date().isoformat()
    two = _TWO_DIGITS
    text = f"{day}T{two[value.hour]}:{two[value.minute]}:{two[value.second]}"
    us = value.microsecond
    if us:  # fractions only when non-zero; whole milliseconds as .125, else microseconds
        text += f".{us // 1000:03d}" if us % 1000 == 0 else f".{us:06d}"
    return text + "Z"


def _ts_from_json(value: Any) -> _dt.datetime:
    parsed = _TS_IN.get(value) if type(value) is str else None
    if parsed is None:
        parsed = _parse_ts(value)
        if len(_TS_IN) >= _TS_CACHE_MAX:
            _TS_IN.clear()
        _TS_IN[value] = parsed
    return parsed


def _parse_ts(value: Any) -> _dt.datetime:
    if type(value) is not str or not _TIMESTAMP_RE.fullmatch(value):
        raise DecodeError("", f"not an RFC 3339 timestamp with offset: {_show(value)}")
    try:
        # 3.11's fromisoformat takes any number of fraction digits (keeping microseconds) and "Z",
        # but not RFC 3339's lower-case "t"/"z".
        text = value if value[10] == "T" and value[-1] != "z" else value.upper()
        parsed = _dt.datetime.fromisoformat(text)
    except ValueError:
        raise DecodeError("", f"not a valid timestamp: {_show(value)}") from None
    return parsed if parsed.tzinfo is _UTC else parsed.astimezone(_UTC)


def _show(value: Any) -> str:
    text = orjson.dumps(value).decode() if not isinstance(value, (Decimal, _NumberText)) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, _NumberText)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _bounded(text: str) -> str:
    """`text` (a well-formed decimal) when within the input bounds of `decimals`, else the DecodeError."""
    reason = decimals.excess(text)
    if reason is None:
        return text
    raise DecodeError("", f"decimal too long ({reason}): {text[:24]}...")


def _decimal_in(value: Any) -> str:
    """Slow path of decimal decoding: numbers, long text, number text, and the error messages."""
    if type(value) is int:
        return _bounded(str(value))
    if type(value) is float:
        raise _NeedsExactNumbers
    if type(value) is _NumberText:
        if _DEC(value):
            return _bounded(str.__str__(value))
        raise DecodeError("", f"not a decimal (no exponents, NaN or Infinity): {value}")
    if isinstance(value, str):
        if _DEC(value):
            return _bounded(value)
        raise DecodeError("", f"not a decimal: {_show(value)}")
    raise DecodeError("", f"expected a decimal string, got {_kind_name(value)}")


def _wrong(expected: str, value: Any) -> DecodeError:
    if value is None:
        return DecodeError("", "missing required field")
    return DecodeError("", f"expected {expected}, got {_kind_name(value)}")


# -- enums ----------------------------------------------------------------------------------------


def _enum_class(name: str) -> type[betterproto2.Enum]:
    cls: type[betterproto2.Enum] = getattr(_m, name)
    return cls


def _enum_tables(name: str) -> tuple[dict[int, str], dict[str, betterproto2.Enum]]:
    cls = _enum_class(name)
    table = ENUMS[name]
    emit = {cls(number): wire for number, wire in table["emit"].items()}
    accept = {wire: cls(number) for wire, number in table["accept"].items()}
    return emit, accept  # type: ignore[return-value]


_ENUM_CACHE: dict[str, tuple[dict[int, str], dict[str, betterproto2.Enum]]] = {}


def _enum(name: str) -> tuple[dict[int, str], dict[str, betterproto2.Enum]]:
    tables = _ENUM_CACHE.get(name)
    if tables is None:
        tables = _ENUM_CACHE[name] = _enum_tables(name)
    return tables


def enum_spelling(member: betterproto2.Enum) -> str:
    """The canonical wire spelling of an enum member (`Timeframe.TIMEFRAME_1M` → `"1m"`)."""
    return _enum(type(member).__name__)[0][member]


def parse_enum(cls: type[betterproto2.Enum], text: str) -> Any:
    """The member for a wire spelling or accepted alias; DecodeError otherwise."""
    member = _enum(cls.__name__)[1].get(text)
    if member is None:
        raise _bad_enum(cls.__name__, text)
    return member


def _bad_enum(name: str, value: Any) -> DecodeError:
    if not isinstance(value, str):
        return _wrong(f"one of the {name} values", value)
    allowed = ", ".join(ENUMS[name]["emit"].values())
    return DecodeError("", f"unknown {name} value {_show(value)} (expected one of: {allowed})")


# -- details: plain JSON in --------------------------------------------------------------------


def _json_in(value: Any) -> Value:
    return json_to_value(_plain(value))


def _plain(value: Any, depth: int = 1) -> Any:
    # A free-form field is walked recursively (here and by json_to_value): bound its nesting.
    if type(value) is _NumberText:
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, (dict, list)) and depth > MAX_DEPTH:
        raise _too_deep()
    if isinstance(value, dict):
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1) for v in value]
    return value


# -- compilation ----------------------------------------------------------------------------------

_Encoder = Callable[[Any], Any]
_Decoder = Callable[[Any], Any]
_CODECS: dict[type, tuple[_Encoder, _Decoder]] = {}


def _message_class(name: str) -> type[betterproto2.Message]:
    cls: type[betterproto2.Message] = getattr(_m, name)
    return cls


def _codec(cls: type) -> tuple[_Encoder, _Decoder]:
    pair = _CODECS.get(cls)
    if pair is None:
        pair = _CODECS[cls] = _compile(cls)
    return pair


def _compile(cls: type) -> tuple[_Encoder, _Decoder]:
    spec = MESSAGES.get(cls.__name__)
    if spec is None or getattr(_m, cls.__name__, None) is not cls:
        raise TypeError(f"{cls.__qualname__} is not a tradewire.v1 message")
    if spec["tagged_union"]:
        return _compile_union(cls, spec)
    env: dict[str, Any] = {
        "_cls": cls,
        "_new": object.__new__,
        "_ts_out": _ts_to_json,
        "_ts_in": _ts_from_json,
        "_DEC": _DEC,
        "_SHORT": decimals.SHORT,
        "_dec_in": _decimal_in,
        "_wrong": _wrong,
        "_bad_enum": _bad_enum,
        "_json_in": _json_in,
        "_json_out": value_to_json,
        "_codec": _codec,
        "_raise": _raise,
        "_DecodeError": DecodeError,
        "_EncodeError": EncodeError,
    }
    enc = ["def encode(m):"]
    enc.append(f"    d = {{'type': {spec['type_tag']!r}}}" if spec["type_tag"] else "    d = {}")
    dec = ["def decode(d):", "    if type(d) is not dict: raise _wrong('an object', d)", "    g = d.get"]
    for i, f in enumerate(spec["fields"]):
        name, kind = f["name"], f["kind"]
        key = repr(name)
        out, inn = _field_converters(kind, i, env)
        # encoding
        if f["repeated"]:
            guard = f"    if m.{name}: " if f["omit_empty"] else "    "
            enc.append(f"{guard}d[{key}] = [{out.format('x')} for x in m.{name}]")
        elif f["required"]:
            if kind.startswith(("message:", "enum:")) or kind in ("timestamp", "json"):
                enc.append(f"    v = m.{name}")
                if kind.startswith("enum:"):
                    enc.append(
                        f"    if not v: raise _EncodeError({cls.__name__ + '.' + name!r} + ' is unset')"
                    )
                else:
                    enc.append(
                        f"    if v is None: raise _EncodeError({cls.__name__ + '.' + name!r} + ' is unset')"
                    )
                enc.append(f"    d[{key}] = {out.format('v')}")
            else:
                enc.append(f"    d[{key}] = {out.format('m.' + name)}")
        elif kind == "json":  # a JSON null is the same as absent: omit it
            enc.append(f"    v = m.{name}")
            enc.append(f"    v = None if v is None else {out.format('v')}")
            enc.append(f"    if v is not None: d[{key}] = v")
        else:
            enc.append(f"    v = m.{name}")
            enc.append(f"    if v is not None: d[{key}] = {out.format('v')}")
        # decoding
        dec.append(f"    v = g({key})")
        dec.append("    try:")
        if f["repeated"]:
            dec.append("        if v is None: v = []")
            dec.append("        elif type(v) is not list: raise _wrong('an array', v)")
            dec.append("        else:")
            dec.append("            r = []")
            dec.append("            for j, x in enumerate(v):")
            dec.append("                try: r.append(" + inn.format("x") + ")")
            dec.append("                except _DecodeError as e: raise e.within(f'[{j}]') from None")
            dec.append("            v = r")
        elif f["required"]:
            dec.append("        if v is None: raise _wrong('', None)")
            dec.append(f"        v = {inn.format('v')}")
        else:
            dec.append(f"        if v is not None: v = {inn.format('v')}")
        dec.append(f"    except _DecodeError as e: raise e.within({key}) from None")
        dec.append(f"    a{i} = v")
    enc.append("    return d")
    # Build the instance without the dataclass __init__: the decoder already supplies every field,
    # and skipping the keyword-argument call is a third of a Candle's decode time.
    fields_dict = ", ".join(f"{f['name']!r}: a{i}" for i, f in enumerate(spec["fields"]))
    dec.append("    o = _new(_cls)")
    dec.append(f"    o.__dict__ = {{{fields_dict}, '_unknown_fields': b''}}")
    dec.append("    return o")
    source = "\n".join(enc) + "\n\n" + "\n".join(dec) + "\n"
    exec(compile(source, f"<tradewire codec {cls.__name__}>", "exec"), env)  # noqa: S102 - our own source
    return env["encode"], env["decode"]


def _field_converters(kind: str, i: int, env: dict[str, Any]) -> tuple[str, str]:
    """(encode expression, decode expression) templates for one value of a field kind; `{0}` is the value."""
    if kind == "string":
        return "{0}", "({0} if type({0}) is str else _raise(_wrong('a string', {0})))"
    if kind == "bool":
        return "{0}", "({0} if type({0}) is bool else _raise(_wrong('a boolean', {0})))"
    if kind == "int":
        return "{0}", "({0} if type({0}) is int else _raise(_wrong('an integer', {0})))"
    if kind == "decimal":
        # Text shorter than decimals.SHORT cannot break the length bounds: only longer text pays for the check.
        return "{0}", "({0} if type({0}) is str and len({0}) < _SHORT and _DEC({0}) else _dec_in({0}))"
    if kind == "timestamp":
        return "_ts_out({0})", "_ts_in({0})"
    if kind == "json":
        return "_json_out({0})", "_json_in({0})"
    if kind.startswith("enum:"):
        name = kind[5:]
        emit, accept = _enum(name)
        env[f"_EO{i}"], env[f"_EI{i}"], env[f"_EN{i}"] = emit, accept, name
        return (
            f"_EO{i}[{{0}}]",
            f"(_EI{i}.get({{0}}) if type({{0}}) is str else None) or _raise(_bad_enum(_EN{i}, {{0}}))",
        )
    if kind.startswith("message:"):
        target = _message_class(kind[8:])
        env[f"_M{i}"] = target
        env[f"_enc{i}"] = lambda v, _t=target: _codec(_t)[0](v)
        env[f"_dec{i}"] = lambda v, _t=target: _codec(_t)[1](v)
        return f"_enc{i}({{0}})", f"_dec{i}({{0}})"
    raise TypeError(f"unknown field kind {kind}")


def _raise(error: Exception) -> Any:
    raise error


def _compile_union(cls: type, spec: dict[str, Any]) -> tuple[_Encoder, _Decoder]:
    members: dict[str, tuple[str, type]] = {}  # type tag -> (field name, class)
    by_class: dict[type, str] = {}
    for f in spec["fields"]:
        member_cls = _message_class(f["kind"][8:])
        tag = MESSAGES[member_cls.__name__]["type_tag"]
        members[tag] = (f["name"], member_cls)
        by_class[member_cls] = f["name"]
    names = [f["name"] for f in spec["fields"]]

    def encode(m: Any) -> Any:
        if type(m) in by_class:  # a bare member is accepted where the union is expected
            return _codec(type(m))[0](m)
        for name in names:
            v = getattr(m, name)
            if v is not None:
                return _codec(type(v))[0](v)
        raise EncodeError(f"{cls.__name__} has no member set")

    def decode(d: Any) -> Any:
        if type(d) is not dict:
            raise _wrong("an object", d)
        tag = d.get("type")
        member = members.get(tag) if isinstance(tag, str) else None
        if member is None:
            if isinstance(tag, str):
                raise UnknownMessageType("type", f"unknown message type {_show(tag)}")
            raise DecodeError(
                "type",
                "missing required field" if tag is None else f"expected a string, got {_kind_name(tag)}",
            )
        name, member_cls = member
        return cls(**{name: _codec(member_cls)[1](d)})

    _UNION_MEMBERS[cls] = by_class
    return encode, decode


_UNION_MEMBERS: dict[type, dict[type, str]] = {}


# -- public API ------------------------------------------------------------------------------------


def to_dict(message: betterproto2.Message) -> Any:
    """The message as the plain JSON value the wire carries (dicts, lists, strings, numbers)."""
    return _codec(type(message))[0](message)


def from_dict(cls: type[M], obj: Any) -> M:
    """Decode an already-parsed JSON value into `cls`; raises DecodeError."""
    result: M = _codec(cls)[1](obj)
    return result


def encode(message: betterproto2.Message) -> bytes:
    """The message as wire JSON bytes."""
    return orjson.dumps(_codec(type(message))[0](message))


def encode_list(items: Iterable[betterproto2.Message]) -> bytes:
    """A JSON array of messages (list responses such as `[Order]`)."""
    out = []
    for item in items:
        out.append(_codec(type(item))[0](item))
    return orjson.dumps(out)


def _bytes(data: bytes | bytearray | memoryview | str) -> bytes:
    return data.encode() if isinstance(data, str) else bytes(data)


def _nesting(data: bytes | bytearray | memoryview | str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings ignored)."""
    raw = _bytes(data)
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:  # cannot be deeper: skip the scan
        return 0
    brackets = _STRING_B.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _too_deep() -> DecodeError:
    return DecodeError("", f"nested deeper than {MAX_DEPTH} levels")


def _parse(data: bytes | bytearray | memoryview | str, exact: bool) -> Any:
    if not exact:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as e:
            error = DecodeError("", f"not valid JSON ({e.msg} at position {e.pos})")
            if "infinity" not in e.msg:
                raise error from None
        # A number too long for a double (a 1,000-digit quantity): read it exactly, so that the
        # field's own bound refuses it by name.
        try:
            return _parse(data, exact=True)
        except (DecodeError, UnicodeDecodeError):
            raise error from None
    # The exact parse is the stdlib's recursive one: bound the nesting before it walks the text.
    if _nesting(data) > MAX_DEPTH:
        raise _too_deep()
    text = bytes(data).decode() if isinstance(data, (bytes, bytearray, memoryview)) else data
    try:
        return _stdjson.loads(text, parse_float=_NumberText, parse_constant=_reject_constant)
    except ValueError as e:
        raise DecodeError("", f"not valid JSON ({e})") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _with_exact_retry(data: bytes | bytearray | memoryview | str, fn: Callable[[Any], Any]) -> Any:
    try:
        return fn(_parse(data, exact=False))
    except _NeedsExactNumbers:
        # Some decimal came as a JSON number with a fraction: read its digits, never a binary float.
        return fn(_parse(data, exact=True))


def decode(cls: type[M], data: bytes | bytearray | memoryview | str) -> M:
    """Decode wire JSON into `cls`, strictly; raises DecodeError naming the field path."""
    result: M = _with_exact_retry(data, _codec(cls)[1])
    return result


def _count_keys(obj: Any) -> int:
    if type(obj) is dict:
        return len(obj) + sum(_count_keys(v) for v in obj.values() if type(v) in (dict, list))
    if type(obj) is list:
        return sum(_count_keys(v) for v in obj if type(v) in (dict, list))
    return 0


def _refuse_repeat(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DecodeError(key, "duplicate key")
            seen.add(key)
    return out


def _key_bound(data: bytes) -> int:
    """At least the number of keys in the text: a key is a string followed by `:`, maybe after blanks."""
    bound = data.count(b'":')
    if _QUOTE_BLANK.search(data) is None:  # compact or json.dumps spacing: no blank after a quote
        return bound
    return bound + data.count(b'" ') + data.count(b'"\n') + data.count(b'"\t') + data.count(b'"\r')


def _check_request_text(data: bytes, obj: Any) -> None:
    """DecodeError for a body (parsed as `obj`) nested past MAX_DEPTH or giving a key twice in one
    object, naming the key: the slow path of `decode_request`, for bodies that are not flat.

    A text holding no more keys than `obj` has repeated none; quote-colon pairs bound the keys
    (colons inside strings do not count). Only a text that may repeat a key is parsed again, keeping
    every key.
    """
    if _nesting(data) > MAX_DEPTH:
        raise _too_deep()
    bound = _key_bound(data)
    if (type(obj) is dict and bound <= len(obj)) or bound <= _count_keys(obj):  # len <= _count_keys
        return
    try:
        _stdjson.loads(data.decode(), object_pairs_hook=_refuse_repeat)
    except ValueError as e:  # DecodeError is not one; e.g. an integer past the stdlib's digit limit
        raise DecodeError("", f"not valid JSON ({e})") from None


def refuse_repeated_keys(data: bytes, obj: Any) -> None:
    """DecodeError if the JSON text `data` (already parsed as `obj`) gives a key twice in one object
    or nests past MAX_DEPTH: the checks of `decode_request`, for frames parsed without a message class."""
    if not (type(obj) is dict and data.count(b":") == len(obj) and data.count(b"[") <= MAX_DEPTH):
        _check_request_text(data, obj)


def decode_request(cls: type[M], data: bytes | bytearray | memoryview | str) -> M:
    """`decode` for a request body: also refuses a key given twice in one object (last-wins would
    silently pick one of two values the client sent) and nesting past MAX_DEPTH even without floats."""
    dec_one = _codec(cls)[1]
    raw = data if type(data) is bytes else _bytes(data)
    obj = _parse(raw, exact=False)  # orjson bounds nesting itself (1,024 levels) and walks nothing
    # A flat object, as order bodies are: as many colons as keys means no key twice and no nested
    # object, and few brackets mean no deep array. Anything else gets the full checks.
    refuse_repeated_keys(raw, obj)
    try:
        result: M = dec_one(obj)
    except _NeedsExactNumbers:
        result = dec_one(_parse(raw, exact=True))
    return result


def decode_list(cls: type[M], data: bytes | bytearray | memoryview | str) -> list[M]:
    """Decode a JSON array of `cls`."""
    dec_one = _codec(cls)[1]

    def run(obj: Any) -> list[M]:
        if type(obj) is not list:
            raise _wrong("an array", obj)
        out = []
        for i, item in enumerate(obj):
            try:
                out.append(dec_one(item))
            except DecodeError as e:
                raise e.within(f"[{i}]") from None
        return out

    result: list[M] = _with_exact_retry(data, run)
    return result


def decode_frame(data: bytes | bytearray | memoryview | str) -> _m.ServerMessage | _m.EventBatch:
    """One server frame: a single message, or a batch under the batched framing extension."""

    def run(obj: Any) -> Any:
        if type(obj) is dict and obj.get("type") == "batch":
            return _codec(_m.EventBatch)[1](obj)
        return _codec(_m.ServerMessage)[1](obj)

    result: _m.ServerMessage | _m.EventBatch = _with_exact_retry(data, run)
    return result


def decode_query(cls: type[M], params: Mapping[str, Sequence[str]]) -> M:
    """Decode URL query parameters (each name → its values) into `cls`.

    Repeated fields take repeated parameters and comma-separated values; integers and booleans are
    parsed from their text. Unknown parameters are ignored, as unknown JSON keys are.
    """
    spec = MESSAGES[cls.__name__]
    obj: dict[str, Any] = {}
    for f in spec["fields"]:
        values = params.get(f["name"])
        if not values:
            continue
        name = f["name"]
        if f["repeated"]:
            obj[name] = [part for v in values for part in v.split(",") if part]
            continue
        if len(values) > 1:
            raise DecodeError(name, "given more than once")
        text = values[0]
        if f["kind"] == "int":
            if not re.fullmatch(r"-?[0-9]{1,12}", text):
                raise DecodeError(name, f"not an integer: {_show(text)}")
            obj[name] = int(text)
        elif f["kind"] == "bool":
            if text not in ("true", "false"):
                raise DecodeError(name, f"not a boolean: {_show(text)}")
            obj[name] = text == "true"
        else:
            obj[name] = text
    return from_dict(cls, obj)


def server_message(event: betterproto2.Message) -> _m.ServerMessage:
    """Wrap a stream event (CandleEvent, OrderEvent, ...) in the ServerMessage union."""
    _codec(_m.ServerMessage)
    fields: dict[str, Any] = {_UNION_MEMBERS[_m.ServerMessage][type(event)]: event}
    return _m.ServerMessage(**fields)


def payload(message: betterproto2.Message) -> Any:
    """The member set in a tagged union (ServerMessage, ClientMessage)."""
    _codec(type(message))
    members = _UNION_MEMBERS.get(type(message))
    if members is None:
        return message
    for name in members.values():
        v = getattr(message, name)
        if v is not None:
            return v
    raise EncodeError(f"{type(message).__name__} has no member set")
