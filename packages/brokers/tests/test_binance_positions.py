"""Spot positions from balances (binance.md §11): long-only, average entry from our own fills, persisted."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tradewire.brokers._live.store import Store
from tradewire.brokers.binance.positions import PositionBook


def rows(**held: str) -> list[dict[str, str]]:
    return [{"asset": a, "free": q, "locked": "0"} for a, q in held.items()]


def test_average_entry_from_fills_survives_a_restart_and_resets_when_flat(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as store:
        book = PositionBook(store, ["USDT"])
        book.apply_fill("BTC", True, Decimal("1"), Decimal("100"), Decimal("0"), "USDT")
        book.apply_fill("BTC", True, Decimal("1"), Decimal("200"), Decimal("0.001"), "BTC")
        basis = book.basis("BTC")
        assert basis is not None and basis.quantity == Decimal("1.999") and basis.cost == Decimal("300")
        book.apply_fill("BTC", False, Decimal("0.999"), Decimal("500"), Decimal("1"), "USDT")
        assert book.basis("BTC").average == Decimal("300") / Decimal("1.999")  # type: ignore[union-attr]
    with Store.open(tmp_path / "s") as store:
        book = PositionBook(store, ["USDT"])
        assert book.basis("BTC").quantity == Decimal("1")  # type: ignore[union-attr]
        book.apply_fill("BTC", False, Decimal("1"), Decimal("500"), Decimal("0"), "USDT")
        flat = book.basis("BTC")
        assert flat is not None and flat.quantity == 0 and flat.average is None


def test_balances_become_long_positions_and_the_account_marks_them(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as store:
        book = PositionBook(store, ["USDT", "BUSD"], assets=["BTC", "ETH"])
        book.min_quantity["ETHUSDT"] = Decimal("0.001")
        changes = book.set_balances(rows(USDT="1000", BTC="0.5", ETH="0.0001", DOGE="5"), replace=True)
        assert changes == [("BTC", Decimal(0), Decimal("0.5"))]  # ETH is dust, DOGE not allowed
        book.apply_fill("BTC", True, Decimal("0.5"), Decimal("100"), Decimal("0"), "USDT")
        book.prices["BTCUSDT"] = Decimal("120")
        [position] = book.positions()
        assert (position.symbol, position.side.name, position.quantity) == ("BTCUSDT", "LONG", "0.5")
        assert (position.average_entry_price, position.unrealized_pnl) == ("100", "10")
        account = book.account()
        assert (account.balance, account.equity, account.currency) == ("1000", "1060", "USDT")
        assert book.set_balances([{"a": "BTC", "f": "0", "l": "0"}]) == [("BTC", Decimal("0.5"), Decimal(0))]


def test_a_fill_moves_the_balances_ahead_of_binances_report(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as store:
        book = PositionBook(store, ["USDT"])
        book.set_balances([{"asset": "USDT", "free": "900", "locked": "100"}], replace=True)
        # A resting buy of 0.001 BTC at 100000 spent its locked 100 USDT; the fee came out of the BTC.
        book.apply_fill_balances("BTC", True, Decimal("0.001"), Decimal("100"), Decimal("0.000001"), "BTC")
        assert book.balances == {
            "USDT": (Decimal("900"), Decimal("0")),
            "BTC": (Decimal("0.000999"), Decimal(0)),
        }
        book.apply_fill_balances("BTC", False, Decimal("0.000999"), Decimal("110"), Decimal("0.11"), "USDT")
        assert book.held("BTC") == 0 and book.balances["USDT"] == (Decimal("1009.89"), Decimal("0"))


def test_a_holding_partly_of_unknown_cost_shows_pnl_only_on_what_our_fills_paid_for(tmp_path: Path) -> None:
    """binance.md §11: the average entry comes from our own fills; 1 BTC deposited (or seeded on testnet)
    has no known cost, so it adds no unrealized PnL (it used to be marked against our fills' average)."""
    with Store.open(tmp_path / "s") as store:
        book = PositionBook(store, ["USDT"])
        book.set_balances(rows(USDT="1000", BTC="1"), replace=True)
        [position] = book.positions()
        assert (position.average_entry_price, position.unrealized_pnl) == ("0", "0"), "unknown: no PnL"
        book.apply_fill_balances("BTC", True, Decimal("0.5"), Decimal("50"), Decimal("0"), "USDT")
        book.apply_fill("BTC", True, Decimal("0.5"), Decimal("100"), Decimal("0"), "USDT")
        book.prices["BTCUSDT"] = Decimal("120")
        [position] = book.positions()
        assert (position.quantity, position.average_entry_price) == ("1.5", "100")
        assert position.unrealized_pnl == "10", "only the 0.5 BTC our fill paid 100 for: (120 - 100) x 0.5"
        assert book.account().unrealized_pnl == "10"
