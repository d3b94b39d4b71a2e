"""Gateway configuration: flags > environment (TRADEWIRE_*) > TOML config file > defaults."""

from __future__ import annotations

import importlib.util
import ipaddress
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tradewire.protocol import routes
from tradewire.protocol.messages import TradingPlatform

_CONFIG_FILE: ContextVar[Path | None] = ContextVar("tradewire_gateway_config_file", default=None)
DEFAULT_SYMBOLS = ("AAPL", "MSFT", "SPY", "BTC/USD", "ETH/USD")
#: Busy-poll budget of a paced venue (the backtest): covers a strategy's reply to a step (busy_poll.py).
DEFAULT_BACKTEST_BUSY_POLL = 0.001
#: Per-key request rate (per second) and burst where a broker is behind the venue (not mock/backtest).
DEFAULT_RATE_LIMIT = (50.0, 100)
#: Platforms with no broker behind them: no request rate limit unless one is configured.
UNLIMITED_PLATFORMS = frozenset({TradingPlatform.MOCK, TradingPlatform.BACKTEST})
#: Shortest API key accepted on a non-loopback bind.
MIN_KEY_LENGTH = 16
#: The config-file key that is the command-line live opt-in's only stand-in (never from the environment).
LIVE_FILE_KEY = "i_understand_live_orders_are_real"


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
    nested fields use `__` (`TRADEWIRE_MOCK__SEED=3`). The API key is read from the first set of
    `TRADEWIRE_API_KEY`, `TEKTII_TRADING_GATEWAY_API_KEY`, `TRADING_GATEWAY_API_KEY` and
    `GATEWAY_API_KEY`: the names clients read too (`tradewire.protocol.routes.ENV_API_KEY`)."""

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
        validation_alias=AliasChoices("api_key", *routes.ENV_API_KEY),
        description="Key clients must send (Authorization: Bearer or X-API-Key). None = open.",
    )
    allow_live_orders: bool = Field(
        False,
        description=(
            "First live opt-in: the --allow-live-orders flag only (never the environment or a file); "
            "the second is TRADEWIRE_ALLOW_LIVE_ORDERS=true in the environment."
        ),
    )
    i_understand_live_orders_are_real: bool = Field(
        False,
        description=(
            "DANGEROUS: the config-file stand-in for --allow-live-orders (refused from the environment). "
            "Real-money orders still need TRADEWIRE_ALLOW_LIVE_ORDERS=true in the environment."
        ),
    )
    public_docs: bool = Field(
        False,
        description="Serve the Swagger UI page and assets at /docs without the key (the document stays protected).",
    )
    public_metrics: bool = Field(
        False, description="Serve /metrics without the key (it shows order counts; default: key required)."
    )
    cors_origins: tuple[str, ...] = Field((), description="Origins allowed by CORS; empty = CORS off.")
    max_body_bytes: int = Field(1 << 20, ge=1024, description="Largest accepted request body (413 above).")
    max_head_bytes: int = Field(
        16 * 1024,
        ge=1024,
        description="Largest request head (request line and headers) in bytes; 431 and close above.",
    )
    head_timeout: float = Field(
        10.0,
        gt=0,
        description=(
            "Seconds a client has to complete a request head, counted from connection open and from the "
            "first byte of each later request on a keep-alive connection; then 408 and close (closed "
            "without an answer when nothing was sent)."
        ),
    )
    body_timeout: float = Field(
        30.0,
        gt=0,
        description=(
            "Seconds a client has to send a request body once its head is in; then 408 and close. A body "
            "trickled in slowly would otherwise hold a connection (and the request) forever."
        ),
    )
    keep_alive_timeout: float = Field(
        5.0, gt=0, description="Seconds an idle keep-alive connection stays open between requests."
    )
    max_connections: int = Field(
        1000, ge=1, description="Open connections (HTTP and WebSocket) in total; 503 and close above."
    )
    max_connections_per_client: int = Field(
        256, ge=1, description="Open connections from one client address; 503 and close above."
    )
    ws_max_size: int = Field(
        1 << 20, ge=1024, description="Largest client WebSocket message in bytes; close 1009 above."
    )
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
    loop: Literal["auto", "asyncio", "uvloop"] = Field(
        "auto",
        description=(
            "Event loop: uvloop (busy-polls by a spinning callback), asyncio (busy-polls in its "
            "selector), or auto = uvloop when installed, else asyncio. Measured in benchmarks/README.md."
        ),
    )
    ws: Literal["websockets-sansio", "websockets", "wsproto"] = Field(
        "websockets-sansio",
        description="uvicorn's WebSocket implementation (`websockets` is deprecated by uvicorn).",
    )
    shutdown_grace: float = Field(0.5, ge=0, description="Seconds between DISCONNECTING and close 1001.")
    drain_seconds: float = Field(
        0.0,
        ge=0,
        description=(
            "Seconds /readyz answers 503 after shutdown begins, serving as usual, before clients are told "
            "and the listener closes (give load balancers time to stop routing here; 0 = no drain)."
        ),
    )
    rate_limit_per_second: float | None = Field(
        None,
        ge=0,
        description=(
            "Requests per second per API key (per client address when no key is set), above which "
            "requests get 429 RATE_LIMITED; None = 50 where a broker is behind the venue, off on mock "
            "and backtest; 0 = off."
        ),
    )
    rate_limit_burst: int | None = Field(
        None, ge=1, description="Requests allowed at once before the rate applies (None = 100, or the rate)."
    )
    log_level: str = Field("info", description="Log level: debug, info, warning, error.")
    json_logs: bool = Field(True, description="Log JSON lines (false = plain text).")
    log_flood_lines: int = Field(
        20,
        ge=1,
        description=(
            "Lines of one kind (logger and message template) logged per client within "
            "`log_flood_window`; the rest are dropped and counted in one summary line."
        ),
    )
    log_flood_window: float = Field(10.0, gt=0, description="Seconds of the log flood window.")
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
        # The first live opt-in never comes from the environment, so one env file cannot hold both:
        # TRADEWIRE_ALLOW_LIVE_ORDERS is the second opt-in (read by tradewire.protocol.platforms), not
        # this setting, and the file key is refused there.
        env = _Filtered(
            env_settings, "the environment", ignore=("allow_live_orders",), refuse=(LIVE_FILE_KEY,)
        )
        sources: list[PydanticBaseSettingsSource] = [init_settings, env]
        toml_file = _CONFIG_FILE.get()
        if toml_file is not None:
            toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_file)
            sources.append(
                _Filtered(toml, f"a config file (use {LIVE_FILE_KEY})", refuse=("allow_live_orders",))
            )
        return tuple(sources)

    @property
    def live_orders_flag(self) -> bool:
        """The first live opt-in: the command-line flag, or the dangerous config-file key."""
        return self.allow_live_orders or self.i_understand_live_orders_are_real

    def rate_limit(self, platform: TradingPlatform) -> tuple[float, int] | None:
        """(requests per second, burst) in effect for a venue of `platform`, or None when not limited."""
        rate = self.rate_limit_per_second
        if rate is None:
            if platform in UNLIMITED_PLATFORMS:
                return None
            rate = DEFAULT_RATE_LIMIT[0]
            burst = self.rate_limit_burst or DEFAULT_RATE_LIMIT[1]
        else:
            burst = self.rate_limit_burst or max(1, int(rate))
        return None if rate == 0 else (rate, burst)

    def key_problem(self) -> str | None:
        """Why the configured API key cannot be used on this bind, or None (no key is a separate rule)."""
        if self.api_key is None:
            return None
        key = self.api_key.get_secret_value().strip()
        if not key:
            return "the API key is empty: set TRADEWIRE_API_KEY to a real key, or unset it"
        if len(key) < MIN_KEY_LENGTH and not self.is_loopback:
            return (
                f"refusing to bind {self.host} with an API key shorter than {MIN_KEY_LENGTH} characters "
                "(use a long random key, e.g. `openssl rand -hex 32`)"
            )
        return None

    def busy_poll_budget(self, paced: bool) -> float:
        """The busy-poll budget in effect (see `busy_poll`) for a paced venue or a live one."""
        if self.busy_poll is not None:
            return self.busy_poll
        return DEFAULT_BACKTEST_BUSY_POLL if paced else 0.0

    @property
    def event_loop(self) -> str:
        """The event loop `loop` gives on this installation: "uvloop" or "asyncio"."""
        if self.loop != "auto":
            return self.loop
        return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"

    @property
    def is_loopback(self) -> bool:
        """Whether `host` only accepts local connections."""
        if self.host in ("localhost", "ip6-localhost"):
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


class _Filtered(PydanticBaseSettingsSource):
    """A settings source whose values for `ignore` are dropped and for `refuse` are an error."""

    def __init__(
        self,
        source: PydanticBaseSettingsSource,
        where: str,
        ignore: tuple[str, ...] = (),
        refuse: tuple[str, ...] = (),
    ) -> None:
        super().__init__(source.settings_cls)
        self.source = source
        self.where = where
        self.ignore = ignore
        self.refuse = refuse

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.source.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        values = self.source()
        for name in self.refuse:
            if name in values:
                raise ValueError(f"{name} cannot be set from {self.where}")
        return {k: v for k, v in values.items() if k not in self.ignore}


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
