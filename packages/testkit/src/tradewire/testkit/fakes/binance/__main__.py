"""`python -m tradewire.testkit.fakes.binance --port P --print-env`: the fake, standalone, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from tradewire.testkit.fakes.binance.prices import PricePath
from tradewire.testkit.fakes.binance.server import FakeBinance


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tradewire.testkit.fakes.binance",
        description="A fake Binance Spot (REST, WebSocket API, market streams) on one loopback port.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    p.add_argument("--print-env", action="store_true", help="print the NAME=value lines for an adapter")
    p.add_argument("--api-key", default=None, help="the HMAC API key (default: the fake's)")
    p.add_argument("--api-secret", default=None, help="the HMAC secret (default: the fake's)")
    p.add_argument("--tick", type=float, default=1.0, help="seconds between price steps (0: never)")
    p.add_argument("--seed", type=int, default=1, help="seed of every symbol's random walk")
    p.add_argument("--ping-interval", type=float, default=20.0, help="seconds between server pings")
    p.add_argument("--pong-timeout", type=float, default=60.0, help="seconds without a pong before a drop")
    p.add_argument("--max-lifetime", type=float, default=86400.0, help="seconds a WebSocket may live")
    return p


async def _serve(args: argparse.Namespace) -> None:
    keys = {k: v for k, v in (("api_key", args.api_key), ("api_secret", args.api_secret)) if v}
    fake = FakeBinance(
        host=args.host,
        port=args.port,
        tick_interval=args.tick or None,
        ping_interval=args.ping_interval,
        pong_timeout=args.pong_timeout,
        max_lifetime=args.max_lifetime,
        **keys,
    )
    for i, spec in enumerate(fake.config.symbols):
        fake.set_path(spec.symbol, PricePath.walk(spec.price, seed=args.seed + i, tick=spec.tick_size))
    async with fake:
        if args.print_env:
            for name, value in fake.env().items():
                print(f"{name}={value}")
        print(f"fake binance serving on {fake.base_url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        sys.stdout.flush()
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    print("fake binance stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
