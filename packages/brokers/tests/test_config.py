"""Broker keys from the environment only, never shown in repr, str, f-strings or logs; the live guard."""

from __future__ import annotations

import logging
import pickle

import pytest

from tradewire.brokers._live.config import (
    REDACTED,
    ConfigError,
    RedactingFilter,
    Secret,
    check_live,
    env_credentials,
    env_url,
)
from tradewire.brokers._template.venue import TemplateVenue
from tradewire.protocol.messages import TradingPlatform
from tradewire.protocol.platforms import LiveOptInMissing

KEY = "PKTESTKEY1234WXYZ"
SECRET = "s3cr3t-value-that-must-not-leak"
ENV = {"APCA_API_KEY_ID": KEY, "APCA_API_SECRET_KEY": SECRET}


def test_a_secret_never_shows_its_value() -> None:
    secret = Secret(SECRET)
    # "%s" is how logging formats its arguments.
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % secret, f"{secret:>9}"):  # noqa: UP031
        assert SECRET not in shown
    assert secret.reveal() == SECRET
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_credentials_come_from_the_environment_and_repr_hides_them() -> None:
    creds = env_credentials("APCA_API_KEY_ID", "APCA_API_SECRET_KEY", ENV)
    assert creds.secrets() == (KEY, SECRET)
    shown = repr(creds)
    assert SECRET not in shown and KEY not in shown
    assert shown.endswith(f"key_id='…WXYZ', secret=Secret('{REDACTED}'))")


def test_missing_keys_name_the_variables_never_a_value() -> None:
    with pytest.raises(ConfigError) as info:
        env_credentials("APCA_API_KEY_ID", "APCA_API_SECRET_KEY", {"APCA_API_KEY_ID": KEY})
    assert "APCA_API_SECRET_KEY" in str(info.value)
    assert KEY not in str(info.value)
    with pytest.raises(ConfigError, match="APCA_API_KEY_ID and APCA_API_SECRET_KEY"):
        env_credentials("APCA_API_KEY_ID", "APCA_API_SECRET_KEY", {"APCA_API_KEY_ID": "  "})


def test_urls_default_or_come_from_the_environment() -> None:
    default = "https://paper-api.alpaca.markets"
    assert env_url("APCA_API_BASE_URL", default, env={}) == default
    env = {"APCA_API_BASE_URL": "http://127.0.0.1:8123/"}
    assert env_url("APCA_API_BASE_URL", default, env=env) == "http://127.0.0.1:8123"
    stream = env_url("S", "wss://x.example/stream", ("wss", "ws"), env={"S": "ws://127.0.0.1:9/stream"})
    assert stream == "ws://127.0.0.1:9/stream"


@pytest.mark.parametrize(
    "url", ["ftp://example.com", "127.0.0.1:8000", "https://", "https://user:pw@example.com"]
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="APCA_API_BASE_URL"):
        env_url("APCA_API_BASE_URL", "https://x.example", env={"APCA_API_BASE_URL": url})


def test_the_redacting_filter_scrubs_secrets_from_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tradewire.brokers.test.redact")
    creds = env_credentials("APCA_API_KEY_ID", "APCA_API_SECRET_KEY", ENV)
    redact = RedactingFilter(creds.secrets())
    logger.addFilter(redact)
    try:
        with caplog.at_level(logging.DEBUG, logger=logger.name):
            logger.debug("headers: %s", {"APCA-API-KEY-ID": KEY, "APCA-API-SECRET-KEY": SECRET})
            logger.info("plain %s", "text")
    finally:
        logger.removeFilter(redact)
    assert SECRET not in caplog.text and KEY not in caplog.text
    assert REDACTED in caplog.text
    assert "plain text" in caplog.text


class _Venue(TemplateVenue):
    """Only `platform` and `live` matter to the guard (the template's methods are never called)."""

    def __init__(self, platform: TradingPlatform) -> None:
        self.platform = platform


def test_the_live_guard_refuses_a_live_venue_without_both_opt_ins() -> None:
    live = _Venue(TradingPlatform.ALPACA_LIVE)
    with pytest.raises(LiveOptInMissing, match="TRADEWIRE_ALLOW_LIVE"):
        check_live(live, allow_live_orders=True, env={})
    with pytest.raises(LiveOptInMissing, match="--allow-live-orders"):
        check_live(live, allow_live_orders=False, env={"TRADEWIRE_ALLOW_LIVE_ORDERS": "true"})
    check_live(live, allow_live_orders=True, env={"TRADEWIRE_ALLOW_LIVE_ORDERS": "true"})


def test_the_live_guard_lets_paper_through_and_follows_venue_live() -> None:
    check_live(_Venue(TradingPlatform.ALPACA_PAPER), allow_live_orders=False, env={})

    class RealMoneyPlugin(_Venue):
        @property
        def live(self) -> bool:
            return True

    with pytest.raises(LiveOptInMissing):
        check_live(RealMoneyPlugin(TradingPlatform.ALPACA_PAPER), allow_live_orders=False, env={})
