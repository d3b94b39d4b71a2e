"""One-line descriptions of stream events and errors, for assertion messages that name the wrong event."""

from __future__ import annotations

from typing import Any

from tradewire.protocol import codec

__all__ = ["describe", "describe_all", "name"]


def name(value: Any) -> str:
    """Wire spelling of an enum member (or the value itself)."""
    try:
        return codec.enum_spelling(value)
    except Exception:
        return str(value)


def describe(e: Any) -> str:
    """`order ORDER_FILLED ord-000001 BUY LIMIT qty=10 filled=10 limit=99.00 avg=100.10 FILLED @2024-...`."""
    d = codec.to_dict(e)
    t = d.get("type")
    at = f" @{d['timestamp']}" if "timestamp" in d else ""
    eid = f" [{d['event_id']}]" if "event_id" in d else ""
    if t == "order":
        o = d["order"]
        parts = [
            f"order {d['event']} {o['id']} {o['side']} {o['order_type']} qty={o['quantity']}",
            f"filled={o['filled_quantity']}",
        ]
        for k in ("limit_price", "stop_price", "trailing_distance", "average_fill_price", "reject_reason"):
            if k in o:
                parts.append(f"{k.replace('_price', '').replace('average_fill', 'avg')}={o[k]}")
        parts.append(o["status"])
        return " ".join(parts) + at + eid
    if t == "trade":
        x = d["trade"]
        return f"trade {x['order_id']} {x['side']} {x['quantity']}@{x['price']}{at}{eid}"
    if t == "position":
        p = d["position"]
        return f"position {d['event']} {p['symbol']} {p['side']} qty={p['quantity']} avg={p['average_entry_price']}{at}{eid}"
    if t == "account":
        a = d["account"]
        return f"account {d['event']} balance={a['balance']} equity={a['equity']}{at}{eid}"
    if t == "candle":
        b = d["bar"]
        return f"candle {b['symbol']} {b['timestamp']} o={b['open']} h={b['high']} l={b['low']} c={b['close']}{at}{eid}"
    if t == "quote":
        q = d["quote"]
        return f"quote {q['symbol']} {q['bid']}/{q['ask']}{at}{eid}"
    extra = " ".join(f"{k}={v}" for k, v in d.items() if k not in ("type", "timestamp", "event_id"))
    return f"{t} {extra}".strip() + at + eid


def describe_all(events: list[Any]) -> str:
    """Several events, one per line."""
    if not events:
        return "(none)"
    return "\n  " + "\n  ".join(describe(e) for e in events)
