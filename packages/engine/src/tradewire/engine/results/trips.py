"""Round trips, exposure and traded notional from a run's fills, in exact decimals."""

# Built from FillRecord (what a result holds, and what a client rebuilds from the wire's trades), so a
# report made over the wire and one made in-process come from the same code on the same inputs.

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tradewire.engine.results.records import FillRecord, RoundTrip

__all__ = ["TripStats", "money", "round_trips"]

_ZERO = Decimal(0)


def money(value: Decimal) -> Decimal:
    """Exact money without trailing zeros past the cents ("98499.80", "996347.0099")."""
    whole, _, frac = format(value, "f").partition(".")
    return Decimal(f"{whole}.{frac.rstrip('0').ljust(2, '0')}")


def _qty(value: Decimal) -> Decimal:
    text = format(value, "f")
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)


@dataclass(slots=True)
class _Open:
    side: int
    pos: Decimal = _ZERO
    qty: Decimal = _ZERO
    cost: Decimal = _ZERO
    exit_qty: Decimal = _ZERO
    exit_cost: Decimal = _ZERO
    cash: Decimal = _ZERO
    fees: Decimal = _ZERO
    t0: int = 0


@dataclass(slots=True)
class TripStats:
    """Round trips, time with any position open (ns), traded notional and what is still open."""

    trips: list[RoundTrip] = field(default_factory=list)
    exposed_ns: int = 0
    notional: Decimal = _ZERO
    open_positions: dict[str, Decimal] = field(default_factory=dict)


def round_trips(fills: Sequence[FillRecord], end_ns: int) -> TripStats:
    """Flat to flat per symbol (a flip closes one trip and opens the next); a fill that flips splits
    its commission by quantity. Exposure counts until `end_ns` while anything is still open."""
    out = TripStats()
    state: dict[str, _Open] = {}
    open_count = 0
    since = 0
    for f in fills:
        signed = f.quantity if f.side == "BUY" else -f.quantity
        out.notional += f.quantity * f.price
        remaining, fee_left = signed, f.commission
        while remaining:
            st = state.get(f.symbol)
            if st is None or st.pos == 0:
                if open_count == 0:
                    since = f.time_ns
                open_count += 1
                st = state[f.symbol] = _Open(1 if remaining > 0 else -1, t0=f.time_ns)
            part = remaining
            closing = st.pos != 0 and (st.pos > 0) != (remaining > 0)
            if closing and abs(remaining) > abs(st.pos):
                part = -st.pos
            fee = fee_left if part == remaining else fee_left * abs(part) / abs(remaining)
            fee_left -= fee
            st.pos += part
            st.cash += -part * f.price - fee
            st.fees += fee
            if closing:
                st.exit_cost += abs(part) * f.price
                st.exit_qty += abs(part)
            else:
                st.cost += abs(part) * f.price
                st.qty += abs(part)
            remaining -= part
            if st.pos == 0:
                open_count -= 1
                if open_count == 0:
                    out.exposed_ns += f.time_ns - since
                out.trips.append(
                    RoundTrip(
                        f.symbol,
                        "LONG" if st.side > 0 else "SHORT",
                        _qty(st.qty),
                        st.t0,
                        f.time_ns,
                        st.cost / st.qty,
                        st.exit_cost / st.exit_qty,
                        money(st.cash),
                        money(st.fees),
                    )
                )
    if open_count:
        out.exposed_ns += end_ns - since
    out.open_positions = {s: _qty(st.pos) for s, st in state.items() if st.pos != 0}
    return out
