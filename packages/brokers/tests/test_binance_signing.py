"""Binance signing (binance.md §2): the documentation's test vectors, Ed25519, the signed bytes are sent."""

from __future__ import annotations

import base64
from urllib.parse import unquote

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from tradewire.brokers._live.config import ConfigError, Secret
from tradewire.brokers.binance.signing import (
    Ed25519Signer,
    HmacSigner,
    query,
    signed_query,
    signer_for,
    ws_payload,
)

SECRET = Secret("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
#: The documentation's one Ed25519 vector with its key (fix-api.md, "Signature computation": the Logon
#: payload's fields joined by SOH, signed and base64-encoded); the illustrative key is public.
DOC_ED25519_PEM = Secret(
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n"
    "-----END PRIVATE KEY-----\n"
)
DOC_ED25519_PAYLOAD = "\x01".join(["A", "EXAMPLE", "SPOT", "1", "20240627-11:17:25.223"])
DOC_ED25519_SIGNATURE = (
    "4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA=="
)
ORDER = [("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"), ("price", "0.1"),
         ("recvWindow", "5000"), ("timestamp", "1499827319559")]  # fmt: skip


def test_rest_vector() -> None:
    payload = query([("symbol", "LTCBTC"), *ORDER])
    assert payload == (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
        "&timestamp=1499827319559"
    )
    assert (
        HmacSigner(SECRET).sign(payload) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )


def test_rest_vector_with_a_non_ascii_symbol_is_signed_percent_encoded() -> None:
    payload = query([("symbol", "１２３４５６"), *ORDER])
    assert payload.startswith("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY")
    assert (
        HmacSigner(SECRET).sign(payload) == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
    )


def test_ws_api_vector_sorts_params_and_leaves_out_the_signature() -> None:
    params: dict[str, object] = {
        "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01000000",
        "price": "52000.00", "recvWindow": 100, "timestamp": 1645423376532,
        "apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", "signature": "x",
    }  # fmt: skip
    payload = ws_payload(params)
    assert payload.startswith(
        "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price="
    )
    assert payload.endswith("&timestamp=1645423376532&type=LIMIT")
    assert (
        HmacSigner(SECRET).sign(payload) == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"
    )


def test_signed_query_appends_the_signature_of_exactly_the_query() -> None:
    sent = signed_query([("symbol", "LTCBTC"), *ORDER], HmacSigner(SECRET))
    text, _, signature = sent.rpartition("&signature=")
    assert HmacSigner(SECRET).sign(text) == signature


def _pem(key: Ed25519PrivateKey) -> Secret:
    return Secret(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode())


def test_ed25519_signs_base64_and_the_url_carries_it_percent_encoded() -> None:
    key = Ed25519PrivateKey.generate()
    signer = signer_for(_pem(key))
    assert isinstance(signer, Ed25519Signer) and signer.kind == "ed25519"
    sent = signed_query([("symbol", "BTCUSDT"), ("timestamp", "1")], signer)
    text, _, encoded = sent.rpartition("&signature=")
    assert "+" not in encoded and "/" not in encoded and "=" not in encoded
    key.public_key().verify(base64.b64decode(unquote(encoded)), text.encode())  # raises if wrong


def test_ed25519_vector_from_the_documentation() -> None:
    signer = signer_for(DOC_ED25519_PEM)
    assert isinstance(signer, Ed25519Signer)
    assert signer.sign(DOC_ED25519_PAYLOAD) == DOC_ED25519_SIGNATURE
    sent = signed_query([("symbol", "BTCUSDT"), ("timestamp", "1")], signer)
    assert unquote(sent.rpartition("&signature=")[2]) == signer.sign("symbol=BTCUSDT&timestamp=1")


def test_a_plain_secret_is_hmac_and_a_wrong_pem_is_a_config_error() -> None:
    assert isinstance(signer_for(SECRET), HmacSigner)
    with pytest.raises(ConfigError):
        signer_for(Secret("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"))
