"""Signature checks (binance.md §2): HMAC-SHA256 hex or Ed25519 base64, over the payload as sent."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from tradewire.testkit.fakes.binance import errors
from tradewire.testkit.fakes.binance.wire import text

MAX_RECV_WINDOW = 60000


@dataclass(frozen=True)
class Key:
    """One API key the fake accepts: `secret` for HMAC, or an Ed25519 public key."""

    name: str
    secret: str | None = None
    ed25519: Any = None  # cryptography's Ed25519PublicKey (imported only when configured)

    def verify(self, payload: str, signature: str) -> bool:
        if self.secret is not None:
            expected = hmac.new(self.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
            return hmac.compare_digest(expected, signature)
        from cryptography.exceptions import InvalidSignature

        try:
            self.ed25519.verify(base64.b64decode(signature, validate=True), payload.encode())
        except (binascii.Error, ValueError, InvalidSignature):
            return False
        return True


def ed25519_key(name: str, pem: bytes) -> Key:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return Key(name, ed25519=load_pem_public_key(pem))


def rest_payload(raw_query: str, raw_body: str) -> tuple[str, str | None]:
    """(the signed payload, the signature): query string then body, exactly as sent, minus `signature`."""
    signature: str | None = None
    parts: list[str] = []
    for raw in (raw_query, raw_body):
        kept = []
        for item in raw.split("&") if raw else []:
            if item.startswith("signature="):
                signature = unquote(item[len("signature=") :])
            else:
                kept.append(item)
        parts.append("&".join(kept))
    return "".join(parts), signature


def ws_payload(params: dict[str, Any]) -> str:
    """WS API: every param but `signature`, sorted by name, `k=v` joined by `&`, not percent-encoded."""
    return "&".join(f"{k}={text(v)}" for k, v in sorted(params.items()) if k != "signature")


def check_window(timestamp: object, recv_window: object, now_ms: int) -> None:
    """-1021 unless `timestamp < now + 1000` and `now - timestamp <= recvWindow` (µs timestamps too)."""
    try:
        ts = int(str(timestamp))
    except ValueError:
        raise errors.mandatory("timestamp") from None
    if ts > 10**14:  # microseconds
        ts //= 1000
    window = 5000.0
    if recv_window is not None and str(recv_window) != "":
        try:
            window = float(str(recv_window))
        except ValueError:
            raise errors.mandatory("recvWindow") from None
        if window > MAX_RECV_WINDOW or window < 0:
            raise errors.bad_recv_window(MAX_RECV_WINDOW)
    if ts >= now_ms + 1000:
        raise errors.ahead_of_server()
    if now_ms - ts > window:
        raise errors.outside_recv_window()
