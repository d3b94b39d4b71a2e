"""Soak invariants, read back over REST: every order once, positions = Σ fills, cash exact."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx

#: The spec's largest page (rest.md: a larger `limit` counts as 10 000).
PAGE = 10_000


def _later(timestamp: str) -> str:
    moment = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")) + dt.timedelta(microseconds=1)
    return moment.isoformat().replace("+00:00", "Z")


def every(client: httpx.Client, path: str, stamp: str) -> list[dict[str, Any]]:
    """Every item of a newest-first list route, paged backwards with `until` (exclusive)."""
    seen: dict[str, dict[str, Any]] = {}
    until: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": PAGE}
        if until is not None:
            params["until"] = until
        response = client.get(path, params=params)
        response.raise_for_status()
        page: list[dict[str, Any]] = response.json()
        fresh = [item for item in page if item["id"] not in seen]
        seen.update((item["id"], item) for item in page)
        if len(page) < PAGE:
            return list(seen.values())
        oldest = min(item[stamp] for item in page)
        # A full page of one instant cannot be split by time: step strictly past it.
        until = _later(oldest) if fresh and any(item[stamp] != oldest for item in page) else oldest


def check(
    url: str, key: str, accepted: dict[str, str], starting_cash: Decimal
) -> tuple[list[str], dict[str, int]]:
    """The invariants after a soak; returns (failures, counts)."""
    failures: list[str] = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        orders = every(client, "/v1/orders", "created_at") + every(client, "/v1/orders/history", "created_at")
        trades = every(client, "/v1/trades", "timestamp")
        positions = client.get("/v1/positions").json()
        account = client.get("/v1/account").json()

    by_client_id = Counter(o["client_order_id"] for o in orders if o.get("client_order_id"))
    twice = [cid for cid, n in by_client_id.items() if n > 1]
    if twice:
        failures.append(f"{len(twice)} client order ids made more than one order, e.g. {twice[:3]}")
    ids = {o["client_order_id"]: o["id"] for o in orders if o.get("client_order_id")}
    # The venue keeps the newest finished orders only (the engine's `order_history`, 10,000): an accepted
    # order may be missing only if it is older than every order of its trader still listed.
    missing = [cid for cid in accepted if cid not in ids]
    newest_gone: dict[str, int] = {}
    for cid in missing:
        trader, seq = cid.rsplit("-", 1)
        newest_gone[trader] = max(newest_gone.get(trader, 0), int(seq))
    oldest_kept: dict[str, int] = {}
    for cid in ids:
        trader, seq = cid.rsplit("-", 1)
        oldest_kept[trader] = min(oldest_kept.get(trader, 1 << 62), int(seq))
    lost = [t for t, seq in newest_gone.items() if seq > oldest_kept.get(t, 1 << 62)]
    if lost:
        failures.append(
            f"accepted orders of {len(lost)} traders are gone while older ones are listed: {lost[:3]}"
        )
    moved = [cid for cid, oid in accepted.items() if cid in ids and ids[cid] != oid]
    if moved:
        failures.append(f"{len(moved)} accepted orders changed id, e.g. {moved[:3]}")
    # A refused submit (422) leaves a REJECTED order in the history; any other order nobody saw accepted
    # would be one a retry or a shutdown made behind the client's back.
    status = {o["client_order_id"]: o["status"] for o in orders if o.get("client_order_id")}
    unconfirmed = [cid for cid in ids if cid not in accepted]
    unseen = [cid for cid in unconfirmed if status[cid] != "REJECTED"]
    if unseen:
        failures.append(f"{len(unseen)} orders were made that no client saw accepted, e.g. {unseen[:3]}")

    held: dict[str, Decimal] = {}
    cash = starting_cash
    for trade in trades:
        signed = Decimal(trade["quantity"]) * (1 if trade["side"] == "BUY" else -1)
        held[trade["symbol"]] = held.get(trade["symbol"], Decimal(0)) + signed
        cash -= signed * Decimal(trade["price"]) + Decimal(trade["commission"])
    reported = {p["symbol"]: Decimal(p["quantity"]) * (1 if p["side"] == "LONG" else -1) for p in positions}
    for symbol in sorted(set(held) | set(reported)):
        if held.get(symbol, Decimal(0)) != reported.get(symbol, Decimal(0)):
            failures.append(
                f"{symbol}: position {reported.get(symbol, 0)} but fills sum to {held.get(symbol, 0)}"
            )
    if Decimal(account["balance"]) != cash:
        failures.append(f"cash {account['balance']} but the fills give {cash}")
    counts = {
        "orders": len(orders),
        "accepted": len(accepted),
        "rejected": len(unconfirmed),
        "aged_out": len(missing),
        "trades": len(trades),
        "positions": len(positions),
    }
    return failures, counts
