"""`tradewire-conformance`: the table a user sees, against an offline target and against a running gateway URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tradewire.testkit.conformance.cli import main


def test_offline_target_table(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tradewire.engine")
    assert main(["--target", "engine", "-k", "CF-ORD-00", "-k", "CF-AUT-001"]) == 0
    out = capsys.readouterr().out
    assert "CF-ORD-001   passed" in out
    assert "CF-AUT-001   skipped  needs auth (" in out
    assert out.rstrip().endswith("9 passed, 0 failed, 1 skipped")


@pytest.fixture
def running_gateway(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A mock gateway with an API key, served from another thread (as a user's gateway would run).

    Parametrized indirectly with a TradingPlatform name, the venue claims to be that platform.
    """
    pytest.importorskip("tradewire.gateway")
    from tradewire.gateway.providers.mock import MockVenue
    from tradewire.protocol.messages import TradingPlatform
    from tradewire.testkit.harness import running_gateway

    platform = getattr(request, "param", None)
    venue = MockVenue(candle_interval=0.05)
    if platform is not None:
        venue.platform = TradingPlatform[platform]
    with running_gateway(venue, api_key="k-123") as gateway:
        yield gateway.url, "k-123"


def test_url_table(running_gateway: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    url, key = running_gateway
    code = main(["--url", url, "--api-key", key, "-k", "CF-AUT", "-k", "CF-ORD-001", "-k", "CF-MKT-00"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "CF-AUT-001   passed" in out and "CF-ORD-001   passed" in out
    assert "CF-MKT-001   skipped  needs market_control (" in out


def test_url_required(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TEKTII_TRADING_GATEWAY_URL", "TRADING_GATEWAY_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main([]) == 2
    assert "give --url" in capsys.readouterr().err


def test_matrix_counts_per_target() -> None:
    from tradewire.testkit.conformance.cli import matrix
    from tradewire.testkit.conformance.runner import Outcome

    table = matrix(
        {
            "engine": [
                Outcome("CF-ORD-001", "engine", "passed"),
                Outcome("CF-AUT-001", "engine", "skipped", "needs auth"),
            ],
            "gateway-mock": [
                Outcome("CF-ORD-001", "gateway-mock", "failed", "x"),
                Outcome("CF-AUT-001", "gateway-mock", "passed"),
            ],
        }
    )
    lines = table.splitlines()
    assert lines[0] == "| scenario | what it proves | engine | gateway-mock |"
    assert any(line.startswith("| CF-ORD-001 |") and line.endswith("| pass | **FAIL** |") for line in lines)
    assert lines[-3:] == ["| **passed** | | 1 | 1 |", "| **skipped** | | 1 | 0 |", "| **failed** | | 0 | 1 |"]


@pytest.mark.parametrize("running_gateway", [pytest.param("ALPACA_LIVE", id="alpaca-live")], indirect=True)
def test_live_platform_refused_without_opt_in(
    running_gateway: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url, key = running_gateway
    assert main(["--url", url, "--api-key", key, "-k", "CF-ORD-001"]) == 2
    assert "trades real money (alpaca-live)" in capsys.readouterr().err
