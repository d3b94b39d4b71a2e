"""Binance's configuration: testnet vs live defaults, overrides, the factory and the live guard."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tradewire.brokers._live.config import ConfigError
from tradewire.brokers.binance.config import BinanceConfig
from tradewire.brokers.binance.factory import create_venue
from tradewire.brokers.binance.venue import BinanceVenue
from tradewire.protocol.messages import TradingPlatform
from tradewire.protocol.platforms import LiveOptInMissing

KEYS = {"BINANCE_API_KEY": "vmPUZE6mv9SD5VNHk4Hl", "BINANCE_API_SECRET": "NhqPtmdSJYdKjVHjA7PZj4Mge3R5"}


def test_testnet_and_live_differ_only_in_urls() -> None:
    testnet = BinanceConfig.from_env(testnet=True, env=KEYS)
    live = BinanceConfig.from_env(testnet=False, env=KEYS)
    assert testnet.rest_url == "https://testnet.binance.vision"
    assert testnet.ws_api_url == "wss://ws-api.testnet.binance.vision/ws-api/v3"
    assert testnet.stream_url == "wss://stream.testnet.binance.vision"
    assert live.rest_url == "https://api.binance.com"
    assert live.ws_api_url == "wss://ws-api.binance.com:443/ws-api/v3"
    assert live.stream_url == "wss://stream.binance.com:9443"
    assert testnet.quote_assets[0] == "USDT" and testnet.recv_window == 5000
    assert "NhqPtmdSJYdKjVHjA7PZj4Mge3R5" not in repr(testnet)


def test_overrides_and_malformed_values() -> None:
    env = {
        **KEYS,
        "BINANCE_API_URL": "http://127.0.0.1:9/",
        "BINANCE_WS_API_URL": "ws://127.0.0.1:9/ws-api/v3",
        "BINANCE_STREAM_URL": "ws://127.0.0.1:9",
        "TRADEWIRE_BINANCE_SYMBOLS": "BTC/USDT, ethusdt",
        "TRADEWIRE_BINANCE_QUOTE_ASSETS": "usdc,usdt",
    }
    config = BinanceConfig.from_env(testnet=True, env=env)
    assert config.rest_url == "http://127.0.0.1:9" and config.symbols == ("BTCUSDT", "ETHUSDT")
    assert config.quote_assets == ("USDC", "USDT")
    with pytest.raises(ConfigError, match="BINANCE_API_SECRET"):
        BinanceConfig.from_env(testnet=True, env={"BINANCE_API_KEY": "k"})
    with pytest.raises(ConfigError, match="RECV_WINDOW"):
        BinanceConfig.from_env(testnet=True, env={**KEYS, "TRADEWIRE_BINANCE_RECV_WINDOW": "70000"})


def test_the_factory_builds_both_platforms_and_refuses_others(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    venue = create_venue(SimpleNamespace(platform="binance-testnet", live_orders_flag=False))
    assert isinstance(venue, BinanceVenue) and not venue.live
    assert create_venue(SimpleNamespace(platform="binance-live", live_orders_flag=False)).live
    with pytest.raises(ValueError, match="binance-testnet"):
        create_venue(SimpleNamespace(platform="alpaca-paper", live_orders_flag=False))


async def test_live_needs_both_opt_ins_before_anything_opens(tmp_path: object) -> None:
    config = BinanceConfig.from_env(testnet=False, env=KEYS)
    venue = BinanceVenue(config, TradingPlatform.BINANCE_LIVE, allow_live_orders=True, env={})
    with pytest.raises(LiveOptInMissing):
        await venue.connect()
    assert venue._store is None  # nothing was opened


def test_missing_keys_are_one_line_naming_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="binance-testnet: broker credentials missing: set BINANCE_API_KEY"):
        create_venue(SimpleNamespace(platform="binance-testnet", live_orders_flag=False))
