"""The SDK's exception tree: the protocol's error table, plus what only a client can see."""

from __future__ import annotations

from tradewire.protocol import reject_codes
from tradewire.protocol.errors import (
    AuthenticationError,
    InternalError,
    InvalidRequest,
    InvalidValue,
    NotFound,
    OcoGroupNotFound,
    OrderNotFound,
    OrderNotModifiable,
    OrderRejected,
    PositionNotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ResetCooldown,
    ShuttingDown,
    SymbolNotFound,
    TradewireError,
    UnsupportedOperation,
    ValidationError,
)

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConnectionLost",
    "InsecureTransport",
    "InsufficientFunds",
    "InternalError",
    "InvalidRequest",
    "InvalidValue",
    "LiveTradingNotAllowed",
    "NotFound",
    "OcoGroupNotFound",
    "OrderNotFound",
    "OrderNotModifiable",
    "OrderRejected",
    "PositionNotFound",
    "ProtocolViolation",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "ResetCooldown",
    "RunChanged",
    "ShuttingDown",
    "SymbolNotFound",
    "TradewireError",
    "UnsupportedOperation",
    "ValidationError",
    "refine",
]


class InsufficientFunds(OrderRejected):
    """An order the venue refused for lack of cash or margin.

    Raised for a 422 `ORDER_REJECTED` whose `details.reject_code` is `INSUFFICIENT_FUNDS`, or whose
    reject reason is `INSUFFICIENT_BALANCE` / `INSUFFICIENT_MARGIN`. Catching `OrderRejected` catches it too.
    """


class ConnectionLost(TradewireError):
    """The gateway could not be reached, or the connection dropped and retries ran out."""

    status = 0


class RunChanged(ConnectionLost):
    """The stream reconnected to a gateway that serves another run: it restarted, and its orders, account
    and event ids started over. Going on would mix two runs, so the stream (and a strategy's run) stops.

    Attributes:
        before: The run id of the gateway's first CONNECTED.
        after: The run id the reconnect found.
    """

    def __init__(self, before: str, after: str) -> None:
        super().__init__(
            f"the gateway restarted: run {before} is gone and run {after} started over "
            "(new orders, account and event ids); stopping",
            {"before": before, "after": after},
        )
        self.before = before
        self.after = after


class ProtocolViolation(TradewireError):
    """The server answered something the wire API does not allow (e.g. a 2xx that is not JSON)."""

    status = 0


class ConfigurationError(TradewireError):
    """The client was configured in a way that cannot work (bad URL, unknown platform)."""

    status = 0


class InsecureTransport(ConfigurationError):
    """An API key would travel over plain http/ws to a host that is not this machine.

    Pass `allow_insecure=True` (or set `TRADEWIRE_ALLOW_INSECURE=1`) if you really mean it.
    """


class LiveTradingNotAllowed(ConfigurationError):
    """A live platform was chosen without both opt-ins (`--allow-live-orders` and
    `TRADEWIRE_ALLOW_LIVE_ORDERS=true`)."""


def refine(error: TradewireError) -> TradewireError:
    """The most specific SDK exception for `error` (an OrderRejected for lack of funds → InsufficientFunds)."""
    if type(error) is OrderRejected and reject_codes.code_in(error.details) in reject_codes.FUNDS:
        refined = InsufficientFunds(error.message, error.details)
        refined.__cause__ = error.__cause__
        return refined
    return error
