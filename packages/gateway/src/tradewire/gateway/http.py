"""Request/response plumbing shared by the REST routes: bodies, queries and JSON responses via the codec."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import parse_qs

import betterproto2
from litestar import Request, Response

from tradewire.gateway.runtime import Gateway
from tradewire.protocol import codec
from tradewire.protocol.errors import InvalidRequest
from tradewire.protocol.routes import DEFAULT_LIMIT, MAX_LIMIT

M = TypeVar("M", bound=betterproto2.Message)
#: A request of any user/auth/state type (this app uses none of them).
AnyRequest = Request[Any, Any, Any]
JSON = "application/json"


def gateway(request: AnyRequest) -> Gateway:
    """The Gateway serving this request."""
    gw: Gateway = request.app.state.gateway
    return gw


def ok(message: betterproto2.Message, status: int = 200) -> Response[bytes]:
    """A JSON response holding one protocol message."""
    return Response(codec.encode(message), status_code=status, media_type=JSON)


def ok_list(items: Iterable[betterproto2.Message]) -> Response[bytes]:
    """A JSON array response of protocol messages."""
    return Response(codec.encode_list(items), media_type=JSON)


def _not_json() -> InvalidRequest:
    return InvalidRequest("Content-Type must be application/json", {"field": "Content-Type"})


def _is_json(request: AnyRequest) -> bool:
    for name, value in request.scope["headers"]:
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or (
                media.startswith(b"application/") and media.endswith(b"+json")
            )
    return False


def _has_content_type(request: AnyRequest) -> bool:
    return any(name == b"content-type" for name, _ in request.scope["headers"])


class BodyTooLarge(InvalidRequest):
    """A request body above the configured limit (answered 413)."""

    status = 413


async def read_body(request: AnyRequest) -> bytes:
    """The raw request body, refused past `max_body_bytes` before it is all buffered.

    Read straight from ASGI `receive`: Litestar's Request.body() machinery costs more than the rest
    of a small order submission.
    """
    limit = gateway(request).settings.max_body_bytes
    for name, value in request.scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise BodyTooLarge("Request body too large")
    chunks: list[bytes] = []
    size = 0
    receive = request.receive
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise InvalidRequest("Client disconnected")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge("Request body too large")
        chunks.append(chunk)
        if not message.get("more_body"):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def body(request: AnyRequest, cls: type[M]) -> M:
    """Decode a required JSON body into `cls` (400 without a JSON content type, on bad JSON or a
    repeated key: rest.md)."""
    if not _is_json(request):
        raise _not_json()
    return codec.decode_request(cls, await read_body(request))


async def optional_body(request: AnyRequest, cls: type[M]) -> M:
    """Decode an optional body: absent, empty or without Content-Type means `cls()` (all defaults)."""
    if not _has_content_type(request):
        return cls()
    raw = await read_body(request)
    if not raw.strip():
        return cls()
    if not _is_json(request):
        raise _not_json()
    return codec.decode_request(cls, raw)


def query_params(request: AnyRequest) -> dict[str, list[str]]:
    """The query string as name → values (percent-decoded once)."""
    raw = request.scope["query_string"]
    return parse_qs(raw.decode("latin-1"), keep_blank_values=True) if raw else {}


def query(request: AnyRequest, cls: type[M], params: dict[str, list[str]] | None = None) -> M:
    """Decode the query string (or `params`) into `cls` (unknown parameters ignored; bad values 400)."""
    if params is None:
        params = query_params(request)
    try:
        message = codec.decode_query(cls, params)
    except codec.DecodeError as e:
        raise query_error(e.path, e.reason) from None
    if hasattr(message, "limit"):
        limit = message.limit
        if limit is None:
            message.limit = DEFAULT_LIMIT
        elif limit < 0:
            raise query_error("limit", "must be >= 0")
        elif limit > MAX_LIMIT:
            message.limit = MAX_LIMIT
    return message


def query_error(path: str, reason: str) -> InvalidRequest:
    """400 INVALID_REQUEST naming the query parameter itself (`status`, not `status[0]`)."""
    name = path.split("[", 1)[0]
    detail = reason if name == path else f"{path[len(name) :]} {reason}"
    return InvalidRequest(f"Invalid query parameter {name}: {detail}", {"field": name})


def query_symbol(request: AnyRequest) -> str | None:
    """The optional `symbol` query parameter."""
    raw = request.scope["query_string"]
    if not raw:
        return None
    values = parse_qs(raw.decode("latin-1"), keep_blank_values=True).get("symbol")
    if not values:
        return None
    if len(values) > 1:
        raise query_error("symbol", "given more than once")
    return values[0]


def path_param(request: AnyRequest, name: str) -> str:
    """A path parameter, decoded once; a `{name:path}` one loses its leading slash (symbols may hold '/')."""
    value = str(request.path_params[name])
    return value[1:] if value.startswith("/") else value
