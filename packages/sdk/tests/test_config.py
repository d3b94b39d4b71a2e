"""Pins client configuration: the spec's environment names, precedence, and the plain-http key guard."""

from __future__ import annotations

import pytest

from tradewire.sdk import ClientConfig, ConfigurationError, InsecureTransport


def test_environment_names_and_precedence() -> None:
    env = {
        "TRADING_GATEWAY_URL": "http://127.0.0.1:9000",
        "TEKTII_TRADING_GATEWAY_URL": "http://127.0.0.1:9001/",
        "TRADING_GATEWAY_API_KEY": "plain",
        "TEKTII_TRADING_GATEWAY_API_KEY": "tektii",
    }
    cfg = ClientConfig.resolve(env=env)
    assert cfg.base_url == "http://127.0.0.1:9001"
    assert cfg.api_key == "tektii"
    assert cfg.headers()["Authorization"] == "Bearer tektii"


@pytest.mark.parametrize(
    "name",
    ["TRADEWIRE_API_KEY", "TEKTII_TRADING_GATEWAY_API_KEY", "TRADING_GATEWAY_API_KEY", "GATEWAY_API_KEY"],
)
def test_the_key_comes_from_any_name_the_gateway_reads(name: str) -> None:
    from tradewire.protocol import routes

    assert ClientConfig.resolve(env={name: "k"}).api_key == "k" and name in routes.ENV_API_KEY
    both = {"TRADEWIRE_API_KEY": "ours", "TRADING_GATEWAY_API_KEY": "spec", "GATEWAY_API_KEY": "alias"}
    assert ClientConfig.resolve(env=both).api_key == "ours"


def test_arguments_win_and_default_url() -> None:
    cfg = ClientConfig.resolve(
        "http://localhost:1234", "k", env={"TRADING_GATEWAY_URL": "http://127.0.0.1:1"}
    )
    assert (cfg.base_url, cfg.api_key) == ("http://localhost:1234", "k")
    assert ClientConfig.resolve(env={}).base_url == "http://localhost:8080"


def test_ws_url_and_framing() -> None:
    assert ClientConfig(base_url="http://127.0.0.1:8080").ws_url == "ws://127.0.0.1:8080/v1/ws?framing=batch"
    assert (
        ClientConfig(base_url="https://gw.example/p", framing="single").ws_url == "wss://gw.example/p/v1/ws"
    )


def test_key_never_goes_over_plain_http_to_another_host() -> None:
    with pytest.raises(InsecureTransport):
        ClientConfig(base_url="http://gw.example:8080", api_key="s3cret")
    ClientConfig(base_url="https://gw.example", api_key="s3cret")
    ClientConfig(base_url="http://127.0.0.5:8080", api_key="s3cret")
    ClientConfig(base_url="http://[::1]:8080", api_key="s3cret")
    ClientConfig(base_url="http://gw.example:8080", api_key="s3cret", allow_insecure=True)
    assert ClientConfig.resolve(
        "http://gw.example", "k", env={"TRADEWIRE_ALLOW_INSECURE": "1"}
    ).allow_insecure
    ClientConfig(base_url="http://gw.example:8080")  # no key, nothing to leak


def test_bad_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        ClientConfig(base_url="ftp://x")
