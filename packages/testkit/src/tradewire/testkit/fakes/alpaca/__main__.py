"""`python -m tradewire.testkit.fakes.alpaca --port P --print-env`: the fake, standalone, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from tradewire.testkit.fakes.alpaca.prices import PricePath
from tradewire.testkit.fakes.alpaca.server import FakeAlpaca


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tradewire.testkit.fakes.alpaca",
        description="A fake Alpaca (trading REST, market data REST, both streams) on one loopback port.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    p.add_argument("--print-env", action="store_true", help="print the NAME=value lines for an adapter")
    p.add_argument("--key-id", default="FAKEPAPERKEY")
    p.add_argument("--secret-key", default="fake-paper-secret")
    p.add_argument("--tick", type=float, default=1.0, help="seconds between price steps (0: never)")
    p.add_argument("--seed", type=int, default=1, help="seed of every symbol's random walk")
    return p


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeAlpaca(
        host=args.host,
        port=args.port,
        key_id=args.key_id,
        secret_key=args.secret_key,
        tick_interval=args.tick or None,
    )
    for i, asset in enumerate(fake.broker.assets):
        fake.set_path(asset.symbol, PricePath.walk(asset.price, seed=args.seed + i, tick=asset.tick))
    async with fake:
        if args.print_env:
            for name, value in fake.env().items():
                print(f"{name}={value}")
        print(f"fake alpaca serving on {fake.base_url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        sys.stdout.flush()
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    print("fake alpaca stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
