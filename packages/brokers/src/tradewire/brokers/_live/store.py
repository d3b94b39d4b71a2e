"""The adapter's SQLite file: id maps, client order ids, managed exit rules, seen fills, the run id.

One file per venue at a configured path, in WAL mode (readers never block the writer; a crash loses
no committed write), schema versioned with `PRAGMA user_version`. What a restart needs to carry on:
which broker order is which of ours, the exits the gateway manages itself (a restart must still fire
them, never twice), and the fills already reported (resync dedupes against them). It holds no
credentials and logs no values, only the path and the schema version.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Final

from tradewire.protocol import run_ids

__all__ = ["SCHEMA_VERSION", "ExitRule", "OrderIds", "Store", "StoreError"]

log = logging.getLogger(__name__)

#: The schema this build writes; `_MIGRATIONS[n]` takes a file from version n to n + 1.
SCHEMA_VERSION: Final = 2

_MIGRATIONS: Final[tuple[str, ...]] = (
    # 0 -> 1
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE orders (
        our_id TEXT PRIMARY KEY,
        client_order_id TEXT NOT NULL UNIQUE,
        broker_id TEXT UNIQUE,
        symbol TEXT NOT NULL,
        created_seq INTEGER NOT NULL
    );
    CREATE TABLE exit_rules (
        rule_id TEXT PRIMARY KEY,
        entry_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        state TEXT NOT NULL,
        spec TEXT NOT NULL
    );
    CREATE TABLE seen_fills (seq INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT NOT NULL UNIQUE);
    """,
    # 1 -> 2: the client order id as the client gave it (NULL: the adapter made one up). v1 files
    # knew no difference; their ids are taken as given unless they have the adapter's `tw-` form.
    """
    ALTER TABLE orders ADD COLUMN given_client_id TEXT;
    UPDATE orders SET given_client_id = client_order_id WHERE client_order_id NOT LIKE 'tw-%';
    """,
)

#: The `orders` columns in `OrderIds`' field order.
_ORDER_COLUMNS: Final = "our_id, client_order_id, symbol, broker_id, given_client_id"

#: Exit rule states: waiting for its entry or its trigger, then one of the two ends.
EXIT_STATES: Final = frozenset({"armed", "fired", "cancelled"})


class StoreError(RuntimeError):
    """The file cannot be used: newer schema, not WAL-capable, or a broken invariant."""


@dataclass(frozen=True, slots=True)
class OrderIds:
    """One order's ids: ours, the client order id sent to the broker, and the broker's own once known.

    `given_client_id` is the id the client gave (rest.md echoes it, and only it): the same as
    `client_order_id` when the client gave one, None when the adapter made the broker's id up, and
    the original order's given id for a broker-side replacement (a modify that made a new order).
    """

    our_id: str
    client_order_id: str
    symbol: str
    broker_id: str | None = None
    given_client_id: str | None = None


@dataclass(frozen=True, slots=True)
class ExitRule:
    """An exit the gateway manages itself (a bracket leg the broker lacks, mapping.md §3).

    `spec` holds the rule's fields; Decimals are stored, and read back, as their exact text: e.g.
    `{"side": "SELL", "quantity": "10", "stop_price": "95.5", "take_profit": "110"}`.
    """

    rule_id: str
    entry_id: str
    symbol: str
    spec: Mapping[str, str | Decimal] = field(default_factory=dict)
    state: str = "armed"


def _spec_text(spec: Mapping[str, str | Decimal]) -> str:
    return json.dumps(
        {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in spec.items()}, sort_keys=True
    )


class Store:
    """The open file. Calls are short synchronous writes, made from the adapter's event loop thread.

    Use `Store.open(path)`; `close()` (or `with`) when done.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, seen_fill_capacity: int) -> None:
        self._db = connection
        self.path = path
        self._seen_capacity = seen_fill_capacity

    @classmethod
    def open(cls, path: str | Path, *, seen_fill_capacity: int = 10_000) -> Store:
        """Open (creating if needed) the store at `path`, in WAL mode, migrated to SCHEMA_VERSION.

        Raises:
            StoreError: the file is from a newer build, or WAL mode is unavailable.
        """
        where = Path(path)
        where.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(where, isolation_level=None)  # autocommit; `_tx` makes transactions
        try:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"store {where}: WAL mode unavailable (journal mode {mode})")
            # FULL: a committed exit rule or id map survives a power cut, not just a crash.
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            store = cls(db, where, seen_fill_capacity)
            store._migrate()
        except BaseException:
            db.close()
            raise
        return store

    def close(self) -> None:
        """Close the file (committed writes are already durable)."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- schema --------------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        """The file's schema version."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        found = self.schema_version
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"store {self.path} has schema v{found}, newer than this build's v{SCHEMA_VERSION}; "
                "upgrade tradewire-brokers or point the store at another path"
            )
        for version in range(found, SCHEMA_VERSION):
            with self._tx() as db:
                for statement in _MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")
            log.info("store %s migrated to schema v%d", self.path, version + 1)

    # -- the run -------------------------------------------------------------------------------
    def run_id(self) -> str | None:
        """The run this file belongs to, or None before the first `set_run_id`."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'run_id'").fetchone()
        return None if row is None else str(row[0])

    def set_run_id(self, run_id: str) -> None:
        """Record the run id (a restart reads it back to resume the same run)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('run_id', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (run_id,),
            )

    def ensure_run_id(self) -> str:
        """The run this file belongs to, named now on first use: a broker account's orders and positions
        outlive the process, so every restart on this file continues that run (the gateway reports it,
        and clients reconnecting after a restart carry on)."""
        found = self.run_id()
        if found is None:
            found = run_ids.new_run_id()
            self.set_run_id(found)
        return found

    def caught_up_to(self) -> int | None:
        """Broker time (ns since the epoch) up to which every order update and fill was emitted; None
        before the first. A restart reads what the broker did after it (the start-up catch-up)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'caught_up_ns'").fetchone()
        return None if row is None else int(row[0])

    def set_caught_up_to(self, ns: int) -> None:
        """Move the catch-up mark forward to `ns` (never back)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('caught_up_ns', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
                "WHERE CAST(excluded.value AS INTEGER) > CAST(meta.value AS INTEGER)",
                (str(ns),),
            )

    def value(self, key: str) -> str | None:
        """An adapter's own small value (e.g. Binance's cost basis per asset), or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", ("x:" + key,)).fetchone()
        return None if row is None else str(row[0])

    def set_value(self, key: str, value: str) -> None:
        """Keep an adapter's own small value across restarts (no credentials: the store logs none)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                ("x:" + key, value),
            )

    # -- orders --------------------------------------------------------------------------------
    def record_order(self, ids: OrderIds) -> None:
        """Remember an order before it is sent (its client order id is then known after a crash).

        Raises:
            StoreError: our id or the client order id is already taken by another order.
        """
        try:
            with self._tx() as db:
                seq = db.execute("SELECT COALESCE(MAX(created_seq), 0) + 1 FROM orders").fetchone()[0]
                db.execute(
                    "INSERT INTO orders (our_id, client_order_id, broker_id, symbol, created_seq, "
                    "given_client_id) VALUES (?, ?, ?, ?, ?, ?)",
                    (ids.our_id, ids.client_order_id, ids.broker_id, ids.symbol, seq, ids.given_client_id),
                )
        except sqlite3.IntegrityError as e:
            raise StoreError(f"order ids already recorded: {e}") from None

    def set_broker_id(self, our_id: str, broker_id: str) -> None:
        """Link our order to the broker's id (after the submit answered, or after adoption).

        Raises:
            StoreError: no such order, or the broker id belongs to another order.
        """
        try:
            with self._tx() as db:
                changed = db.execute(
                    "UPDATE orders SET broker_id = ? WHERE our_id = ?", (broker_id, our_id)
                ).rowcount
        except sqlite3.IntegrityError:
            raise StoreError(f"broker id of order {our_id!r} already belongs to another order") from None
        if changed != 1:
            raise StoreError(f"no recorded order {our_id!r}")

    def _order(self, column: str, value: str) -> OrderIds | None:
        row = self._db.execute(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE {column} = ?",  # noqa: S608
            (value,),
        ).fetchone()
        return None if row is None else OrderIds(*row)

    def order(self, our_id: str) -> OrderIds | None:
        """The order with our id."""
        return self._order("our_id", our_id)

    def order_by_client_id(self, client_order_id: str) -> OrderIds | None:
        """The order sent with this client order id."""
        return self._order("client_order_id", client_order_id)

    def order_by_broker_id(self, broker_id: str) -> OrderIds | None:
        """The order the broker knows by this id."""
        return self._order("broker_id", broker_id)

    def orders(self) -> list[OrderIds]:
        """Every recorded order, in the order they were recorded."""
        rows = self._db.execute(
            f"SELECT {_ORDER_COLUMNS} FROM orders ORDER BY created_seq"  # noqa: S608
        ).fetchall()
        return [OrderIds(*r) for r in rows]

    # -- managed exits -------------------------------------------------------------------------
    def put_exit_rule(self, rule: ExitRule) -> None:
        """Add or replace an exit rule (new prices after a modify)."""
        if rule.state not in EXIT_STATES:
            raise ValueError(f"exit rule state must be one of {sorted(EXIT_STATES)}")
        with self._tx() as db:
            db.execute(
                "INSERT INTO exit_rules (rule_id, entry_id, symbol, state, spec) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (rule_id) DO UPDATE SET entry_id = excluded.entry_id, "
                "symbol = excluded.symbol, state = excluded.state, spec = excluded.spec",
                (rule.rule_id, rule.entry_id, rule.symbol, rule.state, _spec_text(rule.spec)),
            )

    def fire_exit_rule(self, rule_id: str) -> bool:
        """Mark an armed rule fired; False if it was not armed (fired or cancelled already).

        Check-and-set in one statement: of two callers racing on one rule, exactly one gets True, so
        an exit is never sent twice, before or after a restart.
        """
        with self._tx() as db:
            changed = db.execute(
                "UPDATE exit_rules SET state = 'fired' WHERE rule_id = ? AND state = 'armed'", (rule_id,)
            ).rowcount
        return changed == 1

    def cancel_exit_rule(self, rule_id: str) -> bool:
        """Mark an armed rule cancelled; False if it was not armed."""
        with self._tx() as db:
            changed = db.execute(
                "UPDATE exit_rules SET state = 'cancelled' WHERE rule_id = ? AND state = 'armed'", (rule_id,)
            ).rowcount
        return changed == 1

    def exit_rules(self, *, armed_only: bool = True) -> list[ExitRule]:
        """Exit rules (by default the armed ones a restart must watch again), by rule id."""
        query = "SELECT rule_id, entry_id, symbol, spec, state FROM exit_rules"
        if armed_only:
            query += " WHERE state = 'armed'"
        rows = self._db.execute(query + " ORDER BY rule_id").fetchall()
        return [ExitRule(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    # -- fills already reported ----------------------------------------------------------------
    def remember_fills(self, execution_ids: Iterable[str]) -> None:
        """Record reported execution ids, keeping the most recent `seen_fill_capacity`."""
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO seen_fills (execution_id) VALUES (?)", ((i,) for i in execution_ids)
            )
            # By rank, not by seq arithmetic: an ignored duplicate insert still uses up a seq value.
            db.execute(
                "DELETE FROM seen_fills WHERE seq NOT IN "
                "(SELECT seq FROM seen_fills ORDER BY seq DESC LIMIT ?)",
                (self._seen_capacity,),
            )

    def seen_fills(self) -> list[str]:
        """The remembered execution ids, oldest first (for `resync.SeenIds`)."""
        return [r[0] for r in self._db.execute("SELECT execution_id FROM seen_fills ORDER BY seq")]
