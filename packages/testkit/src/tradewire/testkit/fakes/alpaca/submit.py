"""`POST /v2/orders` body rules, as Alpaca answers them (422/400 with its codes) before any state changes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tradewire.testkit.fakes.alpaca import errors
from tradewire.testkit.fakes.alpaca.assets import Asset, Assets
from tradewire.testkit.fakes.alpaca.wire import parse_decimal

TYPES = ("market", "limit", "stop", "stop_limit", "trailing_stop")
TIFS = ("day", "gtc", "opg", "cls", "ioc", "fok")
CRYPTO_TYPES = ("market", "limit", "stop_limit")
CRYPTO_TIFS = ("gtc", "ioc")
CLASSES = ("", "simple", "bracket", "oco", "oto")


@dataclass
class Draft:
    """A checked order request; bracket/oto/oco exits in `take_profit` / `stop_loss`."""

    asset: Asset
    side: str
    type: str
    time_in_force: str
    qty: Decimal | None
    notional: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    trail_price: Decimal | None
    trail_percent: Decimal | None
    extended_hours: bool
    client_order_id: str | None
    order_class: str
    take_profit: Decimal | None = None
    stop_loss_stop: Decimal | None = None
    stop_loss_limit: Decimal | None = None


def _decimal(body: dict[str, Any], name: str) -> Decimal | None:
    try:
        return parse_decimal(body.get(name))
    except (ValueError, ArithmeticError):
        raise errors.invalid(f"invalid {name}") from None


def check_price(asset: Asset, name: str, price: Decimal | None) -> None:
    """Equities: at most 2 decimals at or above $1, 4 below (42210000); crypto: its price increment."""
    if price is None:
        return
    if price <= 0:
        raise errors.invalid(f"{name} must be > 0")
    if asset.crypto:
        return
    places = 2 if price >= 1 else 4
    if price != price.quantize(Decimal(1).scaleb(-places)):
        raise errors.unprocessable(
            f"invalid {name} {price}. sub-penny increment does not fulfill minimum pricing criteria"
        )


def _exit(body: dict[str, Any], name: str, field: str) -> Decimal | None:
    leg = body.get(name)
    if leg is None:
        return None
    if not isinstance(leg, dict):
        raise errors.invalid(f"invalid {name}")
    return _decimal(leg, field)


def parse(body: object, assets: Assets) -> Draft:
    """A Draft, or the AlpacaError Alpaca would answer for this body."""
    if not isinstance(body, dict):
        raise errors.malformed("request body format is invalid")
    symbol = body.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise errors.invalid("symbol is required")
    asset = assets.find(symbol)
    if asset is None:
        raise errors.invalid(f"asset {symbol} not found")
    side, kind, tif = body.get("side"), body.get("type", body.get("order_type")), body.get("time_in_force")
    if side not in ("buy", "sell"):
        raise errors.invalid(f"invalid side: {side}")
    if kind not in TYPES:
        raise errors.invalid(f"invalid order type: {kind}")
    if tif not in TIFS:
        raise errors.invalid(f"invalid time_in_force: {tif}")
    qty, notional = _decimal(body, "qty"), _decimal(body, "notional")
    if qty is not None and notional is not None:
        raise errors.malformed("only one of qty or notional may be specified")
    if qty is None and notional is None:
        raise errors.invalid("qty or notional is required")
    amount = qty if qty is not None else notional
    assert amount is not None
    if amount <= 0:
        raise errors.invalid("qty must be > 0" if qty is not None else "notional must be > 0")
    if amount != amount.quantize(Decimal("0.000000001")):
        raise errors.invalid("qty must be given with at most 9 decimal places")
    order_class = body.get("order_class") or ""
    if order_class not in CLASSES:
        raise errors.invalid(f"invalid order_class: {order_class}")
    order_class = "" if order_class == "simple" else order_class
    client_order_id = body.get("client_order_id")
    if client_order_id is not None and (not isinstance(client_order_id, str) or len(client_order_id) > 48):
        raise errors.invalid("client_order_id must be no more than 48 characters")
    draft = Draft(
        asset=asset,
        side=side,
        type=kind,
        time_in_force=tif,
        qty=qty,
        notional=notional,
        limit_price=_decimal(body, "limit_price"),
        stop_price=_decimal(body, "stop_price"),
        trail_price=_decimal(body, "trail_price"),
        trail_percent=_decimal(body, "trail_percent"),
        extended_hours=body.get("extended_hours") is True,
        client_order_id=client_order_id or None,
        order_class=order_class,
        take_profit=_exit(body, "take_profit", "limit_price"),
        stop_loss_stop=_exit(body, "stop_loss", "stop_price"),
        stop_loss_limit=_exit(body, "stop_loss", "limit_price"),
    )
    _check_prices(draft)
    _check_asset_class(draft)
    _check_class(draft)
    return draft


def _check_prices(d: Draft) -> None:
    if d.type in ("limit", "stop_limit") and d.limit_price is None and d.order_class != "oco":
        raise errors.invalid("limit_price is required for limit and stop_limit orders")
    if d.type in ("stop", "stop_limit") and d.stop_price is None:
        raise errors.invalid("stop_price is required for stop and stop_limit orders")
    if d.type == "trailing_stop":
        if (d.trail_price is None) == (d.trail_percent is None):
            raise errors.invalid("exactly one of trail_price or trail_percent is required")
        if d.time_in_force not in ("day", "gtc"):
            raise errors.invalid("trailing stop orders must be day or gtc")
    elif d.trail_price is not None or d.trail_percent is not None:
        raise errors.invalid("trail_price and trail_percent are only for trailing_stop orders")
    if d.type == "market" and (d.limit_price is not None or d.stop_price is not None):
        raise errors.invalid("market orders take no limit_price or stop_price")
    for name in (
        "limit_price",
        "stop_price",
        "trail_price",
        "take_profit",
        "stop_loss_stop",
        "stop_loss_limit",
    ):
        check_price(d.asset, name.replace("stop_loss_", "stop_loss."), getattr(d, name))
    if d.extended_hours and not (d.type == "limit" and d.time_in_force == "day"):
        raise errors.invalid("extended hours order must be DAY limit orders")


def _check_asset_class(d: Draft) -> None:
    amount = d.qty if d.qty is not None else d.notional
    assert amount is not None
    if d.asset.crypto:
        if d.type not in CRYPTO_TYPES:
            raise errors.invalid(f"invalid order type for crypto order: {d.type}")
        if d.time_in_force not in CRYPTO_TIFS:
            raise errors.invalid(f"invalid crypto time_in_force: {d.time_in_force}")
        if d.order_class:
            raise errors.invalid("crypto orders support only simple order class")
        if d.qty is not None and d.asset.min_order_size is not None and d.qty < d.asset.min_order_size:
            raise errors.forbidden(f"qty must be >= {d.asset.min_order_size}")
        return
    fractional = d.notional is not None or (d.qty is not None and d.qty != d.qty.to_integral_value())
    if fractional:
        if not d.asset.fractionable:
            raise errors.invalid(f"requested asset is not fractionable: {d.asset.symbol}")
        if d.time_in_force != "day" or d.type not in ("market", "limit") or d.order_class:
            raise errors.invalid("fractional orders must be simple DAY market or limit orders")
    if d.notional is not None and d.type != "market":
        raise errors.invalid("notional orders must be market orders")
    if d.notional is not None and d.notional != d.notional.quantize(Decimal("0.01")):
        # Documented as 9 decimals, but a stock notional in fractions of a cent is refused like a
        # sub-penny price (Alpaca's forum: "notional increment does not fulfill minimum pricing criteria").
        raise errors.unprocessable(
            f"invalid notional {d.notional}. sub-penny increment does not fulfill minimum pricing criteria"
        )


def _check_class(d: Draft) -> None:
    if not d.order_class:
        if d.take_profit is not None or d.stop_loss_stop is not None:
            raise errors.invalid("take_profit and stop_loss need order_class bracket, oto or oco")
        return
    if d.time_in_force not in ("day", "gtc"):
        raise errors.invalid(f"{d.order_class} orders must be day or gtc")
    if d.extended_hours:
        raise errors.invalid(f"{d.order_class} orders cannot be extended hours")
    if d.stop_loss_limit is not None and d.stop_loss_stop is None:
        raise errors.invalid("stop_loss.stop_price is required")
    if d.order_class == "bracket":
        if d.take_profit is None or d.stop_loss_stop is None:
            raise errors.invalid("bracket orders require take_profit.limit_price and stop_loss.stop_price")
        if d.type not in ("market", "limit", "stop", "stop_limit"):
            raise errors.invalid("invalid order type for bracket order")
    elif d.order_class == "oto":
        if (d.take_profit is None) == (d.stop_loss_stop is None):
            raise errors.invalid("oto orders require exactly one of take_profit or stop_loss")
    elif d.order_class == "oco":
        if d.type != "limit":
            raise errors.invalid("oco orders must be limit orders")
        if d.take_profit is None:
            d.take_profit = d.limit_price
        if d.take_profit is None or d.stop_loss_stop is None:
            raise errors.invalid("oco orders require take_profit.limit_price and stop_loss.stop_price")
        d.limit_price = d.take_profit
    if d.take_profit is not None and d.stop_loss_stop is not None:
        wrong = d.take_profit <= d.stop_loss_stop if d.side == "buy" else d.take_profit >= d.stop_loss_stop
        if d.order_class != "oco" and wrong:
            raise errors.invalid("take_profit.limit_price must be beyond stop_loss.stop_price")
        if d.order_class == "oco" and (d.take_profit <= d.stop_loss_stop) == (d.side == "sell"):
            raise errors.invalid("take_profit.limit_price must be beyond stop_loss.stop_price")
