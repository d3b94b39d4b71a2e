"""Platforms (enums.md, TradingPlatform): spellings and aliases, liveness, the live opt-in guard, `Venue.live`."""

from __future__ import annotations

from typing import Any

import pytest

from tradewire.protocol import codec, platforms
from tradewire.protocol.messages import TradingPlatform
from tradewire.protocol.platforms import LiveOptInMissing, check_live_opt_in
from tradewire.protocol.venue import Venue

ENV = "TRADEWIRE_ALLOW_LIVE_ORDERS"
BOTH = {ENV: "true"}


def test_offered_platforms_are_the_specs_six_in_enum_order() -> None:
    assert platforms.PLATFORMS == (
        "backtest",
        "alpaca-paper",
        "alpaca-live",
        "binance-testnet",
        "binance-live",
        "mock",
    )


def test_every_enum_value_is_offered_or_reserved_exactly_once() -> None:
    emitted = [codec.enum_spelling(p) for p in TradingPlatform if p is not TradingPlatform.UNSPECIFIED]
    assert sorted(platforms.PLATFORMS + platforms.RESERVED) == sorted(emitted)
    assert not set(platforms.PLATFORMS) & set(platforms.RESERVED)
    assert "oanda-practice" in platforms.RESERVED and "saxo-live" in platforms.RESERVED


def test_aliases_are_the_specs() -> None:
    assert dict(platforms.ALIASES) == {
        "tektii": "backtest",
        "binance-spot-testnet": "binance-testnet",
        "binance-spot-live": "binance-live",
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("backtest", "backtest"),
        ("tektii", "backtest"),
        (" Tektii ", "backtest"),
        ("BINANCE-SPOT-LIVE", "binance-live"),
        ("binance-spot-testnet", "binance-testnet"),
        ("oanda-practice", "oanda-practice"),
        ("Acme", "acme"),  # unknown: a plugin's own name passes through, normalized
    ],
)
def test_canonical(given: str, expected: str) -> None:
    assert platforms.canonical(given) == expected


def test_member_agrees_with_the_codec() -> None:
    for spelling in [*platforms.PLATFORMS, *platforms.RESERVED, *platforms.ALIASES]:
        assert platforms.member(spelling) is codec.parse_enum(TradingPlatform, spelling)
    assert platforms.member("nasdaq") is None


def test_live_is_every_real_money_value_offered_or_reserved() -> None:
    assert platforms.LIVE == {
        "alpaca-live",
        "binance-live",
        "binance-futures-live",
        "binance-margin-live",
        "binance-coin-futures-live",
        "oanda-live",
        "saxo-live",
    }


@pytest.mark.parametrize(
    ("platform", "live"),
    [
        ("alpaca-live", True),
        ("binance-spot-live", True),  # an alias of a live value is live
        (TradingPlatform.BINANCE_LIVE, True),
        (TradingPlatform.SAXO_LIVE, True),
        ("alpaca-paper", False),
        ("binance-spot-testnet", False),
        ("oanda-practice", False),
        ("saxo-sim", False),
        ("backtest", False),
        (TradingPlatform.MOCK, False),
        (TradingPlatform.UNSPECIFIED, False),
        ("acme-live", False),  # a name is not enough: a plugin declares liveness on its venue
    ],
)
def test_is_live(platform: str | TradingPlatform, live: bool) -> None:
    assert platforms.is_live(platform) is live


@pytest.mark.parametrize("platform", ["backtest", "mock", "alpaca-paper", "binance-testnet", "acme"])
def test_guard_lets_paper_platforms_pass_without_opt_ins(platform: str) -> None:
    check_live_opt_in(platform, False, env={})


@pytest.mark.parametrize(
    ("allow", "env", "missing"),
    [
        (False, {}, ("the --allow-live-orders flag", f"the environment variable {ENV}=true")),
        (True, {}, (f"the environment variable {ENV}=true",)),
        (True, {ENV: "1"}, (f"the environment variable {ENV}=true",)),
        (True, {"TRADEWIRE_ALLOW_LIVE": "1"}, (f"the environment variable {ENV}=true",)),  # the old name
        (False, BOTH, ("the --allow-live-orders flag",)),
    ],
)
def test_guard_names_each_missing_opt_in(allow: bool, env: dict[str, str], missing: tuple[str, ...]) -> None:
    with pytest.raises(LiveOptInMissing) as caught:
        check_live_opt_in("binance-spot-live", allow, env=env)
    assert caught.value.platform == "binance-live" and caught.value.missing == missing
    assert str(caught.value).startswith("platform 'binance-live' places real-money orders; refusing without ")
    assert str(caught.value).endswith(" and ".join(missing))


def test_guard_passes_with_both_opt_ins() -> None:
    check_live_opt_in("alpaca-live", True, env=BOTH)
    check_live_opt_in(TradingPlatform.OANDA_LIVE, True, env=BOTH)


def test_guard_reads_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(LiveOptInMissing):
        check_live_opt_in("alpaca-live", True)
    monkeypatch.setenv(ENV, "TRUE")
    check_live_opt_in("alpaca-live", True)


def test_guard_takes_a_plugins_own_liveness() -> None:
    with pytest.raises(LiveOptInMissing, match="platform 'acme' places real-money orders"):
        check_live_opt_in("acme", False, live=True, env=BOTH)
    check_live_opt_in("acme", True, live=True, env=BOTH)
    check_live_opt_in("alpaca-live", False, live=False, env={})  # the caller's word wins


async def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError


def _venue(platform: TradingPlatform, **attrs: Any) -> Venue:
    """A concrete Venue of `platform` whose every abstract method refuses."""
    body: dict[str, Any] = dict.fromkeys(Venue.__abstractmethods__, _refuse)
    cls: type[Venue] = type("V", (Venue,), {**body, "platform": platform, **attrs})
    return cls()


@pytest.mark.parametrize(
    ("platform", "live"),
    [
        (TradingPlatform.BACKTEST, False),
        (TradingPlatform.MOCK, False),
        (TradingPlatform.ALPACA_PAPER, False),
        (TradingPlatform.ALPACA_LIVE, True),
        (TradingPlatform.SAXO_LIVE, True),
    ],
)
def test_a_venue_is_live_as_its_platform_by_default(platform: TradingPlatform, live: bool) -> None:
    assert _venue(platform).live is live


def test_a_plugin_venue_declares_itself_live() -> None:
    assert _venue(TradingPlatform.MOCK, live=True).live is True
