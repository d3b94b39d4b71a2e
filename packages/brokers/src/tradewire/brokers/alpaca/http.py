"""The thin async Alpaca REST client (httpx): auth headers, the shared rate limiter, exact decimals.

Every trading call takes its turn from `_live.ratelimit` (Alpaca: 200 a minute), feeds the limiter
the `X-Ratelimit-*` headers of the answer, parses the body with `_live.jsondecimal.loads` (never
`response.json()`: floats) and turns an error answer into the protocol's error (`errors`). `submit`
and `find_by_client_id` make it a `_live.submit.BrokerOrders`, so the venue submits idempotently.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import quote

import httpx

from tradewire.brokers._live import jsondecimal
from tradewire.brokers._live.ratelimit import ALPACA_LIMIT, RateLimiter, alpaca_observation
from tradewire.brokers._live.submit import OutcomeUnknown
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.errors import Subject, error_from_response
from tradewire.protocol.errors import (
    OrderNotFound,
    ProviderError,
    ProviderUnavailable,
    SymbolNotFound,
)

__all__ = ["AlpacaHttp", "BrokerBody"]

#: A decoded Alpaca JSON object.
BrokerBody = dict[str, Any]
#: Alpaca's own page size limit for account activities.
_PAGE: Final = 100
_ORDERS_MAX: Final = 500


class AlpacaHttp:
    """Alpaca's trading and market-data REST calls.

    Args:
        config: Base URLs and keys (`reveal()`ed only into the two headers).
        limiter: The trading budget; by default Alpaca's 200 a minute, queueing up to 2 s.
        timeout: Seconds per request; a submit that times out is an unknown outcome, looked up.
        wall: Wall-clock seconds, for the epoch-second `X-Ratelimit-Reset` header.
    """

    def __init__(
        self,
        config: AlpacaConfig,
        *,
        limiter: RateLimiter | None = None,
        timeout: float = 10.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.limiter = limiter or RateLimiter(ALPACA_LIMIT, 60.0, time.monotonic, max_wait=2.0)
        self._wall = wall
        headers = {
            "APCA-API-KEY-ID": config.credentials.key_id.reveal(),
            "APCA-API-SECRET-KEY": config.credentials.secret.reveal(),
            "Accept": "application/json",
        }
        self._client = httpx.AsyncClient(headers=headers, timeout=timeout)

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- the one request path -----------------------------------------------------------------
    async def _call(
        self,
        method: str,
        url: str,
        subject: Subject,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        limited: bool = True,
        ok: tuple[int, ...] = (200,),
        ident: str | None = None,
    ) -> Any:
        if limited:
            await self.limiter.acquire()
        content = None if body is None else _encode(body)
        headers = None if body is None else {"Content-Type": "application/json"}
        try:
            response = await self._client.request(
                method, url, params=_params(params), content=content, headers=headers
            )
        except httpx.TimeoutException as e:
            if subject == "submit":
                raise OutcomeUnknown(f"no answer from Alpaca: {type(e).__name__}") from e
            raise ProviderUnavailable(
                f"Alpaca did not answer {method} in time", {"error": type(e).__name__}
            ) from e
        except httpx.TransportError as e:
            if subject == "submit" and not isinstance(e, httpx.ConnectError):
                raise OutcomeUnknown(f"connection to Alpaca lost: {type(e).__name__}") from e
            raise ProviderUnavailable(
                f"Alpaca cannot be reached: {type(e).__name__}", {"error": str(e)}
            ) from e
        seen = alpaca_observation(response.status_code, response.headers, self._wall())
        if limited:
            self.limiter.observe(seen)
        parsed = _parse(response)
        if response.status_code not in ok:
            if response.status_code < 400:
                raise ProviderError(
                    f"Alpaca answered {response.status_code} to {method}", {"status": response.status_code}
                )
            raise error_from_response(response.status_code, parsed, subject, seen.retry_after, ident)
        return parsed

    @staticmethod
    def _segment(value: str) -> str:
        """An id or symbol as one path segment: a client's `%00` or `../x` stays inside it."""
        return quote(value, safe="")

    def _trading(self, path: str) -> str:
        return self.config.rest_url + path

    def _data(self, path: str) -> str:
        return self.config.data_url + path

    # -- orders (BrokerOrders) ----------------------------------------------------------------
    async def submit(self, payload: Mapping[str, object]) -> BrokerBody:
        """POST /v2/orders; the new order."""
        body: BrokerBody = await self._call("POST", self._trading("/v2/orders"), "submit", body=payload)
        return body

    async def find_by_client_id(self, client_order_id: str) -> BrokerBody | None:
        """GET /v2/orders:by_client_order_id; None when Alpaca has no such order.

        Raises:
            OutcomeUnknown: the lookup failed (timeout, reset, 5xx).
        """
        try:
            body: BrokerBody = await self._call(
                "GET",
                self._trading("/v2/orders:by_client_order_id"),
                "order",
                params={"client_order_id": client_order_id, "nested": True},
            )
        except OrderNotFound:
            return None
        except (ProviderUnavailable, ProviderError) as e:
            raise OutcomeUnknown(f"looking up {client_order_id!r} failed: {e}") from e
        return body

    async def get_order(self, order_id: str) -> BrokerBody:
        """GET /v2/orders/{id}?nested=true."""
        body: BrokerBody = await self._call(
            "GET",
            self._trading(f"/v2/orders/{self._segment(order_id)}"),
            "order",
            params={"nested": True},
            ident=order_id,
        )
        return body

    async def list_orders(
        self,
        status: str = "open",
        *,
        limit: int = _ORDERS_MAX,
        after: str | None = None,
        until: str | None = None,
        symbols: str | None = None,
        side: str | None = None,
        direction: str = "desc",
        nested: bool = True,
    ) -> list[BrokerBody]:
        """GET /v2/orders (`nested`: a bracket's legs under their parent, while the parent is listed)."""
        params = {
            "status": status,
            "limit": min(limit, _ORDERS_MAX),
            "after": after,
            "until": until,
            "symbols": symbols,
            "side": side,
            "direction": direction,
            "nested": nested,
        }
        body: list[BrokerBody] = await self._call("GET", self._trading("/v2/orders"), "order", params=params)
        return body

    async def replace_order(self, order_id: str, changes: Mapping[str, Any]) -> BrokerBody:
        """PATCH /v2/orders/{id}: the **new** order (its `replaces` is `order_id`)."""
        body: BrokerBody = await self._call(
            "PATCH",
            self._trading(f"/v2/orders/{self._segment(order_id)}"),
            "order",
            body=changes,
            ident=order_id,
        )
        return body

    async def cancel_order(self, order_id: str) -> None:
        """DELETE /v2/orders/{id}: 204, the cancel is requested (the final state arrives as an event)."""
        await self._call(
            "DELETE",
            self._trading(f"/v2/orders/{self._segment(order_id)}"),
            "order",
            ok=(200, 204),
            ident=order_id,
        )

    async def cancel_all(self) -> list[BrokerBody]:
        """DELETE /v2/orders: 207, one `{"id","status","body"}` per order."""
        body = await self._call("DELETE", self._trading("/v2/orders"), "order", ok=(200, 207))
        return list(body or [])

    # -- positions and account ----------------------------------------------------------------
    async def positions(self) -> list[BrokerBody]:
        """GET /v2/positions."""
        body: list[BrokerBody] = await self._call("GET", self._trading("/v2/positions"), "position")
        return body

    async def position(self, symbol_or_id: str) -> BrokerBody:
        """GET /v2/positions/{symbol} (crypto as `BTCUSD`)."""
        body: BrokerBody = await self._call(
            "GET",
            self._trading(f"/v2/positions/{self._segment(symbol_or_id)}"),
            "position",
            ident=symbol_or_id,
        )
        return body

    async def close_position(self, symbol_or_id: str, qty: str | None = None) -> BrokerBody:
        """DELETE /v2/positions/{symbol}[?qty=]: the market order that closes it."""
        body: BrokerBody = await self._call(
            "DELETE",
            self._trading(f"/v2/positions/{self._segment(symbol_or_id)}"),
            "position",
            params={"qty": qty},
            ident=symbol_or_id,
        )
        return body

    async def close_all(self, cancel_orders: bool = True) -> list[BrokerBody]:
        """DELETE /v2/positions?cancel_orders=true: 207, one `{"symbol","status","body"}` per position."""
        body = await self._call(
            "DELETE",
            self._trading("/v2/positions"),
            "position",
            params={"cancel_orders": cancel_orders},
            ok=(200, 207),
        )
        return list(body or [])

    async def account(self) -> BrokerBody:
        """GET /v2/account."""
        body: BrokerBody = await self._call("GET", self._trading("/v2/account"), "account")
        return body

    async def clock(self) -> BrokerBody:
        """GET /v2/clock: `is_open`, `next_open`, `next_close`."""
        body: BrokerBody = await self._call("GET", self._trading("/v2/clock"), "account")
        return body

    async def asset(self, symbol: str) -> BrokerBody:
        """GET /v2/assets/{symbol}."""
        body: BrokerBody = await self._call(
            "GET", self._trading(f"/v2/assets/{self._segment(symbol)}"), "symbol", ident=symbol
        )
        return body

    async def fill_activities(self, after: str | None = None, *, max_pages: int = 50) -> list[BrokerBody]:
        """Every FILL activity after `after`, oldest first (pages of 100 by `page_token`)."""
        out: list[BrokerBody] = []
        token: str | None = None
        for _ in range(max_pages):
            params = {"after": after, "direction": "asc", "page_size": _PAGE, "page_token": token}
            page: list[BrokerBody] = await self._call(
                "GET", self._trading("/v2/account/activities/FILL"), "account", params=params
            )
            out += page
            if len(page) < _PAGE:
                break
            token = str(page[-1]["id"])  # an activity's id doubles as the next page's token
        return out

    # -- market data (its own limits, per data plan: not counted against trading's) -------------
    async def latest_quote(self, symbol: str, crypto: bool) -> BrokerBody:
        """The latest quote object (`bp`, `bs`, `ap`, `as`, `t`)."""
        if crypto:
            body = await self._call(
                "GET",
                self._data("/v1beta3/crypto/us/latest/quotes"),
                "data",
                params={"symbols": symbol},
                limited=False,
            )
            quotes = body.get("quotes") or {}
            if symbol not in quotes:
                raise SymbolNotFound(f"Symbol not found: {symbol}", {"symbol": symbol})
            quote: BrokerBody = quotes[symbol]
            return quote
        body = await self._call(
            "GET",
            self._data(f"/v2/stocks/{self._segment(symbol)}/quotes/latest"),
            "data",
            params={"feed": self.config.feed},
            limited=False,
            ident=symbol,
        )
        stock_quote: BrokerBody = body["quote"]
        return stock_quote

    async def bars(
        self,
        symbol: str,
        crypto: bool,
        timeframe: str,
        *,
        start: str | None,
        end: str | None,
        limit: int | None,
        max_pages: int = 20,
    ) -> list[BrokerBody]:
        """Bars oldest first, following `next_page_token` up to `limit` bars."""
        out: list[BrokerBody] = []
        token: str | None = None
        for _ in range(max_pages):
            params: dict[str, Any] = {"timeframe": timeframe, "start": start, "end": end, "page_token": token}
            if limit is not None:
                params["limit"] = max(1, min(limit - len(out), 10_000))
            if crypto:
                params["symbols"] = symbol
                body = await self._call(
                    "GET", self._data("/v1beta3/crypto/us/bars"), "data", params=params, limited=False
                )
                page = (body.get("bars") or {}).get(symbol) or []
            else:
                params["feed"] = self.config.feed
                params["adjustment"] = "raw"
                body = await self._call(
                    "GET",
                    self._data(f"/v2/stocks/{self._segment(symbol)}/bars"),
                    "data",
                    params=params,
                    limited=False,
                    ident=symbol,
                )
                page = body.get("bars") or []
            out += page
            token = body.get("next_page_token")
            if not token or (limit is not None and len(out) >= limit):
                break
        return out


def _params(params: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Query parameters without the unset ones, booleans as Alpaca spells them."""
    if params is None:
        return None
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def _encode(body: Mapping[str, Any]) -> bytes:
    # Decimals were turned into text by the mapping already; anything else is a bug, not a float.
    return json.dumps(body, separators=(",", ":")).encode()


def _parse(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return jsondecimal.loads(response.content)
    except jsondecimal.BrokerJsonError:
        if response.status_code >= 400:
            return {"message": response.text[:200]}
        raise ProviderError(
            f"Alpaca sent a body that is not JSON ({response.status_code})", {"status": response.status_code}
        ) from None
