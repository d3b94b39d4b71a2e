"""The thin async Binance REST client (httpx): signed queries sent verbatim, server time, request limits.

Every call takes its weight from `_live.ratelimit` (6000 a minute per IP; orders also count against
the account's 10-second order budget), feeds the limiter `X-MBX-USED-WEIGHT-1M` and
`X-MBX-ORDER-COUNT-10S`, parses bodies with `_live.jsondecimal.loads` and maps errors (`errors`). A
signed call carries `timestamp` = local time + the offset kept from `GET /api/v3/time`; a -1021
answer resyncs that offset and retries once (the request was not executed). `OrderPath` binds one
symbol's order endpoint as a `_live.submit.BrokerOrders`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import httpx

from tradewire.brokers._live import jsondecimal
from tradewire.brokers._live.ratelimit import (
    BINANCE_WEIGHT_LIMIT,
    Observation,
    RateLimiter,
    binance_observation,
)
from tradewire.brokers._live.submit import OutcomeUnknown
from tradewire.brokers.binance import signing
from tradewire.brokers.binance.config import BinanceConfig
from tradewire.brokers.binance.errors import ClockSkew, Subject, error_from_response
from tradewire.protocol.errors import OrderNotFound, ProviderError, ProviderUnavailable

__all__ = ["BinanceHttp", "BrokerBody", "OrderPath", "Params"]

#: A decoded Binance JSON object.
BrokerBody = dict[str, Any]
#: Request parameters in the order they are sent (and signed).
Params = Sequence[tuple[str, str]]
#: The account's order budget per 10 s when exchangeInfo does not say (binance.md §9).
_ORDERS_PER_10S: Final = 50
_PAGE: Final = 1000


class BinanceHttp:
    """Binance Spot's REST calls.

    Args:
        config: Base URL, keys (the secret only signs), recvWindow.
        limiter: The request-weight budget; by default 6000 a minute, queueing up to 2 s.
        timeout: Seconds per request; an order call that times out is an unknown outcome, looked up.
        wall: Wall-clock seconds (timestamps, and the UTC minute of the weight counter).
    """

    def __init__(
        self,
        config: BinanceConfig,
        *,
        limiter: RateLimiter | None = None,
        order_limiter: RateLimiter | None = None,
        timeout: float = 10.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.limiter = limiter or RateLimiter(BINANCE_WEIGHT_LIMIT, 60.0, time.monotonic, max_wait=2.0)
        self.order_limiter = order_limiter or RateLimiter(_ORDERS_PER_10S, 10.0, time.monotonic, max_wait=2.0)
        self.signer = signing.signer_for(config.credentials.secret)
        self._wall = wall
        #: Server time minus local time, ms (binance.md §2): kept from `GET /api/v3/time`.
        self.offset_ms = 0
        headers = {"X-MBX-APIKEY": config.credentials.key_id.reveal(), "Accept": "application/json"}
        self._client = httpx.AsyncClient(headers=headers, timeout=timeout)

    async def aclose(self) -> None:
        await self._client.aclose()

    def timestamp(self) -> int:
        """Now on Binance's clock, ms."""
        return int(self._wall() * 1000) + self.offset_ms

    async def sync_time(self) -> int:
        """Keep the offset of Binance's clock from ours (half the round trip is credited to each way)."""
        before = self._wall()
        body = await self._call("GET", "/api/v3/time", "account", weight=1)
        after = self._wall()
        self.offset_ms = int(body["serverTime"]) - int((before + after) * 500)
        return self.offset_ms

    # -- the one request path -----------------------------------------------------------------
    async def _call(
        self,
        method: str,
        path: str,
        subject: Subject,
        params: Params = (),
        *,
        signed: bool = False,
        weight: int = 1,
        order: bool = False,
        ident: str | None = None,
    ) -> Any:
        try:
            return await self._send(method, path, subject, params, signed, weight, order, ident)
        except ClockSkew:
            # -1021: not executed. Resync the offset and try once more (binance.md §10).
            await self.sync_time()
        try:
            return await self._send(method, path, subject, params, signed, weight, order, ident)
        except ClockSkew as e:
            raise ProviderError(
                "Binance refused our timestamp twice (-1021): the clocks differ more than recvWindow",
                {"broker": {"code": -1021, "message": str(e)}},
            ) from e

    async def _send(
        self,
        method: str,
        path: str,
        subject: Subject,
        params: Params,
        signed: bool,
        weight: int,
        order: bool,
        ident: str | None,
    ) -> Any:
        await self.limiter.acquire(weight)
        if order:
            await self.order_limiter.acquire()
        sent = list(params)
        if signed:
            sent += [("recvWindow", str(self.config.recv_window)), ("timestamp", str(self.timestamp()))]
            text = signing.signed_query(sent, self.signer)
        else:
            text = signing.query(sent)
        url = self.config.rest_url + path + (f"?{text}" if text else "")
        try:
            response = await self._client.request(method, url)
        except httpx.TimeoutException as e:
            if subject == "submit":
                raise OutcomeUnknown(f"no answer from Binance: {type(e).__name__}") from e
            raise ProviderUnavailable(
                f"Binance did not answer {method} in time", {"error": type(e).__name__}
            ) from e
        except httpx.TransportError as e:
            if subject == "submit" and not isinstance(e, httpx.ConnectError):
                raise OutcomeUnknown(f"connection to Binance lost: {type(e).__name__}") from e
            raise ProviderUnavailable(
                f"Binance cannot be reached: {type(e).__name__}", {"error": str(e)}
            ) from e
        seen = binance_observation(response.status_code, response.headers, self._wall(), self.limiter.limit)
        self.limiter.observe(seen)
        self._observe_orders(response)
        parsed = _parse(response)
        if response.status_code >= 400:
            raise error_from_response(response.status_code, parsed, subject, seen.retry_after, ident)
        return parsed

    def _observe_orders(self, response: httpx.Response) -> None:
        count = response.headers.get("x-mbx-order-count-10s")
        if count is not None and count.strip().isdigit():
            limit = self.order_limiter.limit
            self.order_limiter.observe(Observation(remaining=limit - int(count)))

    def set_order_limit(self, per_10s: int) -> None:
        """The account's order budget from `exchangeInfo.rateLimits`."""
        if per_10s >= 1:
            self.order_limiter.limit = per_10s

    # -- public data ----------------------------------------------------------------------------
    async def exchange_info(self, symbols: Sequence[str] = ()) -> BrokerBody:
        """GET /api/v3/exchangeInfo (all symbols, or `symbols=["A","B"]`)."""
        params: list[tuple[str, str]] = []
        if len(symbols) == 1:
            params = [("symbol", symbols[0])]
        elif symbols:
            params = [("symbols", "[" + ",".join(f'"{s}"' for s in symbols) + "]")]
        ident = symbols[0] if len(symbols) == 1 else None
        body: BrokerBody = await self._call(
            "GET", "/api/v3/exchangeInfo", "symbol", params, weight=20, ident=ident
        )
        return body

    async def book_ticker(self, symbol: str) -> BrokerBody:
        """GET /api/v3/ticker/bookTicker?symbol=."""
        body: BrokerBody = await self._call(
            "GET", "/api/v3/ticker/bookTicker", "symbol", [("symbol", symbol)], weight=2, ident=symbol
        )
        return body

    async def klines(
        self,
        symbol: str,
        interval: str,
        *,
        start: int | None = None,
        end: int | None = None,
        limit: int = 500,
    ) -> list[list[Any]]:
        """GET /api/v3/klines: rows oldest first (at most 1000)."""
        params = [("symbol", symbol), ("interval", interval)]
        if start is not None:
            params.append(("startTime", str(start)))
        if end is not None:
            params.append(("endTime", str(end)))
        params.append(("limit", str(max(1, min(limit, _PAGE)))))
        body: list[list[Any]] = await self._call(
            "GET", "/api/v3/klines", "symbol", params, weight=2, ident=symbol
        )
        return body

    # -- orders -----------------------------------------------------------------------------------
    async def new_order(self, params: Params) -> BrokerBody:
        """POST /api/v3/order (FULL answer)."""
        body: BrokerBody = await self._call(
            "POST", "/api/v3/order", "submit", params, signed=True, order=True
        )
        return body

    async def new_order_list(self, path: str, params: Params) -> BrokerBody:
        """POST /api/v3/orderList/{oco,oto,otoco}."""
        body: BrokerBody = await self._call("POST", path, "submit", params, signed=True, order=True)
        return body

    async def find_order(self, symbol: str, client_order_id: str) -> BrokerBody | None:
        """GET /api/v3/order?origClientOrderId=; None when Binance has no such order.

        Raises:
            OutcomeUnknown: the lookup failed.
        """
        try:
            body: BrokerBody = await self._call(
                "GET",
                "/api/v3/order",
                "order",
                [("symbol", symbol), ("origClientOrderId", client_order_id)],
                signed=True,
                weight=4,
            )
        except OrderNotFound:
            return None
        except (ProviderUnavailable, ProviderError) as e:
            raise OutcomeUnknown(f"looking up {client_order_id!r} failed: {e}") from e
        return body

    async def get_order(self, symbol: str, broker_id: int, ident: str | None = None) -> BrokerBody:
        """GET /api/v3/order?symbol=&orderId=."""
        body: BrokerBody = await self._call(
            "GET",
            "/api/v3/order",
            "order",
            [("symbol", symbol), ("orderId", str(broker_id))],
            signed=True,
            weight=4,
            ident=ident,
        )
        return body

    async def cancel_order(self, symbol: str, broker_id: int, ident: str | None = None) -> BrokerBody:
        """DELETE /api/v3/order: the order with status CANCELED."""
        body: BrokerBody = await self._call(
            "DELETE",
            "/api/v3/order",
            "order",
            [("symbol", symbol), ("orderId", str(broker_id))],
            signed=True,
            ident=ident,
        )
        return body

    async def cancel_open_orders(self, symbol: str) -> list[BrokerBody]:
        """DELETE /api/v3/openOrders?symbol=: the cancelled orders and order lists."""
        body: list[BrokerBody] = await self._call(
            "DELETE", "/api/v3/openOrders", "order", [("symbol", symbol)], signed=True
        )
        return body

    async def cancel_replace(self, params: Params, ident: str | None = None) -> BrokerBody:
        """POST /api/v3/order/cancelReplace (STOP_ON_FAILURE): `newOrderResponse` is the new order."""
        body: BrokerBody = await self._call(
            "POST", "/api/v3/order/cancelReplace", "modify", params, signed=True, order=True, ident=ident
        )
        return body

    async def amend_keep_priority(
        self, symbol: str, broker_id: int, new_qty: str, ident: str | None = None
    ) -> BrokerBody:
        """PUT /api/v3/order/amend/keepPriority: a smaller quantity, same id and queue place."""
        params = [("symbol", symbol), ("orderId", str(broker_id)), ("newQty", new_qty)]
        body: BrokerBody = await self._call(
            "PUT", "/api/v3/order/amend/keepPriority", "modify", params, signed=True, order=True, ident=ident
        )
        return body

    async def open_orders(self, symbol: str | None = None) -> list[BrokerBody]:
        """GET /api/v3/openOrders[?symbol=] (weight 6, 80 without a symbol)."""
        params = [] if symbol is None else [("symbol", symbol)]
        body: list[BrokerBody] = await self._call(
            "GET", "/api/v3/openOrders", "order", params, signed=True, weight=6 if symbol else 80
        )
        return body

    async def all_orders(self, symbol: str, *, limit: int = 500) -> list[BrokerBody]:
        """GET /api/v3/allOrders?symbol= (the most recent, oldest first)."""
        body: list[BrokerBody] = await self._call(
            "GET",
            "/api/v3/allOrders",
            "order",
            [("symbol", symbol), ("limit", str(min(limit, _PAGE)))],
            signed=True,
            weight=20,
        )
        return body

    async def open_order_lists(self) -> list[BrokerBody]:
        """GET /api/v3/openOrderLists."""
        body: list[BrokerBody] = await self._call(
            "GET", "/api/v3/openOrderLists", "order", signed=True, weight=6
        )
        return body

    async def my_trades(
        self, symbol: str, *, from_id: int | None = None, order_id: int | None = None
    ) -> list[BrokerBody]:
        """GET /api/v3/myTrades: one page (1000) from `from_id`, or one order's trades."""
        params = [("symbol", symbol)]
        if order_id is not None:
            params.append(("orderId", str(order_id)))
        if from_id is not None:
            params.append(("fromId", str(from_id)))
        params.append(("limit", str(_PAGE)))
        body: list[BrokerBody] = await self._call(
            "GET", "/api/v3/myTrades", "order", params, signed=True, weight=5 if order_id is not None else 20
        )
        return body

    async def trades_since(self, symbol: str, from_id: int, *, max_pages: int = 20) -> list[BrokerBody]:
        """Every trade of `symbol` with id ≥ `from_id`, oldest first (paged by `fromId`)."""
        out: list[BrokerBody] = []
        for _ in range(max_pages):
            page = await self.my_trades(symbol, from_id=from_id)
            out += page
            if len(page) < _PAGE:
                break
            from_id = int(page[-1]["id"]) + 1
        return out

    async def account(self) -> BrokerBody:
        """GET /api/v3/account?omitZeroBalances=true."""
        body: BrokerBody = await self._call(
            "GET", "/api/v3/account", "account", [("omitZeroBalances", "true")], signed=True, weight=20
        )
        return body


class OrderPath:
    """One symbol's order endpoint as a `_live.submit.BrokerOrders` (lookups need the symbol).

    `payload` is the ordered parameter mapping; an order list (`list_path` set) is looked up among the
    open order lists by its `listClientOrderId`, its working order then read by client order id.
    """

    def __init__(self, http: BinanceHttp, symbol: str, list_path: str | None = None) -> None:
        self.http = http
        self.symbol = symbol
        self.list_path = list_path

    async def submit(self, payload: Mapping[str, object]) -> BrokerBody:
        params = [(k, str(v)) for k, v in payload.items()]
        if self.list_path is not None:
            return await self.http.new_order_list(self.list_path, params)
        return await self.http.new_order(params)

    async def find_by_client_id(self, client_order_id: str) -> BrokerBody | None:
        return await self.http.find_order(self.symbol, client_order_id)


def _parse(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return jsondecimal.loads(response.content)
    except jsondecimal.BrokerJsonError:
        if response.status_code >= 400:
            return {"msg": response.text[:200]}
        raise ProviderError(
            f"Binance sent a body that is not JSON ({response.status_code})", {"status": response.status_code}
        ) from None
