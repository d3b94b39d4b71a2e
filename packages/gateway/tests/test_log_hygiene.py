"""What the gateway logs: never a credential, and a bounded number of lines per client however hard it
is flooded."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest
import websockets

from tradewire.gateway.log_filters import FloodFilter, Redactor
from tradewire.testkit.harness import running_gateway
from tradewire.testkit.harness.process import ProcessGateway

SECRET = "SECRET-key-0123456789abcdef"
TOKEN = "tok-9876543210zyx"
LINES = 5
WINDOW = 0.5


def record(msg: str, *args: object, name: str = "uvicorn.error", **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args or None, None)
    rec.__dict__.update(extra)
    return rec


@pytest.mark.parametrize(
    ("msg", "args"),
    [
        ('%s - "WebSocket %s" [accepted]', ("127.0.0.1:5000", f"/v1/ws?framing=batch&api_key={SECRET}")),
        ('%s - "WebSocket %s" 403', ("127.0.0.1:5000", f"/v1/ws?token={SECRET}&x=1")),
        ("headers %r", ([(b"authorization", f"Bearer {SECRET}".encode())],)),
        ("request with Authorization: Bearer %s", (SECRET,)),
        ("X-API-Key: %s", (SECRET,)),
        ("query_string %r", (f"access_token={SECRET}&signature={SECRET}".encode(),)),
    ],
)
def test_redactor_masks_credentials_in_uvicorn_and_gateway_lines(msg: str, args: tuple[object, ...]) -> None:
    rec = record(msg, *args)
    Redactor().filter(rec)
    assert SECRET not in rec.getMessage()
    assert "***" in rec.getMessage()


def test_redactor_masks_the_configured_key_anywhere_and_keeps_the_rest() -> None:
    rec = record("path /v1/orders/%s not found", SECRET, detail=f"x{SECRET}y")
    Redactor([SECRET]).filter(rec)
    assert rec.getMessage() == "path /v1/orders/*** not found"
    assert rec.__dict__["detail"] == "x***y"
    plain = record('%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", "/v1/ws?framing=batch")
    Redactor([SECRET]).filter(plain)
    assert plain.getMessage() == '127.0.0.1:5000 - "WebSocket /v1/ws?framing=batch" [accepted]'


def test_flood_filter_bounds_lines_per_client_and_summarizes(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    flood = FloodFilter(LINES, 10.0, clock=lambda: now[0])
    line = '%s - "WebSocket %s" 403'
    kept = [flood.filter(record(line, f"10.0.0.1:{port}", "/v1/ws")) for port in range(1000, 1100)]
    other = [flood.filter(record(line, f"10.0.0.2:{port}", "/v1/ws")) for port in range(1000, 1003)]
    assert sum(kept) == LINES  # one address, many ports: one budget
    assert all(other)  # another client has its own
    now[0] = 11.0
    with caplog.at_level(logging.WARNING, logger="tradewire.gateway.logs"):
        assert flood.filter(record(line, "10.0.0.1:2000", "/v1/ws"))
    summaries = [r for r in caplog.records if r.name == "tradewire.gateway.logs"]
    assert [r.getMessage() for r in summaries] == [
        "suppressed 95 similar lines of uvicorn.error '%s - \"WebSocket %s\" 403' (client 10.0.0.1)"
    ]
    assert summaries[0].__dict__["client"] == "10.0.0.1"


@pytest.fixture(scope="module")
def gw() -> Iterator[ProcessGateway]:
    with running_gateway(
        "mock",
        mode="process",
        api_key=SECRET,
        log_level="info",
        log_flood_lines=LINES,
        log_flood_window=WINDOW,
    ) as running:
        yield running


async def test_process_logs_hold_no_secret_and_a_bounded_flood(gw: ProcessGateway) -> None:
    auth = {"Authorization": f"Bearer {SECRET}"}
    # a client that puts the key in the query string as well, then floods garbage
    async with websockets.connect(
        f"{gw.ws_url}?api_key={SECRET}&token={TOKEN}", additional_headers=auth
    ) as ws:
        for _ in range(100):
            await ws.send("garbage {")
        await ws.send("garbage {")
        await ws.ping()
    # handshakes refused for the key in the query string alone
    for _ in range(20):
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(f"{gw.ws_url}?api_key={SECRET}"):
                pass
    await asyncio.sleep(WINDOW * 2.5)  # the windows end; the next line brings their summaries
    async with websockets.connect(gw.ws_url, additional_headers=auth):
        pass
    logs = await asyncio.to_thread(wait_for_logs, gw, "suppressed")
    assert SECRET not in logs and TOKEN not in logs
    assert "api_key=***" in logs
    assert logs.count("INFO tradewire.gateway.stream ignored unparseable client frame") == LINES
    assert "suppressed 96 similar lines" in logs  # 101 garbage frames, 5 logged
    assert len(logs.splitlines()) < 60, logs


def wait_for_logs(gw: ProcessGateway, text: str) -> str:
    deadline = time.monotonic() + 5
    while text not in (logs := gw.logs()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return logs
