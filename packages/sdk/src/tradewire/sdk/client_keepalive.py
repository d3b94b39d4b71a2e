"""`KeepAliveClient`: deprecated, kept importable; it is `Client(..., transport="keepalive")`."""

from __future__ import annotations

import warnings
from typing import Any

from tradewire.sdk.client_sync import Client
from tradewire.sdk.config import ClientConfig

__all__ = ["KeepAliveClient"]


def KeepAliveClient(  # CamelCase: the name of the class it replaces
    base_url: str | None = None,
    api_key: str | None = None,
    *,
    config: ClientConfig | None = None,
    busy_poll_s: float | None = None,
    **options: Any,
) -> Client:
    """Deprecated since 0.1: use `Client(base_url, api_key, transport="keepalive", busy_poll_s=...)`.

    Returns that `Client`: the same methods, errors and retry policy over one persistent plain-http
    connection.
    """
    warnings.warn(
        'KeepAliveClient is deprecated; use Client(..., transport="keepalive")',
        DeprecationWarning,
        stacklevel=2,
    )
    return Client(base_url, api_key, config=config, transport="keepalive", busy_poll_s=busy_poll_s, **options)
