"""The SQLite store: WAL mode, versioned schema, everything survives a reopen, exits fire once."""

from __future__ import annotations

import logging
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from tradewire.brokers._live.resync import SeenIds
from tradewire.brokers._live.store import SCHEMA_VERSION, ExitRule, OrderIds, Store, StoreError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "alpaca-paper.sqlite3"


def test_a_new_file_is_in_wal_mode_at_the_current_schema(path: Path) -> None:
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_ids_exit_rules_seen_fills_and_the_run_id_survive_a_reopen(path: Path) -> None:
    with Store.open(path) as store:
        store.set_run_id("run-7")
        store.record_order(OrderIds("ord-1", "tw-ab12cd34-1", "AAPL"))
        store.record_order(OrderIds("ord-2", "tw-ab12cd34-2", "BTC/USD", broker_id="b-2"))
        store.set_broker_id("ord-1", "b-1")
        store.put_exit_rule(
            ExitRule(
                "ord-2:sl", "ord-2", "BTC/USD", {"side": "SELL", "quantity": "0.5", "stop_price": "61000.5"}
            )
        )
        store.remember_fills(["e1", "e2"])
    # Another process (a restarted gateway) opens the same file.
    with Store.open(path) as store:
        assert store.run_id() == "run-7"
        assert store.order("ord-1") == OrderIds("ord-1", "tw-ab12cd34-1", "AAPL", "b-1")
        assert store.order_by_client_id("tw-ab12cd34-2") == OrderIds(
            "ord-2", "tw-ab12cd34-2", "BTC/USD", "b-2"
        )
        assert store.order_by_broker_id("b-1") is not None and store.order_by_broker_id("zz") is None
        assert [o.our_id for o in store.orders()] == ["ord-1", "ord-2"]
        (rule,) = store.exit_rules()
        assert rule.spec == {"side": "SELL", "quantity": "0.5", "stop_price": "61000.5"}
        assert rule.state == "armed"
        assert SeenIds(store.seen_fills()).recent() == ["e1", "e2"]


def test_an_exit_fires_once_even_across_a_restart(path: Path) -> None:
    with Store.open(path) as store:
        store.put_exit_rule(ExitRule("r1", "ord-1", "AAPL", {"take_profit": "110"}))
        store.put_exit_rule(ExitRule("r2", "ord-1", "AAPL", {"stop_price": "95"}))
        assert store.fire_exit_rule("r1") is True
        assert store.fire_exit_rule("r1") is False
    with Store.open(path) as store:
        assert store.fire_exit_rule("r1") is False  # fired before the restart: never again
        assert [r.rule_id for r in store.exit_rules()] == ["r2"]  # only armed rules are watched
        assert store.cancel_exit_rule("r2") is True
        assert store.fire_exit_rule("r2") is False
        assert store.exit_rules() == []
        assert {r.state for r in store.exit_rules(armed_only=False)} == {"fired", "cancelled"}


def test_decimals_in_an_exit_rule_are_kept_as_their_exact_text(path: Path) -> None:
    with Store.open(path) as store:
        store.put_exit_rule(
            ExitRule("r1", "ord-1", "X", {"stop_price": Decimal("0.1000000000000000055511151231257827")})
        )
        assert store.exit_rules()[0].spec["stop_price"] == "0.1000000000000000055511151231257827"


def test_conflicting_ids_are_refused(path: Path) -> None:
    with Store.open(path) as store:
        store.record_order(OrderIds("ord-1", "c-1", "AAPL", "b-1"))
        store.record_order(OrderIds("ord-2", "c-2", "AAPL"))
        with pytest.raises(StoreError, match="already recorded"):
            store.record_order(OrderIds("ord-3", "c-1", "AAPL"))
        with pytest.raises(StoreError, match="another order"):
            store.set_broker_id("ord-2", "b-1")
        with pytest.raises(StoreError, match="no recorded order"):
            store.set_broker_id("nope", "b-9")
        with pytest.raises(ValueError, match="state"):
            store.put_exit_rule(ExitRule("r", "ord-1", "AAPL", state="maybe"))


def test_seen_fills_keep_the_most_recent(path: Path) -> None:
    with Store.open(path, seen_fill_capacity=3) as store:
        store.remember_fills(["e1", "e2"])
        store.remember_fills(["e2", "e3", "e4"])
        assert store.seen_fills() == ["e2", "e3", "e4"]


def test_a_file_from_a_newer_build_is_refused(path: Path) -> None:
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer than this build"):
        Store.open(path)


def test_a_failed_write_leaves_nothing_half_done(path: Path) -> None:
    with Store.open(path) as store:
        store.record_order(OrderIds("ord-1", "c-1", "AAPL"))
        with pytest.raises(StoreError):
            store.record_order(OrderIds("ord-1", "c-9", "AAPL"))
        assert store.order_by_client_id("c-9") is None


def test_the_store_logs_no_values(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="tradewire.brokers"), Store.open(path) as store:
        store.set_run_id("run-secretish")
        store.record_order(OrderIds("ord-1", "tw-client-id", "AAPL", "b-1"))
        store.put_exit_rule(ExitRule("r1", "ord-1", "AAPL", {"stop_price": "95"}))
        store.remember_fills(["exec-1"])
    for value in ("run-secretish", "tw-client-id", "b-1", "95", "exec-1"):
        assert value not in caplog.text
    assert "schema v1" in caplog.text  # what it does log: the path and the migration


def test_a_v1_file_gains_the_given_client_ids(path: Path) -> None:
    from tradewire.brokers._live.store import _MIGRATIONS

    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.executescript(_MIGRATIONS[0] + "PRAGMA user_version = 1;")
    db.execute("INSERT INTO orders VALUES ('tw-ab12cd34-1', 'tw-ab12cd34-1', 'b-1', 'AAPL', 1)")
    db.execute("INSERT INTO orders VALUES ('mine-1', 'mine-1', 'b-2', 'AAPL', 2)")
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        # A v1 file did not say who chose an id: the adapter's `tw-` ids were its own, others given.
        assert [o.given_client_id for o in store.orders()] == [None, "mine-1"]
        store.record_order(OrderIds("tw-ab12cd34-2", "tw-ab12cd34-2", "AAPL", given_client_id="mine-1"))
    with Store.open(path) as store:
        found = store.order_by_client_id("tw-ab12cd34-2")
        assert found is not None and found.given_client_id == "mine-1"


def test_the_catch_up_mark_only_moves_forward(path: Path) -> None:
    with Store.open(path) as store:
        assert store.caught_up_to() is None
        store.set_caught_up_to(2_000)
        store.set_caught_up_to(1_000)
    with Store.open(path) as store:
        assert store.caught_up_to() == 2_000
        store.set_caught_up_to(3_000)
        assert store.caught_up_to() == 3_000


def test_the_run_is_named_once_and_kept_across_opens(tmp_path: Path) -> None:
    path = tmp_path / "run.sqlite3"
    with Store.open(path) as store:
        assert store.run_id() is None
        first = store.ensure_run_id()
        assert store.ensure_run_id() == first
    with Store.open(path) as store:
        assert store.ensure_run_id() == first == store.run_id()
