"""Broker credentials and URLs from the environment only, secrets redacted everywhere, the live guard."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from tradewire.protocol import platforms
from tradewire.protocol.venue import Venue

__all__ = [
    "REDACTED",
    "ConfigError",
    "Credentials",
    "RedactingFilter",
    "Secret",
    "check_live",
    "env_credentials",
    "env_url",
    "redacted_logger",
]

#: What a secret shows instead of its value, in repr, str, format and logs.
REDACTED: Final = "**********"


class ConfigError(RuntimeError):
    """The broker configuration is missing or wrong; the message names variables, never their values."""


class Secret:
    """A secret string that never shows itself: `repr`, `str` and f-strings print `REDACTED`.

    The value is read only with `reveal()`, at the one place it goes on the wire (a header, a signature).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself: pass it to the broker, never to a log, an error or a store."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{REDACTED}')"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would copy the value into whatever stores the pickle: refuse.
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True, slots=True)
class Credentials:
    """One broker key pair. The key id is shown by its last four characters only, the secret never."""

    key_id: Secret
    secret: Secret = field(repr=False)

    def __repr__(self) -> str:
        shown = self.key_id.reveal()[-4:] if len(self.key_id.reveal()) > 8 else ""
        return f"Credentials(key_id='…{shown}', secret={self.secret!r})"

    def secrets(self) -> tuple[str, str]:
        """Both values, for `RedactingFilter`."""
        return self.key_id.reveal(), self.secret.reveal()


def _environment(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def env_credentials(key_var: str, secret_var: str, env: Mapping[str, str] | None = None) -> Credentials:
    """A key pair from two environment variables (e.g. `APCA_API_KEY_ID`, `APCA_API_SECRET_KEY`).

    Keys come from the environment only: never from arguments, files in the repository or the store.

    Raises:
        ConfigError: a variable is unset or blank (the message names the variables, not values).
    """
    source = _environment(env)
    missing = [name for name in (key_var, secret_var) if not source.get(name, "").strip()]
    if missing:
        raise ConfigError("broker credentials missing: set " + " and ".join(missing))
    return Credentials(Secret(source[key_var].strip()), Secret(source[secret_var].strip()))


def env_url(
    var: str, default: str, schemes: Iterable[str] = ("https", "http"), env: Mapping[str, str] | None = None
) -> str:
    """A base URL from `var`, else `default`; trailing slashes trimmed (tests point these at a fake).

    Raises:
        ConfigError: the URL has another scheme or no host.
    """
    url = _environment(env).get(var, "").strip() or default
    parts = urlsplit(url)
    allowed = tuple(schemes)
    if parts.scheme not in allowed or not parts.hostname:
        raise ConfigError(f"{var}: expected a {' or '.join(allowed)} URL with a host, got {url!r}")
    if parts.username or parts.password:
        raise ConfigError(f"{var}: credentials do not belong in the URL; use the key variables")
    return url.rstrip("/")


class RedactingFilter(logging.Filter):
    """A logging filter that replaces every given secret in a record's message and arguments.

    Attach it to the handlers (or the loggers of the HTTP and WebSocket libraries) of a process that
    holds broker keys: a library's debug log of request headers then shows `REDACTED`.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is replaced whole. Short values would
        # redact ordinary words; no real key is this short.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self._scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        return True


class _KeysFilter(RedactingFilter):
    """A `RedactingFilter` of one key pair, which it remembers so that it is added once."""

    def __init__(self, credentials: Credentials) -> None:
        super().__init__(credentials.secrets())
        self.credentials = credentials


def redacted_logger(name: str, credentials: Credentials) -> logging.Logger:
    """The logger `name` with a `RedactingFilter` of `credentials` (once per key pair, however often
    it is asked for): what an adapter hands `websockets.connect`, whose debug log shows every frame,
    the ones carrying keys too."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, _KeysFilter) and f.credentials == credentials for f in logger.filters):
        logger.addFilter(_KeysFilter(credentials))
    return logger


def check_live(venue: Venue, allow_live_orders: bool, env: Mapping[str, str] | None = None) -> None:
    """The live guard an adapter runs in `connect()`, before any connection to a real-money account.

    The gateway checks the opt-ins before building a venue; this repeats the check inside the venue,
    by its own `Venue.live`, so an in-process caller (the SDK) cannot reach a live account without
    `--allow-live-orders` and `TRADEWIRE_ALLOW_LIVE_ORDERS=true` either.

    Raises:
        tradewire.protocol.platforms.LiveOptInMissing: live, and an opt-in is missing.
    """
    platforms.check_live_opt_in(venue.platform, allow_live_orders, live=venue.live, env=env)
