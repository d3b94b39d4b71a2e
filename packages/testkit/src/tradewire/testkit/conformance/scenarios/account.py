"""Account: balances, BALANCE_UPDATED after fills, margin warnings and calls, trades, capabilities and status."""

from __future__ import annotations

from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.checks import D, is_order, is_type, wire_name
from tradewire.testkit.conformance.market import Market, bars
from tradewire.testkit.conformance.registry import scenario
from tradewire.testkit.conformance.session import Session


@scenario("CF-ACC-001")
async def account_shape(s: Session) -> None:
    """GET /v1/account answers decimal balances and a currency; with nothing open, equity equals balance."""
    a = await s.client.get_account()
    for field in ("balance", "equity", "margin_used", "margin_available", "unrealized_pnl"):
        D(getattr(a, field))  # decimal text (the codec already refused anything else)
    assert a.currency, "account currency is empty"
    if s.has(cap.MARKET_CONTROL):
        assert D(a.balance) == D("100000") and D(a.equity) == D(a.balance), f"fresh account: {a}"
        assert D(a.unrealized_pnl) == 0 and D(a.margin_used) == 0


@scenario("CF-ACC-002", requires={cap.MARKET_ORDERS}, golden=True)
async def balance_updated_after_fill(s: Session) -> None:
    """A buy fill is followed by BALANCE_UPDATED whose cash fell by the fill's notional plus commission."""
    await s.step()
    before = await s.client.get_account()
    h = await s.client.submit_order(symbol=s.symbol, side="BUY", quantity="10", order_type="MARKET")
    fill = await s.until(is_type("trade"), f"the trade of {h.id}")
    ev = await s.until(is_type("account"), "BALANCE_UPDATED after the fill")
    assert wire_name(ev.event) == "BALANCE_UPDATED", s.describe(ev)
    spent = D(fill.trade.quantity) * D(fill.trade.price) + D(fill.trade.commission)
    if s.has(cap.MARKET_CONTROL):
        assert D(before.balance) - D(ev.account.balance) == spent, (
            f"balance {before.balance} -> {ev.account.balance}, but the fill cost {spent}"
        )
    after = await s.client.get_account()
    assert D(after.balance) == D(ev.account.balance) or not s.paced, (
        f"GET /v1/account balance {after.balance} disagrees with BALANCE_UPDATED {ev.account.balance}"
    )


def _falling(prices: list[str]) -> Market:
    rows = [(p, str(D(p) + D("0.20")), str(D(p) - D("0.20")), p, "100000") for p in prices]
    return Market(
        (bars("AAPL", rows),),
        {"cash": "10000", "leverage": "4", "maintenance_margin": "0.25", "margin_warning": "1.25"},
    )


WARN = _falling(["100.00", "100.00", "99.00", "97.50", "96.00", "96.00", "96.50"])
CALL = _falling(["100.00", "100.00", "99.00", "97.50", "95.00", "92.00", "90.00", "88.00", "86.00", "86.00"])


@scenario("CF-ACC-003", requires={cap.MARGIN, cap.MARKET_CONTROL}, market=WARN, golden=True)
async def margin_warning(s: Session) -> None:
    """A 3x-levered long (cash 10 000, 300 shares at 100) on a falling market gets MARGIN_WARNING (once) before any margin call."""
    await s.step()
    await s.client.submit_order(symbol="AAPL", side="BUY", quantity="300", order_type="MARKET")
    ev = await s.until(
        lambda e: is_type("account")(e) and wire_name(e.event) in ("MARGIN_WARNING", "MARGIN_CALL"),
        "MARGIN_WARNING as equity nears maintenance",
    )
    assert wire_name(ev.event) == "MARGIN_WARNING", f"first margin event: {s.describe(ev)}"
    await s.run_to_end()
    warnings = [e for e in s.trace if is_type("account")(e) and wire_name(e.event) == "MARGIN_WARNING"]
    assert len(warnings) == 1, f"MARGIN_WARNING sent {len(warnings)} times while below the line"


@scenario("CF-ACC-004", requires={cap.MARGIN, cap.MARKET_CONTROL}, market=CALL, golden=True)
async def margin_call_liquidates(s: Session) -> None:
    """Past maintenance: MARGIN_CALL, an error LIQUIDATION, and the position force-closed (POSITION_CLOSED)."""
    await s.step()
    await s.client.submit_order(symbol="AAPL", side="BUY", quantity="300", order_type="MARKET")
    await s.until(lambda e: is_type("account")(e) and wire_name(e.event) == "MARGIN_CALL", "MARGIN_CALL")
    err = await s.until(is_type("error"), "error LIQUIDATION")
    assert wire_name(err.code) == "LIQUIDATION", s.describe(err)
    await s.until(
        lambda e: is_type("position")(e) and wire_name(e.event) == "POSITION_CLOSED", "the forced close"
    )
    assert not await s.client.list_positions(), "positions still open after liquidation"


@scenario("CF-ACC-005", requires={cap.MARKET_ORDERS})
async def trades_listed_and_filtered(s: Session) -> None:
    """GET /v1/trades lists fills newest first and filters by order_id, symbol and limit."""
    await s.step()
    a = await s.client.submit_order(symbol=s.symbol, side="BUY", quantity="2", order_type="MARKET")
    await s.until(is_order("ORDER_FILLED", a.id), f"ORDER_FILLED for {a.id}")
    await s.step()
    b = await s.client.submit_order(symbol=s.symbol, side="BUY", quantity="3", order_type="MARKET")
    await s.until(is_order("ORDER_FILLED", b.id), f"ORDER_FILLED for {b.id}")
    only_a = await s.client.list_trades(order_id=a.id)
    assert [t.order_id for t in only_a] == [a.id] and D(only_a[0].quantity) == 2, f"order_id filter: {only_a}"
    mine = [t for t in await s.client.list_trades(symbol=s.symbol) if t.order_id in (a.id, b.id)]
    assert [t.order_id for t in mine] == [b.id, a.id], "GET /v1/trades must be newest first"
    assert len(await s.client.list_trades(limit=1)) == 1
    assert all(t.symbol == s.symbol for t in await s.client.list_trades(symbol=s.symbol))
    assert all(t.commission_currency for t in mine) and all(wire_name(t.side) == "BUY" for t in mine)


@scenario("CF-ACC-006")
async def capabilities_and_status(s: Session) -> None:
    """GET /v1/capabilities names order types and a position mode; /v1/status is connected; breakers closed, resettable."""
    c = await s.client.capabilities()
    types = {wire_name(t) for t in c.supported_order_types}
    assert "MARKET" in types, f"supported_order_types {types}"
    assert wire_name(c.position_mode) in ("NETTING", "HEDGING") and c.supported_asset_classes
    st = await s.client.status()
    assert st.connected is True and st.latency_ms >= 0
    br = await s.client.circuit_breakers()
    assert wire_name(br.adapter.state) == "closed" and wire_name(br.exit_order.state) == "closed"
    reset = await s.client.reset_circuit_breakers()
    assert wire_name(reset.adapter.state) == "closed" and reset.adapter.failure_count == 0


@scenario("CF-ACC-007", requires={cap.WIRE})
async def health_and_readiness(s: Session) -> None:
    """/health reports version, git_sha and the provider; /readyz is ready with it; the OpenAPI document is served."""
    http = s.http(key=None)
    h = (await http.get("/health")).json()
    assert h["status"] in ("connected", "degraded") and h["version"] and h["git_sha"], f"/health {h}"
    assert h["providers"] and all("platform" in p and "connected" in p for p in h["providers"]), (
        f"/health {h}"
    )
    r = await http.get("/readyz")
    body = r.json()
    assert (
        r.status_code == 200
        and body["ready"] is True
        and body["provider_count"] == len(body["providers"]) >= 1
    ), body
    assert body["providers"][0] == h["providers"][0]["platform"], (
        "/readyz and /health name different providers"
    )
    doc = await s.http().get("/api-docs/openapi.json")
    assert doc.status_code == 200 and "openapi" in doc.json(), f"OpenAPI document: {doc.status_code}"
