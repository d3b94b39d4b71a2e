"""Gateway configuration: flags > environment (TRADEWIRE_*) > TOML config file > defaults."""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

_CONFIG_FILE: ContextVar[Path | None] = ContextVar("tradewire_gateway_config_file", default=None)
DEFAULT_SYMBOLS = ("AAPL", "MSFT", "SPY", "BTC/USD", "ETH/USD")
#: Busy-poll budget of a paced venue (the backtest): covers a strategy's reply to a step (busy_poll.py).
DEFAULT_BACKTEST_BUSY_POLL = 0.001


class MockSettings(BaseModel):
    """The mock platform: synthetic prices, no account needed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbols: tuple[str, ...] = Field(DEFAULT_SYMBOLS, description="Instruments quoted and streamed.")
    seed: int = Field(7, description="Seed of the random walk; the same seed gives the same prices.")
    candle_interval: float = Field(
        1.0, gt=0, description="Wall-clock seconds per simulated 1m candle (1.0 = 60x accelerated)."
    )
    history_bars: int = Field(1000, ge=0, le=100_000, description="Bars of history per timeframe.")
    starting_balance: str = Field("100000", description="Account cash at start (decimal text).")
    currency: str = Field("USD", description="Account currency.")


class BacktestSettings(BaseModel):
    """The backtest platform: the engine's BacktestVenue on historical or generated data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data: tuple[str, ...] = Field((), description="CSV/Parquet files or folders with bars or quotes.")
    config: str | None = Field(None, description="Engine configuration file (TOML), passed to the engine.")
    symbols: tuple[str, ...] = Field((), description="Instruments to simulate (default: all in the data).")
    timeframe: str | None = Field(
        None,
        description=(
            "Bar size to simulate and stream (1m ... 1w): finer bars in the data are aggregated to it, "
            "coarser ones are refused (default: the data's own)."
        ),
    )
    price_decimals: int | None = Field(
        None, ge=0, le=12, description="Price decimals of the data (default: read from the CSV text)."
    )
    options: dict[str, Any] = Field(default_factory=dict, description="Further engine options, verbatim.")


class GatewaySettings(BaseSettings):
    """Everything the gateway process needs. Environment variables use the prefix `TRADEWIRE_`;
    nested fields use `__` (`TRADEWIRE_MOCK__SEED=3`). The API key is read from `TRADEWIRE_API_KEY`
    or its alias `GATEWAY_API_KEY`."""

    model_config = SettingsConfigDict(
        env_prefix="TRADEWIRE_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
        populate_by_name=True,
    )

    platform: str = Field("mock", description="Venue to serve: mock, backtest, or an installed provider.")
    host: str = Field("127.0.0.1", description="Listen address; non-loopback requires an API key.")
    port: int = Field(8080, ge=0, le=65535, description="Listen port (0 = any free port).")
    api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("api_key", "TRADEWIRE_API_KEY", "GATEWAY_API_KEY"),
        description="Key clients must send (Authorization: Bearer or X-API-Key). None = open.",
    )
    allow_live_orders: bool = Field(
        False, description="Second opt-in for live platforms (the first is TRADEWIRE_ALLOW_LIVE=1)."
    )
    public_docs: bool = Field(
        False,
        description="Serve the Swagger UI page and assets at /docs without the key (the document stays protected).",
    )
    cors_origins: tuple[str, ...] = Field((), description="Origins allowed by CORS; empty = CORS off.")
    max_body_bytes: int = Field(1 << 20, ge=1024, description="Largest accepted request body (413 above).")
    ws_queue_size: int = Field(
        1024, ge=1, description="Live messages queued per client before it is dropped (1008)."
    )
    ws_ping_interval: float = Field(30.0, gt=0, description="Seconds of outgoing silence before a JSON ping.")
    ws_send_timeout: float = Field(
        5.0,
        gt=0,
        description=(
            "Seconds one frame to a client may take to write: a client that reads slower is closed 1008; "
            "if the close cannot be written within as long again, its TCP connection is aborted."
        ),
    )
    ack_timeout: float | None = Field(
        None,
        gt=0,
        description="Backtest: seconds a step may wait for acks before the run stops (None = forever).",
    )
    complete_ack_timeout: float = Field(
        10.0, ge=0, description="Backtest: wait for the final ack, then close 1000."
    )
    busy_poll: float | None = Field(
        None,
        ge=0,
        le=0.1,
        description=(
            "Seconds the event loop polls its sockets before sleeping (lower step latency for "
            "lock-step backtests; 0 = off; default 0.001 for a paced venue (the backtest), off elsewhere)."
        ),
    )
    shutdown_grace: float = Field(0.5, ge=0, description="Seconds between DISCONNECTING and close 1001.")
    log_level: str = Field("info", description="Log level: debug, info, warning, error.")
    json_logs: bool = Field(True, description="Log JSON lines (false = plain text).")
    mock: MockSettings = MockSettings.model_validate({})  # frozen, so one shared default is safe
    backtest: BacktestSettings = BacktestSettings.model_validate({})
    venue_options: dict[str, Any] = Field(
        default_factory=dict, description="Options passed verbatim to a third-party provider."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_file = _CONFIG_FILE.get()
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    def busy_poll_budget(self, paced: bool) -> float:
        """The busy-poll budget in effect (see `busy_poll`) for a paced venue or a live one."""
        if self.busy_poll is not None:
            return self.busy_poll
        return DEFAULT_BACKTEST_BUSY_POLL if paced else 0.0

    @property
    def is_loopback(self) -> bool:
        """Whether `host` only accepts local connections."""
        if self.host in ("localhost", "ip6-localhost"):
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> GatewaySettings:
    """Build settings from flags (`overrides`, None values skipped), environment and a TOML file.

    Raises:
        FileNotFoundError: `config_file` does not exist.
        pydantic.ValidationError: a value is invalid or a key is unknown.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    if config_file is None:
        return GatewaySettings(**given)
    path = Path(config_file)
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    token = _CONFIG_FILE.set(path)  # read by settings_customise_sources during this construction
    try:
        return GatewaySettings(**given)
    finally:
        _CONFIG_FILE.reset(token)
