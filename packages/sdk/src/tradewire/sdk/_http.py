"""One REST call without I/O: what to send, how to read the answer, when to retry (the drivers send and sleep)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tradewire.protocol import codec
from tradewire.protocol.errors import TradewireError, error_from_body
from tradewire.protocol.messages import ErrorBody, ErrorCode
from tradewire.sdk.config import key_hint
from tradewire.sdk.errors import AuthenticationError, ConnectionLost, ProtocolViolation, RateLimited, refine

if TYPE_CHECKING:
    from tradewire.sdk.config import ClientConfig

__all__ = ["RETRY_STATUSES", "Answer", "Attempts", "Call", "backoff_delay", "error_for", "read_response"]

#: Statuses after which a read (or an idempotent submit) is tried again: nothing happened, try later.
RETRY_STATUSES = frozenset({502, 503, 504})
_MAX_BODY = 16 * 1024 * 1024
_log = logging.getLogger("tradewire.sdk.http")

#: One attempt's answer: status, headers (any mapping with a case-insensitive `get`), body.
Answer = tuple[int, Any, bytes]


@dataclass(slots=True)
class Call:
    """One request.

    Attributes:
        method: HTTP method.
        path: Path below the base URL, parameters already percent-encoded.
        decode: Turns the 2xx body into the result (a protocol message, a list, or text).
        params: Query parameters, in order.
        body: JSON body bytes, or None.
        retryable: GET/DELETE (and an order submit carrying a client_order_id, which the server
            de-duplicates) are retried on 502/503/504 and transport errors. 429 is retried for every
            call, since the server refused it before doing anything.
    """

    method: str
    path: str
    decode: Callable[[bytes], Any]
    params: list[tuple[str, str | int | float | bool | None]] = field(default_factory=list)
    body: bytes | None = None
    retryable: bool = True
    json_response: bool = True
    also_ok: tuple[int, ...] = ()

    def headers(self) -> dict[str, str]:
        """Per-call headers (content type when there is a body)."""
        return {"Content-Type": "application/json"} if self.body is not None else {}


def backoff_delay(attempt: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Delay before retry number `attempt` (0-based): Retry-After when given, else full-jitter exponential."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    return random.uniform(0, min(cap, base * (2**attempt)))


def retry_after_of(headers: Any) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def error_for(status: int, headers: Any, content: bytes) -> TradewireError:
    """The typed exception for a non-2xx answer (the error body when there is one)."""
    retry_after = retry_after_of(headers)
    try:
        body = codec.decode(ErrorBody, content)
    except codec.DecodeError:
        # one line: the start of the body, whitespace folded; a page says what it is instead
        text = " ".join(content[:200].decode("utf-8", "replace").split()) or f"HTTP {status}"
        if text.startswith("<"):
            text = "an HTML page, not a Tradewire error body (is the URL a Tradewire gateway?)"
        fallback = {
            401: ErrorCode.UNAUTHORIZED,
            404: ErrorCode.INVALID_REQUEST,
            429: ErrorCode.RATE_LIMITED,
            502: ErrorCode.PROVIDER_ERROR,
            503: ErrorCode.PROVIDER_UNAVAILABLE,
            504: ErrorCode.PROVIDER_UNAVAILABLE,
        }.get(status, ErrorCode.INVALID_REQUEST if 400 <= status < 500 else ErrorCode.INTERNAL_ERROR)
        body = ErrorBody(code=fallback, message=f"HTTP {status}: {text}")
    error = error_from_body(body, retry_after)
    if isinstance(error, RateLimited) and error.retry_after is None:
        error.retry_after = retry_after
    if isinstance(error, AuthenticationError):
        error.message = key_hint(error.message)
        error.args = (error.message,)
    return refine(error)


def read_response(call: Call, status: int, headers: Any, content: bytes) -> Any:
    """The decoded result of a 2xx answer; raises the typed error otherwise."""
    if len(content) > _MAX_BODY:
        raise ProtocolViolation(f"response body of {len(content)} bytes is over the 16 MiB limit")
    if not 200 <= status < 300 and status not in call.also_ok:
        raise error_for(status, headers, content)
    if call.json_response:
        ctype = headers.get("content-type", "")
        if not ctype.startswith("application/json"):
            raise ProtocolViolation(
                f"{call.method} {call.path}: 2xx answer is {ctype or 'untyped'}, not JSON"
            )
        try:
            return call.decode(content)
        except codec.DecodeError as e:
            raise ProtocolViolation(f"{call.method} {call.path}: {e.message}") from None
    return call.decode(content)


def should_retry(call: Call, error: BaseException | None, status: int | None) -> bool:
    """Whether a failed attempt may be repeated without risk of doing something twice."""
    if status == 429:
        return True
    if not call.retryable:
        return False
    return error is not None or status in RETRY_STATUSES


def lost(call: Call, error: BaseException, base_url: str = "") -> ConnectionLost:
    """The error raised when the transport failed and retries ran out."""
    return ConnectionLost(
        f"gateway {base_url} unreachable ({call.method} {call.path}: {type(error).__name__}: {error})"
    )


class Attempts:
    """The retry decisions for one call, without I/O: a driver sends, asks this what next, and sleeps.

    After a transport error, `after_error` gives the seconds to wait before the next attempt, or
    raises ConnectionLost when the retries are spent or the call may not be repeated. After an
    answer, `after_answer` gives the seconds to wait before repeating the call, or None when the
    answer is final (`read_response` then turns it into the result or the typed error).
    """

    __slots__ = ("_call", "_config", "_retries")

    def __init__(self, call: Call, config: ClientConfig) -> None:
        self._call = call
        self._config = config
        self._retries = 0

    def after_error(self, error: BaseException, *, timed_out: bool = False) -> float:
        """Seconds to wait before trying again after `error`; raises ConnectionLost when giving up.

        `timed_out`: no answer came within the timeout. Each such retry is logged at once: a gateway
        that takes connections but never answers costs a timeout per attempt, never in silence.
        """
        cfg = self._config
        if self._retries >= cfg.max_retries or not should_retry(self._call, error, None):
            raise lost(self._call, error, cfg.base_url) from None
        self._retries += 1
        delay = backoff_delay(self._retries - 1, cfg.backoff_base, cfg.backoff_max)
        if not timed_out:
            return delay
        _log.warning(
            "gateway %s did not answer %s %s (%s: %s); trying again in %.1f s (retry %d of %d)",
            cfg.base_url,
            self._call.method,
            self._call.path,
            type(error).__name__,
            error,
            delay,
            self._retries,
            cfg.max_retries,
        )
        return delay

    def after_answer(self, status: int, headers: Any) -> float | None:
        """Seconds to wait before repeating the call after this answer; None when it is final."""
        if status < 400:
            return None
        cfg = self._config
        if self._retries >= cfg.max_retries or not should_retry(self._call, None, status):
            return None
        self._retries += 1
        retry_after = retry_after_of(headers)
        return backoff_delay(self._retries - 1, cfg.backoff_base, cfg.backoff_max, retry_after)
