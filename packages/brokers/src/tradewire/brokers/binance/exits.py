"""Binance's side of gateway-managed exits: the `_live.managed_run.ExitPort` over the signed REST client.

A bracket's take-profit and stop-loss that fit Binance's OCO rules when the entry was sent are paired
(`pair`): the manager keeps both as resting legs, and the first one placed sends both as one
native `orderList/oco` (one balance reservation, Binance's own one-cancels-other); the second finds its
order there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from tradewire.brokers._live.jsondecimal import decimal_field, decimal_text
from tradewire.brokers._live.managed import TRIGGER_TYPES
from tradewire.brokers._live.managed_run import HoldAsTrigger
from tradewire.brokers._live.store import OrderIds, Store, StoreError
from tradewire.brokers._live.submit import submit_idempotent
from tradewire.brokers.binance import errors, mapping
from tradewire.brokers.binance.client_ids import GivenIds
from tradewire.brokers.binance.filters import SymbolRules
from tradewire.brokers.binance.http import BinanceHttp, BrokerBody, OrderPath
from tradewire.protocol import order_rules, precision, reject_codes
from tradewire.protocol.errors import OrderRejected
from tradewire.protocol.messages import (
    Order,
    OrderType,
    RejectReason,
    ServerMessage,
    Side,
    SubmitOrderRequest,
)
from tradewire.protocol.venue import StreamBatch

__all__ = ["BinanceExits", "OcoPair"]


@dataclass(frozen=True, slots=True)
class OcoPair:
    """A bracket's exits placed as one native OCO list: the legs' client order ids and prices."""

    take_id: str
    take_price: Decimal
    stop_id: str
    stop_price: Decimal

    def text(self) -> str:
        return f"{self.take_id}|{self.take_price}|{self.stop_id}|{self.stop_price}"

    @classmethod
    def parse(cls, text: str) -> OcoPair:
        take_id, take, stop_id, stop = text.split("|")
        return cls(take_id, Decimal(take), stop_id, Decimal(stop))


class BinanceExits:
    """Places, cancels and reads back exit legs; the venue's user-data stream carries their events.

    Args:
        http: The connected REST client.
        store: The venue's store (each leg's ids are recorded before it leaves).
        given: Which client order id answers show (a leg shows its own id).
        rules: The venue's symbol-rules lookup (cached).
        adopt: Hands an order's answer to the user-data stream (followed, resynced after a gap).
        emit: Puts a batch on the venue's stream.
    """

    def __init__(
        self,
        http: BinanceHttp,
        store: Store,
        given: GivenIds,
        rules: Callable[[str], Awaitable[SymbolRules]],
        adopt: Callable[[BrokerBody], None],
        emit: Callable[[StreamBatch], None],
    ) -> None:
        self._http = http
        self._store = store
        self._given = given
        self._rules = rules
        self._adopt = adopt
        self._emit = emit

    async def _free(self, asset: str) -> Decimal:
        rows = (await self._http.account()).get("balances") or ()
        for row in rows:
            if isinstance(row, dict) and row.get("asset") == asset:
                return decimal_field(row, "free")
        return Decimal(0)

    def pair(self, pair: OcoPair) -> None:
        """Record (before the entry leaves) that these two legs go out as one OCO list."""
        for leg in (pair.take_id, pair.stop_id):
            self._store.set_value(f"oco-pair:{leg}", pair.text())

    async def place_exit(self, client_order_id: str, request: SubmitOrderRequest) -> Order:
        resting_stop = OrderType(request.order_type) in TRIGGER_TYPES  # not the order a fired trigger sends
        if resting_stop and self._store.value(f"held:{client_order_id}"):
            raise HoldAsTrigger(client_order_id)
        rules = await self._rules(request.symbol)
        text = self._store.value(f"oco-pair:{client_order_id}")
        pair = None if not text else OcoPair.parse(text)
        if pair is not None:
            sent = self._store.order_by_client_id(client_order_id)
            if sent is not None and sent.broker_id:  # its sibling sent the list: the order is there
                found = await self.find_exit(client_order_id)
                if found is not None:
                    return found
        request = await self._sized(request, rules)
        if pair is not None:
            try:
                return await self._place_pair(client_order_id, request, pair)
            except OrderRejected as e:
                if not errors.market_is_past(e):
                    raise
                # The price left the pair's range after it was checked: the take-profit rests alone and
                # the gateway holds the stop (two resting orders would each claim the balance).
                for leg in (pair.take_id, pair.stop_id):
                    self._store.set_value(f"oco-pair:{leg}", "")
                self._store.set_value(f"held:{pair.stop_id}", "1")
                if client_order_id == pair.stop_id:
                    raise HoldAsTrigger(client_order_id) from None
        try:
            return await self._place_one(client_order_id, request)
        except OrderRejected as e:
            if resting_stop and errors.market_is_past(e):
                raise HoldAsTrigger(client_order_id) from None  # it would trigger now: fire it as a trigger
            raise

    async def _place_one(self, client_order_id: str, request: SubmitOrderRequest) -> Order:
        params = dict(mapping.order_params(request, client_order_id, request.symbol))
        with contextlib.suppress(StoreError):  # recorded by an earlier attempt: the same leg
            self._store.record_order(OrderIds(client_order_id, client_order_id, request.symbol))
        self._given.record(client_order_id, client_order_id)  # a leg shows its own id, as the manager
        result = await submit_idempotent(OrderPath(self._http, request.symbol), client_order_id, params)
        body = result.order
        with contextlib.suppress(StoreError):
            self._store.set_broker_id(client_order_id, mapping.order_id(request.symbol, int(body["orderId"])))
        self._adopt(body)
        return mapping.order_from_broker(body)

    async def _place_pair(self, client_order_id: str, request: SubmitOrderRequest, pair: OcoPair) -> Order:
        symbol = request.symbol
        path, params = mapping.oco_params(
            symbol,
            Side(request.side),
            Decimal(order_rules.quantity_of(request, "binance")),
            (pair.take_id, pair.take_price),
            (pair.stop_id, pair.stop_price, None),
        )
        for leg in (pair.take_id, pair.stop_id):
            with contextlib.suppress(StoreError):
                self._store.record_order(OrderIds(leg, leg, symbol))
            self._given.record(leg, leg)
        result = await submit_idempotent(OrderPath(self._http, symbol, path), client_order_id, dict(params))
        body = result.order
        reports = [r for r in body.get("orderReports") or () if isinstance(r, dict)] or [body]
        mine = body
        for report in reports:
            with contextlib.suppress(StoreError):
                self._store.set_broker_id(
                    str(report["clientOrderId"]), mapping.order_id(symbol, int(report["orderId"]))
                )
            self._adopt(report)
            if report.get("clientOrderId") == client_order_id:
                mine = report
        return mapping.order_from_broker(mine)

    async def _sized(self, request: SubmitOrderRequest, rules: SymbolRules) -> SubmitOrderRequest:
        if Side(request.side) == Side.SELL:
            # A buy's commission is paid in the base asset (binance.md §11): the exit sells what the
            # account holds of it, never more than the rule's quantity.
            free = await self._free(rules.base)  # floored to the lot step with the rest below
            if free < Decimal(order_rules.quantity_of(request, "binance")):
                if free <= 0:
                    raise reject_codes.rejected(RejectReason.INSUFFICIENT_BALANCE, symbol=request.symbol)
                request = replace(request, quantity=decimal_text(free))
        market = OrderType(request.order_type) == OrderType.MARKET
        return precision.normalize_submit(request, rules.grid(market=market))

    async def cancel_exit(self, order_id: str) -> None:
        parsed = mapping.parse_order_id(order_id)
        if parsed is not None:
            await self._http.cancel_order(parsed[0], parsed[1], ident=order_id)

    async def find_exit(self, client_order_id: str) -> Order | None:
        sent = self._store.order_by_client_id(client_order_id)
        if sent is None:
            return None
        body = await self._http.find_order(sent.symbol, client_order_id)
        if body is None:
            return None
        self._adopt(body)
        return mapping.order_from_broker(body)

    async def latest_prices(self, symbols: Iterable[str]) -> Mapping[str, tuple[Decimal, Decimal]]:
        out = {}
        for symbol in symbols:
            body = await self._http.book_ticker(symbol)
            out[symbol] = (decimal_field(body, "bidPrice"), decimal_field(body, "askPrice"))
        return out

    def emit(self, messages: list[ServerMessage]) -> None:
        self._emit(StreamBatch(messages))
