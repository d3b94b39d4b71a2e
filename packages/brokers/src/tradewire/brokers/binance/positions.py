"""Spot positions derived from balances (binance.md §11): long-only, average entry from our own fills.

Quote assets (USDT, ...) are cash; every other asset held at or above its symbol's minimum quantity
is a LONG position in `<ASSET><QUOTE>` (the first configured quote asset). The average entry price
is the weighted cost of our own fills, persisted in the store (rebuilt from `myTrades` on a first
start), reset when the holding goes flat; unrealized PnL covers only the part of the holding those
fills paid for; equity = cash + Σ quantity × price.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from tradewire.brokers._live.jsondecimal import decimal_field, decimal_text
from tradewire.brokers._live.store import Store
from tradewire.protocol.messages import Account, Position, PositionSide

__all__ = ["Basis", "PositionBook"]

_ZERO: Final = Decimal(0)


@dataclass(frozen=True, slots=True)
class Basis:
    """What our fills paid for the asset now held: quantity and total cost in the quote asset."""

    quantity: Decimal = _ZERO
    cost: Decimal = _ZERO

    @property
    def average(self) -> Decimal | None:
        return self.cost / self.quantity if self.quantity > 0 else None

    def bought(self, quantity: Decimal, price: Decimal, fee_in_base: Decimal) -> Basis:
        # A commission paid in the base asset arrives as less of it for the same cost.
        return Basis(self.quantity + quantity - fee_in_base, self.cost + quantity * price)

    def sold(self, quantity: Decimal, fee_in_base: Decimal) -> Basis:
        left = self.quantity - quantity - fee_in_base
        if left <= 0:
            return Basis()  # flat: the next buy starts a fresh average
        average = self.average or _ZERO
        return Basis(left, left * average)


class PositionBook:
    """Balances, cost bases and marks; positions and the account from them.

    Args:
        store: Where cost bases are kept (`basis:<ASSET>`), so a restart keeps the average entry.
        quote_assets: Cash assets; the first is the account currency and the positions' quote.
        assets: Base assets that may become positions (empty: all non-quote assets).
    """

    def __init__(self, store: Store, quote_assets: Iterable[str], assets: Iterable[str] = ()) -> None:
        self.store = store
        self.quotes = tuple(quote_assets)
        self.currency = self.quotes[0] if self.quotes else "USDT"
        self.allowed = frozenset(assets)
        #: asset → (free, locked)
        self.balances: dict[str, tuple[Decimal, Decimal]] = {}
        #: symbol → last price (bookTicker mid or last fill)
        self.prices: dict[str, Decimal] = {}
        #: symbol → LOT_SIZE minQty (dust below it is not a position)
        self.min_quantity: dict[str, Decimal] = {}
        self._opened: dict[str, dt.datetime] = {}

    # -- identities -----------------------------------------------------------------------------
    def symbol_of(self, asset: str) -> str:
        return f"{asset}{self.currency}"

    def asset_of(self, symbol: str) -> str | None:
        """The base asset of `<ASSET><CURRENCY>`, or None for another quote."""
        if symbol.endswith(self.currency) and len(symbol) > len(self.currency):
            return symbol[: -len(self.currency)]
        return None

    def is_position_asset(self, asset: str) -> bool:
        return asset not in self.quotes and (not self.allowed or asset in self.allowed)

    # -- balances -------------------------------------------------------------------------------
    def held(self, asset: str) -> Decimal:
        free, locked = self.balances.get(asset, (_ZERO, _ZERO))
        quantity = free + locked
        return quantity if quantity >= self.min_quantity.get(self.symbol_of(asset), _ZERO) else _ZERO

    def free(self, asset: str) -> Decimal:
        return self.balances.get(asset, (_ZERO, _ZERO))[0]

    def set_balances(
        self, rows: Iterable[Mapping[str, Any]], *, replace: bool = False
    ) -> list[tuple[str, Decimal, Decimal]]:
        """Apply `{asset|a, free|f, locked|l}` rows (account or outboundAccountPosition); every position
        asset whose held quantity changed, with (before, after)."""
        before = {a: self.held(a) for a in self.balances if self.is_position_asset(a)}
        if replace:
            self.balances = {}
        for row in rows:
            asset = str(row.get("asset") or row.get("a"))
            free = decimal_field(row, "free" if "free" in row else "f")
            locked = decimal_field(row, "locked" if "locked" in row else "l")
            self.balances[asset] = (free, locked)
        changes = []
        for asset in sorted(set(before) | {a for a in self.balances if self.is_position_asset(a)}):
            old, new = before.get(asset, _ZERO), self.held(asset)
            if old != new:
                changes.append((asset, old, new))
                if new == 0:
                    self.set_basis(asset, Basis())
        return changes

    def apply_fill_balances(
        self,
        base: str,
        buy: bool,
        quantity: Decimal,
        quote_quantity: Decimal,
        commission: Decimal,
        commission_asset: str,
    ) -> None:
        """What one fill does to the balances, ahead of Binance's `outboundAccountPosition` (which then
        confirms or corrects them): a fill's position and balance events follow it at once (events.md)."""
        gain, spend = (base, self.currency) if buy else (self.currency, base)
        paid = quote_quantity if buy else quantity
        got = quantity if buy else quote_quantity
        self._add(gain, got)
        self._take(spend, paid)
        if commission and commission_asset:
            self._take(commission_asset, commission)

    def _add(self, asset: str, amount: Decimal) -> None:
        free, locked = self.balances.get(asset, (_ZERO, _ZERO))
        self.balances[asset] = (free + amount, locked)

    def _take(self, asset: str, amount: Decimal) -> None:
        # What an order spends was locked when it was placed (a market order's was free): locked first.
        free, locked = self.balances.get(asset, (_ZERO, _ZERO))
        from_locked = min(locked, amount)
        self.balances[asset] = (max(free - (amount - from_locked), _ZERO), locked - from_locked)

    # -- cost bases -----------------------------------------------------------------------------
    def basis(self, asset: str) -> Basis | None:
        text = self.store.value(f"basis:{asset}")
        if text is None:
            return None
        data = json.loads(text)
        return Basis(Decimal(data["quantity"]), Decimal(data["cost"]))

    def set_basis(self, asset: str, basis: Basis) -> None:
        payload = {"quantity": format(basis.quantity, "f"), "cost": format(basis.cost, "f")}
        self.store.set_value(f"basis:{asset}", json.dumps(payload))

    def apply_fill(
        self,
        base: str,
        buy: bool,
        quantity: Decimal,
        price: Decimal,
        commission: Decimal,
        commission_asset: str,
    ) -> None:
        """One of our fills (executionReport `l`/`L`/`n`/`N`, or a myTrades row when rebuilding)."""
        fee = commission if commission_asset == base else _ZERO
        basis = self.basis(base) or Basis()
        self.set_basis(base, basis.bought(quantity, price, fee) if buy else basis.sold(quantity, fee))
        self.prices.setdefault(self.symbol_of(base), price)

    def rebuild(self, base: str, trades: Iterable[Mapping[str, Any]]) -> None:
        """A cost basis from `myTrades` rows, oldest first (first start: nothing persisted yet)."""
        self.set_basis(base, Basis())
        for row in trades:
            self.apply_fill(
                base,
                bool(row.get("isBuyer")),
                decimal_field(row, "qty"),
                decimal_field(row, "price"),
                decimal_field(row, "commission") if row.get("commission") is not None else _ZERO,
                str(row.get("commissionAsset") or ""),
            )

    # -- what clients see -----------------------------------------------------------------------
    def position(
        self, asset: str, now: dt.datetime | None = None, quantity: Decimal | None = None
    ) -> Position:
        now = now or dt.datetime.now(dt.UTC)
        symbol = self.symbol_of(asset)
        held = self.held(asset) if quantity is None else quantity
        basis = self.basis(asset)
        average = None if basis is None else basis.average
        price = self.prices.get(symbol) or average or _ZERO
        # Only what our fills paid for has a known cost: a part of the holding bought elsewhere or
        # deposited (testnet's seeded assets) adds no unrealized PnL rather than an invented one.
        costed = min(held, basis.quantity) if basis is not None else _ZERO
        unrealized = (price - average) * costed if average is not None and price else _ZERO
        opened = self._opened.setdefault(asset, now) if held > 0 else self._opened.pop(asset, now)
        return Position(
            id=symbol,
            symbol=symbol,
            side=PositionSide.LONG,
            quantity=decimal_text(held),
            # binance.md §11: null if unknown; the wire field is a string, so "0" stands for unknown.
            average_entry_price=decimal_text(average) if average is not None else "0",
            current_price=decimal_text(price),
            unrealized_pnl=decimal_text(unrealized),
            realized_pnl="0",
            opened_at=opened,
            updated_at=now,
        )

    def positions(self) -> list[Position]:
        now = dt.datetime.now(dt.UTC)
        assets = sorted(a for a in self.balances if self.is_position_asset(a) and self.held(a) > 0)
        return [self.position(a, now) for a in assets]

    def account(self) -> Account:
        free, locked = self.balances.get(self.currency, (_ZERO, _ZERO))
        cash = free + locked
        marked = _ZERO
        unrealized = _ZERO
        for position in self.positions():
            marked += Decimal(position.quantity) * Decimal(position.current_price)
            unrealized += Decimal(position.unrealized_pnl)
        return Account(
            balance=decimal_text(cash),
            equity=decimal_text(cash + marked),
            margin_used="0",
            margin_available=decimal_text(free),
            unrealized_pnl=decimal_text(unrealized),
            currency=self.currency,
        )
