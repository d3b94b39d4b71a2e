"""Client configuration: base URL, API key and retry policy, from arguments or the environment."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from tradewire.protocol import routes
from tradewire.sdk.errors import ConfigurationError, InsecureTransport

__all__ = [
    "ENV_ALLOW_INSECURE",
    "ENV_API_KEY",
    "ENV_STREAM_CLIENT",
    "ENV_URL",
    "ClientConfig",
    "is_loopback",
    "key_hint",
]

#: Base URL variables, first found wins (the TEKTII_ name takes precedence, as the spec says).
ENV_URL = routes.ENV_URL
#: API key variables, first found wins: the same names the gateway reads.
ENV_API_KEY = routes.ENV_API_KEY
#: Set to 1 to allow sending the key over plain http/ws to a non-loopback host.
ENV_ALLOW_INSECURE = "TRADEWIRE_ALLOW_INSECURE"
#: The asyncio event stream's client: auto (picows when `tradewire-sdk[fast]` is installed), websockets, picows.
ENV_STREAM_CLIENT = "TRADEWIRE_STREAM_CLIENT"
STREAM_CLIENTS = ("auto", "websockets", "picows")
DEFAULT_URL = "http://localhost:8080"


def key_hint(message: str) -> str:
    """A refused key's message, naming where the key is read from (the caller's first question)."""
    return f"{message} (the API key is read from {', '.join(ENV_API_KEY)}: the first one set)"


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (localhost, 127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = env.get(name)
        if value:
            return value
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class ClientConfig:
    """How to reach a gateway. Build it with `ClientConfig.resolve(...)` to fill gaps from the environment.

    Attributes:
        base_url: Scheme + host + port (+ optional path prefix), no trailing slash.
            Environment: `TEKTII_TRADING_GATEWAY_URL`, then `TRADING_GATEWAY_URL`; default `http://localhost:8080`.
        api_key: Sent as `Authorization: Bearer <key>` on REST and on the WebSocket upgrade.
            Environment: the first set of `TRADEWIRE_API_KEY`, `TEKTII_TRADING_GATEWAY_API_KEY`,
            `TRADING_GATEWAY_API_KEY`, `GATEWAY_API_KEY` (the names the gateway reads too).
        allow_insecure: Allow the key over plain http/ws to a non-loopback host (`TRADEWIRE_ALLOW_INSECURE=1`).
        timeout: Seconds for connecting and for each read.
        max_retries: Retries after the first attempt for retryable failures.
        backoff_base: First retry delay in seconds; doubles each retry, with full jitter.
        backoff_max: Cap on one retry delay (and on an honoured Retry-After).
        reconnect_max_delay: Cap on the stream's reconnect delay (the spec's 30 s).
        framing: `"batch"` opts into the batched framing extension; `"single"` is the compatible framing.
        stream_client: The asyncio event stream's WebSocket client: `"auto"` takes picows when
            `tradewire-sdk[fast]` is installed, else websockets; `"websockets"` forces the pure-Python
            fallback; `"picows"` requires the extra. With `"auto"`, the environment variable
            `TRADEWIRE_STREAM_CLIENT` (same values) decides. The blocking `EventStream` always uses websockets.
    """

    base_url: str = DEFAULT_URL
    api_key: str | None = None
    allow_insecure: bool = False
    timeout: float = 10.0
    max_retries: int = 3
    backoff_base: float = 0.25
    backoff_max: float = 8.0
    reconnect_max_delay: float = 30.0
    framing: str = "batch"
    stream_client: str = "auto"

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"gateway URL must be http(s)://host[:port]: {self.base_url!r}")
        if self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if self.framing not in ("batch", "single"):
            raise ConfigurationError(f"framing must be 'batch' or 'single', not {self.framing!r}")
        if self.stream_client not in STREAM_CLIENTS:
            raise ConfigurationError(
                f"stream_client must be one of {', '.join(STREAM_CLIENTS)}, not {self.stream_client!r}"
            )
        if (
            self.api_key
            and parts.scheme == "http"
            and not self.allow_insecure
            and not is_loopback(parts.hostname)
        ):
            raise InsecureTransport(
                f"refusing to send the API key over plain http to {parts.hostname}; use https, "
                f"or allow it explicitly (allow_insecure=True or {ENV_ALLOW_INSECURE}=1)"
            )

    @classmethod
    def resolve(
        cls,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        env: Mapping[str, str] | None = None,
        **options: object,
    ) -> ClientConfig:
        """Arguments first, then the spec's environment variables, then defaults."""
        env = os.environ if env is None else env
        url = base_url or _first(env, ENV_URL) or DEFAULT_URL
        key = api_key if api_key is not None else _first(env, ENV_API_KEY)
        if "allow_insecure" not in options:
            options["allow_insecure"] = env.get(ENV_ALLOW_INSECURE, "") in ("1", "true", "yes")

        return cls(base_url=url, api_key=key or None, **options)  # type: ignore[arg-type]

    def with_options(self, **changes: object) -> ClientConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def ws_url(self) -> str:
        """The event stream URL: http→ws, https→wss, plus `/v1/ws` and the framing opt-in."""
        scheme, rest = self.base_url.split("://", 1)
        url = f"{'wss' if scheme == 'https' else 'ws'}://{rest}/v1/ws"
        return url + "?framing=batch" if self.framing == "batch" else url

    def headers(self) -> dict[str, str]:
        """Request headers: the key as a bearer token when there is one."""
        h = {"User-Agent": "tradewire-sdk/0.1", "Accept": "application/json"}
        if self.api_key:
            h["Authorization"] = f"Bearer {self.api_key.strip()}"
        return h
