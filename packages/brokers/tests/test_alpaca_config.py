"""Alpaca's configuration from its own environment names: paper vs live defaults, overrides, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradewire.brokers._live.config import ConfigError
from tradewire.brokers.alpaca.capabilities import capabilities
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.protocol.messages import AssetClass, OrderType, PositionMode

KEYS = {"APCA_API_KEY_ID": "PKTESTKEY12345678", "APCA_API_SECRET_KEY": "s3cr3t-value-abcdef"}


def test_paper_and_live_default_to_alpacas_own_urls() -> None:
    paper = AlpacaConfig.from_env(paper=True, env=KEYS)
    live = AlpacaConfig.from_env(paper=False, env=KEYS)
    assert paper.rest_url == "https://paper-api.alpaca.markets"
    assert paper.stream_url == "wss://paper-api.alpaca.markets/stream"
    assert live.rest_url == "https://api.alpaca.markets"
    assert live.stream_url == "wss://api.alpaca.markets/stream"
    assert paper.data_url == live.data_url == "https://data.alpaca.markets"
    assert paper.stock_stream_url() == "wss://stream.data.alpaca.markets/v2/iex"
    assert paper.crypto_stream_url() == "wss://stream.data.alpaca.markets/v1beta3/crypto/us"
    assert paper.store_path != live.store_path


def test_every_url_and_the_store_are_configurable() -> None:
    env = {
        **KEYS,
        "APCA_API_BASE_URL": "http://127.0.0.1:9/",
        "APCA_API_DATA_URL": "http://127.0.0.1:9/data",
        "TRADEWIRE_ALPACA_STREAM_URL": "ws://127.0.0.1:9/stream",
        "TRADEWIRE_ALPACA_DATA_STREAM_URL": "ws://127.0.0.1:9/data-stream",
        "TRADEWIRE_ALPACA_FEED": "sip",
        "TRADEWIRE_ALPACA_STORE": "state/alpaca.sqlite3",
    }
    config = AlpacaConfig.from_env(paper=True, env=env)
    assert config.rest_url == "http://127.0.0.1:9"
    assert config.data_url == "http://127.0.0.1:9/data"
    assert config.stream_url == "ws://127.0.0.1:9/stream"
    assert config.stock_stream_url() == "ws://127.0.0.1:9/data-stream/v2/sip"
    assert config.store_path == Path("state/alpaca.sqlite3")


def test_missing_keys_name_the_variables_and_keys_never_show() -> None:
    with pytest.raises(ConfigError, match="APCA_API_SECRET_KEY"):
        AlpacaConfig.from_env(paper=True, env={"APCA_API_KEY_ID": "x"})
    config = AlpacaConfig.from_env(paper=True, env=KEYS)
    assert "s3cr3t" not in repr(config) and "PKTESTKEY1234" not in repr(config)
    with pytest.raises(ConfigError, match="TRADEWIRE_ALPACA_FEED"):
        AlpacaConfig.from_env(paper=True, env={**KEYS, "TRADEWIRE_ALPACA_FEED": "nasdaq"})
    with pytest.raises(ConfigError, match="TRADEWIRE_ALPACA_STREAM_URL"):
        AlpacaConfig.from_env(paper=True, env={**KEYS, "TRADEWIRE_ALPACA_STREAM_URL": "http://x/stream"})


def test_capabilities_per_asset_class() -> None:
    caps = capabilities()
    assert caps.supported_asset_classes == [AssetClass.STOCK, AssetClass.CRYPTO]
    assert OrderType.TRAILING_STOP in caps.supported_order_types
    assert caps.position_mode == PositionMode.NETTING
    assert "stock:bracket_orders" in caps.features and "bracket_orders" in caps.features
    assert "crypto:bracket_orders" not in caps.features
    assert "crypto:tif_gtc" in caps.features and "crypto:tif_day" not in caps.features
    # What the gateway manages itself is reported as managed_, never as the native feature.
    managed = sorted(f for f in caps.features if "managed_" in f)
    assert managed == [
        "crypto:managed_bracket_orders",
        "crypto:managed_oco_orders",
        "crypto:managed_oto_orders",
        "crypto:managed_stop_trigger",
        "stock:managed_oco_orders",
        "stock:managed_stop_trigger",
    ]
    assert caps.rate_limits is not None and caps.rate_limits.requests_per_minute == 200
