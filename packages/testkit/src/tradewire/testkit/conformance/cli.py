"""`tradewire-conformance`: run the suite against a URL (or an offline target) and print a result table."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

from tradewire.testkit.conformance.registry import all_scenarios
from tradewire.testkit.conformance.runner import Outcome, run_scenario
from tradewire.testkit.conformance.targets import TargetUnavailable, resolve

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tradewire-conformance",
        description="Prove that a venue or gateway speaks the Tradewire wire API.",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--url", help="base URL of a running server (default: $TRADING_GATEWAY_URL)")
    where.add_argument(
        "--target",
        help="an offline target instead: engine, gateway-backtest, gateway-mock, gateway-alpaca-fake, "
        "gateway-binance-fake",
    )
    p.add_argument("--api-key", help="the server's API key (default: $TRADING_GATEWAY_API_KEY)")
    p.add_argument("--symbol", default="AAPL", help="a symbol the venue trades (default: AAPL)")
    p.add_argument(
        "-k",
        "--only",
        action="append",
        default=[],
        help="run scenarios whose ID starts with this (repeatable), e.g. CF-ORD",
    )
    p.add_argument("--verbose", "-v", action="store_true", help="print full failure reasons")
    p.add_argument(
        "--allow-live-orders",
        action="store_true",
        help="run against a real-money platform, with TRADEWIRE_ALLOW_LIVE_ORDERS=true (refused "
        "otherwise: the scenarios place orders)",
    )
    p.add_argument(
        "--backtest-data",
        choices=("csv", "memory"),
        default="csv",
        help="gateway-backtest: the market as CSV files through the gateway's provider (default) or in memory",
    )
    p.add_argument(
        "--matrix",
        action="store_true",
        help="run every offline target and print the scenarios x targets table (Markdown)",
    )
    return p


async def _run(spec: str, only: list[str], **options: Any) -> list[Outcome]:
    target = resolve(spec, **options)
    caps = await target.capabilities()
    out = []
    for sc in all_scenarios():
        if only and not any(sc.id.startswith(o) for o in only):
            continue
        out.append(await run_scenario(sc, target, caps))
    await target.aclose()
    return out


def render(outcomes: Sequence[Outcome], width: int = 100, verbose: bool = False) -> str:
    """The result table: scenario, result, reason (first line, or all when verbose)."""
    rows = ["scenario     result   reason", "-----------  -------  " + "-" * 40]
    for o in outcomes:
        reason = o.reason if verbose else o.reason.splitlines()[0][:width] if o.reason else ""
        rows.append(f"{o.scenario:<11}  {o.result:<7}  {reason}")
    counts = Counter(o.result for o in outcomes)
    rows.append(f"\n{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return "\n".join(rows)


def matrix(results: dict[str, list[Outcome]]) -> str:
    """Markdown table: one row per scenario, one column per target (pass / skip / FAIL), counts last."""
    from tradewire.testkit.conformance.registry import all_scenarios

    names = list(results)
    cell = {"passed": "pass", "skipped": "skip", "failed": "**FAIL**"}
    by = {t: {o.scenario: o for o in results[t]} for t in names}
    rows = ["| scenario | what it proves | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for sc in all_scenarios():
        if not any(sc.id in by[t] for t in names):
            continue
        cells = [cell[by[t][sc.id].result] if sc.id in by[t] else "" for t in names]
        rows.append(f"| {sc.id} | {sc.doc} | " + " | ".join(cells) + " |")
    for result in ("passed", "skipped", "failed"):
        counts = [str(sum(o.result == result for o in results[t])) for t in names]
        rows.append(f"| **{result}** | | " + " | ".join(counts) + " |")
    return "\n".join(rows)


def _run_matrix(only: list[str], backtest_data: str) -> int:
    from tradewire.testkit.conformance.targets import NAMES

    results: dict[str, list[Outcome]] = {}
    for name in NAMES:
        try:
            results[name] = asyncio.run(_run(name, only, backtest_data=backtest_data))
        except TargetUnavailable as e:
            print(f"tradewire-conformance: {name} skipped: {e}", file=sys.stderr)
    print(matrix(results))
    return 1 if any(o.result == "failed" for r in results.values() for o in r) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; exit status 1 when a scenario failed, 2 on a usage error."""
    args = _parser().parse_args(argv)
    if args.matrix:
        return _run_matrix(args.only, args.backtest_data)
    if args.target:
        spec = args.target
    else:
        url = (
            args.url or os.environ.get("TEKTII_TRADING_GATEWAY_URL") or os.environ.get("TRADING_GATEWAY_URL")
        )
        if not url:
            print("tradewire-conformance: give --url (or --target)", file=sys.stderr)
            return 2
        spec = f"url={url}"
    key = (
        args.api_key
        or os.environ.get("TEKTII_TRADING_GATEWAY_API_KEY")
        or os.environ.get("TRADING_GATEWAY_API_KEY")
    )
    try:
        outcomes = asyncio.run(
            _run(
                spec,
                args.only,
                api_key=key,
                symbol=args.symbol,
                backtest_data=args.backtest_data,
                allow_live_orders=args.allow_live_orders,
            )
        )
    except (TargetUnavailable, ValueError) as e:
        print(f"tradewire-conformance: {e}", file=sys.stderr)
        return 2
    print(render(outcomes, verbose=args.verbose))
    return 1 if any(o.result == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
