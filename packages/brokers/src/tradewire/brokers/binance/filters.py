"""A symbol's trading rules from `exchangeInfo` (binance.md §6), checked with Decimal before an order leaves.

rest.md's precision rule runs first on the symbol's grid (quantity floored to LOT_SIZE / MARKET_LOT_SIZE,
prices moved to PRICE_FILTER's tick, never more aggressive); whatever a filter would still reject
(bounds, NOTIONAL / MIN_NOTIONAL, PERCENT_PRICE, TRAILING_DELTA, ICEBERG_PARTS) is refused here with
a 422 that names the filter, so Binance never answers -1013 for an order we sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any, Final

from tradewire.brokers._live.jsondecimal import optional_decimal
from tradewire.protocol import codec, precision, reject_codes
from tradewire.protocol.errors import OrderRejected

__all__ = ["OrderFigures", "SymbolRules"]

_ZERO: Final = Decimal(0)
_BPS: Final = Decimal(10_000)
_PRICE_FILTERS: Final = frozenset(
    {"PRICE_FILTER", "PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE", "TRAILING_DELTA"}
)


def _refuse(name: str, why: str, **details: object) -> OrderRejected:
    code = reject_codes.INVALID_PRICE if name in _PRICE_FILTERS else reject_codes.INVALID_QUANTITY
    return OrderRejected(
        f"Order rejected: Binance's {name} filter: {why}",
        {reject_codes.KEY: code, "filter": name, **details},
    )


def _precision(body: Mapping[str, Any]) -> int:
    # quoteAssetPrecision is the current name, quotePrecision the older one; 0 is a precision too.
    for key in ("quoteAssetPrecision", "quotePrecision"):
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return 8


@dataclass(frozen=True, slots=True)
class OrderFigures:
    """The numbers of one order (after normalization) that the filters look at."""

    side: str
    market: bool
    #: 0 for an order sized by notional (Binance works the quantity out as it fills).
    quantity: Decimal
    price: Decimal | None = None
    stop_price: Decimal | None = None
    iceberg: Decimal | None = None
    trailing_delta: int | None = None
    #: A recent price of the symbol (bookTicker mid): NOTIONAL of market orders and PERCENT_PRICE.
    reference: Decimal | None = None
    #: The quote amount of a MARKET order sized by notional (`quoteOrderQty`), floored already.
    notional: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SymbolRules:
    """One symbol of `exchangeInfo`: status, assets, flags and filters (Decimals from the text)."""

    symbol: str
    status: str
    base: str
    quote: str
    order_types: frozenset[str]
    quote_precision: int = 8
    #: `quoteOrderQtyMarketAllowed`: MARKET orders may be sized by a quote amount.
    quote_market_allowed: bool = False
    iceberg_allowed: bool = False
    oco_allowed: bool = False
    oto_allowed: bool = False
    trailing_allowed: bool = False
    cancel_replace_allowed: bool = False
    amend_allowed: bool = False
    filters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_broker(cls, body: Mapping[str, Any]) -> SymbolRules:
        """One entry of `exchangeInfo.symbols`."""
        return cls(
            symbol=str(body["symbol"]),
            status=str(body.get("status") or "TRADING"),
            base=str(body.get("baseAsset") or ""),
            quote=str(body.get("quoteAsset") or ""),
            order_types=frozenset(str(t) for t in body.get("orderTypes") or ()),
            quote_precision=_precision(body),
            quote_market_allowed=bool(body.get("quoteOrderQtyMarketAllowed")),
            iceberg_allowed=bool(body.get("icebergAllowed")),
            oco_allowed=bool(body.get("ocoAllowed")),
            oto_allowed=bool(body.get("otoAllowed")),
            trailing_allowed=bool(body.get("allowTrailingStop")),
            cancel_replace_allowed=bool(body.get("cancelReplaceAllowed")),
            amend_allowed=bool(body.get("amendAllowed")),
            filters={str(f.get("filterType")): f for f in body.get("filters") or () if isinstance(f, dict)},
        )

    def _value(self, name: str, key: str) -> Decimal | None:
        found = self.filters.get(name)
        value = None if found is None else optional_decimal(found, key)
        return None if value is None or value == 0 else value

    def lot(self, market: bool) -> tuple[Decimal | None, Decimal | None]:
        """(stepSize, minQty) of the quantity: MARKET_LOT_SIZE's for market orders where they are set."""
        step, minimum = self._value("LOT_SIZE", "stepSize"), self._value("LOT_SIZE", "minQty")
        if market:
            step = self._value("MARKET_LOT_SIZE", "stepSize") or step
            minimum = self._value("MARKET_LOT_SIZE", "minQty") or minimum
        return step, minimum

    @property
    def tick(self) -> Decimal:
        """PRICE_FILTER's tickSize (0 disables it: then the quote asset's precision)."""
        return self._value("PRICE_FILTER", "tickSize") or Decimal(1).scaleb(-self.quote_precision)

    def grid(self, market: bool = False) -> precision.Grid:
        """The grid rest.md's precision rule brings an order onto."""
        step, minimum = self.lot(market)
        return precision.Grid(
            tick_size=self.tick, lot_step=step or precision.DEFAULT_LOT_STEP, min_quantity=minimum
        )

    def quote_amount(self, notional: Decimal) -> Decimal:
        """`notional` floored to the quote asset's precision (rest.md: never spend more than asked).

        Raises:
            OrderRejected: 422 INVALID_QUANTITY when less than one unit of that precision is left.
        """
        unit = Decimal(1).scaleb(-self.quote_precision)
        floored = notional.quantize(unit, rounding=ROUND_DOWN)
        if floored <= 0:
            raise OrderRejected(
                f"Order rejected: notional {codec.dec(notional)} is below {codec.dec(unit)}, "
                f"the precision of {self.quote or 'the quote asset'}",
                {reject_codes.KEY: reject_codes.INVALID_QUANTITY, "field": "notional",
                 "quote_precision": self.quote_precision},
            )  # fmt: skip
        return floored

    @property
    def min_quantity(self) -> Decimal:
        """LOT_SIZE's minQty (0 when unset): smaller holdings are dust, not positions (binance.md §11)."""
        return self._value("LOT_SIZE", "minQty") or _ZERO

    # -- the filters ----------------------------------------------------------------------------
    def check(self, order: OrderFigures) -> None:
        """Refuse what a filter would still reject after normalization.

        Raises:
            OrderRejected: 422 naming the filter (`details.filter`), INVALID_PRICE or INVALID_QUANTITY.
        """
        for value in (order.price, order.stop_price):
            if value is not None:
                self._price_bounds(value)
        if order.notional is None:  # else Binance works the quantity out from the notional as it fills
            self._lot(order)
        if order.iceberg is not None:
            self._iceberg(order)
        self._notional(order)
        self._percent(order)
        if order.trailing_delta is not None:
            self._trailing(order)

    def _price_bounds(self, value: Decimal) -> None:
        low, high = self._value("PRICE_FILTER", "minPrice"), self._value("PRICE_FILTER", "maxPrice")
        if low is not None and value < low:
            raise _refuse(
                "PRICE_FILTER",
                f"price {codec.dec(value)} is below {codec.dec(low)}",
                min_price=codec.dec(low),
            )
        if high is not None and value > high:
            raise _refuse(
                "PRICE_FILTER",
                f"price {codec.dec(value)} is above {codec.dec(high)}",
                max_price=codec.dec(high),
            )

    def _lot(self, order: OrderFigures) -> None:
        # A market order meets both: LOT_SIZE, and MARKET_LOT_SIZE's non-zero bounds.
        for name in ("LOT_SIZE", "MARKET_LOT_SIZE") if order.market else ("LOT_SIZE",):
            low, high = self._value(name, "minQty"), self._value(name, "maxQty")
            if low is not None and order.quantity < low:
                raise _refuse(name, f"quantity {codec.dec(order.quantity)} is below {codec.dec(low)}")
            if high is not None and order.quantity > high:
                raise _refuse(name, f"quantity {codec.dec(order.quantity)} is above {codec.dec(high)}")

    def _iceberg(self, order: OrderFigures) -> None:
        parts = self.filters.get("ICEBERG_PARTS")
        limit = None if parts is None else optional_decimal(parts, "limit")
        if limit is not None and order.iceberg and order.quantity / order.iceberg > limit:
            raise _refuse("ICEBERG_PARTS", f"more than {codec.dec(limit)} visible parts")

    def _notional(self, order: OrderFigures) -> None:
        if order.notional is not None:
            notional = order.notional  # sized by notional: the filter's figure itself, no price needed
        else:
            price = order.reference if order.market else (order.price or order.stop_price or order.reference)
            if price is None:
                return  # a market order before any price is known: Binance checks it against its average
            notional = price * order.quantity
        for name, min_key, applies_key in (
            ("NOTIONAL", "minNotional", "applyMinToMarket"),
            ("MIN_NOTIONAL", "minNotional", "applyToMarket"),
        ):
            found = self.filters.get(name)
            if found is None or (order.market and found.get(applies_key) is False):
                continue
            low = self._value(name, min_key)
            if low is not None and notional < low:
                raise _refuse(
                    name,
                    f"notional {codec.dec(notional)} is below {codec.dec(low)}",
                    min_notional=codec.dec(low),
                )
            high = self._value(name, "maxNotional") if name == "NOTIONAL" else None
            applies_max = not order.market or found.get("applyMaxToMarket") is not False
            if high is not None and applies_max and notional > high:
                raise _refuse(name, f"notional {codec.dec(notional)} is above {codec.dec(high)}")

    def _percent(self, order: OrderFigures) -> None:
        if order.reference is None or order.price is None:
            return
        if "PERCENT_PRICE_BY_SIDE" in self.filters:
            name = "PERCENT_PRICE_BY_SIDE"
            side = "bid" if order.side == "BUY" else "ask"
            up, down = self._value(name, f"{side}MultiplierUp"), self._value(name, f"{side}MultiplierDown")
        elif "PERCENT_PRICE" in self.filters:
            name = "PERCENT_PRICE"
            up, down = self._value(name, "multiplierUp"), self._value(name, "multiplierDown")
        else:
            return
        if up is not None and order.price > order.reference * up:
            raise _refuse(name, f"price {codec.dec(order.price)} is too far above the market")
        if down is not None and order.price < order.reference * down:
            raise _refuse(name, f"price {codec.dec(order.price)} is too far below the market")

    def _trailing(self, order: OrderFigures) -> None:
        delta = Decimal(order.trailing_delta or 0)
        # A sell stop trails below the market, a buy stop above it (binance.md §5.1).
        where = "Below" if order.side == "SELL" else "Above"
        low = self._value("TRAILING_DELTA", f"minTrailing{where}Delta")
        high = self._value("TRAILING_DELTA", f"maxTrailing{where}Delta")
        if (low is not None and delta < low) or (high is not None and delta > high):
            raise _refuse(
                "TRAILING_DELTA",
                f"a trail of {delta / 100}% is outside {codec.dec((low or _ZERO) / 100)}%"
                f"-{codec.dec((high or _BPS) / 100)}%",
            )
