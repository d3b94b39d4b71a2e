"""The adapter's settings: base URLs and keys from the environment only (`_live.config`), the store path.

Rename the variables to the broker's own names where it has them (Alpaca: `APCA_API_KEY_ID`,
`APCA_API_SECRET_KEY`, `APCA_API_BASE_URL`, ...), so its documentation applies unchanged. Every URL is
configurable: the tests point them at the testkit's wire-level fake on 127.0.0.1.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tradewire.brokers._live.config import Credentials, env_credentials, env_url

__all__ = ["TemplateConfig"]

#: The environment variables this adapter reads (rename per broker).
KEY_VAR = "TEMPLATE_API_KEY"
SECRET_VAR = "TEMPLATE_API_SECRET"  # noqa: S105 - the variable name, not a secret
REST_URL_VAR = "TEMPLATE_REST_URL"
STREAM_URL_VAR = "TEMPLATE_STREAM_URL"
STORE_VAR = "TEMPLATE_STORE_PATH"


@dataclass(frozen=True, slots=True)
class TemplateConfig:
    """What the venue needs to start. Its repr shows no secret (`Credentials` redacts them)."""

    credentials: Credentials
    rest_url: str
    stream_url: str
    store_path: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TemplateConfig:
        """Read the configuration (required: set the broker's real default URLs).

        Raises:
            tradewire.brokers._live.config.ConfigError: a key is missing or a URL is malformed.
        """
        source = os.environ if env is None else env
        return cls(
            credentials=env_credentials(KEY_VAR, SECRET_VAR, env),
            rest_url=env_url(REST_URL_VAR, "https://broker.invalid", env=env),
            stream_url=env_url(STREAM_URL_VAR, "wss://broker.invalid/stream", ("wss", "ws"), env=env),
            store_path=Path(source.get(STORE_VAR, "tradewire-template.sqlite3")),
        )
