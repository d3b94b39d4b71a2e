"""Alpaca's side of gateway-managed exits: the `_live.managed_run.ExitPort` over the REST client."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from decimal import Decimal

from tradewire.brokers._live.jsondecimal import decimal_field
from tradewire.brokers._live.store import OrderIds, Store, StoreError
from tradewire.brokers._live.submit import submit_idempotent
from tradewire.brokers.alpaca import mapping
from tradewire.brokers.alpaca.http import AlpacaHttp, BrokerBody
from tradewire.brokers.alpaca.mapping import Asset
from tradewire.protocol.messages import Order, ServerMessage, SubmitOrderRequest
from tradewire.protocol.venue import StreamBatch

__all__ = ["AlpacaExits"]


class AlpacaExits:
    """Places, cancels and reads back exit legs; the venue's stream carries their events.

    Args:
        http: The connected REST client.
        store: The venue's store (each leg's ids are recorded before it leaves).
        asset: The venue's asset lookup (cached).
        track: Tells the trading stream about a new order (resynced after a gap).
        emit: Puts a batch on the venue's stream.
    """

    def __init__(
        self,
        http: AlpacaHttp,
        store: Store,
        asset: Callable[[str], Awaitable[Asset]],
        track: Callable[[BrokerBody], None],
        emit: Callable[[StreamBatch], None],
    ) -> None:
        self._http = http
        self._store = store
        self._asset = asset
        self._track = track
        self._emit = emit

    async def place_exit(self, client_order_id: str, request: SubmitOrderRequest) -> Order:
        asset = await self._asset(request.symbol)
        request = mapping.normalize_submit(request, asset)
        payload = mapping.order_payload(request, client_order_id, asset)
        with contextlib.suppress(StoreError):  # recorded by an earlier attempt: the same leg
            self._store.record_order(OrderIds(client_order_id, client_order_id, request.symbol))
        result = await submit_idempotent(self._http, client_order_id, payload)
        with contextlib.suppress(StoreError):
            self._store.set_broker_id(client_order_id, str(result.order["id"]))
        self._track(result.order)
        return mapping.order_from_broker(result.order)

    async def cancel_exit(self, order_id: str) -> None:
        await self._http.cancel_order(order_id)

    async def find_exit(self, client_order_id: str) -> Order | None:
        body = await self._http.find_by_client_id(client_order_id)
        if body is None:
            return None
        self._track(body)
        return mapping.order_from_broker(body)

    async def latest_prices(self, symbols: Iterable[str]) -> Mapping[str, tuple[Decimal, Decimal]]:
        out = {}
        for symbol in symbols:
            quote = await self._http.latest_quote(symbol, mapping.is_crypto_symbol(symbol))
            out[symbol] = (decimal_field(quote, "bp"), decimal_field(quote, "ap"))
        return out

    def emit(self, messages: list[ServerMessage]) -> None:
        self._emit(StreamBatch(messages))
