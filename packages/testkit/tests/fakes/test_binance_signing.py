"""The fake Binance checks keys, signatures and timestamps as binance.md §2 says, over real sockets."""

from __future__ import annotations

import base64
import time
from urllib.parse import quote, urlencode

import httpx
import pytest
from binance_fake_helpers import Rest, hmac_hex

from tradewire.testkit.fakes.binance import FakeBinance
from tradewire.testkit.fakes.binance.signing import Key, ed25519_key, ws_payload

DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOC_VECTORS = [
    (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
        "&timestamp=1499827319559",
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
    ),
    (
        "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC"
        "&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
    ),
]
WS_VECTOR = {
    "apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    "price": "52000.00",
    "quantity": "0.01000000",
    "recvWindow": 100,
    "side": "SELL",
    "symbol": "BTCUSDT",
    "timeInForce": "GTC",
    "timestamp": 1645423376532,
    "type": "LIMIT",
}


@pytest.mark.parametrize(("payload", "signature"), DOC_VECTORS)
def test_documented_rest_vectors_verify(payload: str, signature: str) -> None:
    key = Key("doc", secret=DOC_SECRET)
    assert key.verify(payload, signature)
    assert not key.verify(payload + "0", signature)


def test_documented_ws_api_vector_verifies() -> None:
    payload = ws_payload({**WS_VECTOR, "signature": "ignored"})
    assert Key("doc", secret=DOC_SECRET).verify(
        payload, "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"
    )


def test_documented_ed25519_vector_verifies() -> None:
    # fix-api.md's example: the only Ed25519 vector the documentation gives with its (illustrative) key.
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_pem_private_key,
    )

    private = load_pem_private_key(
        b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n"
        b"-----END PRIVATE KEY-----\n",
        password=None,
    )
    key = ed25519_key(
        "doc", private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    payload = "\x01".join(["A", "EXAMPLE", "SPOT", "1", "20240627-11:17:25.223"])
    signature = "4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA=="
    assert key.verify(payload, signature)
    assert not key.verify(payload + "0", signature)


async def test_missing_and_unknown_keys_are_401(bn: FakeBinance, rest: Rest) -> None:
    query = rest.query({})
    missing = await rest.client.get(f"/api/v3/account?{query}")
    assert missing.status_code == 401 and missing.json() == {"code": -2014, "msg": "API-key format invalid."}
    wrong = await rest.client.get(f"/api/v3/account?{query}", headers={"X-MBX-APIKEY": "nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}


async def test_bad_signature_is_1022(bn: FakeBinance, rest: Rest) -> None:
    query = urlencode({"timestamp": int(time.time() * 1000)})
    response = await rest.client.get(
        f"/api/v3/account?{query}&signature={hmac_hex('other', query)}", headers={"X-MBX-APIKEY": rest.key}
    )
    assert response.status_code == 400
    assert response.json() == {"code": -1022, "msg": "Signature for this request is not valid."}


async def test_missing_timestamp_is_1102(bn: FakeBinance, rest: Rest) -> None:
    response = await rest.client.get(
        f"/api/v3/account?signature={hmac_hex(rest.secret, '')}", headers={"X-MBX-APIKEY": rest.key}
    )
    assert response.json()["code"] == -1102


async def test_timestamps_outside_the_window_are_1021(bn: FakeBinance, rest: Rest) -> None:
    old = int(time.time() * 1000) - 6000
    query = rest.query({}, timestamp=old)
    stale = await rest.client.get(f"/api/v3/account?{query}", headers={"X-MBX-APIKEY": rest.key})
    assert stale.status_code == 400
    assert stale.json() == {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
    widened = rest.query({"recvWindow": 10000}, timestamp=old)
    assert (
        await rest.client.get(f"/api/v3/account?{widened}", headers={"X-MBX-APIKEY": rest.key})
    ).is_success
    ahead = rest.query({}, timestamp=int(time.time() * 1000) + 5000)
    response = await rest.client.get(f"/api/v3/account?{ahead}", headers={"X-MBX-APIKEY": rest.key})
    assert response.json()["code"] == -1021 and "ahead" in response.json()["msg"]


async def test_a_skewed_server_clock_gives_1021_until_the_client_resyncs(bn: FakeBinance, rest: Rest) -> None:
    bn.skew_clock(-30_000)  # the server runs 30 s behind: our timestamps look 30 s ahead
    response = await rest.call("GET", "/api/v3/account")
    assert response.json()["code"] == -1021
    server = (await rest.public("/api/v3/time"))["serverTime"]
    rest.offset_ms = server - int(time.time() * 1000)
    assert (await rest.call("GET", "/api/v3/account")).status_code == 200


async def test_query_and_form_body_are_signed_concatenated(bn: FakeBinance, rest: Rest) -> None:
    query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
    body = urlencode({"quantity": "0.001", "price": "59000.00", "timestamp": int(time.time() * 1000)})
    signature = hmac_hex(rest.secret, query + body)
    response = await rest.client.post(
        f"/api/v3/order?{query}",
        content=f"{body}&signature={signature}",
        headers={"X-MBX-APIKEY": rest.key, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "NEW"


async def test_percent_encoded_payload_is_signed_as_sent(bn: FakeBinance, rest: Rest) -> None:
    # A non-ASCII client order id: the signature covers the percent-encoded bytes. The id then fails
    # the id rule (-1100), which proves the signature was accepted first.
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}
    query = urlencode({**params, "newClientOrderId": "１２３", "timestamp": int(time.time() * 1000)})
    url = f"/api/v3/order?{query}&signature={hmac_hex(rest.secret, query)}"
    response = await rest.client.post(url, headers={"X-MBX-APIKEY": rest.key})
    assert response.json()["code"] == -1100


async def test_ed25519_keys_sign_rest_calls() -> None:
    ed = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed25519")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    private = ed.Ed25519PrivateKey.generate()
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    async with FakeBinance(ed25519_public_pem=pem) as fake, httpx.AsyncClient(base_url=fake.base_url) as http:
        query = urlencode({"timestamp": int(time.time() * 1000)})
        signature = base64.b64encode(private.sign(query.encode())).decode()
        headers = {"X-MBX-APIKEY": fake.config.ed25519_api_key}
        response = await http.get(
            f"/api/v3/account?{query}&signature={quote(signature, safe='')}", headers=headers
        )
        assert response.status_code == 200, response.text
        forged = base64.b64encode(private.sign(b"other")).decode()
        response = await http.get(
            f"/api/v3/account?{query}&signature={quote(forged, safe='')}", headers=headers
        )
        assert response.json()["code"] == -1022
