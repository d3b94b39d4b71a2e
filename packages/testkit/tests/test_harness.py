"""The gateway harness: both modes serve on loopback with the key and settings asked for, and say why a start failed."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import httpx
import pytest

from tradewire.testkit.harness import GatewayStartError, Mode, free_port, running_gateway

pytest.importorskip("tradewire.gateway")

MODES: tuple[Mode, ...] = ("thread", "process")


@pytest.mark.parametrize("mode", MODES)
def test_serves_on_loopback_with_the_key_and_the_settings(mode: Mode) -> None:
    with running_gateway("mock", api_key="k-1", mode=mode, public_docs=True) as gw:
        assert gw.url.startswith("http://127.0.0.1:")
        assert httpx.get(gw.url + "/v1/account").status_code == 401
        with gw.client() as client:
            assert client.get("/v1/account").status_code == 200
        assert httpx.get(gw.url + "/docs").status_code == 200  # a setting: the docs page is public
    with pytest.raises(httpx.TransportError):
        httpx.get(gw.url + "/livez", timeout=1)


@pytest.mark.parametrize("mode", MODES)
def test_nested_settings_reach_the_gateway(mode: Mode) -> None:
    with running_gateway("mock", mode=mode, mock={"symbols": ("AAPL",)}) as gw, gw.client() as client:
        assert client.get("/v1/quotes/AAPL").status_code == 200
        assert client.get("/v1/quotes/MSFT").status_code == 404


def test_a_given_port_is_used() -> None:
    port = free_port()
    with running_gateway("mock", port=port, mode="process") as gw:
        assert gw.url == f"http://127.0.0.1:{port}"


def test_thread_mode_serves_a_venue_object_and_runs_calls_on_its_loop() -> None:
    from tradewire.gateway.providers.mock import MockVenue

    venue = MockVenue(("AAPL",), candle_interval=3600.0)
    with running_gateway(venue) as gw:
        assert gw.call(asyncio.get_running_loop) is gw.loop
        assert gw.call(lambda: gw.gateway.stopping) is False
        assert httpx.get(gw.url + "/v1/quotes/AAPL").status_code == 200
    assert not gw.thread.is_alive()


def test_process_mode_stops_on_sigterm_and_keeps_its_output() -> None:
    with running_gateway("mock", mode="process", log_level="info", json_logs=True) as gw:
        gw.stop()
        code = gw.process.wait(15)
        assert code in (0, -signal.SIGTERM)
        assert '"level"' in gw.logs()


def test_process_mode_passes_the_childs_own_variables() -> None:
    # A venue's own settings (e.g. the APCA_* lines of a fake broker) reach the child verbatim.
    with running_gateway("mock", mode="process", env={"TRADEWIRE_API_KEY": "from-env"}) as gw:
        assert httpx.get(gw.url + "/v1/account").status_code == 401
        assert httpx.get(gw.url + "/v1/account", headers={"X-API-Key": "from-env"}).status_code == 200


def test_process_start_failure_carries_the_stderr() -> None:
    with pytest.raises(GatewayStartError) as failed, running_gateway("no-such-platform", mode="process"):
        pass
    assert "exited with status 2" in str(failed.value)
    assert "unknown platform 'no-such-platform'" in str(failed.value)


def test_thread_start_failure_carries_the_logged_error() -> None:
    from tradewire.gateway.providers.mock import MockVenue

    class Broken(MockVenue):
        async def connect(self) -> None:
            raise RuntimeError("the venue refuses to connect")

    with pytest.raises(GatewayStartError) as failed, running_gateway(Broken()):
        pass
    assert "the venue refuses to connect" in str(failed.value)


def test_async_with_leaves_the_callers_loop_running() -> None:
    ticks: list[int] = []

    async def tick() -> None:
        while True:
            ticks.append(1)
            await asyncio.sleep(0.001)

    async def main() -> None:
        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0)
        harness = running_gateway("mock")
        before = len(ticks)
        gw = await harness.__aenter__()
        while_starting = len(ticks) - before
        try:
            async with httpx.AsyncClient() as client:
                assert (await client.get(gw.url + "/livez")).status_code == 200
        finally:
            await harness.__aexit__(None, None, None)
            ticker.cancel()
        assert while_starting >= 3  # the loop ran while the gateway started

    asyncio.run(main())


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ({"host": "0.0.0.0"}, ValueError),
        ({"extra_args": ["--seed", "3"]}, TypeError),
        ({"env": {"APCA_API_KEY_ID": "k"}}, TypeError),  # a thread shares this process's environment
        ({"mode": "subinterpreter"}, ValueError),
    ],
)
def test_refused_requests(call: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        running_gateway("mock", **call)


def test_process_mode_needs_a_platform_name() -> None:
    from tradewire.gateway.providers.mock import MockVenue

    with pytest.raises(TypeError):
        running_gateway(MockVenue(), mode="process")  # type: ignore[call-overload]
