"""Start-up guards (issue 17): the live opt-ins come from two places, weak keys are refused, and the
rate limiter's buckets (a pure clock-driven module) refill as documented."""

from __future__ import annotations

import os

import pytest

from tradewire.gateway import providers
from tradewire.gateway.cli import main
from tradewire.gateway.providers.mock import MockVenue
from tradewire.gateway.ratelimit import MAX_BUCKETS, RateLimiter, TokenBucket
from tradewire.gateway.server import InsecureBind, check_bind
from tradewire.gateway.settings import GatewaySettings, load_settings
from tradewire.protocol.messages import TradingPlatform

ENV = "TRADEWIRE_ALLOW_LIVE_ORDERS"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("TRADEWIRE_") or name == "GATEWAY_API_KEY":
            monkeypatch.delenv(name)


class LiveVenue(MockVenue):
    """A third-party venue under a name no list knows, declaring that it trades real money."""

    live = True  # type: ignore[assignment]


# -- live opt-in -------------------------------------------------------------------------------------


def test_one_env_file_cannot_give_both_opt_ins(monkeypatch):
    # Before: TRADEWIRE_ALLOW_LIVE_ORDERS=true set the flag's setting, so an env file held both.
    monkeypatch.setenv(ENV, "true")
    monkeypatch.setenv("TRADEWIRE_ALLOW_LIVE", "1")
    settings = load_settings(platform="alpaca-live")
    assert settings.allow_live_orders is False and settings.live_orders_flag is False
    with pytest.raises(providers.PlatformError, match=r"without the --allow-live-orders flag$"):
        providers.create_venue(settings)


@pytest.mark.usefixtures("without_broker_plugins")
def test_the_flag_and_the_env_var_together_pass(monkeypatch):
    monkeypatch.setenv(ENV, "true")
    with pytest.raises(providers.PlatformError, match="not available in this build"):
        providers.create_venue(load_settings(platform="alpaca-live", allow_live_orders=True))


def test_the_flag_alone_is_not_enough():
    with pytest.raises(providers.PlatformError, match=rf"without the environment variable {ENV}=true$"):
        providers.create_venue(load_settings(platform="binance-live", allow_live_orders=True))


def test_cli_without_the_flag_exits_2(monkeypatch, capsys):
    monkeypatch.setenv(ENV, "true")
    assert main(["serve", "--platform", "alpaca-live"]) == 2
    assert "--allow-live-orders flag" in capsys.readouterr().err


@pytest.mark.usefixtures("without_broker_plugins")
def test_config_file_key_is_the_flags_dangerous_stand_in(tmp_path, monkeypatch):
    config = tmp_path / "gw.toml"
    config.write_text('platform = "alpaca-live"\ni_understand_live_orders_are_real = true\n')
    settings = load_settings(config)
    assert settings.live_orders_flag
    with pytest.raises(providers.PlatformError, match=f"{ENV}=true"):
        providers.create_venue(settings)
    monkeypatch.setenv(ENV, "true")
    with pytest.raises(providers.PlatformError, match="not available in this build"):
        providers.create_venue(settings)


def test_the_flags_setting_is_refused_in_a_config_file(tmp_path):
    config = tmp_path / "gw.toml"
    config.write_text("allow_live_orders = true\n")
    with pytest.raises(ValueError, match="allow_live_orders cannot be set from a config file"):
        load_settings(config)


def test_the_file_key_is_refused_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRADEWIRE_I_UNDERSTAND_LIVE_ORDERS_ARE_REAL", "true")
    with pytest.raises(ValueError, match="cannot be set from the environment"):
        load_settings()


def test_guard_covers_any_venue_that_declares_itself_live():
    settings = GatewaySettings(platform="acme")
    venue = LiveVenue(seed=1)
    assert venue.platform == TradingPlatform.MOCK  # no name list would catch it
    with pytest.raises(providers.PlatformError, match="'acme' places real-money orders"):
        providers.guard_venue(venue, settings, env={ENV: "true"})
    with pytest.raises(providers.PlatformError, match=f"{ENV}=true"):
        providers.guard_venue(venue, GatewaySettings(platform="acme", allow_live_orders=True), env={})
    providers.guard_venue(venue, GatewaySettings(platform="acme", allow_live_orders=True), env={ENV: "true"})
    providers.guard_venue(MockVenue(seed=1), settings, env={})  # not live: nothing asked


def test_a_live_plugin_is_refused_through_create_venue(monkeypatch):
    monkeypatch.setitem(providers.BUILTIN, "acme", f"{__name__}:make_live_venue")
    monkeypatch.setenv(ENV, "true")
    with pytest.raises(providers.PlatformError, match="'acme' places real-money orders"):
        providers.create_venue(load_settings(platform="acme"))
    assert isinstance(
        providers.create_venue(load_settings(platform="acme", allow_live_orders=True)), LiveVenue
    )


def make_live_venue(settings: GatewaySettings) -> LiveVenue:
    return LiveVenue(seed=1)


# -- weak keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "   ", "\t\n"])
@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_an_empty_key_is_refused_on_any_bind(key, host):
    with pytest.raises(InsecureBind, match="API key is empty"):
        check_bind(GatewaySettings(host=host, api_key=key))


def test_a_short_key_is_refused_beyond_loopback_only():
    with pytest.raises(InsecureBind, match="shorter than 16 characters"):
        check_bind(GatewaySettings(host="0.0.0.0", api_key="x" * 15))
    with pytest.raises(InsecureBind, match="shorter than 16 characters"):
        check_bind(GatewaySettings(host="0.0.0.0", api_key="  " + "x" * 15 + "  "))  # blanks don't count
    check_bind(GatewaySettings(host="0.0.0.0", api_key="x" * 16))
    check_bind(GatewaySettings(host="127.0.0.1", api_key="x"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRADEWIRE_API_KEY": ""}, "API key is empty"),
        ({"GATEWAY_API_KEY": "  "}, "API key is empty"),
        ({"TRADEWIRE_API_KEY": "s3cret", "TRADEWIRE_HOST": "0.0.0.0"}, "shorter than 16 characters"),
    ],
)
def test_cli_refuses_weak_keys_in_one_line(monkeypatch, capsys, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


# -- rate limit ----------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_paces_at_the_rate():
    bucket = TokenBucket(rate=2.0, burst=3, tokens=3.0, stamp=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == pytest.approx(0.5)  # one token takes 1/rate seconds
    assert bucket.take(0.25) == pytest.approx(0.25)
    assert bucket.take(0.5) == 0.0
    assert bucket.take(100.0) == 0.0 and bucket.tokens == pytest.approx(2.0)  # refill capped at burst


def test_limiter_keeps_one_bucket_per_client():
    clock = Clock()
    limiter = RateLimiter(rate=1.0, burst=1, clock=clock)
    assert limiter.take(b"key-a") == 0.0
    assert limiter.take(b"key-a") == pytest.approx(1.0)
    assert limiter.take(b"key-b") == 0.0  # another key, its own bucket
    clock.now += 1.0
    assert limiter.take(b"key-a") == 0.0


def test_limiter_forgets_idle_clients_past_its_bound():
    clock = Clock()
    limiter = RateLimiter(rate=1.0, burst=1, clock=clock)
    for i in range(MAX_BUCKETS):
        limiter.take(i)
    clock.now += 5.0  # every bucket refilled: forgetting them changes nothing
    assert limiter.take("new") == 0.0
    assert len(limiter.buckets) == 1


def test_limiter_refuses_a_useless_configuration():
    with pytest.raises(ValueError):
        RateLimiter(rate=0.0, burst=1)


@pytest.mark.parametrize(
    ("platform", "overrides", "expected"),
    [
        (TradingPlatform.BACKTEST, {}, None),
        (TradingPlatform.MOCK, {}, None),
        (TradingPlatform.ALPACA_LIVE, {}, (50.0, 100)),
        (TradingPlatform.ALPACA_PAPER, {}, (50.0, 100)),
        (TradingPlatform.ALPACA_LIVE, {"rate_limit_per_second": 0}, None),
        (TradingPlatform.ALPACA_LIVE, {"rate_limit_per_second": 5}, (5.0, 5)),
        (TradingPlatform.BACKTEST, {"rate_limit_per_second": 5, "rate_limit_burst": 20}, (5.0, 20)),
    ],
)
def test_rate_limit_defaults(platform, overrides, expected):
    assert GatewaySettings(**overrides).rate_limit(platform) == expected
