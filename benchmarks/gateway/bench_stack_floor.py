"""The bare-stack floor of a lock-step stream: uvicorn + a raw ASGI route against a bare client.

Ping-pong of a ~500-byte text frame and a ~60-byte ack, nothing else: no Litestar, no gateway, no
decoding. The server runs on the gateway's stack options (loop, ws, http, busy-poll), the client on
the SDK's stream drivers (`websockets` asyncio, `picows` from `tradewire-sdk[fast]`) with the SDK's
busy-polling loop, so the figure is the floor under `bench_tradewire.py --mode wire` for that pair.
Configurations are interleaved and rotated each round.

    python benchmarks/gateway/bench_stack_floor.py [--rounds 20000] [--repeats 3] [--pairs default|all]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from _common import HERE, start, stop

from tradewire.protocol import busy_poll

ACK = b'{"type":"event_ack","correlation_id":"c","batch_id":"b-00000000"}'  # ~60 bytes
BUDGET = busy_poll.DEFAULT_BUDGET_S


async def _websockets_client(url: str) -> int:
    from websockets.asyncio.client import connect

    n = 0
    async with connect(url, compression=None, max_size=None) as ws:
        try:
            while True:
                await ws.recv()
                await ws.send(ACK, text=True)
                n += 1
        except Exception:
            pass
    return n


async def _picows_client(url: str) -> int:
    from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

    class Listener(WSListener):
        n = 0

        def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
            if frame.msg_type == WSMsgType.TEXT:
                frame.get_payload_as_bytes()  # what the SDK's driver does with a frame
                transport.send(WSMsgType.TEXT, ACK)
                self.n += 1
            elif frame.msg_type == WSMsgType.CLOSE:
                transport.disconnect()

    transport, listener = await ws_connect(Listener, url)
    await transport.wait_disconnected()
    return listener.n


CLIENTS = {"websockets": _websockets_client, "picows": _picows_client}


def one(server: dict[str, str], client: str, rounds: int) -> float:
    """Mean µs per round trip of one run."""
    args = [str(HERE / "floor_server.py"), "--rounds", str(rounds), "--busy-poll", str(BUDGET)]
    for key, value in server.items():
        args += [f"--{key}", value]
    proc, port = start(args)
    try:
        url = f"ws://127.0.0.1:{port}/ws"
        with asyncio.Runner(loop_factory=busy_poll.loop_factory(BUDGET)) as runner:
            started = time.perf_counter()
            n = runner.run(CLIENTS[client](url))
            seconds = time.perf_counter() - started
    finally:
        stop(proc)
    assert n == rounds, (n, rounds)
    return seconds / n * 1e6


#: (label, server stack options, client driver). The first is the chosen pair (the gateway's
#: default stack, the SDK's picows driver from `tradewire-sdk[fast]`), the second the same server
#: with the pure-`websockets` fallback client.
DEFAULT_PAIRS: list[tuple[str, dict[str, str], str]] = [
    ("gateway default / picows", {}, "picows"),
    ("gateway default / websockets", {}, "websockets"),
]
OTHER_PAIRS = [
    ("uvloop + websockets-sansio / picows", {"loop": "uvloop", "ws": "websockets-sansio"}, "picows"),
    ("uvloop + websockets-sansio / websockets", {"loop": "uvloop", "ws": "websockets-sansio"}, "websockets"),
    ("asyncio + websockets (legacy) / picows", {"loop": "asyncio", "ws": "websockets"}, "picows"),
    ("asyncio + websockets (legacy) / websockets", {"loop": "asyncio", "ws": "websockets"}, "websockets"),
    ("uvloop + websockets (legacy) / picows", {"loop": "uvloop", "ws": "websockets"}, "picows"),
    ("asyncio + wsproto / picows", {"loop": "asyncio", "ws": "wsproto"}, "picows"),
    ("uvloop + wsproto / picows", {"loop": "uvloop", "ws": "wsproto"}, "picows"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pairs", choices=["default", "all"], default="default")
    args = parser.parse_args()
    pairs = DEFAULT_PAIRS if args.pairs == "default" else [*DEFAULT_PAIRS, *OTHER_PAIRS]
    try:
        import picows  # noqa: F401
    except ImportError:
        pairs = [p for p in pairs if p[2] != "picows"]
        print("  (picows not installed: tradewire-sdk[fast] rows skipped)")
    from tradewire.gateway.settings import load_settings

    default = load_settings()
    print(
        f"Bare-stack floor: {args.rounds} round trips of a ~500-byte frame and a ~60-byte ack, "
        f"busy-poll {BUDGET * 1e3:g} ms both ends (server / client; mean µs per round trip)"
    )
    print(f"  gateway default stack: {default.event_loop} + {default.ws} + {default.http}")
    results: dict[str, list[float]] = {label: [] for label, _, _ in pairs}
    for r in range(args.repeats):
        shift = r % len(pairs)
        for label, server, client in pairs[shift:] + pairs[:shift]:
            results[label].append(one(server, client, args.rounds))
    for label, _, _ in pairs:
        us = results[label]
        med, best = statistics.median(us), min(us)
        runs = " / ".join(f"{u:.0f}" for u in us)
        print(
            f"  {label:<52} median {med:6.1f} µs ({1e6 / med:>6,.0f}/s), best {best:6.1f} µs "
            f"({1e6 / best:>6,.0f}/s); runs {runs}"
        )


if __name__ == "__main__":
    main()
