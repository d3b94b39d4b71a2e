"""Binance request signing (binance.md §2): HMAC-SHA256 or Ed25519 over the exact bytes that are sent.

REST: the parameters are percent-encoded once (`urlencode`), that string is signed, and exactly that
string is sent (letting the HTTP client re-encode a dict can change the bytes: -1022). The WebSocket
API signs its `params` sorted by name, `k=v` joined by `&`, not percent-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Final, Protocol
from urllib.parse import quote, urlencode

from tradewire.brokers._live.config import ConfigError, Secret

__all__ = ["Ed25519Signer", "HmacSigner", "Signer", "query", "signed_query", "signer_for", "ws_payload"]

_PEM_START: Final = "-----BEGIN"


class Signer(Protocol):
    """Signs one payload string; the signature as Binance expects it in the `signature` parameter."""

    @property
    def kind(self) -> str: ...

    def sign(self, payload: str) -> str: ...


class HmacSigner:
    """An HMAC key: lowercase hex HMAC-SHA256 of the payload with the secret."""

    kind = "hmac"

    def __init__(self, secret: Secret) -> None:
        self._secret = secret

    def sign(self, payload: str) -> str:
        return hmac.new(self._secret.reveal().encode(), payload.encode(), hashlib.sha256).hexdigest()


class Ed25519Signer:
    """An Ed25519 key (PKCS#8 PEM): base64 of the Ed25519 signature of the payload."""

    kind = "ed25519"

    def __init__(self, pem: Secret) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        try:
            key = load_pem_private_key(pem.reveal().encode(), password=None)
        except ValueError:
            raise ConfigError("the Binance private key is not an unencrypted PKCS#8 PEM key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError("the Binance private key is not an Ed25519 key (RSA keys are not supported)")
        self._key = key

    def sign(self, payload: str) -> str:
        return base64.b64encode(self._key.sign(payload.encode())).decode()


def signer_for(secret: Secret) -> Signer:
    """An Ed25519 signer for a PEM private key, else an HMAC signer for the secret."""
    if secret.reveal().lstrip().startswith(_PEM_START):
        return Ed25519Signer(secret)
    return HmacSigner(secret)


def query(params: Iterable[tuple[str, str]]) -> str:
    """The percent-encoded query string, in the order given (what is signed and sent)."""
    return urlencode(list(params))


def signed_query(params: Iterable[tuple[str, str]], signer: Signer) -> str:
    """`query(params)` with `&signature=` appended; a base64 signature is percent-encoded (`+` → `%2B`)."""
    text = query(params)
    return f"{text}&signature={quote(signer.sign(text), safe='')}"


def ws_payload(params: Mapping[str, object]) -> str:
    """The WebSocket API payload: every param but `signature`, sorted by name, `k=v` joined by `&`."""
    return "&".join(f"{k}={_text(v)}" for k, v in sorted(params.items()) if k != "signature")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
